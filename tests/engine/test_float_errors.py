"""Kernels follow TF on floating-point errors: inf and nan come out, with no warning and no
exception, whatever the caller's numpy settings, which a run leaves as they were."""
import threading
import warnings

import numpy as np
import pytest

import plano as tf
from plano_server.engine import executor

from engine_helpers import engine_for


def _graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        y = tf.exp(x * 100.0) / x  # overflow, then 1 / 0
        z = y - y  # inf - inf
    return graph, [y.name, z.name]


@pytest.mark.parametrize("caller", ["raise", "warn", "ignore"])
def test_overflow_and_division_by_zero_give_inf_and_nan_silently(caller):
    graph, fetches = _graph()
    session = engine_for(graph)
    old = np.seterr(all=caller)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y, z = session.run({"x:0": np.array([1.0, 0.0, -1.0], np.float32)}, fetches, [])
        assert np.geterr() == {k: caller for k in ("divide", "over", "under", "invalid")}
    finally:
        np.seterr(**old)
    np.testing.assert_array_equal(y[:2], [np.inf, np.inf])
    assert np.isnan(z[:2]).all() and z[2] == 0


def test_runs_nested_on_one_thread_each_get_a_quiet_context():
    inner = executor._quietly(lambda: executor._quietly(np.geterr))
    assert set(inner.values()) == {"ignore"}
    assert executor._quietly(lambda: 1 + 1) == 2


def test_threads_run_quietly_at_once():
    graph, fetches = _graph()
    session = engine_for(graph)
    results, barrier = [], threading.Barrier(4)

    def run():
        barrier.wait()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(50):
                results.append(session.run({"x:0": np.zeros(3, np.float32)}, fetches, [])[1])
    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 200 and all(np.isnan(r).all() for r in results)
