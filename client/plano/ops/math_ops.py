"""Math ops: elementwise arithmetic, casts, Range.

Each op is declared with TensorFlow's name, inputs and attrs (types that plano
cannot represent, such as bfloat16 and complex, are left out of the allowed
lists), with its gradient (TF's math_grad.py) beside it. The Python helpers follow
tf.compat.v1's names and signatures. Elementwise functions live in unary_ops,
comparisons and selection in comparison_ops, matrix products in matmul_ops,
reductions in reduction_ops; those build on this module's helpers, so this module
imports them only when a gradient runs.
"""
from __future__ import annotations

import builtins

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import ShapeError, _is_tensor_like, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops.shape_util import (
    broadcast_rule, constant_value, constant_value_rule, merge_equal_shapes, require_rank,
    unchanged_rule,
)


# ---------------------------------------------------------------- type lists (TF's, minus
# bfloat16 and complex, which plano has no dtype for)
_FLOAT = "{half, float, double}"
_UNARY = "{half, float, double, int8, int16, int32, int64}"
_UNARY_UNSIGNED = "{half, float, double, int8, int16, int32, int64, uint8, uint16, uint32, uint64}"
_BINARY_MORE = "{half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64}"
_BINARY_FEWER = "{half, float, double, int32, int64}"
_MIN_MAX = "{half, float, double, int8, uint8, int16, uint16, int32, uint32, int64, uint64}"


# ---------------------------------------------------------------- building helpers

def _dtype_of_first_tensor(*values):
    return next((v.dtype.base_dtype for v in values if _is_tensor_like(v)), None)


def _create(op_type: str, inputs: list, attrs: dict, name):
    flat = [v for i in inputs for v in (i if isinstance(i, list) else [i])]
    graph = next((v.graph for v in flat if _is_tensor_like(v)), None) or get_default_graph()
    return graph.create_op(op_type, inputs, attrs, name=name or op_type).outputs[0]


def _binary(op_type: str, x, y, name, **attrs):
    """A binary op whose Python-value operand takes the tensor operand's dtype (as TF's)."""
    dtype = _dtype_of_first_tensor(x, y)
    if dtype is not None:
        attrs["T"] = dtype
    return _create(op_type, [x, y], attrs, name)


def _unary(op_type: str, x, name):
    return _create(op_type, [x], {}, name)


def _as_pair(x, y) -> tuple[Tensor, Tensor]:
    dtype = _dtype_of_first_tensor(x, y)
    return (convert_to_tensor(x, dtype=None if _is_tensor_like(x) else dtype),
            convert_to_tensor(y, dtype=None if _is_tensor_like(y) else dtype))


# ---------------------------------------------------------------- gradient helpers

def _int_vector(values) -> np.ndarray:
    """A shape or axes list as an int32 array (an empty Python list would become float)."""
    return np.asarray(values, dtype=np.int32)


def _sum_to_shape(grad, x: Tensor):
    """Sums a gradient of broadcast shape back to x's shape (TF's BroadcastGradientArgs +
    Sum + Reshape), statically when both shapes are known."""
    from plano.ops import array_ops, reduction_ops

    if grad is None:
        return None
    gs, xs = grad.shape, x.shape
    if xs.rank is not None and gs.rank == xs.rank and xs.is_fully_defined() and \
            (gs == xs or all(d != 1 for d in xs.dims)):
        return grad
    if xs.is_fully_defined() and gs.is_fully_defined():
        lead = gs.rank - xs.rank
        axes = list(builtins.range(lead)) + [lead + i for i, d in enumerate(xs.dims)
                                             if d == 1 and gs.dims[lead + i] != 1]
        summed = reduction_ops.reduce_sum(grad, axes)
        if summed.shape.is_fully_defined() and summed.shape == xs:
            return summed  # a bias's gradient: the sum already has its shape
        return array_ops.reshape(summed, _int_vector(xs.as_list()))
    sx = array_ops.shape(x)
    rx, _ = array_ops.broadcast_gradient_args(sx, array_ops.shape(grad))
    return array_ops.reshape(reduction_ops.reduce_sum(grad, rx), sx)


def _negate(x):
    """Neg, for the gradients below (its helper, `negative`, lives in unary_ops)."""
    return _unary("Neg", x, None)


def _binary_grads(op, gx, gy) -> list:
    x, y = op.inputs
    return [_sum_to_shape(gx, x), _sum_to_shape(gy, y)]


# ---------------------------------------------------------------- binary arithmetic

def _add_n_rule(op):
    return merge_equal_shapes([t.shape for t in op.inputs], "merging the shapes of AddN's inputs")


