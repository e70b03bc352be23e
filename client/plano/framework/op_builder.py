"""Adding a node: convert inputs, infer type attrs, check attrs, name it, infer shapes.

TF's op_def_library in miniature. A dtype clash raises TypeError and a shape
clash ValueError, both naming the node, the op type and what did not fit.
"""
from __future__ import annotations

import numpy as np

from plano import dtypes
from plano.framework import op_def as op_def_lib
from plano.framework.graph import Graph, Operation, Tensor, shape_error_text
from plano.framework.tensor_shape import TensorShape


class ShapeError(ValueError):
    """Raised by shape rules; op_builder adds the node name, op type and input shapes."""


def build_operation(graph: Graph, op_type: str, inputs: list, attrs: dict,
                    name: str | None) -> Operation:
    op_def = op_def_lib.REGISTRY.get(op_type)
    if op_def is None:
        raise ValueError(f"Unknown op type '{op_type}'")
    with graph._lock:
        # As TF: a name ending in "/" is a scope name used verbatim as the node name.
        node_name = name[:-1] if name and name.endswith("/") else graph.unique_name(name or op_type)
        flat_inputs = _bind_inputs(graph, op_def, node_name, inputs, attrs)
        _complete_attrs(op_def, node_name, attrs)
        _check_input_types(op_def, node_name, flat_inputs, attrs)
        out_dtypes = op_def_lib.output_dtypes(op_def, attrs)
        control = graph._current_control_inputs(flat_inputs)
        op = Operation(graph, node_name, op_type, flat_inputs, attrs, out_dtypes, control,
                       graph._current_device())
        infer_shapes(op)
        graph._add_op(op)
    return op


def _bind_inputs(graph: Graph, op_def, node_name: str, inputs: list, attrs: dict) -> list:
    """Matches inputs to the op's args, converting Python values with the inferred dtype."""
    if len(inputs) != len(op_def.inputs):
        raise TypeError(f"Op '{op_def.name}' (node '{node_name}') takes {len(op_def.inputs)} "
                        f"inputs ({', '.join(a.name for a in op_def.inputs)}), got {len(inputs)}")
    flat = []
    for arg, value in zip(op_def.inputs, inputs):
        if arg.number_attr:
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"Expected list for '{arg.name}' argument to '{op_def.name}' Op, "
                                f"not {value!r}.")
            attrs.setdefault(arg.number_attr, len(value))
            values = list(value)
        else:
            values = [value]
        known = None
        if arg.fixed_type is not None:
            known = arg.fixed_type
        elif arg.type_attr in attrs:
            known = dtypes.as_dtype(attrs[arg.type_attr])
        else:
            known = next((v.dtype.base_dtype for v in values if _is_tensor_like(v)), None)
            default = op_def.attrs[arg.type_attr].default  # TF converts Python values
            if known is None and isinstance(default, dtypes.DType):  # with the attr's default
                known = default
        tensors = [convert_to_tensor(v, dtype=None if _is_tensor_like(v) else known,
                                     graph=graph, allow_ref=arg.is_ref) for v in values]
        for t in tensors:
            if t.graph is not graph:
                raise ValueError(f"Tensor {t.name!r} must be from the same graph as the op "
                                 f"'{node_name}' it feeds.")
        if arg.type_attr and arg.type_attr not in attrs and tensors:
            attrs[arg.type_attr] = tensors[0].dtype.base_dtype
        flat.extend(tensors)
    return flat


def _is_tensor_like(value) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_as_tensor")


def _complete_attrs(op_def, node_name: str, attrs: dict) -> None:
    for key in attrs:
        if key not in op_def.attrs and not key.startswith("_"):
            raise ValueError(f"Op '{op_def.name}' (node '{node_name}') has no attr named '{key}'")
    for spec in op_def.attrs.values():
        if spec.name not in attrs:
            if spec.required:
                raise ValueError(f"Op '{op_def.name}' (node '{node_name}') is missing required "
                                 f"attr '{spec.name}'")
            attrs[spec.name] = spec.default
        attrs[spec.name] = normalize_attr(spec.kind, attrs[spec.name])
        op_def_lib.check_attr_value(op_def.name, node_name, spec, attrs[spec.name])


