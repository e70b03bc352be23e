"""Running a Plan: the hot loop. Kept short; errors are turned into OpErrors naming the node."""
from __future__ import annotations

import numpy as np

from plano import errors
from plano_server.engine.compile import Plan


def execute(plan: Plan, ctx, feed_values: list) -> list:
    """Runs every step of `plan`; returns the fetched values in fetch order."""
    slots = [None] * plan.num_slots
    for s, v in zip(plan.feed_slots, feed_values):
        slots[s] = v
    check = ctx.check
    index = 0
    try:
        with np.errstate(all="ignore"):
            for index, (fn, ins, out, free, needs_ctx, multi) in enumerate(plan.steps):
                if check is not None:
                    check()
                args = [slots[i] for i in ins]
                result = fn(ctx, *args) if needs_ctx else fn(*args)
                if multi:
                    for s, v in zip(out, result):
                        slots[s] = v
                else:
                    slots[out] = result
                for i in free:
                    slots[i] = None
    except errors.OpError as e:
        raise _at_node(type(e), plan, index, e.message) from None
    except MemoryError:
        raise _at_node(errors.ResourceExhaustedError, plan, index,
                       "out of memory while computing this node") from None
    except (ValueError, TypeError, IndexError, ZeroDivisionError, FloatingPointError,
            OverflowError, KeyError) as e:
        raise _at_node(errors.InvalidArgumentError, plan, index, f"{e}") from None
    return [slots[s] for s in plan.fetch_slots]


def _at_node(cls, plan: Plan, index: int, message: str) -> errors.OpError:
    node = plan.nodes[index] if index < len(plan.nodes) else None
    if node is None or f"'{node.name}'" in message:
        return cls(None, node.op if node else None, message)
    return cls(None, node.op, f"{message} [[node '{node.name}' (op: {node.op})]]")
