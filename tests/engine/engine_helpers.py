"""Helpers for the engine tests: compile a plano graph's request the way a session does."""
from __future__ import annotations

import numpy as np

import plano as tf
from plano_server.engine import compile as compile_lib
from plano_server.engine.plan_cache import PlanCache
from plano_server.engine.session import EngineSession


def names(items) -> tuple[str, ...]:
    return tuple(t if isinstance(t, str) else t.name for t in items)


def engine_for(graph=None) -> EngineSession:
    session = EngineSession(PlanCache())
    session.extend((graph or tf.get_default_graph()).as_graph_def().node)
    return session


def subgraph_for(fetches, feeds=(), targets=(), graph=None):
    """(Subgraph before optimization, request) for a request on `graph`."""
    session = engine_for(graph)
    request = compile_lib.Request(names(feeds), names(fetches), names(targets))
    order = compile_lib.prune(session.nodes, request)
    return compile_lib.subgraph(order, request, session.nodes), request


def ops_of(sub) -> list[str]:
    return [n.op for n in sub.nodes]


def run_both(fetches, feed_dict=None, targets=(), graph=None):
    """Runs the same request on a default session and an L0 session; returns both results."""
    results = []
    for optimize in (True, False):
        session = engine_for(graph)
        session.optimize = optimize
        feeds = {t.name: np.asarray(v) for t, v in (feed_dict or {}).items()}
        results.append(session.run(feeds, list(names(fetches)), list(names(targets))))
    return results


def assert_identical(a, b) -> None:
    """Same dtype, same shape, same bytes (so -0.0 and NaN payloads count)."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape, (x, y)
        assert x.tobytes() == y.tobytes(), (x, y)
