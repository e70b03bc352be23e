"""SessionStore: creates, finds, runs and closes sessions. The one entry point for both the
embedded Session and the gRPC service."""
from __future__ import annotations

import secrets
import threading

from plano import errors
from plano_server.engine.plan_cache import PlanCache
from plano_server.engine.session import EngineSession


class SessionStore:
    def __init__(self, plan_cache: PlanCache | None = None, max_nodes: int | None = None):
        self.plan_cache = plan_cache or PlanCache()
        self._sessions: dict[str, tuple[str, EngineSession]] = {}
        self._lock = threading.Lock()
        self._max_nodes = max_nodes

    def create(self, node_defs=(), owner: str = "") -> tuple[str, int]:
        """A new session holding `node_defs`; returns (handle, graph version)."""
        session = EngineSession(self.plan_cache, self._max_nodes)
        version = session.extend(node_defs)
        handle = secrets.token_hex(16)
        with self._lock:
            self._sessions[handle] = (owner, session)
        return handle, version

    def get(self, handle: str, owner: str = "") -> EngineSession:
        entry = self._sessions.get(handle)
        if entry is None or entry[0] != owner:
            raise errors.NotFoundError(
                None, None, f"Session {handle[:8]}... not found: it was closed, expired, or "
                "never existed")
        return entry[1]

    def close(self, handle: str, owner: str = "") -> None:
        with self._lock:
            entry = self._sessions.get(handle)
            if entry is not None and entry[0] == owner:
                del self._sessions[handle]

    def __len__(self) -> int:
        return len(self._sessions)


_default_store: SessionStore | None = None
_default_lock = threading.Lock()


def embedded_store() -> SessionStore:
    """The process-wide store behind embedded sessions (one plan cache for all of them)."""
    global _default_store
    with _default_lock:
        if _default_store is None:
            _default_store = SessionStore()
        return _default_store
