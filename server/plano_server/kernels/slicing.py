"""Kernels that slice and gather: Slice, StridedSlice (and its gradient), GatherV2,
UnsortedSegmentSum, OneHot (mirroring plano.ops.slicing_ops)."""
from __future__ import annotations

import numpy as np

from plano.ops import slice_spec
from plano_server.kernels.checks import fmt_shape, int_scalar, int_vector, invalid
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


# ---------------------------------------------------------------- Slice, StridedSlice

@simple("Slice")
def _slice(x, begin, size):
    begin, size = np.asarray(begin), np.asarray(size)
    if begin.ndim != 1 or size.ndim != 1 or begin.size != x.ndim or size.size != x.ndim:
        raise invalid(f"Expected begin and size arguments to be 1-D tensors of size "
                      f"{x.ndim}, but got shapes {fmt_shape(begin.shape)} and "
                      f"{fmt_shape(size.shape)} instead.")
    index = []
    for i, (b, s) in enumerate(zip(begin.tolist(), size.tolist())):
        dim = x.shape[i]
        s = dim - b if s == -1 else s
        if not 0 <= b <= dim:
            raise invalid(f"Expected begin[{i}] in [0, {dim}], but got {b}")
        if not (0 <= s and b + s <= dim):
            raise invalid(f"Expected size[{i}] in [0, {dim - b}], but got {s}")
        index.append(slice(b, b + s))
    return x[tuple(index)]


def _masks(node) -> dict:
    names = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    return {m: node.attrs[m] for m in names}


@kernel("StridedSlice")
def _strided_slice(node):
    masks = _masks(node)

    def run(x, begin, end, strides):
        try:
            return slice_spec.strided_slice(x, begin, end, strides, **masks)
        except slice_spec.SliceSpecError as e:
            raise invalid(str(e)) from None
    return run


@kernel("StridedSliceGrad")
def _strided_slice_grad(node):
    masks = _masks(node)

    def run(shape, begin, end, strides, dy):
        check_alloc(node, int_vector(shape, "shape"), np.asarray(dy).dtype)
        try:
            return slice_spec.strided_slice_grad(shape, begin, end, strides, dy, **masks)
        except slice_spec.SliceSpecError as e:
            raise invalid(str(e)) from None
    return run


# ---------------------------------------------------------------- GatherV2, UnsortedSegmentSum

@kernel("GatherV2")
def _gather(node):
    batch_dims = node.attrs["batch_dims"]

    def run(params, indices, axis):
        indices = np.asarray(indices)
        axis = int_scalar(axis, "axis")
        if params.ndim < 1:
            raise invalid("params must be at least 1 dimensional")
        if not -params.ndim <= axis < params.ndim:
            raise invalid(f"Expected axis in the range [{-params.ndim}, {params.ndim}), but "
                           f"got {axis}")
        axis %= params.ndim
        bd = batch_dims
        if bd:
            if not -indices.ndim <= bd <= indices.ndim:
                raise invalid(f"Expected batch_dims in the range [{-indices.ndim}, "
                              f"{indices.ndim}], but got {bd}")
            bd += indices.ndim if bd < 0 else 0
            if bd >= params.ndim:
                raise invalid(f"batch_dims ({bd}) must be less than rank(params) "
                              f"({params.ndim}).")
            if axis < bd:
                raise invalid(f"batch_dims ({bd}) must be less than or equal to axis "
                              f"({axis}).")
            for i in range(bd):
                if params.shape[i] != indices.shape[i]:
                    raise invalid(f"params.shape[{i}]: {params.shape[i]} should be equal to "
                                  f"indices.shape[{i}]: {indices.shape[i]}")
        n = params.shape[axis]
        bad = np.flatnonzero((indices < 0) | (indices >= n))
        if bad.size:
            where = np.unravel_index(bad[0], indices.shape)
            raise invalid(f"indices{fmt_shape(where)} = {indices.reshape(-1)[bad[0]]} is not in "
                          f"[0, {n})")
        if bd == 0:
            return np.take(params, indices, axis=axis)
        return _batched_take(params, indices, axis, bd)
    return run


def _batched_take(params, indices, axis, bd):
    """np.take per batch element (the first `bd` dims of params and indices agree)."""
    batch = params.shape[:bd]
    nb = int(np.prod(batch, dtype=np.int64))
    p = params.reshape((nb,) + params.shape[bd:])
    ind = indices.reshape((nb,) + indices.shape[bd:])
    out_shape = params.shape[:axis] + indices.shape[bd:] + params.shape[axis + 1:]
    out = np.empty((p.shape[0],) + out_shape[bd:], dtype=params.dtype)
    for b in range(p.shape[0]):
        out[b] = np.take(p[b], ind[b], axis=axis - bd)
    return out.reshape(batch + out_shape[bd:])


@kernel("UnsortedSegmentSum")
def _unsorted_segment_sum(node):
    def run(data, segment_ids, num_segments):
        ids = np.asarray(segment_ids)
        n = int_scalar(num_segments, "num_segments")
        if data.shape[:ids.ndim] != ids.shape:
            raise invalid(f"data.shape = {fmt_shape(data.shape)} does not start with "
                          f"segment_ids.shape = {fmt_shape(ids.shape)}")
        out_shape = [n] + list(data.shape[ids.ndim:])
        check_alloc(node, out_shape, data.dtype)
        flat_ids = ids.reshape(-1)
        bad = np.flatnonzero(flat_ids >= n)
        if bad.size:
            raise invalid(f"segment_ids[{bad[0]}] = {flat_ids[bad[0]]} is out of range [0, "
                          f"{n})")
        rows = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
        keep = flat_ids >= 0
        out = np.zeros(out_shape, dtype=data.dtype)
        np.add.at(out, flat_ids[keep], rows[keep])
        return out
    return run


# ---------------------------------------------------------------- OneHot

@kernel("OneHot")
def _one_hot(node):
    axis = node.attrs["axis"]

    def run(indices, depth, on_value, off_value):
        depth = int_scalar(depth, "depth")
        if depth < 0:
            raise invalid(f"depth must be non-negative, got: {depth}")
        for what, v in (("on_value", on_value), ("off_value", off_value)):
            if np.ndim(v) != 0:
                raise invalid(f"{what} must be a scalar, but got: {fmt_shape(np.shape(v))}")
        indices = np.asarray(indices)
        if not -1 <= axis <= indices.ndim:
            raise invalid(f"Expected axis to be -1 or between [0, {indices.ndim + 1}).  But "
                           f"received: {axis}")
        where = indices.ndim if axis == -1 else axis
        out_shape = list(indices.shape[:where]) + [depth] + list(indices.shape[where:])
        on = np.asarray(on_value)
        check_alloc(node, out_shape, on.dtype)
        hot = np.expand_dims(indices, -1) == np.arange(depth)
        out = np.where(hot, on, np.asarray(off_value)).astype(on.dtype, copy=False)
        return np.moveaxis(out, -1, where)
    return run
