"""Conformance of the array ops against numpy: values, result dtypes and static shapes.

Each op is built raw (graph.create_op with TF's op name and attrs) on constant
inputs over hypothesis-drawn shapes (empty dimensions included) and dtypes;
the reference is a numpy expression with TF's semantics. Runtime checks are
exercised through placeholders of unknown shape, so the kernel (not the shape
rule) has to catch them.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from plano import errors

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.uint16, np.uint32, np.uint64, np.bool_]
SETTINGS = settings(max_examples=15, deadline=None)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
dtypes_ = st.sampled_from(DTYPES)


@st.composite
def arrays(draw, shape=shapes, dtype=dtypes_, min_dims=0):
    shape = draw(shape) if not isinstance(shape, tuple) else shape
    assume(len(shape) >= min_dims)
    return draw(hnp.arrays(draw(dtype) if not isinstance(dtype, type) else dtype, shape))


def run_op(op_type, inputs, attrs=None, strict=True):
    """Builds one raw op on constant inputs in a fresh graph; returns every output's value.

    Checks each value's dtype and that the static shape fits it (is it, if `strict`).
    """
    g = tf.Graph()
    with g.as_default():
        tensors = [[tf.constant(v) for v in i] if isinstance(i, list) else tf.constant(i)
                   for i in inputs]
        op = g.create_op(op_type, tensors, dict(attrs or {}))
    with tf.Session(graph=g) as sess:
        values = [np.asarray(v) for v in sess.run(op.outputs)]
    for t, v in zip(op.outputs, values):
        assert v.dtype == np.dtype(t.dtype.as_numpy_dtype), (op_type, v.dtype, t.dtype)
        if strict:
            assert t.shape.as_list() == list(v.shape), (op_type, t.shape, v.shape)
        assert t.shape.is_compatible_with(v.shape), (op_type, t.shape, v.shape)
    return values


def run_fed(build, *arrays_):
    """Runs `build(*placeholders)` with placeholders of unknown shape fed `arrays_`."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(np.asarray(a).dtype), None) for a in arrays_]
        out = build(*phs)
    with tf.Session(graph=g) as sess:
        return sess.run(out, dict(zip(phs, arrays_)))


def same(got, want):
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- Identity-like, placeholders

@SETTINGS
@given(arrays(), st.sampled_from(["Identity", "StopGradient", "PreventGradient", "ZerosLike",
                                  "OnesLike"]))
def test_identity_like(x, op_type):
    want = {"ZerosLike": np.zeros_like(x), "OnesLike": np.ones_like(x)}.get(op_type, x)
    same(run_op(op_type, [x])[0], want)


def test_placeholder_and_default():
    x = tf.placeholder(tf.float32, [None, 2])
    d = tf.placeholder_with_default(np.ones((1, 2), np.float32), [None, 2])
    assert x.op.type == "Placeholder" and d.op.type == "PlaceholderWithDefault"
    with tf.Session() as sess:
        same(sess.run(d), np.ones((1, 2), np.float32))
        same(sess.run(d, {d: np.zeros((3, 2), np.float32)}), np.zeros((3, 2), np.float32))
        with pytest.raises(errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'Placeholder' "
                                 "with dtype float32"):
            sess.run(x)


def test_strings_pass_through_identity_and_zeros_like():
    x = np.array([[b"a", b"bc"]], dtype=object)
    assert run_op("Identity", [x])[0].tolist() == [[b"a", b"bc"]]
    assert run_op("ZerosLike", [x])[0].tolist() == [[b"", b""]]


# ---------------------------------------------------------------- Shape, Size, Rank

@SETTINGS
@given(arrays(), st.sampled_from([np.int32, np.int64]))
def test_shape_size_rank(x, out_type):
    attrs = {"out_type": tf.as_dtype(out_type)}
    same(run_op("Shape", [x], attrs)[0], np.array(x.shape, out_type))
    same(run_op("Size", [x], attrs)[0], np.array(x.size, out_type))
    same(run_op("Rank", [x])[0], np.array(x.ndim, np.int32))


