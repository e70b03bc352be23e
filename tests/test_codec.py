"""plano.codec: ndarray <-> TensorProto, including the typed *_val fields TensorFlow writes."""
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from plano import codec, dtypes, errors
from plano.v1 import tensor_pb2, tensor_shape_pb2, types_pb2

NUMERIC = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
           np.uint8, np.uint16, np.uint32, np.uint64, np.bool_]


def _roundtrip(arr: np.ndarray) -> np.ndarray:
    wire = codec.encode(arr).SerializeToString()
    return codec.decode(tensor_pb2.TensorProto.FromString(wire))


def _proto(dtype_enum: int, shape, **fields) -> tensor_pb2.TensorProto:
    proto = tensor_pb2.TensorProto(dtype=dtype_enum, tensor_shape=codec.shape_proto(shape))
    for name, values in fields.items():
        if name == "tensor_content":
            proto.tensor_content = values
        else:
            getattr(proto, name).extend(values)
    return proto


@pytest.mark.parametrize("np_type", NUMERIC, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 4), (2, 3, 4)], ids=str)
def test_numeric_roundtrip_every_dtype_and_shape(np_type, shape):
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal(shape) * 50).astype(np_type)
    out = _roundtrip(arr)
    assert out.dtype == np.dtype(np_type)
    assert out.shape == shape
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize("np_type", [t for t in NUMERIC], ids=lambda t: np.dtype(t).name)
def test_encode_writes_raw_little_endian_tensor_content(np_type):
    arr = np.arange(6).reshape(2, 3).astype(np_type)
    proto = codec.encode(arr)
    assert proto.dtype == dtypes.as_dtype(np_type).as_datatype_enum
    assert [d.size for d in proto.tensor_shape.dim] == [2, 3]
    assert proto.tensor_content == arr.astype(np.dtype(np_type).newbyteorder("<")).tobytes()
    assert not proto.float_val and not proto.int_val and not proto.int64_val


def test_big_endian_input_is_written_little_endian():
    arr = np.array([1.5, -2.0], dtype=">f4")
    proto = codec.encode(arr)
    assert proto.tensor_content == struct.pack("<2f", 1.5, -2.0)
    np.testing.assert_array_equal(codec.decode(proto), [1.5, -2.0])


def test_extreme_values_survive():
    for np_type in (np.int64, np.uint64, np.int32, np.uint8, np.int8):
        info = np.iinfo(np_type)
        arr = np.array([info.min, info.max, 0], dtype=np_type)
        np.testing.assert_array_equal(_roundtrip(arr), arr)
    arr = np.array([np.inf, -np.inf, np.nan, -0.0, np.finfo(np.float32).tiny], np.float32)
    out = _roundtrip(arr)
    np.testing.assert_array_equal(out, arr)
    assert np.signbit(out[3])


@pytest.mark.parametrize("value", [
    np.array([b"a", b"", b"\x00\xffbytes"], dtype=object),
    np.array([["x", "yz"], ["", "\u00e9"]]),
    np.array(b"scalar", dtype=object),
    np.empty((0, 2), dtype=object),
], ids=["bytes", "unicode-2d", "scalar", "empty"])
def test_string_roundtrip_uses_string_val(value):
    proto = codec.encode(value)
    assert proto.dtype == types_pb2.DT_STRING
    assert not proto.tensor_content
    out = codec.decode(tensor_pb2.TensorProto.FromString(proto.SerializeToString()))
    assert out.dtype == object and out.shape == value.shape
    expected = [v.encode() if isinstance(v, str) else bytes(v) for v in value.reshape(-1)]
    assert list(out.reshape(-1)) == expected


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(st.sampled_from(NUMERIC), hnp.array_shapes(min_dims=0, max_dims=3,
                                                              min_side=0, max_side=4)))
def test_roundtrip_property(arr):
    out = _roundtrip(arr)
    assert out.dtype == arr.dtype and out.shape == arr.shape
    np.testing.assert_array_equal(out, arr)


def test_decoded_array_is_writable_and_independent_of_proto():
    proto = codec.encode(np.arange(4, dtype=np.int32))
    out = codec.decode(proto)
    out[0] = 99
    np.testing.assert_array_equal(codec.decode(proto), [0, 1, 2, 3])


# ------------------------------------------------------------- typed *_val fields (TF writes them)

