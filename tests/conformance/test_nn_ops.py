"""Conformance of the NN ops against numpy: values, result dtypes, static shapes and errors.

Raw ops are built with TF's op names and attrs over random shapes and dtypes;
the references are direct numpy (loop) definitions with TF's semantics:
SAME padding splits the extra row/column after, AvgPool divides by the real
(unpadded) inputs in the window, MaxPoolGrad and TopKV2 break ties by lower
index, an out-of-range sparse label is an InvalidArgumentError.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from plano import errors

SETTINGS = settings(max_examples=20, deadline=None)
FLOATS = [np.float16, np.float32, np.float64]
REALS = FLOATS + [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16]
TOL = {np.dtype(np.float16): 3e-3, np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}
SELU_SCALE, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772


def run_op(op_type, inputs, attrs=None, check_shape=True):
    """Builds one raw op on constant inputs and runs it; checks static shapes and dtypes."""
    g = tf.Graph()
    with g.as_default():
        op = g.create_op(op_type, [tf.constant(v) for v in inputs], dict(attrs or {}))
    with tf.Session(graph=g) as sess:
        values = [np.asarray(v) for v in sess.run(op.outputs)]
    for out, value in zip(op.outputs, values):
        assert value.dtype == np.dtype(out.dtype.as_numpy_dtype), (op_type, value.dtype)
        if check_shape:
            assert out.shape.is_fully_defined(), f"{op_type}: static shape {out.shape}"
            assert out.shape.as_list() == list(value.shape), (out.shape, value.shape)
    return values if len(values) > 1 else values[0]


def assert_close(got, want, dtype):
    dtype = np.dtype(dtype)
    assert got.dtype == dtype, f"dtype {got.dtype}, expected {dtype}"
    assert got.shape == np.shape(want), f"shape {got.shape}, expected {np.shape(want)}"
    if dtype.kind == "f":
        np.testing.assert_allclose(got.astype(np.float64), np.asarray(want, np.float64),
                                   rtol=TOL[dtype], atol=TOL[dtype])
    else:
        np.testing.assert_array_equal(got, want)


def values_of(dtype, shape, lo=-8, hi=8):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        elements = st.floats(lo, hi, width=8 * dtype.itemsize)
    else:
        info = np.iinfo(dtype)
        elements = st.integers(max(lo, int(info.min)), min(hi, int(info.max)))
    return hnp.arrays(dtype, shape, elements=elements)


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


# ---------------------------------------------------------------- activations

ACTIVATIONS = {
    "Relu": (REALS, lambda x: np.maximum(x, 0)),
    "Relu6": (REALS, lambda x: np.minimum(np.maximum(x, 0), 6)),
    "Elu": (FLOATS, lambda x: np.where(x < 0, np.exp(x) - 1, x)),
    "Selu": (FLOATS, lambda x: np.where(x < 0, SELU_SCALE * SELU_ALPHA * (np.exp(x) - 1),
                                        SELU_SCALE * x)),
    "Softplus": (FLOATS, lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)),
}


@pytest.mark.parametrize("op_type", sorted(ACTIVATIONS))
@SETTINGS
@given(data=st.data())
def test_activations(op_type, data):
    dtypes, ref = ACTIVATIONS[op_type]
    dtype = data.draw(st.sampled_from(dtypes))
    x = data.draw(values_of(dtype, data.draw(SHAPES)))
    want = ref(x.astype(np.float64)) if x.dtype.kind == "f" else ref(x)
    assert_close(run_op(op_type, [x]), np.asarray(want).astype(dtype), dtype)


@SETTINGS
@given(data=st.data())
def test_leaky_relu(data):
    dtype = data.draw(st.sampled_from(FLOATS))
    alpha = data.draw(st.sampled_from([0.2, 0.01, 1.5, -0.3]))
    x = data.draw(values_of(dtype, data.draw(SHAPES)))
    alpha_t = np.asarray(np.float32(alpha), dtype)  # a float attr travels as float32 (as TF)
    want = np.where(x > 0, x, x * alpha_t)
    assert_close(run_op("LeakyRelu", [x], {"alpha": alpha}), want, dtype)


GRADS = {
    "ReluGrad": (REALS, lambda g, x: np.where(x > 0, g, 0)),
    "Relu6Grad": (REALS, lambda g, x: np.where((x > 0) & (x < 6), g, 0)),
    "EluGrad": (FLOATS, lambda g, y: np.where(y < 0, g * (y + 1), g)),
    "SeluGrad": (FLOATS, lambda g, y: np.where(y < 0, g * (y + SELU_SCALE * SELU_ALPHA),
                                               g * SELU_SCALE)),
    "SoftplusGrad": (FLOATS, lambda g, x: g / (1 + np.exp(-x))),
}


@pytest.mark.parametrize("op_type", sorted(GRADS))
@SETTINGS
@given(data=st.data())
def test_activation_grads(op_type, data):
    dtypes, ref = GRADS[op_type]
    dtype = data.draw(st.sampled_from(dtypes))
    shape = data.draw(SHAPES)
    g, x = data.draw(values_of(dtype, shape)), data.draw(values_of(dtype, shape))
    want = ref(g.astype(np.float64), x.astype(np.float64)) if g.dtype.kind == "f" else ref(g, x)
    assert_close(run_op(op_type, [g, x]), np.asarray(want).astype(dtype), dtype)


def test_leaky_relu_grad():
    g = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    x = np.array([-1.0, 0.0, 0.5, 2.0], np.float32)
    got = run_op("LeakyReluGrad", [g, x], {"alpha": 0.1})
    assert_close(got, [0.1, 0.2, 3.0, 4.0], np.float32)


def test_grad_op_shapes_must_match():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4.*'ReluGrad'"):
        tf.get_default_graph().create_op(
            "ReluGrad", [tf.constant(np.ones(3, np.float32)), tf.constant(np.ones(4, np.float32))])


def test_elu_rejects_integers():
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.get_default_graph().create_op("Elu", [tf.constant([1, 2])])


# ---------------------------------------------------------------- softmax

def log_softmax_ref(x):
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


@pytest.mark.parametrize("op_type", ["Softmax", "LogSoftmax"])
@SETTINGS
@given(data=st.data())
def test_softmax(op_type, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    x = data.draw(values_of(dtype, shape, lo=-50, hi=50))
    want = log_softmax_ref(x)
    assert_close(run_op(op_type, [x]), np.exp(want) if op_type == "Softmax" else want, dtype)


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1000.0, 1000.0, -1000.0]], np.float32)
    assert_close(run_op("Softmax", [x]), [[0.5, 0.5, 0.0]], np.float32)
    assert np.isfinite(run_op("LogSoftmax", [x])[0, :2]).all()


def test_softmax_needs_rank_1():
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.get_default_graph().create_op("Softmax", [tf.constant(1.0)])


# ---------------------------------------------------------------- bias

@SETTINGS
@given(data=st.data(), nchw=st.booleans())
def test_bias_add_and_grad(data, nchw):
    dtype = data.draw(st.sampled_from(REALS))
    shape = data.draw(hnp.array_shapes(min_dims=3 if nchw else 2, max_dims=4, max_side=4))
    axis = 1 if nchw else len(shape) - 1
    value = data.draw(values_of(dtype, shape, lo=0, hi=20))
    bias = data.draw(values_of(dtype, (shape[axis],), lo=0, hi=20))
    fmt = "NCHW" if nchw else "NHWC"
    bshape = [1] * len(shape)
    bshape[axis] = shape[axis]
    assert_close(run_op("BiasAdd", [value, bias], {"data_format": fmt}),
                 value + bias.reshape(bshape), dtype)
    sum_axes = tuple(a for a in range(len(shape)) if a != axis)
    want = value.astype(np.float64).sum(sum_axes) if value.dtype.kind == "f" else \
        value.sum(sum_axes, dtype=dtype)
    assert_close(run_op("BiasAddGrad", [value], {"data_format": fmt}),
                 np.asarray(want).astype(dtype), dtype)


def test_bias_add_size_mismatch():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 2.*'BiasAdd'"):
        tf.get_default_graph().create_op(
            "BiasAdd", [tf.constant(np.ones((2, 3), np.float32)),
                        tf.constant(np.ones(2, np.float32))])


# ---------------------------------------------------------------- cross-entropy

@SETTINGS
@given(data=st.data())
def test_softmax_cross_entropy(data):
    dtype = data.draw(st.sampled_from(FLOATS))
    batch, classes = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    logits = data.draw(values_of(dtype, (batch, classes), lo=-30, hi=30))
    labels = data.draw(values_of(dtype, (batch, classes), lo=0, hi=1))
    loss, backprop = run_op("SoftmaxCrossEntropyWithLogits", [logits, labels])
    logp = log_softmax_ref(logits)
    assert_close(loss, -(labels.astype(np.float64) * logp).sum(-1), dtype)
    assert_close(backprop, np.exp(logp) - labels, dtype)


def test_softmax_cross_entropy_broadcasts_labels():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    labels = np.array([[0.0, 0.0, 1.0]])
    loss, backprop = run_op("SoftmaxCrossEntropyWithLogits", [logits, labels])
    logp = log_softmax_ref(logits)
    assert_close(loss, -logp[:, 2], np.float64)
    assert_close(backprop, np.exp(logp) - labels, np.float64)


@SETTINGS
@given(data=st.data(), label_type=st.sampled_from([np.int32, np.int64]))
def test_sparse_softmax_cross_entropy(data, label_type):
    dtype = data.draw(st.sampled_from(FLOATS))
    batch, classes = data.draw(st.integers(0, 4)), data.draw(st.integers(1, 5))
    logits = data.draw(values_of(dtype, (batch, classes), lo=-30, hi=30))
    labels = data.draw(hnp.arrays(label_type, (batch,), elements=st.integers(0, classes - 1)))
    loss, backprop = run_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels])
    logp = log_softmax_ref(logits)
    onehot = np.eye(classes)[labels]
    assert_close(loss, -(onehot * logp).sum(-1), dtype)
    assert_close(backprop, np.exp(logp) - onehot, dtype)


@pytest.mark.parametrize("bad", [3, -1])
def test_sparse_label_out_of_range(bad):
    logits = tf.constant(np.zeros((3, 3), np.float32))
    op = tf.get_default_graph().create_op("SparseSoftmaxCrossEntropyWithLogits",
                                          [logits, tf.constant(np.array([0, bad, 1]))])
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match=rf"Received a label value of {bad} which is outside the valid "
                                 rf"range of \[0, 3\)\.  Label values: 0 {bad} 1"):
            sess.run(op.outputs[0])


def test_sparse_shapes_checked_at_build():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.get_default_graph().create_op(
            "SparseSoftmaxCrossEntropyWithLogits",
            [tf.constant(np.zeros((2, 4), np.float32)), tf.constant(np.zeros(3, np.int64))])


def test_l2_loss():
    for dtype in FLOATS:
        x = np.arange(-3, 5, dtype=dtype).reshape(2, 4) / 2
        assert_close(run_op("L2Loss", [x]), np.sum(x.astype(np.float64) ** 2) / 2, dtype)


# ---------------------------------------------------------------- window references

def same_pads(size, k, s, d):
    ek = (k - 1) * d + 1
    out = -(-size // s)
    need = max(0, (out - 1) * s + ek - size)
    return need // 2, need - need // 2


def pads_for(padding, x_hw, k_hw, strides, dilations, explicit):
    if padding == "VALID":
        return (0, 0), (0, 0)
    if padding == "EXPLICIT":
        return explicit
    return tuple(same_pads(x_hw[a], k_hw[a], strides[a], dilations[a]) for a in (0, 1))


def out_size(padded, k, s, d):
    return max(0, (padded - (k - 1) * d - 1) // s + 1)


def window_positions(shape_hw, k_hw, strides, dilations, pads):
    """Yields (i, j, a, b, row, col) for every output (i, j) and kernel cell (a, b), in the
    padded input's coordinates."""
    ph, pw = shape_hw[0] + sum(pads[0]), shape_hw[1] + sum(pads[1])
    oh = out_size(ph, k_hw[0], strides[0], dilations[0])
    ow = out_size(pw, k_hw[1], strides[1], dilations[1])
    for i in range(oh):
        for j in range(ow):
            for a in range(k_hw[0]):
                for b in range(k_hw[1]):
                    yield i, j, a, b, i * strides[0] + a * dilations[0], \
                        j * strides[1] + b * dilations[1]