def test_shape_helpers_fold_known_shapes_and_run_unknown_ones():
    x = tf.placeholder(tf.float32, [2, None])
    assert tf.shape(tf.zeros([2, 3])).op.type == "Const"
    assert tf.shape(x).op.type == "Shape" and tf.shape(x).shape.as_list() == [2]
    assert tf.rank(x).op.type == "Const"
    with tf.Session() as sess:
        v = np.zeros((2, 5), np.float32)
        same(sess.run(tf.shape(x, out_type=tf.int64), {x: v}), np.array([2, 5], np.int64))
        same(sess.run(tf.size(x), {x: v}), np.array(10, np.int32))


# ---------------------------------------------------------------- Reshape

@SETTINGS
@given(arrays(), st.data())
def test_reshape(x, data):
    dims = list(x.shape[::-1])
    if dims and min(dims) > 0 and data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    shape = np.array(dims, data.draw(st.sampled_from([np.int32, np.int64])))
    same(run_op("Reshape", [x, shape])[0], x.reshape(dims))


def test_reshape_infers_static_shapes():
    assert tf.reshape(tf.zeros([2, 8]), [-1, 4]).shape.as_list() == [4, 4]
    x = tf.placeholder(tf.float32, [None, 6])
    assert tf.reshape(x, [-1, 3, 2]).shape.as_list() == [None, 3, 2]
    assert tf.reshape(x, [3, -1]).shape.as_list() == [3, None]
    y = tf.placeholder(tf.float32, [None, 3, 4])
    assert tf.reshape(x, tf.shape(x)).shape.as_list() == [None, 6]
    assert tf.reshape(y, [-1, tf.shape(y)[1], 4]).shape.as_list() == [None, 3, 4]
    assert tf.reshape(y, [tf.shape(y)[0], -1]).shape.as_list() == [None, None]  # as TF


def test_reshape_empty_with_inferred_dim_follows_tf():
    same(run_op("Reshape", [np.zeros((0, 6), np.float32), np.array([-1, 0], np.int32)],
                strict=False)[0], np.zeros((6, 0), np.float32))


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[4\] \(4 elements\) for 'Reshape' \(op: 'Reshape'\)"):
        tf.reshape(tf.zeros([2, 3]), [4])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Input to reshape is a tensor with 6 values, but the requested "
                             r"shape has 4"):
        run_fed(lambda x: tf.reshape(x, [4]), np.zeros((2, 3)))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Input to reshape is a tensor with 7 values, but the requested "
                             r"shape requires a multiple of 2"):
        run_fed(lambda x: tf.reshape(x, [-1, 2]), np.zeros(7))
    with pytest.raises(errors.InvalidArgumentError,
                       match="Only one input size may be -1, not both 0 and 1"):
        run_fed(lambda x, s: tf.reshape(x, s), np.zeros(4), np.array([-1, -1], np.int32))


# ---------------------------------------------------------------- Fill, BroadcastTo, BGA

@SETTINGS
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0), dtypes_,
       st.sampled_from([np.int32, np.int64]))
def test_fill(shape, dtype, index_type):
    value = np.array(3, dtype)
    same(run_op("Fill", [np.array(shape, index_type), value])[0], np.full(shape, value))


def test_fill_checks_allocation_and_arguments():
    with pytest.raises(errors.ResourceExhaustedError, match=r"\[1000000000000\]"):
        run_fed(lambda d, v: tf.fill(d, v), np.array([10**12], np.int64), np.float32(1))
    with pytest.raises(errors.InvalidArgumentError, match=r"negative dimension -2"):
        run_fed(lambda d, v: tf.fill(d, v), np.array([-2], np.int32), np.float32(1))
    with pytest.raises(ValueError, match="Fill dimensions must be >= 0"):
        tf.fill([-1], 1.0)
    with pytest.raises(errors.InvalidArgumentError, match=r"value must be a scalar"):
        run_fed(lambda d, v: tf.fill(d, v), np.array([2], np.int32), np.ones(2, np.float32))


