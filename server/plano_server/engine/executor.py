"""Running a Plan: the hot loop. Kept short; errors are turned into OpErrors naming the node.

Each step of `plan.program` is (kernel, gather, out slot, slots to free):
`gather(slots)` picks the kernel's arguments (slot 0 holds the RunContext, for
kernels that take it), so one call covers every arity.
"""
from __future__ import annotations

import numpy as np

from plano import errors
from plano_server.engine.compile import Plan


def execute(plan: Plan, ctx, feed_values: list) -> list:
    """Runs every step of `plan`; returns the fetched values in fetch order."""
    slots = plan.initial.copy()  # constants already in place
    slots[0] = ctx
    for s, v in zip(plan.feed_slots, feed_values):
        slots[s] = v
    check = ctx.check
    out = None
    try:
        with np.errstate(all="ignore"):
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
    fetched = [slots[s] for s in plan.fetch_slots]
    for i in plan.copied_fetches:
        fetched[i] = fetched[i].copy() if isinstance(fetched[i], np.ndarray) else fetched[i]
    return fetched


def _at_node(cls, plan: Plan, out_slot, message: str) -> errors.OpError:
    """The error, its message ending in TF's node tag (which the client reads back to set
    the error's `op` and `node_def`)."""
    node = plan.node_of_slot.get(out_slot)
    if node is None:
        return cls(None, None, message)
    return cls(None, None, errors.with_node_tag(message, node.name, node.op))