def conv_refs(x, f, dy_seed, strides, dilations, pads):
    """Forward conv, and the input/filter gradients for a random out_backprop (NHWC, f64)."""
    x, f = x.astype(np.float64), f.astype(np.float64)
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = out_size(xp.shape[1], f.shape[0], strides[0], dilations[0])
    ow = out_size(xp.shape[2], f.shape[1], strides[1], dilations[1])
    out = np.zeros((x.shape[0], oh, ow, f.shape[3]))
    dy = np.random.default_rng(dy_seed).uniform(-1, 1, out.shape)
    dxp, df = np.zeros_like(xp), np.zeros_like(f)
    for i, j, a, b, r, c in window_positions(x.shape[1:3], f.shape[:2], strides, dilations,
                                             pads):
        out[:, i, j] += xp[:, r, c] @ f[a, b]
        dxp[:, r, c] += dy[:, i, j] @ f[a, b].T
        df[a, b] += xp[:, r, c].T @ dy[:, i, j]
    dx = dxp[:, pads[0][0]:pads[0][0] + x.shape[1], pads[1][0]:pads[1][0] + x.shape[2]]
    return out, dy, dx, df


def to_format(x, nchw):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if nchw else x


def four(values, nchw):
    return [1, 1, *values] if nchw else [1, *values, 1]


