"""The form every pass reads and returns: the pruned nodes of one run request, in run order.

Passes never mutate a session's Node objects (they are shared with the graph);
a rewritten node is a copy. Node order is the order the plan runs in: passes
drop or replace nodes but never reorder them, so every stateful node keeps its
place relative to the others.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from plano import dtypes
from plano_server.engine.nodes import Node
from plano_server.kernels import KERNELS

TensorRef = tuple[str, int]

# Ops whose value a client may feed in place of running them; never rewritten away.
_FEEDABLE_SOURCES = frozenset({"Placeholder", "PlaceholderWithDefault"})


@dataclass
class Subgraph:
    """Nodes in run order, what is fed and fetched, and which nodes must run for effect."""

    nodes: list[Node]
    fed: frozenset[TensorRef]
    fetches: list[TensorRef]
    targets: list[str]
    fed_nodes: dict[str, Node] = dataclasses.field(default_factory=dict)  # producers of feeds

    def producers(self) -> dict[str, Node]:
        """Every node a tensor of this subgraph may come from, by name."""
        found = dict(self.fed_nodes)
        found.update((n.name, n) for n in self.nodes)
        return found

    def constant(self, ref: TensorRef, producers: dict[str, Node]):
        """The value `ref` has at every run if it is a Const's output, not fed; else None."""
        return None if ref in self.fed else const_value(producers.get(ref[0]))

    def consumers(self) -> dict[str, int]:
        """How many data inputs read each node (by producer name)."""
        count: dict[str, int] = {}
        for node in self.nodes:
            for src, _ in node.inputs:
                count[src] = count.get(src, 0) + 1
        return count

    def replace(self, forward: dict[TensorRef, TensorRef], removed: dict[str, list[str]],
                spliced: dict[str, list[Node]] | None = None) -> "Subgraph":
        """Reads of `forward` keys now read their values; `removed` nodes are dropped and
        whoever waited on one (control input, or target) waits on its control inputs instead.
        `spliced` puts a list of nodes in the place of the named node."""
        spliced = spliced or {}
        out = []
        for old in self.nodes:
            group = spliced.get(old.name) or ([] if old.name in removed else [old])
            for node in group:
                inputs, waits = [], list(node.control)
                for ref in node.inputs:
                    ref, inherited = _walk(forward, removed, ref)
                    inputs.append(ref)
                    waits += [c for c in inherited if c not in waits]
                control = _expand(waits, removed)
                if inputs != node.inputs or control != node.control:
                    node = dataclasses.replace(node, inputs=inputs, control=control)
                out.append(node)
        fetches, targets = [], list(self.targets)
        for ref in self.fetches:  # a fetch moved off a removed node: what it waited on runs
            ref, inherited = _walk(forward, removed, ref)
            fetches.append(ref)
            targets += [c for c in inherited if c not in targets]
        for name in self.targets:  # a removed target: what it read still runs
            if name in removed and (name, 0) in forward:
                ref, inherited = _walk(forward, removed, (name, 0))
                found = inherited + ([] if ref in self.fed else [ref[0]])
                targets += [c for c in found if c not in targets]
        return Subgraph(out, self.fed, fetches, _expand(targets, removed), self.fed_nodes)


def _walk(forward: dict[TensorRef, TensorRef], removed: dict[str, list[str]], ref: TensorRef
          ) -> tuple[TensorRef, list[str]]:
    """Where a read of `ref` now reads, and the control inputs of removed nodes passed by."""
    inherited: list[str] = []
    while ref in forward:
        inherited += removed.get(ref[0], ())
        ref = forward[ref]
    return ref, inherited


def follow(forward: dict[TensorRef, TensorRef], ref: TensorRef) -> TensorRef:
    while ref in forward:
        ref = forward[ref]
    return ref


def _expand(names: list[str], removed: dict[str, list[str]]) -> list[str]:
    """Replaces removed nodes by their control inputs (transitively), without duplicates."""
    if not any(n in removed for n in names):
        return names
    out: list[str] = []
    stack = list(reversed(names))
    while stack:
        name = stack.pop()
        if name in removed:
            stack.extend(reversed(removed[name]))
        elif name not in out:
            out.append(name)
    return out


def is_pure(node: Node, sub: Subgraph) -> bool:
    """True if the node computes a value from its inputs alone: no state, no randomness, no
    variable read, not feedable and no output fed. Only such nodes may be folded, merged or
    forwarded."""
    pure = _PURE_OPS.get(node.op)
    if pure is None:
        kdef = KERNELS.get(node.op)
        pure = not (node.op_def.stateful or node.op in _FEEDABLE_SOURCES or kdef is None
                    or kdef.needs_ctx)
        if kdef is not None:
            _PURE_OPS[node.op] = pure
    if not pure or any(_is_state_dtype(d) for d in node.output_dtypes):
        return False
    return node.name not in sub.fed_nodes


_PURE_OPS: dict[str, bool] = {}  # op name -> purity, once the op has its kernel


def reads_state(node: Node, producers: dict[str, Node]) -> bool:
    """True if an input is a ref or resource (the kernel dereferences a variable)."""
    for src, index in node.inputs:
        producer = producers.get(src)
        if producer is not None and _is_state_dtype(producer.output_dtypes[index]):
            return True
    return False


def _is_state_dtype(dtype) -> bool:
    return dtype.is_ref or dtype is dtypes.resource


def const_value(node: Node | None):
    """The value of a Const node, or None."""
    if node is not None and node.op == "Const":
        return node.attrs["value"]
    return None
