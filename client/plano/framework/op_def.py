"""The op registry: each op declared once (inputs, outputs, attrs, shape rule).

The client uses it to build and type-check nodes; the server validates every
incoming NodeDef against the same declarations. Specs are written in
TensorFlow's REGISTER_OP notation, e.g. ``"x: T"``, ``"values: N * T"``,
``"ref: Ref(T)"``, ``"T: {float, double} = DT_FLOAT"``, ``"N: int >= 1"``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from plano import dtypes
from plano.framework.tensor_shape import TensorShape
from plano.v1 import attr_value_pb2, types_pb2

_REQUIRED = object()

_TYPE_NAMES = {
    "half": dtypes.float16, "float16": dtypes.float16, "float": dtypes.float32,
    "float32": dtypes.float32, "double": dtypes.float64, "float64": dtypes.float64,
    "int8": dtypes.int8, "int16": dtypes.int16, "int32": dtypes.int32, "int64": dtypes.int64,
    "uint8": dtypes.uint8, "uint16": dtypes.uint16, "uint32": dtypes.uint32,
    "uint64": dtypes.uint64, "bool": dtypes.bool, "string": dtypes.string,
    "resource": dtypes.resource,
}
_TYPE_GROUPS = {
    "numbertype": ("half", "float", "double", "int8", "int16", "int32", "int64", "uint8",
                   "uint16", "uint32", "uint64"),
    "realnumbertype": ("half", "float", "double", "int8", "int16", "int32", "int64", "uint8",
                       "uint16", "uint32", "uint64"),
    "floattype": ("half", "float", "double"),
    "inttype": ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
}


@dataclass(frozen=True)
class ArgSpec:
    """One input or output: its dtype comes from a type attr or is fixed; N * T is a list."""

    name: str
    type_attr: str | None = None
    fixed_type: dtypes.DType | None = None
    number_attr: str | None = None
    is_ref: bool = False


@dataclass(frozen=True)
class AttrSpec:
    name: str
    kind: str  # type, int, float, bool, string, shape, tensor, func, list(<kind>)
    default: object = _REQUIRED
    allowed: tuple = ()  # allowed dtypes for a type attr, allowed strings for a string attr
    minimum: int | None = None

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclass
class OpDef:
    name: str
    inputs: list[ArgSpec]
    outputs: list[ArgSpec]
    attrs: dict[str, AttrSpec]
    shape_fn: Callable | None = None
    stateful: bool = False
    doc: str = ""
    extra: dict = field(default_factory=dict)


REGISTRY: dict[str, OpDef] = {}


def register_op(name: str, *, inputs=(), outputs=(), attrs=(), shape_fn=None,
                stateful: bool = False, doc: str = "") -> OpDef:
    """Declares an op once; raises if the name is taken (one op, one home)."""
    if name in REGISTRY:
        raise ValueError(f"Op {name!r} is already registered")
    op_def = OpDef(name, [parse_arg(s) for s in inputs], [parse_arg(s) for s in outputs],
                   {a.name: a for a in (parse_attr(s) for s in attrs)}, shape_fn, stateful, doc)
    for arg in op_def.inputs + op_def.outputs:
        for attr in (arg.type_attr, arg.number_attr):
            if attr is not None and attr not in op_def.attrs:
                raise ValueError(f"Op {name}: arg {arg.name!r} uses undeclared attr {attr!r}")
    REGISTRY[name] = op_def
    return op_def


_ARG_RE = re.compile(r"^(\w+)\s*:\s*(?:(\w+)\s*\*\s*)?(Ref\((\w+)\)|\w+)$")


def parse_arg(spec: str) -> ArgSpec:
    m = _ARG_RE.match(spec.strip())
    if not m:
        raise ValueError(f"Bad arg spec {spec!r}")
    name, number_attr, type_part, ref_inner = m.groups()
    is_ref = ref_inner is not None
    type_name = ref_inner if is_ref else type_part
    if type_name in _TYPE_NAMES:
        return ArgSpec(name, None, _TYPE_NAMES[type_name], number_attr, is_ref)
    return ArgSpec(name, type_name, None, number_attr, is_ref)


_ATTR_RE = re.compile(r"^(\w+)\s*:\s*((?:[^=>]|>=)+?)\s*(?:=\s*(.+))?$")


def parse_attr(spec: str) -> AttrSpec:
    m = _ATTR_RE.match(spec.strip())
    if not m:
        raise ValueError(f"Bad attr spec {spec!r}")
    name, kind, default_text = m.groups()
    allowed: tuple = ()
    minimum = None
    if kind.startswith("{"):
        items = [i.strip() for i in kind.strip("{} ").split(",")]
        if items[0].startswith("'"):
            allowed, kind = tuple(i.strip("'").encode() for i in items), "string"
        else:
            names = [n for i in items for n in _TYPE_GROUPS.get(i, (i,))]
            allowed, kind = tuple(_TYPE_NAMES[n] for n in names), "type"
    elif kind in _TYPE_GROUPS:
        allowed, kind = tuple(_TYPE_NAMES[n] for n in _TYPE_GROUPS[kind]), "type"
    elif ">=" in kind:
        kind, low = (p.strip() for p in kind.split(">="))
        minimum = int(low)
    default = _REQUIRED if default_text is None else _parse_default(kind, default_text.strip())
    return AttrSpec(name, kind, default, allowed, minimum)


def _parse_default(kind: str, text: str):
    if kind == "type":
        return dtypes.from_enum(types_pb2.DataType.Value(text))
    if kind == "bool":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "string":
        return text.strip("'\"").encode()
    if kind == "shape":
        return TensorShape(None) if text == "<unknown>" else TensorShape(eval_list(text))
    if kind.startswith("list("):
        return eval_list(text)
    raise ValueError(f"No default syntax for attr kind {kind}")


def eval_list(text: str) -> list:
    inner = text.strip()[1:-1].strip()
    if not inner:
        return []
    return [int(x) if re.fullmatch(r"-?\d+", x.strip()) else float(x) for x in inner.split(",")]


# ---------------------------------------------------------------- attr values

def attr_to_proto(kind: str, value) -> attr_value_pb2.AttrValue:
    """A Python attr value (as Operation.get_attr returns it) -> AttrValue."""
    from plano import codec

    if kind.startswith("list("):
        inner = kind[5:-1]
        lv = attr_value_pb2.AttrValue.ListValue()
        if inner == "int":
            lv.i.extend(int(v) for v in value)
        elif inner == "float":
            lv.f.extend(float(v) for v in value)
        elif inner == "bool":
            lv.b.extend(bool(v) for v in value)
        elif inner == "string":
            lv.s.extend(_as_bytes(v) for v in value)
        elif inner == "type":
            lv.type.extend(dtypes.as_dtype(v).as_datatype_enum for v in value)
        elif inner == "shape":
            lv.shape.extend(TensorShape(v).as_proto() for v in value)
        elif inner == "tensor":
            lv.tensor.extend(codec.encode(np.asarray(v)) for v in value)
        else:
            raise ValueError(f"Unsupported attr kind {kind}")
        return attr_value_pb2.AttrValue(list=lv)
    if kind == "type":
        return attr_value_pb2.AttrValue(type=dtypes.as_dtype(value).as_datatype_enum)
    if kind == "int":
        return attr_value_pb2.AttrValue(i=int(value))
    if kind == "float":
        return attr_value_pb2.AttrValue(f=float(value))
    if kind == "bool":
        return attr_value_pb2.AttrValue(b=bool(value))
    if kind == "string":
        return attr_value_pb2.AttrValue(s=_as_bytes(value))
    if kind == "shape":
        return attr_value_pb2.AttrValue(shape=TensorShape(value).as_proto())
    if kind == "tensor":
        return attr_value_pb2.AttrValue(tensor=codec.encode(np.asarray(value)))
    raise ValueError(f"Unsupported attr kind {kind}")


def _as_bytes(v) -> bytes:
    return v.encode() if isinstance(v, str) else bytes(v)


_ONEOF_FOR_KIND = {"type": "type", "int": "i", "float": "f", "bool": "b", "string": "s",
                   "shape": "shape", "tensor": "tensor", "func": "func"}


class AttrError(ValueError):
    """An attr value whose wire type does not match its declaration."""


def attr_from_proto(kind: str, proto: attr_value_pb2.AttrValue, what: str = "attr"):
    """AttrValue -> Python value; AttrError if the value is not of the declared kind."""
    from plano import codec

    case = proto.WhichOneof("value")
    if kind.startswith("list("):
        inner = kind[5:-1]
        if case is None:
            return []
        if case != "list":
            raise AttrError(f"{what} must be a list({inner}), got an AttrValue with '{case}' set")
        lv = proto.list
        if inner == "int":
            return [int(v) for v in lv.i]
        if inner == "float":
            return [float(v) for v in lv.f]
        if inner == "bool":
            return [bool(v) for v in lv.b]
        if inner == "string":
            return [bytes(v) for v in lv.s]
        if inner == "type":
            return [_dtype_or_error(v, what) for v in lv.type]
        if inner == "shape":
            return [TensorShape(v) for v in lv.shape]
        if inner == "tensor":
            return [codec.decode(v, what) for v in lv.tensor]
        raise AttrError(f"{what}: unsupported list kind {inner}")
    expected = _ONEOF_FOR_KIND[kind]
    if case != expected:
        raise AttrError(f"{what} must be of type '{kind}', got an AttrValue with "
                        f"{'nothing' if case is None else repr(case)} set")
    if kind == "type":
        return _dtype_or_error(proto.type, what)
    if kind == "shape":
        return TensorShape(proto.shape)
    if kind == "tensor":
        return codec.decode(proto.tensor, what)
    if kind == "string":
        return bytes(proto.s)
    return getattr(proto, expected)


def _dtype_or_error(enum: int, what: str) -> dtypes.DType:
    try:
        return dtypes.from_enum(enum)
    except TypeError:
        raise AttrError(f"{what}: unknown DataType enum value {enum}") from None


# ---------------------------------------------------------------- type resolution

def output_dtypes(op_def: OpDef, attrs: dict) -> list[dtypes.DType]:
    """The dtype of each output, given the node's attrs (lists expand by their number attr)."""
    out = []
    for arg in op_def.outputs:
        dtype = arg.fixed_type if arg.fixed_type is not None else attrs[arg.type_attr]
        if arg.is_ref:
            dtype = dtypes.as_dtype(dtype.base_dtype.as_datatype_enum + 100)
        count = attrs[arg.number_attr] if arg.number_attr else 1
        out.extend([dtype] * count)
    return out


