"""import_graph_def: GraphDef (ours or TensorFlow's) -> Operations in the current graph.

Each NodeDef is checked against plano's declaration of its op, as the server
checks it: an unknown op or attr, a missing attr, a wrong input count or dtype
is a ValueError naming the node. Private attrs (`_class`, `_output_shapes`)
are TF's bookkeeping and are dropped.
"""
from __future__ import annotations

from plano import errors
from plano.framework import op_def as op_def_lib
from plano.framework.graph import Operation, Tensor, get_default_graph
from plano.framework.op_builder import _check_input_types, infer_shapes
from plano.framework.op_def import AttrError
from plano.v1 import graph_pb2


def _parse_input(text: str) -> tuple[str, int]:
    """'x' -> ('x', 0); 'x:2' -> ('x', 2); '^x' -> ('x', -1)."""
    if text.startswith("^"):
        return text[1:], -1
    name, sep, index = text.rpartition(":")
    return (name, int(index)) if sep and index.isdigit() else (text, 0)


def _tensor_key(name: str) -> str:
    src, index = _parse_input(name)
    return f"^{src}" if index < 0 else f"{src}:{index}"


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Adds the nodes of `graph_def` under the scope `name` (default 'import'; '' for none).

    `input_map` maps tensor names in graph_def to Tensors of the current graph;
    `return_elements` names the tensors ('x:0') and operations ('x') to return.
    """
    graph_def = _as_graph_def(graph_def)
    graph = get_default_graph()
    input_map = _check_input_map(graph, input_map)
    if return_elements is not None and isinstance(return_elements, str):
        raise TypeError("return_elements must be a list of names, not a string")
    prefix = "" if name == "" else graph.unique_name(name or "import")
    by_name = {nd.name: nd for nd in graph_def.node}
    if len(by_name) != len(graph_def.node):
        raise ValueError("GraphDef has duplicate node names")
    created: dict[str, Operation] = {}
    used_inputs: set[str] = set()
    with graph._lock:
        for nd in _topological(graph_def.node, by_name):
            created[nd.name] = _import_node(graph, nd, prefix, created, input_map, used_inputs)
    missing = set(input_map) - used_inputs
    if missing:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(sorted(missing))}]")
    if return_elements is None:
        return None
    return [_return_element(created, r) for r in return_elements]


def _as_graph_def(graph_def) -> graph_pb2.GraphDef:
    if isinstance(graph_def, (bytes, bytearray)):
        return graph_pb2.GraphDef.FromString(bytes(graph_def))
    if isinstance(graph_def, graph_pb2.GraphDef):
        return graph_def
    if hasattr(graph_def, "SerializeToString"):  # e.g. TensorFlow's own GraphDef class
        return graph_pb2.GraphDef.FromString(graph_def.SerializeToString())
    raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}")


def _check_input_map(graph, input_map) -> dict[str, Tensor]:
    """Keys normalised to 'name:index' ('x' means 'x:0'); values must be this graph's Tensors."""
    out = {}
    for key, value in dict(input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be tensor names, got {key!r}")
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be Tensors; {key!r} maps to {value!r}")
        if value.graph is not graph:
            raise ValueError(f"input_map value for {key!r} ({value.name}) is not in the graph "
                             "being imported into")
        if key.startswith("^"):
            raise ValueError(f"input_map key {key!r}: mapping control inputs is not supported")
        out[_tensor_key(key)] = value
    return out


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


def _node_error(nd, message: str) -> ValueError:
    return ValueError(f"Node '{nd.name}' (op '{nd.op}'): {message}")


def _import_attrs(nd, op_def) -> dict:
    for key in nd.attr:
        if key not in op_def.attrs and not key.startswith("_"):
            raise _node_error(nd, f"unknown attr '{key}' (not declared by plano's op "
                                  f"'{nd.op}')")
    attrs = {}
    for key, spec in op_def.attrs.items():
        if key in nd.attr:
            try:
                attrs[key] = op_def_lib.attr_from_proto(spec.kind, nd.attr[key], f"attr '{key}'")
            except AttrError as e:
                raise _node_error(nd, str(e)) from None
            except errors.OpError as e:
                raise _node_error(nd, e.message) from None
        elif spec.required:
            raise _node_error(nd, f"missing required attr '{key}' of type '{spec.kind}'")
        else:
            attrs[key] = spec.default
        try:
            op_def_lib.check_attr_value(nd.op, nd.name, spec, attrs[key])
        except (TypeError, ValueError) as e:
            raise ValueError(str(e)) from None
    return attrs


def _import_node(graph, nd, prefix, created, input_map, used_inputs) -> Operation:
    op_def = op_def_lib.REGISTRY.get(nd.op)
    if op_def is None:
        raise _node_error(nd, f"op '{nd.op}' is not one plano implements")
    attrs = _import_attrs(nd, op_def)
    inputs, control = [], []
    for text in nd.input:
        key = _tensor_key(text)
        src, index = _parse_input(text)
        if key in input_map:
            used_inputs.add(key)
            inputs.append(input_map[key])
        elif src not in created:
            raise _node_error(nd, f"input '{text}' refers to a node not in the GraphDef")
        elif index < 0:
            control.append(created[src])
        elif control:
            raise _node_error(nd, f"data input '{text}' comes after a control input")
        elif index >= len(created[src].outputs):
            raise _node_error(nd, f"input '{text}' refers to output {index} of '{src}', which "
                                  f"has {len(created[src].outputs)} outputs")
        else:
            inputs.append(created[src].outputs[index])
    op_name = f"{prefix}/{nd.name}" if prefix else nd.name
    if op_name in graph._by_name:
        raise ValueError(f"Duplicate node name in graph: '{op_name}'")
    try:
        expected = op_def_lib.expected_input_dtypes(op_def, attrs)
        if len(expected) != len(inputs):
            raise TypeError(f"expects {len(expected)} inputs, got {len(inputs)}")
        _check_input_types(op_def, op_name, inputs, attrs)
        out_dtypes = op_def_lib.output_dtypes(op_def, attrs)
    except (TypeError, KeyError) as e:
        raise _node_error(nd, str(e)) from None
    op = Operation(graph, op_name, nd.op, inputs, attrs, out_dtypes, control, nd.device)
    infer_shapes(op)
    graph._add_op(op)
    return op


def _return_element(created, name: str):
    if not isinstance(name, str):
        raise TypeError(f"return_elements must be names, got {name!r}")
    src, index = _parse_input(name)
    op = created.get(src)
    if op is None or index < 0:
        raise ValueError(f"Requested return_element '{name}' not found in graph_def.")
    if ":" not in name:
        return op
    if index >= len(op.outputs):
        raise ValueError(f"Requested return_element '{name}' not found in graph_def: node "
                         f"'{src}' has {len(op.outputs)} outputs.")
    return op.outputs[index]
