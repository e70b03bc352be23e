"""Array ops: placeholders, identity, shapes, reshaping, filling, broadcasting, transposing.

Each op is declared with TF's name, inputs and attrs, a shape rule following
TF's shape function, and (for differentiable ops) TF's gradient formula. Joining
and tiling ops live in join_ops, slicing and gathering ops in slicing_ops.
"""
from __future__ import annotations

import numbers

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops.shape_util import (
    constant_value, constant_value_rule, fold_partial_value, require_rank, scalar_rule,
    shape_value, unchanged_rule,
)

_INDEX = "{int32, int64} = DT_INT32"


# ---------------------------------------------------------------- placeholders, identity

register_op("Placeholder", outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape = <unknown>"],
            shape_fn=lambda op: op.get_attr("shape"))
register_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape"], shape_fn=lambda op: op.get_attr("shape"))
register_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape_fn=unchanged_rule)
register_op("StopGradient", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape_fn=unchanged_rule)
register_op("PreventGradient", inputs=["input: T"], outputs=["output: T"],
            attrs=["T: type", "message: string = ''"], shape_fn=unchanged_rule)


@constant_value_rule("Identity", "StopGradient")
def _identity_value(tensor):
    return constant_value(tensor.op.inputs[0])


@register_gradient("Identity", "PlaceholderWithDefault")
def _identity_grad(op, grad):
    return [grad]


@register_gradient("PreventGradient")
def _prevent_gradient_grad(op, grad):
    raise LookupError(f"Gradient explicitly disabled. Reason: {op.get_attr('message').decode()}")


not_differentiable("StopGradient", "Placeholder", "Const")


def placeholder(dtype, shape=None, name=None):
    """tf.compat.v1.placeholder: a tensor that must be fed."""
    return get_default_graph().create_op(
        "Placeholder", [], {"dtype": dtypes.as_dtype(dtype), "shape": TensorShape(shape)},
        name=name or "Placeholder").outputs[0]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """A placeholder that yields `input` when not fed."""
    value = convert_to_tensor(input)
    shape = TensorShape(shape)
    if not value.shape.is_compatible_with(shape):
        raise ValueError(f"Default value of placeholder_with_default has shape {value.shape}, "
                         f"incompatible with shape {shape}")
    return get_default_graph().create_op(
        "PlaceholderWithDefault", [value], {"dtype": value.dtype, "shape": shape},
        name=name or "PlaceholderWithDefault").outputs[0]


def identity(input, name=None):  # noqa: A002
    x = convert_to_tensor(input, allow_ref=True)
    return x.graph.create_op("Identity", [x], name=name or "Identity").outputs[0]


