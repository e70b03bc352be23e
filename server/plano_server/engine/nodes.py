"""Parsing and validating incoming NodeDefs against the op registry, before anything runs.

Every problem is an InvalidArgumentError that names the node: unknown op,
duplicate or invalid name, missing or mistyped attr, wrong input count,
dangling or misspelled input, dtype mismatch, a cycle.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

import plano.ops  # noqa: F401 - registers every op
from plano import dtypes, errors
from plano.framework import op_def as op_def_lib
from plano.framework.op_def import AttrError
from plano.v1 import node_def_pb2

_NODE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")


@dataclass(eq=False)
class Node:
    """A validated node: inputs resolved to (producer, output index), attrs decoded."""

    name: str
    op: str
    op_def: op_def_lib.OpDef
    inputs: list[tuple[str, int]]
    control: list[str]
    attrs: dict
    output_dtypes: list
    digest: bytes = field(repr=False, default=b"")
    index: int = 0

    @functools.cached_property
    def expected_inputs(self) -> list:
        """(arg name, DType, is_ref) of each data input, from the op's signature and attrs
        (asked by validation and by the compiler: made once)."""
        return op_def_lib.expected_input_dtypes(self.op_def, self.attrs)


def _invalid(node_name: str, op: str, message: str) -> errors.OpError:
    return errors.InvalidArgumentError(None, op or None,
                                       f"Node '{node_name}' (op '{op}'): {message}")


def parse_input(text: str) -> tuple[str, int, bool]:
    """'x' -> (x, 0, False); 'x:1' -> (x, 1, False); '^x' -> (x, -1, True)."""
    if text.startswith("^"):
        return text[1:], -1, True
    name, sep, index = text.rpartition(":")
    if sep and index.isdigit():
        return name, int(index), False
    return text, 0, False


def parse_nodes(node_defs, existing: dict[str, Node], max_nodes: int | None = None
                ) -> list[Node]:
    """Validates new NodeDefs (which may reference `existing` ones); returns them in order."""
    node_defs = list(node_defs)
    if max_nodes is not None and len(existing) + len(node_defs) > max_nodes:
        raise errors.ResourceExhaustedError(
            None, None, f"Graph would have {len(existing) + len(node_defs)} nodes; this server "
            f"allows at most {max_nodes}")
    new: dict[str, Node] = {}
    for nd in node_defs:
        node = _parse_one(nd, existing, new)
        node.index = len(existing) + len(new)
        new[node.name] = node
    for node in new.values():
        _check_inputs(node, existing, new)
    _check_acyclic(new)
    return list(new.values())


def _parse_one(nd: node_def_pb2.NodeDef, existing, new) -> Node:
    name, op = nd.name, nd.op
    if not _NODE_NAME.match(name):
        raise _invalid(name, op, f"invalid node name {name!r}")
    if name in existing or name in new:
        raise _invalid(name, op, f"duplicate node name '{name}'")
    op_def = op_def_lib.REGISTRY.get(op)
    if op_def is None:
        raise _invalid(name, op, f"unknown op '{op}' (not registered in this server)")
    attrs = {}
    for key, spec in op_def.attrs.items():
        if key in nd.attr:
            try:
                attrs[key] = op_def_lib.attr_from_proto(spec.kind, nd.attr[key],
                                                        f"attr '{key}'")
                if spec.kind == "tensor":  # shared by every run and session: never written
                    attrs[key].setflags(write=False)
            except AttrError as e:
                raise _invalid(name, op, str(e)) from None
            except errors.OpError as e:
                raise _invalid(name, op, e.message) from None
        elif spec.required:
            raise _invalid(name, op, f"missing required attr '{key}' of type '{spec.kind}'")
        else:
            attrs[key] = spec.default
        try:
            op_def_lib.check_attr_value(op, name, spec, attrs[key])
        except (TypeError, ValueError) as e:
            raise _invalid(name, op, str(e)) from None
    for key in nd.attr:
        if key not in op_def.attrs and not key.startswith("_"):
            raise _invalid(name, op, f"unknown attr '{key}'")
    inputs, control = [], []
    for text in nd.input:
        src, index, is_control = parse_input(text)
        if is_control:
            control.append(src)
        elif control:
            raise _invalid(name, op, f"data input '{text}' comes after a control input")
        else:
            inputs.append((src, index))
    try:
        out_dtypes = op_def_lib.output_dtypes(op_def, attrs)
        node = Node(name, op, op_def, inputs, control, attrs, out_dtypes)
        expected = node.expected_inputs
    except KeyError as e:
        raise _invalid(name, op, f"attr {e} is needed to type the node") from None
    if len(expected) != len(inputs):
        raise _invalid(name, op, f"expected {len(expected)} inputs, got {len(inputs)}")
    node.digest = hashlib.blake2b(nd.SerializeToString(deterministic=True),
                                  digest_size=16).digest()
    return node


def _check_inputs(node: Node, existing, new) -> None:
    for i, ((src, index), (arg, want, is_ref)) in enumerate(zip(node.inputs,
                                                             node.expected_inputs)):
        producer = new.get(src) or existing.get(src)
        if producer is None:
            raise _invalid(node.name, node.op, f"input {i} ('{arg}') refers to node '{src}', "
                           "which is not in the graph")
        if index >= len(producer.output_dtypes):
            raise _invalid(node.name, node.op, f"input {i} ('{arg}') refers to output {index} "
                           f"of '{src}', which has only {len(producer.output_dtypes)} outputs")
        got = producer.output_dtypes[index]
        if not _dtype_fits(got, want, is_ref):
            raise _invalid(node.name, node.op, f"input {i} ('{arg}') expects "
                           f"{want.name}{'_ref' if is_ref else ''} but '{src}:{index}' is "
                           f"{got.name}")
    for src in node.control:
        if src not in new and src not in existing:
            raise _invalid(node.name, node.op, f"control input '^{src}' refers to a node "
                           "not in the graph")


def _dtype_fits(got, want, is_ref: bool) -> bool:
    if is_ref:
        return got.is_ref and got.base_dtype == want.base_dtype or \
            want is dtypes.resource and got.is_ref
    return got.base_dtype == want.base_dtype


def _check_acyclic(new: dict[str, Node]) -> None:
    """Existing nodes cannot point at new ones, so a cycle lies among the new nodes."""
    state: dict[str, int] = {}
    for root in new:
        if state.get(root):
            continue
        stack = [(root, iter(_deps(new[root], new)))]
        state[root] = 1
        while stack:
            name, it = stack[-1]
            dep = next(it, None)
            if dep is None:
                state[name] = 2
                stack.pop()
            elif state.get(dep) == 1:
                raise _invalid(dep, new[dep].op, f"the graph has a cycle through node '{dep}' "
                               f"and '{name}'")
            elif not state.get(dep):
                state[dep] = 1
                stack.append((dep, iter(_deps(new[dep], new))))


def _deps(node: Node, new) -> list[str]:
    return [s for s, _ in node.inputs if s in new] + [s for s in node.control if s in new]
