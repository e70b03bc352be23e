"""Kernels that join, split, tile, pad and reverse arrays (mirroring plano.ops.join_ops)."""
from __future__ import annotations

import numpy as np

from plano_server.kernels.checks import (
    as_outputs, check_axis, fmt_shape, int_scalar, int_vector, invalid,
)
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


@kernel("ConcatOffset")
def _concat_offset(node):
    def run(concat_dim, *shapes):
        first = np.asarray(shapes[0])
        rank = first.size
        axis = int(concat_dim)
        if not -rank <= axis < rank:
            raise invalid(f"Concat dim is out of range: {axis} vs. {rank}")
        axis %= rank
        offsets, position = [], 0
        for i, shape in enumerate(shapes):
            shape = np.asarray(shape)
            if shape.size != rank:
                raise invalid(f"input {i} should contain {rank} elements, but got {shape.size}")
            for d in range(rank):
                if d != axis and shape[d] != first[d]:
                    raise invalid(f"input[{i},{d}] mismatch: {shape[d]} vs {first[d]}")
            offset = np.zeros(rank, shape.dtype)
            offset[axis] = position
            offsets.append(offset)
            position += int(shape[axis])
        return tuple(offsets)
    return run


# ---------------------------------------------------------------- Pack, Unpack, ConcatV2

@kernel("Pack")
def _pack(node):
    axis = node.attrs["axis"]

    def run(*values):
        first = np.shape(values[0])
        for i, v in enumerate(values[1:], 1):
            if np.shape(v) != first:
                raise invalid(f"Shapes of all inputs must match: values[0].shape = "
                              f"{fmt_shape(first)} != values[{i}].shape = "
                              f"{fmt_shape(np.shape(v))}")
        check_axis(axis, len(first) + 1, "axis")
        return np.stack(values, axis=axis)
    return run


@kernel("Unpack")
def _unpack(node):
    num, axis = node.attrs["num"], node.attrs["axis"]

    def run(x):
        a = check_axis(axis, x.ndim, "axis")
        if x.shape[a] != num:
            raise invalid(f"Input shape axis {a} must equal {num}, got shape {fmt_shape(x.shape)}")
        return as_outputs([np.take(x, i, axis=a) for i in range(num)])
    return run


