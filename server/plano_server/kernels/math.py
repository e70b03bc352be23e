"""Math kernels: elementwise arithmetic, comparisons, reductions, matmul, casts.

Each kernel returns TensorFlow's result dtype and follows TF where numpy
differs: integer division truncates (Div) or floors (FloorDiv) and fails on
a zero divisor, float FloorDiv is floor(x / y), Mean of integers divides
with integer division, Max/Min of nothing is the identity of the reduction.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from plano import dtypes, errors
from plano.ops.math_ops import range_size
from plano_server.kernels import intra_op
from plano_server.kernels.limits import check_alloc
from plano_server.kernels.registry import kernel, simple


def _invalid(message: str) -> errors.OpError:
    return errors.InvalidArgumentError(None, None, message)


def _is_int(x) -> bool:
    return x.dtype.kind in "iu"


def _check_divisor(x, y) -> None:
    """TF fails on a zero divisor wherever an output element would use it."""
    if np.any(y == 0) and np.broadcast(x, y).size:
        raise _invalid("Integer division by zero")


def _trunc_div(x, y):
    """C++ integer division: rounds toward zero."""
    q = np.floor_divide(x, y)
    inexact = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    return (q + inexact).astype(q.dtype)


# ---------------------------------------------------------------- elementwise binary

simple("AddV2", "Add")(np.add)
simple("Sub")(np.subtract)
simple("Mul")(np.multiply)
simple("Maximum")(np.maximum)
simple("Minimum")(np.minimum)


@simple("Div", "RealDiv")
def _div(x, y):
    if _is_int(x):
        _check_divisor(x, y)
        return _trunc_div(x, y)
    return np.true_divide(x, y)


@simple("FloorDiv")
def _floor_div(x, y):
    if _is_int(x):
        _check_divisor(x, y)
        return np.floor_divide(x, y)
    return np.floor(np.true_divide(x, y))


@simple("FloorMod")
def _floor_mod(x, y):
    if _is_int(x):
        _check_divisor(x, y)
        return np.remainder(x, y)
    trunc = np.fmod(x, y)
    return np.where((trunc != 0) & ((y < 0) != (trunc < 0)), trunc + y, trunc)


@simple("Pow")
def _pow(x, y):
    if _is_int(x) and np.any(y < 0):
        raise _invalid("Integers to negative integer powers are not allowed")
    return np.power(x, y)


@simple("SquaredDifference")
def _squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, d)


@simple("AddN")
def _add_n(*inputs):
    for i, t in enumerate(inputs[1:], 1):
        if t.shape != inputs[0].shape:
            raise _invalid(f"Inputs to operation AddN must have the same size and shape.  "
                           f"Input 0: {list(inputs[0].shape)} != input {i}: {list(t.shape)}")
    return functools.reduce(np.add, inputs)


# ---------------------------------------------------------------- elementwise unary

simple("Neg")(np.negative)
simple("Abs")(np.abs)
simple("Sign")(np.sign)
simple("Square")(np.square)
simple("Sqrt")(np.sqrt)
simple("Exp")(np.exp)
simple("Log")(np.log)
simple("Log1p")(np.log1p)
simple("Sin")(np.sin)
simple("Cos")(np.cos)
simple("Tanh")(np.tanh)
simple("Floor")(np.floor)
simple("Ceil")(np.ceil)
simple("IsFinite")(np.isfinite)


@simple("Rsqrt")
def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


@simple("Reciprocal")
def _reciprocal(x):
    if _is_int(x):
        _check_divisor(x, x)
        return _trunc_div(np.ones_like(x), x)
    return np.reciprocal(x)


@simple("Round")
def _round(x):
    """Half to even, as TF's Round (np.round also rounds half to even)."""
    return x if _is_int(x) else np.round(x)


@simple("Sigmoid")
def _sigmoid(x):
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


_ERF = np.frompyfunc(math.erf, 1, 1)


@simple("Erf")
def _erf(x):
    return np.asarray(_ERF(np.asarray(x, np.float64)), np.float64).astype(x.dtype)


@simple("SigmoidGrad")
def _sigmoid_grad(y, dy):
    return dy * (y * (1 - y))


@simple("TanhGrad")
def _tanh_grad(y, dy):
    return dy * (1 - y * y)


@simple("SqrtGrad")
def _sqrt_grad(y, dy):
    return dy * 0.5 / y


@simple("RsqrtGrad")
def _rsqrt_grad(y, dy):
    return dy * (-0.5 * y * y * y)


@simple("ReciprocalGrad")
def _reciprocal_grad(y, dy):
    return -dy * y * y


# ---------------------------------------------------------------- casts

