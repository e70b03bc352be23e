"""NoOp and grouping: nodes that exist only to order or bundle other nodes."""
from __future__ import annotations

from plano.framework.gradient_registry import not_differentiable
from plano.framework.graph import Operation, Tensor, get_default_graph
from plano.framework.op_def import register_op

register_op("NoOp", shape_fn=lambda op: [])
not_differentiable("NoOp")


def no_op(name=None) -> Operation:
    return get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None) -> Operation:
    """An op that runs all of `inputs` (ops or tensors) when run."""
    ops = []
    for item in inputs:
        for x in (item if isinstance(item, (list, tuple)) else [item]):
            x = x.op if isinstance(x, Tensor) else getattr(x, "op", x) if not isinstance(
                x, Operation) else x
            ops.append(x)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.control_dependencies(ops):
        return graph.create_op("NoOp", [], name=name or "NoOp")


def tuple_(tensors, name=None, control_inputs=None):
    """tf.tuple: the same tensors, each available only after all of them are computed."""
    from plano.ops.array_ops import identity

    gating = group(*[t for t in tensors if t is not None], *(control_inputs or []),
                   name=name or "tuple")
    with gating.graph.control_dependencies([gating]):
        return [None if t is None else identity(t) for t in tensors]
