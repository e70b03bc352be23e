"""What scenarios share: the run mode, and servers started once, in child processes."""
from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.bare_grpc import BareServer


def start_plano_server():
    """`python -m plano_server --port 0` in a child process (one BLAS thread per kernel, the
    server's default: see plano_server/launch.py)."""
    from plano_server.process import ServerProcess

    return ServerProcess()


@dataclass
class Context:
    quick: bool
    _plano = None
    _bare = None
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
