"""Math ops: elementwise arithmetic, comparisons, reductions, matmul, casts.

Each op is declared with TensorFlow's name, inputs and attrs (types that plano
cannot represent, such as bfloat16 and complex, are left out of the allowed
lists). The Python helpers follow tf.compat.v1's names and signatures; each
op's gradient is registered in the section at the end of this module.
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
    broadcast_rule, broadcast_shapes, constant_value, constant_value_rule, require_rank,
    require_rank_at_least, unchanged_rule,
)

# ---------------------------------------------------------------- type lists (TF's, minus
# bfloat16 and complex, which plano has no dtype for)
_FLOAT = "{half, float, double}"
_UNARY = "{half, float, double, int8, int16, int32, int64}"
_UNARY_UNSIGNED = "{half, float, double, int8, int16, int32, int64, uint8, uint16, uint32, uint64}"
_BINARY_MORE = "{half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64}"
_BINARY_FEWER = "{half, float, double, int32, int64}"
_MIN_MAX = "{half, float, double, int8, uint8, int16, uint16, int32, uint32, int64, uint64}"


# ---------------------------------------------------------------- shape rules

def _merge(shapes, what: str) -> TensorShape:
    """Merges shapes that must be equal (AddN's inputs, Select's branches)."""
    out = TensorShape(None)
    for s in shapes:
        try:
            out = out.merge_with(s)
        except ValueError:
            if out.rank is not None and s.rank is not None and out.rank != s.rank:
                raise ShapeError(f"Shapes must be equal rank, but are {out.rank} and "
                                 f"{s.rank} ({what})") from None
            raise ShapeError(f"Shapes {out} and {s} must be equal ({what})") from None
    return out


def _add_n_rule(op):
    return _merge([t.shape for t in op.inputs], "merging the shapes of AddN's inputs")


def _equality_rule(op):
    try:
        return broadcast_rule(op)
    except ShapeError:
        if op.get_attr("incompatible_shape_error"):
            raise
        return TensorShape(None)


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


def _check_inner(a, b) -> None:
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")


def _matmul_rule(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    require_rank(a, 2, "a")
    require_rank(b, 2, "b")
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    a = a.dims if a.rank is not None else [None, None]
    b = b.dims if b.rank is not None else [None, None]
    _check_inner(a[0 if ta else 1], b[1 if tb else 0])
    return TensorShape([a[1 if ta else 0], b[0 if tb else 1]])


def _batch_matmul_rule(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    require_rank_at_least(a, 2, f"x has shape {a}")
    require_rank_at_least(b, 2, f"y has shape {b}")
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    _check_inner(a[-2 if adj_x else -1], b[-1 if adj_y else -2])
    batch = broadcast_shapes(a[:-2], b[:-2])
    return TensorShape(batch.dims + [a[-1 if adj_x else -2], b[-2 if adj_y else -1]])


def _select_rule(op):
    """TF1 Select: cond is a scalar, has the branches' shape, or is a vector over dim 0."""
    cond = op.inputs[0].shape
    data = _merge([op.inputs[1].shape, op.inputs[2].shape], "Select's 't' and 'e'")
    if cond.rank is None or data.rank is None or cond.rank == 0:
        return data
    if cond.rank != 1 or data.rank == 0:
        return _merge([data, cond], "Select's condition and branches")
    _check_inner(cond[0], data[0])
    return data


def _select_v2_rule(op):
    return broadcast_shapes(op.inputs[0].shape,
                            broadcast_shapes(op.inputs[1].shape, op.inputs[2].shape))


def _clip_rule(op):
    t = op.inputs[0].shape
    for name, bound in zip(("clip_value_min", "clip_value_max"), op.inputs[1:]):
        s = bound.shape
        if s.rank not in (None, 0) and not s.is_compatible_with(t):
            raise ShapeError(f"{name} must be a scalar or have the shape of t: "
                             f"{s} vs {t}")
    return t


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


# ---------------------------------------------------------------- declarations

def _binary_op(name: str, types: str, shape_fn=broadcast_rule) -> None:
    register_op(name, inputs=["x: T", "y: T"], outputs=["z: T"], attrs=[f"T: {types}"],
                shape_fn=shape_fn)


def _unary_op(name: str, types: str) -> None:
    register_op(name, inputs=["x: T"], outputs=["y: T"], attrs=[f"T: {types}"],
                shape_fn=unchanged_rule)


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

