"""Data types as tf.compat.v1 names them, each tied to its wire enum and numpy dtype."""
from __future__ import annotations

import builtins

import numpy as np

from plano.v1 import types_pb2


class DType:
    """A tensor element type: `plano.float32` and friends.

    `as_numpy_dtype` is the numpy type kernels compute in; `as_datatype_enum` is
    the value that travels in a GraphDef (TensorFlow's numbering).
    """

    __slots__ = ("name", "as_datatype_enum", "as_numpy_dtype", "is_floating", "is_integer",
                 "is_bool", "is_ref")

    def __init__(self, name: str, enum: int, np_type, *, is_ref: bool = False):
        self.name = name
        self.as_datatype_enum = enum
        self.as_numpy_dtype = np_type
        kind = np.dtype(np_type).kind if np_type is not None else "V"
        self.is_floating = kind == "f"
        self.is_integer = kind in "iu"
        self.is_bool = kind == "b"
        self.is_ref = is_ref

    @property
    def base_dtype(self) -> "DType":
        return _BY_ENUM[self.as_datatype_enum - 100] if self.is_ref else self

    @property
    def real_dtype(self) -> "DType":
        return self

    @property
    def is_numeric(self) -> bool:
        return self.is_floating or self.is_integer

    @property
    def is_unsigned(self) -> bool:
        return self.is_integer and np.dtype(self.as_numpy_dtype).kind == "u"

    @property
    def size(self) -> int:
        return np.dtype(self.as_numpy_dtype).itemsize

    @property
    def min(self):
        return _limits(self).min

    @property
    def max(self):
        return _limits(self).max

    def is_compatible_with(self, other) -> bool:
        return as_dtype(other).base_dtype is self.base_dtype

    def __repr__(self) -> str:
        return f"plano.{self.name}"

    def __eq__(self, other) -> bool:
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __hash__(self) -> int:
        return self.as_datatype_enum

    def __reduce__(self):
        return as_dtype, (self.name,)


def _limits(dtype: DType):
    if dtype.is_floating:
        return np.finfo(dtype.as_numpy_dtype)
    if dtype.is_integer:
        return np.iinfo(dtype.as_numpy_dtype)
    raise TypeError(f"{dtype!r} has no min/max")


float16 = half = DType("float16", types_pb2.DT_HALF, np.float16)
float32 = DType("float32", types_pb2.DT_FLOAT, np.float32)
float64 = double = DType("float64", types_pb2.DT_DOUBLE, np.float64)
int8 = DType("int8", types_pb2.DT_INT8, np.int8)
int16 = DType("int16", types_pb2.DT_INT16, np.int16)
int32 = DType("int32", types_pb2.DT_INT32, np.int32)
int64 = DType("int64", types_pb2.DT_INT64, np.int64)
uint8 = DType("uint8", types_pb2.DT_UINT8, np.uint8)
uint16 = DType("uint16", types_pb2.DT_UINT16, np.uint16)
uint32 = DType("uint32", types_pb2.DT_UINT32, np.uint32)
uint64 = DType("uint64", types_pb2.DT_UINT64, np.uint64)
bool = DType("bool", types_pb2.DT_BOOL, np.bool_)  # noqa: A001 - TF's name
string = DType("string", types_pb2.DT_STRING, np.object_)
resource = DType("resource", types_pb2.DT_RESOURCE, np.object_)

_VALUE_TYPES = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
                uint64, bool, string, resource]
_BY_ENUM = {t.as_datatype_enum: t for t in _VALUE_TYPES}
for _t in _VALUE_TYPES:
    _ref = DType(_t.name + "_ref", _t.as_datatype_enum + 100, _t.as_numpy_dtype, is_ref=True)
    _BY_ENUM[_ref.as_datatype_enum] = _ref
_BY_NAME = {t.name: t for t in _BY_ENUM.values()}
_BY_NAME.update({"half": float16, "double": float64, "float": float32})
_BY_NUMPY = {np.dtype(t.as_numpy_dtype): t for t in _VALUE_TYPES
             if t is not string and t is not resource}
_BY_NUMPY[np.dtype(np.object_)] = string
_PY_TYPES = {float: float32, int: int32, builtins.bool: bool, bytes: string, str: string}


def as_dtype(value) -> DType:
    """Converts a DType, wire enum, name, numpy dtype or Python type to a DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, builtins.bool):
        if int(value) in _BY_ENUM:
            return _BY_ENUM[int(value)]
        raise TypeError(f"Unsupported DataType enum value {int(value)}")
    if isinstance(value, str):
        if value in _BY_NAME:
            return _BY_NAME[value]
        raise TypeError(f"Unknown dtype name {value!r}")
    if value in _PY_TYPES:
        return _PY_TYPES[value]
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a plano DType") from None
    if np_dtype.kind in "SU":
        return string
    if np_dtype in _BY_NUMPY:
        return _BY_NUMPY[np_dtype]
    raise TypeError(f"Unsupported numpy dtype {np_dtype}")


def from_enum(enum: int) -> DType:
    return as_dtype(int(enum))


DTYPES = tuple(_VALUE_TYPES)
