"""plano.framing: hand-framed step requests parse exactly as the protobuf-built ones."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from plano import codec, framing
from plano.v1 import session_service_pb2 as pb
from plano.v1 import tensor_pb2

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
          np.uint8, np.uint16, np.uint32, np.uint64, np.bool_]


def _framed_tensor(arr) -> bytes:
    """The TensorProto that tensor_field frames, after checking the field's tag and length."""
    framed = b"".join(framing.tensor_field(framing.CALLABLE_FEED, arr))
    assert framed[:1] == framing.CALLABLE_FEED
    end = 1
    while framed[end] >= 0x80:  # the length varint
        end += 1
    body = framed[end + 1:]
    assert framed[1:end + 1] == framing.varint(len(body))
    return body


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 4), (1, 300), (129, 2)])
def test_a_framed_tensor_is_the_bytes_protobuf_writes(dtype, shape):
    arr = (np.arange(int(np.prod(shape))) % 7).astype(dtype).reshape(shape)
    assert _framed_tensor(arr) == codec.encode(arr).SerializeToString()


@pytest.mark.parametrize("value", [np.arange(6, dtype=">f4").reshape(2, 3),
                                   np.arange(12, dtype=np.int32).reshape(3, 4).T,
                                   np.arange(10, dtype=np.float64)[::3]])
def test_big_endian_and_strided_arrays_are_sent_as_little_endian_c_order(value):
    parsed = tensor_pb2.TensorProto.FromString(_framed_tensor(value))
    got = codec.decode(parsed)
    assert got.dtype == value.dtype.newbyteorder("=") and got.shape == value.shape
    np.testing.assert_array_equal(got, value)


def test_string_tensors_go_through_protobuf():
    value = np.array([b"ab", b"", "c\u00e9".encode()], dtype=object)
    assert _framed_tensor(value) == codec.encode(value).SerializeToString()


def test_the_content_is_a_view_of_the_array_not_a_copy():
    value = np.arange(1000, dtype=np.float32)
    content = framing.tensor_field(framing.CALLABLE_FEED, value)[-1]
    assert isinstance(content, memoryview)
    assert np.shares_memory(np.frombuffer(content, np.float32), value)


@given(hnp.arrays(st.sampled_from([np.float32, np.int64, np.uint8, np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=130)),
       st.text(min_size=0, max_size=300))
def test_a_framed_step_request_parses_as_the_protobuf_built_one(value, name):
    head = pb.RunStepRequest(session_handle="s" * 32, fetch=["y:0", "z:1"], target=["t"],
                             store_errors_in_response_body=True)
    framed = b"".join([head.SerializeToString(),
                       *framing.named_tensor_field(framing.STEP_FEED, name, value),
                       *framing.named_tensor_field(framing.STEP_FEED, "second:0",
                                                   value.reshape(-1)[:1])])
    built = pb.RunStepRequest()
    built.CopyFrom(head)
    codec.encode_into(built.feed.add(name=name).tensor, value)
    codec.encode_into(built.feed.add(name="second:0").tensor, value.reshape(-1)[:1])
    assert pb.RunStepRequest.FromString(framed) == built


def test_a_framed_callable_request_parses_as_the_protobuf_built_one():
    values = [np.ones((128, 784), np.float32), np.array(3, np.int32), np.zeros(0, np.int8)]
    head = pb.RunCallableRequest(session_handle="h", handle=7,
                                 store_errors_in_response_body=True)
    framed = b"".join([head.SerializeToString(),
                       *[part for v in values
                         for part in framing.tensor_field(framing.CALLABLE_FEED, v)]])
    built = pb.RunCallableRequest(session_handle="h", handle=7,
                                  store_errors_in_response_body=True,
                                  feed=[codec.encode(v) for v in values])
    assert pb.RunCallableRequest.FromString(framed) == built


@pytest.mark.parametrize("n", [1, 127, 128, 300, 16383, 16384, 2**31, 2**63 - 1])
def test_varint_matches_protobuf(n):
    assert framing.varint(n) == pb.RunStepRequest(request_id=n).SerializeToString()[1:]
    assert framing.varint(0) == b"\x00"


def _parsed_feeds(parts) -> list:
    request = pb.RunStepRequest.FromString(b"".join(parts))
    return [(nt.name, codec.decode(nt.tensor)) for nt in request.feed]


def test_a_cached_field_prefix_carries_each_steps_own_content():
    first, second = np.arange(4, dtype=np.float32), np.arange(4, 8, dtype=np.float32)
    parts = framing.named_tensor_field(framing.STEP_FEED, "x:0", first)
    parts += framing.named_tensor_field(framing.STEP_FEED, "x:0", second)
    (n1, v1), (n2, v2) = _parsed_feeds(parts)
    assert n1 == n2 == "x:0"
    np.testing.assert_array_equal(v1, first)
    np.testing.assert_array_equal(v2, second)


@pytest.mark.parametrize("value", [np.array([b"ab", b"", "c\u00e9".encode()], dtype=object),
                                   np.arange(6, dtype=">i8").reshape(3, 2),
                                   np.zeros((2, 0), np.float32)])
def test_string_big_endian_and_empty_feeds_frame_as_protobuf_does(value):
    for _ in range(2):  # built, then from the cache
        ((name, got),) = _parsed_feeds(framing.named_tensor_field(framing.STEP_FEED, "s:0",
                                                                  value))
        assert name == "s:0" and got.shape == value.shape
        np.testing.assert_array_equal(got, value)


def test_string_fields_parse_as_the_protobuf_built_ones():
    value = np.array([b"ab", "c\u00e9".encode()], dtype=object)
    framed = b"".join([*framing.named_tensor_field(framing.STEP_FEED, "s:0", value),
                       *framing.named_tensor_field(framing.STEP_FEED, "s:0", value)])
    built = pb.RunStepRequest()
    for _ in range(2):
        codec.encode_into(built.feed.add(name="s:0").tensor, value)
    assert pb.RunStepRequest.FromString(framed) == built
    framed = b"".join(framing.tensor_field(framing.CALLABLE_FEED, value))
    assert pb.RunCallableRequest.FromString(framed) == pb.RunCallableRequest(
        feed=[codec.encode(value)])
