"""A Session on a real plano-server: lazy graph shipping, errors, identity, lifecycle, status."""
import gc
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

import plano as tf
from plano.sessions import remote
from plano.v1 import graph_pb2
from plano.v1 import session_service_pb2 as pb


class _Spy:
    """Wraps a stub and records each request per RPC name."""

    def __init__(self, stub):
        self._stub = stub
        self.requests: dict[str, list] = {}

    def __getattr__(self, name):
        return self.recording(name, getattr(self._stub, name))

    def recording(self, name: str, method):
        """`method`, recording its requests under `name` (hand-framed ones as protobuf
        parses them: the server must read them as sent)."""
        def call(request, **kw):
            seen = getattr(pb, f"{name}Request").FromString(request) \
                if isinstance(request, bytes) else request
            self.requests.setdefault(name, []).append(seen)
            return method(request, **kw)
        return call


def _spy(sess) -> _Spy:
    """Records every request `sess` sends: through the stub and the hand-framed step calls."""
    backend = sess._backend
    spy = backend._stub = _Spy(backend._stub)
    backend._run_step = spy.recording("RunStep", backend._run_step)
    backend._run_callable = spy.recording("RunCallable", backend._run_callable)
    return spy


def _my_sessions(raw_client) -> dict:
    """This process's SDK sessions on the server, by handle (asked with the SDK's identity)."""
    response = raw_client(remote.CLIENT_ID).ListSessions(pb.ListSessionsRequest())
    return {s.session_handle: s for s in response.session}


def _slow_step(n: int):
    """A chain of n 1024x1024 matmuls (x stays all-ones); about 10 ms per link."""
    x = tf.placeholder(tf.float32, [1024, 1024], name="x")
    w = tf.placeholder(tf.float32, [1024, 1024], name="w")
    y = x
    for _ in range(n):
        y = tf.matmul(y, w)
    feeds = {x: np.ones((1024, 1024), np.float32),
             w: np.full((1024, 1024), 1 / 1024, np.float32)}
    return y, feeds


@pytest.mark.parametrize("form", ["grpc://{}", "{}"])
def test_target_with_or_without_scheme(plano_server, form):
    address = plano_server.target.removeprefix("grpc://")
    x = tf.placeholder(tf.float32, [2])
    with tf.Session(form.format(address)) as sess:
        np.testing.assert_array_equal(sess.run(x * 2.0, {x: [1.5, -2.0]}), [3.0, -4.0])


def test_bad_target_is_a_value_error():
    with pytest.raises(ValueError, match="Invalid plano-server target 'grpc://nohostport'"):
        tf.Session("grpc://nohostport")


def test_graph_goes_at_first_run_then_only_new_nodes(plano_server, raw_client):
    a = tf.constant(2.0, name="a")
    b = tf.add(a, tf.constant(3.0, name="three"), name="b")
    sess = tf.Session(plano_server.target)
    spy = _spy(sess)
    assert sess._backend.handle is None  # nothing sent before the first run
    assert sess.run(b) == 5.0
    create = spy.requests["CreateSession"][0]
    assert [n.name for n in create.graph_def.node] == ["a", "three", "b"]
    info = _my_sessions(raw_client)[sess._backend.handle]
    assert (info.num_nodes, info.graph_version) == (3, 3)

    c = tf.multiply(b, tf.constant(10.0, name="ten"), name="c")
    assert sess.run(c) == 50.0
    extend = spy.requests["ExtendSession"][-1]
    assert [n.name for n in extend.graph_def.node] == ["ten", "c"]
    assert extend.current_graph_version == 3
    assert sess.run(b) == 5.0  # nothing new: no ExtendSession at all
    assert len(spy.requests["ExtendSession"]) == 1
    assert _my_sessions(raw_client)[sess._backend.handle].num_nodes == 5
    sess.close()