@kernel("Cast")
def _cast(node):
    src, dst = node.attrs["SrcT"], node.attrs["DstT"]
    if (src is dtypes.string) != (dst is dtypes.string):
        def unsupported(x):
            raise errors.UnimplementedError(None, None,
                                            f"Cast {src.name} to {dst.name} is not supported")
        return unsupported
    target = np.dtype(dst.as_numpy_dtype)
    truncate = node.attrs["Truncate"] and src.is_floating and dst.is_floating and \
        target.itemsize < np.dtype(src.as_numpy_dtype).itemsize

    def cast(x):
        y = np.asarray(x).astype(target)
        if truncate:  # round toward zero instead of to nearest
            over = np.abs(y.astype(x.dtype)) > np.abs(x)
            y = np.where(over, np.nextafter(y, np.zeros_like(y)), y)
        return y
    return cast


# ---------------------------------------------------------------- matmul

@kernel("MatMul")
def _matmul(node):
    ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]

    def run(a, b):
        a = a.T if ta else a
        b = b.T if tb else b
        if a.ndim != 2 or b.ndim != 2:
            raise _invalid(f"In[0] and In[1] must be matrices, got shapes {list(a.shape)} and "
                           f"{list(b.shape)}")
        if a.shape[1] != b.shape[0]:
            raise _invalid(f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: "
                           f"{list(b.shape)}")
        return intra_op.matmul(a, b)
    return run


@kernel("BatchMatMulV2")
def _batch_matmul(node):
    adj_x, adj_y = node.attrs["adj_x"], node.attrs["adj_y"]

    def run(x, y):
        if x.ndim < 2 or y.ndim < 2:
            raise _invalid(f"In[0] and In[1] must have rank >= 2, got shapes {list(x.shape)} "
                           f"and {list(y.shape)}")
        x = np.swapaxes(x, -1, -2) if adj_x else x
        y = np.swapaxes(y, -1, -2) if adj_y else y
        if x.shape[-1] != y.shape[-2]:
            raise _invalid(f"Matrix size-incompatible: In[0]: {list(x.shape)}, In[1]: "
                           f"{list(y.shape)}")
        try:
            np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        except ValueError:
            raise _invalid(f"In[0] and In[1] must have compatible batch dimensions: "
                           f"{list(x.shape)} vs. {list(y.shape)}") from None
        return np.matmul(x, y)
    return run


# ---------------------------------------------------------------- comparisons, logic, select

simple("Less")(np.less)
simple("LessEqual")(np.less_equal)
simple("Greater")(np.greater)
simple("GreaterEqual")(np.greater_equal)
simple("LogicalAnd")(np.logical_and)
simple("LogicalOr")(np.logical_or)
simple("LogicalNot")(np.logical_not)


def _equality(ufunc, when_incompatible: bool):
    def factory(node):
        strict = node.attrs["incompatible_shape_error"]

        def run(x, y):
            try:
                shape = np.broadcast_shapes(x.shape, y.shape)
            except ValueError:
                if strict:
                    raise _invalid(f"Incompatible shapes: {list(x.shape)} vs. "
                                   f"{list(y.shape)}") from None
                return np.bool_(when_incompatible)
            if x.dtype == object:  # strings: compare element by element
                return np.asarray(ufunc(x, y), dtype=bool).reshape(shape)
            return ufunc(x, y)
        return run
    return factory


kernel("Equal")(_equality(np.equal, False))
kernel("NotEqual")(_equality(np.not_equal, True))


@simple("Select")
def _select(cond, t, e):
    if t.shape != e.shape:
        raise _invalid(f"'then' and 'else' must have the same size.  but received: "
                       f"{list(t.shape)} vs. {list(e.shape)}")
    if cond.ndim == 0:
        return t if cond else e
    if cond.shape != t.shape:
        if cond.ndim != 1 or t.ndim == 0 or cond.shape[0] != t.shape[0]:
            raise _invalid(f"'condition' must be a scalar, a vector of size {t.shape[:1]} or "
                           f"have the shape of 'then' {list(t.shape)}, but has shape "
                           f"{list(cond.shape)}")
        cond = cond.reshape(cond.shape + (1,) * (t.ndim - 1))
    return np.where(cond, t, e)


@simple("SelectV2")
def _select_v2(cond, t, e):
    return np.where(cond, t, e)


# ---------------------------------------------------------------- reductions

def _axes(indices, x) -> tuple:
    if indices.ndim > 1:
        raise _invalid(f"reduction_indices must be a scalar or vector, got shape "
                       f"{list(indices.shape)}")
    axes = set()
    for a in indices.reshape(-1).tolist():
        if not -x.ndim <= a < x.ndim:
            raise _invalid(f"Invalid reduction dimension ({a} for input with {x.ndim} "
                           f"dimension(s)")
        axes.add(a % x.ndim)
    return tuple(sorted(axes))