def test_zeros_and_ones_helpers():
    with tf.Session() as sess:
        same(sess.run(tf.zeros([2, 3], tf.int64)), np.zeros((2, 3), np.int64))
        same(sess.run(tf.ones(2000, tf.float32)), np.ones(2000, np.float32))
        x = tf.placeholder(tf.float32, [None])
        same(sess.run(tf.ones_like(x), {x: np.zeros(3, np.float32)}), np.ones(3, np.float32))
        same(sess.run(tf.zeros_like(x, dtype=tf.int32), {x: np.ones(2, np.float32)}),
             np.zeros(2, np.int32))
    assert tf.zeros(2000).op.type == "Fill"


@st.composite
def broadcastable_pair(draw):
    out = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3))
    def sub():
        k = draw(st.integers(0, len(out)))
        return [1 if draw(st.booleans()) else d for d in out[len(out) - k:]]
    return sub(), sub(), list(out)


@SETTINGS
@given(broadcastable_pair(), st.sampled_from([np.int32, np.int64]))
def test_broadcast_gradient_args(pair, dtype):
    s0, s1, _ = pair
    n = max(len(s0), len(s1))
    e0, e1 = [1] * (n - len(s0)) + s0, [1] * (n - len(s1)) + s1
    out = [b if a == 1 else a for a, b in zip(e0, e1)]
    r0 = [] if s0 == s1 else [k for k in range(n) if e0[k] == 1 and out[k] != 1]
    r1 = [] if s0 == s1 else [k for k in range(n) if e1[k] == 1 and out[k] != 1]
    got = run_op("BroadcastGradientArgs", [np.array(s0, dtype), np.array(s1, dtype)],
                 strict=False)
    same(got[0], np.array(r0, dtype))
    same(got[1], np.array(r1, dtype))


def test_broadcast_gradient_args_tf_examples_and_errors():
    got = run_op("BroadcastGradientArgs", [np.array([2, 3, 5], np.int32),
                                           np.array([1], np.int32)], strict=False)
    assert [g.tolist() for g in got] == [[], [0, 1, 2]]
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. "
                                                          r"\[4\]"):
        run_op("BroadcastGradientArgs", [np.array([2, 3], np.int32), np.array([4], np.int32)],
               strict=False)


@SETTINGS
@given(broadcastable_pair(), dtypes_)
def test_broadcast_to(pair, dtype):
    s0, _, out = pair
    x = np.arange(int(np.prod(s0)), dtype=np.int64).astype(dtype).reshape(s0)
    same(run_op("BroadcastTo", [x, np.array(out, np.int32)])[0], np.broadcast_to(x, out))


def test_broadcast_to_errors():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.broadcast_to(tf.zeros([3]), [2, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs. "
                                                          r"\[2,2\]"):
        run_fed(lambda x, s: tf.broadcast_to(x, s), np.zeros(3), np.array([2, 2], np.int32))


# ---------------------------------------------------------------- Pack, Unpack, ConcatV2

@SETTINGS
@given(arrays(), st.integers(1, 3), st.data())
def test_pack(x, n, data):
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    values = [x + np.asarray(i).astype(x.dtype) if x.dtype != np.bool_ else x for i in range(n)]
    same(run_op("Pack", [values], {"axis": axis})[0], np.stack(values, axis))


@SETTINGS
@given(arrays(min_dims=1), st.data())
def test_unpack(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    got = run_op("Unpack", [x], {"num": x.shape[axis], "axis": axis})
    assert len(got) == x.shape[axis]
    for i, g in enumerate(got):
        same(g, np.take(x, i, axis))


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3), dtypes_,
       st.lists(st.integers(0, 3), min_size=2, max_size=4), st.data())
