"""Between kernels a step checks its deadline every time and its cancellation every
CANCEL_POLL_S, so a cancelled long step stops and a short one never pays for asking."""
import time

import numpy as np
import pytest

import plano as tf
from plano import errors
from plano_server.engine import session as engine_session

from engine_helpers import engine_for


class _Asked:
    """A cancellation test that counts how often it is asked."""

    def __init__(self, cancelled: bool):
        self.cancelled = cancelled
        self.asked = 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.cancelled


def _chain(length: int):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [256, 256], name="x")
        y = x
        for _ in range(length):
            y = tf.matmul(y, x) * 1e-3
    return graph, y


def _feed():
    return {"x:0": np.full((256, 256), 0.5, np.float32)}


def test_a_cancelled_long_step_stops_with_cancelled_error():
    graph, y = _chain(400)
    session = engine_for(graph)
    flag = _Asked(cancelled=True)
    start = time.monotonic()
    with pytest.raises(errors.CancelledError, match="The step was cancelled"):
        session.run(_feed(), [y.name], [], cancelled=flag)
    assert flag.asked == 1
    assert time.monotonic() - start < 1.0  # 400 products would take several seconds


def test_a_step_shorter_than_the_poll_interval_is_never_asked():
    graph = tf.Graph()
    with graph.as_default():
        y = tf.placeholder(tf.float32, [4], name="x") * 2.0 + 1.0
    session = engine_for(graph)
    flag = _Asked(cancelled=True)
    (value,) = session.run({"x:0": np.arange(4, dtype=np.float32)}, [y.name], [],
                           cancelled=flag)
    assert flag.asked == 0
    np.testing.assert_array_equal(value, [1, 3, 5, 7])


def test_a_running_step_is_asked_about_once_per_poll_interval():
    graph, y = _chain(60)
    session = engine_for(graph)
    flag = _Asked(cancelled=False)
    start = time.monotonic()
    session.run(_feed(), [y.name], [], cancelled=flag)
    elapsed = time.monotonic() - start
    assert 1 <= flag.asked <= elapsed / engine_session.CANCEL_POLL_S + 1


def test_the_deadline_is_checked_before_every_kernel():
    graph, y = _chain(400)
    session = engine_for(graph)
    with pytest.raises(errors.DeadlineExceededError, match="ran past its deadline"):
        session.run(_feed(), [y.name], [], deadline=time.monotonic() + 0.01)
