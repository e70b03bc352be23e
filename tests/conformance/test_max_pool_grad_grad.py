"""Conformance of "MaxPoolGradGrad", the gradient of "MaxPoolGrad" (second order max pool)."""
import numpy as np
import pytest

import plano as tf
from plano.ops import conv_ops
from tests.gradients.gradcheck import check_gradients


def _reference(x, gg, k, s):
    """For each VALID window of x: gg at the window's first maximum."""
    n, h, w, c = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, oh, ow, c), x.dtype)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    win = x[b, i * s:i * s + k, j * s:j * s + k, ch].reshape(-1)
                    a = int(np.argmax(win))
                    out[b, i, j, ch] = gg[b, i * s + a // k, j * s + a % k, ch]
    return out


@pytest.mark.parametrize("k, s", [(2, 2), (3, 1), (2, 1)])
def test_max_pool_grad_grad_matches_reference(k, s):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.integers(0, 4, size=(2, 6, 5, 3)).astype(np.float32)  # many ties
    gg = rng.normal(size=x.shape).astype(np.float32)
    attrs = {"ksize": [1, k, k, 1], "strides": [1, s, s, 1], "padding": "VALID"}
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, **attrs)
    out = tf.get_default_graph().create_op(
        "MaxPoolGradGrad", [xt, y, tf.constant(gg)], attrs).outputs[0]
    assert out.shape.as_list() == y.shape.as_list()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), _reference(x, gg, k, s))


def test_second_order_max_pool_gradient_flows_through_max_pool_grad():
    x = np.random.default_rng(1).normal(size=(1, 4, 4, 2))
    attrs = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}

    def build(xt, g):
        return conv_ops.max_pool_grad(xt, tf.nn.max_pool(xt, **attrs), g, **attrs)
    check_gradients(build, [x, np.ones((1, 2, 2, 2))], wrt=[1])
