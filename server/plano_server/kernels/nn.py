"""NN kernels: activations, softmax and cross-entropy, bias, convolution, pooling, top-k.

Convolution and pooling compute in NHWC (NCHW is transposed in and out) over
strided window views (sliding_window_view): a convolution is one tensordot
over its patches, so a small CNN runs at numpy matmul speed. half is computed
in float32 and rounded back, as TF's CPU kernels accumulate.
"""
from dataclasses import replace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from plano import errors
from plano.ops.conv_ops import Window, WindowError, window_from_attrs
from plano.ops.nn_ops import SELU_ALPHA, SELU_SCALE
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _wide(x: np.ndarray) -> np.ndarray:
    """float16 is computed in float32 (TF accumulates half in float)."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _shape_of(x: np.ndarray) -> str:
    return "[" + ",".join(map(str, x.shape)) + "]"


# ---------------------------------------------------------------- activations

simple("Relu")(lambda x: np.maximum(x, 0))
simple("Relu6")(lambda x: np.clip(x, 0, 6))
simple("Elu")(lambda x: np.where(x < 0, np.expm1(x), x))
simple("Selu")(lambda x: np.where(x < 0, (SELU_SCALE * SELU_ALPHA) * np.expm1(x),
                                  SELU_SCALE * x))
simple("Softplus")(lambda x: np.logaddexp(x, 0))
simple("ReluGrad")(lambda g, x: g * (x > 0))  # TF: gradients * (features > 0)
simple("Relu6Grad")(lambda g, x: np.where((x > 0) & (x < 6), g, 0))
simple("EluGrad")(lambda g, y: np.where(y < 0, g * (y + 1), g))
simple("SeluGrad")(lambda g, y: np.where(y < 0, g * (y + SELU_SCALE * SELU_ALPHA),
                                         g * SELU_SCALE))
simple("SoftplusGrad")(lambda g, x: g / (1 + np.exp(-x)))


@kernel("LeakyRelu", "LeakyReluGrad")
def _leaky_relu(node):
    alpha = node.attrs["alpha"]
    if node.op == "LeakyRelu":
        return lambda x: np.where(x > 0, x, x * x.dtype.type(alpha))
    return lambda g, x: np.where(x > 0, g, g * g.dtype.type(alpha))


# ---------------------------------------------------------------- softmax, losses

def _shifted_log_sum(x: np.ndarray):
    """(x - max, log(sum(exp(x - max)))) along the last axis: the stable log-sum-exp."""
    shifted = x - x.max(-1, keepdims=True, initial=-np.inf)
    return shifted, np.log(np.exp(shifted).sum(-1, keepdims=True))


@simple("Softmax")
def _softmax(x):
    shifted, log_sum = _shifted_log_sum(_wide(x))
    return np.exp(shifted - log_sum).astype(x.dtype, copy=False)


@simple("LogSoftmax")
def _log_softmax(x):
    shifted, log_sum = _shifted_log_sum(_wide(x))
    return (shifted - log_sum).astype(x.dtype, copy=False)


@simple("SoftmaxCrossEntropyWithLogits")
def _xent(features, labels):
    try:
        shape = np.broadcast_shapes(features.shape, labels.shape)
    except ValueError:
        raise _invalid(f"logits and labels must be broadcastable: logits_size="
                       f"{_shape_of(features)} labels_size={_shape_of(labels)}") from None
    if len(shape) != 2:
        raise _invalid("logits and labels must be either 2-dimensional, or broadcasted to be "
                       f"2-dimensional; got logits {_shape_of(features)} and labels "
                       f"{_shape_of(labels)}")
    shifted, log_sum = _shifted_log_sum(np.broadcast_to(_wide(features), shape))
    labels = _wide(labels)
    loss = (labels * (log_sum - shifted)).sum(-1)
    backprop = np.exp(shifted - log_sum) - labels
    return loss.astype(features.dtype, copy=False), backprop.astype(features.dtype, copy=False)


@simple("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent(features, labels):
    if features.ndim != 2:
        raise _invalid(f"logits must be 2-D, but got shape {_shape_of(features)}")
    if labels.ndim != 1:
        raise _invalid(f"labels must be 1-D, but got shape {_shape_of(labels)}")
    if features.shape[0] != labels.shape[0]:
        raise _invalid(f"logits and labels must have the same first dimension, got logits "
                       f"shape {_shape_of(features)} and labels shape {_shape_of(labels)}")
    depth = features.shape[1]
    bad = (labels < 0) | (labels >= depth)
    if bad.any():
        raise _invalid(f"Received a label value of {labels[bad][0]} which is outside the valid "
                       f"range of [0, {depth}).  Label values: {' '.join(map(str, labels))}")
    shifted, log_sum = _shifted_log_sum(_wide(features))
    rows = np.arange(labels.shape[0])
    loss = log_sum[:, 0] - shifted[rows, labels]
    backprop = np.exp(shifted - log_sum)
    backprop[rows, labels] -= 1
    return loss.astype(features.dtype, copy=False), backprop.astype(features.dtype, copy=False)


@simple("L2Loss")
def _l2_loss(t):
    flat = _wide(t).ravel()
    return np.asarray(np.dot(flat, flat) / 2, dtype=t.dtype)


# ---------------------------------------------------------------- bias

def _channel_axis(node, x: np.ndarray, what: str) -> int:
    nchw = node.attrs["data_format"] == b"NCHW"
    if x.ndim < (3 if nchw else 2):
        raise _invalid(f"{what} must be at least {3 if nchw else 2}-D in "
                       f"{node.attrs['data_format'].decode()}: {_shape_of(x)}")
    return 1 if nchw else x.ndim - 1


@kernel("BiasAdd")
def _bias_add(node):
    def run(value, bias):
        axis = _channel_axis(node, value, "Input tensor")
        if bias.ndim != 1 or bias.shape[0] != value.shape[axis]:
            raise _invalid(f"Must provide as many biases as the channel dimension of the input "
                           f"tensor: {_shape_of(bias)} vs. {_shape_of(value)}")
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 1 - axis))
    return run


@kernel("BiasAddGrad")
def _bias_add_grad(node):
    def run(grad):
        axis = _channel_axis(node, grad, "out_backprop")
        axes = tuple(a for a in range(grad.ndim) if a != axis)
        return _wide(grad).sum(axis=axes).astype(grad.dtype, copy=False)
    return run


# ---------------------------------------------------------------- windows

def _window(node, size=(1, 1)) -> Window:
    """The node's validated window; Conv2D's size comes from its filter at run time."""
    try:
        return window_from_attrs(node.attrs, size)
    except WindowError as e:
        raise errors.InvalidArgumentError(
            None, node.op, f"Node '{node.name}' (op {node.op}): {e}") from None


def _to_nhwc(x: np.ndarray, win: Window, what: str) -> np.ndarray:
    if x.ndim != 4:
        raise _invalid(f"{what} must be 4-dimensional: {_shape_of(x)}")
    return x.transpose(0, 2, 3, 1) if win.nchw else x


def _from_nhwc(x: np.ndarray, win: Window) -> np.ndarray:
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if win.nchw else x


def _sizes_to_nhwc(sizes: np.ndarray, win: Window, what: str) -> tuple:
    if sizes.shape != (4,):
        raise _invalid(f"{what} must be a 4-element vector, got shape {_shape_of(sizes)}")
    n, a, b, c = (int(v) for v in sizes)
    return (n, b, c, a) if win.nchw else (n, a, b, c)


def _pad(xh: np.ndarray, win: Window, fill):
    """xh padded for the window, the output size (oh, ow) and the (top, left) padding."""
    oh, top, bottom = win.output_size(0, xh.shape[1])
    ow, left, right = win.output_size(1, xh.shape[2])
    if top or bottom or left or right:
        xh = np.pad(xh, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    return xh, (oh, ow), (top, left)


def _patches(xp: np.ndarray, win: Window, out_hw: tuple) -> np.ndarray:
    """A (N, OH, OW, C, KH, KW) view of every window, stride and dilation applied."""
    (kh, kw), (dh, dw), (sh, sw) = win.size, win.dilations, win.strides
    oh, ow = out_hw
    ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if xp.shape[1] < ekh or xp.shape[2] < ekw:  # no whole window fits: empty output
        return np.zeros((xp.shape[0], oh, ow, xp.shape[3], kh, kw), xp.dtype)
    view = sliding_window_view(xp, (ekh, ekw), axis=(1, 2))
    return view[:, ::sh, ::sw, :, ::dh, ::dw][:, :oh, :ow]


def _scatter_windows(contribution, padded_shape: tuple, win: Window, out_hw: tuple, dtype):
    """Adds contribution(i, j), shaped (N, OH, OW, C), back onto every window's (i, j) cell."""
    (kh, kw), (dh, dw), (sh, sw) = win.size, win.dilations, win.strides
    oh, ow = out_hw
    out = np.zeros(padded_shape, dtype)
    if oh == 0 or ow == 0:
        return out
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += contribution(i, j)
    return out