def _binary_op(name: str, types: str, shape_fn=broadcast_rule) -> None:
    register_op(name, inputs=["x: T", "y: T"], outputs=["z: T"], attrs=[f"T: {types}"],
                shape_fn=shape_fn)


_binary_op("Add", "{half, float, double, uint8, int8, int16, int32, int64, string}")
_binary_op("AddV2", "{half, float, double, uint8, uint16, uint32, uint64, int8, int16, int32, "
           "int64}")
for _name in ("Sub", "Mul", "Div", "RealDiv", "FloorDiv"):
    _binary_op(_name, _BINARY_MORE)
_binary_op("FloorMod", _MIN_MAX)
_binary_op("Pow", "{float, half, double, int8, int16, int32, int64}")
_binary_op("Maximum", _MIN_MAX)
_binary_op("Minimum", _MIN_MAX)
_binary_op("SquaredDifference", _BINARY_FEWER)
register_op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"],
            attrs=["N: int >= 1", "T: numbertype"], shape_fn=_add_n_rule)


@register_gradient("Add", "AddV2")
def _add_grad(op, grad):
    return _binary_grads(op, grad, grad)


@register_gradient("Sub")
def _sub_grad(op, grad):
    return _binary_grads(op, grad, _negate(grad))


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, multiply(grad, y), multiply(x, grad))


@register_gradient("Div", "RealDiv")
def _div_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, realdiv(grad, y), multiply(grad, realdiv(realdiv(_negate(x), y),
                                                                         y)))


register_gradient("FloorDiv")(lambda op, grad: [None, None])


@register_gradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, grad, multiply(grad, _negate(floordiv(x, y))))


@register_gradient("Pow")
def _pow_grad(op, grad):
    """d/dx = y x^(y-1); d/dy = z log(x), taken as 0 where x <= 0 (as TF)."""
    from plano.ops.comparison_ops import greater, where_v2

    x, y = op.inputs
    gx = multiply(multiply(grad, y), pow(x, subtract(y, 1)))
    positive = greater(x, 0)
    log_x = where_v2(positive, _unary("Log", where_v2(positive, x, 1), None), 0)
    return _binary_grads(op, gx, multiply(multiply(grad, op.outputs[0]), log_x))


@register_gradient("Maximum", "Minimum")
def _min_max_grad(op, grad):
    from plano.ops.comparison_ops import greater_equal, less_equal, where_v2

    x, y = op.inputs
    mask = (greater_equal if op.type == "Maximum" else less_equal)(x, y)
    return _binary_grads(op, where_v2(mask, grad, 0), where_v2(mask, 0, grad))


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    gx = multiply(scalar_mul(2.0, grad), subtract(x, y))
    return _binary_grads(op, gx, _negate(gx))


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


def add(x, y, name=None):
    return _binary("AddV2", x, y, name)


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name)


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name)


def realdiv(x, y, name=None):
    return _binary("RealDiv", x, y, name)


# TF's truediv: integers are divided as floats (8/16-bit -> float32, wider -> float64).
_TRUEDIV_FLOAT = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                  dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                  dtypes.int32: dtypes.float64, dtypes.uint32: dtypes.float64,
                  dtypes.int64: dtypes.float64, dtypes.uint64: dtypes.float64}


def truediv(x, y, name=None):
    """x / y in floating point; integer operands are cast first, as TF's truediv."""
    x, y = _as_pair(x, y)
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(f"Op 'RealDiv' (truediv): x and y must have the same dtype, got "
                        f"{x.dtype.base_dtype.name} != {y.dtype.base_dtype.name}")
    target = _TRUEDIV_FLOAT.get(x.dtype.base_dtype)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return realdiv(x, y, name=name)


divide = truediv


def div(x, y, name=None):
    """TF1's div: floor division for integers, true division for floats (Python 2 style)."""
    x, y = _as_pair(x, y)
    if x.dtype.base_dtype.is_integer:
        return floordiv(x, y, name=name)
    return realdiv(x, y, name=name)


def floordiv(x, y, name=None):
    return _binary("FloorDiv", x, y, name)


floor_div = floordiv


def floormod(x, y, name=None):
    """Remainder with the sign of the divisor, as Python's `%`."""
    return _binary("FloorMod", x, y, name)


mod = floormod


def pow(x, y, name=None):  # noqa: A001 - TF's name
    return _binary("Pow", x, y, name)


def maximum(x, y, name=None):
    return _binary("Maximum", x, y, name)


def minimum(x, y, name=None):
    return _binary("Minimum", x, y, name)


def squared_difference(x, y, name=None):
    return _binary("SquaredDifference", x, y, name)


