"""Array ops: placeholders, identity, shapes, reshaping, slicing, joining, gathering.

Each op is declared with TF's name, inputs and attrs, a shape rule following
TF's shape function, and (for differentiable ops) TF's gradient formula.
"""
from __future__ import annotations

import builtins
import numbers

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import slice_spec
from plano.ops.shape_util import (
    constant_value, constant_value_rule, require_rank, scalar_rule, shape_from_tensor,
    unchanged_rule,
)

_INDEX = "{int32, int64} = DT_INT32"
_MASKS = ["begin_mask: int = 0", "end_mask: int = 0", "ellipsis_mask: int = 0",
          "new_axis_mask: int = 0", "shrink_axis_mask: int = 0"]


# ---------------------------------------------------------------- shape-rule helpers

def _merge(a: TensorShape, b: TensorShape) -> TensorShape:
    """TF's InferenceContext::Merge, with its error texts."""
    if a.rank is None:
        return b
    if b.rank is None:
        return a
    if a.rank != b.rank:
        raise ShapeError(f"Shapes must be equal rank, but are {a.rank} and {b.rank}")
    for i, (x, y) in enumerate(zip(a.dims, b.dims)):
        if x is not None and y is not None and x != y:
            raise ShapeError(f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                             f"Shapes are {format_shape(a)} and {format_shape(b)}.")
    return a.merge_with(b)


def _axis_value(tensor):
    """A scalar int input known at build time, else None."""
    value = constant_value(tensor)
    return None if value is None else int(np.reshape(value, -1)[0])


def _partial_value(tensor):
    """What is known of an int tensor's value at build time: an object array (None: unknown).

    TF's ConstantPartialShape: Shape of a partially known tensor, Pack of scalars,
    ConcatV2 and StridedSlice of those keep the dims that are known.
    """
    op = tensor.op
    if op.type == "Shape":
        shape = op.inputs[0].shape
        return None if shape.rank is None else np.array(shape.dims, dtype=object)
    if op.type in ("Identity", "StopGradient"):
        return _partial_value(op.inputs[0])
    if op.type == "Pack":
        parts = [_partial_value(t) for t in op.inputs]
        if any(p is None for p in parts):
            shapes = [t.shape for t in op.inputs]
            if not all(s.is_fully_defined() for s in shapes):
                return None
            parts = [np.full(s.as_list(), None, object) if p is None else p
                     for s, p in zip(shapes, parts)]
        return np.stack(parts, axis=op.get_attr("axis"))
    if op.type == "ConcatV2":
        parts = [_partial_value(t) for t in op.inputs[:-1]]
        axis = _axis_value(op.inputs[-1])
        if axis is None or any(p is None for p in parts):
            return None
        return np.concatenate(parts, axis=axis)
    if op.type == "StridedSlice":
        source = _partial_value(op.inputs[0])
        begin, end, strides = (constant_value(t) for t in op.inputs[1:])
        if source is None or begin is None or end is None or strides is None:
            return None
        return slice_spec.strided_slice(source, begin, end, strides, **_mask_attrs(op))
    value = constant_value(tensor)
    return None if value is None else np.asarray(value).astype(object)


def _fold(tensor):
    """constant_value rule from the partial value: only when every element is known."""
    value = _partial_value(tensor)
    if value is None or any(v is None for v in value.reshape(-1)):
        return None
    return value.astype(tensor.dtype.as_numpy_dtype)


def shape_value(tensor) -> TensorShape:
    """The static shape a 1-D shape tensor describes (Reshape's shape, Fill's dims...)."""
    value = _partial_value(tensor)
    if value is not None and value.ndim == 1:
        for d in value:
            if d is not None and int(d) < -1:
                raise ShapeError(f"Dimension {int(d)} must be >= -1")
        return TensorShape([None if d is None or int(d) < 0 else int(d) for d in value])
    return shape_from_tensor(tensor)


def _mask_attrs(op) -> dict:
    return {m.split(":")[0]: op.get_attr(m.split(":")[0]) for m in _MASKS}


def _canonical_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < rank:
        raise ShapeError(f"Invalid {what}: {axis}; must be in [{-rank},{rank})")
    return axis + rank if axis < 0 else axis


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
constant_value_rule("Shape")(_fold)


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
    from plano.ops import math_ops

    return [None, math_ops.reduce_sum(grad)]


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
    from plano.ops import math_ops

    x, target = op.inputs
    x_shape = shape(x, out_type=target.dtype)
    static = constant_value(target)
    if static is not None:
        target = convert_to_tensor(static.astype(target.dtype.as_numpy_dtype))
    _, axes = broadcast_gradient_args(target, x_shape)
    summed = math_ops.reduce_sum(grad, axis=axes, keepdims=True)
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