@st.composite
def window_cases(draw, pool=False):
    case = {
        "n": draw(st.integers(1, 2)), "hw": (draw(st.integers(1, 6)), draw(st.integers(1, 6))),
        "c": draw(st.integers(1, 3)), "o": draw(st.integers(1, 3)),
        "k": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "strides": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "dilations": (1, 1) if pool else (draw(st.integers(1, 2)), draw(st.integers(1, 2))),
        "padding": draw(st.sampled_from(["SAME", "VALID"] if pool else
                                        ["SAME", "VALID", "EXPLICIT"])),
        "explicit": ((draw(st.integers(0, 2)), draw(st.integers(0, 2))),
                     (draw(st.integers(0, 2)), draw(st.integers(0, 2)))),
        "nchw": draw(st.booleans()),
    }
    case["pads"] = pads_for(case["padding"], case["hw"], case["k"], case["strides"],
                            case["dilations"], case["explicit"])
    for a in (0, 1):
        ek = (case["k"][a] - 1) * case["dilations"][a] + 1
        assume(case["hw"][a] + sum(case["pads"][a]) >= ek)
    return case


def conv_attrs(case):
    attrs = {"strides": four(case["strides"], case["nchw"]), "padding": case["padding"],
             "dilations": four(case["dilations"], case["nchw"]),
             "data_format": "NCHW" if case["nchw"] else "NHWC"}
    if case["padding"] == "EXPLICIT":
        pairs = [(0, 0), *case["explicit"], (0, 0)]
        if case["nchw"]:
            pairs = [pairs[0], pairs[3], pairs[1], pairs[2]]
        attrs["explicit_paddings"] = [p for pair in pairs for p in pair]
    return attrs