for _name in ("Neg", "Reciprocal", "Sign", "Round"):
    _unary_op(_name, _UNARY)
_unary_op("Abs", _UNARY)
_unary_op("Square", _UNARY_UNSIGNED)
for _name in ("Sqrt", "Rsqrt", "Exp", "Log", "Log1p", "Sin", "Cos", "Tanh", "Sigmoid", "Erf",
              "Floor", "Ceil"):
    _unary_op(_name, _FLOAT)
for _name in ("SigmoidGrad", "TanhGrad", "SqrtGrad", "RsqrtGrad", "ReciprocalGrad"):
    register_op(_name, inputs=["y: T", "dy: T"], outputs=["z: T"], attrs=[f"T: {_FLOAT}"],
                shape_fn=unchanged_rule)
register_op("IsFinite", inputs=["x: T"], outputs=["y: bool"], attrs=[f"T: {_FLOAT}"],
            shape_fn=unchanged_rule)

register_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
            attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
            shape_fn=unchanged_rule)

register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                   "T: {half, float, double, int32, int64, uint8, uint16, uint32, uint64}",
                   "grad_a: bool = false", "grad_b: bool = false"],
            shape_fn=_matmul_rule)
register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs=["T: {half, float, double, int16, int32, int64, uint8, uint16, uint32, "
                   "uint64}", "adj_x: bool = false", "adj_y: bool = false",
                   "grad_x: bool = false", "grad_y: bool = false"],
            shape_fn=_batch_matmul_rule)

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
register_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape_fn=_select_rule)
register_op("SelectV2", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape_fn=_select_v2_rule)

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
register_op("ArgMax", inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
            attrs=["T: {realnumbertype, bool}", "Tidx: {int16, int32, int64} = DT_INT32",
                   "output_type: {int16, uint16, int32, int64} = DT_INT64"],
            shape_fn=_arg_rule)
register_op("ArgMin", inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
            attrs=["T: {realnumbertype, bool}", "Tidx: {int32, int64} = DT_INT32",
                   "output_type: {int32, int64} = DT_INT64"],
            shape_fn=_arg_rule)
register_op("Cumsum", inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
            attrs=["exclusive: bool = false", "reverse: bool = false", "T: numbertype",
                   "Tidx: {int32, int64} = DT_INT32"], shape_fn=unchanged_rule)
register_op("ClipByValue", inputs=["t: T", "clip_value_min: T", "clip_value_max: T"],
            outputs=["output: T"], attrs=["T: numbertype"], shape_fn=_clip_rule)
register_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
            outputs=["output: Tidx"],
            attrs=["Tidx: {half, float, double, int8, int16, int32, int64, uint16, uint32} = "
                   "DT_INT32"], shape_fn=_range_rule)


@constant_value_rule("Cast")
def _cast_value(tensor):
    value = constant_value(tensor.op.inputs[0])
    if value is None:
        return None
    return np.asarray(value).astype(tensor.dtype.as_numpy_dtype)


@constant_value_rule("Range")
def _range_value(tensor):
    values = [constant_value(t) for t in tensor.op.inputs]
    if any(v is None for v in values):
        return None
    start, limit, delta = (np.asarray(v)[()] for v in values)
    n = range_size(start, limit, delta)
    dtype = tensor.dtype.as_numpy_dtype
    return (start + np.arange(n) * delta).astype(dtype) if n <= 1 << 16 else None


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


def negative(x, name=None):
    return _unary("Neg", x, name)


def abs(x, name=None):  # noqa: A001 - TF's name
    return _unary("Abs", x, name)


def sign(x, name=None):
    return _unary("Sign", x, name)


def reciprocal(x, name=None):
    return _unary("Reciprocal", x, name)


def square(x, name=None):
    return _unary("Square", x, name)


def sqrt(x, name=None):
    return _unary("Sqrt", x, name)


def rsqrt(x, name=None):
    return _unary("Rsqrt", x, name)


def exp(x, name=None):
    return _unary("Exp", x, name)


def log(x, name=None):
    return _unary("Log", x, name)


def log1p(x, name=None):
    return _unary("Log1p", x, name)


def sin(x, name=None):
    return _unary("Sin", x, name)


def cos(x, name=None):
    return _unary("Cos", x, name)


def tanh(x, name=None):
    return _unary("Tanh", x, name)


def sigmoid(x, name=None):
    return _unary("Sigmoid", x, name)


def erf(x, name=None):
    return _unary("Erf", x, name)


