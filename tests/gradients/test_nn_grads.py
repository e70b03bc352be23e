"""NN gradients against central finite differences in float64, over random shapes.

Inputs are drawn away from the kinks (relu at 0 and 6, max-pool ties) where a
finite difference is not a derivative.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plano as tf
from plano.ops import conv_ops, nn_ops
from tests.gradients.gradcheck import check_gradients

SETTINGS = settings(max_examples=6, deadline=None)
SHAPES = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def away_from_kinks(rng, shape, kinks=(0.0,)):
    """Uniform values in [-8, 8] at least 0.05 from every kink."""
    x = rng.uniform(-8, 8, shape)
    for k in kinks:
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.1
    return x


ACTIVATIONS = {
    "relu": (tf.nn.relu, (0.0,)),
    "relu6": (tf.nn.relu6, (0.0, 6.0)),
    "elu": (tf.nn.elu, (0.0,)),
    "selu": (tf.nn.selu, (0.0,)),
    "leaky_relu": (lambda x: tf.nn.leaky_relu(x, alpha=0.3), (0.0,)),
    "softplus": (tf.nn.softplus, ()),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 10**6))
def test_activation_grads(name, shape, seed):
    fn, kinks = ACTIVATIONS[name]
    check_gradients(fn, [away_from_kinks(np.random.default_rng(seed), shape, kinks)])


@pytest.mark.parametrize("op_type", ["ReluGrad", "Relu6Grad", "LeakyReluGrad"])
def test_grads_of_activation_grads(op_type):
    rng = np.random.default_rng(0)
    g = rng.uniform(-1, 1, (3, 4))
    x = away_from_kinks(rng, (3, 4), (0.0, 6.0))
    check_gradients(lambda a, b: tf.get_default_graph().create_op(op_type, [a, b]).outputs[0],
                    [g, x], wrt=[0])


@pytest.mark.parametrize("op_type", ["EluGrad", "SeluGrad", "SoftplusGrad"])
def test_grads_of_smooth_activation_grads(op_type):
    rng = np.random.default_rng(11)
    g, y = rng.uniform(-1, 1, (3, 4)), away_from_kinks(rng, (3, 4)) / 4
    check_gradients(lambda a, b: tf.get_default_graph().create_op(op_type, [a, b]).outputs[0],
                    [g, y])


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_grad_of_bias_add_grad(data_format):
    grad = np.random.default_rng(12).normal(size=(2, 3, 2, 2))
    check_gradients(lambda g: nn_ops.bias_add_grad(g, data_format=data_format), [grad])


@pytest.mark.parametrize("fn", [tf.nn.softmax, tf.nn.log_softmax])
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 10**6))
def test_softmax_grads(fn, shape, seed):
    check_gradients(fn, [np.random.default_rng(seed).normal(0, 2, shape)])


@pytest.mark.parametrize("fn", [tf.nn.softmax, tf.nn.log_softmax])
def test_softmax_along_a_middle_axis(fn):
    x = np.random.default_rng(1).normal(0, 2, (2, 3, 4))
    check_gradients(lambda t: fn(t, axis=1), [x])


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_bias_add_grad(data_format):
    rng = np.random.default_rng(2)
    value = rng.normal(size=(2, 3, 2, 2))
    bias = rng.normal(size=3 if data_format == "NCHW" else 2)
    check_gradients(lambda v, b: tf.nn.bias_add(v, b, data_format=data_format), [value, bias])


def xent_inputs(seed, batch=3, classes=4):
    rng = np.random.default_rng(seed)
    labels = rng.uniform(0, 1, (batch, classes))
    return rng.normal(0, 2, (batch, classes)), labels / labels.sum(1, keepdims=True)


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_softmax_cross_entropy_grads(seed):
    logits, labels = xent_inputs(seed)
    check_gradients(lambda x, y: nn_ops.softmax_cross_entropy_with_logits(x, y)[0],
                    [logits, labels])
    check_gradients(lambda x, y: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x),
                    [logits, labels])


def test_softmax_cross_entropy_second_order():
    logits, labels = xent_inputs(3)
    check_gradients(lambda x: tf.gradients(
        nn_ops.softmax_cross_entropy_with_logits(x, labels)[0], x)[0], [logits])


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_sparse_softmax_cross_entropy_grads(seed):
    logits, _ = xent_inputs(seed)
    labels = np.random.default_rng(seed).integers(0, 4, 3)
    check_gradients(lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=x), [logits, labels])
    check_gradients(lambda x: tf.gradients(
        nn_ops.sparse_softmax_cross_entropy_with_logits(x, labels)[0], x)[0], [logits])


def test_sigmoid_cross_entropy_grads():
    rng = np.random.default_rng(4)
    check_gradients(lambda x, z: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
                    [rng.normal(0, 3, (3, 4)), rng.uniform(0, 1, (3, 4))])


@st.composite
def conv_cases(draw):
    nchw = draw(st.booleans())
    padding = draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))
    k = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 2))
    dilation = draw(st.integers(1, 2))
    size = (k - 1) * dilation + 1 + draw(st.integers(0, 3))
    shape = (1, 2, size, size) if nchw else (1, size, size, 2)
    pads = [[0, 0], [1, 0], [0, 2], [0, 0]]
    if nchw:
        pads = [pads[0], pads[3], pads[1], pads[2]]
    return dict(shape=shape, filter=(k, k, 2, 2), strides=stride, dilations=dilation,
                padding=pads if padding == "EXPLICIT" else padding,
                data_format="NCHW" if nchw else "NHWC")


@SETTINGS
@given(case=conv_cases(), seed=st.integers(0, 10**6))
def test_conv2d_grads(case, seed):
    rng = np.random.default_rng(seed)
    x, f = rng.normal(size=case["shape"]), rng.normal(size=case["filter"])

    def conv(a, b):
        return tf.nn.conv2d(a, b, strides=case["strides"], padding=case["padding"],
                            data_format=case["data_format"], dilations=case["dilations"])
    check_gradients(conv, [x, f])


def test_grads_of_conv2d_backprops():
    rng = np.random.default_rng(5)
    x, f, dy = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(2, 2, 2, 3)), \
        rng.normal(size=(1, 2, 2, 3))
    attrs = {"strides": [1, 2, 2, 1], "padding": "SAME"}
    check_gradients(lambda b, d: conv_ops.conv2d_backprop_input([1, 4, 4, 2], b, d, **attrs),
                    [f, dy])
    check_gradients(lambda a, d: conv_ops.conv2d_backprop_filter(a, [2, 2, 2, 3], d, **attrs),
                    [x, dy])


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_pool_grads(padding, data_format):
    rng = np.random.default_rng(6)
    shape = (2, 2, 5, 4) if data_format == "NCHW" else (2, 5, 4, 2)
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0  # distinct: no max ties
    for pool in (tf.nn.max_pool, tf.nn.avg_pool):
        check_gradients(lambda t, pool=pool: pool(t, ksize=[2, 3], strides=2, padding=padding,
                                                  data_format=data_format), [x])


def test_grad_of_avg_pool_grad():
    grad = np.random.default_rng(7).normal(size=(1, 2, 2, 1))
    check_gradients(lambda g: conv_ops.avg_pool_grad([1, 4, 4, 1], g, [1, 2, 2, 1],
                                                   [1, 2, 2, 1], "VALID"), [grad])


def test_l2_loss_and_l2_normalize_grads():
    x = np.random.default_rng(8).normal(size=(3, 4))
    check_gradients(tf.nn.l2_loss, [x])
    check_gradients(lambda t: tf.nn.l2_normalize(t, axis=1), [x])


def test_moments_grads():
    x = np.random.default_rng(9).normal(size=(3, 4))
    check_gradients(lambda t: list(tf.nn.moments(t, axes=[0])), [x])


def test_top_k_grad():
    x = np.random.default_rng(10).permutation(12).reshape(3, 4) / 3.0
    check_gradients(lambda t: tf.nn.top_k(t, k=2).values, [x])
