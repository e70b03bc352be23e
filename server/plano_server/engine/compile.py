"""Compiling a run request into a Plan: prune, optimize, assign slots, bind kernels.

A Plan is a flat list of kernel calls over integer slots; it holds no
session state, so every session that runs the same subgraph shares it.
Constants sit in their slots before a run starts; each intermediate is freed
by its last reader. Parsed nodes and plans are content-addressed, so a
session that sends a graph another one sent compiles nothing.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import math
import threading
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from plano import dtypes, errors
from plano_server.engine.nodes import Node, parse_nodes
from plano_server.engine.passes import Subgraph, optimize
from plano_server.engine.passes.buffers import Step, plan_buffers
from plano_server.engine.passes.prune import prune, resolve_tensor
from plano_server.kernels import KERNELS, intra_op

__all__ = ["Plan", "Request", "bind", "collector_paused", "extend_key", "fingerprint",
           "parse_cached", "plan_for", "prune", "resolve_tensor", "subgraph"]


class Request(NamedTuple):
    """What a run asks for, by name: fed tensors, fetched tensors, target nodes. (A tuple:
    it is hashed on every run, to find the session's plan.)"""

    feeds: tuple[str, ...]
    fetches: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass
class Plan:
    program: list[tuple]  # (kernel, gather, out slot, slots to free): what the executor runs
    steps: list[Step]  # one per kernel call, with its buffer decisions (for inspection)
    nodes: list[Node]  # parallel to steps
    node_of_slot: dict[int, Node]  # who computes each slot, for error messages
    initial: list  # slot values before a run: Const values in place, the rest None
    feed_slots: list[int]
    fetch_slots: list[int]
    copied_fetches: list[int]  # fetches that alias a feed or an earlier fetch: returned copied
    fingerprint: bytes
    feed_nodes: list[tuple[Node, int]]  # what each feed replaces, for dtype/shape checks
    feed_specs: list[tuple] = field(default_factory=list)  # see feed_spec()
    splits_products: bool = False  # has a kernel the intra-op pool may split


def fingerprint(order: list[Node], request: Request, optimize: bool,
                nodes: dict[str, Node]) -> bytes:
    """Content address of a plan: the pruned nodes' bytes, the fed nodes' bytes (a fed
    placeholder's shape is a fact the passes use), what is fed and fetched, and whether it
    is optimized."""
    h = hashlib.blake2b(digest_size=20)
    for node in order:
        h.update(node.digest)
    for feed in request.feeds:
        h.update(resolve_tensor(nodes, feed, "feed")[0].digest)
    for part in (request.feeds, request.fetches, request.targets):
        h.update(b"\x00" + "\x01".join(part).encode())
    h.update(b"\x02" if optimize else b"\x03")
    return h.digest()


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def collector_paused():
    """Compiling a big graph makes many long-lived objects, and each cyclic-GC pass rescans
    all of them: a third of the compile time of a 20,000-node graph. Compiling makes no
    cyclic garbage, so the collector pauses until the last concurrent compile is done."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def parse_cached(cache, node_defs: list, nodes: dict[str, Node], graph_key: bytes,
                 max_nodes: int | None) -> tuple[list[Node], bytes]:
    """Validated nodes for `node_defs` added to the graph `graph_key` names, and the new
    graph's key: parsed once, shared by every session that sends the same batches."""
    key = extend_key(graph_key, node_defs, max_nodes)
    new = cache.parsed.get(key)
    if new is None:
        with collector_paused():
            new = parse_nodes(node_defs, nodes, max_nodes)
        cache.parsed.put(key, new)
    return new, key


def extend_key(graph_key: bytes, node_defs: list, max_nodes: int | None) -> bytes:
    """Content address of a graph after adding `node_defs` to the graph `graph_key` names:
    sessions that send the same nodes in the same batches share parsed nodes and plans."""
    h = hashlib.blake2b(graph_key, digest_size=20)
    h.update(str(max_nodes).encode())
    for nd in node_defs:
        data = nd.SerializeToString(deterministic=True)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def plan_for(cache, nodes: dict[str, Node], graph_key: bytes, request: Request,
             optimize_graph: bool) -> Plan:
    """The plan for `request` on a graph: from the shared cache when any session compiled it
    (counted as a hit), else compiled now. A graph seen before skips pruning too."""
    index_key = (graph_key, request, optimize_graph)
    fp = cache.requests.get(index_key)
    with collector_paused():
        if fp is not None:
            return cache.get_or_build(fp, lambda: bind(prune(nodes, request), request, nodes,
                                                       fp, optimize_graph))
        order = prune(nodes, request)
        fp = fingerprint(order, request, optimize_graph, nodes)
        plan = cache.get_or_build(fp, lambda: bind(order, request, nodes, fp, optimize_graph))
    cache.requests.put(index_key, fp)
    return plan


def bind(order: list[Node], request: Request, nodes: dict[str, Node], fp: bytes,
         optimize_graph: bool = True) -> Plan:
    """Optimizes the pruned nodes, assigns slots, binds kernels and buffer lifetimes."""
    sub = subgraph(order, request, nodes)
    feed_nodes = [resolve_tensor(nodes, f, "feed") for f in request.feeds]
    fed = sub.fed
    if optimize_graph:
        sub = optimize(sub)
    slot_of: dict[tuple, int] = {("", "ctx"): CTX_SLOT}

    def slot(key) -> int:
        return slot_of.setdefault(key, len(slot_of))
    feed_slots = [slot((n.name, i)) for n, i in feed_nodes]
    producers = sub.producers()
    consts: dict[int, np.ndarray] = {}
    shapes = _fed_shapes(feed_nodes, feed_slots)
    steps, step_nodes = [], []
    for node in sub.nodes:
        if node.op == "Const":
            consts[slot((node.name, 0))] = node.attrs["value"]
            shapes[slot_of[(node.name, 0)]] = node.attrs["value"].shape
            continue
        if node.op in _HANDLE_OPS and not node.control:  # the same handle at every run
            consts[slot((node.name, 0))] = KERNELS[node.op].factory(node)()
            continue
        kdef = KERNELS.get(node.op)
        if kdef is None:
            raise errors.UnimplementedError(None, node.op, f"Node '{node.name}': op '{node.op}' "
                                            "has no kernel on this server")
        fn, needs_ctx = _with_derefs(kdef.factory(node), node, producers, fed, kdef.needs_ctx)
        ins = [CTX_SLOT] * needs_ctx + [slot_of[ref] for ref in node.inputs]
        # a fed output is computed, then dropped; a node with no output gets a slot for None
        outs = [slot((node.name, i) if (node.name, i) not in fed else ("", len(slot_of)))
                for i in range(max(len(node.output_dtypes), 1))]
        step = Step(fn, ins, outs, needs_ctx, _numpy_dtypes(node, producers))
        step.nbytes = _static_nbytes(step, shapes)
        steps.append(step)
        step_nodes.append(node)
    fetch_slots = [slot_of[ref] for ref in sub.fetches]
    plan_buffers(steps, set(fetch_slots) | set(feed_slots) | set(consts) | {CTX_SLOT},
                 reuse=optimize_graph)
    program, node_of_slot = [], {}
    for step, node in zip(steps, step_nodes):
        for instruction in _instructions(step, len(node.output_dtypes) > 1, slot):
            program.append(instruction)
            node_of_slot[instruction[2]] = node
    initial = [None] * len(slot_of)
    for s, value in consts.items():
        initial[s] = value
    return Plan(program, steps, step_nodes, node_of_slot, initial, feed_slots, fetch_slots,
                _aliased(sub.fetches, fetch_slots, fed, feed_slots), fp, feed_nodes,
                [feed_spec(n, i) for n, i in feed_nodes],
                any(node.op in intra_op.SPLIT_OPS for node in step_nodes))


def feed_spec(node: Node, index: int) -> tuple:
    """(tensor name, DType, numpy dtype (None for strings), placeholder dims or None, the
    same dims as a shape tuple when all are known): what a fed value must match. Fed nodes
    are in the plan's fingerprint, so this holds for every session that shares the plan."""
    dtype = node.output_dtypes[index].base_dtype
    np_dtype = None if dtype is dtypes.string else np.dtype(dtype.as_numpy_dtype)
    dims = None
    if node.op in ("Placeholder", "PlaceholderWithDefault"):
        dims = node.attrs["shape"].dims
    known = tuple(dims) if dims is not None and None not in dims else None
    return (f"{node.name}:{index}", dtype, np_dtype, dims, known)


CTX_SLOT = 0  # slot 0 holds the RunContext during a run
_HANDLE_OPS = frozenset({"VarHandleOp", "VariableV2"})  # kernels returning a fixed handle


def _instructions(step: Step, multi: bool, slot) -> list[tuple]:
    """A step as executor instructions. A multi-output kernel's tuple goes to a slot of its
    own, then each output read by someone is picked out of it."""
    if not multi:
        return [(step.fn, _gather(step.ins), step.outs[0], tuple(step.free))]
    packed = slot(("", "packed", step.outs[0]))
    used = [(i, s) for i, s in enumerate(step.outs) if s not in step.free]
    out = [(step.fn, _gather(step.ins), packed,
            tuple(s for s in step.free if s not in step.outs) + (() if used else (packed,)))]
    for n, (i, s) in enumerate(used):
        out.append((itemgetter(i), _gather([packed]), s, (packed,) if n == len(used) - 1
                    else ()))
    return out


def _gather(ins: list[int]):
    """A function of the slot list returning the arguments, as a tuple or list."""
    if len(ins) == 1:
        return itemgetter(slice(ins[0], ins[0] + 1))
    return itemgetter(*ins) if ins else itemgetter(slice(0, 0))


def subgraph(order: list[Node], request: Request, nodes: dict[str, Node]) -> Subgraph:
    """The pruned nodes of a request in the form the passes work on."""
    feed_nodes = [resolve_tensor(nodes, f, "feed") for f in request.feeds]
    fetches = [(n.name, i) for n, i in (resolve_tensor(nodes, f, "fetch")
                                         for f in request.fetches)]
    return Subgraph(list(order), frozenset((n.name, i) for n, i in feed_nodes), fetches,
                    list(request.targets), {n.name: n for n, _ in feed_nodes})


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


def _fed_shapes(feed_nodes: list[tuple[Node, int]], feed_slots: list[int]) -> dict:
    """Shapes every run will have: a fed placeholder's, when fully defined (feeds are checked
    against it)."""
    shapes = {}
    for (node, _), s in zip(feed_nodes, feed_slots):
        if node.op in ("Placeholder", "PlaceholderWithDefault") and \
                node.attrs["shape"].is_fully_defined():
            shapes[s] = tuple(node.attrs["shape"].dims)
    return shapes


def _static_nbytes(step: Step, shapes: dict) -> int | None:
    """The output size of a plain ufunc step whose input shapes are known (recorded in
    `shapes` for the steps after it); None when unknown."""
    if not isinstance(step.fn, np.ufunc) or not step.dtypes or len(step.outs) != 1:
        return None
    try:
        ins = [shapes[s] for s in step.ins]
        shape = ins[0] if ins and ins.count(ins[0]) == len(ins) else np.broadcast_shapes(*ins)
    except (KeyError, ValueError):
        return None
    shapes[step.outs[0]] = shape
    return math.prod(shape) * step.dtypes[-1].itemsize


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
    deref = [i for i, ((s, idx), (_, _, is_ref)) in enumerate(zip(node.inputs,
                                                                  node.expected_inputs))
             if not is_ref and (s, idx) not in fed and producers[s].output_dtypes[idx].is_ref]
    if not deref:
        return fn, needs_ctx

    def wrapped(ctx, *args):
        args = list(args)
        for i in deref:
            args[i] = ctx.variables.read(args[i], node.name)
        return fn(ctx, *args) if needs_ctx else fn(*args)
    return wrapped, True
