"""plano.gradients itself: summing, unconnected inputs, stop_gradients, grad_ys, variables."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plano as tf
from tests.gradients.gradcheck import check_gradients


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_gradients_from_several_consumers_are_summed_with_add_n():
    x = tf.placeholder(tf.float64, [3])
    y = tf.reduce_sum(x * x) + tf.reduce_sum(3.0 * x)
    (g,) = tf.gradients(y, [x])
    np.testing.assert_allclose(run(g, {x: [1.0, 2.0, -1.0]}), [5.0, 7.0, 1.0])
    assert any(op.type == "AddN" for op in tf.get_default_graph().get_operations())


def test_unconnected_x_gives_none_or_zeros():
    x = tf.placeholder(tf.float32, [2])
    other = tf.placeholder(tf.float32, [2, 3])
    y = tf.reduce_sum(tf.square(x))
    assert tf.gradients(y, [other]) == [None]
    (z,) = tf.gradients(y, [other], unconnected_gradients="zero")
    np.testing.assert_array_equal(run(z, {other: np.ones((2, 3))}), np.zeros((2, 3)))
    (z2,) = tf.gradients(y, [other], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert z2.dtype == tf.float32


def test_stop_gradients_treats_tensors_as_constants():
    a = tf.placeholder(tf.float64, [])
    b = 2.0 * a
    y = a + b
    assert run(tf.gradients(y, [a])[0], {a: 1.0}) == 3.0
    assert run(tf.gradients(y, [a], stop_gradients=[b])[0], {a: 1.0}) == 1.0
    # both a and b are xs: each is its own total derivative unless b is stopped
    ga, gb = tf.gradients(y, [a, b])
    assert run([ga, gb], {a: 1.0}) == [3.0, 1.0]
    ga, gb = tf.gradients(y, [a, b], stop_gradients=[a, b])
    assert run([ga, gb], {a: 1.0}) == [1.0, 1.0]


def test_stop_gradient_op_blocks_the_path():
    x = tf.placeholder(tf.float64, [2])
    y = tf.reduce_sum(tf.stop_gradient(x) * x)
    np.testing.assert_allclose(run(tf.gradients(y, x)[0], {x: [2.0, 3.0]}), [2.0, 3.0])
    assert tf.gradients(tf.reduce_sum(tf.stop_gradient(x)), x) == [None]


def test_grad_ys_weights_each_y_and_defaults_to_ones():
    x = tf.placeholder(tf.float64, [2])
    y1, y2 = 3.0 * x, x * x
    g_default = tf.gradients([y1, y2], x)[0]
    g_weighted = tf.gradients([y1, y2], x, grad_ys=[[1.0, 0.0], [0.5, 2.0]])[0]
    got = run([g_default, g_weighted], {x: [1.0, 2.0]})
    np.testing.assert_allclose(got[0], [5.0, 7.0])
    np.testing.assert_allclose(got[1], [3.0 + 1.0, 0.0 + 8.0])
    with pytest.raises(ValueError, match="Passed 1 grad_ys for 2 ys"):
        tf.gradients([y1, y2], x, grad_ys=[[1.0, 1.0]])


def test_gradient_of_a_tensor_with_respect_to_itself_is_grad_ys():
    x = tf.placeholder(tf.float32, [2])
    np.testing.assert_array_equal(run(tf.gradients(x, x)[0], {x: [4.0, 5.0]}), [1.0, 1.0])


def test_variable_gradient_sums_over_all_reads():
    v = tf.Variable([1.0, 2.0], dtype=tf.float64)
    y = tf.reduce_sum(v * v) + tf.reduce_sum(v.read_value())
    (g,) = tf.gradients(y, [v])
    np.testing.assert_allclose(run(g), [3.0, 5.0])


def test_integer_paths_carry_no_gradient():
    x = tf.placeholder(tf.float32, [2, 3])
    y = tf.reduce_sum(tf.fill(tf.shape(x), 2.0))
    assert tf.gradients(y, x) == [None]


def test_backward_nodes_live_under_the_gradients_name_scope():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.nn.relu(x, name="r")
    (g,) = tf.gradients(y, x)
    assert g.name.startswith("gradients/r_grad/")
    assert g.op.type == "ReluGrad"
    (g2,) = tf.gradients(y, x)
    assert g2.name.startswith("gradients_1/")


def test_broadcasting_is_reduced_to_each_input_shape_at_run_time():
    a = tf.placeholder(tf.float64, None)
    b = tf.placeholder(tf.float64, None)
    ga, gb = tf.gradients(a * b, [a, b])
    av, bv = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    got_a, got_b = run([ga, gb], {a: av, b: bv})
    np.testing.assert_allclose(got_a, np.broadcast_to(bv, (2, 3)))
    np.testing.assert_allclose(got_b, av.sum(axis=0))


def test_gradcheck_accepts_correct_and_rejects_wrong_gradients():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    check_gradients(lambda x, y: tf.matmul(x, y), [a, b])
    check_gradients(lambda x, y: tf.matmul(x, y), [a, b], dynamic_shapes=True)
    # a wrong gradient (identity claimed for sigmoid) must be caught
    with pytest.raises(AssertionError, match="differs from finite differences"):
        check_gradients(lambda x: tf.stop_gradient(tf.sigmoid(x)) - tf.stop_gradient(x) + x,
                        [a], eps=1e-6)


def test_miniflow_backprop_example():
    """The seed lesson's Linear -> Sigmoid -> MSE graph and the gradients it prints."""
    X = tf.placeholder(tf.float64, [None, 2])
    y = tf.placeholder(tf.float64, [None, 1])
    W = tf.Variable(np.array([[2.0], [3.0]]))
    b = tf.Variable(np.array([-3.0]))
    a = tf.sigmoid(tf.matmul(X, W) + b)
    cost = tf.reduce_mean(tf.square(y - a))
    grads = tf.gradients(cost, [X, y, W, b])
    got = run(grads, {X: [[-1.0, -2.0], [-1.0, -2.0]], y: [[1.0], [2.0]]})
    np.testing.assert_allclose(got[0], [[-3.34017280e-05, -5.01025919e-05],
                                        [-6.68040138e-05, -1.00206021e-04]], rtol=1e-6)
    np.testing.assert_allclose(got[1], [[0.9999833], [1.9999833]], rtol=1e-6)
    np.testing.assert_allclose(got[2], [[5.01028709e-05], [1.00205742e-04]], rtol=1e-6)
    np.testing.assert_allclose(got[3], [-5.01028709e-05], rtol=1e-6)


def test_gradients_check_their_arguments():
    x = tf.placeholder(tf.float32, [2])
    with pytest.raises(TypeError, match="expects Tensors or Variables"):
        tf.gradients(x, ["not a tensor"])
    with tf.Graph().as_default():
        other = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="not from the same graph"):
        tf.gradients(x, [other])


@st.composite
def broadcastable_pair(draw):
    """Two shapes numpy broadcasts together (some dims 1 or missing on either side)."""
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3))
    a = [d if draw(st.booleans()) else 1 for d in out]
    b = [d if draw(st.booleans()) else 1 for d in out][draw(st.integers(0, len(out))):]
    return a, b


@settings(max_examples=25, deadline=None)
@given(broadcastable_pair(), st.booleans())
def test_composite_graphs_match_finite_differences_over_broadcast_shapes(shapes, dynamic):
    rng = np.random.default_rng(len(shapes[0]) * 7 + len(shapes[1]))
    a = rng.uniform(0.5, 1.5, shapes[0])
    b = rng.uniform(0.5, 1.5, shapes[1])
    check_gradients(lambda x, y: tf.sigmoid(x * y + x) / (y + 2.0) - tf.square(x - y),
                    [a, b], dynamic_shapes=dynamic)