# ---------------------------------------------------------------- Pack, Unpack, ConcatV2

def _pack_rule(op):
    merged = op.inputs[-1].shape
    for i in range(len(op.inputs) - 2, -1, -1):
        try:
            merged = _merge(op.inputs[i].shape, merged)
        except ShapeError as e:
            raise ShapeError(f"{e}\n\tFrom merging shape {i} with other shapes.") from None
    if merged.rank is None:
        return TensorShape(None)
    axis = _canonical_axis(op.get_attr("axis"), merged.rank + 1)
    dims = merged.dims
    return TensorShape(dims[:axis] + [len(op.inputs)] + dims[axis:])


def _unpack_rule(op):
    s = op.inputs[0].shape
    num = op.get_attr("num")
    if s.rank is None:
        return [TensorShape(None)] * num
    axis = _canonical_axis(op.get_attr("axis"), s.rank)
    if s.dims[axis] is not None and s.dims[axis] != num:
        raise ShapeError(f"Dimension must be {num} but is {s.dims[axis]}")
    return [TensorShape(s.dims[:axis] + s.dims[axis + 1:])] * num


def _concat_rule(op):
    values = op.inputs[:-1]
    axis = _axis_value(op.inputs[-1])
    merged_rank = next((v.shape.rank for v in values if v.shape.rank is not None), None)
    if merged_rank is None:
        return TensorShape(None)
    if axis is None:
        for v in values:
            if v.shape.rank not in (None, merged_rank):
                raise ShapeError(f"Shape must be rank {merged_rank} but is rank {v.shape.rank}")
        return TensorShape([None] * merged_rank)
    if merged_rank == 0:
        raise ShapeError("Can't concatenate scalars (use tf.stack instead)")
    if not -merged_rank <= axis < merged_rank:
        raise ShapeError(f"ConcatOp : Expected concatenating dimensions in the range "
                         f"[{-merged_rank}, {merged_rank}), but got {axis}")
    axis %= merged_rank
    total = 0
    before, after = TensorShape(None), TensorShape(None)
    for v in values:
        s = v.shape
        if s.rank is None:
            total = None
            continue
        if s.rank != merged_rank:
            raise ShapeError(f"Shape must be rank {merged_rank} but is rank {s.rank}")
        d = s.dims[axis]
        total = None if total is None or d is None else total + d
        before = _merge(before, TensorShape(s.dims[:axis]))
        after = _merge(after, TensorShape(s.dims[axis + 1:]))
    return TensorShape(before.dims + [total] + after.dims)


register_op("Pack", inputs=["values: N * T"], outputs=["output: T"],
            attrs=["N: int >= 1", "T: type", "axis: int = 0"], shape_fn=_pack_rule)
register_op("Unpack", inputs=["value: T"], outputs=["output: num * T"],
            attrs=["num: int >= 0", "T: type", "axis: int = 0"], shape_fn=_unpack_rule)
register_op("ConcatV2", inputs=["values: N * T", "axis: Tidx"], outputs=["output: T"],
            attrs=["N: int >= 2", "T: type", f"Tidx: {_INDEX}"], shape_fn=_concat_rule)
constant_value_rule("Pack", "ConcatV2", "StridedSlice")(_fold)
# Where each input of a concat starts in its output; TF's ConcatV2 gradient emits it.
register_op("ConcatOffset", inputs=["concat_dim: int32", "shape: N * shape_type"],
            outputs=["offset: N * shape_type"],
            attrs=["N: int >= 2", "shape_type: {int32, int64} = DT_INT32"],
            shape_fn=lambda op: [t.shape for t in op.inputs[1:]])
not_differentiable("ConcatOffset")


@register_gradient("Pack")
def _pack_grad(op, grad):
    return unstack(grad, num=op.get_attr("N"), axis=op.get_attr("axis"))


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    return [stack(_zeros_for_missing(op, grads), axis=op.get_attr("axis"))]


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    """TF's split-based formula: each input gets its slice of `grad` along the axis."""
    values, axis = op.inputs[:-1], op.inputs[-1]
    sizes = stack([shape(v, out_type=axis.dtype)[axis] for v in values])
    return split(grad, sizes, axis=axis, num=len(values)) + [None]


def _zeros_for_missing(op, grads):
    """Outputs nobody differentiated get a zero gradient (as TF's gradients() gives them)."""
    return [zeros_like(out) if g is None else g for out, g in zip(op.outputs, grads)]