@SETTINGS
@given(case=window_cases(), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 1000))
def test_conv2d_and_backprops(case, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (case["n"], *case["hw"], case["c"])).astype(dtype)
    f = rng.uniform(-1, 1, (*case["k"], case["c"], case["o"])).astype(dtype)
    out, dy, dx, df = conv_refs(x, f, seed, case["strides"], case["dilations"], case["pads"])
    nchw, attrs = case["nchw"], conv_attrs(case)
    got = run_op("Conv2D", [to_format(x, nchw), f], attrs)
    assert_close(got, to_format(out, nchw), dtype)
    dy_in = to_format(dy.astype(dtype), nchw)
    sizes = np.array(to_format(x, nchw).shape, np.int32)
    got_dx = run_op("Conv2DBackpropInput", [sizes, f, dy_in], attrs)
    assert_close(got_dx, to_format(dx, nchw), dtype)
    got_df = run_op("Conv2DBackpropFilter", [to_format(x, nchw), np.array(f.shape, np.int32),
                                             dy_in], attrs)
    assert_close(got_df, df, dtype)


def test_conv2d_known_values():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    f = np.ones((2, 2, 1, 1), np.float32)
    got = run_op("Conv2D", [x, f], {"strides": [1, 2, 2, 1], "padding": "VALID"})
    assert_close(got, np.array([10, 18, 42, 50], np.float32).reshape(1, 2, 2, 1), np.float32)
    same = run_op("Conv2D", [x, f], {"strides": [1, 1, 1, 1], "padding": "SAME"})
    assert same.shape == (1, 4, 4, 1) and same[0, 3, 3, 0] == 15  # padded after, not before


