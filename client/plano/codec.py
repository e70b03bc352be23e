"""numpy arrays <-> TensorProto: raw little-endian tensor_content out, every field in.

TensorFlow writes small constants with the typed `*_val` fields and lets a
single value fill the whole shape; both are decoded here. Only plain data
types are decoded: nothing from the wire is unpickled.
"""
from __future__ import annotations

import math

import numpy as np

from plano import dtypes, errors
from plano.v1 import tensor_pb2, tensor_shape_pb2, types_pb2

# Largest tensor that a shape plus fewer values (TF's fill rule) may expand to.
MAX_FILL_BYTES = 2**31

_VAL_FIELD = {
    types_pb2.DT_FLOAT: "float_val", types_pb2.DT_DOUBLE: "double_val",
    types_pb2.DT_INT32: "int_val", types_pb2.DT_INT16: "int_val", types_pb2.DT_INT8: "int_val",
    types_pb2.DT_UINT8: "int_val", types_pb2.DT_UINT16: "int_val",
    types_pb2.DT_INT64: "int64_val", types_pb2.DT_BOOL: "bool_val",
    types_pb2.DT_HALF: "half_val", types_pb2.DT_STRING: "string_val",
    types_pb2.DT_UINT32: "uint32_val", types_pb2.DT_UINT64: "uint64_val",
}


def shape_proto(shape) -> tensor_shape_pb2.TensorShapeProto:
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in shape])


def to_numpy(value, dtype: dtypes.DType | None = None) -> np.ndarray:
    """A Python value or array -> ndarray of a plano dtype (strings as bytes objects)."""
    if dtype is not None and dtype.base_dtype is dtypes.string or (
            dtype is None and _is_text(value)):
        arr = np.array(value, dtype=object)
        flat = [v.encode() if isinstance(v, str) else v for v in arr.reshape(-1)]
        for v in flat:
            if not isinstance(v, bytes):
                raise TypeError("Expected bytes or str for a string tensor, got "
                                f"{type(v).__name__}")
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = flat if flat else []
        return out
    if dtype is None:
        arr = np.asarray(value)
        if arr.dtype == np.float64 and not isinstance(value, np.ndarray) and \
                not isinstance(value, np.generic):
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64 and not isinstance(value, (np.ndarray, np.generic)):
            arr = arr.astype(np.int32) if _fits_int32(arr) else arr
        return arr
    return np.asarray(value, dtype=dtype.base_dtype.as_numpy_dtype)


def _is_text(value) -> bool:
    if isinstance(value, (bytes, str)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "SUO"
    if isinstance(value, (list, tuple)) and value:
        return _is_text(value[0])
    return False


def _fits_int32(arr: np.ndarray) -> bool:
    return arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31)


def dtype_of(arr: np.ndarray) -> dtypes.DType:
    return dtypes.as_dtype(arr.dtype)


def encode(arr: np.ndarray) -> tensor_pb2.TensorProto:
    """ndarray -> TensorProto with raw little-endian tensor_content (strings: string_val)."""
    return encode_into(tensor_pb2.TensorProto(), arr)


def encode_into(proto: tensor_pb2.TensorProto, arr) -> tensor_pb2.TensorProto:
    """Fills an empty TensorProto in place (e.g. a field of a request: no message copy)."""
    arr = to_little_endian(np.asarray(arr))
    dtype = dtypes.as_dtype(arr.dtype)
    proto.dtype = dtype.as_datatype_enum
    proto.tensor_shape.SetInParent()  # present even for a scalar, as shape_proto(()) is
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=d)
    if dtype is dtypes.string:
        proto.string_val.extend(v.encode() if isinstance(v, str) else bytes(v)
                                for v in arr.reshape(-1))
    else:
        proto.tensor_content = arr.tobytes()
    return proto


