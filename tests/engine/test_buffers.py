"""Buffer lifetimes: intermediates are freed after their last reader, and elementwise
kernels write into a dead input's buffer only where that cannot change any result."""
import tracemalloc

import numpy as np

import plano as tf
from engine_helpers import assert_identical, engine_for, run_both
from plano_server.engine import compile as compile_lib

N = 1 << 20  # 4 MiB of float32


def _plan(fetches, feeds, optimize=True):
    session = engine_for()
    session.optimize = optimize
    request = compile_lib.Request(tuple(t.name for t in feeds), tuple(t.name for t in fetches),
                                  ())
    return session, session.plan_for(request)


def _chain(x, length):
    y = x
    for i in range(length):
        y = tf.multiply(tf.add(y, x), 0.5, name=f"step{i}")
    return y


def test_each_intermediate_is_freed_by_its_last_reader():
    x = tf.placeholder(tf.float32, [4], name="x")
    a = tf.exp(x, name="a")
    b = tf.add(a, x, name="b")
    c = tf.multiply(b, a, name="c")
    _, plan = _plan([c], [x], optimize=False)
    by_name = {node.name: step for node, step in zip(plan.nodes, plan.steps)}
    slot_a, slot_b = by_name["a"].outs[0], by_name["b"].outs[0]
    assert by_name["b"].free == [] and sorted(by_name["c"].free) == sorted([slot_a, slot_b])


def _peak_bytes(fetches, feed_dict, optimize):
    session, _ = _plan(fetches, list(feed_dict), optimize)
    feeds = {t.name: v for t, v in feed_dict.items()}
    names = [t.name for t in fetches]
    session.run(feeds, names, [])
    tracemalloc.start()
    try:
        session.run(feeds, names, [])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_freeing_bounds_memory_and_reuse_removes_allocations():
    x = tf.placeholder(tf.float32, [N], name="x")
    y = _chain(x, 10)
    feed = {x: np.ones(N, np.float32)}
    plain = _peak_bytes([y], feed, optimize=False)
    optimized = _peak_bytes([y], feed, optimize=True)
    assert plain <= 3.5 * 4 * N  # 20 intermediates, never more than ~3 alive at once
    assert optimized <= 1.5 * 4 * N  # the output buffer, written in place all along


def test_chain_results_are_identical_with_reuse():
    x = tf.placeholder(tf.float32, [8], name="x")
    y = _chain(x, 5)
    value = np.linspace(-3, 3, 8).astype(np.float32)
    opt, plain = run_both([y], {x: value})
    assert_identical(opt, plain)


def test_no_reuse_of_a_buffer_someone_else_views():
    x = tf.placeholder(tf.float32, [6], name="x")
    t = tf.multiply(x, 2.0, name="t")
    r = tf.reshape(t, [2, 3], name="r")  # may be a view of t's buffer
    u = tf.add(t, 1.0, name="u")  # t's last elementwise reader
    v = tf.multiply(r, 3.0, name="v")
    value = np.arange(6, dtype=np.float32)
    opt, plain = run_both([u, v], {x: value})
    assert_identical(opt, plain)
    np.testing.assert_array_equal(opt[1], (value * 2 * 3).reshape(2, 3))
    _, plan = _plan([u, v], [x])
    assert {n.name: s.reuse for n, s in zip(plan.nodes, plan.steps)}["u"] is None


def test_no_reuse_of_fetched_fed_or_constant_buffers():
    x = tf.placeholder(tf.float32, [3], name="x")
    a = tf.exp(x, name="a")
    b = tf.add(a, 1.0, name="b")
    c = tf.add(x, tf.constant([1.0, 2.0, 3.0]), name="c")
    value = np.array([1.0, 2.0, 3.0], np.float32)
    opt, plain = run_both([a, b, c], {x: value})
    assert_identical(opt, plain)
    np.testing.assert_array_equal(value, [1.0, 2.0, 3.0])  # the fed array is untouched
    _, plan = _plan([a, b, c], [x])
    assert all(step.reuse is None for step in plan.steps)


def test_reuse_falls_back_when_the_other_operand_broadcasts_or_differs_in_dtype():
    x = tf.placeholder(tf.float32, [1, 3], name="x")
    w = tf.placeholder(tf.float32, [2, 1], name="w")
    a = tf.exp(x, name="a")
    b = tf.add(a, w, name="b")  # broadcasts to [2, 3]: cannot be written into a
    value_x = np.array([[0.0, 1.0, 2.0]], np.float32)
    value_w = np.array([[1.0], [2.0]], np.float32)
    opt, plain = run_both([b], {x: value_x, w: value_w})
    assert_identical(opt, plain)
    assert opt[0].shape == (2, 3)


def test_intermediates_of_ints_and_comparisons_keep_their_dtype():
    x = tf.placeholder(tf.int32, [4], name="x")
    a = tf.add(x, x, name="a")
    b = tf.less(a, 5, name="b")
    c = tf.multiply(a, 3, name="c")
    value = np.array([0, 1, 2, 3], np.int32)
    opt, plain = run_both([b, c], {x: value})
    assert_identical(opt, plain)
    assert opt[0].dtype == np.bool_ and opt[1].dtype == np.int32
