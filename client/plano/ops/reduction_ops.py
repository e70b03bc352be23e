"""Reductions: Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin and Cumsum.

Declared with TensorFlow's names, inputs and attrs; the helpers follow
tf.compat.v1's names and signatures, with each gradient beside its op.
"""
from __future__ import annotations

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor
from plano.framework.op_builder import ShapeError, _is_tensor_like, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops import array_ops, math_ops
from plano.ops.comparison_ops import equal, logical_and, not_equal, where_v2
from plano.ops.math_ops import (
    _create, _int_vector, add, cast, floordiv, floormod, maximum, multiply, realdiv, subtract,
)
from plano.ops.unary_ops import exp, is_finite, log
from plano.ops.shape_util import constant_value, require_rank, unchanged_rule


# ---------------------------------------------------------------- reductions

def _normalize_axes(values, rank: int) -> list[int]:
    axes = []
    for a in np.reshape(values, -1).tolist():
        if not -rank <= a < rank:
            raise ShapeError(f"Invalid reduction dimension {a} for input with {rank} "
                             "dimensions.")
        axes.append(a % rank)
    return axes


def _reduction_rule(op):
    shape = op.inputs[0].shape
    _require_rank_at_most(op.inputs[1].shape, 1, "reduction_indices")
    keep = op.get_attr("keep_dims")
    axes = constant_value(op.inputs[1])
    if axes is None or shape.rank is None:
        return TensorShape([None] * shape.rank if keep and shape.rank is not None else None)
    reduced = set(_normalize_axes(axes, shape.rank))
    if keep:
        return TensorShape([1 if i in reduced else d for i, d in enumerate(shape.dims)])
    return TensorShape([d for i, d in enumerate(shape.dims) if i not in reduced])


def _require_rank_at_most(shape: TensorShape, rank: int, what: str) -> None:
    if shape.rank is not None and shape.rank > rank:
        raise ShapeError(f"Shape must be at most rank {rank} but is rank {shape.rank} "
                         f"({what})")


for _name, _types in (("Sum", "numbertype"), ("Mean", "numbertype"), ("Prod", "numbertype"),
                      ("Max", "realnumbertype"), ("Min", "realnumbertype")):
    register_op(_name, inputs=["input: T", "reduction_indices: Tidx"], outputs=["output: T"],
                attrs=["keep_dims: bool = false", f"T: {_types}",
                       "Tidx: {int32, int64} = DT_INT32"], shape_fn=_reduction_rule)
for _name in ("All", "Any"):
    register_op(_name, inputs=["input: bool", "reduction_indices: Tidx"],
                outputs=["output: bool"],
                attrs=["keep_dims: bool = false", "Tidx: {int32, int64} = DT_INT32"],
                shape_fn=_reduction_rule)
not_differentiable("All", "Any")


def _shape_of(x: Tensor):
    """x's shape as a Python list when known while building, else a Shape op."""
    return _int_vector(x.shape.as_list()) if x.shape.is_fully_defined() else array_ops.shape(x)


def _kept_dims_shape(op):
    """The shape a reduction's output would have with keep_dims (TF's reduced_shape)."""
    x, axes = op.inputs
    values = constant_value(axes)
    if values is not None and x.shape.is_fully_defined():
        reduced = set(_normalize_axes(values, x.shape.rank))
        return _int_vector([1 if i in reduced else d for i, d in enumerate(x.shape.dims)])
    rank = array_ops.rank(x)
    axes = floormod(cast(array_ops.reshape(axes, [1, -1]), dtypes.int32), rank)
    is_reduced = reduce_any(equal(array_ops.reshape(math_ops.range(rank), [-1, 1]), axes), 1)
    return where_v2(is_reduced, 1, array_ops.shape(x))


def _grad_with_kept_dims(op, grad):
    if op.get_attr("keep_dims"):
        return grad
    return array_ops.reshape(grad, _kept_dims_shape(op))


def _broadcast_to_input(op, grad):
    """The reduction's gradient spread over every input element it summarized."""
    grad = _grad_with_kept_dims(op, grad)
    x = op.inputs[0]
    if x.shape.is_fully_defined() and grad.shape == x.shape:
        return grad
    return array_ops.broadcast_to(grad, _shape_of(x))


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [_broadcast_to_input(op, grad), None]


@register_gradient("Mean")
def _mean_grad(op, grad):
    spread = _broadcast_to_input(op, grad)
    x, y = op.inputs[0], op.outputs[0]
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        factor = x.shape.num_elements() // max(y.shape.num_elements(), 1)
        return [realdiv(spread, factor), None]
    factor = floordiv(reduce_prod(array_ops.shape(x)),
                      maximum(reduce_prod(array_ops.shape(y)), 1))
    return [realdiv(spread, cast(factor, grad.dtype)), None]


@register_gradient("Max", "Min")
def _min_max_reduction_grad(op, grad):
    """The gradient goes to the elements equal to the result, split evenly among ties."""
    x, axes = op.inputs
    y = op.outputs[0]
    if not op.get_attr("keep_dims"):
        kept = _kept_dims_shape(op)
        y, grad = array_ops.reshape(y, kept), array_ops.reshape(grad, kept)
    hits = cast(equal(y, x), grad.dtype)
    count = reduce_sum(hits, axes, keepdims=True)
    return [multiply(realdiv(hits, count), grad), None]


