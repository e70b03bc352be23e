"""Running a Plan: the hot loop. Kept short; errors are turned into OpErrors naming the node.

Each step of `plan.program` is (kernel, gather, out slot, slots to free):
`gather(slots)` picks the kernel's arguments (slot 0 holds the RunContext, for
kernels that take it), so one call covers every arity.

Kernels follow TF: a float overflow or 0/0 gives inf or nan, never a warning or an
exception, whatever the caller's numpy error settings. A run therefore happens inside a
contextvars.Context of its thread's own in which numpy ignores floating-point errors
(numpy keeps its error state in a context variable): entering one is a C call, where an
np.errstate per run costs a few microseconds of Python, about a tenth of a tiny step on
a server whose caches are cold between calls.
"""
from __future__ import annotations

import contextvars
import threading

import numpy as np

from plano import errors
from plano_server.engine.compile import Plan


def execute(plan: Plan, ctx, feed_values: list) -> list:
    """Runs every step of `plan`; returns the fetched values in fetch order."""
    slots = plan.initial.copy()  # constants already in place
    slots[0] = ctx
    for s, v in zip(plan.feed_slots, feed_values):
        slots[s] = v
    _quietly(_run, plan, slots, ctx.check)
    fetched = [slots[s] for s in plan.fetch_slots]
    for i in plan.copied_fetches:
        fetched[i] = fetched[i].copy() if isinstance(fetched[i], np.ndarray) else fetched[i]
    return fetched


def _run(plan: Plan, slots: list, check) -> None:
    """The kernels in order, in the slots; an error names the node whose kernel failed."""
    out = None
    try:
        for fn, gather, out, free in plan.program:
            if check is not None:
                check()
            slots[out] = fn(*gather(slots))
            for s in free:
                slots[s] = None
    except errors.OpError as e:
        raise _at_node(type(e), plan, out, e.message) from None
    except MemoryError:
        raise _at_node(errors.ResourceExhaustedError, plan, out,
                       "out of memory while computing this node") from None
    except (ValueError, TypeError, IndexError, ZeroDivisionError, FloatingPointError,
            OverflowError, KeyError) as e:
        raise _at_node(errors.InvalidArgumentError, plan, out, f"{e}") from None


_threads = threading.local()  # each thread's quiet contexts not in use


def _quietly(fn, *args):
    """fn(*args) in a context where numpy ignores floating-point errors (a run nested in
    another on the same thread takes a second context: a context is entered once at most)."""
    free = getattr(_threads, "free", None)
    if free is None:
        free = _threads.free = []
    context = free.pop() if free else _quiet_context()
    try:
        return context.run(fn, *args)
    finally:
        free.append(context)


def _quiet_context() -> contextvars.Context:
    context = contextvars.Context()
    context.run(np.seterr, all="ignore")
    return context


def _at_node(cls, plan: Plan, out_slot, message: str) -> errors.OpError:
    """The error, its message ending in TF's node tag (which the client reads back to set
    the error's `op` and `node_def`)."""
    node = plan.node_of_slot.get(out_slot)
    if node is None:
        return cls(None, None, message)
    return cls(None, None, errors.with_node_tag(message, node.name, node.op))
