"""Removes arithmetic no-ops: x * 1, x / 1, x - 0 and x + 0, where the result is exactly x.

Exactly means bit for bit, dtype and shape included: the constant must not
broadcast x to a larger shape (so it is a scalar, or x's shape is known), and
for floats x + 0.0 is kept, since -0.0 + 0.0 is +0.0 in IEEE 754; x + (-0.0)
and x - 0.0 are exact and removed.
"""
from __future__ import annotations

import numpy as np

from plano_server.engine.nodes import Node
from plano_server.engine.passes.subgraph import Subgraph, TensorRef, is_pure

# op -> (which operand may be the constant, the identity element's test)
_RULES = {
    "Mul": ((0, 1), "one"),
    "RealDiv": ((1,), "one"),
    "Div": ((1,), "one"),
    "AddV2": ((0, 1), "add_zero"),
    "Add": ((0, 1), "add_zero"),
    "Sub": ((1,), "sub_zero"),
}


def remove_arithmetic_noops(sub: Subgraph) -> Subgraph:
    producers = sub.producers()
    forward: dict[TensorRef, TensorRef] = {}
    removed: dict[str, list[str]] = {}
    for node in sub.nodes:
        rule = _RULES.get(node.op)
        if rule is None or not is_pure(node, sub):
            continue
        positions, test = rule
        for pos in positions:
            const = sub.constant(node.inputs[pos], producers)
            other = node.inputs[1 - pos]
            if const is not None and _is_identity(const, test) and \
                    _keeps_shape(const, static_shape(sub, producers, other)):
                forward[(node.name, 0)] = other
                removed[node.name] = node.control
                break
    if not removed:
        return sub
    return sub.replace(forward, removed)


def _is_identity(value: np.ndarray, test: str) -> bool:
    if value.dtype.kind not in "iuf" or value.size == 0:
        return False
    if test == "one":
        return bool(np.all(value == 1))
    if not np.all(value == 0):
        return False
    if value.dtype.kind != "f":
        return True
    negative = np.signbit(value)
    return bool(np.all(negative)) if test == "add_zero" else not np.any(negative)


def _keeps_shape(const: np.ndarray, shape: tuple | None) -> bool:
    """True if broadcasting x (of static `shape`) against the constant leaves x unchanged."""
    if const.ndim == 0:
        return True
    if shape is None:
        return False
    try:
        return np.broadcast_shapes(shape, const.shape) == shape
    except ValueError:
        return False


def static_shape(sub: Subgraph, producers: dict[str, Node], ref: TensorRef) -> tuple | None:
    """The shape a tensor is known to have at every run: a Const's, or a fully defined
    placeholder's (fed values are checked against it)."""
    value = sub.constant(ref, producers)
    if value is not None:
        return value.shape
    producer = producers.get(ref[0])
    if producer is not None and ref in sub.fed and \
            producer.op in ("Placeholder", "PlaceholderWithDefault"):
        shape = producer.attrs["shape"]
        if shape.is_fully_defined():
            return tuple(shape.dims)
    return None