def _check_backprop(dy: np.ndarray, expected: tuple, what: str) -> None:
    if dy.shape != expected:
        raise _invalid(f"{what}: size of out_backprop doesn't match computed: actual = "
                       f"{list(dy.shape)}, computed = {list(expected)}")


# ---------------------------------------------------------------- convolution

def _conv_window(win: Window, f: np.ndarray, depth: int) -> Window:
    if f.ndim != 4:
        raise _invalid(f"filter must be 4-dimensional: {_shape_of(f)}")
    if f.shape[2] != depth:
        raise _invalid(f"input depth must equal the filter's input depth: {depth} vs "
                       f"{f.shape[2]} (grouped convolution is not supported)")
    return replace(win, size=f.shape[:2])


@kernel("Conv2D")
def _conv2d(node):
    base = _window(node)

    def run(x, f):
        xh = _to_nhwc(x, base, "input")
        win = _conv_window(base, f, xh.shape[3])
        xp, out_hw, _ = _pad(_wide(xh), win, 0)
        out = np.tensordot(_patches(xp, win, out_hw), _wide(f), axes=([4, 5, 3], [0, 1, 2]))
        return _from_nhwc(out.astype(x.dtype, copy=False), win)
    return run


@kernel("Conv2DBackpropInput")
def _conv2d_backprop_input(node):
    base = _window(node)

    def run(input_sizes, f, dy):
        shape = _sizes_to_nhwc(input_sizes, base, "input_sizes")
        check_alloc(node, shape, dy.dtype)
        win = _conv_window(base, f, shape[3])
        n, h, w, _ = shape
        oh, top, bottom = win.output_size(0, h)
        ow, left, right = win.output_size(1, w)
        dyh = _wide(_to_nhwc(dy, win, "out_backprop"))
        _check_backprop(dyh, (n, oh, ow, f.shape[3]), "Conv2DBackpropInput")
        fw = _wide(f)
        padded = (n, h + top + bottom, w + left + right, shape[3])
        dxp = _scatter_windows(lambda i, j: dyh @ fw[i, j].T, padded, win, (oh, ow), dyh.dtype)
        return _from_nhwc(dxp[:, top:top + h, left:left + w].astype(dy.dtype), win)
    return run


