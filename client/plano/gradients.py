"""Reverse-mode autodiff: `plano.gradients` adds the backward pass to the graph as new nodes.

The algorithm is TF's (tensorflow/python/ops/gradients_util.py) in miniature:

1. Mark every op reachable forward from `xs` through differentiable (float,
   complex or resource) outputs; the ops between `xs` and `ys` are those of
   them from which a `ys` op is reachable backward.
2. Count, for each such op, how many of its consumers are also between; an
   op is processed once all its consumers have handed it their gradients.
3. Walk from `ys` backward: sum the gradients flowing into each output
   (AddN), call the op's registered gradient function (see
   `plano.framework.gradient_registry`) and hand the results to its inputs.

Gradients with respect to a resource variable flow through its handle: the
gradient of every ReadVariableOp is passed to the handle and summed there.
"""
from __future__ import annotations

import collections
import enum

from plano import dtypes
from plano.framework import gradient_registry
from plano.framework.graph import Graph, Operation, Tensor
from plano.framework.op_builder import convert_to_tensor
from plano.ops import array_ops

_BACKPROP_DTYPES = {dtypes.float16, dtypes.float32, dtypes.float64, dtypes.resource}


class UnconnectedGradients(enum.Enum):
    """What `gradients` returns for an x that the ys do not depend on."""

    NONE = "none"
    ZERO = "zero"


def is_backpropagatable(t: Tensor) -> bool:
    return t.dtype.base_dtype in _BACKPROP_DTYPES


def gradients(ys, xs, grad_ys=None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE) -> list:
    """tf.compat.v1.gradients: symbolic d(sum(ys))/dx for each x in `xs`.

    `grad_ys` weights each y (default: ones shaped like y). Gradients flowing
    into one tensor from several consumers are summed. An x that no y depends
    on gets None (or zeros with ``unconnected_gradients="zero"``). Tensors in
    `stop_gradients` are treated as constants. `colocate_gradients_with_ops`,
    `gate_gradients` and `aggregation_method` are accepted for compatibility;
    they do not change the numbers plano computes.
    """
    unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value",
                                               unconnected_gradients))
    ys = _as_list(ys)
    xs = [_as_x(x) for x in _as_list(xs)]
    ys = [convert_to_tensor(y) for y in ys]
    graph = _common_graph(ys + xs)
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    stop_ops = {_as_x(t).op for t in _as_list(stop_gradients or [])}
    with graph.name_scope(name or "gradients"):
        grads: dict[Tensor, list[Tensor]] = collections.defaultdict(list)
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            grads[y].append(_initial_grad(graph, y, gy, i))
        between, pending = _between_ops(ys, xs)
        xs_set = set(xs)
        queue = collections.deque()
        for op in dict.fromkeys(y.op for y in ys):
            if op in between and pending[op] == 0:
                queue.append(op)
        while queue:
            op = queue.popleft()
            with graph.name_scope(op.name + "_grad"):
                out_grads = [_aggregate(grads.get(t), t) for t in op.outputs]
                for t, g in zip(op.outputs, out_grads):
                    if t in grads:
                        grads[t] = [g]
                if op not in stop_ops and any(g is not None for g in out_grads) and \
                        not _is_source(op, xs_set, between):
                    in_grads = _call_grad_fn(op, out_grads)
                    for t_in, g in zip(op.inputs, in_grads):
                        if g is not None and is_backpropagatable(t_in):
                            grads[t_in].append(_checked_grad(op, t_in, g))
            for t_in in op.inputs:
                src = t_in.op
                if src in between:
                    pending[src] -= 1
                    if pending[src] == 0:
                        queue.append(src)
        return [_result(graph, grads.get(x), x, unconnected) for x in xs]


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_x(x) -> Tensor:
    """Variables are differentiated through their resource handle (as TF does)."""
    if hasattr(x, "handle") and hasattr(x, "_as_tensor"):
        return x.handle
    if isinstance(x, Tensor):
        return x
    elem = getattr(x, "_as_graph_element", None)
    if elem is not None and isinstance(elem(), Tensor):
        return elem()
    raise TypeError(f"gradients() expects Tensors or Variables as xs, got {x!r}")