def test_conv2d_int32():
    x = np.arange(18, dtype=np.int32).reshape(1, 3, 3, 2)
    f = np.ones((3, 3, 2, 1), np.int32)
    got = run_op("Conv2D", [x, f], {"strides": [1, 1, 1, 1], "padding": "VALID"})
    assert_close(got, np.array([[[[153]]]], np.int32), np.int32)


@pytest.mark.parametrize("attrs, message", [
    ({"strides": [1, 1, 1], "padding": "SAME"}, "strides field must specify 4 dimensions"),
    ({"strides": [2, 1, 1, 1], "padding": "SAME"}, "does not yet support strides in the batch"),
    ({"strides": [1, 1, 1, 1], "padding": "SAME", "explicit_paddings": [0] * 8},
     "explicit_paddings attribute must be empty"),
    ({"strides": [1, 1, 1, 1], "padding": "EXPLICIT", "explicit_paddings": [1] * 8},
     "Nonzero explicit padding in the batch or depth dimensions"),
])
def test_conv2d_attr_errors(attrs, message):
    x = tf.constant(np.zeros((1, 4, 4, 1), np.float32))
    f = tf.constant(np.zeros((2, 2, 1, 1), np.float32))
    with pytest.raises(ValueError, match=message):
        tf.get_default_graph().create_op("Conv2D", [x, f], attrs)


def test_conv2d_depth_mismatch():
    x = tf.constant(np.zeros((1, 4, 4, 3), np.float32))
    f = tf.constant(np.zeros((2, 2, 2, 1), np.float32))
    with pytest.raises(ValueError, match=r"Depth of input \(3\) must equal the filter's input "
                                         r"depth \(2\).*'Conv2D'"):
        tf.get_default_graph().create_op("Conv2D", [x, f], {"strides": [1, 1, 1, 1],
                                                            "padding": "VALID"})


# ---------------------------------------------------------------- pooling

def pool_refs(x, case, grad_seed):
    """MaxPool, AvgPool and both gradients, by their definitions over real window cells."""
    x = x.astype(np.float64)
    n, (h, w), c = x.shape[0], x.shape[1:3], x.shape[3]
    pads = case["pads"]
    ph, pw = h + sum(pads[0]), w + sum(pads[1])
    oh = out_size(ph, case["k"][0], case["strides"][0], 1)
    ow = out_size(pw, case["k"][1], case["strides"][1], 1)
    cells = {}
    for i, j, _, _, r, col in window_positions((h, w), case["k"], case["strides"], (1, 1),
                                               pads):
        r, col = r - pads[0][0], col - pads[1][0]
        if 0 <= r < h and 0 <= col < w:
            cells.setdefault((i, j), []).append((r, col))
    g = np.random.default_rng(grad_seed).uniform(-1, 1, (n, oh, ow, c))
    mx, avg = np.zeros((n, oh, ow, c)), np.zeros((n, oh, ow, c))
    dmax, davg = np.zeros_like(x), np.zeros_like(x)
    for (i, j), where in cells.items():
        vals = np.stack([x[:, r, col] for r, col in where])  # (cells, n, c)
        mx[:, i, j] = vals.max(0)
        avg[:, i, j] = vals.mean(0)
        first = vals.argmax(0)  # the first maximum in row-major window order
        for bi in range(n):
            for ci in range(c):
                r, col = where[first[bi, ci]]
                dmax[bi, r, col, ci] += g[bi, i, j, ci]
        for r, col in where:
            davg[:, r, col] += g[:, i, j] / len(where)
    return mx, avg, g, dmax, davg


