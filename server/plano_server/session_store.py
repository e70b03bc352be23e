"""SessionStore: creates, finds, runs and closes sessions. The one entry point for both the
embedded Session and the gRPC service.

A session belongs to the owner (client identity) that created it: any other
owner presenting its handle is told it does not exist. Handles carry 128
random bits. The store also enforces the server's limits (session count,
declared tensor sizes), reaps idle sessions, holds tensors in transit
(streamed uploads and downloads) and keeps the counters of the status call.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from plano import errors
from plano_server import wire_limits
from plano_server.engine.compile import Request
from plano_server.engine.plan_cache import PlanCache
from plano_server.engine.session import EngineSession

_GONE_MEMORY = 10_000  # how many closed handles keep their reason for NotFound messages
MAX_PENDING = 8  # uploads not yet run, and results not yet downloaded, per session


@dataclass(eq=False)
class _Entry:
    owner: str
    engine: EngineSession
    timeout_ms: int
    created: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.monotonic)
    active: int = 0
    steps: int = 0
    callables: dict = field(default_factory=dict)
    uploads: dict = field(default_factory=dict)
    downloads: dict = field(default_factory=dict)


class SessionStore:
    def __init__(self, plan_cache: PlanCache | None = None, max_nodes: int | None = None,
                 max_sessions: int = 0, idle_timeout: float = 0.0, step_timeout_ms: int = 0):
        self.plan_cache = plan_cache or PlanCache()
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.step_timeout_ms = step_timeout_ms
        self._sessions: dict[str, _Entry] = {}
        self._gone: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_nodes = max_nodes
        self._reaper: threading.Thread | None = None
        self._stop_reaper = threading.Event()
        self.started = time.monotonic()
        self.bytes_in = self.bytes_out = self.steps_run = self.reaped = 0
        self.draining = False

    # -- lifecycle --
    def create(self, node_defs=(), owner: str = "", timeout_ms: int = 0,
               optimize: bool = True) -> tuple[str, int]:
        """A new session holding `node_defs`; returns (handle, graph version)."""
        self._refuse_new_work()
        self._check_room()
        node_defs = list(node_defs)
        wire_limits.check_node_defs(node_defs)
        session = EngineSession(self.plan_cache, self._max_nodes)
        session.optimize = optimize
        version = session.extend(node_defs)
        handle = secrets.token_hex(16)
        with self._lock:
            self._check_room()
            self._sessions[handle] = _Entry(owner, session, int(timeout_ms))
        return handle, version

    def _refuse_new_work(self) -> None:
        if self.draining:
            raise errors.UnavailableError(
                None, None, "The server is shutting down: it finishes the steps in flight but "
                "takes no new work")

    def begin_drain(self) -> None:
        """From now on only the steps in flight (and their streamed tensors) are served."""
        self.draining = True

    def busy(self) -> bool:
        """Whether a step runs or streamed tensors wait to be used or picked up."""
        with self._lock:
            return any(e.active or e.uploads or e.downloads for e in self._sessions.values())

    def _check_room(self) -> None:
        if self.max_sessions and len(self._sessions) >= self.max_sessions:
            raise errors.ResourceExhaustedError(
                None, None, f"This server already has {len(self._sessions)} open sessions, its "
                f"limit (max sessions {self.max_sessions}); close one or try later")

    def get(self, handle: str, owner: str = "") -> EngineSession:
        return self._entry(handle, owner).engine

    def _entry(self, handle: str, owner: str) -> _Entry:
        entry = self._sessions.get(handle)
        if entry is None or entry.owner != owner:
            raise errors.NotFoundError(None, None, self._not_found_message(handle, owner))
        entry.last_used = time.monotonic()
        return entry

    def _not_found_message(self, handle: str, owner: str) -> str:
        gone = self._gone.get(handle)
        shown = f"Session '{handle[:8]}...'" if handle else "Session '' (empty handle)"
        if gone is not None and gone[0] == owner:
            return f"{shown} was {gone[1]}"
        return (f"{shown} not found: no open session with this handle belongs to this client "
                "(it never existed here, belongs to another client, or the server restarted)")

    def close(self, handle: str, owner: str = "", reason: str = "closed by its client") -> None:
        """Closes the session if `owner` has it open; closing twice is not an error."""
        with self._lock:
            entry = self._sessions.get(handle)
            if entry is not None and entry.owner == owner:
                del self._sessions[handle]
                self._remember_gone(handle, owner, reason)

    def _remember_gone(self, handle: str, owner: str, reason: str) -> None:
        self._gone[handle] = (owner, reason)
        while len(self._gone) > _GONE_MEMORY:
            self._gone.popitem(last=False)

    def close_all(self, reason: str) -> int:
        with self._lock:
            handles = list(self._sessions.items())
            self._sessions.clear()
            for handle, entry in handles:
                self._remember_gone(handle, entry.owner, reason)
        return len(handles)

    def reap_idle(self) -> int:
        """Closes sessions idle (no step running) for longer than `idle_timeout` seconds."""
        if not self.idle_timeout:
            return 0
        cutoff = time.monotonic() - self.idle_timeout
        reason = (f"closed after being idle for more than {self.idle_timeout:g} s (the server's "
                  "session idle timeout)")
        with self._lock:
            idle = [(h, e) for h, e in self._sessions.items()
                    if e.active == 0 and e.last_used < cutoff]
            for handle, entry in idle:
                del self._sessions[handle]
                self._remember_gone(handle, entry.owner, reason)
            self.reaped += len(idle)
        return len(idle)

    def start_reaper(self) -> None:
        """A daemon thread that reaps idle sessions (only if an idle timeout is set)."""
        if not self.idle_timeout or self._reaper is not None:
            return
        interval = min(max(self.idle_timeout / 4, 0.05), 30.0)

        def loop():
            while not self._stop_reaper.wait(interval):
                self.reap_idle()
        self._reaper = threading.Thread(target=loop, name="plano-session-reaper", daemon=True)
        self._reaper.start()

    def stop_reaper(self) -> None:
        self._stop_reaper.set()
        if self._reaper is not None:
            self._reaper.join()
            self._reaper = None

    # -- the graph --
    def extend(self, handle: str, owner: str, node_defs, current_version: int) -> int:
        node_defs = list(node_defs)
        entry = self._entry(handle, owner)
        self._refuse_new_work()
        wire_limits.check_node_defs(node_defs)
        return entry.engine.extend(node_defs, current_version)

    # -- running --
    def run(self, handle: str, owner: str, feeds: dict, fetches: list, targets: list,
            timeout_ms: int = 0, cancelled=None,
            upload_handle: str = "") -> list:
        """One step; the deadline is `timeout_ms`, else the session's, else the server's. The
        session counts as busy meanwhile (never reaped mid-step)."""
        if self.draining and not upload_handle:  # one with an upload began before a shutdown
            self._refuse_new_work()
        entry = self._entry(handle, owner)
        with self._lock:
            entry.active += 1
        try:
            if upload_handle:
                feeds = {**feeds, **dict(self._take(entry.uploads, upload_handle, "upload"))}
            return entry.engine.run(feeds, fetches, targets, self._deadline(entry, timeout_ms),
                                    cancelled, pool_step=handle)
        finally:
            with self._lock:
                entry.active -= 1
                entry.steps += 1
                self.steps_run += 1
            entry.last_used = time.monotonic()

    def _deadline(self, entry: _Entry, timeout_ms: int) -> float | None:
        ms = timeout_ms or entry.timeout_ms or self.step_timeout_ms
        return time.monotonic() + ms / 1000 if ms > 0 else None

    def make_callable(self, handle: str, owner: str, feeds: list, fetches: list,
                      targets: list) -> int:
        """Registers (and compiles) a feed/fetch/target signature; returns its handle."""
        entry = self._entry(handle, owner)
        self._refuse_new_work()
        request = Request(tuple(feeds), tuple(fetches), tuple(targets))
        entry.engine.plan_for(request)
        with self._lock:
            callable_handle = max(entry.callables, default=0) + 1
            entry.callables[callable_handle] = request
        return callable_handle

    def run_callable(self, handle: str, owner: str, callable_handle: int, values: list,
                     timeout_ms: int = 0, cancelled=None,
                     upload_handle: str = "") -> list:
        request = self._entry(handle, owner).callables.get(callable_handle)
        if request is None:
            raise errors.InvalidArgumentError(
                None, None, f"Callable {callable_handle} does not exist in this session (never "
                "made, or released)")
        if upload_handle:
            return self.run(handle, owner, {}, request.fetches, request.targets, timeout_ms,
                            cancelled, upload_handle)
        if len(values) != len(request.feeds):
            raise errors.InvalidArgumentError(
                None, None, f"Callable {callable_handle} takes {len(request.feeds)} feeds, got "
                f"{len(values)}")
        return self.run(handle, owner, dict(zip(request.feeds, values)), request.fetches,
                        request.targets, timeout_ms, cancelled)

    def release_callable(self, handle: str, owner: str, callable_handle: int) -> None:
        self._entry(handle, owner).callables.pop(callable_handle, None)

    # -- tensors in transit --
    def put_upload(self, handle: str, owner: str, tensors: list[tuple[str, np.ndarray]]) -> str:
        """Holds uploaded feeds for the next run that names them; a session may hold at most
        MAX_PENDING such uploads, so a client that uploads and never runs cannot fill the
        server's memory at other sessions' expense."""
        entry = self._entry(handle, owner)
        if len(entry.uploads) >= MAX_PENDING:
            raise errors.ResourceExhaustedError(
                None, None, f"Session '{handle[:8]}...' already holds {MAX_PENDING} uploaded "
                "feeds that no run has used; run them or close the session")
        return self._put(entry.uploads, tensors)

    def put_download(self, handle: str, owner: str,
                     tensors: list[tuple[str, np.ndarray]]) -> str:
        return self._put(self._entry(handle, owner).downloads, tensors)

    def take_download(self, handle: str, owner: str, download_handle: str) -> list:
        return self._take(self._entry(handle, owner).downloads, download_handle, "download")

    def _put(self, pending: dict, tensors) -> str:
        """Stores a transfer; beyond MAX_PENDING the oldest one is dropped (a client that
        never downloads its results loses the oldest, not the server its memory)."""
        key = secrets.token_hex(16)
        with self._lock:
            pending[key] = tensors
            while len(pending) > MAX_PENDING:
                del pending[next(iter(pending))]
        return key

    def _take(self, pending: dict, key: str, kind: str):
        with self._lock:
            tensors = pending.pop(key, None)
        if tensors is None:
            raise errors.NotFoundError(
                None, None, f"No pending {kind} '{key[:8]}...' in this session (each {kind} is "
                "used once)")
        return tensors

    # -- introspection --
    def list_sessions(self, owner: str) -> list[dict]:
        """The open sessions of `owner`."""
        now = time.monotonic()
        with self._lock:
            mine = [(h, e) for h, e in self._sessions.items() if e.owner == owner]
        return [{"session_handle": h, "graph_version": e.engine.version,
                 "num_nodes": len(e.engine.nodes), "created_unix_seconds": e.created,
                 "idle_seconds": 0.0 if e.active else now - e.last_used,
                 "active_steps": e.active, "num_callables": len(e.callables),
                 "steps_run": e.steps} for h, e in mine]

    def count_bytes(self, received: int, sent: int) -> None:
        with self._lock:
            self.bytes_in += received
            self.bytes_out += sent

    def stats(self) -> dict:
        cache = self.plan_cache.stats()
        with self._lock:
            return {"sessions_open": len(self._sessions), "max_sessions": self.max_sessions,
                    "plan_cache_hits": cache["hits"], "plan_cache_misses": cache["misses"],
                    "plan_cache_size": cache["size"], "plan_cache_capacity": cache["capacity"],
                    "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                    "steps_run": self.steps_run,
                    "active_steps": sum(e.active for e in self._sessions.values()),
                    "sessions_reaped": self.reaped,
                    "uptime_seconds": time.monotonic() - self.started}

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