@kernel("Conv2DBackpropFilter")
def _conv2d_backprop_filter(node):
    base = _window(node)

    def run(x, filter_sizes, dy):
        if filter_sizes.shape != (4,):
            raise _invalid(f"filter_sizes must be a 4-element vector, got shape "
                           f"{_shape_of(filter_sizes)}")
        kh, kw, c, o = (int(v) for v in filter_sizes)
        check_alloc(node, (kh, kw, c, o), dy.dtype)
        xh = _to_nhwc(x, base, "input")
        if xh.shape[3] != c:
            raise _invalid(f"input depth must equal the filter's input depth: {xh.shape[3]} vs "
                           f"{c} (grouped convolution is not supported)")
        win = replace(base, size=(kh, kw))
        xp, out_hw, _ = _pad(_wide(xh), win, 0)
        dyh = _wide(_to_nhwc(dy, win, "out_backprop"))
        _check_backprop(dyh, (xh.shape[0], *out_hw, o), "Conv2DBackpropFilter")
        df = np.tensordot(_patches(xp, win, out_hw), dyh, axes=([0, 1, 2], [0, 1, 2]))
        return df.transpose(1, 2, 0, 3).astype(dy.dtype)
    return run


# ---------------------------------------------------------------- pooling

def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


@kernel("MaxPool")
def _max_pool(node):
    if node.attrs["data_format"] == b"NCHW_VECT_C":
        raise errors.InvalidArgumentError(
            None, node.op, f"Node '{node.name}' (op MaxPool): data_format NCHW_VECT_C is only "
            "supported for qint8, which plano does not have")
    win = _window(node)

    def run(x):
        xp, out_hw, _ = _pad(_to_nhwc(x, win, "input"), win, _lowest(x.dtype))
        return _from_nhwc(_patches(xp, win, out_hw).max(axis=(4, 5)), win)
    return run


def _first_max(xh: np.ndarray, win: Window):
    """Each pooling window's first maximum (flat kernel index), whether it has one (a
    NaN-only window has none), and the output size and top/left padding."""
    n, h, w, c = xh.shape
    xp, out_hw, top_left = _pad(xh, win, _lowest(xh.dtype))
    inside = _pad(np.ones((1, h, w, 1), bool), win, False)[0]
    kk = win.size[0] * win.size[1]
    values = _patches(xp, win, out_hw).reshape(n, *out_hw, c, kk)
    real = _patches(inside, win, out_hw).reshape(1, *out_hw, 1, kk)
    hit = (values == np.fmax.reduce(values, axis=-1, keepdims=True)) & real
    return hit.argmax(-1), hit.any(-1), out_hw, top_left