def test_concat(shape, dtype, sizes, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    values = []
    for n in sizes:
        s = list(shape)
        s[axis] = n
        values.append(data.draw(hnp.arrays(dtype, s)))
    axis_t = np.array(axis, data.draw(st.sampled_from([np.int32, np.int64])))
    same(run_op("ConcatV2", [values, axis_t])[0], np.concatenate(values, axis))


def test_stack_unstack_concat_helpers():
    x = tf.placeholder(tf.float32, [None, 2])
    assert tf.stack([1, 2]).op.type == "Const"
    assert tf.stack([x, x], axis=-1).shape.as_list() == [None, 2, 2]
    assert tf.concat([x], 0).op.type == "Identity"
    assert tf.concat([x, tf.zeros([3, 2])], 0).shape.as_list() == [None, 2]
    parts = tf.unstack(tf.zeros([3, 2]), axis=1)
    assert len(parts) == 2 and parts[0].shape.as_list() == [3]
    with pytest.raises(ValueError, match=r"Cannot infer argument `num` from shape \(\?, 2\)"):
        tf.unstack(x)


def test_join_errors():
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 2 "
                                         r"and 3. Shapes are \[2\] and \[3\]. for 'concat'"):
        tf.concat([tf.zeros([1, 2]), tf.zeros([1, 3])], 0)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"ConcatOp : Dimension 1 in both shapes must be equal: shape\[0\] = "
                             r"\[1,2\] vs. shape\[1\] = \[1,3\]"):
        run_fed(lambda a, b: tf.concat([a, b], 0), np.zeros((1, 2)), np.zeros((1, 3)))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Shapes of all inputs must match: values\[0\].shape = \[2\] != "
                             r"values\[1\].shape = \[3\]"):
        run_fed(lambda a, b: tf.stack([a, b]), np.zeros(2), np.zeros(3))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Input shape axis 0 must equal 2, got shape \[3\]"):
        run_fed(lambda a: tf.unstack(a, num=2), np.zeros(3))
    with pytest.raises(ValueError, match=r"Invalid axis: 2; must be in \[-2,2\)"):
        tf.get_default_graph().create_op("Pack", [[tf.zeros([2]), tf.zeros([2])]], {"axis": 2})


# ---------------------------------------------------------------- Split, SplitV

@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3), dtypes_,
       st.integers(1, 3), st.data())
def test_split(shape, dtype, num, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape = list(shape)
    shape[axis] *= num
    x = data.draw(hnp.arrays(dtype, shape))
    got = run_op("Split", [np.array(axis, np.int32), x], {"num_split": num})
    for g, w in zip(got, np.split(x, num, axis)):
        same(g, w)


@SETTINGS
@given(arrays(min_dims=1, shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0,
                                                  max_side=5)), st.data())
def test_split_v(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = list(np.diff([0] + cuts + [n]))
    if data.draw(st.booleans()):
        sizes[data.draw(st.integers(0, len(sizes) - 1))] = -1
    tlen = data.draw(st.sampled_from([np.int8, np.int32, np.int64]))
    got = run_op("SplitV", [x, np.array(sizes, tlen), np.array(axis, np.int32)],
                 {"num_split": len(sizes)})
    for g, w in zip(got, np.split(x, np.cumsum(np.diff([0] + cuts + [n]))[:-1], axis)):
        same(g, w)


def test_split_helper_and_errors():
    a, b = tf.split(tf.zeros([4, 6]), [2, -1], axis=1)
    assert a.shape.as_list() == [4, 2] and b.shape.as_list() == [4, 4]
    assert [t.shape.as_list() for t in tf.split(tf.zeros([4, 6]), 3, 1)] == [[4, 2]] * 3
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 4 but is "
                                         "6"):
        tf.split(tf.zeros([6]), 4)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Number of ways to split should evenly divide the split "
                             r"dimension, but got split_dim 0 \(size = 5\) and num_split 2"):
        run_fed(lambda x: tf.split(x, 2), np.zeros(5))
    with pytest.raises(errors.InvalidArgumentError, match=r"Determined shape must either match "
                                                          r"input shape along split_dim"):
        run_fed(lambda x: tf.split(x, [2, 2]), np.zeros(5))


# ---------------------------------------------------------------- Slice, StridedSlice(Grad)