def floor(x, name=None):
    return _unary("Floor", x, name)


def ceil(x, name=None):
    return _unary("Ceil", x, name)


def is_finite(x, name=None):
    return _unary("IsFinite", x, name)


def round(x, name=None):  # noqa: A001 - TF's name
    """Rounds half to even (banker's rounding); integers are returned unchanged."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype.is_integer:
        return x
    return _unary("Round", x, name)


def sigmoid_grad(y, dy, name=None):
    """dy * y * (1 - y): the gradient of sigmoid given its output y."""
    return _binary("SigmoidGrad", y, dy, name)


def tanh_grad(y, dy, name=None):
    """dy * (1 - y * y): the gradient of tanh given its output y."""
    return _binary("TanhGrad", y, dy, name)


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


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product; inputs of rank > 2 (or unknown rank) use BatchMatMulV2.

    For real dtypes adjoint is transpose; `a_is_sparse`/`b_is_sparse` are
    accepted for compatibility and do not change the result.
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a, b = _as_pair(a, b)
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    if a.shape.rank is None or b.shape.rank is None or a.shape.rank > 2 or b.shape.rank > 2:
        return _binary("BatchMatMulV2", a, b, name, adj_x=ta, adj_y=tb)
    return _binary("MatMul", a, b, name, transpose_a=ta, transpose_b=tb)


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


# ---------------------------------------------------------------- reductions

def _pick(new, old, new_name: str, old_name: str):
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'.")
    return new if new is not None else old


def _axes_tensor(x: Tensor, axis):
    """The reduction indices: all axes for None, else `axis` as an int tensor."""
    if axis is None:
        if x.shape.rank is not None:
            return np.arange(x.shape.rank, dtype=np.int32)
        from plano.ops import array_ops

        return range(0, array_ops.rank(x))
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
    from plano.ops import array_ops

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


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along `axis`; `exclusive` leaves out the current element."""
    return _create("Cumsum", [x, axis], {"exclusive": bool(exclusive),
                                         "reverse": bool(reverse)}, name)


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


def scalar_mul(scalar, x, name=None):
    """scalar * x, where `scalar` must be a 0-d value."""
    x = convert_to_tensor(x)
    scalar = convert_to_tensor(scalar, dtype=None if _is_tensor_like(scalar)
                               else x.dtype.base_dtype)
    if scalar.shape.rank is not None and scalar.shape.rank != 0:
        raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
    return multiply(scalar, x, name=name)


__all__ = [
    "add", "add_n", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv",
    "floor_div", "floormod", "mod", "pow", "maximum", "minimum", "squared_difference",
    "negative", "abs", "sign", "reciprocal", "square", "sqrt", "rsqrt", "exp", "log", "log1p",
    "sin", "cos", "tanh", "sigmoid", "erf", "floor", "ceil", "round", "is_finite", "cast",
    "to_float", "to_int32", "to_int64", "to_double", "matmul", "equal", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_not",
    "logical_xor", "where", "where_v2", "reduce_sum", "reduce_mean", "reduce_max",
    "reduce_min", "reduce_prod", "reduce_all", "reduce_any", "reduce_logsumexp",
    "count_nonzero", "argmax", "argmin", "cumsum", "clip_by_value", "range", "scalar_mul",
]


# ---------------------------------------------------------------- gradients (TF's math_grad.py)
# Array helpers (shape, reshape, broadcasting) live in array_ops, which imports this
# module; gradient functions import it when they run.

not_differentiable("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
                   "LogicalAnd", "LogicalOr", "LogicalNot", "IsFinite", "All", "Any", "ArgMax",
                   "ArgMin", "Range", "Floor", "Ceil", "Round")


def _shape_of(x: Tensor):
    """x's shape as a Python list when known while building, else a Shape op."""
    from plano.ops import array_ops

    return _int_vector(x.shape.as_list()) if x.shape.is_fully_defined() else array_ops.shape(x)


def _int_vector(values) -> np.ndarray:
    """A shape or axes list as an int32 array (an empty Python list would become float)."""
    return np.asarray(values, dtype=np.int32)


def _sum_to_shape(grad, x: Tensor):
    """Sums a gradient of broadcast shape back to x's shape (TF's BroadcastGradientArgs +
    Sum + Reshape), statically when both shapes are known."""
    from plano.ops import array_ops

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
        return array_ops.reshape(reduce_sum(grad, axes), _int_vector(xs.as_list()))
    sx = array_ops.shape(x)
    rx, _ = array_ops.broadcast_gradient_args(sx, array_ops.shape(grad))
    return array_ops.reshape(reduce_sum(grad, rx), sx)


