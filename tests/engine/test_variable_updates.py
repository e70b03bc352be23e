"""A variable store update writes in place when no one holds the array (as TF's
copy-on-write), and into a new array when a reader still does; the optimizers use that
for their slots and put the variable's own new value in their step's temporary."""
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


def test_optimizers_write_a_variable_into_their_step_and_slots_in_place():
    """The variable's new value lands in the step's own temporary (the products before an
    update leave its old array in other cores' caches: kernels/training.py, _minus); the
    momentum accumulator, which no product reads, is still updated in place."""
    v = tf.Variable(np.ones(4, np.float32), name="v")
    loss = tf.reduce_sum(v * v)
    step = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        store = sess._backend._engine.variables
        var_before, slots_before = id(store._values["v"]), {
            k: id(a) for k, a in store._values.items() if k != "v"}
        sess.run(step)
        assert id(store._values["v"]) != var_before
        assert {k: id(a) for k, a in store._values.items() if k != "v"} == slots_before
        # TF's momentum from v = 1, grad 2v: accum 2, v 0.8; accum 0.9 * 2 + 1.6, v 0.46
        np.testing.assert_allclose(sess.run(v), 0.8 - 0.1 * 3.4, rtol=1e-6)
