"""Compiling a run request into a Plan: prune, order, assign slots, bind kernels.

A Plan is a flat list of kernel calls over integer slots; it holds no
session state, so every session that runs the same subgraph shares it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from plano import errors
from plano_server.engine.nodes import Node, parse_input
from plano_server.kernels import KERNELS


@dataclass(frozen=True)
class Request:
    """What a run asks for, by name: fed tensors, fetched tensors, target nodes."""

    feeds: tuple[str, ...]
    fetches: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass
class Plan:
    steps: list[tuple]  # (fn, input slots, output slot(s), slots to free, needs_ctx, multi)
    nodes: list[Node]  # parallel to steps, for error messages
    feed_slots: list[int]
    fetch_slots: list[int]
    num_slots: int
    fingerprint: bytes
    feed_nodes: list[tuple[Node, int]]  # what each feed replaces, for dtype/shape checks


def resolve_tensor(nodes: dict[str, Node], name: str, role: str) -> tuple[Node, int]:
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


def prune(nodes: dict[str, Node], request: Request) -> list[Node]:
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


def fingerprint(order: list[Node], request: Request) -> bytes:
    """Content address of a plan: the pruned nodes' bytes plus what is fed and fetched."""
    h = hashlib.blake2b(digest_size=20)
    for node in order:
        h.update(node.digest)
    for part in (request.feeds, request.fetches, request.targets):
        h.update(b"\x00" + "\x01".join(part).encode())
    return h.digest()


def bind(order: list[Node], request: Request, nodes: dict[str, Node], fp: bytes) -> Plan:
    """Assigns slots, binds kernels and computes when each intermediate can be freed."""
    slot_of: dict[tuple[str, int], int] = {("", 0): 0}  # slot 0: sink for ops with no output
    feed_slots, feed_nodes = [], []
    for f in request.feeds:
        node, index = resolve_tensor(nodes, f, "feed")
        key = (node.name, index)
        slot_of.setdefault(key, len(slot_of))
        feed_slots.append(slot_of[key])
        feed_nodes.append((node, index))
    raw_steps = []
    for node in order:
        kdef = KERNELS.get(node.op)
        if kdef is None:
            raise errors.UnimplementedError(None, node.op, f"Node '{node.name}': op '{node.op}' "
                                            "has no kernel on this server")
        ins = [slot_of[(s, i)] for s, i in node.inputs]
        outs = []
        for i in range(len(node.output_dtypes)):
            slot_of.setdefault((node.name, i), len(slot_of))
            outs.append(slot_of[(node.name, i)])
        fn = _with_derefs(kdef.factory(node), node, nodes, kdef.needs_ctx)
        needs_ctx = kdef.needs_ctx or fn is not None and getattr(fn, "_derefs", False)
        raw_steps.append([fn, ins, outs, needs_ctx])
    fetch_slots = [slot_of[(n.name, i)] for n, i in
                   (resolve_tensor(nodes, f, "fetch") for f in request.fetches)]
    last_use: dict[int, int] = {}
    for step_index, (_, ins, _, _) in enumerate(raw_steps):
        for s in ins:
            last_use[s] = step_index
    keep = set(fetch_slots) | set(feed_slots)
    frees: list[list[int]] = [[] for _ in raw_steps]
    for s, step_index in last_use.items():
        if s not in keep:
            frees[step_index].append(s)
    for step_index, (_, _, outs, _) in enumerate(raw_steps):
        for s in outs:  # outputs nobody reads are dropped at once
            if s not in last_use and s not in keep:
                frees[step_index].append(s)
    steps = []
    for (fn, ins, outs, needs_ctx), free in zip(raw_steps, frees):
        multi = len(outs) > 1
        steps.append((fn, tuple(ins), tuple(outs) if multi else (outs[0] if outs else 0), tuple(free),
                      needs_ctx, multi))
    return Plan(steps, list(order), feed_slots, fetch_slots, len(slot_of), fp, feed_nodes)


def _with_derefs(fn, node: Node, nodes: dict[str, Node], needs_ctx: bool):
    """Where a TF1 ref output feeds a value input, read the variable first (TF's auto-deref)."""
    from plano.framework.op_def import expected_input_dtypes

    expected = expected_input_dtypes(node.op_def, node.attrs)
    deref = [i for i, ((s, idx), (_, _, is_ref)) in enumerate(zip(node.inputs, expected))
             if not is_ref and nodes[s].output_dtypes[idx].is_ref]
    if not deref:
        return fn

    def wrapped(ctx, *args):
        args = list(args)
        for i in deref:
            args[i] = ctx.variables.read(args[i], node.name)
        return fn(ctx, *args) if needs_ctx else fn(*args)
    wrapped._derefs = True
    return wrapped