def stack(values, axis=0, name="stack"):
    """tf.stack: a Const when every value is a Python/numpy value (axis 0), else Pack."""
    from plano.framework.op_builder import _flatten, _is_tensor_like

    if axis == 0 and not any(_is_tensor_like(v) for v in _flatten(values)):
        return convert_to_tensor(values, name=name)
    tensors = [convert_to_tensor(v) if _is_tensor_like(v) or isinstance(v, (list, tuple))
               else v for v in values]
    if not any(isinstance(t, Tensor) for t in tensors):
        tensors = [convert_to_tensor(v) for v in tensors]
    first = next(t for t in tensors if isinstance(t, Tensor))
    if first.shape.rank is not None:
        n = first.shape.rank + 1
        if not -n <= axis < n:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-n}, {n})")
    return first.graph.create_op("Pack", [tensors], {"axis": axis}, name=name).outputs[0]


def unstack(value, num=None, axis=0, name="unstack"):
    """tf.unstack: the slices of `value` along `axis`, as a list."""
    value = convert_to_tensor(value)
    if num is None:
        s = value.shape
        if s.rank is None:
            raise ValueError(f"Cannot infer argument `num` from shape {s}")
        if not -s.rank <= axis < s.rank:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-s.rank}, {s.rank})")
        num = s.dims[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {s}")
    op = value.graph.create_op("Unpack", [value], {"num": num, "axis": axis}, name=name)
    return op.outputs


def concat(values, axis, name="concat"):
    """tf.concat: join along `axis` (negative counts from the end)."""
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    if len(values) == 1:
        return identity(values[0], name=name)
    tensors = [convert_to_tensor(v) if _is_tensor(v) else v for v in values]
    graph = next((t.graph for t in tensors if isinstance(t, Tensor)), get_default_graph())
    return graph.create_op("ConcatV2", [tensors, axis], name=name).outputs[0]


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_as_tensor")


# ---------------------------------------------------------------- Split, SplitV

def _split_dim(op, index, in_shape):
    dim = _axis_value(op.inputs[index])
    if dim is None or in_shape.rank is None:
        return dim
    if not -in_shape.rank <= dim < in_shape.rank:
        raise ShapeError(f"Dimension size, given by scalar input {index}, must be in range "
                         f"[{-in_shape.rank}, {in_shape.rank})")
    return dim % in_shape.rank


def _split_rule(op):
    in_shape = op.inputs[1].shape
    num = op.get_attr("num_split")
    dim = _split_dim(op, 0, in_shape)
    if dim is None or in_shape.rank is None:
        return [TensorShape(None if in_shape.rank is None else [None] * in_shape.rank)] * num
    dims = in_shape.dims
    if dims[dim] is not None:
        if dims[dim] % num:
            raise ShapeError(f"Dimension size must be evenly divisible by {num} but is "
                             f"{dims[dim]}\n\tNumber of ways to split should evenly divide the "
                             "split dimension")
        dims[dim] //= num
    return [TensorShape(dims)] * num


def _split_v_rule(op):
    in_shape = op.inputs[0].shape
    num = op.get_attr("num_split")
    if in_shape.rank is None:
        return [TensorShape(None)] * num
    if in_shape.rank == 0:
        raise ShapeError("Can't split scalars")
    dim = _split_dim(op, 2, in_shape)
    sizes = constant_value(op.inputs[1])
    if dim is None:
        return [TensorShape([None] * in_shape.rank)] * num
    dims = in_shape.dims
    if sizes is None:
        return [TensorShape(dims[:dim] + [None] + dims[dim + 1:])] * num
    sizes = [int(s) for s in np.reshape(sizes, -1)]
    if len(sizes) != num:
        raise ShapeError("Length of size_splits should be equal to num_outputs")
    if sizes.count(-1) > 1:
        raise ShapeError("size_splits can only have one -1")
    total = sum(s for s in sizes if s != -1)
    n = dims[dim]
    if n is not None and (total > n if -1 in sizes else total != n):
        raise ShapeError(f"can't split axis of size {n} into pieces of size "
                         f"[{','.join(map(str, sizes))}]")
    return [TensorShape(dims[:dim] + [(None if n is None else n - total) if s == -1 else s] +
                        dims[dim + 1:]) for s in sizes]


register_op("Split", inputs=["split_dim: int32", "value: T"], outputs=["output: num_split * T"],
            attrs=["num_split: int >= 1", "T: type"], shape_fn=_split_rule)
register_op("SplitV", inputs=["value: T", "size_splits: Tlen", "split_dim: int32"],
            outputs=["output: num_split * T"],
            attrs=["num_split: int >= 1", "T: type", "Tlen: {int8, int32, int64} = DT_INT64"],
            shape_fn=_split_v_rule)


@register_gradient("Split")
def _split_grad(op, *grads):
    return [None, concat(_zeros_for_missing(op, grads), op.inputs[0])]


@register_gradient("SplitV")
def _split_v_grad(op, *grads):
    return [concat(_zeros_for_missing(op, grads), op.inputs[2]), None, None]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """tf.split: an int splits evenly (Split); a list of sizes (one may be -1) uses SplitV."""
    value = convert_to_tensor(value)
    if isinstance(num_or_size_splits, numbers.Integral) and \
            not isinstance(num_or_size_splits, bool):
        op = value.graph.create_op("Split", [axis, value], {"num_split": num_or_size_splits},
                                   name=name)
        return op.outputs
    size_splits = convert_to_tensor(num_or_size_splits)
    if size_splits.shape.rank == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {num_or_size_splits}")
    if num is None:
        num = size_splits.shape[0] if size_splits.shape.rank == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    op = value.graph.create_op("SplitV", [value, size_splits, axis], {"num_split": num},
                               name=name)
    return op.outputs


# ---------------------------------------------------------------- Slice, StridedSlice

def _slice_rule(op):
    in_shape = op.inputs[0].shape
    require_rank(op.inputs[1].shape, 1, "begin")
    require_rank(op.inputs[2].shape, 1, "size")
    n = op.inputs[1].shape[0] if op.inputs[1].shape.rank == 1 else None
    n = op.inputs[2].shape[0] if n is None and op.inputs[2].shape.rank == 1 else n
    if in_shape.rank is not None and n is not None and in_shape.rank != n:
        raise ShapeError(f"Shape must be rank {n} but is rank {in_shape.rank}")
    rank = in_shape.rank if in_shape.rank is not None else n
    if rank is None:
        return TensorShape(None)
    begin, sizes = constant_value(op.inputs[1]), constant_value(op.inputs[2])
    if sizes is None:
        return TensorShape([None] * rank)
    dims = in_shape.dims if in_shape.rank is not None else [None] * rank
    out = []
    for i, s in enumerate(int(s) for s in np.reshape(sizes, -1)):
        if s < -1:
            raise ShapeError(f"Expected size[{i}] >= -1, but got {s}")
        if s != -1:
            out.append(s)
        elif begin is None or dims[i] is None:
            out.append(None)
        else:
            b = int(np.reshape(begin, -1)[i])
            if b > dims[i]:
                raise ShapeError(f"Negative dimension size caused by subtracting {b} from "
                                 f"{dims[i]}")
            out.append(dims[i] - b)
    return TensorShape(out)


def _strided_slice_rule(op):
    in_shape = op.inputs[0].shape
    lengths = set()
    for t in op.inputs[1:]:
        require_rank(t.shape, 1, t.name)
        if t.shape.rank == 1 and t.shape[0] is not None:
            lengths.add(t.shape[0])
    if len(lengths) > 1:
        a, b = sorted(lengths)[:2]
        raise ShapeError(f"Dimension 0 in both shapes must be equal, but are {a} and {b}. "
                         f"Shapes are [{a}] and [{b}].")
    strides = constant_value(op.inputs[3])
    if in_shape.rank is None or not lengths or strides is None:
        return TensorShape(None)
    begin, end = constant_value(op.inputs[1]), constant_value(op.inputs[2])
    try:
        spec = slice_spec.strided_slice_spec(in_shape.dims, begin, end, strides,
                                             **_mask_attrs(op))
    except slice_spec.SliceSpecError as e:
        raise ShapeError(str(e)) from None
    return TensorShape(spec.final_shape)


register_op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
            attrs=["T: type", "Index: {int32, int64}"], shape_fn=_slice_rule)