def expected_input_dtypes(op_def: OpDef, attrs: dict) -> list[tuple[str, dtypes.DType, bool]]:
    """(arg name, dtype, is_ref) for each input tensor, lists expanded."""
    out = []
    for arg in op_def.inputs:
        dtype = arg.fixed_type if arg.fixed_type is not None else attrs[arg.type_attr]
        count = attrs[arg.number_attr] if arg.number_attr else 1
        out.extend([(arg.name, dtype, arg.is_ref)] * count)
    return out


def check_attr_value(op_name: str, node_name: str, spec: AttrSpec, value) -> None:
    """Allowed-set and minimum checks shared by the client and the server."""
    where = f"attr '{spec.name}' of node '{node_name}' (op: '{op_name}')"
    if spec.kind == "type" and spec.allowed and value.base_dtype not in spec.allowed:
        allowed = ", ".join(t.name for t in spec.allowed)
        raise TypeError(f"Value for {where} has DataType {value.base_dtype.name} not in list "
                        f"of allowed values: {allowed}")
    if spec.kind == "string" and spec.allowed and value not in spec.allowed:
        allowed = ", ".join(repr(a.decode()) for a in spec.allowed)
        raise ValueError(f"Value for {where} is {value.decode()!r}, expected one of {allowed}")
    if spec.minimum is not None and spec.kind == "int" and value < spec.minimum:
        raise ValueError(f"Value for {where} is {value}, must be at least {spec.minimum}")