def to_little_endian(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.byteorder == ">":
        return arr.astype(arr.dtype.newbyteorder("<"))
    return np.asarray(arr, order="C")  # not ascontiguousarray: it makes 0-d arrays 1-d


# wire enum -> (DType, numpy dtype), for the value types (looked up once per tensor)
_WIRE_KINDS = {t.as_datatype_enum: (t, np.dtype(t.as_numpy_dtype)) for t in dtypes.DTYPES}


def wire_dtype(enum: int, what: str) -> tuple[dtypes.DType, np.dtype]:
    """The DType and numpy dtype of a tensor arriving with dtype `enum`; InvalidArgumentError
    naming `what` for an unknown enum or a resource (handles never travel)."""
    kinds = _WIRE_KINDS.get(enum)
    if kinds is None:
        raise errors.InvalidArgumentError(None, None, f"{what}: unsupported dtype enum {enum}")
    if kinds[0] is dtypes.resource:
        raise errors.InvalidArgumentError(None, None, f"{what}: resource tensors cannot be sent")
    return kinds


def decode(proto: tensor_pb2.TensorProto, what: str = "tensor", writable: bool = True,
           server_limit: int | None = None) -> np.ndarray:
    """TensorProto -> ndarray; `what` names the tensor in the InvalidArgumentError on bad bytes.
    With writable=False, raw content is returned as a read-only view (one copy fewer). A
    server passes its per-tensor byte limit: the declared size is checked before anything
    is allocated (one typed value may fill a huge shape)."""
    dtype, np_dtype = wire_dtype(proto.dtype, what)
    shape = decode_shape(proto.tensor_shape, what)
    count = math.prod(shape)  # Python ints: no int64 overflow on absurd shapes
    nbytes = count * np_dtype.itemsize
    if server_limit is not None and nbytes > server_limit:
        raise errors.ResourceExhaustedError(
            None, None, f"{what}: declared shape {list(shape)} needs {nbytes} bytes, over this "
            f"server's limit of {server_limit} bytes per tensor")
    content = proto.tensor_content  # each read of a bytes field copies it: read once
    if content:
        if dtype is dtypes.string:
            raise errors.InvalidArgumentError(
                None, None, f"{what}: string tensors use string_val, not tensor_content")
        if len(content) != nbytes:
            raise errors.InvalidArgumentError(
                None, None, f"{what}: tensor_content has {len(content)} bytes but "
                f"dtype {dtype.name} and shape {list(shape)} need {nbytes}")
        view = np.frombuffer(content, dtype=np_dtype.newbyteorder("<")).reshape(shape)
        if writable or view.dtype != np_dtype:
            return view.astype(np_dtype, copy=True)
        return view
    return _decode_vals(proto, dtype, shape, count, what)


def _decode_vals(proto, dtype, shape, count, what) -> np.ndarray:
    field = _VAL_FIELD.get(dtype.as_datatype_enum)
    vals = getattr(proto, field) if field else ()
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    if dtype is dtypes.string:
        flat = np.empty(len(vals), dtype=object)
        flat[:] = list(vals)
    elif dtype is dtypes.float16:
        flat = np.array(vals, dtype=np.int32).astype(np.uint16).view(np.float16)
    else:
        try:
            flat = np.array(list(vals), dtype=np_dtype)  # list: numpy then checks the range
        except OverflowError:
            raise errors.InvalidArgumentError(
                None, None, f"{what}: a value in {field} is out of range for "
                f"{dtype.name}") from None
    if len(flat) == count:
        return flat.reshape(shape)
    if len(flat) < count:
        _check_fill_size(dtype, shape, count, len(flat), what)
    if len(flat) == 0:
        return np.zeros(shape, dtype=np_dtype) if dtype is not dtypes.string else \
            np.full(shape, b"", dtype=object)
    if len(flat) < count:
        # TF's rule: the values given fill the front, the last one repeats.
        out = np.empty(count, dtype=np_dtype)
        out[:len(flat)] = flat
        out[len(flat):] = flat[-1]
        return out.reshape(shape)
    raise errors.InvalidArgumentError(
        None, None, f"{what}: {len(flat)} values given for dtype {dtype.name} and shape "
        f"{list(shape)}, which holds {count}")


def _check_fill_size(dtype, shape, count: int, given: int, what: str) -> None:
    """A few bytes on the wire may fill a huge shape; refuse before allocating it."""
    itemsize = 8 if dtype is dtypes.string else np.dtype(dtype.as_numpy_dtype).itemsize
    nbytes = count * itemsize
    if nbytes > MAX_FILL_BYTES:
        raise errors.ResourceExhaustedError(
            None, None, f"{what}: filling shape {list(shape)} of {dtype.name} from {given} "
            f"value(s) needs {nbytes} bytes, over the limit of {MAX_FILL_BYTES}")


def decode_shape(shape_proto, what: str = "tensor") -> tuple:
    if shape_proto.unknown_rank:
        raise errors.InvalidArgumentError(None, None, f"{what}: a tensor value needs a known shape")
    dims = tuple([d.size for d in shape_proto.dim])
    if dims and min(dims) < 0:
        raise errors.InvalidArgumentError(
            None, None, f"{what}: a tensor value has a negative dimension in shape {list(dims)}")
    return dims