def _unary(op_type, x, name, attrs=None):
    x = convert_to_tensor(x)
    return x.graph.create_op(op_type, [x], attrs, name=name or op_type).outputs[0]


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, but gradients do not flow back through it."""
    return _unary("StopGradient", input, name)


def prevent_gradient(input, message="", name=None):  # noqa: A002
    """The same value; asking for its gradient is an error (LookupError)."""
    return _unary("PreventGradient", input, name, {"message": message})


# ---------------------------------------------------------------- Shape, Size, Rank

def _shape_rule(op):
    rank = op.inputs[0].shape.rank
    return TensorShape([rank])


register_op("Shape", inputs=["input: T"], outputs=["output: out_type"],
            attrs=["T: type", f"out_type: {_INDEX}"], shape_fn=_shape_rule)
register_op("Size", inputs=["input: T"], outputs=["output: out_type"],
            attrs=["T: type", f"out_type: {_INDEX}"], shape_fn=scalar_rule)
register_op("Rank", inputs=["input: T"], outputs=["output: int32"], attrs=["T: type"],
            shape_fn=scalar_rule)
register_op("ShapeN", inputs=["input: N * T"], outputs=["output: N * out_type"],
            attrs=["N: int >= 1", "T: type", f"out_type: {_INDEX}"],
            shape_fn=lambda op: [TensorShape([t.shape.rank]) for t in op.inputs])
not_differentiable("Shape", "ShapeN", "Size", "Rank")
constant_value_rule("Shape")(fold_partial_value)


@constant_value_rule("Size")
def _size_value(tensor):
    n = tensor.op.inputs[0].shape.num_elements()
    return None if n is None else np.array(n, tensor.dtype.as_numpy_dtype)


@constant_value_rule("Rank")
def _rank_value(tensor):
    rank = tensor.op.inputs[0].shape.rank
    return None if rank is None else np.array(rank, np.int32)


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """tf.shape: a Const when the static shape is fully known (as TF builds it), else Shape."""
    return _shape_like("Shape", input, name, out_type, lambda s: s.as_list()
                       if s.is_fully_defined() else None)


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """tf.shape_n: the shapes of several tensors, as one ShapeN node."""
    tensors = [convert_to_tensor(t) for t in input]
    op = tensors[0].graph.create_op("ShapeN", [tensors], {"out_type": out_type},
                                    name=name or "ShapeN")
    return op.outputs


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    return _shape_like("Size", input, name, out_type, lambda s: s.num_elements())


def rank(input, name=None):  # noqa: A002
    return _shape_like("Rank", input, name, None, lambda s: s.rank)


def _shape_like(op_type, input, name, out_type, static):  # noqa: A002
    from plano.ops.constant_op import constant

    x = convert_to_tensor(input)
    known = static(x.shape)
    if known is not None:
        return constant(known, dtype=out_type or dtypes.int32, name=name or op_type,
                        graph=x.graph)
    attrs = {} if out_type is None else {"out_type": dtypes.as_dtype(out_type)}
    return x.graph.create_op(op_type, [x], attrs, name=name or op_type).outputs[0]


# ---------------------------------------------------------------- Reshape

def _reshape_rule(op):
    in_shape = op.inputs[0].shape
    out = shape_value(op.inputs[1])
    if out.rank is None or in_shape.rank is None:
        return out
    out_unknown = [i for i, d in enumerate(out.dims) if d is None]
    in_unknown = [i for i, d in enumerate(in_shape.dims) if d is None]
    if len(out_unknown) > 1 or len(in_unknown) > 1:
        return out
    known_out = int(np.prod([d for d in out.dims if d is not None], dtype=np.int64))
    known_in = int(np.prod([d for d in in_shape.dims if d is not None], dtype=np.int64))
    if not out_unknown and not in_unknown and known_in != known_out:
        raise ShapeError(f"Cannot reshape a tensor with {known_in} elements to shape "
                         f"{format_shape(out)} ({known_out} elements)")
    if out_unknown and not in_unknown and known_out > 0:
        if known_in % known_out:
            raise ShapeError(f"Dimension size must be evenly divisible by {known_out} but is "
                             f"{known_in}")
        dims = out.dims
        dims[out_unknown[0]] = known_in // known_out
        return TensorShape(dims)
    if in_unknown and not out_unknown and known_in != 0 and known_out % known_in:
        raise ShapeError(f"Dimension size must be evenly divisible by {known_in} but is "
                         f"{known_out}")
    if in_unknown and out_unknown and known_in == known_out:
        dims = out.dims
        dims[out_unknown[0]] = in_shape.dims[in_unknown[0]]
        return TensorShape(dims)
    return out


register_op("Reshape", inputs=["tensor: T", "shape: Tshape"], outputs=["output: T"],
            attrs=["T: type", f"Tshape: {_INDEX}"], shape_fn=_reshape_rule)


@register_gradient("Reshape")
def _reshape_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """tf.reshape: same elements, new shape; one dimension may be -1 (inferred)."""
    tensor = convert_to_tensor(tensor)
    return tensor.graph.create_op("Reshape", [tensor, shape], name=name or "Reshape").outputs[0]


# ---------------------------------------------------------------- Fill, ZerosLike, OnesLike

def _fill_rule(op):
    require_rank(op.inputs[0].shape, 1, "dims")
    require_rank(op.inputs[1].shape, 0, "value")
    dims = constant_value(op.inputs[0])
    if dims is not None and np.any(np.asarray(dims) < 0):
        raise ShapeError("Fill dimensions must be >= 0")
    return shape_value(op.inputs[0])


register_op("Fill", inputs=["dims: index_type", "value: T"], outputs=["output: T"],
            attrs=["T: type", f"index_type: {_INDEX}"], shape_fn=_fill_rule)
register_op("ZerosLike", inputs=["x: T"], outputs=["y: T"], attrs=["T: type"],
            shape_fn=unchanged_rule)
register_op("OnesLike", inputs=["x: T"], outputs=["y: T"],
            attrs=["T: {half, float, double, int8, uint8, int16, uint16, int32, uint32, int64, "
                   "uint64, bool}"], shape_fn=unchanged_rule)
not_differentiable("ZerosLike", "OnesLike")
_MAX_FOLDED_ELEMENTS = 1000  # larger build-time values are left to the server


@constant_value_rule("Fill")
def _fill_value(tensor):
    dims, value = (constant_value(t) for t in tensor.op.inputs)
    if dims is None or value is None or np.prod(dims) > _MAX_FOLDED_ELEMENTS:
        return None
    return np.full([int(d) for d in dims], value, dtype=tensor.dtype.as_numpy_dtype)


@register_gradient("Fill")
def _fill_grad(op, grad):
    from plano.ops import reduction_ops

    return [None, reduction_ops.reduce_sum(grad)]


def fill(dims, value, name=None):
    """tf.fill: a tensor of shape `dims` with every element `value`."""
    value = convert_to_tensor(value)
    return value.graph.create_op("Fill", [dims, value], name=name or "Fill").outputs[0]


def zeros(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    return _filled(shape, dtype, name or "zeros", 0)


def ones(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    return _filled(shape, dtype, name or "ones", 1)


def _filled(shape, dtype, name, scalar):
    """As TF: a Const when the shape is a small Python value, else Fill (keeps GraphDefs small)."""
    from plano.ops.constant_op import constant

    dtype = dtypes.as_dtype(dtype)
    value = b"" if dtype is dtypes.string else np.array(scalar).astype(dtype.as_numpy_dtype)
    graph = shape.graph if isinstance(shape, Tensor) else get_default_graph()
    if not isinstance(shape, Tensor):
        if isinstance(shape, TensorShape):
            shape = shape.as_list()
        flat = list(shape) if isinstance(shape, (list, tuple)) else [shape]
        if not any(isinstance(d, Tensor) for d in flat) and \
                np.prod(np.array(flat, dtype=np.int64)) < _MAX_FOLDED_ELEMENTS:
            return constant(value, dtype=dtype, shape=flat, name=name)
    with graph.name_scope(name) as scope:
        dims = convert_to_tensor(shape, dtype=None if isinstance(shape, Tensor) else
                                 dtypes.int32)
        if dims.shape.rank == 0:
            dims = reshape(dims, [-1])
        return fill(dims, constant(value, dtype=dtype), name=scope)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """tf.compat.v1.zeros_like: a Const when the shape is known, else ZerosLike."""
    tensor = convert_to_tensor(tensor)
    dtype = tensor.dtype.base_dtype if dtype is None else dtypes.as_dtype(dtype)
    if optimize and tensor.shape.is_fully_defined():
        return zeros(tensor.shape.as_list(), dtype, name=name)
    if dtype != tensor.dtype.base_dtype:
        return zeros(shape(tensor), dtype, name=name)
    return tensor.graph.create_op("ZerosLike", [tensor], name=name or "zeros_like").outputs[0]


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """tf.compat.v1.ones_like: ones of the tensor's shape (TF builds Fill or a Const)."""
    tensor = convert_to_tensor(tensor)
    dtype = tensor.dtype.base_dtype if dtype is None else dtypes.as_dtype(dtype)
    if optimize and tensor.shape.is_fully_defined():
        return ones(tensor.shape.as_list(), dtype, name=name)
    result = ones(shape(tensor), dtype, name=name)
    result.set_shape(tensor.shape)
    return result


