"""plano-server: the long-running gRPC server that holds sessions for remote clients.

It prints `plano-server listening on grpc://HOST:PORT` once it is ready (scripts
and tests wait for that line). SIGTERM or SIGINT stops accepting calls, lets
in-flight steps finish within --grace seconds, closes every session and exits 0.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from plano_server.server import ServerOptions, start_server

_DEFAULTS = ServerOptions()


def _size(text: str) -> int:
    """A byte count: plain, or with a K/M/G suffix (powers of 1024)."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1048576, 512K, 8G)") \
            from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="plano-server", description="Serve plano sessions over gRPC (with the standard "
        "health service and server reflection).")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: %(default)s, loopback only; use 0.0.0.0 "
                   "to accept other hosts)")
    p.add_argument("--port", type=int, default=50051,
                   help="port to listen on; 0 picks a free one (default: %(default)s)")
    p.add_argument("--workers", type=int, default=_DEFAULTS.workers,
                   help="worker threads, i.e. calls served at once (default: %(default)s)")
    p.add_argument("--max-sessions", type=int, default=_DEFAULTS.max_sessions,
                   help="open sessions allowed in total; 0 = no limit (default: %(default)s)")
    p.add_argument("--session-idle-timeout", type=float, default=_DEFAULTS.idle_timeout,
                   metavar="SECONDS", help="close sessions idle this long; 0 = never "
                   "(default: %(default)s)")
    p.add_argument("--plan-cache-size", type=int, default=_DEFAULTS.plan_cache_size,
                   help="compiled plans kept (LRU, shared by all sessions) (default: %(default)s)")
    p.add_argument("--chunk-size", type=_size, default=_DEFAULTS.chunk_bytes, metavar="BYTES",
                   help="bytes per message when streaming a large tensor (default: %(default)s)")
    p.add_argument("--inline-limit", type=_size, default=_DEFAULTS.inline_bytes,
                   metavar="BYTES", help="fetched bytes per step up to which results travel "
                   "inline in the reply instead of streaming (default: %(default)s)")
    p.add_argument("--max-tensor-bytes", type=_size, default=_DEFAULTS.max_tensor_bytes,
                   metavar="BYTES", help="largest single tensor a client may send or a kernel "
                   "may allocate (default: %(default)s)")
    p.add_argument("--step-timeout", type=float, default=_DEFAULTS.step_timeout_ms / 1000,
                   metavar="SECONDS", help="deadline of a step that sets none (RunOptions "
                   "timeout_in_ms and the session's operation_timeout_in_ms come first); "
                   "0 = none (default: %(default)s)")
    p.add_argument("--grace", type=float, default=_DEFAULTS.grace, metavar="SECONDS",
                   help="at SIGTERM/SIGINT, how long in-flight steps may finish "
                   "(default: %(default)s)")
    p.add_argument("--blas-threads", type=int, default=None, metavar="N",
                   help="threads one numpy kernel may use (OpenBLAS/OpenMP/MKL); set before "
                   "numpy loads (default: $OPENBLAS_NUM_THREADS if set, else 1: steps of many "
                   "sessions already run in parallel)")
    p.add_argument("--intra-op-threads", type=_positive, default=None, metavar="N",
                   help="threads one large matrix product may use, from a pool of helpers "
                   "that sleep when idle (default: the cores this process may use; 1 when "
                   "BLAS is given threads of its own by --blas-threads or "
                   "OPENBLAS_NUM_THREADS)")
    p.add_argument("--log-level", default="WARNING",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="logging level (default: %(default)s)")
    return p


def _intra_op_threads(args) -> int:
    """BLAS threads of its own and helpers splitting its calls would oversubscribe the
    cores: BLAS threads asked for (flag or OPENBLAS_NUM_THREADS) turn the helpers off
    unless they are asked for too."""
    if args.intra_op_threads is not None:
        return args.intra_op_threads
    if _blas_threads(args) > 1:
        return 1
    return _DEFAULTS.intra_op_threads


def _blas_threads(args) -> int:
    if args.blas_threads is not None:
        return args.blas_threads
    try:
        return int(os.environ.get("OPENBLAS_NUM_THREADS") or 1)
    except ValueError:
        return 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    try:
        running = start_server(
            args.host, args.port, workers=args.workers, max_sessions=args.max_sessions,
            idle_timeout=args.session_idle_timeout, plan_cache_size=args.plan_cache_size,
            chunk_bytes=args.chunk_size, inline_bytes=args.inline_limit,
            max_tensor_bytes=args.max_tensor_bytes,
            step_timeout_ms=int(args.step_timeout * 1000), grace=args.grace,
            intra_op_threads=_intra_op_threads(args))
    except (OSError, RuntimeError) as e:
        print(f"plano-server: {e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"plano-server listening on {running.target}", flush=True)
    while not stop.wait(1.0):
        pass
    logging.getLogger("plano_server").info("shutting down (grace %.1f s)", args.grace)
    running.stop()
    return 0
