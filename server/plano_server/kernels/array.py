"""Array kernels: identity, placeholders, shapes, reshaping, slicing, joining, gathering.

Each kernel checks its runtime values the way TF's kernel does and raises
InvalidArgumentError with TF's message; outputs keep TF's result dtype.
"""
from __future__ import annotations

import numpy as np

from plano import errors
from plano.ops import slice_spec
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _fmt(shape) -> str:
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _vector(value, what: str) -> list[int]:
    value = np.asarray(value)
    if value.ndim != 1:
        raise _invalid(f"{what} must be a vector, got shape {_fmt(value.shape)}")
    return [int(v) for v in value]


def _scalar(value, what: str) -> int:
    value = np.asarray(value)
    if value.size != 1:
        raise _invalid(f"{what} must be a scalar, got shape {_fmt(value.shape)}")
    return int(value.reshape(-1)[0])


def _axis(axis: int, rank: int, what: str) -> int:
    if not -rank <= axis < rank:
        raise _invalid(f"{what} = {axis} not in [{-rank}, {rank})")
    return axis % rank if rank else axis


def _outputs(values: list):
    """Multi-output kernels return a tuple, except that a single output is returned bare."""
    return values[0] if len(values) == 1 else tuple(values)


# ---------------------------------------------------------------- identity-like

@kernel("Identity", "PlaceholderWithDefault", "StopGradient", "PreventGradient")
def _identity(node):
    return lambda x: x


@kernel("Placeholder")
def _placeholder(node):
    def missing():
        raise errors.InvalidArgumentError(
            None, None, f"You must feed a value for placeholder tensor '{node.name}' with dtype "
            f"{node.attrs['dtype'].name}")
    return missing


# ---------------------------------------------------------------- Shape, Size, Rank

@kernel("Shape")
def _shape(node):
    out = node.attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.shape(x), dtype=out)


@kernel("ConcatOffset")
def _concat_offset(node):
    def run(concat_dim, *shapes):
        first = np.asarray(shapes[0])
        rank = first.size
        axis = int(concat_dim)
        if not -rank <= axis < rank:
            raise _invalid(f"Concat dim is out of range: {axis} vs. {rank}")
        axis %= rank
        offsets, position = [], 0
        for i, shape in enumerate(shapes):
            shape = np.asarray(shape)
            if shape.size != rank:
                raise _invalid(f"input {i} should contain {rank} elements, but got {shape.size}")
            for d in range(rank):
                if d != axis and shape[d] != first[d]:
                    raise _invalid(f"input[{i},{d}] mismatch: {shape[d]} vs {first[d]}")
            offset = np.zeros(rank, shape.dtype)
            offset[axis] = position
            offsets.append(offset)
            position += int(shape[axis])
        return tuple(offsets)
    return run


@kernel("ShapeN")
def _shape_n(node):
    out = node.attrs["out_type"].as_numpy_dtype
    return lambda *xs: tuple(np.array(np.shape(x), dtype=out) for x in xs)


@kernel("Size")
def _size(node):
    out = node.attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.size(x), dtype=out)


@simple("Rank")
def _rank(x):
    return np.array(np.ndim(x), dtype=np.int32)


# ---------------------------------------------------------------- Reshape, Fill, *Like

@kernel("Reshape")
def _reshape_kernel(node):
    """Reshape's target is usually a constant: the checked dims are kept per (input shape,
    requested shape), so a step pays the checks once."""
    memo: dict = {}

    def run(x, shape):
        key = (x.shape, shape.dtype.char, shape.tobytes()) if isinstance(shape, np.ndarray) \
            else None
        dims = memo.get(key) if key is not None else None
        if dims is None:
            dims = _reshape_dims(x, shape)
            if key is not None and len(memo) < 64:
                memo[key] = dims
        return x.reshape(dims)
    return run


