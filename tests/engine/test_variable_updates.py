"""Optimizer updates write in place when no one holds the variable's array (as TF's
copy-on-write), and into a new array when a reader still does."""
import numpy as np

import plano as tf
from plano.framework.tensor_shape import TensorShape
from plano_server.engine.variables import ResourceHandle, VariableStore


def _decrement(current, out):
    return [np.subtract(current[0], 1, out=out[0])]


def _store():
    store = VariableStore()
    handle = ResourceHandle("w", tf.float32, TensorShape([3]))
    store.assign(handle, np.ones(3, np.float32), "init")
    return store, handle


def test_an_unshared_variable_is_updated_in_place_and_stays_read_only():
    store, handle = _store()
    before = id(store.read(handle, "read"))
    store.update_many([handle], _decrement, "update")
    after = store.read(handle, "read")
    assert id(after) == before
    np.testing.assert_array_equal(after, [0, 0, 0])
    assert not after.flags.writeable


def test_a_value_someone_holds_is_never_written():
    store, handle = _store()
    held = store.read(handle, "read")
    store.update_many([handle], _decrement, "update")
    np.testing.assert_array_equal(held, [1, 1, 1])
    np.testing.assert_array_equal(store.read(handle, "read"), [0, 0, 0])


def test_a_read_fetched_with_the_update_keeps_its_old_value():
    v = tf.Variable([1.0, 2.0])
    old = v.read_value()
    with tf.control_dependencies([old]):
        step = tf.train.GradientDescentOptimizer(1.0).apply_gradients(
            [(tf.constant([1.0, 1.0]), v)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got, _ = sess.run([old, step])
        np.testing.assert_array_equal(got, [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(v), [0.0, 1.0])
