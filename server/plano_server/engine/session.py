"""One session's engine state: its graph, its variables, its random streams, its plans."""
from __future__ import annotations

import math
import threading
import time

import numpy as np

from plano import dtypes, errors
from plano.framework.tensor_shape import TensorShape, dims_fit, format_shape
from plano_server.engine import compile as compile_lib
from plano_server.engine.executor import execute
from plano_server.engine.nodes import Node
from plano_server.engine.plan_cache import PlanCache
from plano_server.engine.variables import VariableStore
from plano_server.kernels import intra_op


class RunContext:
    """What stateful kernels see during one run: variables, random state, the deadline."""

    __slots__ = ("variables", "session", "check")

    def __init__(self, session: "EngineSession", deadline: float | None, cancelled=None):
        self.session = session
        self.variables = session.variables
        self.check = _checker(deadline, cancelled) if deadline or cancelled else None

    def rng(self, node_name: str, seed: int, seed2: int) -> np.random.Generator:
        return self.session.rng(node_name, seed, seed2)


CANCEL_POLL_S = 0.002  # how often a running step asks whether it was cancelled


def _checker(deadline, cancelled):
    """Run before each kernel: the deadline every time, the cancellation test (which may
    take a lock) once per CANCEL_POLL_S; a step shorter than that is never cancelled."""
    poll_at = time.monotonic() + CANCEL_POLL_S if cancelled is not None else math.inf

    def check():
        nonlocal poll_at
        now = time.monotonic()
        if deadline is not None and now > deadline:
            raise errors.DeadlineExceededError(None, None, "The step ran past its deadline")
        if now >= poll_at:
            poll_at = now + CANCEL_POLL_S
            if cancelled.is_set():
                raise errors.CancelledError(None, None, "The step was cancelled")
    return check


class EngineSession:
    """A graph that grows, and the state of running it. Thread-safe."""

    def __init__(self, plan_cache: PlanCache, max_nodes: int | None = None):
        self.nodes: dict[str, Node] = {}
        self.version = 0
        self.variables = VariableStore()
        self._rngs: dict[str, np.random.Generator] = {}
        self._plans: dict[tuple, tuple] = {}  # see _prepared
        self._plan_cache = plan_cache
        self._lock = threading.RLock()
        self._max_nodes = max_nodes
        self.optimize = True
        self.graph_key = b""  # content address of the graph so far (see compile.extend_key)

    def extend(self, node_defs, current_version: int | None = None) -> int:
        """Adds nodes (validated first: on any error nothing is added); returns the new version."""
        with self._lock:
            if current_version is not None and current_version != self.version:
                raise errors.FailedPreconditionError(
                    None, None, f"Graph version mismatch: the session is at version "
                    f"{self.version}, the request extends version {current_version}")
            new, self.graph_key = compile_lib.parse_cached(
                self._plan_cache, list(node_defs), self.nodes, self.graph_key, self._max_nodes)
            nodes = dict(self.nodes)
            for n in new:
                nodes[n.name] = n
            self.nodes = nodes
            self.version += len(new)
            return self.version

    def plan_for(self, request: compile_lib.Request) -> compile_lib.Plan:
        return self._prepared(request.feeds, request.fetches, request.targets)[0]

    def _prepared(self, feeds: tuple, fetches: tuple, targets: tuple) -> tuple:
        """(the plan of a request, the positions of its fetched ref tensors), made once."""
        key = (feeds, fetches, targets, self.optimize)
        found = self._plans.get(key)
        if found is None:
            request = compile_lib.Request(feeds, fetches, targets)
            plan = compile_lib.plan_for(self._plan_cache, self.nodes, self.graph_key, request,
                                        self.optimize)
            found = (plan, self._ref_fetches(request))
            with self._lock:
                self._plans[key] = found
        return found

    def run(self, feeds: dict, fetches: list[str], targets: list[str],
            deadline: float | None = None, cancelled=None, feeds_checked: bool = False,
            pool_step: str | None = None) -> list:
        """Runs one step: feeds by tensor name, fetches by tensor name, targets by node name.
        `feeds_checked`: the caller has already checked each fed value's dtype and shape
        against the same graph (the embedded session's client does; wire feeds never are).
        `pool_step`: a server step of that session, whose products may use the intra-op pool
        (kernels/intra_op.py; a plan without products does not take part in its bookkeeping)."""
        plan, refs = self._prepared(tuple(feeds), tuple(fetches), tuple(targets))
        values = list(feeds.values())
        if not feeds_checked:
            check_feeds(plan, values)
        ctx = RunContext(self, deadline, cancelled)
        if pool_step is None or not plan.splits_products:
            out = execute(plan, ctx, values)
        else:
            intra_op.begin_step(pool_step)
            try:
                out = execute(plan, ctx, values)
            finally:
                intra_op.end_step()
        for i in refs:
            out[i] = self.variables.read(out[i], fetches[i])
        return out

    def _ref_fetches(self, request: compile_lib.Request) -> list[int]:
        """Positions of fetched TF1 ref tensors (TF returns the variable's value for them);
        a resource handle is not a value and cannot be fetched."""
        dtypes_ = [_output_dtype(self.nodes, name) for name in request.fetches]
        for name, dtype in zip(request.fetches, dtypes_):
            if dtype.base_dtype is dtypes.resource:
                raise errors.InvalidArgumentError(
                    None, None, f"Tensor '{name}' is a resource handle, which cannot be "
                    "fetched; fetch a read of the variable (e.g. the Variable itself)")
        return [i for i, dtype in enumerate(dtypes_) if dtype.is_ref]

    def rng(self, node_name: str, seed: int, seed2: int) -> np.random.Generator:
        """The random stream of one random node in this session: seeded, it repeats per session."""
        gen = self._rngs.get(node_name)
        if gen is None:
            with self._lock:
                gen = self._rngs.get(node_name)
                if gen is None:
                    entropy = [seed, seed2] if seed or seed2 else None
                    gen = np.random.Generator(np.random.PCG64(entropy))
                    self._rngs[node_name] = gen
        return gen


def _output_dtype(nodes: dict[str, Node], tensor_name: str):
    node, index = compile_lib.resolve_tensor(nodes, tensor_name, "fetch")
    return node.output_dtypes[index]


def check_feeds(plan: compile_lib.Plan, values: list) -> None:
    """A fed value must have the tensor's dtype and, for a placeholder, a fitting shape."""
    for (name, dtype, np_dtype, dims, known), value in zip(plan.feed_specs, values):
        got = value.dtype
        if got is not np_dtype and (got != np_dtype if np_dtype is not None
                                    else got.kind != "O"):
            raise errors.InvalidArgumentError(
                None, None, f"Tensor '{name}' is {dtype.name}, but the fed value has dtype "
                f"{got}")
        if dims is not None and value.shape != known and not dims_fit(dims, value.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Placeholder '{name.rsplit(':', 1)[0]}' has shape "
                f"{format_shape(TensorShape(dims))}, but the fed value has shape "
                f"{list(value.shape)}")

