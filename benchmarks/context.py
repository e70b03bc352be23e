"""What scenarios share: the run mode, and servers started once, in child processes."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from benchmarks.bare_grpc import BareServer


# A server runs each step on whichever RPC thread took the call; OpenBLAS's own worker
# threads then fight those threads for the cores, and a 128x784x256 matmul that takes 0.4 ms
# takes 20-40 ms (measured, 2 cores). One BLAS thread per RPC thread is the setting for a
# threaded server: it takes the remote MLP step from 75 ms to 5 ms.
SERVER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def start_plano_server():
    """`python -m plano_server --port 0` in a child process, with SERVER_ENV set unless the
    caller's environment already says otherwise."""
    from plano_server.process import ServerProcess

    added = {k: v for k, v in SERVER_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        return ServerProcess()
    finally:
        for key in added:
            del os.environ[key]


@dataclass
class Context:
    quick: bool
    _plano = None
    _bare = None
    tf_real: object = None  # the tensorflow module, when it happens to be importable
    notes: list[str] = field(default_factory=list)

    def seconds(self, full: float) -> float:
        """How long to sample a figure: a fifth as long in --quick runs."""
        return full / 5 if self.quick else full

    def plano_server(self):
        if self._plano is None:
            self._plano = start_plano_server()
        return self._plano

    def bare_server(self) -> BareServer:
        if self._bare is None:
            self._bare = BareServer()
        return self._bare

    def close(self) -> None:
        if self._plano is not None:
            self._plano.stop()
            self._plano = None
        if self._bare is not None:
            self._bare.stop()
            self._bare = None
