"""Arithmetic no-ops: removed only where the result is bit for bit the input."""
import numpy as np

import plano as tf
from engine_helpers import assert_identical, ops_of, run_both, subgraph_for
from plano_server.engine.passes.arith import remove_arithmetic_noops


def _remaining(y, feeds):
    sub, _ = subgraph_for([y], feeds=feeds)
    return [op for op in ops_of(remove_arithmetic_noops(sub)) if op != "Const"]


def test_multiply_by_one_divide_by_one_subtract_zero_are_removed():
    x = tf.placeholder(tf.float32, None, name="x")
    y = tf.subtract(tf.truediv(tf.multiply(1.0, tf.multiply(x, 1.0)), 1.0), 0.0)
    assert _remaining(y, [x]) == []
    value = np.array([-0.0, 1.5, np.inf, np.nan], np.float32)
    opt, plain = run_both([y], {x: value})
    assert_identical(opt, plain)


def test_float_plus_zero_is_kept_but_plus_negative_zero_is_removed():
    x = tf.placeholder(tf.float32, None, name="x")
    assert _remaining(tf.add(x, 0.0), [x]) == ["AddV2"]
    y = tf.add(tf.constant(np.float32(-0.0)), x)
    assert _remaining(y, [x]) == []
    value = np.array([-0.0, 0.0, 2.0], np.float32)
    opt, plain = run_both([tf.add(x, 0.0), y], {x: value})
    assert_identical(opt, plain)


def test_integer_plus_zero_is_removed():
    x = tf.placeholder(tf.int32, None, name="x")
    assert _remaining(tf.add(x, 0), [x]) == []


def test_a_constant_that_would_broadcast_x_keeps_the_node():
    x = tf.placeholder(tf.float32, None, name="x")
    y = tf.multiply(x, np.ones((2, 2), np.float32))
    assert _remaining(y, [x]) == ["Mul"]
    opt, plain = run_both([y], {x: np.float32(3)})
    assert_identical(opt, plain)
    assert opt[0].shape == (2, 2)


def test_a_constant_within_a_known_placeholder_shape_is_removed():
    x = tf.placeholder(tf.float32, [3, 2], name="x")
    assert _remaining(tf.multiply(x, np.ones(2, np.float32)), [x]) == []
    assert _remaining(tf.multiply(x, np.ones((2, 3, 2), np.float32)), [x]) == ["Mul"]


def test_a_fed_constant_is_not_trusted():
    x = tf.placeholder(tf.float32, [2], name="x")
    one = tf.constant(np.float32(1.0), name="one")
    y = tf.multiply(x, one, name="y")
    feed = {x: np.array([1.0, 2.0], np.float32), one: np.float32(5.0)}
    opt, plain = run_both([y], feed)
    assert_identical(opt, plain)
    np.testing.assert_array_equal(opt[0], [5.0, 10.0])
