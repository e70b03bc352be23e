"""Data chunks are framed by hand (one copy a side) but stay valid TensorChunk messages, so
generated stubs and tools like grpcurl read and write the streams as plain protobuf."""
import grpc
import numpy as np
import pytest

import plano as tf
from plano import codec
from plano.sessions import streaming
from plano.v1 import config_pb2
from plano.v1 import session_service_pb2 as pb


def test_hand_framed_data_chunks_are_protobuf_data_chunks():
    payload = memoryview(np.arange(70000, dtype=np.uint16).view(np.uint8))
    raw = streaming.serialize_chunk(payload)
    assert raw == pb.TensorChunk(data=bytes(payload)).SerializeToString()
    parsed = streaming.parse_chunk(raw)
    assert isinstance(parsed, memoryview) and bytes(parsed) == bytes(payload)
    header = pb.TensorChunk(header=pb.TensorHeader(name="x:0"))
    assert streaming.parse_chunk(header.SerializeToString()) == header


def test_a_generated_stub_downloads_a_large_fetch_as_plain_tensor_chunks(raw_client):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.identity(x, name="y")
    client = raw_client()
    handle = client.create(g.as_graph_def().node)
    value = np.arange(600_000, dtype=np.float32)  # 2.4 MB: over the inline limit
    request = pb.RunStepRequest(session_handle=handle, fetch=["y:0"],
                                store_errors_in_response_body=True)
    request.feed.add(name="x:0", tensor=codec.encode(value))
    response = client.RunStep(request)
    assert response.status_code == pb.OK and response.download_handle
    chunks = list(client.DownloadTensors(pb.DownloadTensorsRequest(
        session_handle=handle, download_handle=response.download_handle,
        store_errors_in_response_body=True)))
    assert all(isinstance(c, pb.TensorChunk) for c in chunks)
    assert chunks[0].header.name == "y:0" and len(chunks) > 2
    assembler = streaming.Assembler()
    for chunk in chunks:
        assembler.add(chunk)
    [(name, got)] = assembler.finish()
    assert name == "y:0"
    np.testing.assert_array_equal(got, value)


def test_an_upload_must_name_its_session_first(raw_client):
    client = raw_client()
    with pytest.raises(grpc.RpcError) as info:
        client.UploadTensors(iter([pb.TensorChunk(data=b"\0" * 16)]))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == "UploadTensors: the first message must name the session"


def test_a_generated_stub_reads_framed_inline_results_as_plain_protobuf(raw_client):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.multiply(x, 2.0, name="double")
        tf.constant([b"a", b"bc"], name="words")
        tf.reduce_sum(x, name="total")
    client = raw_client()
    handle = client.create(g.as_graph_def().node)
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    request = pb.RunStepRequest(session_handle=handle, fetch=["double:0", "words:0", "total:0"],
                                store_errors_in_response_body=True)
    request.feed.add(name="x:0", tensor=codec.encode(value))
    response = client.RunStep(request)
    assert response.status_code == pb.OK and not response.download_handle
    assert [t.name for t in response.tensor] == ["double:0", "words:0", "total:0"]
    np.testing.assert_array_equal(codec.decode(response.tensor[0].tensor), value * 2)
    assert list(codec.decode(response.tensor[1].tensor)) == [b"a", b"bc"]
    assert codec.decode(response.tensor[2].tensor) == np.float32(15.0)
    assert response.tensor[2].tensor == codec.encode(np.float32(15.0))

    made = client.MakeCallable(pb.MakeCallableRequest(
        session_handle=handle, options=config_pb2.CallableOptions(feed=["x:0"],
                                                                  fetch=["total:0", "x:0"]),
        store_errors_in_response_body=True))
    reply = client.RunCallable(pb.RunCallableRequest(
        session_handle=handle, handle=made.handle, feed=[codec.encode(value)],
        store_errors_in_response_body=True))
    assert reply.status_code == pb.OK
    assert [codec.decode(t).tolist() for t in reply.fetch] == [15.0, value.tolist()]
