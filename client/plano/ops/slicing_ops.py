"""Slicing and gathering ops: Slice, StridedSlice (and Tensor.__getitem__), GatherV2,
UnsortedSegmentSum, OneHot.

Each op is declared with TF's name, inputs and attrs, a shape rule following
TF's shape function, and (for differentiable ops) TF's gradient formula beside it.
"""
from __future__ import annotations

import builtins
import numbers

import numpy as np

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.graph import Tensor
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import comparison_ops, math_ops, slice_spec
from plano.ops.array_ops import ones, ones_like, rank, reshape, shape, size, transpose, zeros_like
from plano.ops.join_ops import concat, pad, stack
from plano.ops.shape_util import (
    STRIDED_SLICE_MASKS, axis_value, constant_value, constant_value_rule, fold_partial_value,
    require_rank, shape_value, strided_slice_masks,
)


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
                                             **strided_slice_masks(op))
    except slice_spec.SliceSpecError as e:
        raise ShapeError(str(e)) from None
    return TensorShape(spec.final_shape)


register_op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
            attrs=["T: type", "Index: {int32, int64}"], shape_fn=_slice_rule)
register_op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
            outputs=["output: T"],
            attrs=["T: type", "Index: {int32, int64}"] + STRIDED_SLICE_MASKS,
            shape_fn=_strided_slice_rule)
register_op("StridedSliceGrad",
            inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
            outputs=["output: T"],
            attrs=["T: type", "Index: {int32, int64}"] + STRIDED_SLICE_MASKS,
            shape_fn=lambda op: shape_value(op.inputs[0]))
constant_value_rule("StridedSlice")(fold_partial_value)


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
    return [strided_slice_grad(*args, grad, **strided_slice_masks(op)), None, None, None]


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    begin, end, strides = op.inputs[1:4]
    return [None, None, None, None,
            strided_slice(grad, begin, end, strides, **strided_slice_masks(op))]


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
                packed = [p if p.dtype == dtypes.int64 else math_ops.cast(p, dtypes.int64)
                          for p in packed]
        else:
            from plano.ops.constant_op import constant

            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(tensor, *packed, begin_mask=begin_mask, end_mask=end_mask,
                             shrink_axis_mask=shrink_axis_mask, new_axis_mask=new_axis_mask,
                             ellipsis_mask=ellipsis_mask, name=scope)


# ---------------------------------------------------------------- GatherV2, UnsortedSegmentSum

def _gather_rule(op):
    params, indices = op.inputs[0].shape, op.inputs[1].shape
    if params.rank == 0:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    require_rank(op.inputs[2].shape, 0, "axis")
    axis = axis_value(op.inputs[2])
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
    n = axis_value(op.inputs[2])
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
    axis, rank_p = axis_value(axis_t), params.shape.rank
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
    ids = op.inputs[1]
    gathered = gather(grad, math_ops.maximum(ids, zeros_like(ids)))
    keep = math_ops.cast(comparison_ops.greater_equal(ids, zeros_like(ids)), grad.dtype)
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
    depth = axis_value(op.inputs[1])
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


__all__ = ["slice", "strided_slice", "gather", "unsorted_segment_sum", "one_hot"]
