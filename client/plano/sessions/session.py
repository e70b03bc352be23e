"""tf.compat.v1.Session and InteractiveSession: embedded with no target, remote with one.

The Session holds the client half of the contract: it turns fetch structures
and feed dicts into names and arrays, sends only the nodes added since the
last run, and rebuilds results. A backend does the running.
"""
from __future__ import annotations

import contextlib
import threading
import weakref
from typing import NamedTuple

import numpy as np

from plano import codec, dtypes, errors
from plano.framework.graph import Graph, Operation, Tensor, get_default_graph
from plano.framework.tensor_shape import TensorShape, dims_fit
from plano.sessions.fetches import FetchPlan


class _DefaultSessionStack(threading.local):
    def __init__(self):
        self.stack: list = []


_default_sessions = _DefaultSessionStack()


def get_default_session():
    return _default_sessions.stack[-1] if _default_sessions.stack else None


def _reset_default_session_stack() -> None:
    _default_sessions.stack.clear()


def get_default_session_or_raise(session, graph: Graph, what: str):
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"Cannot evaluate with {what}: No default session is registered. Use "
                         "`with sess.as_default()` or pass an explicit session.")
    if session.graph is not graph:
        raise ValueError(f"Cannot use the given session for {what}: the graph is different "
                         "from the session's graph.")
    return session


def _make_backend(target: str, config):
    if not target:
        from plano.sessions.embedded import EmbeddedBackend

        return EmbeddedBackend(config)
    from plano.sessions.remote import RemoteBackend

    return RemoteBackend(target, config)


class BaseSession:
    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        if not isinstance(self._graph, Graph):
            raise TypeError(f"graph must be a plano.Graph, got {type(self._graph).__name__}")
        self._target = target or ""
        self._config = config
        self._closed = False
        self._sent_version = 0
        self._fetch_plans: dict = {}
        self._feed_tensors: dict = {}
        self._extend_lock = threading.Lock()
        self._backend = _make_backend(self._target, config)
        self._context_stack = None

    graph = property(lambda self: self._graph)
    sess_str = property(lambda self: self._target)

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    # -- lifecycle --
    def close(self) -> None:
        """Frees the session (and its variables); calling it again does nothing."""
        if not self._closed:
            self._closed = True
            self._backend.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown or unreachable server
            pass

    def as_default(self):
        return _as_default(self)

    def __enter__(self):
        if self._context_stack is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session multiple "
                               "times.")
        stack = contextlib.ExitStack()
        stack.enter_context(self._graph.as_default())
        stack.enter_context(self.as_default())
        self._context_stack = stack
        return self

    def __exit__(self, exc_type, exc, tb):
        stack, self._context_stack = self._context_stack, None
        stack.close()
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")

    def _extend_graph(self) -> None:
        """Sends the nodes added since the last call (all of them the first time)."""
        if self._sent_version and self._sent_version == self._graph.version:
            return  # nothing new (read without the lock: versions only grow)
        with self._extend_lock:
            version = self._graph.version
            if version != self._sent_version or self._sent_version == 0:
                nodes = self._graph.as_graph_def(from_version=self._sent_version).node
                self._backend.extend(nodes, self._sent_version)
                self._sent_version = version

    # -- running --
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and computes the tensors in `fetches`, returned in the same structure."""
        self._check_open()
        fetch_plan = self._fetch_plan(fetches)
        feeds = self._prepare_feeds(feed_dict)
        self._extend_graph()
        try:
            values = self._backend.run(feeds, fetch_plan.tensor_names,
                                       fetch_plan.target_names, self._timeout_ms(options))
        except errors.OpError as e:
            errors.locate(e, self._graph)
            raise
        return fetch_plan.build([_as_result(v) for v in values])

    def _fetch_plan(self, fetches) -> FetchPlan:
        """One tensor, op or name, or a flat list or tuple of them, is the common case: its
        plan is made once (graph elements hash by identity, and a name, once found, keeps
        naming the same element: graphs only grow)."""
        key = _fetch_key(fetches)
        if key is None:
            return FetchPlan(self._graph, fetches)
        plan = self._fetch_plans.get(key)
        if plan is None:
            plan = FetchPlan(self._graph, fetches)
            _put_bounded(self._fetch_plans, key, plan)
        return plan

    def _timeout_ms(self, options) -> int:
        if options is not None and options.timeout_in_ms:
            return int(options.timeout_in_ms)
        if self._config is not None:
            return int(self._config.operation_timeout_in_ms)
        return 0

    def _prepare_feeds(self, feed_dict) -> dict:
        feeds: dict[str, np.ndarray] = {}
        for key, value in (feed_dict or {}).items():
            cacheable = isinstance(key, (Tensor, str))
            feed = self._feed_tensors.get(key) if cacheable else None
            if feed is None:
                feed = _Feed.of(self._feed_tensor(key))
                if cacheable:
                    _put_bounded(self._feed_tensors, key, feed)
            if type(value) is np.ndarray and value.dtype is feed.np_dtype \
                    and value.shape == feed.shape:
                feeds[feed.name] = value  # what feed_value would return, unchecked
            else:
                feeds[feed.name] = feed_value(feed.tensor, value)
        return feeds

    def _feed_tensor(self, key) -> Tensor:
        if hasattr(key, "_as_graph_element") and not isinstance(key, (Tensor, Operation)):
            key = key._as_graph_element()
        try:
            elem = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (KeyError, ValueError) as e:
            raise ValueError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
        except TypeError as e:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
        return elem

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function of the positional feed values that runs `fetches`; compiled once."""
        self._check_open()
        fetch_plan = FetchPlan(self._graph, fetches)
        feed_tensors = [self._feed_tensor(f) for f in (feed_list or [])]
        self._extend_graph()
        handle = self._backend.make_callable([t.name for t in feed_tensors],
                                             fetch_plan.tensor_names, fetch_plan.target_names)
        session = self

        def call(*args, options=None, run_metadata=None):
            session._check_open()
            if len(args) != len(feed_tensors):
                raise TypeError(f"Expected {len(feed_tensors)} feed values, got {len(args)}")
            values = [feed_value(t, v) for t, v in zip(feed_tensors, args)]
            session._extend_graph()
            try:
                out = session._backend.run_callable(handle, values, session._timeout_ms(options))
            except errors.OpError as e:
                errors.locate(e, session._graph)
                raise
            return fetch_plan.build([_as_result(v) for v in out])
        weakref.finalize(call, _release_callable, self._backend, handle).atexit = False
        return call


