"""Common-subexpression elimination: equal pure nodes merge; state and randomness never do."""
import numpy as np

import plano as tf
from engine_helpers import assert_identical, ops_of, run_both, subgraph_for
from plano_server.engine.passes.cse import eliminate_common_subexpressions as cse


def test_equal_nodes_merge_and_chains_of_them_collapse():
    x = tf.placeholder(tf.float32, [3], name="x")
    a1, a2 = tf.exp(x, name="a1"), tf.exp(x, name="a2")
    b1, b2 = tf.multiply(a1, x, name="b1"), tf.multiply(a2, x, name="b2")
    y = tf.add(b1, b2, name="y")
    sub, _ = subgraph_for([y], feeds=[x])
    out = cse(sub)
    assert ops_of(out) == ["Exp", "Mul", "AddV2"]
    assert out.nodes[-1].inputs == [("b1", 0), ("b1", 0)]
    value = np.array([0.5, -1.0, 2.0], np.float32)
    opt, plain = run_both([y, b2], {x: value})
    assert_identical(opt, plain)


def test_different_attrs_or_constants_do_not_merge():
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    m1 = tf.matmul(x, x, name="m1")
    m2 = tf.matmul(x, x, transpose_a=True, name="m2")
    zero, negzero = tf.constant(np.float32(0.0)), tf.constant(np.float32(-0.0))
    s1, s2 = tf.add(x, zero, name="s1"), tf.add(x, negzero, name="s2")
    sub, _ = subgraph_for([m1, m2, s1, s2], feeds=[x])
    assert len(cse(sub).nodes) == len(sub.nodes)


def test_random_and_stateful_nodes_never_merge():
    r1 = tf.random_uniform([4], seed=3, name="r1")
    r2 = tf.random_uniform([4], seed=3, name="r2")
    v = tf.Variable(1.0, name="v")
    reads = [tf.identity(v.read_value()), tf.identity(v.read_value())]
    sub, _ = subgraph_for([r1, r2] + reads)
    out = cse(sub)
    assert ops_of(out).count("RandomUniform") == 2
    assert ops_of(out).count("ReadVariableOp") == 2


def test_equal_constants_merge():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.constant([1.0, 2.0], name="b")
    y = tf.add(a, b, name="y")
    sub, _ = subgraph_for([y])
    out = cse(sub)
    assert [n.name for n in out.nodes] == ["a", "y"]
    assert out.nodes[-1].inputs == [("a", 0), ("a", 0)]