register_op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
            outputs=["output: T"], attrs=["T: type", "Index: {int32, int64}"] + _MASKS,
            shape_fn=_strided_slice_rule)
register_op("StridedSliceGrad",
            inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
            outputs=["output: T"], attrs=["T: type", "Index: {int32, int64}"] + _MASKS,
            shape_fn=lambda op: shape_value(op.inputs[0]))


@register_gradient("Slice")
def _slice_grad(op, grad):
    """Pads `grad` with zeros back to the input's shape (TF's formula)."""
    x, begin = op.inputs[0], op.inputs[1]
    index_dtype = begin.dtype
    pad_shape = stack([rank(x), 1])
    before = reshape(begin, pad_shape)
    after = reshape(shape(x, out_type=index_dtype) - shape(op.outputs[0], out_type=index_dtype)
                    - begin, pad_shape)
    return [pad(grad, concat([before, after], 1)), None, None]


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    begin, end, strides = op.inputs[1:]
    x_shape = shape(op.inputs[0], out_type=begin.dtype)
    args = [_constant_or(t) for t in (x_shape, begin, end, strides)]
    return [strided_slice_grad(*args, grad, **_mask_attrs(op)), None, None, None]


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    begin, end, strides = op.inputs[1:4]
    return [None, None, None, None,
            strided_slice(grad, begin, end, strides, **_mask_attrs(op))]