def pool_attrs(case):
    return {"ksize": four(case["k"], case["nchw"]), "strides": four(case["strides"],
                                                                     case["nchw"]),
            "padding": case["padding"], "data_format": "NCHW" if case["nchw"] else "NHWC"}


@SETTINGS
@given(case=window_cases(pool=True), seed=st.integers(0, 1000), ties=st.booleans())
def test_pools_and_grads(case, seed, ties):
    rng = np.random.default_rng(seed)
    shape = (case["n"], *case["hw"], case["c"])
    x = (rng.integers(-2, 3, shape) if ties else rng.uniform(-1, 1, shape)).astype(np.float32)
    mx, avg, g, dmax, davg = pool_refs(x, case, seed)
    nchw, attrs = case["nchw"], pool_attrs(case)
    xin = to_format(x, nchw)
    assert_close(run_op("MaxPool", [xin], attrs), to_format(mx, nchw), np.float32)
    assert_close(run_op("AvgPool", [xin], attrs), to_format(avg, nchw), np.float32)
    gin = to_format(g.astype(np.float32), nchw)
    out = run_op("MaxPool", [xin], attrs)
    assert_close(run_op("MaxPoolGrad", [xin, out, gin], attrs), to_format(dmax, nchw),
                 np.float32)
    sizes = np.array(xin.shape, np.int32)
    assert_close(run_op("AvgPoolGrad", [sizes, gin], attrs), to_format(davg, nchw), np.float32)


def test_max_pool_integer_and_explicit_padding():
    x = np.arange(-8, 8, dtype=np.int32).reshape(1, 4, 4, 1)
    got = run_op("MaxPool", [x], {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1],
                                  "padding": "EXPLICIT",
                                  "explicit_paddings": [0, 0, 1, 0, 0, 1, 0, 0]})
    assert_close(got, np.array([[-7, -5], [1, 3]], np.int32).reshape(1, 2, 2, 1), np.int32)


def test_max_pool_grad_goes_to_the_first_maximum():
    x = np.array([[3, 3], [1, 3]], np.float32).reshape(1, 2, 2, 1)
    attrs = {"ksize": [1, 2, 2, 1], "strides": [1, 1, 1, 1], "padding": "VALID"}
    y = run_op("MaxPool", [x], attrs)
    got = run_op("MaxPoolGrad", [x, y, np.full((1, 1, 1, 1), 5, np.float32)], attrs)
    assert_close(got, np.array([[5, 0], [0, 0]], np.float32).reshape(1, 2, 2, 1), np.float32)


def test_pooling_rejects_batch_windows():
    x = tf.constant(np.zeros((2, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="does not yet support pooling windows in the batch"):
        tf.get_default_graph().create_op("MaxPool", [x], {"ksize": [2, 2, 2, 1],
                                                          "strides": [1, 1, 1, 1],
                                                          "padding": "VALID"})


# ---------------------------------------------------------------- top-k

def top_k_ref(x, k):
    order = sorted(range(x.shape[-1]), key=lambda i: (-float(x[i]), i))[:k]
    return x[order], np.array(order, np.int32)


@SETTINGS
@given(data=st.data())
def test_top_k(data):
    dtype = data.draw(st.sampled_from(REALS))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6))
    x = data.draw(values_of(dtype, shape, lo=-3, hi=3))  # narrow range: many ties
    k = data.draw(st.integers(0, shape[-1]))
    values, indices = run_op("TopKV2", [x, np.int32(k)])
    flat = x.reshape(int(np.prod(shape[:-1])), shape[-1])
    want = [top_k_ref(row, k) for row in flat]
    out_shape = (*shape[:-1], k)
    want_values = np.array([w[0] for w in want], dtype).reshape(out_shape)
    want_indices = np.array([w[1] for w in want], np.int32).reshape(out_shape)
    assert_close(values, want_values, dtype)
    assert_close(indices, want_indices, np.int32)