def _common_graph(tensors: list[Tensor]) -> Graph:
    graph = tensors[0].graph
    for t in tensors:
        if t.graph is not graph:
            raise ValueError(f"Tensor {t.name!r} is not from the same graph as {tensors[0].name!r}")
    return graph


def _initial_grad(graph: Graph, y: Tensor, grad_y, index: int) -> Tensor:
    if grad_y is None:  # as TF: ones of y's shape, a constant when the shape is known
        return array_ops.ones_like(y, name=f"grad_ys_{index}")
    grad_y = convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name=f"grad_ys_{index}")
    if not grad_y.shape.is_compatible_with(y.shape):
        raise ValueError(f"grad_ys[{index}] has shape {grad_y.shape}, incompatible with "
                         f"shape {y.shape} of y {y.name}")
    return grad_y


def _between_ops(ys: list[Tensor], xs: list[Tensor]):
    """Ops on a differentiable path from an x to a y, and each one's pending consumer count."""
    reached: set[Operation] = set()
    queue = collections.deque(x.op for x in xs)
    while queue:
        op = queue.popleft()
        if op in reached:
            continue
        reached.add(op)
        for t in op.outputs:
            if is_backpropagatable(t):
                queue.extend(t.consumers())
    between: set[Operation] = set()
    queue = collections.deque(y.op for y in ys)
    while queue:
        op = queue.popleft()
        if op in reached and op not in between:
            between.add(op)
            queue.extend(t.op for t in op.inputs)
    pending: dict[Operation, int] = collections.Counter()
    for op in between:
        for t in op.inputs:
            if t.op in between:
                pending[t.op] += 1
    return between, pending


def _is_source(op: Operation, xs_set: set, between: set) -> bool:
    """An op none of whose inputs lead back to an x: nothing to differentiate below it."""
    return not any(t.op in between or t in xs_set for t in op.inputs)


def _call_grad_fn(op: Operation, out_grads: list) -> list:
    if op.type in gradient_registry.NOT_DIFFERENTIABLE:
        return [None] * len(op.inputs)
    fn = gradient_registry.GRADIENTS.get(op.type)
    if fn is None:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    out_grads = [g if g is not None or not is_backpropagatable(t) else _zeros_like(t)
                 for t, g in zip(op.outputs, out_grads)]
    in_grads = fn(op, *out_grads)
    in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
    if len(in_grads) != len(op.inputs):
        raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.name} (type "
                         f"{op.type}) do not match num inputs {len(op.inputs)}")
    return in_grads


def _checked_grad(op: Operation, t_in: Tensor, grad) -> Tensor:
    grad = convert_to_tensor(grad, dtype=t_in.dtype.base_dtype
                             if t_in.dtype.base_dtype is not dtypes.resource else None)
    if t_in.dtype.base_dtype is not dtypes.resource:
        try:
            grad.set_shape(t_in.shape)
        except ValueError:
            raise ValueError(f"Incompatible shapes between op input and calculated input "
                             f"gradient. Forward operation: {op.name}. Input index: "
                             f"{op.inputs.index(t_in)}. Original input shape: {t_in.shape}. "
                             f"Calculated input gradient shape: {grad.shape}") from None
    return grad


def _aggregate(grads: list | None, t: Tensor):
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    return t.graph.create_op("AddN", [list(grads)], name="AddN").outputs[0]


def _zeros_like(t: Tensor) -> Tensor:
    return t.graph.create_op("ZerosLike", [t], name="zeros_like").outputs[0]


def _result(graph: Graph, grads: list | None, x: Tensor, unconnected: UnconnectedGradients):
    if grads:
        return _aggregate(grads, x)
    if unconnected is UnconnectedGradients.ZERO:
        if x.dtype.base_dtype is dtypes.resource:
            raise ValueError(f"unconnected_gradients='zero' needs a value shape; {x.name} is a "
                             "resource handle")
        return _zeros_like(x)
    return None


__all__ = ["gradients", "UnconnectedGradients"]