# ---------------------------------------------------------------- broadcasting

def _broadcast_to_rule(op):
    require_rank(op.inputs[1].shape, 1, "shape")
    out = shape_value(op.inputs[1])
    in_shape = op.inputs[0].shape
    if out.rank is None or in_shape.rank is None:
        return out
    if in_shape.rank > out.rank:
        raise ShapeError(f"Shape must be at most rank {out.rank} but is rank {in_shape.rank}")
    dims = out.dims
    for i in range(1, in_shape.rank + 1):
        d = in_shape.dims[-i]
        if d is not None and d > 1:
            if dims[-i] is not None and dims[-i] != d:
                raise ShapeError(f"Dimensions must be equal, but are {dims[-i]} and {d}")
            dims[-i] = d
    return TensorShape(dims)


register_op("BroadcastTo", inputs=["input: T", "shape: Tidx"], outputs=["output: T"],
            attrs=["T: type", f"Tidx: {_INDEX}"], shape_fn=_broadcast_to_rule)
register_op("BroadcastGradientArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T", "r1: T"],
            attrs=["T: {int32, int64} = DT_INT32"],
            shape_fn=lambda op: [TensorShape([None]), TensorShape([None])])
not_differentiable("BroadcastGradientArgs")


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    from plano.ops import reduction_ops

    x, target = op.inputs
    x_shape = shape(x, out_type=target.dtype)
    static = constant_value(target)
    if static is not None:
        target = convert_to_tensor(static.astype(target.dtype.as_numpy_dtype))
    _, axes = broadcast_gradient_args(target, x_shape)
    summed = reduction_ops.reduce_sum(grad, axis=axes, keepdims=True)
    return [reshape(summed, x_shape), None]