def _reduction(reduce):
    """A kernel factory for reduce(x, axes, keepdims) with TF's axis checks (kept per
    (rank, axes) input: the axes are usually a constant)."""
    def factory(node):
        keep = node.attrs["keep_dims"]
        memo: dict = {}

        def run(x, indices):
            key = (x.ndim, indices.dtype.char, indices.shape, indices.tobytes())
            axes = memo.get(key)
            if axes is None:
                axes = _axes(indices, x)
                if len(memo) < 64:
                    memo[key] = axes
            return reduce(x, axes, keep)
        return run
    return factory


def _mean(x, axes, keep):
    n = math.prod([x.shape[a] for a in axes])
    if x.dtype.kind in "fc" and x.dtype != np.float16:  # the common case, without copies
        return np.add.reduce(x, axes, x.dtype, None, keep) / n
    total = np.add.reduce(x, axes, np.float32 if x.dtype == np.float16 else x.dtype, None, keep)
    if _is_int(x):
        if n == 0:
            return np.zeros_like(total)
        return _trunc_div(total, np.asarray(n).astype(x.dtype))
    return np.true_divide(total, n).astype(x.dtype)


def _extreme(fn, identity):
    def reduce(x, axes, keep):
        limits = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
        start = {"max": -np.inf, "min": np.inf}[identity] if x.dtype.kind == "f" else \
            (limits.min if identity == "max" else limits.max)
        return fn(x, axis=axes, keepdims=keep, initial=start)
    return reduce


kernel("Sum")(_reduction(lambda x, a, k: np.add.reduce(x, a, x.dtype, None, k)))
kernel("Prod")(_reduction(lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype)))
kernel("Mean")(_reduction(_mean))
kernel("Max")(_reduction(_extreme(np.max, "max")))
kernel("Min")(_reduction(_extreme(np.min, "min")))
kernel("All")(_reduction(lambda x, a, k: np.all(x, axis=a, keepdims=k)))
kernel("Any")(_reduction(lambda x, a, k: np.any(x, axis=a, keepdims=k)))


def _scalar_axis(value, x, what: str) -> int:
    if np.ndim(value) != 0:
        raise _invalid(f"{what} must be a scalar, not shape {list(np.shape(value))}")
    axis = int(value)
    if not -x.ndim <= axis < x.ndim:
        raise _invalid(f"Expected {what} in the range [{-x.ndim}, {x.ndim}), but got {axis}")
    return axis % x.ndim


def _arg(fn):
    def factory(node):
        out = node.attrs["output_type"].as_numpy_dtype

        def run(x, dimension):
            axis = _scalar_axis(dimension, x, "dimension")
            if x.shape[axis] == 0:
                raise _invalid(f"Reduction axis {axis} is empty in shape {list(x.shape)}")
            return fn(x, axis=axis).astype(out)
        return run
    return factory


kernel("ArgMax")(_arg(np.argmax))
kernel("ArgMin")(_arg(np.argmin))


@kernel("Cumsum")
def _cumsum(node):
    exclusive, reverse = node.attrs["exclusive"], node.attrs["reverse"]

    def run(x, axis):
        axis = _scalar_axis(axis, x, "scan axis")
        y = np.flip(x, axis) if reverse else x
        out = np.cumsum(y, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            head = np.zeros_like(np.take(out, [0], axis=axis))
            out = np.concatenate([head, np.delete(out, -1, axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out
    return run


@simple("ClipByValue")
def _clip_by_value(t, lo, hi):
    for name, bound in (("clip_value_min", lo), ("clip_value_max", hi)):
        if bound.ndim != 0 and bound.shape != t.shape:
            raise _invalid(f"{name} must be either a scalar or have the same shape as the "
                           f"input. {name}.shape = {list(bound.shape)}, t.shape = "
                           f"{list(t.shape)}")
    return np.maximum(np.minimum(t, hi), lo)


@kernel("Range")
def _range(node):
    dtype = np.dtype(node.attrs["Tidx"].as_numpy_dtype)

    def run(start, limit, delta):
        for name, v in (("start", start), ("limit", limit), ("delta", delta)):
            if v.ndim != 0:
                raise _invalid(f"{name} must be a scalar, not shape {list(v.shape)}")
        try:
            n = range_size(start[()], limit[()], delta[()])
        except ValueError as e:
            raise _invalid(str(e)) from None
        check_alloc(node, [n], dtype)
        if dtype.kind in "iu":
            return (int(start) + np.arange(n, dtype=np.int64) * int(delta)).astype(dtype)
        return (start + np.arange(n, dtype=dtype) * delta).astype(dtype)
    return run
