"""Hostile or broken requests sent as raw protobuf through the generated stub: each gets a
clear INVALID_ARGUMENT or RESOURCE_EXHAUSTED naming the node or tensor, nothing is
allocated for it, and the server goes on serving every other session."""
import grpc
import numpy as np
import pytest

import plano as tf
from plano import codec
from plano.v1 import graph_pb2, node_def_pb2, tensor_pb2, types_pb2
from plano.v1 import session_service_pb2 as pb

F32 = types_pb2.DT_FLOAT


def _node(name, op, inputs=(), **attrs) -> node_def_pb2.NodeDef:
    nd = node_def_pb2.NodeDef(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        if isinstance(value, tensor_pb2.TensorProto):
            nd.attr[key].tensor.CopyFrom(value)
        elif key in ("T", "dtype", "index_type"):
            nd.attr[key].type = value
        else:
            nd.attr[key].i = value
    return nd


def _const(name, array) -> node_def_pb2.NodeDef:
    array = np.asarray(array)
    return _node(name, "Const", dtype=codec.dtype_of(array).as_datatype_enum,
                 value=codec.encode(array))


def _int_for_a_type_attr() -> node_def_pb2.NodeDef:
    nd = _node("c", "Const", value=codec.encode(np.float32(1)))
    nd.attr["dtype"].i = 1  # an int where a type is declared
    return nd


def _huge_const() -> node_def_pb2.NodeDef:
    value = tensor_pb2.TensorProto(dtype=F32, tensor_shape=codec.shape_proto([10**6, 10**6]))
    value.float_val.append(1.0)  # one value fills the whole declared shape
    return _node("huge", "Const", dtype=F32, value=value)


def _mismatched_const() -> node_def_pb2.NodeDef:
    value = tensor_pb2.TensorProto(dtype=F32, tensor_shape=codec.shape_proto([3]),
                                   tensor_content=b"\0" * 10)
    return _node("odd", "Const", dtype=F32, value=value)


BAD_GRAPHS = {
    "cycle": ([_node("a", "Identity", ["b"], T=F32), _node("b", "Identity", ["a"], T=F32)],
              pb.INVALID_ARGUMENT, "the graph has a cycle through node"),
    "unknown op": ([_node("boom", "NoSuchOp")], pb.INVALID_ARGUMENT,
                   "Node 'boom' (op 'NoSuchOp'): unknown op 'NoSuchOp'"),
    "dangling input": ([_node("id", "Identity", ["ghost"], T=F32)], pb.INVALID_ARGUMENT,
                       "Node 'id' (op 'Identity'): input 0 ('input') refers to node 'ghost', "
                       "which is not in the graph"),
    "wrong attr type": ([_int_for_a_type_attr()], pb.INVALID_ARGUMENT,
                        "Node 'c' (op 'Const'): attr 'dtype' must be of type 'type', got an "
                        "AttrValue with 'i' set"),
    "huge declared shape": ([_huge_const()], pb.RESOURCE_EXHAUSTED,
                            "Node 'huge' (op 'Const'): attr 'value': declared shape "
                            "[1000000, 1000000] needs 4000000000000 bytes, over this server's "
                            "limit of"),
    "bytes not matching dtype and shape": (
        [_mismatched_const()], pb.INVALID_ARGUMENT,
        "Node 'odd' (op 'Const'): attr 'value': tensor_content has 10 bytes but dtype float32 "
        "and shape [3] need 12"),
}


@pytest.fixture
def good_session(raw_client):
    """Another client's healthy session, checked after every bad request."""
    client = raw_client()
    handle = client.create([_const("two", np.float32(2)),
                            _node("x", "Placeholder", dtype=F32),
                            _node("sum", "AddV2", ["x", "two"], T=F32)])

    def check():
        response = client.RunStep(pb.RunStepRequest(
            session_handle=handle, fetch=["sum:0"], store_errors_in_response_body=True,
            feed=[pb.NamedTensorProto(name="x:0", tensor=codec.encode(np.float32(40)))]))
        assert response.status_code == pb.OK, response.status_error_message
        assert codec.decode(response.tensor[0].tensor) == 42.0
    return check


@pytest.mark.parametrize("in_body", [True, False], ids=["error_in_body", "grpc_status"])
@pytest.mark.parametrize("case", sorted(BAD_GRAPHS))
def test_bad_graph_is_refused_and_others_keep_working(raw_client, good_session, case, in_body):
    nodes, code, message = BAD_GRAPHS[case]
    client = raw_client()
    request = pb.CreateSessionRequest(graph_def=graph_pb2.GraphDef(node=nodes),
                                      store_errors_in_response_body=in_body)
    if in_body:
        response = client.CreateSession(request)
        assert response.status_code == code
        assert message in response.status_error_message
        assert not response.session_handle
    else:
        with pytest.raises(grpc.RpcError) as info:
            client.CreateSession(request)
        assert info.value.code().value[0] == code
        assert message in info.value.details()
    good_session()


def test_bad_nodes_in_extend_leave_the_session_as_it_was(raw_client, good_session):
    client = raw_client()
    handle = client.create([_const("one", np.float32(1))])
    for nodes, code, message in BAD_GRAPHS.values():
        response = client.ExtendSession(pb.ExtendSessionRequest(
            session_handle=handle, graph_def=graph_pb2.GraphDef(node=nodes),
            current_graph_version=1, store_errors_in_response_body=True))
        assert (response.status_code, message in response.status_error_message) == (code, True)
    response = client.RunStep(pb.RunStepRequest(session_handle=handle, fetch=["one:0"],
                                                store_errors_in_response_body=True))
    assert codec.decode(response.tensor[0].tensor) == 1.0
    good_session()


def _run(client, handle, fetch, feeds=(), **kw):
    return client.RunStep(pb.RunStepRequest(
        session_handle=handle, fetch=fetch, store_errors_in_response_body=True,
        feed=[pb.NamedTensorProto(name=n, tensor=t) for n, t in feeds], **kw))


def test_bad_feeds_are_refused_before_allocation(raw_client, good_session):
    client = raw_client()
    handle = client.create([_node("x", "Placeholder", dtype=F32),
                            _node("y", "Identity", ["x"], T=F32)])
    bad_bytes = tensor_pb2.TensorProto(dtype=F32, tensor_shape=codec.shape_proto([3]),
                                       tensor_content=b"\0" * 7)
    response = _run(client, handle, ["y:0"], [("x:0", bad_bytes)])
    assert response.status_code == pb.INVALID_ARGUMENT
    assert response.status_error_message == (
        "Feed 'x:0': tensor_content has 7 bytes but dtype float32 and shape [3] need 12")

    huge = tensor_pb2.TensorProto(dtype=F32, tensor_shape=codec.shape_proto([10**12]))
    huge.float_val.append(0.0)
    response = _run(client, handle, ["y:0"], [("x:0", huge)])
    assert response.status_code == pb.RESOURCE_EXHAUSTED
    assert response.status_error_message.startswith(
        "Feed 'x:0': declared shape [1000000000000] needs 4000000000000 bytes")

    response = _run(client, handle, ["y:0"],
                    [("x:0", codec.encode(np.float32(1))), ("nope:0", codec.encode(1.0))])
    assert response.status_code == pb.INVALID_ARGUMENT
    assert response.status_error_message == \
        "Tensor 'nope:0', specified as a feed, was not found in the graph"

    response = _run(client, handle, ["y:0"], [("x:0", codec.encode(np.int32(1)))])
    assert response.status_code == pb.INVALID_ARGUMENT
    assert "Tensor 'x:0' is float32, but the fed value has dtype int32" in \
        response.status_error_message
    good_session()


def test_a_huge_streamed_tensor_is_refused_from_its_header(raw_client, good_session):
    client = raw_client()
    handle = client.create([_node("x", "Placeholder", dtype=F32)])
    header = pb.TensorHeader(name="x:0", dtype=F32, num_bytes=4 * 10**12,
                             tensor_shape=codec.shape_proto([10**12]))
    response = client.UploadTensors(iter([
        pb.TensorChunk(session_handle=handle, store_errors_in_response_body=True),
        pb.TensorChunk(header=header), pb.TensorChunk(data=b"\0" * 1024)]))
    assert response.status_code == pb.RESOURCE_EXHAUSTED
    assert response.status_error_message.startswith(
        "Tensor 'x:0': declared shape [1000000000000] needs 4000000000000 bytes")
    good_session()


def test_a_stream_with_wrong_byte_counts_is_invalid(raw_client, good_session):
    client = raw_client()
    handle = client.create([_node("x", "Placeholder", dtype=F32)])
    header = pb.TensorHeader(name="x:0", dtype=F32, num_bytes=12,
                             tensor_shape=codec.shape_proto([3]))
    response = client.UploadTensors(iter([
        pb.TensorChunk(session_handle=handle, store_errors_in_response_body=True),
        pb.TensorChunk(header=header), pb.TensorChunk(data=b"\0" * 8)]))
    assert response.status_code == pb.INVALID_ARGUMENT
    assert response.status_error_message == "Tensor stream: 'x:0' ended after 8 of 12 bytes"
    good_session()


@pytest.mark.parametrize("op", ["Fill", "RandomUniform"])
def test_a_huge_runtime_shape_is_resource_exhausted_naming_the_node(plano_server, op):
    dims = tf.constant([10**6, 10**6], dtype=tf.int32, name="dims")
    if op == "Fill":
        big = tf.fill(dims, 1.0, name="big")
    else:
        big = tf.random_uniform(dims, name="big")
    with tf.Session(plano_server.target) as sess:
        with pytest.raises(tf.errors.ResourceExhaustedError, match="Node 'big"):
            sess.run(big)
        assert sess.run(tf.constant(1.0) + 1.0) == 2.0  # the same session still works
