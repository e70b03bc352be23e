"""Pruning: only what the fetches and targets need runs.

`prune` picks the needed nodes of a session's graph by name (stopping at fed
tensors), which also fixes the run order. `drop_dead` runs after the other
passes: a pure node nobody reads any more (folded into a constant, merged
into its twin) is dropped; stateful nodes always stay, since the client asked
for something that needs them.
"""
from __future__ import annotations

import dataclasses

from plano import errors
from plano_server.engine.nodes import Node, parse_input
from plano_server.engine.passes.subgraph import Subgraph, is_pure


def resolve_tensor(nodes: dict[str, Node], name: str, role: str) -> tuple[Node, int]:
    """'node:1' -> (Node, 1), or an InvalidArgumentError naming the tensor and its role."""
    src, index, is_control = parse_input(name)
    node = nodes.get(src)
    if is_control or node is None:
        raise errors.InvalidArgumentError(
            None, None, f"Tensor '{name}', specified as a {role}, was not found in the graph")
    if index >= len(node.output_dtypes):
        raise errors.InvalidArgumentError(
            None, None, f"Tensor '{name}', specified as a {role}, does not exist: node "
            f"'{src}' has only {len(node.output_dtypes)} outputs")
    return node, index


def prune(nodes: dict[str, Node], request) -> list[Node]:
    """The nodes the fetches and targets need (stopping at fed tensors), in a fixed order.

    Iterative depth-first post-order from the fetches then targets, inputs in
    declaration order: deterministic, and safe for very long chains.
    """
    fed = {resolve_tensor(nodes, f, "feed") for f in request.feeds}
    fed = {(n.name, i) for n, i in fed}
    roots = []
    for f in request.fetches:
        node, index = resolve_tensor(nodes, f, "fetch")
        if (node.name, index) not in fed:
            roots.append(node)
    for t in request.targets:
        node = nodes.get(t)
        if node is None:
            raise errors.InvalidArgumentError(
                None, None, f"Target node '{t}' was not found in the graph")
        roots.append(node)
    order: list[Node] = []
    done: set[str] = set()
    for root in roots:
        if root.name in done:
            continue
        stack = [(root, iter(_needed(root, fed, nodes)))]
        done.add(root.name)
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                order.append(node)
                stack.pop()
            elif dep.name not in done:
                done.add(dep.name)
                stack.append((dep, iter(_needed(dep, fed, nodes))))
    return order


def _needed(node: Node, fed: set, nodes: dict[str, Node]) -> list[Node]:
    deps = [nodes[s] for s, i in node.inputs if (s, i) not in fed]
    return deps + [nodes[s] for s in node.control]


def drop_dead(sub: Subgraph) -> Subgraph:
    """Drops pure nodes that no fetch, target, or kept node needs any more."""
    live = {name for name, _ in sub.fetches} | set(sub.targets)
    kept = []
    for node in reversed(sub.nodes):
        if node.name in live or not is_pure(node, sub):
            kept.append(node)
            live.update(src for src, index in node.inputs if (src, index) not in sub.fed)
            live.update(node.control)
    if len(kept) == len(sub.nodes):
        return sub
    kept.reverse()
    return dataclasses.replace(sub, nodes=kept)
