"""tf.layers and tf.losses against numpy."""
import numpy as np
import pytest

import plano as tf


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_dense_builds_kernel_and_bias_and_matches_numpy():
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.layers.dense(x, 4, activation=tf.nn.relu,
                        kernel_initializer=tf.constant_initializer(np.arange(12) / 10 - 0.5),
                        bias_initializer=tf.constant_initializer(0.1))
    y2 = tf.layers.dense(y, 2)
    names = [v.op.name for v in tf.trainable_variables()]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert y.op.name == "dense/Relu"
    xv = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    got = run(y, {x: xv})
    kernel = (np.arange(12) / 10 - 0.5).reshape(3, 4)
    np.testing.assert_allclose(got, np.maximum(xv @ kernel + 0.1, 0))
    assert y2.shape.as_list() == [None, 2]


def test_dense_reuse_shares_variables_and_handles_rank_3():
    x = tf.placeholder(tf.float32, [2, 5, 3])
    a = tf.layers.dense(x, 4, name="shared")
    b = tf.layers.dense(x, 4, name="shared", reuse=True)
    assert len(tf.trainable_variables()) == 2
    av, bv = run([a, b], {x: np.ones((2, 5, 3))})
    np.testing.assert_array_equal(av, bv)
    assert av.shape == (2, 5, 4)
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be "
                                         "defined"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)


def test_conv_pool_flatten_pipeline_shapes_and_values():
    x = tf.placeholder(tf.float64, [None, 6, 6, 1])
    conv = tf.layers.conv2d(x, 2, 3, padding="same", kernel_initializer=tf.ones_initializer())
    pool = tf.layers.max_pooling2d(conv, 2, 2)
    flat = tf.layers.flatten(pool)
    assert conv.shape.as_list() == [None, 6, 6, 2]
    assert pool.shape.as_list() == [None, 3, 3, 2]
    assert flat.shape.as_list() == [None, 18]
    assert [v.op.name for v in tf.trainable_variables()] == ["conv2d/kernel", "conv2d/bias"]
    img = np.arange(36.0).reshape(1, 6, 6, 1)
    got_conv, got_flat = run([conv, flat], {x: img})
    padded = np.pad(img[0, :, :, 0], 1)
    box = np.array([[padded[i:i + 3, j:j + 3].sum() for j in range(6)] for i in range(6)])
    np.testing.assert_allclose(got_conv[0, :, :, 0], box)
    pooled = box.reshape(3, 2, 3, 2).max(axis=(1, 3))
    np.testing.assert_allclose(got_flat[0, ::2], pooled.reshape(-1))


def test_dropout_is_identity_unless_training():
    x = tf.ones([1000])
    off = tf.layers.dropout(x, rate=0.5)
    on = tf.layers.dropout(x, rate=0.5, training=True, seed=1)
    flag = tf.placeholder_with_default(False, [])
    switch = tf.layers.dropout(x, rate=0.5, training=flag, seed=2)
    with tf.Session() as sess:
        o, n, s_off = sess.run([off, on, switch])
        s_on = sess.run(switch, {flag: True})
    np.testing.assert_array_equal(o, np.ones(1000))
    np.testing.assert_array_equal(s_off, np.ones(1000))
    for dropped in (n, s_on):
        assert set(np.unique(dropped)) <= {0.0, 2.0}
        assert 400 < np.count_nonzero(dropped) < 600


def test_losses_match_numpy_and_collect():
    labels = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 0.2, 3.0]])
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    xent = -(labels * log_softmax).sum(axis=1)
    mse = tf.losses.mean_squared_error(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 5.0]))
    soft = tf.losses.softmax_cross_entropy(labels, logits)
    sparse = tf.losses.sparse_softmax_cross_entropy([0, 2], logits)
    weighted = tf.losses.sparse_softmax_cross_entropy([0, 2], logits, weights=[1.0, 0.0])
    smooth = tf.losses.softmax_cross_entropy(labels, logits, label_smoothing=0.3)
    sig = tf.losses.sigmoid_cross_entropy([[1.0, 0.0]], np.array([[0.3, -2.0]]))
    got = run([mse, soft, sparse, weighted, smooth, sig])
    assert got[0] == pytest.approx((0.25 + 0 + 4) / 3)
    assert got[1] == pytest.approx(xent.mean())
    assert got[2] == pytest.approx(xent.mean())
    assert got[3] == pytest.approx(xent[0])
    smoothed = labels * 0.7 + 0.1
    assert got[4] == pytest.approx(-(smoothed * log_softmax).sum(axis=1).mean())
    z = np.array([0.3, -2.0])
    assert got[5] == pytest.approx(np.mean(np.maximum(z, 0) - z * [1, 0] +
                                           np.log1p(np.exp(-abs(z)))))
    assert len(tf.losses.get_losses()) == 6
    assert run(tf.losses.get_total_loss()) == pytest.approx(sum(got))


def test_loss_reductions():
    losses = np.array([1.0, 2.0, 3.0, 4.0])
    weights = np.array([0.0, 1.0, 0.5, 0.0])
    R = tf.losses.Reduction
    out = {r: tf.losses.compute_weighted_loss(losses, weights, reduction=r)
           for r in [R.NONE, R.SUM, R.MEAN, R.SUM_OVER_BATCH_SIZE, R.SUM_BY_NONZERO_WEIGHTS]}
    got = dict(zip(out, run(list(out.values()))))
    np.testing.assert_allclose(got[R.NONE], losses * weights)
    assert got[R.SUM] == pytest.approx(3.5)
    assert got[R.MEAN] == pytest.approx(3.5 / 1.5)
    assert got[R.SUM_OVER_BATCH_SIZE] == pytest.approx(3.5 / 4)
    assert got[R.SUM_BY_NONZERO_WEIGHTS] == pytest.approx(3.5 / 2)
    zero = tf.losses.compute_weighted_loss(losses, np.zeros(4))
    assert run(zero) == 0.0
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.compute_weighted_loss(losses, reduction="median")


def test_nn_losses_used_by_tf1_code():
    logits = tf.constant([[0.5, -1.0]], dtype=tf.float64)
    labels = tf.constant([[1.0, 0.0]], dtype=tf.float64)
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    l2 = tf.nn.l2_loss(tf.constant([3.0, 4.0]))
    got_sig, got_l2 = run([sig, l2])
    z = np.array([[0.5, -1.0]])
    np.testing.assert_allclose(got_sig, np.maximum(z, 0) - z * [[1, 0]] + np.log1p(np.exp(-abs(z))))
    assert got_l2 == pytest.approx(12.5)