def _constant_or(tensor):
    """A build-time constant in place of `tensor` where known (TF does this for StridedSlice)."""
    value = constant_value(tensor)
    if value is None:
        return tensor
    from plano.ops.constant_op import constant

    return constant(value, dtype=tensor.dtype, graph=tensor.graph)


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """tf.slice: `size[i]` elements from `begin[i]` in each dim; size -1 takes the rest."""
    x = convert_to_tensor(input_)
    return x.graph.create_op("Slice", [x, begin, size], name=name or "Slice").outputs[0]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """tf.strided_slice: the raw op; Tensor.__getitem__ builds one with the right masks."""
    x = convert_to_tensor(input_)
    if strides is None:
        strides = ones_like(begin)
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    return x.graph.create_op("StridedSlice", [x, begin, end, strides], attrs,
                             name=name or "StridedSlice").outputs[0]


def strided_slice_grad(shape, begin, end, strides, dy, name=None, **masks):  # noqa: F811
    """Zeros of `shape` with `dy` placed where StridedSlice read from."""
    dy = convert_to_tensor(dy)
    return dy.graph.create_op("StridedSliceGrad", [shape, begin, end, strides, dy], masks,
                              name=name or "StridedSliceGrad").outputs[0]


def _check_index(idx) -> None:
    if isinstance(idx, Tensor):
        if idx.dtype.base_dtype in (dtypes.int32, dtypes.int64):
            return
    elif isinstance(idx, (numbers.Integral, np.integer)) and not isinstance(idx, bool):
        return
    raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                    f"scalar tf.int32/tf.int64 tensors are valid indices, got {idx!r}")


def slice_helper(tensor, slice_spec_):
    """Tensor.__getitem__: ints, slices, Ellipsis, None and tuples -> one StridedSlice (TF's)."""
    if not isinstance(slice_spec_, (list, tuple)):
        slice_spec_ = [slice_spec_]
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for index, s in enumerate(slice_spec_):
        if isinstance(s, builtins.slice):
            for part, bounds in ((s.start, begin), (s.stop, end)):
                if part is not None:
                    _check_index(part)
                    bounds.append(part)
                else:
                    bounds.append(0)
            if s.start is None:
                begin_mask |= 1 << index
            if s.stop is None:
                end_mask |= 1 << index
            if s.step is not None:
                _check_index(s.step)
            strides.append(1 if s.step is None else s.step)
        elif s is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is None:
            begin.append(0), end.append(0), strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            begin.append(s), end.append(s + 1), strides.append(1)
            shrink_axis_mask |= 1 << index
    graph = tensor.graph
    with graph.name_scope("strided_slice") as scope:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            if any(p.dtype == dtypes.int64 for p in packed):
                from plano.ops import math_ops

                packed = [p if p.dtype == dtypes.int64 else math_ops.cast(p, dtypes.int64)
                          for p in packed]
        else:
            from plano.ops.constant_op import constant

            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(tensor, *packed, begin_mask=begin_mask, end_mask=end_mask,
                             shrink_axis_mask=shrink_axis_mask, new_axis_mask=new_axis_mask,
                             ellipsis_mask=ellipsis_mask, name=scope)



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


# ---------------------------------------------------------------- Tile, Pad, ReverseV2

def _tile_rule(op):
    in_shape = op.inputs[0].shape
    multiples = shape_value(op.inputs[1])
    if in_shape.rank is not None:
        if multiples.rank is not None and multiples.rank != in_shape.rank:
            raise ShapeError(f"Shape must be rank {multiples.rank} but is rank "
                             f"{in_shape.rank}")
        multiples = multiples if multiples.rank is not None else \
            TensorShape([None] * in_shape.rank)
    if multiples.rank is None:
        return TensorShape(None)
    dims = in_shape.dims if in_shape.rank is not None else [None] * multiples.rank
    return TensorShape([None if d is None or m is None else d * m
                        for d, m in zip(dims, multiples.dims)])


def _pad_rule(op):
    in_shape = op.inputs[0].shape
    p_shape = op.inputs[1].shape
    require_rank(p_shape, 2, "paddings")
    if p_shape.rank == 2 and p_shape[1] not in (None, 2):
        raise ShapeError(f"Dimension must be 2 but is {p_shape[1]}")
    n = p_shape[0] if p_shape.rank == 2 else None
    if n is not None and in_shape.rank is not None and n != in_shape.rank:
        raise ShapeError(f"Shape must be rank {n} but is rank {in_shape.rank}")
    rank = in_shape.rank if in_shape.rank is not None else n
    paddings = constant_value(op.inputs[1])
    if paddings is None:
        return TensorShape(None if rank is None else [None] * rank)
    paddings = np.asarray(paddings)
    if np.any(paddings < 0):
        raise ShapeError("Paddings must be non-negative")
    dims = in_shape.dims if in_shape.rank is not None else [None] * len(paddings)
    return TensorShape([None if d is None else d + int(a) + int(b)
                        for d, (a, b) in zip(dims, paddings)])