def test_top_k_index_type_and_errors():
    x = np.array([1.0, 3.0, 3.0, 2.0], np.float32)
    _, idx = run_op("TopKV2", [x, np.int64(2)], {"index_type": tf.int64})
    assert_close(idx, np.array([1, 2], np.int64), np.int64)
    with pytest.raises(ValueError, match="input must have last dimension >= k = 5 but is 4"):
        tf.get_default_graph().create_op("TopKV2", [tf.constant(x), tf.constant(5)])
    k = tf.placeholder(tf.int32, [])
    op = tf.get_default_graph().create_op("TopKV2", [tf.constant(x), k])
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match="input must have at least k columns. Had 4, needed 7"):
            sess.run(op.outputs[0], {k: 7})
        with pytest.raises(errors.InvalidArgumentError, match="Need k >= 0, got -1"):
            sess.run(op.outputs[0], {k: -1})


# ---------------------------------------------------------------- plano.nn helpers

def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_softmax_and_log_softmax_along_any_axis():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    for axis in (0, 1, -1, 2):
        want = log_softmax_ref(np.moveaxis(x, axis, -1))
        got_sm, got_lsm = run([tf.nn.softmax(x, axis=axis), tf.nn.log_softmax(x, dim=axis)])
        assert_close(got_lsm, np.moveaxis(want, -1, axis), np.float64)
        assert_close(got_sm, np.moveaxis(np.exp(want), -1, axis), np.float64)
    with pytest.raises(errors.InvalidArgumentError, match=r"`axis` must be in the range \[-3, 3\)"):
        tf.nn.softmax(x, axis=3)