def broadcast_to(input, shape, name=None):  # noqa: A002,F811
    """tf.broadcast_to: numpy broadcasting of `input` to `shape`."""
    x = convert_to_tensor(input)
    return x.graph.create_op("BroadcastTo", [x, shape], name=name or "BroadcastTo").outputs[0]


def broadcast_gradient_args(s0, s1, name=None):
    """(r0, r1): the axes to sum a broadcast result's gradient over for each input."""
    s0 = convert_to_tensor(s0)
    op = s0.graph.create_op("BroadcastGradientArgs", [s0, s1],
                            name=name or "BroadcastGradientArgs")
    return op.outputs[0], op.outputs[1]


# ---------------------------------------------------------------- Transpose, InvertPermutation

def _transpose_rule(op):
    in_shape = op.inputs[0].shape
    perm_shape = op.inputs[1].shape
    perm = constant_value(op.inputs[1])
    n_perm = perm_shape[0] if perm_shape.rank == 1 else None
    if in_shape.rank is None and n_perm is None and perm is None:
        return TensorShape(None)
    rank = in_shape.rank if in_shape.rank is not None else (
        n_perm if n_perm is not None else np.size(perm))
    if in_shape.rank is None and rank < 2:
        return in_shape
    require_rank(perm_shape, 1, "perm")
    if n_perm is not None and n_perm != rank:
        raise ShapeError(f"Dimension must be {rank} but is {n_perm}")
    if perm is None:
        return TensorShape([None] * rank)
    dims = in_shape.dims if in_shape.rank is not None else [None] * rank
    out = []
    for p in np.reshape(perm, -1):
        if p >= rank:
            raise ShapeError(f"perm dim {int(p)} is out of range of input rank {rank}")
        out.append(dims[int(p)])
    return TensorShape(out)


