"""Compiling a run request into a Plan: prune, optimize, assign slots, bind kernels.

A Plan is a flat list of kernel calls over integer slots; it holds no
session state, so every session that runs the same subgraph shares it. The
executor turns the list into straight-line Python once, at compile time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from plano import errors
from plano.framework.op_def import expected_input_dtypes
from plano_server.engine.nodes import Node
from plano_server.engine.passes import Subgraph, optimize
from plano_server.engine.passes.buffers import Step, plan_buffers
from plano_server.engine.passes.prune import prune, resolve_tensor
from plano_server.kernels import KERNELS

__all__ = ["Plan", "Request", "bind", "fingerprint", "prune", "resolve_tensor"]


@dataclass(frozen=True)
class Request:
    """What a run asks for, by name: fed tensors, fetched tensors, target nodes."""

    feeds: tuple[str, ...]
    fetches: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass
class Plan:
    steps: list[Step]
    nodes: list[Node]  # parallel to steps, for error messages
    feed_slots: list[int]
    fetch_slots: list[int]
    consts: dict[int, np.ndarray]  # slots holding a Const's value (no step computes them)
    copied_fetches: list[int]  # fetches that alias a feed or an earlier fetch: returned copied
    num_slots: int
    fingerprint: bytes
    feed_nodes: list[tuple[Node, int]]  # what each feed replaces, for dtype/shape checks
    runners: dict = field(default_factory=dict, repr=False)  # built by the executor


def fingerprint(order: list[Node], request: Request, optimize: bool = True) -> bytes:
    """Content address of a plan: the pruned nodes' bytes, what is fed and fetched, and
    whether it is optimized."""
    h = hashlib.blake2b(digest_size=20)
    for node in order:
        h.update(node.digest)
    for part in (request.feeds, request.fetches, request.targets):
        h.update(b"\x00" + "\x01".join(part).encode())
    h.update(b"\x02" if optimize else b"\x03")
    return h.digest()


def bind(order: list[Node], request: Request, nodes: dict[str, Node], fp: bytes,
         optimize_graph: bool = True) -> Plan:
    """Optimizes the pruned nodes, assigns slots, binds kernels and buffer lifetimes."""
    feed_nodes = [resolve_tensor(nodes, f, "feed") for f in request.feeds]
    fetches = [(n.name, i) for n, i in (resolve_tensor(nodes, f, "fetch")
                                         for f in request.fetches)]
    fed = frozenset((n.name, i) for n, i in feed_nodes)
    sub = Subgraph(list(order), fed, fetches, list(request.targets),
                   {n.name: n for n, _ in feed_nodes})
    if optimize_graph:
        sub = optimize(sub)
    slot_of: dict[tuple[str, int], int] = {}
    feed_slots = [slot_of.setdefault((n.name, i), len(slot_of)) for n, i in feed_nodes]
    producers = sub.producers()
    consts: dict[int, np.ndarray] = {}
    steps, step_nodes = [], []
    for node in sub.nodes:
        if node.op == "Const":
            consts[slot_of.setdefault((node.name, 0), len(slot_of))] = node.attrs["value"]
            continue
        kdef = KERNELS.get(node.op)
        if kdef is None:
            raise errors.UnimplementedError(None, node.op, f"Node '{node.name}': op '{node.op}' "
                                            "has no kernel on this server")
        ins = [slot_of[ref] for ref in node.inputs]
        outs = []
        for i in range(len(node.output_dtypes)):  # a fed output is computed, then dropped
            key = (node.name, i) if (node.name, i) not in fed else ("", len(slot_of))
            outs.append(slot_of.setdefault(key, len(slot_of)))
        fn, needs_ctx = _with_derefs(kdef.factory(node), node, producers, fed, kdef.needs_ctx)
        steps.append(Step(fn, ins, outs, needs_ctx, _numpy_dtypes(node, producers)))
        step_nodes.append(node)
    fetch_slots = [slot_of[ref] for ref in sub.fetches]
    plan_buffers(steps, set(fetch_slots) | set(feed_slots), reuse=optimize_graph)
    return Plan(steps, step_nodes, feed_slots, fetch_slots, consts,
                _aliased(sub.fetches, fetch_slots, fed, feed_slots), len(slot_of), fp,
                feed_nodes)


def _aliased(fetches: list, fetch_slots: list[int], fed: frozenset, feed_slots: list[int]
             ) -> list[int]:
    """Fetch positions whose value is also another fetch's, or a fed array, under another
    name (after forwarding): each gets its own copy, as without optimization."""
    seen = set()
    out = []
    for i, (ref, slot) in enumerate(zip(fetches, fetch_slots)):
        if slot in seen or (slot in feed_slots and ref not in fed):
            out.append(i)
        seen.add(slot)
    return out


def _numpy_dtypes(node: Node, producers: dict[str, Node]) -> tuple:
    ins = [producers[s].output_dtypes[i] if s in producers else None for s, i in node.inputs]
    types = []
    for dtype in ins + list(node.output_dtypes):
        if dtype is None or dtype.is_ref or dtype.as_numpy_dtype is None:
            return ()
        types.append(np.dtype(dtype.as_numpy_dtype))
    return tuple(types)


def _with_derefs(fn, node: Node, producers: dict[str, Node], fed: frozenset, needs_ctx: bool):
    """Where a TF1 ref output (not fed) feeds a value input, read the variable first (TF's
    auto-deref). Returns the kernel to call and whether it takes the RunContext."""
    expected = expected_input_dtypes(node.op_def, node.attrs)
    deref = [i for i, ((s, idx), (_, _, is_ref)) in enumerate(zip(node.inputs, expected))
             if not is_ref and (s, idx) not in fed and producers[s].output_dtypes[idx].is_ref]
    if not deref:
        return fn, needs_ctx

    def wrapped(ctx, *args):
        args = list(args)
        for i in deref:
            args[i] = ctx.variables.read(args[i], node.name)
        return fn(ctx, *args) if needs_ctx else fn(*args)
    return wrapped, True
