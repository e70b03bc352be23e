"""The `plano-server` entry point: fixes BLAS's thread count, then runs the CLI.

OpenBLAS (and OpenMP/MKL) size their thread pools once, when numpy is first
imported, so `--blas-threads` must reach the environment before anything
imports numpy. A server runs many steps on many threads at once; BLAS threads
of its own on top oversubscribe the cores (a 0.4 ms matmul was measured at
20-40 ms that way), hence the default of 1. Large products use the cores through
plano's own intra-op pool instead, whose helpers sleep when idle
(kernels/intra_op.py, `--intra-op-threads`).
"""
from __future__ import annotations

import argparse
import os
import sys

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads_arg(argv: list[str]) -> int | None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--blas-threads", type=int, default=None)
    return parser.parse_known_args(argv)[0].blas_threads


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    threads = blas_threads_arg(argv)
    for name in BLAS_ENV:
        if threads is not None:
            os.environ[name] = str(threads)
        else:  # an operator's own setting wins over the default
            os.environ.setdefault(name, "1")
    from plano_server.cli import main as cli_main

    return cli_main(argv)