def test_extend_with_a_stale_version_is_failed_precondition(raw_client):
    client = raw_client()
    handle = client.create([tf.constant(1.0, name="one").op.node_def])
    node = tf.constant(2.0, name="two").op.node_def
    response = client.ExtendSession(pb.ExtendSessionRequest(
        session_handle=handle, graph_def=graph_pb2.GraphDef(node=[node]),
        current_graph_version=0, store_errors_in_response_body=True))
    assert response.status_code == pb.FAILED_PRECONDITION
    assert "session is at version 1, the request extends version 0" in \
        response.status_error_message
    response = client.ExtendSession(pb.ExtendSessionRequest(
        session_handle=handle, graph_def=graph_pb2.GraphDef(node=[node]),
        current_graph_version=1, store_errors_in_response_body=True))
    assert (response.status_code, response.new_graph_version) == (pb.OK, 2)


def test_a_long_error_message_arrives_whole_as_the_same_class(target):
    name = "p" * 20000  # far beyond what gRPC metadata carries
    x = tf.placeholder(tf.float32, [], name=name)
    with tf.Session(target) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x + 1.0)
    assert info.value.message == (f"You must feed a value for placeholder tensor '{name}' "
                                  f"with dtype float32 [[node '{name}' (op: Placeholder)]]")
    assert info.value.op is x.op
    assert info.value.error_code == tf.errors.INVALID_ARGUMENT


def test_errors_without_body_flag_become_grpc_status(raw_client):
    client = raw_client()
    with pytest.raises(grpc.RpcError) as info:
        client.RunStep(pb.RunStepRequest(session_handle="0" * 32, fetch=["x:0"]))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert "not found" in info.value.details()


def test_a_step_is_owned_by_the_client_id_in_its_body_else_in_its_metadata(raw_client):
    mine, other = raw_client(), raw_client()
    handle = mine.create([tf.constant(3.0, name="k").op.node_def])
    my_id = mine.metadata[0][1]

    def run(client, **fields):
        return client.RunStep(pb.RunStepRequest(session_handle=handle, fetch=["k:0"],
                                                store_errors_in_response_body=True, **fields))
    for client, fields in ((mine, {}), (other, {"client_id": my_id}),
                           (mine, {"client_id": my_id})):
        response = run(client, **fields)
        assert response.status_code == pb.OK, response.status_error_message
        assert response.tensor[0].tensor.tensor_content == np.float32(3).tobytes()
    for client, fields in ((other, {}), (mine, {"client_id": "f" * 32})):
        response = run(client, **fields)
        assert response.status_code == pb.NOT_FOUND
        assert "belongs to this client" in response.status_error_message


def test_unreachable_server_is_unavailable_naming_host_and_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tf.Session(f"grpc://127.0.0.1:{port}") as sess:
        with pytest.raises(tf.errors.UnavailableError, match=f"127.0.0.1:{port}"):
            sess.run(tf.constant(1.0))


def test_closed_and_unknown_sessions_are_not_found_saying_why(raw_client):
    client = raw_client()
    handle = client.create([tf.constant(1.0, name="k").op.node_def])
    client.CloseSession(pb.CloseSessionRequest(session_handle=handle))
    response = client.RunStep(pb.RunStepRequest(session_handle=handle, fetch=["k:0"],
                                                store_errors_in_response_body=True))
    assert response.status_code == pb.NOT_FOUND
    assert response.status_error_message == f"Session '{handle[:8]}...' was closed by its client"
    response = client.RunStep(pb.RunStepRequest(session_handle="ab" * 16, fetch=["k:0"],
                                                store_errors_in_response_body=True))
    assert response.status_code == pb.NOT_FOUND
    assert "'abababab...' not found: no open session with this handle belongs to this " \
        "client" in response.status_error_message