def _reverse_rule(op):
    in_shape = op.inputs[0].shape
    require_rank(op.inputs[1].shape, 1, "axis")
    axes = constant_value(op.inputs[1])
    if axes is not None and in_shape.rank is not None:
        r = in_shape.rank
        seen = set()
        for i, a in enumerate(int(a) for a in np.reshape(axes, -1)):
            canonical = a + r if a < 0 else a
            if not 0 <= canonical < r:
                raise ShapeError(f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}")
            if canonical in seen:
                raise ShapeError(f"axis {canonical} specified more than once.")
            seen.add(canonical)
    return in_shape


register_op("Tile", inputs=["input: T", "multiples: Tmultiples"], outputs=["output: T"],
            attrs=["T: type", f"Tmultiples: {_INDEX}"], shape_fn=_tile_rule)
register_op("Pad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs=["T: type", f"Tpaddings: {_INDEX}"], shape_fn=_pad_rule)
register_op("PadV2", inputs=["input: T", "paddings: Tpaddings", "constant_values: T"],
            outputs=["output: T"], attrs=["T: type", f"Tpaddings: {_INDEX}"],
            shape_fn=_pad_rule)
register_op("MirrorPad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs=["T: type", f"Tpaddings: {_INDEX}", "mode: {'REFLECT', 'SYMMETRIC'}"],
            shape_fn=_pad_rule)
register_op("MirrorPadGrad", inputs=["input: T", "paddings: Tpaddings"],
            outputs=["output: T"],
            attrs=["T: type", f"Tpaddings: {_INDEX}", "mode: {'REFLECT', 'SYMMETRIC'}"],
            shape_fn=lambda op: TensorShape(None if op.inputs[0].shape.rank is None
                                            else [None] * op.inputs[0].shape.rank))
register_op("ReverseV2", inputs=["tensor: T", "axis: Tidx"], outputs=["output: T"],
            attrs=[f"Tidx: {_INDEX}", "T: {uint8, int8, uint16, int16, int32, uint32, int64, "
                   "uint64, bool, half, float, double, string}"], shape_fn=_reverse_rule)


@register_gradient("Tile")
def _tile_grad(op, grad):
    """Reshape to interleaved [multiple, size] pairs and sum the multiples away (TF's)."""
    from plano.ops import math_ops

    multiples = op.inputs[1]
    input_shape = shape(op.inputs[0], out_type=multiples.dtype)
    split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
    axes = math_ops.range(0, size(split_shape), 2)
    input_grad = math_ops.reduce_sum(reshape(grad, split_shape), axes)
    input_grad.set_shape(op.inputs[0].shape)
    return [input_grad, None]


@register_gradient("Pad", "PadV2")
def _pad_grad(op, grad):
    x, paddings = op.inputs[0], op.inputs[1]
    pad_before = slice(paddings, [0, 0], stack([rank(x), 1]))
    begin = reshape(pad_before, [-1])
    x_grad = slice(grad, begin, shape(x, out_type=begin.dtype))
    return [x_grad, None] + [None] * (len(op.inputs) - 2)


@register_gradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    return [op.graph.create_op("MirrorPadGrad", [grad, op.inputs[1]],
                               {"mode": op.get_attr("mode")}, name="MirrorPadGrad").outputs[0],
            None]


@register_gradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op, grad):
    return [op.graph.create_op("MirrorPad", [grad, op.inputs[1]],
                               {"mode": op.get_attr("mode")}, name="MirrorPad").outputs[0], None]


@register_gradient("ReverseV2")
def _reverse_grad(op, grad):
    return [reverse_v2(grad, op.inputs[1]), None]


def tile(input, multiples, name=None):  # noqa: A002
    """tf.tile: repeat `input` `multiples[i]` times along dim i."""
    x = convert_to_tensor(input)
    return x.graph.create_op("Tile", [x, multiples], name=name or "Tile").outputs[0]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """tf.pad: Pad, PadV2 when the fill value is not 0, MirrorPad for REFLECT/SYMMETRIC."""
    mode = str(mode).upper()
    x = convert_to_tensor(tensor)
    if mode in ("REFLECT", "SYMMETRIC"):
        return x.graph.create_op("MirrorPad", [x, paddings], {"mode": mode},
                                 name=name or "MirrorPad").outputs[0]
    if mode != "CONSTANT":
        raise ValueError(f"Unknown padding mode: {mode}; expected CONSTANT, REFLECT or "
                         "SYMMETRIC")
    if not _is_tensor(constant_values) and np.all(np.asarray(constant_values) == 0):
        return x.graph.create_op("Pad", [x, paddings], name=name or "Pad").outputs[0]
    return x.graph.create_op("PadV2", [x, paddings, constant_values],
                             name=name or "PadV2").outputs[0]


