"""Conformance of the math ops against numpy: values, result dtypes and static shapes.

Every op is built raw (graph.create_op with TF's op name and attrs) over random
shapes, including broadcasting and empty dimensions, and random dtypes drawn
from the op's allowed list; the reference is a numpy expression with TF's
semantics (truncating integer Div, floor(x / y) for float FloorDiv, ...).
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from plano.ops import unary_ops

FLOATS = [np.float16, np.float32, np.float64]
SIGNED = [np.int8, np.int16, np.int32, np.int64]
UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
SETTINGS = settings(max_examples=15, deadline=None)
TOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-12}


def run_op(op_type, inputs, attrs=None, check_shape=True):
    """Builds one raw op on constant inputs, runs it; checks the static shape on the way."""
    g = tf.Graph()
    with g.as_default():
        tensors = [[tf.constant(v) for v in i] if isinstance(i, list) else tf.constant(i)
                   for i in inputs]
        out = g.create_op(op_type, tensors, dict(attrs or {})).outputs[0]
    with tf.Session(graph=g) as sess:
        value = np.asarray(sess.run(out))
    if check_shape:
        assert out.shape.is_fully_defined(), f"{op_type}: static shape {out.shape}"
        assert out.shape.as_list() == list(value.shape), (out.shape, value.shape)
    assert value.dtype == np.dtype(out.dtype.as_numpy_dtype)
    return value


def assert_matches(got, want, dtype=None):
    want = np.asarray(want)
    dtype = np.dtype(dtype or want.dtype)
    assert got.dtype == dtype, f"dtype {got.dtype}, expected {dtype}"
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    if dtype.kind == "f":
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   rtol=TOL[dtype], atol=TOL[dtype], equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def elements(dtype, lo=-20, hi=20, nonzero=False, **kw):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        lo, hi = (None if v is None else float(dtype.type(v)) for v in (lo, hi))
        strat = st.floats(lo, hi, width=8 * dtype.itemsize, **kw)
    elif dtype.kind == "b":
        strat = st.booleans()
    else:
        info = np.iinfo(dtype)
        strat = st.integers(max(int(lo), int(info.min)), min(int(hi), int(info.max)))
    return strat.map(lambda v: v or 1) if nonzero else strat


def arrays(dtype, shape, **kw):
    return hnp.arrays(dtype, shape, elements=elements(dtype, **kw), fill=st.nothing())


BROADCAST = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                               min_side=0, max_side=3)


def trunc_div(x, y):
    return (np.sign(x) * np.sign(y) * (np.abs(x.astype(np.int64)) //
                                       np.abs(y.astype(np.int64)))).astype(x.dtype)


# ---------------------------------------------------------------- binary elementwise

# op -> (dtypes, numpy reference, element options for x, element options for y)
BINARY = {
    "Add": (FLOATS + SIGNED + [np.uint8], np.add, {}, {}),
    "AddV2": (FLOATS + SIGNED + UNSIGNED, np.add, {}, {}),
    "Sub": (FLOATS + SIGNED + UNSIGNED, np.subtract, {}, {}),
    "Mul": (FLOATS + SIGNED + UNSIGNED, np.multiply, {}, {}),
    "Div": (FLOATS + SIGNED + UNSIGNED,
            lambda x, y: trunc_div(x, y) if x.dtype.kind in "iu" else x / y,
            {}, {"nonzero": True}),
    "RealDiv": (FLOATS, np.true_divide, {}, {"nonzero": True}),
    "FloorDiv": (FLOATS + SIGNED + UNSIGNED,
                 lambda x, y: x // y if x.dtype.kind in "iu" else np.floor(x / y),
                 {}, {"nonzero": True}),
    "FloorMod": (FLOATS + SIGNED + UNSIGNED, np.mod, {}, {"nonzero": True}),
    "Pow": ([np.float32, np.float64, np.int32, np.int64], np.power,
            {"lo": -4, "hi": 4}, {"lo": 0, "hi": 3}),
    "Maximum": (FLOATS + SIGNED + UNSIGNED, np.maximum, {}, {}),
    "Minimum": (FLOATS + SIGNED + UNSIGNED, np.minimum, {}, {}),
    "SquaredDifference": (FLOATS + [np.int32, np.int64], lambda x, y: (x - y) * (x - y),
                          {}, {}),
    "Less": (FLOATS + SIGNED + UNSIGNED, np.less, {}, {}),
    "LessEqual": (FLOATS + SIGNED + UNSIGNED, np.less_equal, {}, {}),
    "Greater": (FLOATS + SIGNED + UNSIGNED, np.greater, {}, {}),
    "GreaterEqual": (FLOATS + SIGNED + UNSIGNED, np.greater_equal, {}, {}),
    "Equal": (FLOATS + SIGNED + UNSIGNED + [np.bool_], np.equal, {"lo": -2, "hi": 2},
              {"lo": -2, "hi": 2}),
    "NotEqual": (FLOATS + SIGNED + UNSIGNED + [np.bool_], np.not_equal, {"lo": -2, "hi": 2},
                 {"lo": -2, "hi": 2}),
    "LogicalAnd": ([np.bool_], np.logical_and, {}, {}),
    "LogicalOr": ([np.bool_], np.logical_or, {}, {}),
}


@pytest.mark.parametrize("op_type", sorted(BINARY))
@SETTINGS
@given(data=st.data())
def test_binary_ops_match_numpy(op_type, data):
    types, reference, x_opts, y_opts = BINARY[op_type]
    dtype = data.draw(st.sampled_from(types), "dtype")
    (sx, sy), _ = data.draw(BROADCAST, "shapes")
    x = data.draw(arrays(dtype, sx, **x_opts), "x")
    y = data.draw(arrays(dtype, sy, **y_opts), "y")
    with np.errstate(all="ignore"):
        want = np.asarray(reference(x, y))
    assert_matches(run_op(op_type, [x, y]), want)


def test_add_concatenates_strings():
    got = run_op("Add", [np.array([b"ab", b"c"], object), np.array(b"!", object)])
    assert got.tolist() == [b"ab!", b"c!"]


def test_floor_div_and_floor_mod_follow_python_signs():
    x = np.array([7, -7, 7, -7], np.int32)
    y = np.array([2, 2, -2, -2], np.int32)
    np.testing.assert_array_equal(run_op("FloorDiv", [x, y]), [3, -4, -4, 3])
    np.testing.assert_array_equal(run_op("FloorMod", [x, y]), [1, 1, -1, -1])
    np.testing.assert_array_equal(run_op("Div", [x, y]), [3, -3, -3, 3])
    xf, yf = x.astype(np.float32), y.astype(np.float32)
    np.testing.assert_array_equal(run_op("FloorMod", [xf, yf]), [1, 1, -1, -1])
    # TF's float FloorDiv is floor(x / y): 1 // 0.1 is 10, not Python's 9.
    assert run_op("FloorDiv", [np.float64(1.0), np.float64(0.1)]) == 10.0


@pytest.mark.parametrize("op_type", ["Div", "FloorDiv", "FloorMod", "RealDiv"])
def test_integer_division_by_zero_is_invalid_argument(op_type):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run_op(op_type, [np.array([1, 2], np.int32), np.array([1, 0], np.int32)])


def test_integer_pow_rejects_negative_exponents():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Integers to negative integer powers are not allowed"):
        run_op("Pow", [np.array([2], np.int32), np.array([-1], np.int32)])


def test_broadcast_mismatch_is_a_build_time_value_error():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 2 and 3 for "
                       r"'Sub' \(op: 'Sub'\) with input shapes: \[2\], \[3\]"):
        run_op("Sub", [np.ones(2, np.float32), np.ones(3, np.float32)])


def test_equality_with_incompatible_shapes():
    x, y = np.ones(2, np.float32), np.ones(3, np.float32)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        run_op("Equal", [x, y])
    assert run_op("Equal", [x, y], {"incompatible_shape_error": False},
                  check_shape=False)[()] is np.False_
    assert run_op("NotEqual", [x, y], {"incompatible_shape_error": False},
                  check_shape=False)[()] is np.True_
    got = run_op("Equal", [np.array([b"a", b"b"], object), np.array(b"a", object)])
    np.testing.assert_array_equal(got, [True, False])


@SETTINGS
@given(n=st.integers(1, 4), dtype=st.sampled_from(FLOATS + SIGNED + UNSIGNED),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), data=st.data())
def test_add_n(n, dtype, shape, data):
    xs = [data.draw(arrays(dtype, shape, lo=0, hi=30)) for _ in range(n)]
    want = xs[0]
    for x in xs[1:]:
        want = want + x
    assert_matches(run_op("AddN", [xs]), want)


def test_add_n_shape_mismatch_is_a_build_time_value_error():
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 1 and 2"):
        run_op("AddN", [[np.ones(2, np.float32), np.ones((1, 2), np.float32)]])


# ---------------------------------------------------------------- unary elementwise

def _erf(x):
    return np.array([math.erf(v) for v in x.astype(np.float64).reshape(-1)],
                    np.float64).reshape(x.shape).astype(x.dtype)


def _sigmoid(x):
    return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


# op -> (dtypes, numpy reference, element options)
UNARY = {
    "Neg": (FLOATS + SIGNED, np.negative, {}),
    "Abs": (FLOATS + SIGNED, np.abs, {}),
    "Sign": (FLOATS + SIGNED, np.sign, {}),
    "Reciprocal": (FLOATS, lambda x: 1 / x, {"nonzero": True}),
    "Square": (FLOATS + SIGNED + UNSIGNED, np.square, {"lo": 0, "hi": 11}),
    "Sqrt": (FLOATS, np.sqrt, {"lo": 0}),
    "Rsqrt": (FLOATS, lambda x: 1 / np.sqrt(x), {"lo": 0.01}),
    "Exp": (FLOATS, np.exp, {"lo": -10, "hi": 10}),
    "Log": (FLOATS, np.log, {"lo": 0.01}),
    "Log1p": (FLOATS, np.log1p, {"lo": -0.99}),
    "Sin": (FLOATS, np.sin, {}),
    "Cos": (FLOATS, np.cos, {}),
    "Tanh": (FLOATS, np.tanh, {}),
    "Sigmoid": (FLOATS, _sigmoid, {"lo": -60, "hi": 60}),
    "Erf": (FLOATS, _erf, {"lo": -4, "hi": 4}),
    "Floor": (FLOATS, np.floor, {}),
    "Ceil": (FLOATS, np.ceil, {}),
    "Round": (FLOATS + SIGNED, np.round, {}),
    "IsFinite": (FLOATS, np.isfinite, {"allow_nan": True, "allow_infinity": True,
                                       "lo": None, "hi": None}),
    "LogicalNot": ([np.bool_], np.logical_not, {}),
}


@pytest.mark.parametrize("op_type", sorted(UNARY))
@SETTINGS
@given(data=st.data())
def test_unary_ops_match_numpy(op_type, data):
    types, reference, opts = UNARY[op_type]
    dtype = data.draw(st.sampled_from(types), "dtype")
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    x = data.draw(arrays(dtype, shape, **opts), "x")
    with np.errstate(all="ignore"):
        want = np.asarray(reference(x))
    assert_matches(run_op(op_type, [x]), want)


def test_round_is_half_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999], np.float32)
    np.testing.assert_array_equal(run_op("Round", [x]), [0, 2, 2, -0, -2, 2])


def test_sigmoid_saturates_without_overflow():
    got = run_op("Sigmoid", [np.array([-1000, 0, 1000], np.float32)])
    np.testing.assert_array_equal(got, [0, 0.5, 1])


def test_integer_reciprocal_by_zero_is_invalid_argument():
    assert run_op("Reciprocal", [np.array([1, -1, 2], np.int32)]).tolist() == [1, -1, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run_op("Reciprocal", [np.array([0], np.int32)])


# The gradient ops take (y, dy): the forward output and the incoming gradient.
GRAD_OPS = {
    "SigmoidGrad": lambda y, dy: dy * y * (1 - y),
    "TanhGrad": lambda y, dy: dy * (1 - y * y),
    "SqrtGrad": lambda y, dy: dy * 0.5 / y,
    "RsqrtGrad": lambda y, dy: dy * -0.5 * y ** 3,
    "ReciprocalGrad": lambda y, dy: -dy * y * y,
}


@pytest.mark.parametrize("op_type", sorted(GRAD_OPS))
@SETTINGS
@given(dtype=st.sampled_from(FLOATS), data=st.data(),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
def test_unary_gradient_ops(op_type, dtype, shape, data):
    y = data.draw(arrays(dtype, shape, lo=0.1, hi=2))
    dy = data.draw(arrays(dtype, shape, lo=-2, hi=2))
    want = GRAD_OPS[op_type](y.astype(np.float64), dy.astype(np.float64)).astype(dtype)
    assert_matches(run_op(op_type, [y, dy]), want)


# ---------------------------------------------------------------- casts

CAST_TYPES = FLOATS + SIGNED + UNSIGNED + [np.bool_]


@SETTINGS
@given(src=st.sampled_from(CAST_TYPES), dst=st.sampled_from(CAST_TYPES), data=st.data(),
       shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4))
def test_cast_between_numeric_types(src, dst, shape, data):
    x = data.draw(arrays(src, shape, lo=0, hi=100))
    got = run_op("Cast", [x], {"DstT": tf.as_dtype(dst)})
    assert_matches(got, x.astype(dst))


def test_cast_float_to_int_truncates_toward_zero_and_to_bool_tests_nonzero():
    x = np.array([-3.7, -0.5, 0.0, 2.9], np.float32)
    assert run_op("Cast", [x], {"DstT": tf.int32}).tolist() == [-3, 0, 0, 2]
    assert run_op("Cast", [x], {"DstT": tf.bool}).tolist() == [True, True, False, True]


def test_cast_truncate_rounds_toward_zero():
    x = np.array([1 / 3, -1 / 3, 2 / 3], np.float64)
    nearest = run_op("Cast", [x], {"DstT": tf.float32})
    truncated = run_op("Cast", [x], {"DstT": tf.float32, "Truncate": True})
    np.testing.assert_array_equal(nearest, x.astype(np.float32))
    assert np.all(np.abs(truncated.astype(np.float64)) <= np.abs(x))
    assert np.all(np.abs(truncated - x) < 1e-7)


def test_cast_of_strings_is_unimplemented():
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to float32"):
        run_op("Cast", [np.array([b"1"], object)], {"DstT": tf.float32})


# ---------------------------------------------------------------- matmul

MATMUL_TYPES = [np.float32, np.float64, np.int32, np.int64]


@SETTINGS
@given(m=st.integers(0, 4), k=st.integers(0, 4), n=st.integers(0, 4),
       ta=st.booleans(), tb=st.booleans(), dtype=st.sampled_from(MATMUL_TYPES),
       data=st.data())
def test_matmul(m, k, n, ta, tb, dtype, data):
    a = data.draw(arrays(dtype, (k, m) if ta else (m, k), lo=-5, hi=5))
    b = data.draw(arrays(dtype, (n, k) if tb else (k, n), lo=-5, hi=5))
    got = run_op("MatMul", [a, b], {"transpose_a": ta, "transpose_b": tb})
    assert_matches(got, (a.T if ta else a) @ (b.T if tb else b))


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                min_side=0, max_side=3),
       m=st.integers(0, 3), k=st.integers(0, 3), n=st.integers(0, 3),
       adj_x=st.booleans(), adj_y=st.booleans(), dtype=st.sampled_from(MATMUL_TYPES),
       data=st.data())
def test_batch_matmul_v2_broadcasts_batch_dims(shapes, m, k, n, adj_x, adj_y, dtype, data):
    (bx, by), _ = shapes
    x = data.draw(arrays(dtype, bx + ((k, m) if adj_x else (m, k)), lo=-5, hi=5))
    y = data.draw(arrays(dtype, by + ((n, k) if adj_y else (k, n)), lo=-5, hi=5))
    got = run_op("BatchMatMulV2", [x, y], {"adj_x": adj_x, "adj_y": adj_y})
    want = np.matmul(np.swapaxes(x, -1, -2) if adj_x else x,
                     np.swapaxes(y, -1, -2) if adj_y else y)
    assert_matches(got, want)


def test_matmul_shape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                       r"'MatMul' \(op: 'MatMul'\) with input shapes: \[2,3\], \[4,5\]"):
        run_op("MatMul", [np.ones((2, 3), np.float32), np.ones((4, 5), np.float32)])
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 3"):
        run_op("MatMul", [np.ones((1, 2, 3), np.float32), np.ones((3, 5), np.float32)])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        run_op("BatchMatMulV2", [np.ones((2, 1, 1), np.float32), np.ones((3, 1, 1), np.float32)])


# ---------------------------------------------------------------- select

@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       kind=st.sampled_from(["same", "scalar", "vector"]), dtype=st.sampled_from(FLOATS + SIGNED),
       data=st.data())
def test_select_tf1_semantics(shape, kind, dtype, data):
    if kind == "vector":
        assume(len(shape) >= 1)
        cond_shape = shape[:1]
    else:
        cond_shape = shape if kind == "same" else ()
    cond = data.draw(hnp.arrays(np.bool_, cond_shape))
    t = data.draw(arrays(dtype, shape))
    e = data.draw(arrays(dtype, shape))
    c = cond.reshape(cond.shape + (1,) * (len(shape) - cond.ndim))
    assert_matches(run_op("Select", [cond, t, e]), np.where(c, t, e))


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                min_side=0, max_side=3),
       dtype=st.sampled_from(FLOATS + SIGNED + [np.bool_]), data=st.data())
def test_select_v2_broadcasts(shapes, dtype, data):
    (sc, st_, se), _ = shapes
    cond = data.draw(hnp.arrays(np.bool_, sc))
    t = data.draw(arrays(dtype, st_))
    e = data.draw(arrays(dtype, se))
    assert_matches(run_op("SelectV2", [cond, t, e]), np.where(cond, t, e))


def test_select_rejects_mismatched_condition():
    with pytest.raises(ValueError, match="Select's condition"):
        run_op("Select", [np.ones((2, 2), bool), np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        run_op("Select", [np.ones(3, bool), np.ones((2, 3)), np.ones((2, 3))])


# ---------------------------------------------------------------- reductions

def _int_mean(x, axes, keep):
    total = np.sum(x, axis=axes, keepdims=keep, dtype=x.dtype)
    n = int(np.prod([x.shape[a] for a in axes]))
    return np.zeros_like(total) if n == 0 else trunc_div(total, np.asarray(n, x.dtype))


def _extreme(fn, identity):
    def reduce(x, axes, keep):
        if x.dtype.kind == "f":
            start = identity * np.inf
        else:
            start = np.iinfo(x.dtype).min if identity < 0 else np.iinfo(x.dtype).max
        return fn(x, axis=axes, keepdims=keep, initial=start)
    return reduce


# op -> (dtypes, numpy reference (x, axes tuple, keepdims))
REDUCTIONS = {
    "Sum": (FLOATS + SIGNED + UNSIGNED, lambda x, a, k: np.sum(x, a, x.dtype, keepdims=k)),
    "Prod": (FLOATS + SIGNED, lambda x, a, k: np.prod(x, a, x.dtype, keepdims=k)),
    "Mean": (FLOATS + SIGNED + UNSIGNED,
             lambda x, a, k: _int_mean(x, a, k) if x.dtype.kind in "iu" else
             np.asarray(np.mean(x.astype(np.float64), a, keepdims=k)).astype(x.dtype)),
    "Max": (FLOATS + SIGNED + UNSIGNED, _extreme(np.max, -1)),
    "Min": (FLOATS + SIGNED + UNSIGNED, _extreme(np.min, 1)),
    "All": ([np.bool_], lambda x, a, k: np.all(x, a, keepdims=k)),
    "Any": ([np.bool_], lambda x, a, k: np.any(x, a, keepdims=k)),
}


@pytest.mark.parametrize("op_type", sorted(REDUCTIONS))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
       keep=st.booleans(), idx_type=st.sampled_from([np.int32, np.int64]), data=st.data())
def test_reductions(op_type, shape, keep, idx_type, data):
    types, reference = REDUCTIONS[op_type]
    dtype = data.draw(st.sampled_from(types), "dtype")
    x = data.draw(arrays(dtype, shape, lo=-3, hi=3), "x")
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=len(shape))
                     if shape else st.just([]), "axes")
    indices = np.array(axes, idx_type)
    if len(axes) == 1 and data.draw(st.booleans(), "scalar axis"):
        indices = indices[0]
    normalized = tuple(sorted({a % len(shape) for a in axes}))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's "Mean of empty slice"
        want = np.asarray(reference(x, normalized, keep))
    assert_matches(run_op(op_type, [x, indices], {"keep_dims": keep}), want)


def test_integer_mean_uses_integer_division():
    x = np.array([[1, 2], [4, -7]], np.int32)
    np.testing.assert_array_equal(run_op("Mean", [x, np.int32(0)]), [2, -2])
    assert run_op("Mean", [x, np.array([0, 1], np.int32)]) == 0


def test_max_min_of_nothing_is_the_reduction_identity():
    x = np.zeros((0, 2), np.float32)
    np.testing.assert_array_equal(run_op("Max", [x, np.int32(0)]), [-np.inf, -np.inf])
    np.testing.assert_array_equal(run_op("Min", [x.astype(np.int8), np.int32(0)]), [127, 127])


def test_invalid_reduction_axis():
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 "
                       "dimensions"):
        run_op("Sum", [np.ones((2, 3)), np.int32(2)])
    g = tf.Graph()
    with g.as_default():
        axis = tf.placeholder(tf.int32)
        total = tf.reduce_sum(np.ones((2, 3)), axis)
        assert total.shape.rank is None
    with tf.Session(graph=g) as sess, pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"Invalid reduction dimension \(-3 for input with 2 dimension\(s\)"):
        sess.run(total, {axis: -3})


def test_reduction_static_shapes():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    assert tf.reduce_sum(x, [0, -1]).shape.as_list() == [3]
    assert tf.reduce_mean(x, 1, keepdims=True).shape.as_list() == [None, 1, 4]
    assert tf.reduce_max(x).shape.as_list() == []
    assert tf.reduce_min(x, tf.placeholder(tf.int32), keepdims=True).shape.as_list() == \
        [None, None, None]
    assert tf.reduce_prod(tf.placeholder(tf.float32), 0).shape.rank is None


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       dtype=st.sampled_from(FLOATS + SIGNED + UNSIGNED + [np.bool_]),
       out=st.sampled_from([np.int32, np.int64]), data=st.data())
def test_argmax_argmin(shape, dtype, out, data):
    x = data.draw(arrays(dtype, shape, lo=-3, hi=3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    for op_type, fn in (("ArgMax", np.argmax), ("ArgMin", np.argmin)):
        got = run_op(op_type, [x, np.int32(axis)], {"output_type": tf.as_dtype(out)})
        assert_matches(got, fn(x, axis=axis).astype(out))


def test_argmax_errors():
    with pytest.raises(ValueError, match=r"Dimension \(2\) must be in the range \[-2, 2\)"):
        run_op("ArgMax", [np.ones((2, 3)), np.int32(2)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Reduction axis 0 is empty"):
        run_op("ArgMin", [np.ones((0, 3)), np.int32(0)])


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
       dtype=st.sampled_from(FLOATS + SIGNED + UNSIGNED), exclusive=st.booleans(),
       reverse=st.booleans(), data=st.data())
def test_cumsum(shape, dtype, exclusive, reverse, data):
    x = data.draw(arrays(dtype, shape, lo=0, hi=5))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    y = np.flip(x, axis) if reverse else x
    want = np.cumsum(y, axis=axis, dtype=dtype)
    if exclusive:
        want = (want - y).astype(dtype)
    want = np.flip(want, axis) if reverse else want
    got = run_op("Cumsum", [x, np.int32(axis)], {"exclusive": exclusive, "reverse": reverse})
    assert_matches(got, want)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
       dtype=st.sampled_from(FLOATS + SIGNED + UNSIGNED), scalar_bounds=st.booleans(),
       data=st.data())
def test_clip_by_value(shape, dtype, scalar_bounds, data):
    x = data.draw(arrays(dtype, shape, lo=0, hi=20))
    bound_shape = () if scalar_bounds else shape
    lo = data.draw(arrays(dtype, bound_shape, lo=0, hi=10))
    hi = data.draw(arrays(dtype, bound_shape, lo=10, hi=20))
    assert_matches(run_op("ClipByValue", [x, lo, hi]), np.minimum(np.maximum(x, lo), hi))


def test_clip_by_value_rejects_bounds_of_another_shape():
    with pytest.raises(ValueError, match="clip_value_min must be a scalar or have the shape"):
        run_op("ClipByValue", [np.ones(3), np.zeros(2), np.float64(1)])


# ---------------------------------------------------------------- range

@SETTINGS
@given(start=st.integers(-20, 20), limit=st.integers(-20, 20),
       delta=st.integers(-5, 5).filter(bool), dtype=st.sampled_from([np.int32, np.int64]))
def test_range_integers(start, limit, delta, dtype):
    assume((limit - start) * delta >= 0)
    args = [np.asarray(v, dtype) for v in (start, limit, delta)]
    assert_matches(run_op("Range", args), np.arange(start, limit, delta, dtype=dtype))


@SETTINGS
@given(start=st.floats(-10, 10), size=st.floats(0, 10), delta=st.floats(0.25, 3),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_range_floats(start, size, delta, dtype):
    args = [np.asarray(v, dtype) for v in (start, start + size, delta)]
    want = np.arange(*args, dtype=dtype)
    got = run_op("Range", args)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_range_errors_and_static_shape():
    assert tf.range(10, 0, -3).shape.as_list() == [4]
    assert tf.range(tf.placeholder(tf.int32, [])).shape.as_list() == [None]
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf.range(0, 3, 0)
    g = tf.Graph()
    with g.as_default():
        d = tf.placeholder(tf.int32, [])
        r = tf.range(0, 3, d)
    with tf.Session(graph=g) as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                    match="Requires delta != 0"):
        sess.run(r, {d: 0})


def test_range_too_large_is_resource_exhausted():
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int64, [])
        r = tf.range(n)
    with tf.Session(graph=g) as sess, pytest.raises(tf.errors.ResourceExhaustedError):
        sess.run(r, {n: 10**15})


# ---------------------------------------------------------------- operators and helpers

def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


OPERATORS = {
    "+": (lambda a, b: a + b, np.add),
    "-": (lambda a, b: a - b, np.subtract),
    "*": (lambda a, b: a * b, np.multiply),
    "/": (lambda a, b: a / b, np.true_divide),
    "//": (lambda a, b: a // b, np.floor_divide),
    "%": (lambda a, b: a % b, np.mod),
    "**": (lambda a, b: a ** b, np.power),
    "<": (lambda a, b: a < b, np.less),
    "<=": (lambda a, b: a <= b, np.less_equal),
    ">": (lambda a, b: a > b, np.greater),
    ">=": (lambda a, b: a >= b, np.greater_equal),
}


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@SETTINGS
@given(dtype=st.sampled_from([np.float32, np.float64, np.int32, np.int64]),
       shapes=BROADCAST, python_operand=st.sampled_from([None, "left", "right"]),
       data=st.data())
def test_tensor_operators_match_numpy(symbol, dtype, shapes, python_operand, data):
    apply, reference = OPERATORS[symbol]
    (sx, sy), _ = shapes
    positive = symbol in ("**", "//", "%", "/")
    x = data.draw(arrays(dtype, sx, lo=1 if symbol == "**" else -9, hi=4 if symbol == "**"
                         else 9))
    y = data.draw(arrays(dtype, sy, lo=0 if symbol == "**" else 1, hi=3 if symbol == "**"
                         else 9, nonzero=positive and symbol != "**"))
    if python_operand == "left":
        x = x.reshape(-1)[0].item() if x.size else 2
        sx = ()
    elif python_operand == "right":
        y = y.reshape(-1)[0].item() if y.size else 2
    tx = x if python_operand == "left" else tf.constant(x)
    ty = y if python_operand == "right" else tf.constant(y)
    out = apply(tx, ty)
    want = np.asarray(reference(np.asarray(x, dtype), np.asarray(y, dtype)))
    if symbol == "/" and np.dtype(dtype).kind == "i":
        want = want.astype(np.float64)
    got = np.asarray(run(out))
    assert out.shape.as_list() == list(got.shape)
    assert_matches(got, want, want.dtype)


@SETTINGS
@given(dtype=st.sampled_from([np.float32, np.float64, np.int32, np.int64]),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), data=st.data())
def test_unary_operators_and_matmul_operator(dtype, shape, data):
    x = data.draw(arrays(dtype, shape, lo=-9, hi=9))
    t = tf.constant(x)
    got_neg, got_abs = run([-t, abs(t)])
    assert_matches(np.asarray(got_neg), -x)
    assert_matches(np.asarray(got_abs), np.abs(x))
    a = data.draw(arrays(dtype, (2, 3, 4), lo=-5, hi=5))
    b = data.draw(arrays(dtype, (4, 2), lo=-5, hi=5))
    assert_matches(np.asarray(run(tf.constant(a[0]) @ b)), a[0] @ b)
    assert_matches(np.asarray(run(a @ tf.constant(b))), a @ b)


def test_operator_dtype_mismatch_is_a_type_error_naming_op_and_dtypes():
    x, y = tf.constant([1.0]), tf.constant([1])
    with pytest.raises(TypeError, match=r"'AddV2' Op .*int32.*float32"):
        x + y
    with pytest.raises(TypeError, match=r"'RealDiv'.*float32 != int32"):
        x / y
    with pytest.raises(TypeError, match=r"'MatMul' Op .*int32.*float32"):
        tf.constant([[1.0]]) @ tf.constant([[1]])


def test_operator_matmul_shape_mismatch_is_a_value_error_naming_op_and_shapes():
    with pytest.raises(ValueError, match=r"'MatMul' \(op: 'MatMul'\) with input shapes: "
                       r"\[2,3\], \[4,5\]"):
        tf.constant(np.ones((2, 3))) @ tf.constant(np.ones((4, 5)))


def test_truediv_casts_integers_as_tf():
    assert (tf.constant([3], tf.int32) / 2).dtype == tf.float64
    assert (tf.constant([3], tf.int8) / 2).dtype == tf.float32
    assert (tf.constant([3], tf.uint16) / 2).dtype == tf.float32
    assert tf.divide(tf.constant(3), 2).dtype == tf.float64
    assert run(tf.truediv(7, tf.constant(2))) == 3.5


def test_tf1_div_floors_integers_and_divides_floats():
    assert run(tf.div(tf.constant(-7), 2)) == -4
    assert run(tf.div(tf.constant(-7.0), 2.0)) == -3.5
    assert run(tf.realdiv(tf.constant(-7.0), 2.0)) == -3.5
    assert run(tf.floor_div(tf.constant(7), -2)) == -4
    assert run(tf.mod(tf.constant(7), -2)) == -1


def test_helpers_build_the_expected_ops():
    x = tf.placeholder(tf.float32, [2, 3])
    cases = {
        "AddV2": tf.add(x, 1.0), "Sub": tf.subtract(x, 1.0), "Mul": tf.multiply(x, 2.0),
        "Pow": tf.pow(x, 2.0), "Maximum": tf.maximum(x, 0.0), "Minimum": tf.minimum(x, 0.0),
        "SquaredDifference": tf.squared_difference(x, 1.0), "Neg": tf.negative(x),
        "Abs": tf.abs(x), "Sign": tf.sign(x), "Reciprocal": tf.reciprocal(x),
        "Square": tf.square(x), "Sqrt": tf.sqrt(x), "Rsqrt": tf.rsqrt(x), "Exp": tf.exp(x),
        "Log": tf.log(x), "Log1p": tf.log1p(x), "Sin": tf.sin(x), "Cos": tf.cos(x),
        "Tanh": tf.tanh(x), "Sigmoid": tf.sigmoid(x), "Erf": tf.erf(x), "Floor": tf.floor(x),
        "Ceil": tf.ceil(x), "Round": tf.round(x), "Cast": tf.to_int32(x),
        "Equal": tf.equal(x, 1.0), "NotEqual": tf.not_equal(x, 1.0), "Less": tf.less(x, 1.0),
        "LessEqual": tf.less_equal(x, 1.0), "Greater": tf.greater(x, 1.0),
        "GreaterEqual": tf.greater_equal(x, 1.0), "Sum": tf.reduce_sum(x),
        "Mean": tf.reduce_mean(x), "Max": tf.reduce_max(x), "Min": tf.reduce_min(x),
        "Prod": tf.reduce_prod(x), "All": tf.reduce_all(x > 0), "Any": tf.reduce_any(x > 0),
        "ArgMax": tf.argmax(x), "ArgMin": tf.argmin(x, 1), "Cumsum": tf.cumsum(x, 1),
        "AddN": tf.add_n([x, x]), "Select": tf.where(x > 0, x, -x),
        "SelectV2": tf.where_v2(x > 0, x, 0.0), "IsFinite": tf.is_finite(x),
        "LogicalAnd": tf.logical_and(x > 0, x < 1), "LogicalOr": tf.logical_or(x > 0, x < 1),
        "LogicalNot": tf.logical_not(x > 0), "MatMul": tf.matmul(x, x, transpose_b=True),
        "BatchMatMulV2": tf.matmul(tf.placeholder(tf.float32, [4, 2, 3]), x, adjoint_b=True),
        "SigmoidGrad": unary_ops.sigmoid_grad(x, x), "TanhGrad": unary_ops.tanh_grad(x, x),
    }
    for op_type, t in cases.items():
        assert t.op.type == op_type, (op_type, t.op.type)
    assert tf.round(tf.constant(3)).op.type == "Const"  # integers are returned as they are
    assert cases["BatchMatMulV2"].shape.as_list() == [4, 2, 2]
    assert cases["ArgMax"].shape.as_list() == [3] and cases["ArgMax"].dtype == tf.int64
    assert tf.argmax(x, output_type=tf.int32).dtype == tf.int32


def test_matmul_helper_checks_flags():
    x = tf.placeholder(tf.float32, [2, 2])
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a can be True"):
        tf.matmul(x, x, transpose_a=True, adjoint_a=True)
    unknown = tf.placeholder(tf.float32)
    assert tf.matmul(unknown, x).op.type == "BatchMatMulV2"


def test_reduction_helper_argument_aliases():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(run(tf.reduce_sum(x, reduction_indices=[1])), [3, 12])
    assert run(tf.reduce_sum(x, 1, keep_dims=True)).shape == (2, 1)
    assert run(tf.reduce_mean(x, axis=[], keepdims=True)).shape == (2, 3)
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Cannot specify both 'keepdims' and 'keep_dims'"):
        tf.reduce_sum(x, keepdims=True, keep_dims=True)


def test_where_needs_x_and_y():
    with pytest.raises(ValueError, match=r"where\(condition\) without x and y"):
        tf.where(tf.constant([True]))
    got = run(tf.where([True, False], tf.constant([1, 2]), [3, 4]))
    np.testing.assert_array_equal(got, [1, 4])


def test_composite_helpers():
    b = np.array([True, False, True, False])
    c = np.array([True, True, False, False])
    np.testing.assert_array_equal(run(tf.logical_xor(b, c)), b ^ c)
    x = np.array([[0, 1, 2], [0, 0, 3]], np.int32)
    assert run(tf.count_nonzero(x)) == 3
    np.testing.assert_array_equal(run(tf.count_nonzero(x, axis=1, dtype=tf.int32)), [2, 1])
    assert tf.count_nonzero(x).dtype == tf.int64
    np.testing.assert_array_equal(run(tf.scalar_mul(2.0, tf.constant([1.0, 2.0]))), [2, 4])
    with pytest.raises(ValueError, match="Only scalar multiply works"):
        tf.scalar_mul(tf.constant([2.0]), tf.constant([1.0]))
    np.testing.assert_array_equal(run(tf.clip_by_value(tf.constant([-1.0, 0.5, 3.0]), 0.0,
                                                       1.0)), [0, 0.5, 1])
    assert tf.add_n([tf.constant(1.0)]).op.type == "Const"
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.add_n([])
    assert tf.to_float(tf.constant(1)).dtype == tf.float32
    assert tf.to_double(tf.constant(1)).dtype == tf.float64
    assert tf.to_int64(tf.constant(1.5)).dtype == tf.int64
    same = tf.constant(1.0)
    assert tf.cast(same, tf.float32) is same


def test_range_helper_infers_dtype_like_tf():
    assert tf.range(3).dtype == tf.int32
    assert tf.range(0, 3, 0.5).dtype == tf.float32
    assert tf.range(tf.constant(1, tf.int64), 5).dtype == tf.int64
    assert tf.range(3, dtype=tf.float64).dtype == tf.float64
    np.testing.assert_array_equal(run(tf.range(1, 8, 3)), [1, 4, 7])
    np.testing.assert_allclose(run(tf.range(0, 1, 0.25)), [0, 0.25, 0.5, 0.75])


def test_reduce_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-np.inf, 0.0]], np.float64)
    got = run(tf.reduce_logsumexp(x, axis=1))
    np.testing.assert_allclose(got, [1000 + np.log(2), 0.0])
    got = run(tf.reduce_logsumexp(x[1:], keepdims=True))
    np.testing.assert_allclose(got, [[0.0]])


def test_math_namespace_reexports_the_helpers():
    import plano.math

    assert tf.math is plano.math
    for name in plano.math.__all__:
        assert getattr(tf.math, name) is getattr(tf, name), name
    assert run(tf.math.reduce_sum(tf.math.square([1.0, 2.0]))) == 5.0


def test_static_shape_inference_with_unknown_dims():
    a = tf.placeholder(tf.float32, [None, 1, 3])
    b = tf.placeholder(tf.float32, [4, 1])
    assert (a + b).shape.as_list() == [None, 4, 3]
    assert (a * tf.placeholder(tf.float32)).shape.rank is None
    m = tf.placeholder(tf.float32, [None, 5])
    assert tf.matmul(m, tf.placeholder(tf.float32, [None, 5]), transpose_b=True).shape.as_list() \
        == [None, None]
    assert tf.matmul(m, m, transpose_a=True).shape.as_list() == [5, 5]
    batch = tf.matmul(tf.placeholder(tf.float32, [2, 1, 3, 4]),
                      tf.placeholder(tf.float32, [5, 2, 4]), adjoint_b=True)
    assert batch.shape.as_list() == [2, 5, 3, 2]
    assert tf.argmax(tf.placeholder(tf.float32, [2, None, 4]), -1).shape.as_list() == [2, None]
    assert tf.argmax(tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.int32, [])) \
        .shape.as_list() == [None]
    assert tf.where(tf.placeholder(tf.bool, [None]), m, m).shape.as_list() == [None, 5]
    assert tf.where_v2(tf.placeholder(tf.bool, [3, 1, 1]), b, 0.0).shape.as_list() == [3, 4, 1]
    assert tf.add_n([m, tf.placeholder(tf.float32, [7, None])]).shape.as_list() == [7, 5]
    assert tf.cumsum(a, 2).shape.as_list() == [None, 1, 3]
    assert tf.cast(a, tf.int32).shape.as_list() == [None, 1, 3]
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.argmax(m, [0])
    with pytest.raises(ValueError, match=r"Shape must be at least rank 2 but is rank 1"):
        tf.matmul(tf.placeholder(tf.float32, [2, 2, 2]), [1.0, 2.0])


def test_cast_and_range_values_are_known_while_building():
    from plano.ops.shape_util import constant_value

    np.testing.assert_array_equal(constant_value(tf.cast(tf.constant([1.7, -2.2]), tf.int32)),
                                  [1, -2])
    np.testing.assert_array_equal(constant_value(tf.range(2, 11, 4)), [2, 6, 10])
    assert constant_value(tf.range(tf.placeholder(tf.int32, []))) is None
