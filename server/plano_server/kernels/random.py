"""Random kernels: each node draws from the session's stream for that node and seed pair.

Sizes come from a runtime shape tensor, so every kernel asks `check_alloc`
before drawing.
"""
import numpy as np

from plano import errors
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel


def _shape(node, shape: np.ndarray, dtype) -> tuple:
    if shape.ndim != 1:
        raise errors.InvalidArgumentError(
            None, None, f"shape must be a vector of ints, got a tensor of shape "
            f"{list(shape.shape)}")
    dims = tuple(int(d) for d in shape)
    check_alloc(node, dims, dtype)
    return dims


def _normal(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    wide = np.float64 if dtype == np.float64 else np.float32
    return rng.standard_normal(shape, dtype=wide)


def _uniform(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Uniform in [0, 1); half gets multiples of 2**-11, which never round up to 1."""
    if dtype == np.float16:
        return rng.integers(0, 2**11, shape) * 2.0**-11
    return rng.random(shape, dtype=dtype.type)


def _truncated_normal(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Normal draws; any beyond two standard deviations is drawn again."""
    out = _normal(rng, shape, dtype)
    outside = np.abs(out) > 2
    while outside.any():
        out[outside] = rng.standard_normal(int(outside.sum()), dtype=out.dtype)
        outside = np.abs(out) > 2
    return out


def _float_kernel(draw):
    def factory(node):
        dtype = np.dtype(node.attrs["dtype"].as_numpy_dtype)
        seed, seed2 = node.attrs["seed"], node.attrs["seed2"]

        def run(ctx, shape):
            dims = _shape(node, shape, dtype)
            return draw(ctx.rng(node.name, seed, seed2), dims, dtype).astype(dtype, copy=False)
        return run
    return factory


kernel("RandomStandardNormal", needs_ctx=True)(_float_kernel(_normal))
kernel("RandomUniform", needs_ctx=True)(_float_kernel(_uniform))
kernel("TruncatedNormal", needs_ctx=True)(_float_kernel(_truncated_normal))


@kernel("RandomUniformInt", needs_ctx=True)
def _uniform_int(node):
    dtype = np.dtype(node.attrs["Tout"].as_numpy_dtype)
    seed, seed2 = node.attrs["seed"], node.attrs["seed2"]

    def run(ctx, shape, minval, maxval):
        for what, v in (("minval", minval), ("maxval", maxval)):
            if v.ndim != 0:
                raise errors.InvalidArgumentError(
                    None, None, f"{what} must be 0-D, got shape {list(v.shape)}")
        dims = _shape(node, shape, dtype)
        lo, hi = int(minval), int(maxval)
        if lo >= hi and 0 not in dims:
            raise errors.InvalidArgumentError(None, None,
                                              f"Need minval < maxval: {lo} >= {hi}")
        if 0 in dims:
            return np.zeros(dims, dtype)
        return ctx.rng(node.name, seed, seed2).integers(lo, hi, size=dims, dtype=dtype)
    return run
