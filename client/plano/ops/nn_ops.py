"""NN ops: activations, softmax and cross-entropy, bias, convolution, pooling, top-k.

Each op is declared as TensorFlow's nn_ops.cc declares it, with its gradient
(TF's nn_grad.py formulas) registered beside it. The functions here are the
raw ops (TF's gen_nn_ops); `plano.nn` adds the tf.compat.v1.nn conveniences.
The 2-D window arithmetic lives here once: shape rules and the server's
kernels share it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import register_gradient
from plano.framework.graph import get_default_graph
from plano.framework.op_builder import ShapeError
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops import (
    array_ops, comparison_ops, matmul_ops, reduction_ops, slicing_ops, unary_ops,
)
from plano.ops.shape_util import (
    broadcast_shapes, constant_value, require_rank, require_rank_at_least, scalar_rule,
    shape_from_tensor, unchanged_rule,
)

_FLOAT = "T: {half, float, double}"
_FORMAT = "data_format: {'NHWC', 'NCHW'} = 'NHWC'"
_PADDING = "padding: {'SAME', 'VALID'}"
_PADDING_EXPLICIT = "padding: {'SAME', 'VALID', 'EXPLICIT'}"
_EXPLICIT = "explicit_paddings: list(int) = []"
_CONV_ATTRS = ["strides: list(int)", "use_cudnn_on_gpu: bool = true", _PADDING_EXPLICIT,
               _EXPLICIT, _FORMAT, "dilations: list(int) = [1, 1, 1, 1]"]
_MAX_POOL_TYPES = ("T: {half, float, double, int32, int64, uint8, int16, int8, uint16} "
                   "= DT_FLOAT")
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


# ---------------------------------------------------------------- window geometry

class WindowError(ValueError):
    """Bad window attrs or sizes; shape rules and kernels each report it in their own way."""


@dataclass(frozen=True)
class Window:
    """A 2-D sliding window over (rows, cols): size, stride, dilation and padding."""

    size: tuple
    strides: tuple
    dilations: tuple
    padding: str  # SAME, VALID or EXPLICIT
    explicit: tuple  # ((top, bottom), (left, right)) when EXPLICIT
    nchw: bool

    def output_size(self, axis: int, in_size):
        """(output size, pad before, pad after) along spatial axis 0 (rows) or 1 (cols)."""
        if in_size is None or self.size[axis] is None:
            return None, 0, 0
        k = (self.size[axis] - 1) * self.dilations[axis] + 1
        s = self.strides[axis]
        if self.padding == "SAME":
            out = (in_size + s - 1) // s
            needed = max(0, (out - 1) * s + k - in_size)
            return out, needed // 2, needed - needed // 2
        before, after = self.explicit[axis] if self.padding == "EXPLICIT" else (0, 0)
        out = int((in_size + before + after - k + s) / s)  # C++ division truncates
        if out < 0:
            raise WindowError(f"Computed output size would be negative: {out} [input_size: "
                              f"{in_size}, effective_filter_size: {k}, stride: {s}]")
        return out, before, after


def window_from_attrs(attrs: dict, size=None) -> Window:
    """Validates a window op's attrs as TF's kernels do; `size` is (rows, cols) for Conv2D."""
    nchw = attrs["data_format"].startswith(b"NCHW")
    h, w, c = (2, 3, 1) if nchw else (1, 2, 3)
    strides = _four("strides", attrs["strides"], c, "strides")
    dilations = _four("dilations", attrs.get("dilations", [1, 1, 1, 1]), c, "dilations")
    if min(strides) < 1 or min(dilations) < 1:
        raise WindowError(f"Strides and dilations must be positive, got strides {strides} "
                          f"and dilations {dilations}")
    if "ksize" in attrs:
        ksize = _four("ksize", attrs["ksize"], c, "pooling windows")
        if min(ksize) < 1:
            raise WindowError(f"Sliding window ksize must be positive, got {ksize}")
        size = (ksize[h], ksize[w])
    padding = attrs["padding"].decode()
    pads = list(attrs.get("explicit_paddings", []))
    explicit = ()
    if padding == "EXPLICIT":
        if len(pads) != 8:
            raise WindowError(f"explicit_paddings attribute must contain 8 values, but got: "
                              f"{len(pads)}")
        if min(pads) < 0:
            raise WindowError(f"All elements of explicit_paddings must be nonnegative, got "
                              f"{pads}")
        if any(pads[2 * d] or pads[2 * d + 1] for d in (0, c)):
            raise WindowError("Nonzero explicit padding in the batch or depth dimensions is "
                              "not supported")
        explicit = ((pads[2 * h], pads[2 * h + 1]), (pads[2 * w], pads[2 * w + 1]))
    elif pads:
        raise WindowError("explicit_paddings attribute must be empty if the padding attribute "
                          "is not EXPLICIT")
    return Window(tuple(size), (strides[h], strides[w]), (dilations[h], dilations[w]),
                  padding, explicit, nchw)


def _four(name: str, values, channel: int, what: str) -> list:
    values = list(values)
    if len(values) != 4:
        raise WindowError(f"Sliding window {name} field must specify 4 dimensions")
    if values[0] != 1 or values[channel] != 1:
        raise WindowError(f"Current implementation does not yet support {what} in the batch "
                          f"and depth dimensions.")
    return values


def _window(op, size=None) -> Window:
    try:
        return window_from_attrs({name: op.get_attr(name) for name in op.op_def.attrs}, size)
    except WindowError as e:
        raise ShapeError(str(e)) from None


def _nhwc(shape: TensorShape, nchw: bool) -> list:
    dims = shape.dims if shape.rank is not None else [None] * 4
    return [dims[0], dims[2], dims[3], dims[1]] if nchw else dims


def _from_nhwc(dims: list, nchw: bool) -> TensorShape:
    n, h, w, c = dims
    return TensorShape([n, c, h, w] if nchw else [n, h, w, c])


def _window_output(op, win: Window, depth) -> TensorShape:
    """The output shape of a window op on input 0, with `depth` output channels."""
    x = op.inputs[0].shape
    require_rank(x, 4, "input")
    n, h, w, _ = _nhwc(x, win.nchw)
    try:
        oh = win.output_size(0, h)[0]
        ow = win.output_size(1, w)[0]
    except WindowError as e:
        raise ShapeError(str(e)) from None
    return _from_nhwc([n, oh, ow, depth], win.nchw)


# ---------------------------------------------------------------- shape rules

def _merge_dim(a, b):
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def _merge_shapes(a: TensorShape, b: TensorShape) -> TensorShape:
    if a.rank is None or b.rank is None:
        return a if b.rank is None else b
    if a.rank != b.rank:
        raise ShapeError(f"Shapes must be equal rank, but are {a.rank} and {b.rank}")
    return TensorShape([_merge_dim(x, y) for x, y in zip(a.dims, b.dims)])


def _merge_inputs_rule(op):
    """Gradient ops: gradients and features have one shape, which is the output's."""
    return _merge_shapes(op.inputs[0].shape, op.inputs[1].shape)


