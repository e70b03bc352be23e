"""Conformance of source and state ops: Const, Placeholder, Identity, NoOp, resource
variables (VarHandleOp ...) and TF1 ref variables (VariableV2, Assign ...)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import plano as tf

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.bool_]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(DTYPES).flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))))
def test_const_placeholder_identity_round_trip_values_and_dtypes(value):
    g = tf.Graph()
    with g.as_default():
        c = g.create_op("Const", [], {"value": value, "dtype": tf.as_dtype(value.dtype)}).outputs[0]
        p = tf.placeholder(tf.as_dtype(value.dtype), shape=value.shape)
        ident = g.create_op("Identity", [p]).outputs[0]
        assert c.shape.as_list() == list(value.shape)
        assert ident.shape.as_list() == list(value.shape)
    with tf.Session(graph=g) as sess:
        got_c, got_i = sess.run([c, ident], {p: value})
    for got in (got_c, got_i):
        got = np.asarray(got)
        assert got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)


def test_noop_runs_its_control_inputs():
    v = tf.Variable(1.0)
    grouped = tf.group(v.assign_add(1.0), name="both")
    assert grouped.type == "NoOp" and grouped.outputs == []
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(grouped)
        assert sess.run(v) == 2.0


def test_resource_variable_ops():
    g = tf.get_default_graph()
    h = g.create_op("VarHandleOp", [], {"dtype": tf.float32, "shape": [2],
                                         "shared_name": "w"}, name="w").outputs[0]
    read = g.create_op("ReadVariableOp", [h], {"dtype": tf.float32}).outputs[0]
    init = g.create_op("AssignVariableOp", [h, np.array([1, 2], np.float32)])
    add = g.create_op("AssignAddVariableOp", [h, np.array([1, 1], np.float32)])
    sub = g.create_op("AssignSubVariableOp", [h, np.array([0.5, 0.5], np.float32)])
    is_init = g.create_op("VarIsInitializedOp", [h]).outputs[0]
    destroy = g.create_op("DestroyResourceOp", [h])
    assert read.shape.as_list() == [2] and h.dtype == tf.resource
    with tf.Session() as sess:
        assert sess.run(is_init) == np.False_
        sess.run(init)
        sess.run(add)
        sess.run(sub)
        np.testing.assert_array_equal(sess.run(read), [1.5, 2.5])
        sess.run(destroy)
        assert sess.run(is_init) == np.False_


def test_assign_of_wrong_dtype_or_shape_is_invalid_argument():
    g = tf.get_default_graph()
    h = g.create_op("VarHandleOp", [], {"dtype": tf.float32, "shape": [2],
                                         "shared_name": "w"}, name="w").outputs[0]
    p = tf.placeholder(tf.float32, name="p")
    assign = g.create_op("AssignVariableOp", [h, p])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="variable 'w' of shape \\[2\\]"):
            sess.run(assign, {p: [1.0, 2.0, 3.0]})


def test_ref_variable_ops_as_tf1_writes_them():
    g = tf.get_default_graph()
    var = g.create_op("VariableV2", [], {"shape": [2], "dtype": tf.float32}, name="v").outputs[0]
    assert var.dtype.is_ref and var.dtype.base_dtype == tf.float32
    assign = g.create_op("Assign", [var, np.array([1, 2], np.float32)]).outputs[0]
    add = g.create_op("AssignAdd", [var, np.array([10, 10], np.float32)]).outputs[0]
    sub = g.create_op("AssignSub", [var, np.array([1, 1], np.float32)]).outputs[0]
    is_init = g.create_op("IsVariableInitialized", [var]).outputs[0]
    read = tf.identity(var)
    doubled = read + read
    with tf.Session() as sess:
        assert sess.run(is_init) == np.False_
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(read)
        np.testing.assert_array_equal(sess.run(assign), [1, 2])
        np.testing.assert_array_equal(sess.run(add), [11, 12])
        np.testing.assert_array_equal(sess.run(sub), [10, 11])
        np.testing.assert_array_equal(sess.run(doubled), [20, 22])
        assert sess.run(is_init) == np.True_
