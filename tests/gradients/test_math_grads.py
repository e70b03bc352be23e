"""Gradients of the math ops against central finite differences in float64.

Shapes are random (with broadcasting and empty dimensions); each check runs
once with static shapes and once with unknown shapes, so both the build-time
and the run-time (Shape + BroadcastGradientArgs + Sum + Reshape) reductions
of broadcast gradients are exercised. Inputs are kept away from kinks (|x| at
0, ties of max/min, floor boundaries) where finite differences mean nothing.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from plano.ops import math_ops
from tests.gradients.gradcheck import check_gradients

SETTINGS = settings(max_examples=8, deadline=None)
BROADCAST = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                               min_side=0, max_side=3)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


def values(shape, lo=-2.0, hi=2.0, away_from_zero=0.0):
    elements = st.floats(lo, hi).filter(lambda v: abs(v) >= away_from_zero)
    return hnp.arrays(np.float64, shape, elements=elements)


def raw(op_type, **attrs):
    def build(*inputs):
        return tf.get_default_graph().create_op(op_type, list(inputs), attrs).outputs[0]
    return build


def check_both(build_fn, arrays, **kw):
    check_gradients(build_fn, arrays, **kw)
    check_gradients(build_fn, arrays, dynamic_shapes=True, **kw)


# op -> (builder, x options, y options)
BINARY = {
    "AddV2": (tf.add, {}, {}),
    "Add": (raw("Add"), {}, {}),
    "Sub": (tf.subtract, {}, {}),
    "Mul": (tf.multiply, {}, {}),
    "RealDiv": (tf.realdiv, {}, {"away_from_zero": 0.5}),
    "Div": (raw("Div"), {}, {"away_from_zero": 0.5}),
    "Pow": (tf.pow, {"lo": 0.5, "hi": 2.0}, {}),
    "SquaredDifference": (tf.squared_difference, {}, {}),
}


@pytest.mark.parametrize("op_type", sorted(BINARY))
@SETTINGS
@given(shapes=BROADCAST, data=st.data())
def test_broadcasting_binary_op_gradients(op_type, shapes, data):
    build, x_opts, y_opts = BINARY[op_type]
    (sx, sy), _ = shapes
    x = data.draw(values(sx, **x_opts))
    y = data.draw(values(sy, **y_opts))
    check_both(build, [x, y])


@pytest.mark.parametrize("op_type", ["Maximum", "Minimum"])
@SETTINGS
@given(shapes=BROADCAST, data=st.data())
def test_maximum_minimum_gradients(op_type, shapes, data):
    (sx, sy), _ = shapes
    x = data.draw(values(sx))
    y = data.draw(values(sy))
    assume(np.all(np.abs(x - y) > 1e-2))
    check_both(tf.maximum if op_type == "Maximum" else tf.minimum, [x, y])


@SETTINGS
@given(shapes=BROADCAST, data=st.data())
def test_floor_mod_gradient(shapes, data):
    (sx, sy), _ = shapes
    y = data.draw(values(sy, 1.5, 2.5))
    quotient = data.draw(hnp.arrays(np.int64, np.broadcast_shapes(sx, sy),
                                    elements=st.integers(-3, 3)))
    frac = data.draw(values(np.broadcast_shapes(sx, sy), 0.2, 0.8))
    x = (quotient + frac) * y  # x / y stays away from the integers, where FloorMod jumps
    check_both(raw("FloorMod"), [x, np.broadcast_to(y, x.shape).copy()])


@SETTINGS
@given(n=st.integers(1, 3), shape=SHAPES, data=st.data())
def test_add_n_gradient(n, shape, data):
    xs = [data.draw(values(shape)) for _ in range(n)]
    check_both(lambda *ts: raw("AddN")(list(ts)), xs)


# op -> (builder, element options)
UNARY = {
    "Neg": (tf.negative, {}),
    "Abs": (tf.abs, {"away_from_zero": 0.1}),
    "Sign": (tf.sign, {"away_from_zero": 0.1}),
    "Reciprocal": (tf.reciprocal, {"away_from_zero": 0.5}),
    "Square": (tf.square, {}),
    "Sqrt": (tf.sqrt, {"lo": 0.2}),
    "Rsqrt": (tf.rsqrt, {"lo": 0.2}),
    "Exp": (tf.exp, {}),
    "Log": (tf.log, {"lo": 0.2}),
    "Log1p": (tf.log1p, {"lo": -0.8}),
    "Sin": (tf.sin, {}),
    "Cos": (tf.cos, {}),
    "Tanh": (tf.tanh, {}),
    "Sigmoid": (tf.sigmoid, {}),
    "Erf": (tf.erf, {}),
}


@pytest.mark.parametrize("op_type", sorted(UNARY))
@SETTINGS
@given(shape=SHAPES, data=st.data())
def test_unary_op_gradients(op_type, shape, data):
    build, opts = UNARY[op_type]
    check_both(build, [data.draw(values(shape, **opts))])


@pytest.mark.parametrize("op_type", ["SigmoidGrad", "TanhGrad", "SqrtGrad", "RsqrtGrad",
                                     "ReciprocalGrad"])
@SETTINGS
@given(shape=SHAPES, data=st.data())
def test_second_order_gradient_ops(op_type, shape, data):
    y = data.draw(values(shape, 0.3, 1.5))
    dy = data.draw(values(shape))
    check_both(raw(op_type), [y, dy])


def test_second_derivative_of_sigmoid_and_tanh_through_gradients():
    x = tf.placeholder(tf.float64, [3])
    value = np.array([-1.0, 0.2, 2.0])
    for fn, second in ((tf.sigmoid, lambda s: s * (1 - s) * (1 - 2 * s)),
                       (tf.tanh, lambda t: -2 * t * (1 - t * t))):
        (g,) = tf.gradients(fn(x), [x])
        (gg,) = tf.gradients(g, [x])
        with tf.Session() as sess:
            y, got = sess.run([fn(x), gg], {x: value})
        np.testing.assert_allclose(got, second(y), rtol=1e-12)


def test_cast_gradient_casts_back_and_stops_at_integers():
    x = tf.placeholder(tf.float32, [2])
    w = np.array([2.0, -3.0])
    (g,) = tf.gradients(tf.reduce_sum(tf.cast(x, tf.float64) * w), [x])
    assert g.dtype == tf.float32
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: [1, 2]}), [2, -3])
    assert tf.gradients(tf.cast(tf.cast(x, tf.int32), tf.float32), [x]) == [None]


@SETTINGS
@given(m=st.integers(0, 3), k=st.integers(0, 3), n=st.integers(1, 3), ta=st.booleans(),
       tb=st.booleans(), data=st.data())
def test_matmul_gradient(m, k, n, ta, tb, data):
    a = data.draw(values((k, m) if ta else (m, k)))
    b = data.draw(values((n, k) if tb else (k, n)))
    check_both(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])


def test_matmul_gradient_ops_carry_grad_flags():
    a = tf.placeholder(tf.float32, [2, 3])
    b = tf.placeholder(tf.float32, [3, 4])
    ga, gb = tf.gradients(tf.matmul(a, b), [a, b])
    assert ga.op.get_attr("grad_a") and not ga.op.get_attr("grad_b")
    assert gb.op.get_attr("grad_b") and ga.shape.as_list() == [2, 3]


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                min_side=1, max_side=3),
       m=st.integers(1, 2), k=st.integers(1, 2), n=st.integers(1, 2), adj_x=st.booleans(),
       adj_y=st.booleans(), data=st.data())
def test_batch_matmul_gradient_reduces_broadcast_batch_dims(shapes, m, k, n, adj_x, adj_y,
                                                              data):
    (bx, by), _ = shapes
    x = data.draw(values(bx + ((k, m) if adj_x else (m, k))))
    y = data.draw(values(by + ((n, k) if adj_y else (k, n))))
    build = raw("BatchMatMulV2", adj_x=adj_x, adj_y=adj_y)
    check_both(build, [x, y])


@SETTINGS
@given(shape=SHAPES, vector_cond=st.booleans(), data=st.data())
def test_select_gradient(shape, vector_cond, data):
    assume(not vector_cond or len(shape) >= 1)
    cond = data.draw(hnp.arrays(np.bool_, shape[:1] if vector_cond else shape))
    t, e = data.draw(values(shape)), data.draw(values(shape))
    check_both(lambda a, b: tf.where(cond, a, b), [t, e])


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                min_side=0, max_side=3), data=st.data())
def test_select_v2_gradient_reduces_broadcasts(shapes, data):
    (sc, st_, se), _ = shapes
    cond = data.draw(hnp.arrays(np.bool_, sc))
    t, e = data.draw(values(st_)), data.draw(values(se))
    check_both(lambda a, b: tf.where_v2(cond, a, b), [t, e])


@SETTINGS
@given(shape=SHAPES, scalar_bounds=st.booleans(), data=st.data())
def test_clip_by_value_gradient(shape, scalar_bounds, data):
    bounds = () if scalar_bounds else shape
    lo = data.draw(values(bounds, -1.0, -0.5))
    hi = data.draw(values(bounds, 0.5, 1.0))
    t = data.draw(values(shape).filter(lambda v: True))
    assume(np.all(np.abs(t - lo) > 1e-2) and np.all(np.abs(t - hi) > 1e-2))
    check_both(raw("ClipByValue"), [t, lo, hi])
    check_both(lambda a, b, c: tf.clip_by_value(a, b, c), [t, lo, hi])


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3),
       exclusive=st.booleans(), reverse=st.booleans(), data=st.data())
def test_cumsum_gradient(shape, exclusive, reverse, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_both(lambda x: tf.cumsum(x, axis, exclusive=exclusive, reverse=reverse),
               [data.draw(values(shape))])


def _axes(data, shape):
    if not shape:
        return []
    return data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=len(shape)))


@pytest.mark.parametrize("fn", [tf.reduce_sum, tf.reduce_mean, tf.reduce_prod],
                         ids=["Sum", "Mean", "Prod"])
@SETTINGS
@given(shape=SHAPES, keep=st.booleans(), data=st.data())
def test_sum_mean_prod_gradients(fn, shape, keep, data):
    axes = _axes(data, shape)
    x = data.draw(values(shape, 0.5, 1.5))
    check_both(lambda t: fn(t, axes, keepdims=keep), [x])
    check_gradients(lambda t: fn(t, None, keepdims=keep), [x], dynamic_shapes=True)


def test_reduction_gradient_with_axes_known_only_at_run_time():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    for axis in (0, [1], [-1, 0]):
        for fn in (tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_prod):
            check_gradients(fn, [x, np.array(axis, np.int32)])


@pytest.mark.parametrize("fn", [tf.reduce_max, tf.reduce_min], ids=["Max", "Min"])
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), keep=st.booleans(),
       data=st.data())
def test_max_min_gradients(fn, shape, keep, data):
    axes = _axes(data, shape)
    n = int(np.prod(shape))
    x = data.draw(st.permutations(list(range(n)))).__iter__()
    x = np.array(list(x), np.float64).reshape(shape) * 0.5  # distinct: no ties
    check_both(lambda t: fn(t, axes, keepdims=keep), [x])


def test_max_gradient_splits_evenly_among_ties():
    x = tf.placeholder(tf.float64, [4])
    (g,) = tf.gradients(tf.reduce_max(x), [x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: [1, 3, 3, 0]}), [0, 0.5, 0.5, 0])


def test_prod_gradient_with_zeros():
    x = tf.placeholder(tf.float64, [2, 3])
    (g,) = tf.gradients(tf.reduce_prod(x, 1), [x])
    value = np.array([[2.0, 0.0, 3.0], [0.0, 4.0, 0.0]])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: value}), [[0, 6, 0], [0, 0, 0]])


def test_composites_differentiate():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    check_both(lambda t: tf.reduce_logsumexp(t, axis=1), [x])
    check_both(lambda t: tf.reduce_logsumexp(t, keepdims=True), [x])
    check_both(lambda t: tf.reduce_sum(tf.matmul(t, t, transpose_b=True)) / 3.0 - t ** 2.0,
               [x])
    check_both(lambda a, b: math_ops.truediv(a, b) * (a - b) + (-a), [x, x[:1] + 3.0])


def test_non_differentiable_ops_give_none_or_zeros():
    x = tf.placeholder(tf.float64, [3])
    for y in (tf.floor(x), tf.ceil(x), tf.round(x), tf.cast(tf.argmax(x), tf.float64),
              tf.cast(tf.less(x, 1.0), tf.float64), tf.floordiv(x, 2.0),
              tf.cast(tf.equal(x, x), tf.float64)):
        assert tf.gradients(y, [x]) == [None], y.op.type
    (g,) = tf.gradients(tf.sign(x), [x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: [1, -2, 3]}), [0, 0, 0])
