"""Buffer lifetimes: free an intermediate as soon as its last reader has run, and let an
elementwise kernel write its result into an input buffer nobody will read again.

Reuse is decided at compile time from facts that hold at every run: the buffer
comes from a ufunc kernel (so it is a fresh array, never a view, constant or
variable), every reader of it is a ufunc kernel (so no view of it exists), it
is not fed or fetched, and this step is its last reader. What only the run
knows (an ndarray rather than a numpy scalar, the other operand's shape and
dtype) is checked by the reusing kernel, which otherwise allocates as usual.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Step:
    """One kernel call of a plan. `outs[i]` is the slot of output i."""

    fn: object
    ins: list[int]
    outs: list[int]
    needs_ctx: bool
    dtypes: tuple  # numpy dtypes of the inputs, then of the outputs, as the node declares
    nbytes: int | None = None  # size of the (first) output when known at compile time
    free: list[int] = field(default_factory=list)
    reuse: int | None = None  # input position whose buffer the output may take


# Below this size numpy's allocator is cheaper than the Python call reuse needs (measured:
# break-even near 16 KiB; at 256 KiB reuse saves a quarter of an elementwise chain's time).
REUSE_MIN_BYTES = 16 << 10


def plan_buffers(steps: list[Step], keep: set[int], reuse: bool) -> None:
    """Fills in each step's `free` (slots dead after it) and, if `reuse`, its `reuse`."""
    last_use: dict[int, int] = {}
    for index, step in enumerate(steps):
        for s in step.ins:
            last_use[s] = index
    for index, step in enumerate(steps):
        free = [s for s in step.ins if last_use[s] == index and s not in keep]
        free += [s for s in step.outs if s not in last_use and s not in keep]
        step.free = sorted(set(free)) if len(free) > 1 else free
    if reuse:
        _plan_reuse(steps)


def _plan_reuse(steps: list[Step]) -> None:
    ufuncs = [_ufunc(step) for step in steps]
    fresh = {}  # slot -> True while every reader so far is a ufunc step
    for step, ufunc in zip(steps, ufuncs):
        for s in step.ins:
            if s in fresh and ufunc is None:
                fresh[s] = False
        if ufunc is not None:
            fresh[step.outs[0]] = True
    for step, ufunc in zip(steps, ufuncs):
        if ufunc is None or not _closed_over_dtype(ufunc, step.dtypes) or \
                step.nbytes is not None and step.nbytes < REUSE_MIN_BYTES:
            continue
        for pos, s in enumerate(step.ins):
            if fresh.get(s) and s in step.free and step.ins.count(s) == 1:
                step.reuse = pos
                step.fn = reusing_kernel(ufunc, pos, step.dtypes[-1])
                break


def _ufunc(step: Step):
    """The step's numpy ufunc if it is a plain one-output ufunc kernel, else None."""
    fn = getattr(step.fn, "ufunc", step.fn)
    if isinstance(fn, np.ufunc) and fn.nout == 1 and fn.nin == len(step.ins) \
            and not step.needs_ctx:
        return fn
    return None


def _closed_over_dtype(ufunc: np.ufunc, dtypes: tuple) -> bool:
    """True if inputs and output all have one dtype, and the ufunc maps it to itself."""
    if not dtypes or len(set(dtypes)) != 1:
        return False
    key = (ufunc, dtypes)
    closed = _CLOSED.get(key)
    if closed is None:
        try:
            closed = ufunc.resolve_dtypes(dtypes[:-1] + (None,))[-1] == dtypes[-1]
        except (TypeError, ValueError):
            closed = False
        _CLOSED[key] = closed
    return closed


_CLOSED: dict[tuple, bool] = {}


def reusing_kernel(ufunc: np.ufunc, pos: int, dtype: np.dtype):
    """`ufunc`, writing into input `pos` when every operand has the declared `dtype` and the
    result has exactly that buffer's shape (so the output is bit for bit what a fresh
    allocation would hold); otherwise it allocates as usual."""
    ndarray = np.ndarray
    if ufunc.nin == 1:
        def unary(a):
            if type(a) is ndarray and a.dtype == dtype:
                return ufunc(a, out=a)
            return ufunc(a)
        unary.ufunc = ufunc
        return unary

    def binary(a, b):
        x, y = (a, b) if pos == 0 else (b, a)
        if type(x) is ndarray and x.dtype == dtype and y.dtype == dtype and \
                (y.shape == x.shape or not y.shape):
            return ufunc(a, b, out=x)
        return ufunc(a, b)
    binary.ufunc = ufunc
    return binary
