"""StridedSlice's index arithmetic (TF's ValidateStridedSliceOp), shared by client and server.

The same function gives the shape rule its static shape, folds slices of
build-time constants, and drives the numpy kernels, so the three can never
disagree about masks, negative strides or clamping.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_NEW_AXIS = -1
_SHRINK_AXIS = -2


class SliceSpecError(ValueError):
    """A slice that TF rejects; the message is TF's."""


@dataclass
class SliceSpec:
    """Per input dimension: canonical begin/end/stride, and the result shapes (None: unknown)."""

    begin: list
    end: list
    strides: list
    processing_shape: list
    final_shape: list

    def slices(self) -> tuple:
        """Python slices selecting the processing region of a fully known input."""
        out = []
        for b, s, n in zip(self.begin, self.strides, self.processing_shape):
            stop = b + n * s
            out.append(slice(b, b) if n == 0 else slice(b, stop if stop >= 0 else None, s))
        return tuple(out)


def strided_slice_spec(input_shape, begin, end, strides, begin_mask: int = 0, end_mask: int = 0,
                       ellipsis_mask: int = 0, new_axis_mask: int = 0,
                       shrink_axis_mask: int = 0) -> SliceSpec:
    """Canonicalizes a sparse slice spec against `input_shape` (dims may be None).

    `begin`/`end` may be None when unknown at build time; `strides` must be known.
    """
    strides = [int(s) for s in np.reshape(strides, -1)]
    n = len(strides)
    for v in (begin, end):
        if v is not None and (np.ndim(v) != 1 or np.size(v) != n or n >= 32):
            raise SliceSpecError(
                f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                f"{_fmt(np.shape(begin))}, {_fmt(np.shape(end))}, and [{n}] instead.")
    if ellipsis_mask & (ellipsis_mask - 1):
        raise SliceSpecError("Multiple ellipses in slice spec not allowed")
    sparse_begin = None if begin is None else [int(b) for b in np.reshape(begin, -1)]
    sparse_end = None if end is None else [int(e) for e in np.reshape(end, -1)]
    dense = _dense_spec(len(input_shape), n, sparse_begin, sparse_end, strides, begin_mask,
                        end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)
    d_begin, d_end, d_strides, d_bmask, d_emask, d_shrink, gather = dense
    processing = []
    for i, dim in enumerate(input_shape):
        stride = d_strides[i]
        if stride == 0:
            raise SliceSpecError(f"strides[{i}] must be non-zero")
        shrink = bool(d_shrink & (1 << i))
        if dim is None:
            processing.append(1 if shrink else None)
            continue
        if shrink and stride <= 0:
            raise SliceSpecError("only stride 1 allowed on non-range indexing.")
        masked_b, masked_e = bool(d_bmask & (1 << i)), bool(d_emask & (1 << i))
        lo, hi = (0, dim) if stride > 0 else (-1, dim - 1)
        length = None
        if begin is not None and end is not None:
            if shrink:
                fwd = d_begin[i] + dim if d_begin[i] < 0 else d_begin[i]
                if fwd < 0 or fwd >= dim:
                    raise SliceSpecError(f"slice index {d_begin[i]} of dimension {i} out of "
                                         "bounds.")
                d_begin[i], d_end[i] = fwd, fwd + 1
            else:
                d_begin[i] = _canonical(d_begin[i], masked_b, stride > 0, lo, hi, dim)
                d_end[i] = _canonical(d_end[i], masked_e, stride < 0, lo, hi, dim)
            length = d_end[i] - d_begin[i]
        elif shrink:
            length = 1
        elif masked_b and masked_e:
            length = dim if stride > 0 else -dim
        if length is None:
            processing.append(None)
        elif length == 0 or (length < 0) != (stride < 0):
            processing.append(0)
        else:
            processing.append(-(-abs(length) // abs(stride)))
    final = [1 if g == _NEW_AXIS else processing[g] for g in gather if g != _SHRINK_AXIS]
    return SliceSpec(d_begin, d_end, d_strides, processing, final)


def _canonical(x: int, masked: bool, low_end: bool, lo: int, hi: int, dim: int) -> int:
    """A masked bound goes to the low or high end; others wrap negatives and clamp."""
    if masked:
        return lo if low_end else hi
    fwd = x + dim if x < 0 else x
    return min(max(fwd, lo), hi)


def _dense_spec(rank, n, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                new_axis_mask, shrink_axis_mask):
    """Expands the ellipsis (an implicit one at the end) into one entry per input dim."""
    after_ellipsis = 0
    seen = False
    for i in range(n):
        if seen and new_axis_mask & (1 << i):
            after_ellipsis += 1
        if ellipsis_mask & (1 << i):
            seen = True
    if not seen:
        ellipsis_mask |= 1 << n
        n += 1
    d_begin, d_end, d_strides = [0] * rank, [0] * rank, [1] * rank
    d_bmask = d_emask = d_shrink = 0
    gather = []
    full = 0
    for i in range(n):
        if ellipsis_mask & (1 << i):
            stop = min(rank - (n - i) + 1 + after_ellipsis, rank)
            while full < stop:
                d_bmask |= 1 << full
                d_emask |= 1 << full
                gather.append(full)
                full += 1
        elif new_axis_mask & (1 << i):
            gather.append(_NEW_AXIS)
        else:
            if full == rank:
                raise SliceSpecError(f"Index out of range using input dim {full}; input has "
                                     f"only {rank} dims")
            if begin is not None:
                d_begin[full] = begin[i]
            if end is not None:
                d_end[full] = end[i]
            d_strides[full] = strides[i]
            if begin_mask & (1 << i):
                d_bmask |= 1 << full
            if end_mask & (1 << i):
                d_emask |= 1 << full
            if shrink_axis_mask & (1 << i):
                gather.append(_SHRINK_AXIS)
                d_shrink |= 1 << full
            else:
                gather.append(full)
            full += 1
    return d_begin, d_end, d_strides, d_bmask, d_emask, d_shrink, gather


def strided_slice(x: np.ndarray, begin, end, strides, **masks) -> np.ndarray:
    """numpy StridedSlice with TF's semantics (a view where numpy allows)."""
    x = np.asarray(x)
    spec = strided_slice_spec(list(x.shape), begin, end, strides, **masks)
    return x[spec.slices()].reshape(spec.final_shape)


def strided_slice_grad(shape, begin, end, strides, dy: np.ndarray, **masks) -> np.ndarray:
    """Scatters `dy` into zeros of `shape` where StridedSlice would have read it."""
    shape = [int(d) for d in np.reshape(shape, -1)]
    spec = strided_slice_spec(shape, begin, end, strides, **masks)
    dy = np.asarray(dy)
    if list(dy.shape) != spec.final_shape:
        raise SliceSpecError(f"shape of dy was {_fmt(dy.shape)} instead of "
                             f"{_fmt(spec.final_shape)}")
    out = np.zeros(shape, dtype=dy.dtype)
    out[spec.slices()] = dy.reshape(spec.processing_shape)
    return out


def _fmt(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"