def reverse_v2(tensor, axis, name=None):
    """tf.reverse: flip the listed axes."""
    x = convert_to_tensor(tensor)
    return x.graph.create_op("ReverseV2", [x, axis], name=name or "ReverseV2").outputs[0]


reverse = reverse_v2


# ---------------------------------------------------------------- GatherV2, UnsortedSegmentSum

def _gather_rule(op):
    params, indices = op.inputs[0].shape, op.inputs[1].shape
    if params.rank == 0:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    require_rank(op.inputs[2].shape, 0, "axis")
    axis = _axis_value(op.inputs[2])
    if axis is None or params.rank is None or indices.rank is None:
        if params.rank is not None and indices.rank is not None:
            return TensorShape([None] * (params.rank + indices.rank - 1))
        return TensorShape(None)
    needed = -axis if axis < 0 else axis + 1
    if params.rank < needed:
        raise ShapeError(f"Shape must be at least rank {needed} but is rank {params.rank}")
    batch_dims = op.get_attr("batch_dims")
    if indices.rank < abs(batch_dims):
        raise ShapeError(f"Shape must be at least rank {abs(batch_dims)} but is rank "
                         f"{indices.rank}")
    batch_dims += indices.rank if batch_dims < 0 else 0
    if params.rank < batch_dims + 1:
        raise ShapeError(f"Shape must be at least rank {batch_dims + 1} but is rank "
                         f"{params.rank}")
    axis %= params.rank
    return TensorShape(params.dims[:axis] + indices.dims[batch_dims:] + params.dims[axis + 1:])


def _segment_sum_rule(op):
    data, ids = op.inputs[0].shape, op.inputs[1].shape
    if data.rank is not None and ids.rank is not None:
        if not TensorShape(data.dims[:ids.rank]).is_compatible_with(ids):
            raise ShapeError(f"Shapes must be compatible: data.shape = {format_shape(data)} "
                             f"does not start with segment_ids.shape = {format_shape(ids)}")
    require_rank(op.inputs[2].shape, 0, "num_segments")
    n = _axis_value(op.inputs[2])
    if data.rank is None or ids.rank is None:
        return TensorShape(None)
    return TensorShape([n] + data.dims[ids.rank:])


register_op("GatherV2", inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"],
            outputs=["output: Tparams"],
            attrs=["batch_dims: int = 0", "Tparams: type", "Tindices: {int16, int32, int64}",
                   "Taxis: {int32, int64}"], shape_fn=_gather_rule)
register_op("UnsortedSegmentSum",
            inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
            outputs=["output: T"],
            attrs=["T: numbertype", "Tindices: {int16, int32, int64}",
                   "Tnumsegments: {int32, int64} = DT_INT32"], shape_fn=_segment_sum_rule)


@register_gradient("GatherV2")
def _gather_grad(op, grad):
    """Dense form of TF's IndexedSlices gradient: gathered rows are summed back into place.

    The gather axis is moved to just after the batch dims, rows are scattered with
    UnsortedSegmentSum (batch b's rows to segments b*N..b*N+N-1), then moved back.
    """
    params, indices, axis_t = op.inputs
    axis, rank_p = _axis_value(axis_t), params.shape.rank
    if axis is None or rank_p is None or indices.shape.rank is None:
        raise LookupError(f"Gradient of GatherV2 '{op.name}' needs a build-time axis and known "
                          "ranks of params and indices")
    bd = op.get_attr("batch_dims")
    bd += indices.shape.rank if bd < 0 else 0
    axis %= rank_p
    p_shape = shape(params)
    # grad: [B..., A..., J..., I...] -> [B..., K, A..., I...] with K = prod(J).
    values = reshape(grad, concat([p_shape[:axis], [-1], p_shape[axis + 1:]], 0))
    front = list(range(bd)) + [axis] + list(range(bd, axis)) + list(range(axis + 1, rank_p))
    values = transpose(values, front)
    n = p_shape[axis]
    ids = reshape(indices, [-1]) if bd == 0 else _batch_segment_ids(indices, bd, n)
    rows = reshape(values, concat([[-1], shape(values)[bd + 1:]], 0))
    num = n if bd == 0 else size(indices[(Ellipsis,) + (0,) * (indices.shape.rank - bd)]) * n
    summed = unsorted_segment_sum(rows, ids, num)
    summed = reshape(summed, concat([p_shape[:bd], [n], shape(summed)[1:]], 0))
    back = [front.index(i) for i in range(rank_p)]
    return [transpose(summed, back), None, None]


