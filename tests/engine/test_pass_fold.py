"""Constant folding: results as at run time, a size cap, and never through state."""
import numpy as np
import pytest

import plano as tf
from engine_helpers import assert_identical, ops_of, run_both, subgraph_for
from plano import errors
from plano_server.engine.passes.fold import fold_constants


def test_constant_subgraph_folds_to_one_const_of_the_same_dtype():
    a = tf.constant(np.arange(6, dtype=np.int32).reshape(2, 3))
    b = tf.multiply(tf.add(a, 1), 3, name="b")
    sub, _ = subgraph_for([b])
    out = fold_constants(sub)
    node = [n for n in out.nodes if n.name == "b"][0]
    assert node.op == "Const"
    np.testing.assert_array_equal(node.attrs["value"], (np.arange(6).reshape(2, 3) + 1) * 3)
    assert node.attrs["value"].dtype == np.int32 and not node.attrs["value"].flags.writeable
    opt, plain = run_both([b])
    assert_identical(opt, plain)


def test_nodes_reading_a_placeholder_are_not_folded():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.add(x, tf.multiply(tf.constant(2.0), 3.0, name="six"), name="y")
    sub, _ = subgraph_for([y], feeds=[x])
    out = fold_constants(sub)
    assert {n.name: n.op for n in out.nodes}["six"] == "Const"
    assert {n.name: n.op for n in out.nodes}["y"] == "AddV2"


def test_results_over_the_size_cap_stay_nodes():
    big = tf.fill([1024, 1024], 1.0, name="big")  # 4 MiB
    small = tf.fill([4], 1.0, name="small")
    sub, _ = subgraph_for([big, small])
    out = fold_constants(sub, max_bytes=1 << 20)
    kinds = {n.name: n.op for n in out.nodes}
    assert kinds["big"] == "Fill" and kinds["small"] == "Const"


def test_a_kernel_error_is_left_for_run_time_and_names_the_node():
    bad = tf.gather(tf.constant([1.0, 2.0, 3.0]), tf.constant(7), name="bad")
    sub, _ = subgraph_for([bad])
    assert "GatherV2" in ops_of(fold_constants(sub))
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="bad"):
            sess.run(bad)


def test_random_ops_are_never_folded():
    r = tf.random_uniform([3], seed=1, name="r")
    y = tf.add(r, 1.0, name="y")
    sub, _ = subgraph_for([y])
    assert {n.name: n.op for n in fold_constants(sub).nodes}["y"] == "AddV2"


def test_variable_reads_are_never_folded():
    v = tf.Variable(2.0, name="v")
    y = tf.multiply(v, 3.0, name="y")
    sub, _ = subgraph_for([y])
    assert {n.name: n.op for n in fold_constants(sub).nodes}["y"] == "Mul"


def test_multi_output_nodes_fold_to_one_const_per_output():
    parts = tf.split(tf.constant(np.arange(6, dtype=np.float32)), 3, name="parts")
    y = tf.add(parts[2], parts[0], name="y")
    sub, _ = subgraph_for([y, parts[1]])
    out = fold_constants(sub)
    assert set(ops_of(out)) == {"Const"}
    opt, plain = run_both([y, parts[1]])
    assert_identical(opt, plain)
    np.testing.assert_array_equal(opt[0], [4.0, 6.0])