@pytest.mark.parametrize("enum, field, values, np_type", [
    (types_pb2.DT_FLOAT, "float_val", [1.5, -2.25, 3.0, 4.0], np.float32),
    (types_pb2.DT_DOUBLE, "double_val", [1e300, -2.5, 0.1, 7.0], np.float64),
    (types_pb2.DT_INT32, "int_val", [1, -2, 2**31 - 1, -2**31], np.int32),
    (types_pb2.DT_INT16, "int_val", [1, -2, 32767, -32768], np.int16),
    (types_pb2.DT_INT8, "int_val", [1, -2, 127, -128], np.int8),
    (types_pb2.DT_UINT8, "int_val", [0, 1, 200, 255], np.uint8),
    (types_pb2.DT_UINT16, "int_val", [0, 1, 60000, 65535], np.uint16),
    (types_pb2.DT_INT64, "int64_val", [2**62, -2**63, 0, 5], np.int64),
    (types_pb2.DT_UINT32, "uint32_val", [0, 2**32 - 1, 7, 8], np.uint32),
    (types_pb2.DT_UINT64, "uint64_val", [0, 2**64 - 1, 7, 8], np.uint64),
    (types_pb2.DT_BOOL, "bool_val", [True, False, False, True], np.bool_),
], ids=lambda v: str(v) if isinstance(v, str) else None)
def test_typed_val_fields_decode(enum, field, values, np_type):
    proto = _proto(enum, (2, 2), **{field: values})
    out = codec.decode(tensor_pb2.TensorProto.FromString(proto.SerializeToString()))
    assert out.dtype == np.dtype(np_type)
    np.testing.assert_array_equal(out, np.array(values, dtype=np_type).reshape(2, 2))


def test_half_val_holds_float16_bit_patterns():
    values = np.array([1.0, -0.5, 65504.0, np.inf], dtype=np.float16)
    proto = _proto(types_pb2.DT_HALF, (4,), half_val=[int(b) for b in values.view(np.uint16)])
    out = codec.decode(proto)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, values)


def test_string_val_decodes_to_bytes_objects():
    out = codec.decode(_proto(types_pb2.DT_STRING, (3,), string_val=[b"a", b"bc", b""]))
    assert out.dtype == object
    assert list(out) == [b"a", b"bc", b""]


@pytest.mark.parametrize("enum, field, value, np_type", [
    (types_pb2.DT_FLOAT, "float_val", 0.5, np.float32),
    (types_pb2.DT_INT32, "int_val", -7, np.int32),
    (types_pb2.DT_INT64, "int64_val", 2**40, np.int64),
    (types_pb2.DT_BOOL, "bool_val", True, np.bool_),
    (types_pb2.DT_DOUBLE, "double_val", 2.5, np.float64),
    (types_pb2.DT_UINT8, "int_val", 9, np.uint8),
    (types_pb2.DT_STRING, "string_val", b"s", object),
])
def test_single_value_fills_the_whole_shape(enum, field, value, np_type):
    """TF writes tf.zeros([3, 4]) / tf.fill as one value plus a shape."""
    out = codec.decode(_proto(enum, (3, 4), **{field: [value]}))
    assert out.shape == (3, 4) and out.dtype == np.dtype(np_type)
    assert all(v == value for v in out.reshape(-1))


def test_single_half_value_fills_the_shape():
    bits = int(np.array(1.5, np.float16).view(np.uint16))
    out = codec.decode(_proto(types_pb2.DT_HALF, (2, 3), half_val=[bits]))
    np.testing.assert_array_equal(out, np.full((2, 3), 1.5, np.float16))


def test_fewer_values_than_elements_repeat_the_last_one():
    """TF's Tensor::FromProto: the values fill the front, the last one repeats."""
    out = codec.decode(_proto(types_pb2.DT_INT32, (5,), int_val=[1, 2]))
    np.testing.assert_array_equal(out, [1, 2, 2, 2, 2])


def test_no_values_means_zeros():
    out = codec.decode(_proto(types_pb2.DT_FLOAT, (2, 2)))
    np.testing.assert_array_equal(out, np.zeros((2, 2), np.float32))
    out = codec.decode(_proto(types_pb2.DT_STRING, (2,)))
    assert list(out) == [b"", b""]


def test_scalar_from_val_field():
    out = codec.decode(_proto(types_pb2.DT_FLOAT, (), float_val=[3.25]))
    assert out.shape == () and out == np.float32(3.25)