def _batch_segment_ids(indices, batch_dims, n):
    """Flat segment ids: batch b's index i goes to b * n + i (TF's _GetBatchIndices)."""
    from plano.ops import math_ops

    inner_rank = indices.shape.rank - batch_dims
    num_batches = size(indices[(Ellipsis,) + (0,) * inner_rank])
    offsets = math_ops.range(0, num_batches) * n
    if indices.dtype != dtypes.int32:
        offsets = math_ops.cast(offsets, indices.dtype)
    offsets = reshape(offsets, concat([shape(indices)[:batch_dims], [1] * inner_rank], 0))
    return reshape(indices + offsets, [-1])


@register_gradient("UnsortedSegmentSum")
def _segment_sum_grad(op, grad):
    """Each data row gets the gradient of its segment; rows with negative ids get zero."""
    from plano.ops import math_ops

    ids = op.inputs[1]
    gathered = gather(grad, math_ops.maximum(ids, zeros_like(ids)))
    keep = math_ops.cast(math_ops.greater_equal(ids, zeros_like(ids)), grad.dtype)
    extra = ones(stack([rank(gathered) - rank(ids)]), dtypes.int32)
    return [gathered * reshape(keep, concat([shape(ids), extra], 0)), None, None]


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """tf.compat.v1.gather: slices of `params` along `axis` (default: batch_dims) at `indices`."""
    if axis is None:
        axis = batch_dims
    p = convert_to_tensor(params)
    return p.graph.create_op("GatherV2", [p, indices, axis], {"batch_dims": batch_dims},
                             name=name or "GatherV2").outputs[0]


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """tf.math.unsorted_segment_sum: row i of `data` is added to output[segment_ids[i]]."""
    data = convert_to_tensor(data)
    return data.graph.create_op("UnsortedSegmentSum", [data, segment_ids, num_segments],
                                name=name or "UnsortedSegmentSum").outputs[0]


# ---------------------------------------------------------------- OneHot

def _one_hot_rule(op):
    axis = op.get_attr("axis")
    if axis < -1:
        raise ShapeError("axis must be >= -1")
    for i in (1, 2, 3):
        require_rank(op.inputs[i].shape, 0, op.op_def.inputs[i].name)
    indices = op.inputs[0].shape
    if indices.rank is None:
        return TensorShape(None)
    if axis > indices.rank:
        raise ShapeError(f"Shape must be at least rank {axis} but is rank {indices.rank}")
    depth = _axis_value(op.inputs[1])
    dims = indices.dims
    where = len(dims) if axis == -1 else axis
    return TensorShape(dims[:where] + [depth] + dims[where:])


register_op("OneHot", inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"],
            outputs=["output: T"],
            attrs=["axis: int = -1", "T: type", "TI: {uint8, int8, int32, int64} = DT_INT64"],
            shape_fn=_one_hot_rule)
not_differentiable("OneHot")


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """tf.one_hot: dtype from on/off values, else `dtype`, else float32 (TF's rules)."""
    indices = convert_to_tensor(indices)
    graph = indices.graph
    with graph.name_scope(name or "one_hot") as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        given = {}
        for key, value in (("on_value", on_value), ("off_value", off_value)):
            if value is not None:
                given[key] = convert_to_tensor(value, preferred_dtype=dtype)
                if dtype is not None and given[key].dtype.base_dtype != dtype:
                    raise TypeError(f"dtype {given[key].dtype.name} of {key} does not match "
                                    f"dtype parameter {dtype.name}")
        if dtype is None:
            dtype = next(iter(given.values())).dtype.base_dtype if given else dtypes.float32
        on = given.get("on_value")
        off = given.get("off_value")
        on = convert_to_tensor(1, dtype=dtype, name="on_value") if on is None else on
        off = convert_to_tensor(0, dtype=dtype, name="off_value") if off is None else off
        if on.dtype.base_dtype != off.dtype.base_dtype:
            raise TypeError(f"dtype {on.dtype.name} of on_value does not match dtype "
                            f"{off.dtype.name} of off_value")
        return graph.create_op("OneHot", [indices, depth, on, off],
                               {"axis": -1 if axis is None else axis}, name=scope).outputs[0]


__all__ = ["shape_n", "placeholder", "placeholder_with_default", "identity", "stop_gradient",
           "prevent_gradient", "shape", "size", "rank", "reshape", "fill", "zeros", "ones",
           "zeros_like", "ones_like", "broadcast_to", "stack", "unstack", "concat", "split",
           "slice", "strided_slice", "transpose", "invert_permutation", "expand_dims",
           "squeeze", "tile", "pad", "reverse", "reverse_v2", "gather", "unsorted_segment_sum",
           "one_hot"]