def _rank_at_least_one(op):
    require_rank_at_least(op.inputs[0].shape, 1, "logits")
    return op.inputs[0].shape


def _bias_axis(op) -> int:
    return 1 if op.get_attr("data_format") == b"NCHW" else -1


def _bias_add_shape(op):
    value, bias = op.inputs[0].shape, op.inputs[1].shape
    axis = _bias_axis(op)
    require_rank_at_least(value, 3 if axis == 1 else 2, "value")
    require_rank(bias, 1, "bias")
    if value.rank is None:
        return value
    dims = value.dims
    dims[axis] = _merge_dim(dims[axis], bias[0])
    return TensorShape(dims)


def _bias_add_grad_shape(op):
    grad = op.inputs[0].shape
    axis = _bias_axis(op)
    require_rank_at_least(grad, 3 if axis == 1 else 2, "out_backprop")
    return TensorShape([None if grad.rank is None else grad[axis]])


def _xent_shape(op):
    both = broadcast_shapes(op.inputs[0].shape, op.inputs[1].shape)
    if both.rank is None:
        both = TensorShape([None, None])
    require_rank(both, 2, "logits and labels, broadcast together,")
    return [TensorShape([both[0]]), both]


def _sparse_xent_shape(op):
    features, labels = op.inputs[0].shape, op.inputs[1].shape
    require_rank(features, 2, "logits")
    require_rank(labels, 1, "labels")
    fdims = features.dims or [None, None]
    batch = _merge_dim(fdims[0], labels[0])
    return [TensorShape([batch]), TensorShape([batch, fdims[1]])]


