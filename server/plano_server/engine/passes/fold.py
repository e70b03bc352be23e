"""Constant folding: a pure node whose inputs are all constants is run once, at compile
time, and becomes a Const.

The size cap keeps folding from bloating a plan: a result over
`MAX_FOLDED_BYTES` (say, a Fill of a large shape) stays a node and is computed
at run time. A kernel that fails on the constant inputs is not folded either,
so the error is raised at run time, by the node, as without optimization.
"""
from __future__ import annotations

import numpy as np

from plano.framework.op_def import REGISTRY
from plano_server.engine.nodes import Node
from plano_server.engine.passes.subgraph import Subgraph, const_value, is_pure
from plano_server.kernels import KERNELS

MAX_FOLDED_BYTES = 1 << 20


def fold_constants(sub: Subgraph, max_bytes: int = MAX_FOLDED_BYTES) -> Subgraph:
    values: dict[tuple[str, int], np.ndarray] = {}
    forward, spliced = {}, {}
    for node in sub.nodes:
        value = const_value(node)
        if value is not None:
            values[(node.name, 0)] = value
            continue
        if not node.inputs or node.control or not is_pure(node, sub):
            continue
        args = [values.get(ref) for ref in node.inputs]
        if any(a is None for a in args):
            continue
        results = _evaluate(node, args, max_bytes)
        if results is None:
            continue
        if len(results) == 1:
            spliced[node.name] = [make_const(node.name, results[0], node.output_dtypes[0])]
            values[(node.name, 0)] = results[0]
            continue
        consts = []
        for i, (result, dtype) in enumerate(zip(results, node.output_dtypes)):
            const = make_const(f"_folded/{node.name}:{i}", result, dtype)
            consts.append(const)
            forward[(node.name, i)] = (const.name, 0)
            values[(node.name, i)] = result
        spliced[node.name] = consts
    if not spliced:
        return sub
    return sub.replace(forward, {}, spliced)


def _evaluate(node: Node, args: list, max_bytes: int) -> list[np.ndarray] | None:
    """The node's outputs as arrays of its declared dtypes, or None if it cannot be folded."""
    try:
        with np.errstate(all="ignore"):
            out = KERNELS[node.op].factory(node)(*args)
    except Exception:  # noqa: BLE001 - any failure is reported by the node at run time
        return None
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if len(outs) != len(node.output_dtypes):
        return None
    results = []
    for value, dtype in zip(outs, node.output_dtypes):
        if not isinstance(value, (np.ndarray, np.generic)):
            return None
        value = np.array(value, copy=True)  # owned: never a view of another constant
        if value.dtype != np.dtype(dtype.as_numpy_dtype):
            return None
        results.append(value)
    if sum(r.nbytes for r in results) > max_bytes:
        return None
    return results


def make_const(name: str, value: np.ndarray, dtype) -> Node:
    """A Const node holding `value` (read-only), as if the client had sent it."""
    value.setflags(write=False)
    return Node(name, "Const", REGISTRY["Const"], [], [], {"value": value, "dtype": dtype},
                [dtype])