register_op("Transpose", inputs=["x: T", "perm: Tperm"], outputs=["y: T"],
            attrs=["T: type", f"Tperm: {_INDEX}"], shape_fn=_transpose_rule)
register_op("InvertPermutation", inputs=["x: T"], outputs=["y: T"],
            attrs=["T: {int32, int64} = DT_INT32"], shape_fn=unchanged_rule)
not_differentiable("InvertPermutation")


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    return [transpose(grad, invert_permutation(op.inputs[1])), None]


def invert_permutation(x, name=None):
    return _unary("InvertPermutation", x, name)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """tf.transpose: `perm=None` reverses the dimensions."""
    a = convert_to_tensor(a)
    with a.graph.name_scope(name) as scope:
        if perm is None:
            if a.shape.rank is not None:
                perm = np.arange(a.shape.rank - 1, -1, -1, dtype=np.int32)
            else:
                from plano.ops import math_ops

                r = rank(a)
                perm = (r - 1) - math_ops.range(0, r, 1)
        return a.graph.create_op("Transpose", [a, perm], name=scope).outputs[0]


# ---------------------------------------------------------------- ExpandDims, Squeeze

def _expand_dims_rule(op):
    in_shape = op.inputs[0].shape
    dim = constant_value(op.inputs[1])
    if dim is not None and np.size(dim) != 1:
        raise ShapeError("'dim' input must be a tensor with a single value")
    if dim is None or in_shape.rank is None:
        return TensorShape(None)
    dim, r = int(np.reshape(dim, -1)[0]), in_shape.rank
    if not -r - 1 <= dim <= r:
        raise ShapeError(f"dim {dim} not in the interval [{-r - 1}, {r}].")
    dim = dim + r + 1 if dim < 0 else dim
    return TensorShape(in_shape.dims[:dim] + [1] + in_shape.dims[dim:])


def _squeeze_rule(op):
    in_shape = op.inputs[0].shape
    if in_shape.rank is None:
        return TensorShape(None)
    r = in_shape.rank
    wanted = []
    for i, d in enumerate(op.get_attr("squeeze_dims")):
        if not -r <= d < r:
            raise ShapeError(f"squeeze_dims[{i}] not in [{-r},{r}).")
        wanted.append(d % r)
    out = []
    for i, d in enumerate(in_shape.dims):
        listed = i in wanted
        if d is None:
            if listed:
                continue
            if not wanted:
                return TensorShape(None)
        elif d == 1:
            if listed or not wanted:
                continue
        elif listed:
            raise ShapeError(f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}")
        out.append(d)
    return TensorShape(out)


register_op("ExpandDims", inputs=["input: T", "dim: Tdim"], outputs=["output: T"],
            attrs=["T: type", f"Tdim: {_INDEX}"], shape_fn=_expand_dims_rule)
register_op("Squeeze", inputs=["input: T"], outputs=["output: T"],
            attrs=["T: type", "squeeze_dims: list(int) >= 0 = []"], shape_fn=_squeeze_rule)


@register_gradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


@register_gradient("Squeeze")
def _squeeze_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0]))]


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """tf.compat.v1.expand_dims: insert a size-1 dimension at `axis` (or the old `dim`)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x = convert_to_tensor(input)
    return x.graph.create_op("ExpandDims", [x, axis], name=name or "ExpandDims").outputs[0]


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """tf.compat.v1.squeeze: drop size-1 dims (all of them, or those listed in `axis`)."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'")
    axis = squeeze_dims if axis is None else axis
    axis = [] if axis is None else [axis] if isinstance(axis, numbers.Integral) else list(axis)
    return _unary("Squeeze", input, name, {"squeeze_dims": axis})


__all__ = ["shape_n", "placeholder", "placeholder_with_default", "identity", "stop_gradient",
           "prevent_gradient", "shape", "size", "rank", "reshape", "fill", "zeros", "ones",
           "zeros_like", "ones_like", "broadcast_to", "transpose", "invert_permutation",
           "expand_dims", "squeeze"]
