"""import_graph_def: GraphDef (ours or TensorFlow's) -> Operations in the current graph."""
from __future__ import annotations

from plano import dtypes
from plano.framework import op_def as op_def_lib
from plano.framework.graph import Operation, Tensor, get_default_graph
from plano.framework.op_builder import _check_input_types, infer_shapes
from plano.framework.op_def import AttrError
from plano.v1 import graph_pb2


def _parse_input(text: str):
    if text.startswith("^"):
        return text[1:], -1
    name, sep, index = text.rpartition(":")
    return (name, int(index)) if sep and index.isdigit() else (text, 0)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Adds the nodes of `graph_def` under the scope `name` (default 'import'; '' for none)."""
    if isinstance(graph_def, (bytes, bytearray)):
        graph_def = graph_pb2.GraphDef.FromString(bytes(graph_def))
    if not isinstance(graph_def, graph_pb2.GraphDef):
        try:
            graph_def = graph_pb2.GraphDef.FromString(graph_def.SerializeToString())
        except AttributeError:
            raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def)}") from None
    graph = get_default_graph()
    input_map = dict(input_map or {})
    for key, value in input_map.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be Tensors; {key!r} maps to {value!r}")
    prefix = "" if name == "" else graph.unique_name(name or "import")
    by_name = {nd.name: nd for nd in graph_def.node}
    if len(by_name) != len(graph_def.node):
        raise ValueError("GraphDef has duplicate node names")
    created: dict[str, Operation] = {}
    used_inputs: set[str] = set()
    with graph._lock:
        for nd in _topological(graph_def.node, by_name):
            op = _import_node(graph, nd, prefix, created, input_map, used_inputs)
            created[nd.name] = op
    missing = set(input_map) - used_inputs
    if missing:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(sorted(missing))}]")
    if return_elements is None:
        return None
    return [_return_element(graph, created, r) for r in return_elements]


def _topological(nodes, by_name):
    order, state = [], {}
    for root in nodes:
        if root.name in state:
            continue
        stack = [(root, iter(root.input))]
        state[root.name] = 1
        while stack:
            nd, it = stack[-1]
            text = next(it, None)
            if text is None:
                state[nd.name] = 2
                order.append(nd)
                stack.pop()
                continue
            src = _parse_input(text)[0]
            if src not in by_name:
                continue  # reported (or mapped) when the node is imported
            if state.get(src) == 1:
                raise ValueError(f"GraphDef has a cycle through node '{src}'")
            if src not in state:
                state[src] = 1
                stack.append((by_name[src], iter(by_name[src].input)))
    return order


def _import_node(graph, nd, prefix, created, input_map, used_inputs) -> Operation:
    op_def = op_def_lib.REGISTRY.get(nd.op)
    if op_def is None:
        raise ValueError(f"Node '{nd.name}' uses op '{nd.op}', which plano does not implement")
    attrs = {}
    for key, spec in op_def.attrs.items():
        if key in nd.attr:
            try:
                attrs[key] = op_def_lib.attr_from_proto(spec.kind, nd.attr[key], f"attr '{key}'")
            except AttrError as e:
                raise ValueError(f"Node '{nd.name}' (op '{nd.op}'): {e}") from None
        elif spec.required:
            raise ValueError(f"Node '{nd.name}' (op '{nd.op}') is missing attr '{key}'")
        else:
            attrs[key] = spec.default
    inputs, control = [], []
    for text in nd.input:
        src, index = _parse_input(text)
        key = text if index >= 0 else text
        if key in input_map or (index == 0 and f"{src}:0" in input_map):
            mapped_key = key if key in input_map else f"{src}:0"
            used_inputs.add(mapped_key)
            inputs.append(input_map[mapped_key])
            continue
        if src not in created:
            raise ValueError(f"Node '{nd.name}': input '{text}' refers to a node not in the "
                             "GraphDef")
        if index < 0:
            control.append(created[src])
        else:
            if index >= len(created[src].outputs):
                raise ValueError(f"Node '{nd.name}': input '{text}' refers to a missing output")
            inputs.append(created[src].outputs[index])
    op_name = f"{prefix}/{nd.name}" if prefix else nd.name
    if op_name in graph._by_name:
        raise ValueError(f"Duplicate node name in graph: '{op_name}'")
    try:
        _check_input_types(op_def, op_name, inputs, attrs)
        out_dtypes = op_def_lib.output_dtypes(op_def, attrs)
    except (TypeError, KeyError) as e:
        raise ValueError(f"Node '{nd.name}' (op '{nd.op}'): {e}") from None
    op = Operation(graph, op_name, nd.op, inputs, attrs, out_dtypes, control, nd.device)
    infer_shapes(op)
    graph._add_op(op)
    return op


def _return_element(graph, created, name: str):
    src, index = _parse_input(name)
    if src not in created:
        raise ValueError(f"Requested return element '{name}' not found in graph_def")
    op = created[src]
    return op.outputs[index] if ":" in name else op


__all__ = ["import_graph_def", "dtypes"]