def test_tensor_content_takes_precedence_for_every_shape():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    proto = _proto(types_pb2.DT_FLOAT, (3, 4), tensor_content=arr.tobytes())
    np.testing.assert_array_equal(codec.decode(proto), arr)


# ------------------------------------------------------------- malformed protos

def test_tensor_content_size_mismatch_is_invalid_argument():
    proto = _proto(types_pb2.DT_FLOAT, (2, 3), tensor_content=b"\x00" * 20)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"feed 'x:0': tensor_content has 20 bytes but dtype float32 and "
                             r"shape \[2, 3\] need 24"):
        codec.decode(proto, "feed 'x:0'")


def test_tensor_content_for_wrong_dtype_is_invalid_argument():
    """8 bytes are two float32s but a [2] int64 tensor needs 16."""
    proto = _proto(types_pb2.DT_INT64, (2,), tensor_content=np.zeros(2, np.float32).tobytes())
    with pytest.raises(errors.InvalidArgumentError, match=r"has 8 bytes but dtype int64 and "
                                                          r"shape \[2\] need 16"):
        codec.decode(proto)


def test_too_many_values_is_invalid_argument():
    proto = _proto(types_pb2.DT_FLOAT, (2,), float_val=[1, 2, 3])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"3 values given for dtype float32 and shape \[2\], which holds 2"):
        codec.decode(proto)


def test_value_out_of_range_for_dtype_is_invalid_argument():
    proto = _proto(types_pb2.DT_UINT8, (1,), int_val=[300])
    with pytest.raises(errors.InvalidArgumentError, match=r"int_val.*out of range for uint8"):
        codec.decode(proto)


def test_unknown_dtype_enum_is_invalid_argument():
    proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_BFLOAT16)
    with pytest.raises(errors.InvalidArgumentError, match="unsupported dtype enum 14"):
        codec.decode(proto)


def test_negative_dimension_is_invalid_argument():
    proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.
                                   TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(
                                       size=-1)]))
    with pytest.raises(errors.InvalidArgumentError, match=r"negative dimension in shape \[-1\]"):
        codec.decode(proto)


def test_unknown_rank_is_invalid_argument():
    proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT,
                                   tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                       unknown_rank=True))
    with pytest.raises(errors.InvalidArgumentError, match="needs a known shape"):
        codec.decode(proto)


def test_string_in_tensor_content_is_invalid_argument():
    proto = _proto(types_pb2.DT_STRING, (1,), tensor_content=b"abc")
    with pytest.raises(errors.InvalidArgumentError, match="string tensors use string_val"):
        codec.decode(proto)


def test_resource_tensor_is_invalid_argument():
    with pytest.raises(errors.InvalidArgumentError, match="resource tensors cannot be sent"):
        codec.decode(tensor_pb2.TensorProto(dtype=types_pb2.DT_RESOURCE))


# ------------------------------------------------------------- to_numpy (Python values)

def test_to_numpy_python_defaults_match_tf():
    assert codec.to_numpy(1.5).dtype == np.float32
    assert codec.to_numpy([1, 2]).dtype == np.int32
    assert codec.to_numpy(2**40).dtype == np.int64
    assert codec.to_numpy(True).dtype == np.bool_
    assert codec.to_numpy(np.float64(1.5)).dtype == np.float64
    out = codec.to_numpy(["a", b"b"])
    assert out.dtype == object and list(out) == [b"a", b"b"]


def test_to_numpy_string_requires_text():
    with pytest.raises(TypeError, match="Expected bytes or str for a string tensor, got int"):
        codec.to_numpy([1, 2], dtypes.string)


def test_filling_a_huge_shape_is_refused_before_allocating():
    proto = _proto(types_pb2.DT_FLOAT, (2**20, 2**20), float_val=[1.0])
    with pytest.raises(errors.ResourceExhaustedError,
                       match=r"c: filling shape \[1048576, 1048576\] of float32 from 1 value\(s\) "
                             r"needs 4398046511104 bytes, over the limit of 2147483648"):
        codec.decode(proto, "c")


def test_an_absurd_shape_does_not_overflow():
    proto = _proto(types_pb2.DT_INT64, (2**40, 2**40, 2**40))
    with pytest.raises(errors.ResourceExhaustedError, match="over the limit"):
        codec.decode(proto)
    content = _proto(types_pb2.DT_INT8, (2**32, 2**32), tensor_content=b"\x00")
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"tensor_content has 1 bytes but .* need 18446744073709551616"):
        codec.decode(content)
