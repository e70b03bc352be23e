"""plano.wire_templates: a message read through a template gives exactly what protobuf's full
parse gives, and a message a template cannot stand for gets none."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from plano import codec, framing, wire_templates
from plano.v1 import session_service_pb2 as pb
from plano.v1 import tensor_pb2

HEAD = pb.RunStepRequest(session_handle="s" * 32, fetch=["y:0"], target=["train"],
                         store_errors_in_response_body=True).SerializeToString()


def _step_request(feeds: dict, head: bytes = HEAD) -> bytes:
    return b"".join([head, *[part for name, value in feeds.items()
                             for part in framing.named_tensor_field(framing.STEP_FEED, name,
                                                                    value)]])


def _template(raw: bytes, path=wire_templates.RUN_STEP_FEEDS):
    message = pb.RunStepRequest.FromString(raw) if path == wire_templates.RUN_STEP_FEEDS \
        else pb.RunCallableRequest.FromString(raw)
    protos = [nt.tensor for nt in message.feed] if path == wire_templates.RUN_STEP_FEEDS \
        else list(message.feed)
    return wire_templates.make_template(raw, path, [(p, codec.decode(p)) for p in protos])


def test_holes_are_the_contents_of_each_feed_in_order():
    a, b = np.arange(6, dtype=np.float32).reshape(2, 3), np.array([7, 8], np.int64)
    raw = _step_request({"a:0": a, "b:0": b})
    holes = wire_templates.content_holes(raw, wire_templates.RUN_STEP_FEEDS)
    assert [raw[o:o + n] for o, n in holes] == [a.tobytes(), b.tobytes()]


def test_holes_are_found_in_protobuf_serialized_messages_too():
    message = pb.RunCallableRequest(session_handle="h" * 32, handle=3,
                                    feed=[codec.encode(np.ones(5, np.float64))])
    raw = message.SerializeToString()
    (offset, length), = wire_templates.content_holes(raw, wire_templates.RUN_CALLABLE_FEEDS)
    assert raw[offset:offset + length] == np.ones(5).tobytes()


@given(st.lists(hnp.arrays(st.sampled_from([np.float32, np.float64, np.int32, np.uint8,
                                            np.bool_, np.float16]),
                           hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=40)),
                min_size=1, max_size=3), st.data())
def test_a_matching_request_reads_as_protobuf_parses_it(first, data):
    feeds = {f"in{i}:0": v for i, v in enumerate(first)}
    template = _template(_step_request(feeds))
    again = {name: data.draw(hnp.arrays(v.dtype, v.shape)) for name, v in feeds.items()}
    raw = _step_request(again)
    assert template.matches(raw)
    parsed = [codec.decode(nt.tensor) for nt in pb.RunStepRequest.FromString(raw).feed]
    for got, want in zip(template.tensors(raw), parsed):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable


@pytest.mark.parametrize("change", ["fetch", "session", "dtype of the same size", "shape",
                                    "name", "one byte of the head", "longer"])
def test_a_request_that_differs_outside_the_contents_does_not_match(change):
    value = np.arange(4, dtype=np.float32)
    template = _template(_step_request({"x:0": value}))
    head, feeds = HEAD, {"x:0": value}
    if change == "fetch":
        head = pb.RunStepRequest(session_handle="s" * 32, fetch=["z:0"], target=["train"],
                                 store_errors_in_response_body=True).SerializeToString()
    elif change == "session":
        head = HEAD.replace(b"s" * 32, b"t" * 32)
    elif change == "dtype of the same size":
        feeds = {"x:0": value.view(np.int32)}
    elif change == "shape":
        feeds = {"x:0": value.reshape(2, 2)}
    elif change == "name":
        feeds = {"q:0": value}
    elif change == "one byte of the head":
        head = HEAD[:-1] + bytes([HEAD[-1] ^ 1])
    else:
        feeds = {"x:0": value, "extra:0": value}
    assert not template.matches(_step_request(feeds, head))


def _named(name: bytes, tensor: bytes) -> bytes:
    inner = b"\x0a" + framing.varint(len(name)) + name + b"\x12" + framing.varint(
        len(tensor)) + tensor
    return b"\x12" + framing.varint(len(inner)) + inner


def test_no_holes_where_protobuf_would_merge_or_override():
    tensor = codec.encode(np.ones(2, np.float32)).SerializeToString()
    # a second tensor_content in one TensorProto (protobuf keeps the last one)
    twice = tensor + b"\x22\x08" + np.zeros(2, np.float32).tobytes()
    assert wire_templates.content_holes(HEAD + _named(b"x:0", twice),
                                        wire_templates.RUN_STEP_FEEDS) is None
    # a NamedTensorProto with its tensor field twice (protobuf merges them)
    doubled = _named(b"x:0", tensor)[2:] + b"\x12" + framing.varint(len(tensor)) + tensor
    raw = HEAD + b"\x12" + framing.varint(len(doubled)) + doubled
    assert pb.RunStepRequest.FromString(raw).feed[0].tensor.tensor_content
    assert wire_templates.content_holes(raw, wire_templates.RUN_STEP_FEEDS) is None


@pytest.mark.parametrize("raw", [HEAD[:-1] + b"\x80",  # a varint that never ends
                                 HEAD + b"\x13\x14",  # a group
                                 HEAD + b"\x00\x01",  # field number 0
                                 HEAD + b"\x12\x40abc"])  # a length past the end
def test_malformed_messages_get_no_holes(raw):
    assert wire_templates.content_holes(raw, wire_templates.RUN_STEP_FEEDS) is None


def test_a_tensor_without_content_gets_no_template():
    for value in (np.zeros(0, np.float32), np.array([b"a", b"bc"], dtype=object)):
        assert _template(_step_request({"x:0": value})) is None
    typed = tensor_pb2.TensorProto(dtype=1, float_val=[1.0, 2.0])
    typed.tensor_shape.dim.add(size=2)
    raw = HEAD + _named(b"x:0", typed.SerializeToString())
    assert wire_templates.make_template(raw, wire_templates.RUN_STEP_FEEDS,
                                        [(typed, codec.decode(typed))]) is None


def test_a_message_with_many_fixed_bytes_gets_no_template():
    names = {f"{'n' * 300}{i}:0": np.ones(1, np.float32) for i in range(20)}
    assert _template(_step_request(names)) is None


def test_reply_templates_read_step_and_callable_results():
    value = np.arange(3, dtype=np.int64)
    raw = b"".join(framing.named_tensor_field(framing.STEP_RESULT, "y:0", value))
    protos = [t.tensor for t in pb.RunStepResponse.FromString(raw).tensor]
    template = wire_templates.make_template(raw, wire_templates.STEP_RESULTS,
                                            [(p, codec.decode(p)) for p in protos])
    new = b"".join(framing.named_tensor_field(framing.STEP_RESULT, "y:0", value * 5))
    assert template.matches(new)
    np.testing.assert_array_equal(template.tensors(new)[0], value * 5)
    error = pb.RunStepResponse(status_code=3, status_error_message="x" * (len(raw) - 4))
    assert not template.matches(error.SerializeToString())
    raw = b"".join(framing.tensor_field(framing.CALLABLE_RESULT, np.float32(2)))
    proto = pb.RunCallableResponse.FromString(raw).fetch[0]
    template = wire_templates.make_template(raw, wire_templates.CALLABLE_RESULTS,
                                            [(proto, codec.decode(proto))])
    assert template.tensors(raw)[0].shape == () and template.tensors(raw)[0] == 2


def test_the_cache_keeps_a_few_templates_per_key_and_a_bounded_total():
    cache = wire_templates.TemplateCache(max_templates=5, per_key=2)
    raws = [_step_request({"x:0": np.ones(n, np.float32)}) for n in range(1, 8)]
    for i, raw in enumerate(raws[:3]):
        cache.add("k", _template(raw), i)
    assert cache.find("k", raws[0]) is None  # the oldest of the key went first
    assert cache.find("k", raws[2])[1] == 2 and cache.find("other", raws[2]) is None
    for i, raw in enumerate(raws[3:], start=3):
        cache.add(i, _template(raw), i)
    assert cache.find(6, raws[6])[1] == 6
    assert cache.find("k", raws[2]) is None  # the total bound cleared the older ones