@SETTINGS
@given(arrays(), st.data())
def test_slice(x, data):
    begin, size, index = [], [], []
    for d in x.shape:
        b = data.draw(st.integers(0, d))
        s = data.draw(st.integers(-1, d - b))
        begin.append(b)
        size.append(s)
        index.append(slice(b, d if s == -1 else b + s))
    idx = data.draw(st.sampled_from([np.int32, np.int64]))
    same(run_op("Slice", [x, np.array(begin, idx), np.array(size, idx)])[0], x[tuple(index)])


def test_slice_errors():
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Expected size\[0\] in \[0, 2\], but got 3"):
        run_fed(lambda x: tf.slice(x, [1], [3]), np.zeros(3))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Expected begin and size arguments to be 1-D tensors of size 2"):
        run_fed(lambda x: tf.slice(x, [1], [1]), np.zeros((3, 3)))


@st.composite
def strided_case(draw):
    x = draw(arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5)))
    begin, end, strides, key = [], [], [], []
    bmask = emask = shrink = 0
    for i, d in enumerate(x.shape):
        b, e = draw(st.integers(-d - 2, d + 2)), draw(st.integers(-d - 2, d + 2))
        s = draw(st.sampled_from([1, 2, 3, -1, -2]))
        if d and draw(st.integers(0, 3)) == 0:
            b, e, s = draw(st.integers(-d, d - 1)), 0, 1
            shrink |= 1 << i
            key.append(b)
        else:
            mb, me = draw(st.booleans()), draw(st.booleans())
            bmask |= mb << i
            emask |= me << i
            key.append(slice(None if mb else b, None if me else e, s))
        begin.append(b), end.append(e), strides.append(s)
    attrs = {"begin_mask": bmask, "end_mask": emask, "shrink_axis_mask": shrink}
    return x, [np.array(v, np.int32) for v in (begin, end, strides)], attrs, tuple(key)


@SETTINGS
@given(strided_case())
def test_strided_slice(case):
    x, bounds, attrs, key = case
    same(run_op("StridedSlice", [x] + bounds, attrs)[0], x[key])


@SETTINGS
@given(strided_case())
def test_strided_slice_grad(case):
    x, bounds, attrs, key = case
    dy = np.asarray(np.arange(np.asarray(x[key]).size).reshape(np.shape(x[key])), np.float64)
    want = np.zeros(x.shape)
    want[key] = dy
    got = run_op("StridedSliceGrad", [np.array(x.shape, np.int32)] + bounds + [dy], attrs)
    same(got[0], want)


# ---------------------------------------------------------------- Transpose, InvertPermutation

@SETTINGS
@given(arrays(), st.data())
def test_transpose(x, data):
    perm = data.draw(st.permutations(range(x.ndim)))
    tperm = data.draw(st.sampled_from([np.int32, np.int64]))
    same(run_op("Transpose", [x, np.array(perm, tperm)])[0], np.transpose(x, perm))
    inv = run_op("InvertPermutation", [np.array(perm, tperm)])[0]
    same(inv, np.argsort(np.array(perm, tperm)).astype(tperm))


def test_transpose_helper_and_errors():
    x = tf.placeholder(tf.float32, [2, None, 4])
    t = tf.transpose(x)
    assert t.shape.as_list() == [4, None, 2] and t.op.name == "transpose"
    with pytest.raises(errors.InvalidArgumentError, match=r"1 is missing from \{0,0\}"):
        run_fed(lambda a, p: tf.transpose(a, p), np.zeros((2, 2)), np.array([0, 0], np.int32))
    with pytest.raises(errors.InvalidArgumentError, match=r"transpose expects a vector of size "
                                                          r"2. But input\(1\) is a vector of "
                                                          r"size 1"):
        run_fed(lambda a, p: tf.transpose(a, p), np.zeros((2, 2)), np.array([0], np.int32))


# ---------------------------------------------------------------- ExpandDims, Squeeze

@SETTINGS
@given(arrays(), st.data())
def test_expand_dims(x, data):
    dim = data.draw(st.integers(-x.ndim - 1, x.ndim))
    same(run_op("ExpandDims", [x, np.array(dim, np.int32)])[0], np.expand_dims(x, dim))