@simple("ConcatV2")
def _concat(*args):
    values, axis = args[:-1], int_scalar(args[-1], "axis")
    first = np.shape(values[0])
    rank = len(first)
    if rank == 0:
        raise invalid("ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -rank <= axis < rank:
        raise invalid(f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, "
                      f"{rank}), but got {axis}")
    axis %= rank
    for i, v in enumerate(values[1:], 1):
        s = np.shape(v)
        if len(s) != rank:
            raise invalid(f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                          f"{fmt_shape(first)} vs. shape[{i}] = {fmt_shape(s)}")
        for d in range(rank):
            if d != axis and s[d] != first[d]:
                raise invalid(f"ConcatOp : Dimension {d} in both shapes must be equal: "
                              f"shape[0] = {fmt_shape(first)} vs. shape[{i}] = {fmt_shape(s)}")
    return np.concatenate(values, axis=axis)


# ---------------------------------------------------------------- Split, SplitV

def _split_axis(dim, x) -> int:
    dim = int_scalar(dim, "split_dim")
    if not -x.ndim <= dim < x.ndim:
        raise invalid(f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got "
                      f"{dim}")
    return dim % x.ndim


@kernel("Split")
def _split(node):
    num = node.attrs["num_split"]

    def run(dim, x):
        axis = _split_axis(dim, x)
        if x.shape[axis] % num:
            raise invalid(f"Number of ways to split should evenly divide the split dimension, "
                          f"but got split_dim {axis} (size = {x.shape[axis]}) and num_split "
                          f"{num}")
        return as_outputs(np.split(x, num, axis=axis))
    return run


@kernel("SplitV")
def _split_v(node):
    num = node.attrs["num_split"]

    def run(x, size_splits, dim):
        axis = _split_axis(dim, x)
        sizes = int_vector(size_splits, "size_splits")
        if len(sizes) != num:
            raise invalid(f"Number of ways to split should evenly divide the split dimension "
                          f"(size_splits has {len(sizes)} entries, num_split is {num})")
        n = x.shape[axis]
        if sizes.count(-1) > 1:
            raise invalid("There can only be one -1 in the input.")
        total = sum(s for s in sizes if s != -1)
        if any(s < -1 for s in sizes) or (total != n if -1 not in sizes else total > n):
            raise invalid("Determined shape must either match input shape along split_dim "
                          "exactly if fully specified, or be less than the size of the input "
                          f"along split_dim if not fully specified.  Got: {total}")
        sizes = [n - total if s == -1 else s for s in sizes]
        return as_outputs(np.split(x, np.cumsum(sizes)[:-1], axis=axis))
    return run


# ---------------------------------------------------------------- Tile, Pad, ReverseV2

@kernel("Tile")
def _tile(node):
    def run(x, multiples):
        multiples = np.asarray(multiples)
        if multiples.ndim != 1 or multiples.size != x.ndim:
            raise invalid(f"Expected multiples argument to be a vector of length {x.ndim} but "
                          f"got length {multiples.size}")
        reps = multiples.tolist()
        for i, m in enumerate(reps):
            if m < 0:
                raise invalid(f"Expected multiples[{i}] >= 0, but got {m}")
        check_alloc(node, [d * m for d, m in zip(x.shape, reps)], x.dtype)
        return np.tile(x, reps) if reps else x.copy()
    return run


@kernel("Pad", "PadV2")
def _pad(node):
    def run(x, paddings, constant_values=None):
        p = np.asarray(paddings)
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != x.ndim:
            raise invalid(f"The first dimension of paddings must be the rank of inputs"
                          f"{fmt_shape(p.shape)}, {fmt_shape(x.shape)}")
        if np.any(p < 0):
            bad = p[np.any(p < 0, axis=1)][0]
            raise invalid(f"Paddings must be non-negative: {bad[0]} {bad[1]}")
        check_alloc(node, [d + a + b for d, (a, b) in zip(x.shape, p.tolist())], x.dtype)
        fill = 0 if constant_values is None else _pad_value(constant_values)
        if x.ndim == 0:
            return x.copy()
        return np.pad(x, p.astype(np.int64), mode="constant", constant_values=fill)
    return run


def _mirror_paddings(node, x, paddings) -> list[tuple[int, int]]:
    """TF's limits: REFLECT pads less than the dim, SYMMETRIC at most the dim."""
    p = np.asarray(paddings)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != x.ndim:
        raise invalid(f"The first dimension of paddings must be the rank of inputs"
                      f"{fmt_shape(p.shape)}, {fmt_shape(x.shape)}")
    offset = 0 if node.attrs["mode"] == b"REFLECT" else 1
    pairs = [(int(a), int(b)) for a, b in p.tolist()]
    for d, (a, b) in enumerate(pairs):
        limit = x.shape[d] - 1 + offset
        if a < 0 or b < 0 or a > limit or b > limit:
            raise invalid(f"paddings must be no greater than the dimension size: {a}, {b} "
                          f"greater than {limit} (dimension {d}, mode "
                          f"{node.attrs['mode'].decode()})")
    return pairs


@kernel("MirrorPad")
def _mirror_pad(node):
    mode = node.attrs["mode"].decode().lower()

    def run(x, paddings):
        pairs = _mirror_paddings(node, x, paddings)
        check_alloc(node, [d + a + b for d, (a, b) in zip(x.shape, pairs)], x.dtype)
        return np.pad(x, pairs, mode=mode) if x.ndim else x.copy()
    return run


@kernel("MirrorPadGrad")
def _mirror_pad_grad(node):
    """Folds each padded border back onto the input elements it mirrored (summing)."""
    offset = 0 if node.attrs["mode"] == b"SYMMETRIC" else 1

    def run(grad, paddings):
        out = np.array(grad, copy=True)
        for axis, (a, b) in enumerate(np.asarray(paddings).astype(int).tolist()):
            n = out.shape[axis] - a - b
            core = np.take(out, range(a, a + n), axis=axis)
            if a:
                before = np.flip(np.take(out, range(a), axis=axis), axis)
                idx = [slice(None)] * out.ndim
                idx[axis] = slice(offset, offset + a)
                core[tuple(idx)] += before
            if b:
                after = np.flip(np.take(out, range(a + n, a + n + b), axis=axis), axis)
                idx = [slice(None)] * out.ndim
                idx[axis] = slice(n - offset - b, n - offset)
                core[tuple(idx)] += after
            out = core
        return out
    return run


def _pad_value(value):
    value = np.asarray(value)
    if value.ndim != 0:
        raise invalid(f"constant_values must be a scalar. Got: {fmt_shape(value.shape)}")
    return value[()]


@simple("ReverseV2")
def _reverse(x, axis):
    axes = int_vector(axis, "axis")
    seen = set()
    for i, a in enumerate(axes):
        c = a + x.ndim if a < 0 else a
        if not 0 <= c < x.ndim:
            raise invalid(f"'axis'[{i}] = {a} is out of valid range [0, {x.ndim - 1}")
        if c in seen:
            raise invalid(f"axis {c} specified more than once.")
        seen.add(c)
    return np.flip(x, tuple(seen)) if seen else x