def add_n(inputs, name=None):
    """Sum of same-shaped tensors; one input is returned as it is."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype "
                         "and shape")
    if len(inputs) == 1:
        value = convert_to_tensor(inputs[0])
        if name:
            from plano.ops import array_ops

            return array_ops.identity(value, name=name)
        return value
    dtype = _dtype_of_first_tensor(*inputs)
    return _create("AddN", [list(inputs)], {"T": dtype} if dtype else {}, name)


def scalar_mul(scalar, x, name=None):
    """scalar * x, where `scalar` must be a 0-d value."""
    x = convert_to_tensor(x)
    scalar = convert_to_tensor(scalar, dtype=None if _is_tensor_like(scalar)
                               else x.dtype.base_dtype)
    if scalar.shape.rank is not None and scalar.shape.rank != 0:
        raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
    return multiply(scalar, x, name=name)


# ---------------------------------------------------------------- Cast

register_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
            attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
            shape_fn=unchanged_rule)


@constant_value_rule("Cast")
def _cast_value(tensor):
    value = constant_value(tensor.op.inputs[0])
    if value is None:
        return None
    return np.asarray(value).astype(tensor.dtype.as_numpy_dtype)


@register_gradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    if src.is_floating and grad.dtype.base_dtype.is_floating:
        return [cast(grad, src)]
    return [None]


def cast(x, dtype, name=None):
    """Converts to `dtype` (float to int truncates toward zero); same dtype returns x."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    x = convert_to_tensor(x)
    if x.dtype.base_dtype == dtype:
        return x
    return _create("Cast", [x], {"DstT": dtype}, name or "Cast")


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


# ---------------------------------------------------------------- Range

def range_size(start, limit, delta) -> int:
    """The length of Range(start, limit, delta), with TF's checks and messages."""
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if start > limit and delta > 0:
        raise ValueError(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if start < limit and delta < 0:
        raise ValueError(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if isinstance(start, (np.integer, int)) and isinstance(delta, (np.integer, int)):
        return int(-(-builtins.abs(int(limit) - int(start)) // builtins.abs(int(delta))))
    size = np.ceil(builtins.abs((limit - start) / delta))
    if not size <= np.iinfo(np.int64).max:
        raise ValueError(f"Requires ((limit - start) / delta) <= {np.iinfo(np.int64).max}")
    return int(size)


def _range_rule(op):
    for name, t in zip(("start", "limit", "delta"), op.inputs):
        require_rank(t.shape, 0, name)
    values = [constant_value(t) for t in op.inputs]
    if any(v is None for v in values):
        return TensorShape([None])
    try:
        return TensorShape([range_size(*(np.asarray(v)[()] for v in values))])
    except ValueError as e:
        raise ShapeError(str(e)) from None


register_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
            outputs=["output: Tidx"],
            attrs=["Tidx: {half, float, double, int8, int16, int32, int64, uint16, uint32} = "
                   "DT_INT32"], shape_fn=_range_rule)
not_differentiable("Range")


@constant_value_rule("Range")
def _range_value(tensor):
    values = [constant_value(t) for t in tensor.op.inputs]
    if any(v is None for v in values):
        return None
    start, limit, delta = (np.asarray(v)[()] for v in values)
    n = range_size(start, limit, delta)
    dtype = tensor.dtype.as_numpy_dtype
    return (start + np.arange(n) * delta).astype(dtype) if n <= 1 << 16 else None


_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """[start, start + delta, ...) up to `limit`; range(n) counts from 0 (TF's tf.range)."""
    if limit is None:
        start, limit = 0, start
    graph = next((v.graph for v in (start, limit, delta) if _is_tensor_like(v)), None) \
        or get_default_graph()
    with graph.name_scope(name):
        values = [convert_to_tensor(v, dtype=dtype if not _is_tensor_like(v) else None,
                                    name=n) for v, n in zip((start, limit, delta),
                                                            ("start", "limit", "delta"))]
        if dtype is None:
            target = builtins.max((v.dtype.base_dtype for v in values),
                                  key=lambda d: _RANGE_DTYPES.index(d)
                                  if d in _RANGE_DTYPES else -1)
        else:
            target = dtypes.as_dtype(dtype)
        values = [cast(v, target) for v in values]
        return graph.create_op("Range", values, {"Tidx": target}, name="Range").outputs[0]


__all__ = [
    "add", "add_n", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv",
    "floor_div", "floormod", "mod", "pow", "maximum", "minimum", "squared_difference",
    "scalar_mul", "cast", "to_float", "to_int32", "to_int64", "to_double", "range",
]