def _conv2d_shape(op):
    f = op.inputs[1].shape
    require_rank(f, 4, "filter")
    fdims = f.dims or [None] * 4
    win = _window(op, size=(fdims[0], fdims[1]))
    c = _nhwc(op.inputs[0].shape, win.nchw)[3]
    if c is not None and fdims[2] is not None and c != fdims[2]:
        raise ShapeError(f"Depth of input ({c}) must equal the filter's input depth "
                         f"({fdims[2]}); grouped convolution is not supported")
    return _window_output(op, win, fdims[3])


def _pool_shape(op):
    win = _window(op)
    return _window_output(op, win, _nhwc(op.inputs[0].shape, win.nchw)[3])


def _shape_input_rule(index: int):
    """Backprop ops whose output shape is given by an int tensor input (input_sizes...)."""
    def rule(op):
        shape = shape_from_tensor(op.inputs[index])
        if shape.rank is None:
            return TensorShape([None] * 4)
        require_rank(shape, 4, op.op_def.inputs[index].name)
        return shape
    return rule


def _top_k_shape(op):
    x = op.inputs[0].shape
    require_rank_at_least(x, 1, "input")
    k = constant_value(op.inputs[1])
    if k is not None:
        k = int(k)
        if k < 0:
            raise ShapeError(f"Need k >= 0, got {k}")
    if x.rank is None:
        return [TensorShape(None), TensorShape(None)]
    last = x.dims[-1]
    if last is not None and k is not None and last < k:
        raise ShapeError(f"input must have last dimension >= k = {k} but is {last}")
    out = TensorShape(x.dims[:-1] + [k])
    return [out, out]


# ---------------------------------------------------------------- declarations

for _name in ("Relu", "Relu6"):
    register_op(_name, inputs=["features: T"], outputs=["activations: T"],
                attrs=["T: realnumbertype"], shape_fn=unchanged_rule)
    register_op(_name + "Grad", inputs=["gradients: T", "features: T"],
                outputs=["backprops: T"], attrs=["T: realnumbertype"],
                shape_fn=_merge_inputs_rule)
for _name in ("Elu", "Selu", "Softplus"):
    register_op(_name, inputs=["features: T"], outputs=["activations: T"], attrs=[_FLOAT],
                shape_fn=unchanged_rule)
    register_op(_name + "Grad",
                inputs=["gradients: T", "features: T" if _name == "Softplus" else "outputs: T"],
                outputs=["backprops: T"], attrs=[_FLOAT], shape_fn=_merge_inputs_rule)
register_op("LeakyRelu", inputs=["features: T"], outputs=["activations: T"],
            attrs=["alpha: float = 0.2", "T: {half, float, double} = DT_FLOAT"],
            shape_fn=unchanged_rule)
register_op("LeakyReluGrad", inputs=["gradients: T", "features: T"], outputs=["backprops: T"],
            attrs=["alpha: float = 0.2", "T: {half, float, double} = DT_FLOAT"],
            shape_fn=_merge_inputs_rule)
register_op("Softmax", inputs=["logits: T"], outputs=["softmax: T"], attrs=[_FLOAT],
            shape_fn=_rank_at_least_one)
register_op("LogSoftmax", inputs=["logits: T"], outputs=["logsoftmax: T"], attrs=[_FLOAT],
            shape_fn=_rank_at_least_one)
register_op("BiasAdd", inputs=["value: T", "bias: T"], outputs=["output: T"],
            attrs=["T: numbertype", _FORMAT], shape_fn=_bias_add_shape)
register_op("BiasAddGrad", inputs=["out_backprop: T"], outputs=["output: T"],
            attrs=["T: numbertype", _FORMAT], shape_fn=_bias_add_grad_shape)
register_op("SoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: T"],
            outputs=["loss: T", "backprop: T"], attrs=[_FLOAT], shape_fn=_xent_shape)
register_op("SparseSoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: Tlabels"],
            outputs=["loss: T", "backprop: T"],
            attrs=[_FLOAT, "Tlabels: {int32, int64} = DT_INT64"], shape_fn=_sparse_xent_shape)
register_op("Conv2D", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=["T: {half, float, double, int32}"] + _CONV_ATTRS, shape_fn=_conv2d_shape)
register_op("Conv2DBackpropInput", inputs=["input_sizes: int32", "filter: T",
                                           "out_backprop: T"],
            outputs=["output: T"], attrs=["T: {half, float, double, int32}"] + _CONV_ATTRS,
            shape_fn=_shape_input_rule(0))
