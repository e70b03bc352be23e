"""NN ops: activations, softmax and cross-entropy, bias, top-k, L2 loss.

Each op is declared as TensorFlow's nn_ops.cc declares it, with its gradient
(TF's nn_grad.py formulas) registered beside it. The functions here are the
raw ops (TF's gen_nn_ops); `plano.nn` adds the tf.compat.v1.nn conveniences.
Convolution and pooling live in conv_ops.
"""
from __future__ import annotations

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
    unchanged_rule,
)

_FLOAT = "T: {half, float, double}"
_FORMAT = "data_format: {'NHWC', 'NCHW'} = 'NHWC'"
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


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
