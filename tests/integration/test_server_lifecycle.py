"""The plano-server process: its CLI, idle reaping, session limits, and a clean shutdown."""
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import plano as tf
from plano.v1 import session_service_pb2 as pb
from plano_server.process import ServerProcess


def test_help_documents_every_operator_flag():
    out = subprocess.run([sys.executable, "-m", "plano_server", "--help"], capture_output=True,
                         text=True, timeout=60).stdout
    for flag in ("--host", "--port", "--workers", "--max-sessions", "--session-idle-timeout",
                 "--plan-cache-size", "--chunk-size", "--max-tensor-bytes", "--step-timeout",
                 "--grace"):
        assert flag in out
    assert "default: 127.0.0.1" in out and "default: 50051" in out and "0 = never" in out


def test_listening_line_and_sigint_exit_0():
    server = ServerProcess("--host", "127.0.0.1")
    assert re.fullmatch(r"grpc://127\.0\.0\.1:\d+", server.target) and server.port > 0
    server.signal(signal.SIGINT)
    assert server.wait(30) == 0


def test_idle_sessions_are_reaped(raw_client):
    server = ServerProcess("--session-idle-timeout", "0.5")
    try:
        c = tf.constant(3.0)
        sess = tf.Session(server.target)
        assert sess.run(c) == 3.0
        time.sleep(1.5)
        with pytest.raises(tf.errors.NotFoundError,
                           match=r"Session '[0-9a-f]{8}\.\.\.' was closed after being idle for "
                           r"more than 0.5 s \(the server's session idle timeout\)"):
            sess.run(c)
        status = raw_client(target=server.target).GetStatus(pb.GetStatusRequest())
        assert (status.sessions_reaped, status.sessions_open) == (1, 0)
        sess.close()  # closing an expired session is quiet
    finally:
        assert server.stop() == 0


def _matmul_chain(length: int):
    """A placeholder and `length` chained 1024x1024 matmuls on it: a step that takes a while."""
    x = tf.placeholder(tf.float32, [1024, 1024])
    y = x
    for _ in range(length):
        y = tf.matmul(y, x)
    return x, y


def test_busy_sessions_are_not_reaped():
    server = ServerProcess("--session-idle-timeout", "0.3")
    try:
        x, y = _matmul_chain(60)
        with tf.Session(server.target) as sess:
            # one step longer than the idle timeout, then steps closer together than it
            start = time.monotonic()
            sess.run(y, {x: np.eye(1024, dtype=np.float32)})
            assert time.monotonic() - start > 0.3
            for _ in range(5):
                time.sleep(0.1)
                assert sess.run(tf.constant(1.0)) == 1.0
    finally:
        assert server.stop() == 0


def test_max_sessions(raw_client):
    server = ServerProcess("--max-sessions", "2")
    try:
        client = raw_client(target=server.target)
        client.create()
        client.create()
        response = client.CreateSession(pb.CreateSessionRequest(
            store_errors_in_response_body=True))
        assert response.status_code == pb.RESOURCE_EXHAUSTED
        assert response.status_error_message.startswith(
            "This server already has 2 open sessions, its limit (max sessions 2)")
    finally:
        assert server.stop() == 0


def test_sigterm_lets_the_step_in_flight_finish_then_exits_0(raw_client):
    server = ServerProcess("--grace", "60")
    x = tf.placeholder(tf.float32, [1024, 1024])
    w = tf.placeholder(tf.float32, [1024, 1024])
    y = x
    for _ in range(150):
        y = tf.matmul(y, w)
    feeds = {x: np.ones((1024, 1024), np.float32),
             w: np.full((1024, 1024), 1 / 1024, np.float32)}
    sess = tf.Session(server.target)
    result: dict = {}

    def step():
        try:
            result["value"] = sess.run(y, feeds)
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            result["error"] = e
    thread = threading.Thread(target=step)
    thread.start()
    status = raw_client(target=server.target).GetStatus
    deadline = time.monotonic() + 30
    while status(pb.GetStatusRequest()).active_steps == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert status(pb.GetStatusRequest()).active_steps == 1
    server.signal(signal.SIGTERM)
    with pytest.raises(tf.errors.UnavailableError, match="shutting down|Cannot reach"):
        with tf.Session(server.target) as late:  # no new work once draining
            late.run(tf.constant(1.0))
    assert thread.is_alive()
    thread.join(120)
    assert "error" not in result, result.get("error")
    np.testing.assert_allclose(result["value"], 1.0, rtol=1e-4)
    assert server.wait(60) == 0
    with pytest.raises(tf.errors.UnavailableError, match=f"127.0.0.1:{server.port}"):
        sess.run(y, feeds)
    sess.close()


def test_the_server_default_step_timeout_applies_when_a_step_sets_none():
    server = ServerProcess("--step-timeout", "0.1")
    try:
        x, y = _matmul_chain(400)
        with tf.Session(server.target) as sess:
            with pytest.raises(tf.errors.DeadlineExceededError, match="ran past its deadline"):
                sess.run(y, {x: np.eye(1024, dtype=np.float32)})
            longer = tf.RunOptions(timeout_in_ms=60_000)  # a step's own timeout comes first
            assert sess.run(tf.reduce_sum(y), {x: np.eye(1024, dtype=np.float32)},
                            options=longer) == 1024.0
    finally:
        assert server.stop() == 0