register_op("Conv2DBackpropFilter", inputs=["input: T", "filter_sizes: int32",
                                            "out_backprop: T"],
            outputs=["output: T"], attrs=[_FLOAT] + _CONV_ATTRS, shape_fn=_shape_input_rule(1))
register_op("MaxPool", inputs=["input: T"], outputs=["output: T"],
            attrs=[_MAX_POOL_TYPES, "ksize: list(int) >= 4", "strides: list(int) >= 4",
                   _PADDING_EXPLICIT, _EXPLICIT,
                   "data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'"],
            shape_fn=_pool_shape)
register_op("MaxPoolGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING_EXPLICIT,
                   _EXPLICIT, _FORMAT, "T: realnumbertype = DT_FLOAT"],
            shape_fn=lambda op: _merge_shapes(op.inputs[0].shape, TensorShape([None] * 4)))
register_op("MaxPoolGradGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   "T: realnumbertype"],
            shape_fn=lambda op: op.inputs[1].shape)
register_op("AvgPool", inputs=["value: T"], outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   _FLOAT], shape_fn=_pool_shape)
register_op("AvgPoolGrad", inputs=["orig_input_shape: int32", "grad: T"], outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   _FLOAT], shape_fn=_shape_input_rule(0))
register_op("TopKV2", inputs=["input: T", "k: Tk"], outputs=["values: T", "indices: index_type"],
            attrs=["sorted: bool = true", "T: realnumbertype",
                   "Tk: {int16, int32, int64} = DT_INT32",
                   "index_type: {int16, int32, int64} = DT_INT32"],
            shape_fn=_top_k_shape)
register_op("L2Loss", inputs=["t: T"], outputs=["output: T"], attrs=[_FLOAT],
            shape_fn=scalar_rule)


# ---------------------------------------------------------------- raw op builders

def _op(op_type: str, inputs: list, attrs: dict | None = None, name=None):
    return get_default_graph().create_op(op_type, inputs, attrs, name=name or op_type)


def _unary(op_type: str, fn_name: str):
    def build(features, name=None):
        return _op(op_type, [features], name=name).outputs[0]
    build.__name__ = fn_name
    build.__doc__ = f"The {op_type} op (over the last axis for softmaxes)."
    return build


def _grad_op(op_type: str, fn_name: str):
    def build(gradients, features, name=None):
        return _op(op_type, [gradients, features], name=name).outputs[0]
    build.__name__ = fn_name
    build.__doc__ = f"The {op_type} op: backpropagates `gradients` through its forward op."
    return build


relu, relu6, elu, selu, softplus, softmax, log_softmax, l2_loss = (
    _unary(t, n) for t, n in [("Relu", "relu"), ("Relu6", "relu6"), ("Elu", "elu"),
                              ("Selu", "selu"), ("Softplus", "softplus"), ("Softmax", "softmax"),
                              ("LogSoftmax", "log_softmax"), ("L2Loss", "l2_loss")])
relu_grad, relu6_grad, elu_grad, selu_grad, softplus_grad = (
    _grad_op(t + "Grad", n + "_grad") for t, n in [("Relu", "relu"), ("Relu6", "relu6"),
                                                   ("Elu", "elu"), ("Selu", "selu"),
                                                   ("Softplus", "softplus")])


def leaky_relu(features, alpha: float = 0.2, name=None):
    return _op("LeakyRelu", [features], {"alpha": float(alpha)}, name).outputs[0]


def leaky_relu_grad(gradients, features, alpha: float = 0.2, name=None):
    return _op("LeakyReluGrad", [gradients, features], {"alpha": float(alpha)}, name).outputs[0]


def bias_add(value, bias, data_format="NHWC", name=None):
    return _op("BiasAdd", [value, bias], {"data_format": data_format}, name).outputs[0]


def bias_add_grad(out_backprop, data_format="NHWC", name=None):
    return _op("BiasAddGrad", [out_backprop], {"data_format": data_format}, name).outputs[0]


def softmax_cross_entropy_with_logits(features, labels, name=None):
    """The raw op: (loss per row, backprop = softmax - labels)."""
    op = _op("SoftmaxCrossEntropyWithLogits", [features, labels], name=name)
    return op.outputs[0], op.outputs[1]


