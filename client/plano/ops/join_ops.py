"""Joining and tiling ops: Pack/Unpack, ConcatV2, Split/SplitV, Tile, Pad, ReverseV2.

Each op is declared with TF's name, inputs and attrs, a shape rule following
TF's shape function, and TF's gradient formula beside it.
"""
from __future__ import annotations

import numbers

import numpy as np

from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import math_ops, reduction_ops
from plano.ops.array_ops import (
    _INDEX, identity, rank, reshape, shape, size, transpose, zeros_like,
)
from plano.ops.shape_util import (
    axis_value, constant_value, constant_value_rule, fold_partial_value, require_rank,
    shape_value,
)


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


def _canonical_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < rank:
        raise ShapeError(f"Invalid {what}: {axis}; must be in [{-rank},{rank})")
    return axis + rank if axis < 0 else axis


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
    axis = axis_value(op.inputs[-1])
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
constant_value_rule("Pack", "ConcatV2")(fold_partial_value)
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
    dim = axis_value(op.inputs[index])
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
    multiples = op.inputs[1]
    input_shape = shape(op.inputs[0], out_type=multiples.dtype)
    split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
    axes = math_ops.range(0, size(split_shape), 2)
    input_grad = reduction_ops.reduce_sum(reshape(grad, split_shape), axes)
    input_grad.set_shape(op.inputs[0].shape)
    return [input_grad, None]


@register_gradient("Pad", "PadV2")
def _pad_grad(op, grad):
    from plano.ops import slicing_ops  # it builds on this module

    x, paddings = op.inputs[0], op.inputs[1]
    pad_before = slicing_ops.slice(paddings, [0, 0], stack([rank(x), 1]))
    begin = reshape(pad_before, [-1])
    x_grad = slicing_ops.slice(grad, begin, shape(x, out_type=begin.dtype))
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


__all__ = ["stack", "unstack", "concat", "split", "tile", "pad", "reverse", "reverse_v2"]
