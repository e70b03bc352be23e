"""plano_server.step_reader: a repeated step request is read through its template and gives
what the full parse gives; everything else takes the full parse, with its checks."""
import numpy as np
import pytest

from plano import errors, framing
from plano.v1 import session_service_pb2 as pb
from plano_server import step_reader
from plano_server.kernels import limits

HANDLE = "0123456789abcdef" * 2


def _request(feeds: dict, handle: str = HANDLE, **fields) -> bytes:
    head = pb.RunStepRequest(session_handle=handle, fetch=["y:0"], target=["t"],
                             store_errors_in_response_body=True, **fields)
    return b"".join([head.SerializeToString(),
                     *[part for name, value in feeds.items()
                       for part in framing.named_tensor_field(framing.STEP_FEED, name, value)]])


def test_the_second_request_is_read_through_the_template_of_the_first():
    reader = step_reader.run_step_reader()
    first = reader.parse(_request({"x:0": np.arange(4, dtype=np.float32)}))
    assert not first.templated
    np.testing.assert_array_equal(reader.feeds(first), [np.arange(4, dtype=np.float32)])
    second = reader.parse(_request({"x:0": np.full(4, 9, np.float32)}))
    assert second.templated and second.call == first.call
    assert second.call == step_reader.StepCall(HANDLE, ("x:0",), ("y:0",), ("t",), 0, 0, "",
                                               True, "")
    (value,) = reader.feeds(second)
    np.testing.assert_array_equal(value, np.full(4, 9, np.float32))
    assert value.dtype == np.float32 and not value.flags.writeable
    assert second.size == len(_request({"x:0": np.full(4, 9, np.float32)}))


def test_the_client_id_a_step_carries_is_part_of_its_call():
    reader = step_reader.run_step_reader()
    for value in (1.0, 2.0):
        read = reader.parse(_request({"x:0": np.full(2, value, np.float32)}, client_id="c" * 32))
        reader.feeds(read)
    assert read.templated and read.call.client_id == "c" * 32


def test_a_feed_that_does_not_decode_names_itself_and_leaves_no_template(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TENSOR_BYTES", 64)
    reader = step_reader.run_step_reader()
    raw = _request({"big:0": np.zeros(32, np.float32)})
    for _ in range(2):
        read = reader.parse(raw)
        assert not read.templated and read.store_errors_in_response_body
        with pytest.raises(errors.ResourceExhaustedError, match="Feed 'big:0'.*limit of 64"):
            reader.feeds(read)


def test_a_different_shape_takes_the_full_parse_and_gets_its_own_template():
    reader = step_reader.run_step_reader()
    for shape in [(4,), (2, 2), (4,), (2, 2)]:
        read = reader.parse(_request({"x:0": np.ones(shape, np.float32)}))
        assert reader.feeds(read)[0].shape == shape
    assert read.templated


def test_requests_with_uploads_or_an_early_first_feed_get_no_template():
    reader = step_reader.run_step_reader()
    value = {"x:0": np.ones(3, np.float32)}
    for raw in (_request(value, upload_handle="u" * 32), _request(value, handle="h")):
        for _ in range(2):
            read = reader.parse(raw)
            reader.feeds(read)
            assert not read.templated


def test_callable_requests_are_read_positionally():
    reader = step_reader.run_callable_reader()
    values = [np.arange(3, dtype=np.int32), np.ones((2, 2))]
    head = pb.RunCallableRequest(session_handle=HANDLE, handle=5,
                                 store_errors_in_response_body=True).SerializeToString()
    for scale in (1, 3):
        raw = b"".join([head, *[part for v in values
                                for part in framing.tensor_field(framing.CALLABLE_FEED,
                                                                 v * scale)]])
        read = reader.parse(raw)
        got = reader.feeds(read)
    assert read.templated and read.call.callable_handle == 5
    for g, v in zip(got, values):
        np.testing.assert_array_equal(g, v * 3)