def sparse_softmax_cross_entropy_with_logits(features, labels, name=None):
    op = _op("SparseSoftmaxCrossEntropyWithLogits", [features, labels], name=name)
    return op.outputs[0], op.outputs[1]


def _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                dilations) -> dict:
    return {"strides": list(strides), "padding": padding, "use_cudnn_on_gpu": use_cudnn_on_gpu,
            "explicit_paddings": list(explicit_paddings), "data_format": data_format,
            "dilations": list(dilations)}


def conv2d(input, filter, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002 - TF's names
           explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2D", [input, filter], attrs, name).outputs[0]


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                          use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2DBackpropInput", [input_sizes, filter, out_backprop], attrs,
               name).outputs[0]


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop], attrs,
               name).outputs[0]


def max_pool(input, ksize, strides, padding, explicit_paddings=(),  # noqa: A002
             data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "explicit_paddings": list(explicit_paddings), "data_format": data_format}
    return _op("MaxPool", [input], attrs, name).outputs[0]


def max_pool_grad(orig_input, orig_output, grad, ksize, strides, padding,
                  explicit_paddings=(), data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "explicit_paddings": list(explicit_paddings), "data_format": data_format}
    return _op("MaxPoolGrad", [orig_input, orig_output, grad], attrs, name).outputs[0]


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "data_format": data_format}
    return _op("AvgPool", [value], attrs, name).outputs[0]


def avg_pool_grad(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC",
                  name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "data_format": data_format}
    return _op("AvgPoolGrad", [orig_input_shape, grad], attrs, name).outputs[0]


