"""Array kernels: identity, placeholders, shapes, reshaping, filling, broadcasting, transposing.

Each kernel checks its runtime values the way TF's kernel does and raises
InvalidArgumentError with TF's message; outputs keep TF's result dtype.
"""
from __future__ import annotations

import numpy as np

from plano_server.kernels.checks import fmt_shape, int_vector, invalid
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


# ---------------------------------------------------------------- identity-like

@kernel("Identity", "PlaceholderWithDefault", "StopGradient", "PreventGradient")
def _identity(node):
    return lambda x: x


@kernel("Placeholder")
def _placeholder(node):
    def missing():
        raise invalid(f"You must feed a value for placeholder tensor '{node.name}' with dtype "
                      f"{node.attrs['dtype'].name}")
    return missing


# ---------------------------------------------------------------- Shape, Size, Rank

@kernel("Shape")
def _shape(node):
    out = node.attrs["out_type"].as_numpy_dtype
    return lambda x: np.array(np.shape(x), dtype=out)


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
        raise invalid(f"sizes input must be 1-D, not {fmt_shape(dims.shape)}")
    dims = [int(d) for d in dims]
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise invalid(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    for i, d in enumerate(dims):
        if d < -1:
            raise invalid(f"Size {i} must be non-negative, not {d}")
    if unknown:
        product = int(np.prod([d for d in dims if d > 0], dtype=np.int64))
        sizes_have_zero = 0 in dims
        counted = [d for d in x.shape if d > 0 or not sizes_have_zero]
        known = int(np.prod(counted, dtype=np.int64))
        missing = known // product
        if len(counted) == x.ndim and product * missing != known:
            raise invalid(f"Input to reshape is a tensor with {known} values, but the "
                          f"requested shape requires a multiple of {product}")
        dims[unknown[0]] = missing
    n = int(np.prod(dims, dtype=np.int64))
    if n != x.size:
        raise invalid(f"Input to reshape is a tensor with {x.size} values, but the requested "
                      f"shape has {n}")
    return tuple(dims)


@kernel("Fill")
def _fill(node):
    def run(dims, value):
        dims = int_vector(dims, "dims")
        value = np.asarray(value)
        if value.ndim != 0:
            raise invalid(f"value must be a scalar, got shape {fmt_shape(value.shape)}")
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
                raise invalid(f"In[{i}] must be a vector.{fmt_shape(s.shape)}")
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
            raise invalid(f"Incompatible shapes: {fmt_shape(x)} vs. {fmt_shape(y)}")
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
        dims = int_vector(shape, "shape")
        if x.ndim > len(dims):
            raise invalid(f"Rank of input ({x.ndim}) must be no greater than rank of output "
                          f"shape ({len(dims)}).")
        check_alloc(node, dims, x.dtype)
        try:
            return np.broadcast_to(x, dims)
        except ValueError:
            raise invalid(f"Incompatible shapes: {fmt_shape(x.shape)} vs. "
                          f"{fmt_shape(dims)}") from None
    return run


# ---------------------------------------------------------------- Transpose, ExpandDims, Squeeze

@simple("Transpose")
def _transpose(x, perm):
    perm = int_vector(perm, "perm")
    if len(perm) != x.ndim:
        raise invalid(f"transpose expects a vector of size {x.ndim}. But input(1) is a vector "
                      f"of size {len(perm)}")
    for d in perm:
        if not 0 <= d < x.ndim:
            raise invalid(f"{d} is out of range [0 .. {x.ndim})")
    for i in range(x.ndim):
        if i not in perm:
            raise invalid(f"{i} is missing from {{{','.join(map(str, perm))}}}.")
    return np.transpose(x, perm)


@simple("InvertPermutation")
def _invert_permutation(x):
    x = np.asarray(x)
    if x.ndim != 1:
        raise invalid("invert_permutation expects a 1D vector.")
    n = x.size
    out = np.full(n, -1, dtype=x.dtype)
    for i, d in enumerate(x.tolist()):
        if not 0 <= d < n:
            raise invalid(f"{d} is not between 0 and {n}")
        if out[d] != -1:
            raise invalid(f"{d} is duplicated in the input.")
        out[d] = i
    return out


@simple("ExpandDims")
def _expand_dims(x, dim):
    dim = np.asarray(dim)
    if dim.size != 1:
        raise invalid(f"'dim' must be a tensor with a single value, got shape "
                      f"{fmt_shape(dim.shape)}")
    d = int(dim.reshape(-1)[0])
    if not -1 - x.ndim <= d <= x.ndim:
        raise invalid(f"Tried to expand dim index {d} for tensor with {x.ndim} dimensions.")
    return np.expand_dims(x, d + x.ndim + 1 if d < 0 else d)


@kernel("Squeeze")
def _squeeze(node):
    dims = node.attrs["squeeze_dims"]

    def run(x):
        wanted = set()
        for d in dims:
            if not -x.ndim <= d < x.ndim:
                raise invalid(f"Tried to squeeze dim index {d} for tensor with {x.ndim} "
                              "dimensions.")
            d %= x.ndim
            if x.shape[d] != 1:
                raise invalid(f"Can not squeeze dim[{d}], expected a dimension of 1, got "
                              f"{x.shape[d]}")
            wanted.add(d)
        if not dims:
            wanted = {i for i, n in enumerate(x.shape) if n == 1}
        return x.reshape([n for i, n in enumerate(x.shape) if i not in wanted])
    return run