def test_handle_is_unguessable_and_bound_to_its_client(plano_server):
    """A second client process presenting the handle is told it does not exist."""
    x = tf.placeholder(tf.float32, [])
    sess = tf.Session(plano_server.target)
    assert sess.run(x + 1.0, {x: 1.0}) == 2.0
    handle = sess._backend.handle
    assert len(bytes.fromhex(handle)) == 16  # 128 random bits
    thief = textwrap.dedent(f"""
        import plano as tf
        from plano.sessions.remote import RemoteBackend
        backend = RemoteBackend({plano_server.target!r})
        backend._handle = {handle!r}
        try:
            backend.run({{}}, ["Placeholder:0"], [])
        except tf.errors.NotFoundError as e:
            print("NotFoundError:", e)
        """)
    out = subprocess.run([sys.executable, "-c", thief], capture_output=True, text=True,
                         timeout=120)
    assert f"NotFoundError: Session '{handle[:8]}...' not found" in out.stdout, out.stderr
    assert sess.run(x + 1.0, {x: 2.0}) == 3.0  # the owner is unaffected
    sess.close()


def test_close_context_exit_and_gc_close_the_server_session(plano_server, raw_client):
    c = tf.constant(1.0)
    sess = tf.Session(plano_server.target)
    sess.run(c)
    h1 = sess._backend.handle
    sess.close()
    with tf.Session(plano_server.target) as sess2:
        sess2.run(c)
        h2 = sess2._backend.handle
    sess3 = tf.Session(plano_server.target)
    sess3.run(c)
    h3 = sess3._backend.handle
    assert h3 in _my_sessions(raw_client)
    del sess3
    gc.collect()
    assert not {h1, h2, h3} & set(_my_sessions(raw_client))


def test_list_sessions_shows_only_the_callers_own(plano_server, raw_client):
    mine, other = raw_client(), raw_client()
    h = mine.create()
    assert h in {s.session_handle for s in mine.ListSessions(pb.ListSessionsRequest()).session}
    assert h not in {s.session_handle
                     for s in other.ListSessions(pb.ListSessionsRequest()).session}


def _graph_with_variable(initial: float, name: str = "v"):
    v = tf.Variable(initial, name=name)
    bump = tf.assign_add(v, 1.0)
    return v, bump


def test_sessions_share_compiled_plans_but_never_variables(plano_server, raw_client):
    client = raw_client()
    before = client.GetStatus(pb.GetStatusRequest())
    sessions = []
    # A name no other test uses: plans are content-addressed, and the server is shared.
    name = f"shared_plans_{uuid.uuid4().hex}"
    for _ in range(2):
        with tf.Graph().as_default() as g:
            v, bump = _graph_with_variable(10.0, name)
            init = tf.global_variables_initializer()
        sess = tf.Session(plano_server.target, graph=g)
        sess.run(init)
        sessions.append((sess, v, bump))
    s1, v1, bump1 = sessions[0]
    s2, v2, bump2 = sessions[1]
    s1.run(bump1)
    s1.run(bump1)
    s2.run(bump2)
    assert s1.run(v1) == 12.0
    assert s2.run(v2) == 11.0
    after = client.GetStatus(pb.GetStatusRequest())
    # 3 distinct plans (init, bump, read) compiled once; the second session hits all three.
    assert after.plan_cache_misses - before.plan_cache_misses == 3
    assert after.plan_cache_hits - before.plan_cache_hits == 3
    assert after.plan_cache_size >= 3
    assert after.bytes_in > before.bytes_in and after.bytes_out > before.bytes_out
    assert after.steps_run - before.steps_run == 7
    assert after.version == tf.__version__ and after.uptime_seconds > 0
    assert after.sessions_open >= 2
    for sess, _, _ in sessions:
        sess.close()


def test_health_is_serving_and_reflection_lists_the_services(plano_server):
    with grpc.insecure_channel(plano_server.target.removeprefix("grpc://")) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "plano.v1.SessionService"):
            response = health.Check(health_pb2.HealthCheckRequest(service=service))
            assert response.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = reflection.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for a in answers for s in a.list_services_response.service}
    assert {"plano.v1.SessionService", "grpc.health.v1.Health"} <= names


