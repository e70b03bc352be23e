"""Whole training runs: known minima, embedded == remote, and TF1 ref-variable training graphs."""
import numpy as np
import pytest

import plano as tf
from plano import errors


def linear_regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.7 + 0.1 * rng.normal(size=(64, 1))
    return X, y


def test_linear_regression_reaches_the_least_squares_solution(target):
    X, y = linear_regression_data()
    x = tf.placeholder(tf.float64, [None, 3])
    t = tf.placeholder(tf.float64, [None, 1])
    pred = tf.layers.dense(x, 1, kernel_initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(t, pred)
    train_op = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        step = sess.make_callable(train_op, [x, t])
        for _ in range(300):
            step(X, y)
        kernel, bias = sess.run(tf.trainable_variables())
    solution, *_ = np.linalg.lstsq(np.hstack([X, np.ones((64, 1))]), y, rcond=None)
    np.testing.assert_allclose(np.vstack([kernel, bias[:, None]]), solution, atol=1e-8)


def test_two_layer_network_fits_xor_to_its_zero_loss_minimum(target):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    x = tf.placeholder(tf.float64, [4, 2])
    t = tf.placeholder(tf.float64, [4, 1])
    init = tf.constant_initializer(np.random.default_rng(1).normal(size=(2, 8)).ravel())
    hidden = tf.layers.dense(x, 8, activation=tf.tanh, kernel_initializer=init)
    out = tf.layers.dense(hidden, 1, activation=tf.sigmoid,
                          kernel_initializer=tf.constant_initializer(0.1))
    loss = tf.losses.mean_squared_error(t, out)
    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(1500):
            sess.run(train_op, {x: X, t: y})
        final_loss, pred = sess.run([loss, out], {x: X, t: y})
    assert final_loss < 1e-3
    np.testing.assert_array_equal(np.round(pred), y)


def train_classifier(target):
    """A few Adam steps of a small MLP; returns every variable's final value."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(32, 4)).astype(np.float32)
    labels = (X[:, 0] * X[:, 1] > 0).astype(np.int32)
    tf.reset_default_graph()
    tf.set_random_seed(42)
    x = tf.placeholder(tf.float32, [None, 4])
    t = tf.placeholder(tf.int32, [None])
    logits = tf.layers.dense(tf.layers.dense(x, 16, activation=tf.nn.relu), 2)
    loss = tf.losses.sparse_softmax_cross_entropy(t, logits)
    train_op = tf.train.AdamOptimizer(0.01).minimize(
        loss, global_step=tf.train.get_or_create_global_step())
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        step = sess.make_callable([train_op, loss], [x, t])
        losses = [step(X, labels)[1] for _ in range(20)]
        return losses, sess.run(tf.global_variables())


def test_training_gives_identical_numbers_embedded_and_remote(plano_server):
    embedded_losses, embedded_vars = train_classifier("")
    remote_losses, remote_vars = train_classifier(plano_server.target)
    assert embedded_losses == remote_losses
    assert embedded_losses[-1] < embedded_losses[0]
    for a, b in zip(embedded_vars, remote_vars):
        np.testing.assert_array_equal(a, b)


def ref_variable(name, value):
    """A TF1 VariableV2 and its Assign initializer, as a TF1 GraphDef holds them."""
    g = tf.get_default_graph()
    value = np.asarray(value, np.float32)
    ref = g.create_op("VariableV2", [], {"shape": value.shape, "dtype": tf.float32},
                      name=name).outputs[0]
    init = g.create_op("Assign", [ref, tf.constant(value)], name=name + "/Assign")
    return ref, init


def test_tf1_ref_variable_training_ops_run():
    from plano.ops import training_ops

    var, init_v = ref_variable("w", [1.0, 2.0])
    acc, init_a = ref_variable("w/Momentum", [0.0, 0.0])
    grad = tf.constant([0.5, -1.0])
    sgd = training_ops.apply("GradientDescent", [var], [0.1, grad])
    mom = training_ops.apply("Momentum", [var, acc], [0.1, grad, 0.9], use_nesterov=True)
    assert sgd.dtype.is_ref and sgd.op.type == "ApplyGradientDescent"
    with tf.Session() as sess:
        sess.run([init_v, init_a])
        np.testing.assert_allclose(sess.run(sgd), [0.95, 2.1])
        out = sess.run(mom)
    # accum = g; var -= lr * g + lr * momentum * accum
    np.testing.assert_allclose(out, [0.95 - 0.05 - 0.045, 2.1 + 0.1 + 0.09], rtol=1e-6)


def test_training_op_runtime_errors_name_the_node():
    from plano.ops import training_ops

    v = tf.Variable(np.zeros(3, np.float32), name="v")
    grad = tf.placeholder(tf.float32, None)
    op = training_ops.resource_apply("GradientDescent", [v.handle], [0.1, grad], name="apply")
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(op, {grad: np.ones(3)})
        sess.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError, match=r"var and delta do not have the "
                                                              r"same shape: variable 'v' has "
                                                              r"shape \[3\], delta has shape "
                                                              r"\[4\] \(node 'apply'\)"):
            sess.run(op, {grad: np.ones(4)})
    with pytest.raises(ValueError, match="Shapes must be equal"):
        w = tf.Variable(np.zeros(3, np.float32))
        training_ops.resource_apply("GradientDescent", [w.handle], [0.1, np.ones(4, np.float32)])
    with pytest.raises(ValueError, match="Shape must be rank 0"):
        w = tf.Variable(np.zeros(3, np.float32))
        training_ops.resource_apply("GradientDescent", [w.handle], [[0.1], np.ones(3, np.float32)])
