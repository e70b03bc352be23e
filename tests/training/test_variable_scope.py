"""get_variable / variable_scope / initializers, as tf.compat.v1 users write them."""
import numpy as np
import pytest

import plano as tf


def values(*tensors):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(tensors))


def test_names_come_from_variable_scopes_not_name_scopes():
    with tf.variable_scope("model"):
        with tf.name_scope("ignored"):
            v = tf.get_variable("v", [2], initializer=tf.zeros_initializer())
        with tf.variable_scope("inner"):
            u = tf.get_variable("u", [], initializer=tf.ones_initializer())
            assert tf.get_variable_scope().name == "model/inner"
    assert v.op.name == "model/v" and u.op.name == "model/inner/u"
    assert values(v, u) == [pytest.approx([0.0, 0.0]), 1.0]


def test_reuse_true_shares_and_missing_variable_is_an_error():
    with tf.variable_scope("s"):
        v = tf.get_variable("v", [3])
    with tf.variable_scope("s", reuse=True):
        assert tf.get_variable("v") is v
        assert tf.get_variable("v", [3]) is v
        with pytest.raises(ValueError, match="Variable s/w does not exist, or was not created "
                                             "with tf.get_variable"):
            tf.get_variable("w", [1])
    with tf.variable_scope("s"):
        with pytest.raises(ValueError, match="Variable s/v already exists, disallowed. Did you "
                                             "mean to set reuse=True or reuse=tf.AUTO_REUSE"):
            tf.get_variable("v", [3])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable s/v, but specified "
                                             r"shape \(4,\) and found shape \(3,\)"):
            tf.get_variable("v", [4])
        with pytest.raises(ValueError, match="specified dtype float64 and found dtype float32"):
            tf.get_variable("v", [3], dtype=tf.float64)


def test_auto_reuse_creates_then_returns():
    def layer():
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [2])
    assert layer() is layer()
    assert len(tf.global_variables()) == 1


def test_reuse_variables_and_scope_objects():
    with tf.variable_scope("a") as scope:
        v = tf.get_variable("v", [1])
        scope.reuse_variables()
        assert tf.get_variable("v") is v
    with tf.variable_scope(scope, reuse=True):
        assert tf.get_variable("v") is v
    with tf.variable_scope("c") as fresh:
        pass
    with tf.variable_scope("b"):
        with tf.variable_scope(fresh):  # an absolute scope: names stay "c/..."
            w = tf.get_variable("w", [1])
    assert w.op.name == "c/w"


def test_default_names_are_unique_and_restart_when_the_parent_is_reentered():
    names = []
    with tf.variable_scope("net"):
        for _ in range(2):
            with tf.variable_scope(None, default_name="dense"):
                names.append(tf.get_variable("k", [1]).op.name)
    with tf.variable_scope("net", reuse=True):
        with tf.variable_scope(None, default_name="dense"):
            again = tf.get_variable("k", [1])
    assert names == ["net/dense/k", "net/dense_1/k"]
    assert again.op.name == "net/dense/k"


def test_scope_initializer_and_dtype_are_inherited():
    with tf.variable_scope("init", initializer=tf.constant_initializer(7.0), dtype=tf.float64):
        with tf.variable_scope("child"):
            v = tf.get_variable("v", [2])
    assert v.dtype == tf.float64
    np.testing.assert_array_equal(values(v)[0], [7.0, 7.0])


def test_initializer_values_and_constant_initial_values():
    tf.set_random_seed(3)
    const = tf.get_variable("const", initializer=np.arange(4.0).reshape(2, 2))
    filled = tf.get_variable("filled", [2, 3], initializer=tf.constant_initializer([1, 2, 3, 4, 5,
                                                                                   6]))
    normal = tf.get_variable("normal", [2000], initializer=tf.random_normal_initializer(1.0, 2.0))
    trunc = tf.get_variable("trunc", [2000], initializer=tf.truncated_normal_initializer(0, 1.0))
    glorot = tf.get_variable("glorot", [30, 50])  # the default: glorot_uniform
    he = tf.get_variable("he", [4000, 10], initializer=tf.initializers.he_normal())
    ints = tf.get_variable("ints", [3], dtype=tf.int32)  # integers default to zeros
    c, f, n, t, g, h, i = values(const, filled, normal, trunc, glorot, he, ints)
    np.testing.assert_array_equal(c, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(f, [[1, 2, 3], [4, 5, 6]])
    assert abs(n.mean() - 1.0) < 0.15 and abs(n.std() - 2.0) < 0.15
    assert np.abs(t).max() <= 2.0 and abs(t.std() - 0.88) < 0.05
    limit = np.sqrt(6.0 / (30 + 50))
    assert np.abs(g).max() <= limit and np.abs(g).max() > 0.9 * limit
    assert abs(h.std() - np.sqrt(2.0 / 4000)) < 0.1 * np.sqrt(2.0 / 4000)
    np.testing.assert_array_equal(i, [0, 0, 0])


def test_variance_scaling_modes_and_fans():
    from plano.initializers import VarianceScaling, compute_fans

    assert compute_fans([3, 3, 16, 32]) == (144.0, 288.0)
    assert compute_fans([5]) == (5.0, 5.0)
    v = tf.get_variable("v", [100, 400], initializer=tf.variance_scaling_initializer(
        scale=3.0, mode="fan_out", distribution="uniform"))
    (got,) = values(v)
    assert np.abs(got).max() <= np.sqrt(3.0 * 3.0 / 400)
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        VarianceScaling(mode="fan_sideways")


def test_new_variable_needs_a_shape_and_constants_take_none():
    with pytest.raises(ValueError, match=r"Shape of a new variable \(x\) must be fully defined"):
        tf.get_variable("x")
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("y", [2], initializer=tf.constant([1.0, 2.0]))


def test_regularizer_adds_a_regularization_loss():
    v = tf.get_variable("v", initializer=[3.0, 4.0], regularizer=lambda w: tf.nn.l2_loss(w))
    (reg,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert values(reg)[0] == pytest.approx(12.5)
    assert tf.losses.get_regularization_loss().name.startswith("total_regularization_loss")
    assert v.op.name == "v"
