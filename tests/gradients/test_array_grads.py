"""Gradients of the array ops against central finite differences (float64).

Shapes are random (hypothesis); each op's gradient formula is TF's (GatherV2's
is the dense form of TF's IndexedSlices gradient).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf
from plano.ops import array_ops
from tests.gradients.gradcheck import check_gradients

SETTINGS = settings(max_examples=8, deadline=None)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@SETTINGS
@given(shapes, st.booleans())
def test_reshape_expand_squeeze_identity(shape, dynamic):
    x = rand(shape)
    check_gradients(lambda a: tf.reshape(a, [-1]), [x], dynamic_shapes=dynamic)   # "Reshape"
    check_gradients(lambda a: tf.squeeze(tf.expand_dims(a, 0), [0]), [x],       # "Squeeze"
                    dynamic_shapes=dynamic)
    check_gradients(lambda a: tf.identity(a) * 1.0, [x])                         # "Identity"


@SETTINGS
@given(shapes, st.data())
def test_transpose(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    check_gradients(lambda a: tf.transpose(a, perm), [rand(shape)])


@SETTINGS
@given(shapes, st.data())
def test_concat_and_split(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[axis] = data.draw(st.integers(1, 3))
    check_gradients(lambda a, b: tf.concat([a, b], axis), [rand(shape), rand(other, 1)])
    joined = np.concatenate([rand(shape), rand(other, 1)], axis)
    n = shape[axis]
    check_gradients(lambda a: tf.split(a, [n, -1], axis=axis), [joined])          # "SplitV"
    check_gradients(lambda a: tf.split(a, 2, axis=axis)[0],                       # "Split"
                    [np.concatenate([joined, joined], axis)])


@SETTINGS
@given(shapes, st.data())
def test_stack_unstack(shape, data):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check_gradients(lambda a, b: tf.stack([a, b], axis), [rand(shape), rand(shape, 1)])
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_gradients(lambda a: tf.unstack(a, axis=axis)[-1], [rand(shape)])        # "Unpack"


@SETTINGS
@given(shapes, st.data())
def test_slice_and_strided_slice(shape, data):
    begin = [data.draw(st.integers(0, d - 1)) for d in shape]
    size = [data.draw(st.integers(-1, d - b)) for d, b in zip(shape, begin)]
    check_gradients(lambda a: tf.slice(a, begin, size), [rand(shape)], dynamic_shapes=True)
    key = tuple(data.draw(st.sampled_from([slice(None, None, -1), slice(1, None, 2), 0,
                                           slice(-2, None)])) for _ in shape)
    check_gradients(lambda a: a[key], [rand(shape)])                          # "StridedSlice"
    check_gradients(lambda a: a[..., None, ::-1], [rand(shape)], dynamic_shapes=True)


def test_strided_slice_grad_grad():
    x = rand([3, 4])
    # d/dy of StridedSliceGrad(dy) is StridedSlice: checked through a second derivative.
    def build(a):
        g = tf.gradients(tf.reduce_sum(a[1:, ::2] ** 2), a)[0]
        return g
    check_gradients(build, [x])


@SETTINGS
@given(shapes, st.data())
def test_gather(shape, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx = np.array(data.draw(st.lists(st.integers(0, shape[axis] - 1), min_size=1,
                                      max_size=4)), np.int32)
    check_gradients(lambda a, i: tf.gather(a, i, axis=axis), [rand(shape), idx])


def test_gather_batch_dims():
    params = rand([2, 3, 4])
    idx = np.array([[0, 2, 2], [1, 1, 0]], np.int64)
    check_gradients(lambda a, i: tf.gather(a, i, axis=2, batch_dims=1), [params, idx])
    check_gradients(lambda a, i: tf.gather(a, i, axis=1, batch_dims=1), [params, idx[:, :2]])


def test_unsorted_segment_sum():
    ids = np.array([1, -1, 0, 1], np.int32)
    check_gradients(lambda a, i: tf.unsorted_segment_sum(a, i, 3), [rand([4, 2]), ids])


@SETTINGS
@given(shapes, st.data())
def test_tile_pad_reverse(shape, data):
    reps = [data.draw(st.integers(1, 3)) for _ in shape]
    check_gradients(lambda a: tf.tile(a, reps), [rand(shape)])
    pads = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in shape]
    check_gradients(lambda a: tf.pad(a, pads), [rand(shape)])                      # "Pad"
    check_gradients(lambda a: tf.pad(a, pads, constant_values=2.0), [rand(shape)])  # "PadV2"
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True))
    check_gradients(lambda a: tf.reverse(a, axes), [rand(shape)])              # "ReverseV2"


@SETTINGS
@given(shapes, st.data())
def test_broadcast_to_and_fill(shape, data):
    src = [1 if data.draw(st.booleans()) else d for d in shape][data.draw(
        st.integers(0, len(shape))):]
    check_gradients(lambda a: tf.broadcast_to(a, shape), [rand(src)])
    check_gradients(lambda v: tf.fill(shape, v), [np.float64(0.5)])                # "Fill"


def test_placeholder_with_default_passes_gradient():
    check_gradients(lambda a: tf.placeholder_with_default(a, [None, 2]) * 3.0, [rand([2, 2])])


def test_stop_and_prevent_gradient():
    x = tf.placeholder(tf.float64, [2])
    assert tf.gradients(tf.stop_gradient(x) * x, x)[0] is not None
    assert tf.gradients(tf.stop_gradient(x), x)[0] is None
    with pytest.raises(LookupError, match="Gradient explicitly disabled. Reason: no grads"):
        tf.gradients(array_ops.prevent_gradient(x, message="no grads"), x)


def test_not_differentiable_ops_block_gradients():
    x = tf.placeholder(tf.float64, None)
    hot = tf.one_hot([1], 3, on_value=tf.reduce_sum(x), off_value=np.float64(0))  # "OneHot"
    assert tf.gradients(hot, x) == [None]
    assert tf.gradients(tf.zeros_like(x), x) == [None]                             # "ZerosLike"
    assert tf.gradients(tf.cast(tf.shape(x), tf.float64), x) == [None]             # "Shape"
