"""The seed's (MiniFlow) examples rebuilt with plano, with the numbers the lesson gives."""
import numpy as np
import pytest

import plano as tf


def test_add_fed_5_and_10_gives_15(target):
    x = tf.placeholder(tf.int32, name="x")
    y = tf.placeholder(tf.int32, name="y")
    f = x + y
    with tf.Session(target) as sess:
        assert sess.run(f, feed_dict={x: 5, y: 10}) == 15


def test_add_n_of_4_5_10_gives_19(target):
    x, y, z = (tf.placeholder(tf.int32, name=n) for n in "xyz")
    total = tf.add_n([x, y, z])
    with tf.Session(target) as sess:
        assert sess.run(total, {x: 4, y: 5, z: 10}) == 19


def test_linear_node_gives_12_7(target):
    inputs = tf.placeholder(tf.float32, shape=[3])
    weights = tf.placeholder(tf.float32, shape=[3])
    bias = tf.placeholder(tf.float32, shape=[])
    linear = tf.reduce_sum(inputs * weights) + bias
    with tf.Session(target) as sess:
        out = sess.run(linear, {inputs: [6, 14, 3], weights: [0.5, 0.25, 1.4], bias: 2})
    assert out == pytest.approx(12.7, rel=1e-6)


def test_sigmoid_of_a_linear_layer(target):
    X = tf.placeholder(tf.float64, shape=[None, 2])
    W = tf.placeholder(tf.float64, shape=[2, 2])
    b = tf.placeholder(tf.float64, shape=[2])
    out = tf.sigmoid(tf.matmul(X, W) + b)
    x = np.array([[-1., -2.], [-1, -2]])
    w = np.array([[2., -3], [2., -3]])
    bias = np.array([-3., -5])
    with tf.Session(target) as sess:
        got = sess.run(out, {X: x, W: w, b: bias})
    np.testing.assert_allclose(got, [[1.23394576e-04, 9.82013790e-01],
                                     [1.23394576e-04, 9.82013790e-01]], rtol=1e-7)


def test_mean_squared_error(target):
    y = tf.placeholder(tf.float64, shape=[None])
    a = tf.placeholder(tf.float64, shape=[None])
    mse = tf.reduce_mean(tf.square(y - a))
    with tf.Session(target) as sess:
        got = sess.run(mse, {y: [1, 2, 3], a: [4.5, 5, 10]})
    assert got == pytest.approx(23.4166666667)