def normalize_attr(kind: str, value):
    """Puts a Python attr value in the form Operation.get_attr returns (TF's forms)."""
    if kind == "type":
        return dtypes.as_dtype(value)
    if kind == "shape":
        return TensorShape(value)
    if kind == "string":
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    if kind == "tensor":
        return np.asarray(value)
    if kind == "list(int)":
        return [int(v) for v in value]
    if kind == "list(float)":
        return [float(v) for v in value]
    if kind == "list(type)":
        return [dtypes.as_dtype(v) for v in value]
    if kind == "list(shape)":
        return [TensorShape(v) for v in value]
    if kind == "list(string)":
        return [v.encode() if isinstance(v, str) else bytes(v) for v in value]
    return value


def _check_input_types(op_def, node_name: str, inputs: list[Tensor], attrs: dict) -> None:
    expected = op_def_lib.expected_input_dtypes(op_def, attrs)
    type_attr_of = {a.name: a.type_attr for a in op_def.inputs}
    first_by_attr: dict[str, tuple[str, Tensor]] = {}
    for (arg_name, dtype, is_ref), t in zip(expected, inputs):
        got = t.dtype if is_ref else t.dtype.base_dtype
        want = dtypes.as_dtype(dtype.base_dtype.as_datatype_enum + 100) if is_ref else dtype
        if got == want or (is_ref and dtype is dtypes.resource):
            first_by_attr.setdefault(type_attr_of[arg_name], (arg_name, t))
            continue
        if type_attr_of[arg_name] in first_by_attr:
            other_arg, other = first_by_attr[type_attr_of[arg_name]]
            raise TypeError(f"Input '{arg_name}' of '{op_def.name}' Op (node '{node_name}') has "
                            f"type {got.name} that does not match type {other.dtype.name} of "
                            f"argument '{other_arg}'.")
        raise TypeError(f"Input '{arg_name}' of '{op_def.name}' Op (node '{node_name}') has type "
                        f"{got.name} that does not match expected type of {want.name}.")


def infer_shapes(op: Operation) -> None:
    """Runs the op's shape rule; a ShapeError becomes TF's ValueError text."""
    rule = op.op_def.shape_fn
    if rule is None:
        return
    try:
        shapes = rule(op)
    except ShapeError as e:
        raise ValueError(shape_error_text(op.name, op.type, list(op.inputs), str(e))) from None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if len(shapes) != len(op.outputs):
        raise AssertionError(f"shape rule of {op.type} gave {len(shapes)} shapes for "
                             f"{len(op.outputs)} outputs")
    for t, s in zip(op.outputs, shapes):
        t._shape = TensorShape(s) if s is not None else TensorShape(None)


# ---------------------------------------------------------------- conversion

def convert_to_tensor(value, dtype=None, name=None, graph: Graph | None = None,
                      allow_ref: bool = False, preferred_dtype=None) -> Tensor:
    """Tensors pass through (dtype checked); variables read; other values become Const."""
    from plano.framework.graph import get_default_graph

    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    if hasattr(value, "_as_tensor"):
        value = value._as_tensor(dtype=dtype, ref=allow_ref)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype.base_dtype != dtype.base_dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.base_dtype.name} for "
                             f"Tensor with dtype {value.dtype.base_dtype.name}: {value!r}")
        return value  # a TF1 ref tensor feeding a value input is read at run time
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name})")
    if isinstance(value, (list, tuple)) and any(_is_tensor_like(v) for v in _flatten(value)):
        from plano.ops import join_ops

        return join_ops.stack(value, name=name or "packed")
    from plano.ops import constant_op

    graph = graph or get_default_graph()
    if dtype is None and preferred_dtype is not None:
        try:
            return constant_op.constant(value, dtype=preferred_dtype, name=name or "Const",
                                        graph=graph)
        except (TypeError, ValueError):
            pass
    return constant_op.constant(value, dtype=dtype, name=name or "Const", graph=graph)


def _flatten(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        else:
            yield v