@SETTINGS
@given(arrays(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=2)),
       st.data())
def test_squeeze(x, data):
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    dims = data.draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
    dims = [d - x.ndim if data.draw(st.booleans()) else d for d in dims]
    want = np.squeeze(x, tuple(dims)) if dims else np.squeeze(x)
    same(run_op("Squeeze", [x], {"squeeze_dims": dims})[0], want)


def test_squeeze_and_expand_dims_errors():
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, "
                                         r"got 3"):
        tf.squeeze(tf.zeros([1, 3]), axis=1)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Can not squeeze dim\[0\], expected a dimension of 1, got 2"):
        run_fed(lambda x: tf.squeeze(x, [0]), np.zeros((2, 1)))
    with pytest.raises(errors.InvalidArgumentError,
                       match="Tried to expand dim index 3 for tensor with 1 dimensions."):
        run_fed(lambda x: tf.expand_dims(x, 3), np.zeros(2))
    with pytest.raises(ValueError, match="Must specify an axis argument to tf.expand_dims"):
        tf.expand_dims(tf.zeros([2]))


# ---------------------------------------------------------------- Tile, Pad, ReverseV2

@SETTINGS
@given(arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)),
       st.data())
def test_tile(x, data):
    reps = data.draw(st.lists(st.integers(0, 3), min_size=x.ndim, max_size=x.ndim))
    same(run_op("Tile", [x, np.array(reps, np.int32)])[0], np.tile(x, reps) if reps else x)


@SETTINGS
@given(arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)),
       st.data())
def test_pad_and_pad_v2(x, data):
    p = np.array(data.draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                    min_size=x.ndim, max_size=x.ndim)), np.int64).reshape(-1, 2)
    c = np.array(1, x.dtype)
    same(run_op("Pad", [x, p])[0], np.pad(x, p) if x.ndim else x)
    same(run_op("PadV2", [x, p, c])[0], np.pad(x, p, constant_values=c) if x.ndim else x)


@SETTINGS
@given(arrays(dtype=st.sampled_from(DTYPES)), st.data())
def test_reverse(x, data):
    axes = data.draw(st.lists(st.integers(0, max(x.ndim - 1, 0)), unique=True)) if x.ndim \
        else []
    axes = [a - x.ndim if data.draw(st.booleans()) else a for a in axes]
    same(run_op("ReverseV2", [x, np.array(axes, np.int32)])[0],
         np.flip(x, tuple(axes)) if axes else x)


def test_tile_pad_reverse_errors():
    with pytest.raises(errors.ResourceExhaustedError, match="over this server's limit"):
        run_fed(lambda x, m: tf.tile(x, m), np.zeros(10, np.float32),
                np.array([10**11], np.int64))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Expected multiples\[0\] >= 0, but got -1"):
        run_fed(lambda x, m: tf.tile(x, m), np.zeros(2), np.array([-1], np.int32))
    with pytest.raises(errors.InvalidArgumentError, match=r"Paddings must be non-negative: -1 0"):
        run_fed(lambda x, p: tf.pad(x, p), np.zeros(2), np.array([[-1, 0]], np.int32))
    with pytest.raises(errors.InvalidArgumentError, match="axis 0 specified more than once."):
        run_fed(lambda x, a: tf.reverse(x, a), np.zeros(2), np.array([0, -1], np.int32))
    with pytest.raises(ValueError, match="Unknown padding mode: WRAP"):
        tf.pad(tf.zeros([2]), [[1, 1]], mode="WRAP")


# ---------------------------------------------------------------- GatherV2, UnsortedSegmentSum