def _reshape_dims(x, shape) -> tuple:
    """TF's rules, including the -1 next to a 0: zero dims of the input are not counted."""
    dims = np.asarray(shape)
    if dims.ndim != 1:
        raise _invalid(f"sizes input must be 1-D, not {_fmt(dims.shape)}")
    dims = [int(d) for d in dims]
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise _invalid(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    for i, d in enumerate(dims):
        if d < -1:
            raise _invalid(f"Size {i} must be non-negative, not {d}")
    if unknown:
        product = int(np.prod([d for d in dims if d > 0], dtype=np.int64))
        sizes_have_zero = 0 in dims
        counted = [d for d in x.shape if d > 0 or not sizes_have_zero]
        known = int(np.prod(counted, dtype=np.int64))
        missing = known // product
        if len(counted) == x.ndim and product * missing != known:
            raise _invalid(f"Input to reshape is a tensor with {known} values, but the "
                           f"requested shape requires a multiple of {product}")
        dims[unknown[0]] = missing
    n = int(np.prod(dims, dtype=np.int64))
    if n != x.size:
        raise _invalid(f"Input to reshape is a tensor with {x.size} values, but the requested "
                       f"shape has {n}")
    return tuple(dims)


@kernel("Fill")
def _fill(node):
    def run(dims, value):
        dims = _vector(dims, "dims")
        value = np.asarray(value)
        if value.ndim != 0:
            raise _invalid(f"value must be a scalar, got shape {_fmt(value.shape)}")
        check_alloc(node, dims, value.dtype)
        return np.full(dims, value, dtype=value.dtype)
    return run


def _filled_like(fill_value):
    def fn(x):
        x = np.asarray(x)
        if x.dtype == object:
            return np.full(x.shape, b"" if fill_value == 0 else b"1", dtype=object)
        return np.full(x.shape, fill_value, dtype=x.dtype)
    return fn


simple("ZerosLike")(_filled_like(0))
simple("OnesLike")(_filled_like(1))


# ---------------------------------------------------------------- broadcasting

@kernel("BroadcastGradientArgs")
def _broadcast_gradient_args(node):
    out = node.attrs["T"].as_numpy_dtype

    def run(s0, s1):
        shapes = []
        for i, s in enumerate((s0, s1)):
            s = np.asarray(s)
            if s.ndim != 1:
                raise _invalid(f"In[{i}] must be a vector.{_fmt(s.shape)}")
            shapes.append([int(d) for d in s])
        r0, r1 = broadcast_reduction_axes(*shapes)
        return np.array(r0, dtype=out), np.array(r1, dtype=out)
    return run


def broadcast_reduction_axes(x: list[int], y: list[int]) -> tuple[list[int], list[int]]:
    """TF's BCast: for each input, the output axes its gradient is summed over.

    An axis counts for an input when its (1-extended) size there is 1 and the
    other input's is not also 1.
    """
    n = max(len(x), len(y))
    ex, ey = [1] * (n - len(x)) + x, [1] * (n - len(y)) + y
    r0, r1 = [], []
    if x == y:
        return r0, r1
    for k, (a, b) in enumerate(zip(ex, ey)):
        if a != 1 and b != 1 and a != b:
            raise _invalid(f"Incompatible shapes: {_fmt(x)} vs. {_fmt(y)}")
        if a == 1 and b == 1:
            continue
        if a == 1:
            r0.append(k)
        if b == 1:
            r1.append(k)
    return r0, r1


@kernel("BroadcastTo")
def _broadcast_to(node):
    def run(x, shape):
        dims = _vector(shape, "shape")
        if x.ndim > len(dims):
            raise _invalid(f"Rank of input ({x.ndim}) must be no greater than rank of output "
                           f"shape ({len(dims)}).")
        check_alloc(node, dims, x.dtype)
        try:
            return np.broadcast_to(x, dims)
        except ValueError:
            raise _invalid(f"Incompatible shapes: {_fmt(x.shape)} vs. {_fmt(dims)}") from None
    return run


# ---------------------------------------------------------------- Pack, Unpack, ConcatV2

@kernel("Pack")
def _pack(node):
    axis = node.attrs["axis"]

    def run(*values):
        first = np.shape(values[0])
        for i, v in enumerate(values[1:], 1):
            if np.shape(v) != first:
                raise _invalid(f"Shapes of all inputs must match: values[0].shape = "
                               f"{_fmt(first)} != values[{i}].shape = {_fmt(np.shape(v))}")
        _axis(axis, len(first) + 1, "axis")
        return np.stack(values, axis=axis)
    return run


@kernel("Unpack")
def _unpack(node):
    num, axis = node.attrs["num"], node.attrs["axis"]

    def run(x):
        a = _axis(axis, x.ndim, "axis")
        if x.shape[a] != num:
            raise _invalid(f"Input shape axis {a} must equal {num}, got shape {_fmt(x.shape)}")
        return _outputs([np.take(x, i, axis=a) for i in range(num)])
    return run


@simple("ConcatV2")
def _concat(*args):
    values, axis = args[:-1], _scalar(args[-1], "axis")
    first = np.shape(values[0])
    rank = len(first)
    if rank == 0:
        raise _invalid("ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -rank <= axis < rank:
        raise _invalid(f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, "
                       f"{rank}), but got {axis}")
    axis %= rank
    for i, v in enumerate(values[1:], 1):
        s = np.shape(v)
        if len(s) != rank:
            raise _invalid(f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                           f"{_fmt(first)} vs. shape[{i}] = {_fmt(s)}")
        for d in range(rank):
            if d != axis and s[d] != first[d]:
                raise _invalid(f"ConcatOp : Dimension {d} in both shapes must be equal: "
                               f"shape[0] = {_fmt(first)} vs. shape[{i}] = {_fmt(s)}")
    return np.concatenate(values, axis=axis)


# ---------------------------------------------------------------- Split, SplitV

def _split_axis(dim, x) -> int:
    dim = _scalar(dim, "split_dim")
    if not -x.ndim <= dim < x.ndim:
        raise _invalid(f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got "
                       f"{dim}")
    return dim % x.ndim


@kernel("Split")
def _split(node):
    num = node.attrs["num_split"]

    def run(dim, x):
        axis = _split_axis(dim, x)
        if x.shape[axis] % num:
            raise _invalid(f"Number of ways to split should evenly divide the split dimension, "
                           f"but got split_dim {axis} (size = {x.shape[axis]}) and num_split "
                           f"{num}")
        return _outputs(np.split(x, num, axis=axis))
    return run


@kernel("SplitV")
def _split_v(node):
    num = node.attrs["num_split"]

    def run(x, size_splits, dim):
        axis = _split_axis(dim, x)
        sizes = _vector(size_splits, "size_splits")
        if len(sizes) != num:
            raise _invalid(f"Number of ways to split should evenly divide the split dimension "
                           f"(size_splits has {len(sizes)} entries, num_split is {num})")
        n = x.shape[axis]
        if sizes.count(-1) > 1:
            raise _invalid("There can only be one -1 in the input.")
        total = sum(s for s in sizes if s != -1)
        if any(s < -1 for s in sizes) or (total != n if -1 not in sizes else total > n):
            raise _invalid("Determined shape must either match input shape along split_dim "
                           "exactly if fully specified, or be less than the size of the input "
                           f"along split_dim if not fully specified.  Got: {total}")
        sizes = [n - total if s == -1 else s for s in sizes]
        return _outputs(np.split(x, np.cumsum(sizes)[:-1], axis=axis))
    return run


# ---------------------------------------------------------------- Slice, StridedSlice

@simple("Slice")
def _slice(x, begin, size):
    begin, size = np.asarray(begin), np.asarray(size)
    if begin.ndim != 1 or size.ndim != 1 or begin.size != x.ndim or size.size != x.ndim:
        raise _invalid(f"Expected begin and size arguments to be 1-D tensors of size "
                       f"{x.ndim}, but got shapes {_fmt(begin.shape)} and {_fmt(size.shape)} "
                       "instead.")
    index = []
    for i, (b, s) in enumerate(zip(begin.tolist(), size.tolist())):
        dim = x.shape[i]
        s = dim - b if s == -1 else s
        if not 0 <= b <= dim:
            raise _invalid(f"Expected begin[{i}] in [0, {dim}], but got {b}")
        if not (0 <= s and b + s <= dim):
            raise _invalid(f"Expected size[{i}] in [0, {dim - b}], but got {s}")
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
            raise _invalid(str(e)) from None
    return run


@kernel("StridedSliceGrad")
def _strided_slice_grad(node):
    masks = _masks(node)

    def run(shape, begin, end, strides, dy):
        check_alloc(node, _vector(shape, "shape"), np.asarray(dy).dtype)
        try:
            return slice_spec.strided_slice_grad(shape, begin, end, strides, dy, **masks)
        except slice_spec.SliceSpecError as e:
            raise _invalid(str(e)) from None
    return run


# ---------------------------------------------------------------- Transpose, ExpandDims, Squeeze

@simple("Transpose")
def _transpose(x, perm):
    perm = _vector(perm, "perm")
    if len(perm) != x.ndim:
        raise _invalid(f"transpose expects a vector of size {x.ndim}. But input(1) is a vector "
                       f"of size {len(perm)}")
    for d in perm:
        if not 0 <= d < x.ndim:
            raise _invalid(f"{d} is out of range [0 .. {x.ndim})")
    for i in range(x.ndim):
        if i not in perm:
            raise _invalid(f"{i} is missing from {{{','.join(map(str, perm))}}}.")
    return np.transpose(x, perm)


@simple("InvertPermutation")
def _invert_permutation(x):
    x = np.asarray(x)
    if x.ndim != 1:
        raise _invalid("invert_permutation expects a 1D vector.")
    n = x.size
    out = np.full(n, -1, dtype=x.dtype)
    for i, d in enumerate(x.tolist()):
        if not 0 <= d < n:
            raise _invalid(f"{d} is not between 0 and {n}")
        if out[d] != -1:
            raise _invalid(f"{d} is duplicated in the input.")
        out[d] = i
    return out


@simple("ExpandDims")
def _expand_dims(x, dim):
    dim = np.asarray(dim)
    if dim.size != 1:
        raise _invalid(f"'dim' must be a tensor with a single value, got shape "
                       f"{_fmt(dim.shape)}")
    d = int(dim.reshape(-1)[0])
    if not -1 - x.ndim <= d <= x.ndim:
        raise _invalid(f"Tried to expand dim index {d} for tensor with {x.ndim} dimensions.")
    return np.expand_dims(x, d + x.ndim + 1 if d < 0 else d)


@kernel("Squeeze")
def _squeeze(node):
    dims = node.attrs["squeeze_dims"]

    def run(x):
        wanted = set()
        for d in dims:
            if not -x.ndim <= d < x.ndim:
                raise _invalid(f"Tried to squeeze dim index {d} for tensor with {x.ndim} "
                               "dimensions.")
            d %= x.ndim
            if x.shape[d] != 1:
                raise _invalid(f"Can not squeeze dim[{d}], expected a dimension of 1, got "
                               f"{x.shape[d]}")
            wanted.add(d)
        if not dims:
            wanted = {i for i, n in enumerate(x.shape) if n == 1}
        return x.reshape([n for i, n in enumerate(x.shape) if i not in wanted])
    return run


# ---------------------------------------------------------------- Tile, Pad, ReverseV2

@kernel("Tile")
def _tile(node):
    def run(x, multiples):
        multiples = np.asarray(multiples)
        if multiples.ndim != 1 or multiples.size != x.ndim:
            raise _invalid(f"Expected multiples argument to be a vector of length {x.ndim} but "
                           f"got length {multiples.size}")
        reps = multiples.tolist()
        for i, m in enumerate(reps):
            if m < 0:
                raise _invalid(f"Expected multiples[{i}] >= 0, but got {m}")
        check_alloc(node, [d * m for d, m in zip(x.shape, reps)], x.dtype)
        return np.tile(x, reps) if reps else x.copy()
    return run


@kernel("Pad", "PadV2")
def _pad(node):
    def run(x, paddings, constant_values=None):
        p = np.asarray(paddings)
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != x.ndim:
            raise _invalid(f"The first dimension of paddings must be the rank of inputs"
                           f"{_fmt(p.shape)}, {_fmt(x.shape)}")
        if np.any(p < 0):
            bad = p[np.any(p < 0, axis=1)][0]
            raise _invalid(f"Paddings must be non-negative: {bad[0]} {bad[1]}")
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
        raise _invalid(f"The first dimension of paddings must be the rank of inputs"
                       f"{_fmt(p.shape)}, {_fmt(x.shape)}")
    offset = 0 if node.attrs["mode"] == b"REFLECT" else 1
    pairs = [(int(a), int(b)) for a, b in p.tolist()]
    for d, (a, b) in enumerate(pairs):
        limit = x.shape[d] - 1 + offset
        if a < 0 or b < 0 or a > limit or b > limit:
            raise _invalid(f"paddings must be no greater than the dimension size: {a}, {b} "
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
        raise _invalid(f"constant_values must be a scalar. Got: {_fmt(value.shape)}")
    return value[()]


@simple("ReverseV2")
def _reverse(x, axis):
    axes = _vector(axis, "axis")
    seen = set()
    for i, a in enumerate(axes):
        c = a + x.ndim if a < 0 else a
        if not 0 <= c < x.ndim:
            raise _invalid(f"'axis'[{i}] = {a} is out of valid range [0, {x.ndim - 1}")
        if c in seen:
            raise _invalid(f"axis {c} specified more than once.")
        seen.add(c)
    return np.flip(x, tuple(seen)) if seen else x


# ---------------------------------------------------------------- GatherV2, UnsortedSegmentSum

@kernel("GatherV2")
def _gather(node):
    batch_dims = node.attrs["batch_dims"]

    def run(params, indices, axis):
        indices = np.asarray(indices)
        axis = _scalar(axis, "axis")
        if params.ndim < 1:
            raise _invalid("params must be at least 1 dimensional")
        if not -params.ndim <= axis < params.ndim:
            raise _invalid(f"Expected axis in the range [{-params.ndim}, {params.ndim}), but "
                           f"got {axis}")
        axis %= params.ndim
        bd = batch_dims
        if bd:
            if not -indices.ndim <= bd <= indices.ndim:
                raise _invalid(f"Expected batch_dims in the range [{-indices.ndim}, "
                               f"{indices.ndim}], but got {bd}")
            bd += indices.ndim if bd < 0 else 0
            if bd >= params.ndim:
                raise _invalid(f"batch_dims ({bd}) must be less than rank(params) "
                               f"({params.ndim}).")
            if axis < bd:
                raise _invalid(f"batch_dims ({bd}) must be less than or equal to axis "
                               f"({axis}).")
            for i in range(bd):
                if params.shape[i] != indices.shape[i]:
                    raise _invalid(f"params.shape[{i}]: {params.shape[i]} should be equal to "
                                   f"indices.shape[{i}]: {indices.shape[i]}")
        n = params.shape[axis]
        bad = np.flatnonzero((indices < 0) | (indices >= n))
        if bad.size:
            where = np.unravel_index(bad[0], indices.shape)
            raise _invalid(f"indices{_fmt(where)} = {indices.reshape(-1)[bad[0]]} is not in "
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
        n = _scalar(num_segments, "num_segments")
        if data.shape[:ids.ndim] != ids.shape:
            raise _invalid(f"data.shape = {_fmt(data.shape)} does not start with "
                           f"segment_ids.shape = {_fmt(ids.shape)}")
        out_shape = [n] + list(data.shape[ids.ndim:])
        check_alloc(node, out_shape, data.dtype)
        flat_ids = ids.reshape(-1)
        bad = np.flatnonzero(flat_ids >= n)
        if bad.size:
            raise _invalid(f"segment_ids[{bad[0]}] = {flat_ids[bad[0]]} is out of range [0, "
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
        depth = _scalar(depth, "depth")
        if depth < 0:
            raise _invalid(f"depth must be non-negative, got: {depth}")
        for what, v in (("on_value", on_value), ("off_value", off_value)):
            if np.ndim(v) != 0:
                raise _invalid(f"{what} must be a scalar, but got: {_fmt(np.shape(v))}")
        indices = np.asarray(indices)
        if not -1 <= axis <= indices.ndim:
            raise _invalid(f"Expected axis to be -1 or between [0, {indices.ndim + 1}).  But "
                           f"received: {axis}")
        where = indices.ndim if axis == -1 else axis
        out_shape = list(indices.shape[:where]) + [depth] + list(indices.shape[where:])
        on = np.asarray(on_value)
        check_alloc(node, out_shape, on.dtype)
        hot = np.expand_dims(indices, -1) == np.arange(depth)
        out = np.where(hot, on, np.asarray(off_value)).astype(on.dtype, copy=False)
        return np.moveaxis(out, -1, where)
    return run
