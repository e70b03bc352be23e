"""Running a Plan. Its steps become one straight-line Python function, built once per
plan: each step is one line, `v3 = k1(v0, c2); del v0`, over local variables, so the
cost per node is a call, and an intermediate is freed right after its last reader.

The generated text holds only names made here (slot and step numbers), never a
string from the graph, so a client cannot inject code. A kernel's error is
turned into an OpError naming the node, found from the failing line.
"""
from __future__ import annotations

import numpy as np

from plano import errors
from plano_server.engine.compile import Plan


def execute(plan: Plan, ctx, feed_values: list) -> list:
    """Runs every step of `plan`; returns the fetched values in fetch order."""
    check = ctx.check
    run = runner(plan, check is not None)
    try:
        with np.errstate(all="ignore"):
            return run(ctx, feed_values, check)
    except errors.OpError as e:
        raise _at_node(type(e), plan, e, e.message) from None
    except MemoryError as e:
        raise _at_node(errors.ResourceExhaustedError, plan, e,
                       "out of memory while computing this node") from None
    except (ValueError, TypeError, IndexError, ZeroDivisionError, FloatingPointError,
            OverflowError, KeyError, AttributeError) as e:
        raise _at_node(errors.InvalidArgumentError, plan, e, f"{e}") from None


def runner(plan: Plan, checked: bool):
    """The plan's generated function (with a deadline/cancel check before each step if
    `checked`), built on first use and kept with the plan."""
    run = plan.runners.get(checked)
    if run is None:
        run = plan.runners[checked] = _generate(plan, checked)
    return run


def _generate(plan: Plan, checked: bool):
    names = {s: f"c{s}" for s in plan.consts}
    env = {f"c{s}": v for s, v in plan.consts.items()}
    env["_copy"] = _copy

    def name(s: int) -> str:
        return names.get(s) or f"v{s}"

    lines = ["def run(ctx, feeds, check):"]
    if plan.feed_slots:
        lines.append("    " + "".join(f"{name(s)}, " for s in plan.feed_slots) + "= feeds")
    first_step_line = len(lines) + 1
    prefix = "    check(); " if checked else "    "
    for i, step in enumerate(plan.steps):
        env[f"k{i}"] = step.fn
        args = ", ".join((["ctx"] if step.needs_ctx else []) + [name(s) for s in step.ins])
        read = {s for s in step.outs if s not in step.free}
        if read:
            target = ", ".join(name(s) for s in step.outs) + (", " if len(step.outs) == 1
                                                              else "")
            call = f"{target}= k{i}({args})"
        else:
            call = f"k{i}({args})"
        dead = [name(s) for s in step.free if s in read or s not in step.outs]
        lines.append(prefix + call + (f"; del {', '.join(dead)}" if dead else ""))
    fetched = [f"_copy({name(s)})" if i in plan.copied_fetches else name(s)
               for i, s in enumerate(plan.fetch_slots)]
    lines.append(f"    return [{', '.join(fetched)}]")
    code = compile("\n".join(lines) + "\n", f"<plan {plan.fingerprint.hex()[:12]}>", "exec")
    exec(code, env)  # noqa: S102 - generated from slot numbers only, see module docstring
    run = env["run"]
    run.first_step_line = first_step_line
    return run


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _failed_step(plan: Plan, exc: BaseException) -> int | None:
    """The step whose line was running when `exc` was raised (None if not inside a plan)."""
    codes = {run.__code__: run.first_step_line for run in plan.runners.values()}
    tb, index = exc.__traceback__, None
    while tb is not None:
        first = codes.get(tb.tb_frame.f_code)
        if first is not None:
            index = tb.tb_lineno - first
        tb = tb.tb_next
    return index if index is not None and 0 <= index < len(plan.nodes) else None


def _at_node(cls, plan: Plan, exc: BaseException, message: str) -> errors.OpError:
    index = _failed_step(plan, exc)
    node = plan.nodes[index] if index is not None else None
    if node is None or f"'{node.name}'" in message:
        return cls(None, node.op if node else None, message)
    return cls(None, node.op, f"{message} [[node '{node.name}' (op: {node.op})]]")