@SETTINGS
@given(arrays(min_dims=1), st.data())
def test_gather(params, data):
    batch_dims = data.draw(st.integers(0, min(1, params.ndim - 1)))
    axis = data.draw(st.integers(batch_dims, params.ndim - 1))
    n = params.shape[axis]
    assume(n > 0)
    ind_shape = list(params.shape[:batch_dims]) + data.draw(
        st.lists(st.integers(0, 3), max_size=2))
    indices = data.draw(hnp.arrays(data.draw(st.sampled_from([np.int32, np.int64, np.int16])),
                                   ind_shape, elements=st.integers(0, n - 1)))
    got = run_op("GatherV2", [params, indices, np.array(axis, np.int32)],
                 {"batch_dims": batch_dims})[0]
    if batch_dims == 0:
        want = np.take(params, indices, axis)
    else:
        parts = [np.take(params[b], indices[b], axis - 1) for b in range(params.shape[0])]
        want = np.stack(parts) if parts else np.zeros(got.shape, params.dtype)
    same(got, want)


def test_gather_out_of_range_names_index_and_range():
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"indices\[1,0\] = 7 is not in \[0, 3\)"):
        run_fed(lambda p, i: tf.gather(p, i), np.zeros((3, 2)),
                np.array([[0], [7]], np.int32))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Expected axis in the range \[-2, 2\), but got 2"):
        run_fed(lambda p, i, a: tf.gather(p, i, axis=a), np.zeros((3, 2)),
                np.array([0], np.int32), np.array(2, np.int32))


@SETTINGS
@given(arrays(min_dims=1, dtype=st.sampled_from([np.float32, np.float64, np.int32, np.int64])),
       st.integers(0, 4), st.data())
def test_unsorted_segment_sum(data_arr, num, data):
    ids = data.draw(hnp.arrays(np.int32, data_arr.shape[:1], elements=st.integers(-1, num - 1)
                               if num else st.just(-1)))
    want = np.zeros((num,) + data_arr.shape[1:], data_arr.dtype)
    np.add.at(want, ids[ids >= 0], data_arr[ids >= 0])
    same(run_op("UnsortedSegmentSum", [data_arr, ids, np.array(num, np.int32)])[0], want)


def test_unsorted_segment_sum_out_of_range():
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"segment_ids\[1\] = 5 is out of range \[0, 2\)"):
        run_fed(lambda d, i: tf.unsorted_segment_sum(d, i, 2), np.ones(2),
                np.array([0, 5], np.int32))


# ---------------------------------------------------------------- OneHot

@SETTINGS
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), st.integers(0, 4),
       st.sampled_from([np.int32, np.int64, np.uint8, np.int8]),
       st.sampled_from([np.float32, np.int64, np.bool_]), st.data())
def test_one_hot(shape, depth, ti, dtype, data):
    indices = data.draw(hnp.arrays(ti, shape, elements=st.integers(-1 if ti in (np.int32,
                                                                                np.int64,
                                                                                np.int8)
                                                                   else 0, 5)))
    axis = data.draw(st.integers(-1, len(shape)))
    on, off = np.array(1, dtype), np.array(0, dtype)
    want = (np.expand_dims(indices, -1) == np.arange(depth)).astype(dtype)
    want = np.moveaxis(want, -1, len(shape) if axis == -1 else axis)
    got = run_op("OneHot", [indices, np.array(depth, np.int32), on, off], {"axis": axis})[0]
    same(got, want)


def test_one_hot_helper_and_limits():
    t = tf.one_hot([0, 2], 3, on_value=5, off_value=-1)
    assert t.dtype == tf.int32 and t.op.name == "one_hot"
    with tf.Session() as sess:
        same(sess.run(t), np.array([[5, -1, -1], [-1, -1, 5]], np.int32))
        same(sess.run(tf.one_hot([1], 2, axis=0)), np.array([[0.0], [1.0]], np.float32))
    with pytest.raises(TypeError, match="dtype float32 of on_value does not match dtype "
                                        "int64 of off_value"):
        tf.one_hot([0], 2, on_value=1.5, off_value=np.int64(0))
    with pytest.raises(errors.ResourceExhaustedError, match="over this server's limit"):
        run_fed(lambda i, d: tf.one_hot(i, d), np.zeros(10**4, np.int64),
                np.array(10**9, np.int32))
