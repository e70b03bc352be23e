"""A feed_dict key is resolved once per session; an array already of the tensor's dtype and
full static shape is sent as it is, and every other value still gets converted or refused."""
import numpy as np
import pytest

import plano as tf


def _graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2, 3], name="x")
        y = x * 2.0
    return graph, x, y


def test_repeated_feeds_of_every_kind_give_the_same_results():
    graph, x, y = _graph()
    want = np.arange(6, dtype=np.float32).reshape(2, 3) * 2
    values = [np.arange(6, dtype=np.float32).reshape(2, 3),
              np.arange(6, dtype=np.float64).reshape(2, 3),  # converted to float32
              np.arange(6, dtype=">f4").reshape(2, 3),  # big-endian: converted
              [[0, 1, 2], [3, 4, 5]]]
    with tf.Session(graph=graph) as sess:
        for _ in range(2):
            for key in (x, "x:0"):
                for value in values:
                    got = sess.run(y, {key: value})
                    assert got.dtype == np.float32
                    np.testing.assert_array_equal(got, want)


def test_a_wrong_shape_or_dtype_after_good_feeds_is_still_refused():
    graph, x, y = _graph()
    with tf.Session(graph=graph) as sess:
        sess.run(y, {x: np.zeros((2, 3), np.float32)})
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3, 2\) for Tensor "
                                             r"'x:0', which has shape \(2, 3\)"):
            sess.run(y, {x: np.zeros((3, 2), np.float32)})
        with pytest.raises(TypeError, match="Cannot feed"):
            sess.run(y, {x: np.array([["a"] * 3] * 2)})


def test_a_partly_known_shape_checks_each_value():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.int32, [None, 2], name="x")
        total = tf.reduce_sum(x)
    with tf.Session(graph=graph) as sess:
        assert sess.run(total, {x: np.ones((3, 2), np.int32)}) == 6
        assert sess.run(total, {x: np.ones((1, 2), np.int32)}) == 2
        with pytest.raises(ValueError, match="which has shape"):
            sess.run(total, {x: np.ones((2, 3), np.int32)})