@register_gradient("Prod")
def _prod_grad(op, grad):
    """d prod / d x_i is the product of the other elements: prod / x_i without zeros; with
    one zero, the zero's gradient is the product of the rest and the others' is 0."""
    x, axes = op.inputs
    spread = _broadcast_to_input(op, grad)
    is_zero = equal(x, 0)
    nonzero_prod = reduce_prod(where_v2(is_zero, 1, x), axes, keepdims=True)
    zeros = reduce_sum(cast(is_zero, dtypes.int32), axes, keepdims=True)
    others = where_v2(equal(zeros, 0), realdiv(nonzero_prod, where_v2(is_zero, 1, x)),
                      where_v2(logical_and(equal(zeros, 1), is_zero), nonzero_prod, 0))
    return [multiply(spread, others), None]


def _pick(new, old, new_name: str, old_name: str):
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'.")
    return new if new is not None else old


def _axes_tensor(x: Tensor, axis):
    """The reduction indices: all axes for None, else `axis` as an int tensor."""
    if axis is None:
        if x.shape.rank is not None:
            return np.arange(x.shape.rank, dtype=np.int32)
        return math_ops.range(0, array_ops.rank(x))
    if _is_tensor_like(axis):
        return axis
    return np.asarray(axis, dtype=np.int64 if np.max(axis, initial=0) >= 2**31 else np.int32)


def _reduction(op_type: str, input_tensor, axis, keepdims, name, reduction_indices,
               keep_dims):
    axis = _pick(axis, reduction_indices, "axis", "reduction_indices")
    keepdims = _pick(keepdims, keep_dims, "keepdims", "keep_dims")
    x = convert_to_tensor(input_tensor)
    return _create(op_type, [x, _axes_tensor(x, axis)], {"keep_dims": bool(keepdims)}, name)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Sum over `axis` (all axes if None); TF1's reduction_indices/keep_dims also accepted."""
    return _reduction("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """Mean over `axis`; for integer inputs the division is integer division, as TF's."""
    return _reduction("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduction("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduction("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduction("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduction("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduction("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed stably by shifting by the (finite) max, as TF does."""
    axis = _pick(axis, reduction_indices, "axis", "reduction_indices")
    keepdims = bool(_pick(keepdims, keep_dims, "keepdims", "keep_dims"))
    x = convert_to_tensor(input_tensor)
    graph = x.graph
    with graph.name_scope(name or "ReduceLogSumExp"):
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = array_ops.stop_gradient(where_v2(is_finite(raw_max), raw_max, 0))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keepdims))
        if not keepdims:
            my_max = array_ops.reshape(my_max, array_ops.shape(result))
        return add(result, my_max)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """Number of non-zero elements over `axis`, as `dtype` (int64 by default)."""
    x = convert_to_tensor(_pick(input_tensor, input, "input_tensor", "input"))
    graph = x.graph
    with graph.name_scope(name or "count_nonzero"):
        nonzero = cast(not_equal(x, np.zeros([], x.dtype.base_dtype.as_numpy_dtype)
                                 if x.dtype.base_dtype != dtypes.string else ""), dtypes.int64)
        total = reduce_sum(nonzero, axis, keepdims, reduction_indices=reduction_indices,
                           keep_dims=keep_dims)
        return cast(total, dtype)


# ---------------------------------------------------------------- ArgMax, ArgMin

def _arg_rule(op):
    shape = op.inputs[0].shape
    require_rank(op.inputs[1].shape, 0, "dimension")
    if shape.rank is None:
        return TensorShape(None)
    if shape.rank <= 1:
        return TensorShape([])
    dim = constant_value(op.inputs[1])
    if dim is None:
        return TensorShape([None] * (shape.rank - 1))
    dim = int(dim)
    if not -shape.rank <= dim < shape.rank:
        raise ShapeError(f"Dimension ({dim}) must be in the range [{-shape.rank}, {shape.rank}),"
                         f" where {shape.rank} is the number of dimensions in the input.")
    return TensorShape([d for i, d in enumerate(shape.dims) if i != dim % shape.rank])


register_op("ArgMax", inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
            attrs=["T: {realnumbertype, bool}", "Tidx: {int16, int32, int64} = DT_INT32",
                   "output_type: {int16, uint16, int32, int64} = DT_INT64"],
            shape_fn=_arg_rule)
register_op("ArgMin", inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
            attrs=["T: {realnumbertype, bool}", "Tidx: {int32, int64} = DT_INT32",
                   "output_type: {int32, int64} = DT_INT64"],
            shape_fn=_arg_rule)
not_differentiable("ArgMax", "ArgMin")


def _arg_reduction(op_type, input, axis, name, dimension, output_type):  # noqa: A002
    axis = _pick(axis, dimension, "axis", "dimension")
    return _create(op_type, [input, 0 if axis is None else axis],
                   {"output_type": dtypes.as_dtype(output_type)}, name)


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's names
           output_type=dtypes.int64):
    """Index of the largest value along `axis` (0 if None), as `output_type`."""
    return _arg_reduction("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's names
           output_type=dtypes.int64):
    """Index of the smallest value along `axis` (0 if None), as `output_type`."""
    return _arg_reduction("ArgMin", input, axis, name, dimension, output_type)


# ---------------------------------------------------------------- Cumsum

register_op("Cumsum", inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
            attrs=["exclusive: bool = false", "reverse: bool = false", "T: numbertype",
                   "Tidx: {int32, int64} = DT_INT32"], shape_fn=unchanged_rule)


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    return [cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                   reverse=not op.get_attr("reverse")), None]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along `axis`; `exclusive` leaves out the current element."""
    return _create("Cumsum", [x, axis], {"exclusive": bool(exclusive),
                                         "reverse": bool(reverse)}, name)


__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all",
           "reduce_any", "reduce_logsumexp", "count_nonzero", "argmax", "argmin", "cumsum"]
