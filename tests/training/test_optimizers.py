"""Every optimizer's update matches a numpy re-implementation of its formula, step by step."""
import numpy as np
import pytest

import plano as tf

C = np.array([0.5, -1.5, 2.0])
W0 = np.array([1.0, -2.0, 0.25])
STEPS = 6


def grad_of(w):
    """The gradient of the test loss sum(0.5 * w^2 + C * w)."""
    return w + C


def sgd(lr):
    def step(w, state, t):
        return w - lr * grad_of(w), state
    return step, {}


def momentum(lr, mu, nesterov):
    def step(w, state, t):
        g = grad_of(w)
        state["accum"] = mu * state["accum"] + g
        if nesterov:
            return w - (lr * g + lr * mu * state["accum"]), state
        return w - lr * state["accum"], state
    return step, {"accum": np.zeros(3)}


def adam(lr, b1, b2, eps):
    def step(w, state, t):
        g = grad_of(w)
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - alpha * state["m"] / (np.sqrt(state["v"]) + eps), state
    return step, {"m": np.zeros(3), "v": np.zeros(3)}


def rmsprop(lr, decay, mu, eps, centered):
    def step(w, state, t):
        g = grad_of(w)
        state["ms"] = decay * state["ms"] + (1 - decay) * g * g
        denom = state["ms"]
        if centered:
            state["mg"] = decay * state["mg"] + (1 - decay) * g
            denom = denom - state["mg"] ** 2
        state["mom"] = mu * state["mom"] + lr * g / np.sqrt(denom + eps)
        return w - state["mom"], state
    return step, {"ms": np.ones(3), "mg": np.zeros(3), "mom": np.zeros(3)}


def adagrad(lr, init):
    def step(w, state, t):
        g = grad_of(w)
        state["acc"] = state["acc"] + g * g
        return w - lr * g / np.sqrt(state["acc"]), state
    return step, {"acc": np.full(3, init)}


CASES = [
    ("sgd", lambda: tf.train.GradientDescentOptimizer(0.1), sgd(0.1)),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.1, 0.9), momentum(0.1, 0.9, False)),
    ("nesterov", lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
     momentum(0.1, 0.9, True)),
    ("adam", lambda: tf.train.AdamOptimizer(0.05, 0.8, 0.95, 1e-6), adam(0.05, 0.8, 0.95, 1e-6)),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01, 0.9, 0.5, 1e-8),
     rmsprop(0.01, 0.9, 0.5, 1e-8, False)),
    ("rmsprop_centered", lambda: tf.train.RMSPropOptimizer(0.01, 0.8, 0.3, 1e-6, centered=True),
     rmsprop(0.01, 0.8, 0.3, 1e-6, True)),
    ("adagrad", lambda: tf.train.AdagradOptimizer(0.3, 0.2), adagrad(0.3, 0.2)),
]


@pytest.mark.parametrize("name,make_opt,reference", CASES, ids=[c[0] for c in CASES])
def test_update_matches_numpy_formula_step_by_step(name, make_opt, reference):
    w = tf.Variable(W0, name="w")
    loss = tf.reduce_sum(0.5 * w * w + w * C)
    train_op = make_opt().minimize(loss)
    step, state = reference
    expected = W0.copy()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for t in range(1, STEPS + 1):
            sess.run(train_op)
            expected, state = step(expected, state, t)
            np.testing.assert_allclose(sess.run(w), expected, rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} step {t}")


def test_adam_slots_and_beta_powers_follow_tf_names_and_values():
    w = tf.Variable(W0, name="w")
    opt = tf.train.AdamOptimizer(0.1, beta1=0.9, beta2=0.99)
    train_op = opt.minimize(tf.reduce_sum(w * w))
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(w, "m").name == "w/Adam:0"
    assert opt.get_slot(w, "v").name == "w/Adam_1:0"
    names = sorted(v.op.name for v in opt.variables())
    assert names == ["beta1_power", "beta2_power", "w/Adam", "w/Adam_1"]
    ops = {op.type for op in tf.get_default_graph().get_operations()}
    assert "ResourceApplyAdam" in ops
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train_op)
        b1, b2 = sess.run([opt._non_slot["beta1_power"], opt._non_slot["beta2_power"]])
    assert b1 == pytest.approx(0.9 ** 4) and b2 == pytest.approx(0.99 ** 4)


def test_minimize_increments_global_step_and_respects_var_list():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    gs = tf.train.get_or_create_global_step()
    assert tf.train.get_or_create_global_step() is gs
    assert gs.op.name == "global_step" and gs.dtype == tf.int64 and not gs.trainable
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(a * a + b * b, global_step=gs,
                                                               var_list=[a])
    assert train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        sess.run(train_op)
        assert tf.train.global_step(sess, gs) == 2
        assert sess.run([a, b]) == [0.0, 1.0]


def test_compute_and_apply_gradients_separately():
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.GradientDescentOptimizer(1.0)
    grads_and_vars = opt.compute_gradients(tf.reduce_sum(w * w))
    assert [v for _, v in grads_and_vars] == [w]
    clipped = [(tf.clip_by_value(g, -1.0, 1.0), v) for g, v in grads_and_vars]
    train_op = opt.apply_gradients(clipped)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        np.testing.assert_allclose(sess.run(w), [0.0, 1.0])


def test_learning_rate_may_be_a_tensor_fed_each_step():
    w = tf.Variable(1.0, dtype=tf.float64)
    lr = tf.placeholder(tf.float32, [])
    train_op = tf.train.GradientDescentOptimizer(lr).minimize(w * w)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, {lr: 0.25})
        assert sess.run(w) == pytest.approx(0.5)
        sess.run(train_op, {lr: 0.5})
        assert sess.run(w) == pytest.approx(0.0)


def test_optimizer_errors_name_the_problem():
    w = tf.Variable(1.0, name="w")
    unrelated = tf.placeholder(tf.float32, [])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(unrelated * 2.0, var_list=[w])
    with pytest.raises(ValueError, match="Invalid type int32"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1), var_list=[w])
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(TypeError, match="Optimizers update Variables"):
        tf.train.GradientDescentOptimizer(0.1).minimize(w * 2.0, var_list=[unrelated])