def test_sigmoid_cross_entropy_is_stable():
    logits = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])
    labels = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    want = np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
    got = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    assert_close(got, want, np.float64)
    assert tf.get_default_graph().get_operations()[-1].name == "logistic_loss"
    with pytest.raises(ValueError, match="logits and labels must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=np.zeros(3), logits=np.zeros(4))


def test_xent_helpers():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 3, 4)).astype(np.float32)
    labels = rng.uniform(size=(2, 3, 4)).astype(np.float32)
    sparse = rng.integers(0, 4, (2, 3))
    logp = log_softmax_ref(logits)
    dense_v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    dense_axis0 = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=np.moveaxis(labels, -1, 0), logits=np.moveaxis(logits, -1, 0), axis=0)
    sparse_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=logits)
    assert dense_v1.shape.as_list() == [2, 3] and sparse_loss.shape.as_list() == [2, 3]
    got = run([dense_v1, dense_axis0, sparse_loss])
    assert_close(got[0], -(labels * logp).sum(-1), np.float32)
    assert_close(got[1], -(labels * logp).sum(-1), np.float32)
    assert_close(got[2], -np.take_along_axis(logp, sparse[..., None], -1)[..., 0], np.float32)
    with pytest.raises(ValueError, match="Only call `softmax_cross_entropy_with_logits` with "
                                         "named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(labels, logits)
    with pytest.raises(ValueError, match="Rank mismatch: Rank of labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse[0], logits=logits)


def test_conv_and_pool_helpers_accept_tf_argument_forms():
    x = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    f = np.ones((2, 2, 2, 1), np.float32)
    by_filters = tf.nn.conv2d(x, filters=f, strides=2, padding="VALID")
    by_filter = tf.nn.conv2d(x, f, strides=[1, 2, 2, 1], padding=[[0, 0], [0, 0], [0, 0], [0, 0]])
    pooled = tf.nn.max_pool(x, ksize=2, strides=2, padding="SAME")
    pooled2d = tf.nn.max_pool2d(x, ksize=[2, 2], strides=2, padding=[[0, 0], [1, 1], [1, 1],
                                                                     [0, 0]])
    averaged = tf.nn.avg_pool(value=x, ksize=[1, 4, 4, 1], strides=[1, 1, 1, 1],
                              padding="VALID")
    a, b, p, p2, avg = run([by_filters, by_filter, pooled, pooled2d, averaged])
    assert_close(a, b, np.float32)
    assert a.shape == (1, 2, 2, 1) and a[0, 0, 0, 0] == 0 + 1 + 2 + 3 + 8 + 9 + 10 + 11
    assert_close(p, x.reshape(1, 2, 2, 2, 2, 2).max((2, 4)), np.float32)
    assert p2.shape == (1, 3, 3, 2) and p2[0, 0, 0, 0] == 0
    assert_close(avg, x.mean((1, 2), keepdims=True), np.float32)
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4 but was 3"):
        tf.nn.conv2d(x, f, strides=[1, 1, 1], padding="SAME")
    with pytest.raises(ValueError, match="Cannot specify both 'filter' and 'filters'"):
        tf.nn.conv2d(x, f, strides=1, padding="SAME", filters=f)


def test_bias_add_leaky_relu_top_k_l2_loss_helpers():
    value = np.ones((1, 3, 2, 2), np.float32)
    bias = np.array([1, 2, 3], np.float32)
    top = tf.nn.top_k([[1.0, 5.0, 5.0, 2.0]], k=2)
    got = run({"bias": tf.nn.bias_add(value, bias, data_format="NCHW"),
               "leaky": tf.nn.leaky_relu([-10, 10]), "top": top,
               "l2": tf.nn.l2_loss(np.array([3.0, 4.0]))})
    assert_close(got["bias"], value + bias.reshape(1, 3, 1, 1), np.float32)
    assert_close(got["leaky"], np.array([-2, 10], np.float32), np.float32)
    assert got["top"].values.tolist() == [[5.0, 5.0]] and got["top"].indices.tolist() == [[1, 2]]
    assert got["l2"] == 12.5


def test_dropout():
    x = np.ones((200, 100), np.float32)
    kept = tf.nn.dropout(x, keep_prob=0.75, seed=1)
    rated = tf.nn.dropout(x, rate=0.5, noise_shape=[200, 1], seed=2)
    rate_t = tf.placeholder(tf.float32, [])
    fed = tf.nn.dropout(x, rate=rate_t, seed=3)
    a, b, c = run([kept, rated, fed], {rate_t: 0.2})
    assert set(np.unique(a)) <= {0, np.float32(1 / 0.75)} and abs((a > 0).mean() - 0.75) < 0.02
    assert all(len(set(row)) == 1 for row in b) and set(np.unique(b)) <= {0, 2}
    assert abs((c > 0).mean() - 0.8) < 0.02
    assert tf.nn.dropout(tf.constant(x), rate=0.0).op.type == "Const"
    with pytest.raises(ValueError, match="rate must be a scalar tensor or a float in the range "
                                         r"\[0, 1\), got 1"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="x has to be a floating point tensor"):
        tf.nn.dropout([1, 2], rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout"):
        tf.nn.dropout(x)


def test_moments_and_l2_normalize():
    x = np.random.default_rng(2).normal(size=(4, 3))
    mean, var = tf.nn.moments(x, axes=[0])
    kmean, _ = tf.nn.moments(x, axes=[0, 1], keepdims=True)
    half_mean, half_var = tf.nn.moments(x.astype(np.float16), axes=[1])
    got = run([mean, var, kmean, tf.nn.l2_normalize(x, axis=1), half_mean, half_var])
    assert_close(got[0], x.mean(0), np.float64)
    assert_close(got[1], x.var(0), np.float64)
    assert_close(got[2], x.mean((0, 1), keepdims=True), np.float64)
    assert_close(got[3], x / np.linalg.norm(x, axis=1, keepdims=True), np.float64)
    assert_close(got[4], x.mean(1), np.float16)
    assert_close(got[5], x.var(1), np.float16)
