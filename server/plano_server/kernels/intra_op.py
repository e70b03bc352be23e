"""Intra-op parallelism: one large matrix product split over the server's cores.

plano-server gives BLAS one thread (see launch.py): a BLAS pool spins after every
call, and on a machine shared by RPC threads and other sessions' steps those
spinning threads take the cores the others need. Instead the server keeps its own
pool of helper threads that sleep when idle (TF's intra-op pool). A product big
enough to pay for the hand-offs is cut into as many blocks of rows (of columns,
when it has few rows) as the pool has threads, each of at least 2M multiply-adds;
idle helpers compute blocks while the caller computes the first, then the caller
takes back every block no helper has started (so a helper the scheduler keeps
waiting costs the step nothing). When the steps running and the helpers at work
already fill the pool's threads, or steps of other sessions ran a moment ago, the
caller computes every block itself: the cuts depend only on the shape and the pool's
size, never on the load, so neither does a result. numpy releases the GIL inside
BLAS, so the blocks really run at once.

Only steps run by plano-server split (the engine brackets a server step whose plan has
products, SPLIT_OPS, with begin_step and end_step; a step without any takes a few
microseconds of one core and does not count); an embedded session's products never
do, even in a process that also hosts a server: there numpy's BLAS has every core.
"""
from __future__ import annotations

import math
import os
import queue
import threading
import time

import numpy as np

# A product below this many multiply-adds takes under ~0.1 ms on one core: waking
# helpers (tens of microseconds on a VM) would eat what splitting saves.
MIN_MACS = 1 << 22
SPLIT_OPS = frozenset({"MatMul"})  # the ops whose kernels call matmul below
_BLOCK = 16  # cuts fall on multiples of this many rows or columns (BLAS kernel widths)
_BLAS_DTYPES = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.complex64,
                                                np.complex128))

_idle: queue.SimpleQueue = queue.SimpleQueue()  # helpers waiting for work
_helpers: list = []
_lock = threading.Lock()
_running = 0  # steps the server is running now (begin_step / end_step)
# Steps of several sessions in turn (clients whose steps alternate with their transfers)
# keep the cores busy even when they do not overlap: helpers stay off until one session
# has had the server to itself for this long (measured on 2 vCPUs, MLP steps: without the
# window two clients ran at 0.88-0.99x of an unpooled server, with it 0.94-1.04x; one
# client gains 1.02-1.17x either way).
SHARED_WINDOW_S = 0.1
_last_session = None
_shared_until = 0.0  # time.monotonic() before which helpers stay off


class _Block:
    """One block of a product. Whoever acquires `claim` computes it: a helper when it
    gets a core, or the caller once its own block is done and no helper has started."""

    __slots__ = ("a", "b", "out", "claim", "done", "error")

    def __init__(self, a, b, out):
        self.a, self.b, self.out = a, b, out
        self.claim = threading.Lock()
        self.done = threading.Lock()
        self.done.acquire()
        self.error = None

    def compute(self) -> None:
        try:
            np.matmul(self.a, self.b, out=self.out)
        except BaseException as e:  # noqa: BLE001 - handed back to the caller
            self.error = e


class _Helper:
    """A daemon thread that computes one block at a time, then reports idle again."""

    def __init__(self, idle: queue.SimpleQueue = _idle):
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = idle
        threading.Thread(target=self._loop, name="plano-intra-op", daemon=True).start()

    def submit(self, block: _Block) -> None:
        self._work.put(block)

    def _loop(self) -> None:
        while True:
            block = self._work.get()
            if block.claim.acquire(blocking=False):  # else the caller took it back
                block.compute()
            self._idle.put(self)
            block.done.release()


def default_threads(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """The cores this process may run on: its CPU affinity, capped by a cgroup v2 CPU quota
    (a container limited to 2 CPUs on a 64-core node gets 2)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        with open(cpu_max) as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        pass
    return max(1, cores)


def configure(threads: int) -> None:
    """Lets one product use up to `threads` threads (the caller and threads - 1 helpers).
    Only plano-server calls this; the pool grows but never shrinks (helpers just sleep)."""
    with _lock:
        while len(_helpers) < threads - 1:
            helper = _Helper()
            _helpers.append(helper)
            _idle.put(helper)


def begin_step(session: str | None = None) -> None:
    """A step of `session` (its handle: nothing here keeps a closed session alive) starts
    computing (the engine calls this and end_step for a server step with products)."""
    global _running, _last_session, _shared_until
    with _lock:
        _running += 1
        if session != _last_session:
            if _last_session is not None:
                _shared_until = time.monotonic() + SHARED_WINDOW_S
            _last_session = session


def end_step() -> None:
    global _running
    with _lock:
        _running -= 1


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul of two matrices, split when the pool is on and the product is big."""
    m, k = a.shape
    n = b.shape[1]
    if not _helpers or not _running or m * k * n < MIN_MACS or a.dtype != b.dtype or \
            a.dtype not in _BLAS_DTYPES:
        return np.matmul(a, b)  # (outside a server step: an embedded session's product)
    rows = m >= n
    # At most one block per thread, and each worth at least MIN_MACS / 2 (many cores would
    # otherwise cut a product into blocks smaller than the hand-off).
    cuts = _cuts(m if rows else n, min(len(_helpers) + 1, m * k * n // (MIN_MACS // 2)))
    if len(cuts) < 3:
        return np.matmul(a, b)
    out = np.empty((m, n), a.dtype)
    blocks = [_Block(a[lo:hi], b, out[lo:hi]) if rows else
              _Block(a, b[:, lo:hi], out[:, lo:hi]) for lo, hi in zip(cuts, cuts[1:])]
    for block in blocks[1:]:
        helper = _idle_helper()
        if helper is None:
            break
        helper.submit(block)
    try:
        blocks[0].compute()
    finally:
        for block in blocks[1:]:
            if block.claim.acquire(blocking=False):  # not handed off, or not started
                block.compute()
            else:
                block.done.acquire()  # a helper writes into `out`: wait until it is done
    for block in blocks:
        if block.error is not None:
            raise block.error
    return out


def _cuts(size: int, parts: int) -> list[int]:
    """Block boundaries over `size` rows or columns: `parts` blocks (fewer when small), each
    starting on a multiple of _BLOCK."""
    parts = min(parts, size // _BLOCK)
    if parts < 2:
        return [0, size]
    return [size * i // parts // _BLOCK * _BLOCK for i in range(parts)] + [size]


def _idle_helper():
    """An idle helper, unless the steps running and the helpers at work already fill the
    pool's threads, or another session ran a step a moment ago (a helper then would only
    take a core from another step)."""
    if _running > _idle.qsize() or time.monotonic() < _shared_until:
        return None
    try:
        return _idle.get_nowait()
    except queue.Empty:
        return None