def test_make_callable_sends_only_positional_feeds(plano_server):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.placeholder(tf.float32, [None], name="y")
    z = x * y + 1.0
    with tf.Session(plano_server.target) as sess:
        spy = _spy(sess)
        f = sess.make_callable(z, [x, y])
        np.testing.assert_array_equal(f([1.0, 2.0], [3.0, 4.0]), [4.0, 9.0])
        np.testing.assert_array_equal(f([0.5], [2.0]), [2.0])
        request = spy.requests["RunCallable"][-1]
        assert len(request.feed) == 2 and not request.upload_handle
        assert "RunStep" not in spy.requests
        assert spy.requests["MakeCallable"][0].options.feed == ["x:0", "y:0"]


@pytest.mark.parametrize("how", ["run_options", "config"])
def test_a_step_past_its_deadline_stops_with_deadline_exceeded(target, how):
    y, feeds = _slow_step(400)
    config = tf.ConfigProto(operation_timeout_in_ms=100) if how == "config" else None
    options = tf.RunOptions(timeout_in_ms=100) if how == "run_options" else None
    with tf.Session(target, config=config) as sess:
        start = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError, match="ran past its deadline"):
            sess.run(y, feeds, options=options)
        assert time.monotonic() - start < 3.0  # 400 links would take several seconds


def test_a_client_that_goes_away_cancels_its_step(plano_server, raw_client):
    y, feeds = _slow_step(2000)  # about 20 s if it ran to the end
    with tf.Session(plano_server.target) as sess:
        sess._extend_graph()  # ships the graph (CreateSession)
        client = raw_client(remote.CLIENT_ID)
        small = {"x:0": np.ones((1024, 1024), np.float32)}
        request = pb.RunStepRequest(session_handle=sess._backend.handle, fetch=[y.name],
                                    store_errors_in_response_body=True)
        request.upload_handle = sess._backend._upload(
            [*small.items(), ("w:0", feeds[tf.get_default_graph().get_tensor_by_name("w:0")])])
        with pytest.raises(grpc.RpcError) as info:
            client.RunStep(request, timeout=0.5)
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        status = raw_client().GetStatus
        deadline = time.monotonic() + 5.0
        while status(pb.GetStatusRequest()).active_steps and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status(pb.GetStatusRequest()).active_steps == 0


def test_concurrent_runs_on_one_session_update_atomically(target):
    v = tf.Variable(0.0)
    bump = tf.assign_add(v, 1.0)
    with tf.Session(target) as sess:
        sess.run(v.initializer)

        def worker():
            for _ in range(40):
                sess.run(bump)
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sess.run(v) == 240.0


def test_a_collected_callable_is_released_on_the_server(plano_server, raw_client):
    x = tf.placeholder(tf.float32, [])
    with tf.Session(plano_server.target) as sess:
        f = sess.make_callable(x + 1.0, [x])
        g = sess.make_callable(x + 2.0, [x])
        assert (f(1.0), g(1.0)) == (2.0, 3.0)
        assert _my_sessions(raw_client)[sess._backend.handle].num_callables == 2
        del f
        gc.collect()
        assert _my_sessions(raw_client)[sess._backend.handle].num_callables == 1
        h = sess.make_callable(x + 3.0, [x])
        assert (g(1.0), h(1.0)) == (3.0, 4.0)


def test_steps_of_different_sessions_run_at_the_same_time(plano_server, raw_client):
    y, feeds = _slow_step(30)
    sessions = [tf.Session(plano_server.target) for _ in range(2)]
    threads = [threading.Thread(target=s.run, args=(y, feeds)) for s in sessions]
    for t in threads:
        t.start()
    status, most = raw_client().GetStatus, 0
    while any(t.is_alive() for t in threads):
        most = max(most, status(pb.GetStatusRequest()).active_steps)
        time.sleep(0.005)
    for t in threads:
        t.join()
    assert most == 2
    for s in sessions:
        s.close()
