"""Conformance of "ShapeN", "ConcatOffset", "MirrorPad" and "MirrorPadGrad" (ops TF writes)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from tests.gradients.gradcheck import check_gradients


def test_shape_n_gives_every_shape():
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [2, 2, 2])
    sa, sb = tf.shape_n([a, b], out_type=tf.int64)
    assert sa.op.type == "ShapeN" and sa.shape.as_list() == [2] and sb.shape.as_list() == [3]
    with tf.Session() as sess:
        got_a, got_b = sess.run([sa, sb], {a: np.zeros((5, 3)), b: np.zeros((2, 2, 2))})
    assert got_a.dtype == np.int64
    np.testing.assert_array_equal(got_a, [5, 3])
    np.testing.assert_array_equal(got_b, [2, 2, 2])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["REFLECT", "SYMMETRIC"]),
       hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
                  elements=st.floats(-10, 10)),
       st.data())
def test_mirror_pad_matches_numpy(mode, x, data):
    limit = (lambda d: d - 1) if mode == "REFLECT" else (lambda d: d)
    pads = [[data.draw(st.integers(0, limit(d))), data.draw(st.integers(0, limit(d)))]
            for d in x.shape]
    g = tf.Graph()
    with g.as_default():
        y = tf.pad(tf.constant(x), pads, mode=mode)
        assert y.op.type == "MirrorPad"
        assert y.shape.as_list() == [d + a + b for d, (a, b) in zip(x.shape, pads)]
    with tf.Session(graph=g) as sess:
        np.testing.assert_array_equal(sess.run(y), np.pad(x, pads, mode=mode.lower()))


def test_mirror_pad_rejects_paddings_beyond_the_dimension():
    y = tf.pad(tf.placeholder(tf.float32, [3], name="x"), [[3, 0]], mode="REFLECT")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="paddings must be no greater than the dimension size"):
            sess.run(y, {"x:0": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_gradient_is_mirror_pad_grad(mode):
    x = np.random.default_rng(0).normal(size=(4, 5))
    pads = [[2, 1], [1, 3]] if mode == "REFLECT" else [[3, 4], [0, 5]]
    check_gradients(lambda t: tf.pad(t, pads, mode=mode), [x])
    check_gradients(lambda t: tf.pad(t, pads, mode=mode), [x], dynamic_shapes=True)
    t = tf.placeholder(tf.float64, [4, 5])
    (grad,) = tf.gradients(tf.pad(t, pads, mode=mode), [t])
    assert grad.op.type == "MirrorPadGrad" and grad.op.get_attr("mode") == mode.encode()


def test_concat_offset_gives_each_input_its_start():
    shapes = [tf.constant([2, 3, 5]), tf.constant([2, 4, 5]), tf.constant([2, 1, 5])]
    g = tf.get_default_graph()
    offsets = g.create_op("ConcatOffset", [tf.constant(1), shapes]).outputs
    bad = g.create_op("ConcatOffset", [tf.constant(1), [shapes[0], tf.constant([3, 3, 5])]])
    assert [o.shape.as_list() for o in offsets] == [[3], [3], [3]]
    with tf.Session() as sess:
        got = sess.run(offsets)
        for value, want in zip(got, [[0, 0, 0], [0, 3, 0], [0, 7, 0]]):
            np.testing.assert_array_equal(value, want)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"input\[1,0\] mismatch: 3 vs 2"):
            sess.run(bad.outputs)
