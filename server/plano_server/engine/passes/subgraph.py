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
                inputs = [follow(forward, t) for t in node.inputs]
                control = _expand(node.control, removed)
                if inputs != node.inputs or control != node.control:
                    node = dataclasses.replace(node, inputs=inputs, control=control)
                out.append(node)
        fetches = [follow(forward, t) for t in self.fetches]
        targets = _expand(self.targets, removed)
        for old, new in zip(self.fetches, fetches):  # a fetch moved off a removed node:
            if old != new and old[0] in removed:    # its control inputs must still run
                targets = _expand(targets + [old[0]], removed)
        return Subgraph(out, self.fed, fetches, targets, self.fed_nodes)


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
    if node.op_def.stateful or node.op in _FEEDABLE_SOURCES:
        return False
    kdef = KERNELS.get(node.op)
    if kdef is None or kdef.needs_ctx:
        return False
    if any(_is_state_dtype(d) for d in node.output_dtypes):
        return False
    if any((node.name, i) in sub.fed for i in range(len(node.output_dtypes))):
        return False
    return True


def reads_state(node: Node, producers: dict[str, Node]) -> bool:
    """True if an input is a ref or resource (the kernel dereferences a variable)."""
    for src, index in node.inputs:
        producer = producers.get(src)
        if producer is not None and _is_state_dtype(producer.output_dtypes[index]):
            return True
    return False


def _is_state_dtype(dtype) -> bool:
    return dtype.is_ref or dtype.base_dtype is dtypes.resource


def const_value(node: Node | None):
    """The value of a Const node, or None."""
    if node is not None and node.op == "Const":
        return node.attrs["value"]
    return None