def top_kv2(input, k, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """(values, indices) of the k largest entries along the last axis; ties: lower index first."""
    attrs = {"sorted": bool(sorted), "index_type": dtypes.as_dtype(index_type)}
    op = _op("TopKV2", [input, k], attrs, name)
    return op.outputs[0], op.outputs[1]


# ---------------------------------------------------------------- gradients

@register_gradient("Relu")
def _relu_grad(op, grad):
    return [relu_grad(grad, op.outputs[0])]


@register_gradient("Relu6")
def _relu6_grad(op, grad):
    return [relu6_grad(grad, op.outputs[0])]


@register_gradient("Elu")
def _elu_grad(op, grad):
    return [elu_grad(grad, op.outputs[0])]


@register_gradient("Selu")
def _selu_grad(op, grad):
    return [selu_grad(grad, op.outputs[0])]


@register_gradient("Softplus")
def _softplus_grad(op, grad):
    return [softplus_grad(grad, op.inputs[0])]


@register_gradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    return [leaky_relu_grad(grad, op.inputs[0], alpha=op.get_attr("alpha"))]


@register_gradient("ReluGrad")
def _relu_grad_grad(op, grad):
    x = op.inputs[1]
    return [relu_grad(grad, x), array_ops.zeros_like(x)]


@register_gradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    x = op.inputs[1]
    return [relu6_grad(grad, x), array_ops.zeros_like(x)]


@register_gradient("LeakyReluGrad")
def _leaky_relu_grad_grad(op, grad):
    x = op.inputs[1]
    return [leaky_relu_grad(grad, x, alpha=op.get_attr("alpha")), array_ops.zeros_like(x)]


@register_gradient("EluGrad", "SeluGrad")
def _elu_selu_grad_grad(op, grad):
    """d/d(gradients) is the op itself; d/d(outputs) is gradients where outputs < 0 (as TF)."""
    dy, y = op.inputs
    again = elu_grad if op.type == "EluGrad" else selu_grad
    return [again(grad, y),
            comparison_ops.where(comparison_ops.less(y, 0), grad * dy, array_ops.zeros_like(y))]


@register_gradient("SoftplusGrad")
def _softplus_grad_grad(op, grad):
    dy, x = op.inputs
    d2x = grad * dy / (unary_ops.exp(-x) + 2.0 + unary_ops.exp(x))
    return [softplus_grad(grad, x), d2x]


@register_gradient("BiasAddGrad")
def _bias_add_grad_grad(op, grad):
    """The bias gradient is a sum over all but the channel axis; its gradient broadcasts."""
    fmt = op.get_attr("data_format")
    return [bias_add(array_ops.zeros_like(op.inputs[0]), grad, data_format=fmt)]


@register_gradient("Softmax")
def _softmax_grad(op, grad):
    """(grad - sum(grad * softmax)) * softmax, along the last axis."""
    out = op.outputs[0]
    sum_channels = reduction_ops.reduce_sum(grad * out, -1, keepdims=True)
    return [(grad - sum_channels) * out]


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    """grad - sum(grad) * softmax, along the last axis."""
    out = unary_ops.exp(op.outputs[0])
    return [grad - reduction_ops.reduce_sum(grad, -1, keepdims=True) * out]


@register_gradient("BiasAdd")
def _bias_add_grad(op, grad):
    return [grad, bias_add_grad(grad, data_format=op.get_attr("data_format"))]


def _broadcast_mul(vec, mat):
    """Multiplies each row of `mat` by the matching entry of `vec`."""
    return array_ops.expand_dims(vec, -1) * mat


def _is_zero(t) -> bool:
    if t.op.type in ("ZerosLike", "Zeros"):
        return True
    value = constant_value(t)
    return value is not None and not np.any(value)


def _xent_logits_grad(op, grad_loss, grad_grad):
    """The logits' gradient of both cross-entropy ops, second order included (as TF)."""
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if grad_grad is not None and not _is_zero(grad_grad):
        probs = softmax(op.inputs[0])
        projected = array_ops.squeeze(matmul_ops.matmul(array_ops.expand_dims(grad_grad, 1),
                                                      array_ops.expand_dims(probs, 2)), axis=1)
        grad = grad + (grad_grad - projected) * probs
    return grad


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _xent_grad(op, grad_loss, grad_grad):
    logits_grad = _xent_logits_grad(op, grad_loss, grad_grad)
    return [logits_grad, _broadcast_mul(grad_loss, -log_softmax(op.inputs[0]))]


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_grad(op, grad_loss, grad_grad):
    return [_xent_logits_grad(op, grad_loss, grad_grad), None]


def _conv_attrs_of(op) -> dict:
    return {k: op.get_attr(k) for k in ("strides", "padding", "use_cudnn_on_gpu",
                                        "explicit_paddings", "data_format", "dilations")}


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs
    attrs = _conv_attrs_of(op)
    return [conv2d_backprop_input(array_ops.shape(x), f, grad, **attrs),
            conv2d_backprop_filter(x, array_ops.shape(f), grad, **attrs)]


@register_gradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    attrs = _conv_attrs_of(op)
    return [None, conv2d_backprop_filter(grad, array_ops.shape(f), dy, **attrs),
            conv2d(grad, f, **attrs)]


@register_gradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    attrs = _conv_attrs_of(op)
    return [conv2d_backprop_input(array_ops.shape(x), grad, dy, **attrs), None,
            conv2d(x, grad, **attrs)]


def _pool_attrs_of(op, *extra: str) -> dict:
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "data_format") + extra}


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [max_pool_grad(op.inputs[0], op.outputs[0], grad,
                          **_pool_attrs_of(op, "explicit_paddings"))]


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, grad):
    orig_input, orig_output = op.inputs[0], op.inputs[1]
    attrs = _pool_attrs_of(op)
    return [array_ops.zeros_like(orig_input), array_ops.zeros_like(orig_output),
            _op("MaxPoolGradGrad", [orig_input, orig_output, grad], attrs,
                "MaxPoolGradGrad").outputs[0]]


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, grad):
    orig_input, orig_output = op.inputs[0], op.inputs[1]
    return [array_ops.zeros_like(orig_input), array_ops.zeros_like(orig_output),
            max_pool_grad(orig_input, orig_output, grad, **_pool_attrs_of(op))]


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [avg_pool_grad(array_ops.shape(op.inputs[0]), grad, **_pool_attrs_of(op))]


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    return [None, avg_pool(grad, **_pool_attrs_of(op))]


@register_gradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [op.inputs[0] * grad]


@register_gradient("TopKV2")
def _top_k_grad(op, grad, _indices_grad):
    """Each value's gradient goes back to the input position it was taken from."""
    x = op.inputs[0]
    depth = x.shape[-1] if x.shape.rank is not None and x.shape[-1] is not None else \
        array_ops.shape(x)[-1]
    picks = slicing_ops.one_hot(op.outputs[1], depth, dtype=grad.dtype)
    return [reduction_ops.reduce_sum(picks * array_ops.expand_dims(grad, -1), -2), None]
