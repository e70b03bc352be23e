"""The in-process backend: calls the server's SessionStore directly, no transport."""
from __future__ import annotations

import time

from plano_server.session_store import embedded_store


class EmbeddedBackend:
    """Runs a session in this process; same engine, same errors as a plano-server."""

    target = ""

    def __init__(self, config=None):
        self._store = embedded_store()
        self._handle: str | None = None
        self._engine = None
        self._optimize = not _opt_level_l0(config)
        self._callables: dict[int, tuple] = {}

    def extend(self, node_defs, version: int) -> int:
        if self._handle is None:
            self._handle, new_version = self._store.create(node_defs)
            self._engine = self._store.get(self._handle)
            self._engine.optimize = self._optimize
            return new_version
        return self._engine.extend(node_defs, version)

    def run(self, feeds: dict, fetches: list, targets: list, timeout_ms: int = 0) -> list:
        deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms > 0 else None
        # Session.run and callables convert and check every feed (feed_value) first.
        return self._engine.run(feeds, fetches, targets, deadline, feeds_checked=True)

    def make_callable(self, feed_names: list, fetches: list, targets: list) -> int:
        handle = max(self._callables, default=0) + 1  # released handles may return
        self._callables[handle] = (tuple(feed_names), list(fetches), list(targets))
        return handle

    def run_callable(self, handle: int, values: list, timeout_ms: int = 0) -> list:
        feed_names, fetches, targets = self._callables[handle]
        return self.run(dict(zip(feed_names, values)), fetches, targets, timeout_ms)

    def release_callable(self, handle: int) -> None:
        self._callables.pop(handle, None)

    def close(self) -> None:
        if self._handle is not None:
            self._store.close(self._handle)
            self._handle = None
            self._engine = None


def _opt_level_l0(config) -> bool:
    if config is None:
        return False
    return config.graph_options.optimizer_options.opt_level == -1