def _binary_grads(op, gx, gy) -> list:
    x, y = op.inputs
    return [_sum_to_shape(gx, x), _sum_to_shape(gy, y)]


@register_gradient("Add", "AddV2")
def _add_grad(op, grad):
    return _binary_grads(op, grad, grad)


@register_gradient("Sub")
def _sub_grad(op, grad):
    return _binary_grads(op, grad, negative(grad))


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, multiply(grad, y), multiply(x, grad))


@register_gradient("Div", "RealDiv")
def _div_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, realdiv(grad, y), multiply(grad, realdiv(realdiv(negative(x), y),
                                                                         y)))


register_gradient("FloorDiv")(lambda op, grad: [None, None])


@register_gradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, grad, multiply(grad, negative(floordiv(x, y))))


@register_gradient("Pow")
def _pow_grad(op, grad):
    """d/dx = y x^(y-1); d/dy = z log(x), taken as 0 where x <= 0 (as TF)."""
    x, y = op.inputs
    gx = multiply(multiply(grad, y), pow(x, subtract(y, 1)))
    positive = greater(x, 0)
    log_x = where_v2(positive, log(where_v2(positive, x, 1)), 0)
    return _binary_grads(op, gx, multiply(multiply(grad, op.outputs[0]), log_x))


def _min_max_grad(op, grad, select_x):
    x, y = op.inputs
    mask = select_x(x, y)
    return _binary_grads(op, where_v2(mask, grad, 0), where_v2(mask, 0, grad))


register_gradient("Maximum")(lambda op, grad: _min_max_grad(op, grad, greater_equal))
register_gradient("Minimum")(lambda op, grad: _min_max_grad(op, grad, less_equal))


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    gx = multiply(scalar_mul(2.0, grad), subtract(x, y))
    return _binary_grads(op, gx, negative(gx))


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


register_gradient("Neg")(lambda op, grad: [negative(grad)])
register_gradient("Abs")(lambda op, grad: [multiply(grad, sign(op.inputs[0]))])
register_gradient("Reciprocal")(lambda op, grad: [_create("ReciprocalGrad",
                                                          [op.outputs[0], grad], {}, None)])
register_gradient("Square")(lambda op, grad: [multiply(grad, multiply(op.inputs[0], 2.0))])
register_gradient("Sqrt")(lambda op, grad: [_create("SqrtGrad", [op.outputs[0], grad], {},
                                                    None)])
register_gradient("Rsqrt")(lambda op, grad: [_create("RsqrtGrad", [op.outputs[0], grad], {},
                                                     None)])
register_gradient("Exp")(lambda op, grad: [multiply(grad, op.outputs[0])])
register_gradient("Log")(lambda op, grad: [multiply(grad, reciprocal(op.inputs[0]))])
register_gradient("Log1p")(lambda op, grad: [multiply(grad, reciprocal(add(1, op.inputs[0])))])
register_gradient("Sin")(lambda op, grad: [multiply(grad, cos(op.inputs[0]))])
register_gradient("Cos")(lambda op, grad: [negative(multiply(grad, sin(op.inputs[0])))])
register_gradient("Tanh")(lambda op, grad: [tanh_grad(op.outputs[0], grad)])
register_gradient("Sigmoid")(lambda op, grad: [sigmoid_grad(op.outputs[0], grad)])


@register_gradient("Sign")
def _sign_grad(op, grad):
    from plano.ops import array_ops

    return [array_ops.zeros_like(op.inputs[0])]


@register_gradient("Erf")
def _erf_grad(op, grad):
    x = op.inputs[0]
    return [multiply(grad, multiply(2 / np.sqrt(np.pi), exp(negative(square(x)))))]


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    y, dy = op.inputs
    gb = multiply(grad, dy)
    return [subtract(gb, multiply(multiply(2.0, gb), y)), sigmoid_grad(y, grad)]


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(grad, -2.0), multiply(dy, y)), tanh_grad(y, grad)]


@register_gradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    y = op.inputs[0]
    ga = realdiv(grad, y)
    return [multiply(negative(op.outputs[0]), ga), multiply(0.5, ga)]


@register_gradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(-1.5, grad), multiply(dy, square(y))),
            _create("RsqrtGrad", [y, grad], {}, None)]