_MAX_CACHED = 256  # fetch plans and feed keys kept per session


def _fetch_key(fetches):
    """A hashable key for a fetch structure worth caching, else None."""
    if isinstance(fetches, (Tensor, Operation, str)):
        return fetches
    if type(fetches) not in (list, tuple):
        return None
    for f in fetches:
        if not isinstance(f, (Tensor, Operation, str)):
            return None
    return (type(fetches), *fetches)


def _put_bounded(cache: dict, key, value) -> None:
    if len(cache) >= _MAX_CACHED:
        cache.clear()
    cache[key] = value


def _release_callable(backend, handle: int) -> None:
    """Frees a callable's registration (server-side when remote) once it is collected."""
    try:
        backend.release_callable(handle)
    except Exception:  # noqa: BLE001 - the session may be closed or its server gone by now
        pass


class _Feed(NamedTuple):
    """A feed_dict key resolved once: its tensor, and what an array needs to be sent as it
    is (feed_value would neither convert it nor refuse it)."""

    tensor: Tensor
    name: str
    np_dtype: np.dtype | None  # None for string tensors, always converted
    shape: tuple | None  # the static shape when every dimension is known, else None

    @classmethod
    def of(cls, tensor: Tensor) -> "_Feed":
        dtype = tensor.dtype.base_dtype
        dims = tensor.shape._dims
        known = dims is not None and None not in dims
        return cls(tensor, tensor.name,
                   None if dtype is dtypes.string else np.dtype(dtype.as_numpy_dtype),
                   tuple(dims) if known else None)


def feed_value(tensor: Tensor, value) -> np.ndarray:
    """Converts a feed value to the tensor's dtype and checks it fits the static shape."""
    dtype = tensor.dtype.base_dtype
    if type(value) is np.ndarray and value.dtype == dtype.as_numpy_dtype \
            and dtype is not dtypes.string:
        arr = value  # already what would be sent: skip conversion
    else:
        if isinstance(value, (Tensor, Operation)) or hasattr(value, "_as_tensor"):
            raise TypeError("The value of a feed cannot be a plano.Tensor object. Acceptable "
                            "feed values include Python scalars, strings, lists, numpy ndarrays.")
        if dtype is dtypes.resource:
            raise TypeError(f"Tensor {tensor.name} is a resource handle and cannot be fed")
        try:
            arr = codec.to_numpy(value, dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Cannot feed {type(value).__name__} value to Tensor "
                            f"'{tensor.name}' of dtype {dtype.name}: {e}") from None
        if isinstance(value, (int, float)) and dtype.is_integer and arr.item() != value:
            raise TypeError(f"Type of feed value {value!r} with type {type(value).__name__} "
                            f"is not compatible with Tensor type {dtype.name}.")
    if not _fits(tensor.shape, arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor '{tensor.name}', "
                         f"which has shape {_shape_str(tensor.shape)}")
    return arr


def _fits(static: TensorShape, shape: tuple) -> bool:
    return static._dims is None or dims_fit(static._dims, shape)


def _shape_str(shape: TensorShape) -> str:
    return "<unknown>" if shape.rank is None else str(tuple(shape.dims)).replace("None", "?")


def _as_result(value):
    """numpy scalars for 0-d results (as TF); writable copies of read-only engine arrays."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
    return value


@contextlib.contextmanager
def _as_default(session):
    _default_sessions.stack.append(session)
    try:
        yield session
    finally:
        if _default_sessions.stack and _default_sessions.stack[-1] is session:
            _default_sessions.stack.pop()


class Session(BaseSession):
    """A place to run a graph. `Session()` runs in-process; `Session("grpc://host:port")`
    runs on a plano-server, with the same semantics."""


class InteractiveSession(BaseSession):
    """A Session that makes itself the default on creation (for shells and notebooks)."""

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        super().__init__(target, graph, config)
        self._default_cm = self.as_default()
        self._default_cm.__enter__()
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()

    def close(self) -> None:
        if not self._closed and getattr(self, "_default_cm", None) is not None:
            self._graph_cm.__exit__(None, None, None)
            self._default_cm.__exit__(None, None, None)
        super().close()
