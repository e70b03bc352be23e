"""Common-subexpression elimination: two pure nodes with the same op, attrs and inputs
compute the same value, so readers of the second read the first.

Nodes are visited in run order with inputs already rewritten, so chains of
duplicates collapse in one sweep. Stateful, random and variable-reading nodes
are never merged.
"""
from __future__ import annotations

import numpy as np

from plano.dtypes import DType
from plano.framework.tensor_shape import TensorShape
from plano_server.engine.passes.subgraph import Subgraph, TensorRef, follow, is_pure, \
    reads_state


def eliminate_common_subexpressions(sub: Subgraph) -> Subgraph:
    producers = sub.producers()
    seen: dict[tuple, str] = {}
    forward: dict[TensorRef, TensorRef] = {}
    removed: dict[str, list[str]] = {}
    for node in sub.nodes:
        if not is_pure(node, sub) or reads_state(node, producers):
            continue
        key = _key(node, forward)
        if key is None:
            continue
        twin = seen.setdefault(key, node.name)
        if twin != node.name:
            for i in range(len(node.output_dtypes)):
                forward[(node.name, i)] = (twin, i)
            removed[node.name] = []  # same control inputs as the twin, which stays
    if not removed:
        return sub
    return sub.replace(forward, removed)


def _key(node, forward) -> tuple | None:
    try:
        attrs = tuple(sorted((k, _freeze(v)) for k, v in node.attrs.items()))
    except TypeError:  # an attr value with no exact hashable form: never merged
        return None
    inputs = tuple(follow(forward, ref) for ref in node.inputs)
    return node.op, inputs, tuple(sorted(set(node.control))), attrs


def _freeze(value):
    """A hashable, exact stand-in for a decoded attr value."""
    if isinstance(value, np.ndarray):
        content = tuple(value.ravel().tolist()) if value.dtype.kind == "O" else value.tobytes()
        return ("tensor", value.dtype.str, value.shape, content)
    if isinstance(value, TensorShape):
        return ("shape", None if value.rank is None else tuple(value.dims))
    if isinstance(value, DType):
        return ("type", value.as_datatype_enum)
    if isinstance(value, float):
        return ("float", value.hex())  # tells -0.0 from 0.0, which == does not
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    hash(value)
    return value