@kernel("MaxPoolGrad")
def _max_pool_grad(node):
    """Each output's gradient goes to its window's maximum: the first one, on ties (as TF)."""
    win = _window(node)

    def run(x, _orig_output, grad):
        xh = _to_nhwc(x, win, "orig_input")
        n, h, w, c = xh.shape
        first, found, (oh, ow), (top, left) = _first_max(xh, win)
        gh = _wide(_to_nhwc(grad, win, "grad"))
        _check_backprop(gh, (n, oh, ow, c), "MaxPoolGrad")
        kw, (dh, dw), (sh, sw) = win.size[1], win.dilations, win.strides
        ki, kj = np.divmod(first, kw)
        rows = np.arange(oh).reshape(1, oh, 1, 1) * sh + ki * dh - top
        cols = np.arange(ow).reshape(1, 1, ow, 1) * sw + kj * dw - left
        dx = np.zeros((n, h, w, c), gh.dtype)
        batch = np.arange(n).reshape(n, 1, 1, 1)
        chan = np.arange(c).reshape(1, 1, 1, c)
        np.add.at(dx, (batch, np.where(found, rows, 0), np.where(found, cols, 0), chan),
                  np.where(found, gh, 0))
        return _from_nhwc(dx.astype(grad.dtype, copy=False), win)
    return run


@kernel("MaxPoolGradGrad")
def _max_pool_grad_grad(node):
    """Each output takes the incoming gradient at its window's first maximum."""
    win = _window(node)

    def run(x, _orig_output, grad):
        xh = _to_nhwc(x, win, "orig_input")
        gh = _wide(_to_nhwc(grad, win, "grad"))
        if gh.shape != xh.shape:
            raise _invalid(f"grad must have the shape of orig_input: {list(gh.shape)} vs "
                           f"{list(xh.shape)}")
        first, found, out_hw, _ = _first_max(xh, win)
        gp = _pad(gh, win, 0)[0]
        windows = _patches(gp, win, out_hw).reshape(*first.shape, -1)
        out = np.take_along_axis(windows, first[..., None], -1)[..., 0]
        return _from_nhwc(np.where(found, out, 0).astype(grad.dtype, copy=False), win)
    return run


def _window_counts(h: int, w: int, win: Window) -> np.ndarray:
    """How many real (unpadded) inputs each window covers: AvgPool's divisor, (1, OH, OW, 1)."""
    ones, out_hw, _ = _pad(np.ones((1, h, w, 1), np.float32), win, 0)
    return _patches(ones, win, out_hw).sum(axis=(4, 5))


@kernel("AvgPool")
def _avg_pool(node):
    win = _window(node)

    def run(x):
        xh = _wide(_to_nhwc(x, win, "value"))
        xp, out_hw, _ = _pad(xh, win, 0)
        total = _patches(xp, win, out_hw).sum(axis=(4, 5))
        out = total / _window_counts(xh.shape[1], xh.shape[2], win)
        return _from_nhwc(out.astype(x.dtype, copy=False), win)
    return run


@kernel("AvgPoolGrad")
def _avg_pool_grad(node):
    win = _window(node)

    def run(orig_input_shape, grad):
        n, h, w, c = shape = _sizes_to_nhwc(orig_input_shape, win, "orig_input_shape")
        check_alloc(node, shape, grad.dtype)
        oh, top, bottom = win.output_size(0, h)
        ow, left, right = win.output_size(1, w)
        gh = _wide(_to_nhwc(grad, win, "grad"))
        _check_backprop(gh, (n, oh, ow, c), "AvgPoolGrad")
        share = (gh / _window_counts(h, w, win)).astype(gh.dtype, copy=False)
        padded = (n, h + top + bottom, w + left + right, c)
        dxp = _scatter_windows(lambda i, j: share, padded, win, (oh, ow), gh.dtype)
        return _from_nhwc(dxp[:, top:top + h, left:left + w].astype(grad.dtype), win)
    return run


# ---------------------------------------------------------------- top-k

@kernel("TopKV2")
def _top_k(node):
    index_dtype = node.attrs["index_type"].as_numpy_dtype

    def run(x, k):
        if np.ndim(k) != 0:
            raise _invalid(f"k must be 0-D, got shape {_shape_of(k)}")
        k = int(k)
        if k < 0:
            raise _invalid(f"Need k >= 0, got {k}")
        if x.ndim < 1:
            raise _invalid(f"input must be >= 1-D, got shape {_shape_of(x)}")
        n = x.shape[-1]
        if n < k:
            raise _invalid(f"input must have at least k columns. Had {n}, needed {k}")
        # A stable ascending sort of the reversed row, read backwards, orders by value
        # descending and, among equal values, by index ascending (TF's tie rule).
        order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
        indices = n - 1 - order
        return np.take_along_axis(x, indices, -1), indices.astype(index_dtype)
    return run