@register_gradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(grad, -2.0), multiply(dy, y)),
            _create("ReciprocalGrad", [y, grad], {}, None)]


@register_gradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    if src.is_floating and grad.dtype.base_dtype.is_floating:
        return [cast(grad, src)]
    return [None]


def _mm(op_type, a, b, ta, tb, flag):
    names = ("transpose_a", "transpose_b") if op_type == "MatMul" else ("adj_x", "adj_y")
    return _binary(op_type, a, b, None, **{names[0]: ta, names[1]: tb, flag: True})


def _matmul_grads(op_type, a, b, grad, ta, tb, flags) -> tuple:
    """Gradients of a @ b (each possibly transposed), as TF's _MatMulGrad writes them."""
    fa, fb = flags
    if not ta and not tb:
        return _mm(op_type, grad, b, False, True, fa), _mm(op_type, a, grad, True, False, fb)
    if not ta and tb:
        return _mm(op_type, grad, b, False, False, fa), _mm(op_type, grad, a, True, False, fb)
    if ta and not tb:
        return _mm(op_type, b, grad, False, True, fa), _mm(op_type, a, grad, False, False, fb)
    return _mm(op_type, b, grad, True, True, fa), _mm(op_type, grad, a, True, True, fb)


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    return list(_matmul_grads("MatMul", a, b, grad, op.get_attr("transpose_a"),
                              op.get_attr("transpose_b"), ("grad_a", "grad_b")))


@register_gradient("BatchMatMulV2")
def _batch_matmul_grad(op, grad):
    x, y = op.inputs
    gx, gy = _matmul_grads("BatchMatMulV2", x, y, grad, op.get_attr("adj_x"),
                           op.get_attr("adj_y"), ("grad_x", "grad_y"))
    return [_sum_to_shape(gx, x), _sum_to_shape(gy, y)]


@register_gradient("Select")
def _select_grad(op, grad):
    from plano.ops import array_ops

    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    return [None, where(cond, grad, zeros), where(cond, zeros, grad)]


@register_gradient("SelectV2")
def _select_v2_grad(op, grad):
    cond, t, e = op.inputs
    return [None, _sum_to_shape(where_v2(cond, grad, 0), t),
            _sum_to_shape(where_v2(cond, 0, grad), e)]


@register_gradient("ClipByValue")
def _clip_by_value_grad(op, grad):
    t, lo, hi = op.inputs
    below, above = less(t, lo), greater(t, hi)
    return [where_v2(logical_or(below, above), 0, grad),
            _sum_to_shape(where_v2(below, grad, 0), lo),
            _sum_to_shape(where_v2(above, grad, 0), hi)]


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    return [cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                   reverse=not op.get_attr("reverse")), None]


def _kept_dims_shape(op):
    """The shape a reduction's output would have with keep_dims (TF's reduced_shape)."""
    from plano.ops import array_ops

    x, axes = op.inputs
    values = constant_value(axes)
    if values is not None and x.shape.is_fully_defined():
        reduced = set(_normalize_axes(values, x.shape.rank))
        return _int_vector([1 if i in reduced else d for i, d in enumerate(x.shape.dims)])
    rank = array_ops.rank(x)
    axes = floormod(cast(array_ops.reshape(axes, [1, -1]), dtypes.int32), rank)
    is_reduced = reduce_any(equal(array_ops.reshape(range(rank), [-1, 1]), axes), 1)
    return where_v2(is_reduced, 1, array_ops.shape(x))


def _grad_with_kept_dims(op, grad):
    from plano.ops import array_ops

    if op.get_attr("keep_dims"):
        return grad
    return array_ops.reshape(grad, _kept_dims_shape(op))


def _broadcast_to_input(op, grad):
    """The reduction's gradient spread over every input element it summarized."""
    from plano.ops import array_ops

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
    from plano.ops import array_ops

    spread = _broadcast_to_input(op, grad)
    x, y = op.inputs[0], op.outputs[0]
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        factor = x.shape.num_elements() // builtins.max(y.shape.num_elements(), 1)
        return [realdiv(spread, factor), None]
    factor = floordiv(reduce_prod(array_ops.shape(x)),
                      maximum(reduce_prod(array_ops.shape(y)), 1))
    return [realdiv(spread, cast(factor, grad.dtype)), None]


@register_gradient("Max", "Min")
def _min_max_reduction_grad(op, grad):
    """The gradient goes to the elements equal to the result, split evenly among ties."""
    from plano.ops import array_ops

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
