"""Comparison and logical ops, and elementwise selection: where and clip_by_value.

Declared with TensorFlow's names, inputs and attrs; the helpers follow
tf.compat.v1's names and signatures, with each gradient beside its op.
"""
from __future__ import annotations

from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops import array_ops
from plano.ops.math_ops import (
    _binary, _create, _dtype_of_first_tensor, _sum_to_shape, maximum, minimum,
)
from plano.ops.shape_util import (
    broadcast_rule, broadcast_shapes, merge_equal_shapes, require_equal_dims, unchanged_rule,
)


# ---------------------------------------------------------------- comparisons and logical ops

def _equality_rule(op):
    try:
        return broadcast_rule(op)
    except ShapeError:
        if op.get_attr("incompatible_shape_error"):
            raise
        return TensorShape(None)


for _name in ("Less", "LessEqual", "Greater", "GreaterEqual"):
    register_op(_name, inputs=["x: T", "y: T"], outputs=["z: bool"],
                attrs=["T: realnumbertype"], shape_fn=broadcast_rule)
for _name in ("Equal", "NotEqual"):
    register_op(_name, inputs=["x: T", "y: T"], outputs=["z: bool"],
                attrs=["T: type", "incompatible_shape_error: bool = true"],
                shape_fn=_equality_rule)
register_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"], shape_fn=unchanged_rule)
for _name in ("LogicalAnd", "LogicalOr"):
    register_op(_name, inputs=["x: bool", "y: bool"], outputs=["z: bool"],
                shape_fn=broadcast_rule)
not_differentiable("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
                   "LogicalAnd", "LogicalOr", "LogicalNot")


def _compare(op_type):
    def helper(x, y, name=None):
        return _binary(op_type, x, y, name)
    helper.__name__ = helper.__qualname__ = "".join(
        "_" + c.lower() if c.isupper() else c for c in op_type).lstrip("_")
    helper.__doc__ = f"Elementwise {op_type} with broadcasting; the result is bool."
    return helper


equal = _compare("Equal")
not_equal = _compare("NotEqual")
less = _compare("Less")
less_equal = _compare("LessEqual")
greater = _compare("Greater")
greater_equal = _compare("GreaterEqual")


def logical_and(x, y, name=None):
    return _create("LogicalAnd", [x, y], {}, name)


def logical_or(x, y, name=None):
    return _create("LogicalOr", [x, y], {}, name)


def logical_not(x, name=None):
    return _create("LogicalNot", [x], {}, name)


def logical_xor(x, y, name="LogicalXor"):
    """(x or y) and not (x and y), as TF builds it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# ---------------------------------------------------------------- Select, SelectV2

def _select_rule(op):
    """TF1 Select: cond is a scalar, has the branches' shape, or is a vector over dim 0."""
    cond = op.inputs[0].shape
    data = merge_equal_shapes([op.inputs[1].shape, op.inputs[2].shape], "Select's 't' and 'e'")
    if cond.rank is None or data.rank is None or cond.rank == 0:
        return data
    if cond.rank != 1 or data.rank == 0:
        return merge_equal_shapes([data, cond], "Select's condition and branches")
    require_equal_dims(cond[0], data[0])
    return data


def _select_v2_rule(op):
    return broadcast_shapes(op.inputs[0].shape,
                            broadcast_shapes(op.inputs[1].shape, op.inputs[2].shape))


register_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape_fn=_select_rule)
register_op("SelectV2", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape_fn=_select_v2_rule)


@register_gradient("Select")
def _select_grad(op, grad):
    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    return [None, where(cond, grad, zeros), where(cond, zeros, grad)]


@register_gradient("SelectV2")
def _select_v2_grad(op, grad):
    cond, t, e = op.inputs
    return [None, _sum_to_shape(where_v2(cond, grad, 0), t),
            _sum_to_shape(where_v2(cond, 0, grad), e)]


def _select(op_type, condition, x, y, name):
    dtype = _dtype_of_first_tensor(x, y)
    return _create(op_type, [condition, x, y], {"T": dtype} if dtype else {}, name)


def where(condition, x=None, y=None, name=None):
    """TF1 where(cond, x, y): Select (cond a scalar, x's shape, or a vector over x's dim 0)."""
    if x is None or y is None:
        raise ValueError("plano.where(condition) without x and y (the coordinates of true "
                         "elements) is not supported; pass both x and y.")
    return _select("Select", condition, x, y, name)


def where_v2(condition, x=None, y=None, name=None):
    """where(cond, x, y) with numpy broadcasting of all three (SelectV2)."""
    if x is None or y is None:
        raise ValueError("plano.where_v2(condition) without x and y (the coordinates of true "
                         "elements) is not supported; pass both x and y.")
    return _select("SelectV2", condition, x, y, name)


# ---------------------------------------------------------------- ClipByValue

def _clip_rule(op):
    t = op.inputs[0].shape
    for name, bound in zip(("clip_value_min", "clip_value_max"), op.inputs[1:]):
        s = bound.shape
        if s.rank not in (None, 0) and not s.is_compatible_with(t):
            raise ShapeError(f"{name} must be a scalar or have the shape of t: "
                             f"{s} vs {t}")
    return t


register_op("ClipByValue", inputs=["t: T", "clip_value_min: T", "clip_value_max: T"],
            outputs=["output: T"], attrs=["T: numbertype"], shape_fn=_clip_rule)


@register_gradient("ClipByValue")
def _clip_by_value_grad(op, grad):
    t, lo, hi = op.inputs
    below, above = less(t, lo), greater(t, hi)
    return [where_v2(logical_or(below, above), 0, grad),
            _sum_to_shape(where_v2(below, grad, 0), lo),
            _sum_to_shape(where_v2(above, grad, 0), hi)]


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps to [min, max] with Minimum then Maximum, as TF's clip_by_value."""
    values = convert_to_tensor(t)
    with values.graph.name_scope(name or "clip_by_value"):
        t_min = minimum(values, clip_value_max)
        if not values.shape.is_compatible_with(t_min.shape):
            raise ValueError(f"clip_by_value: clip_value_max of shape {t_min.shape} would "
                             f"broadcast t of shape {values.shape}")
        t_max = maximum(t_min, clip_value_min)
        if not values.shape.is_compatible_with(t_max.shape):
            raise ValueError(f"clip_by_value: clip_value_min would broadcast t of shape "
                             f"{values.shape} to {t_max.shape}")
        return t_max


__all__ = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_not", "logical_xor", "where", "where_v2",
           "clip_by_value"]
