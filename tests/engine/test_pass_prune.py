"""Pruning: only what the fetches and targets need is kept, and nothing stateful is lost."""
import numpy as np

import plano as tf
from engine_helpers import ops_of, subgraph_for
from plano_server.engine.passes import optimize
from plano_server.engine.passes.prune import drop_dead


def test_prune_keeps_only_what_the_fetch_needs_and_stops_at_feeds():
    x = tf.placeholder(tf.float32, [2], name="x")
    a = tf.add(x, 1.0, name="a")
    tf.multiply(x, 3.0, name="unused")
    b = tf.multiply(a, 2.0, name="b")
    sub, _ = subgraph_for([b], feeds=[a])
    assert [n.name for n in sub.nodes if n.op != "Const"] == ["b"]


def test_drop_dead_removes_pure_nodes_no_one_reads_any_more():
    a = tf.constant(np.float32(2.0), name="a")
    b = tf.add(a, a, name="b")
    sub, _ = subgraph_for([b])
    out = optimize(sub)  # b folds into a Const: a is then dead
    assert [n.name for n in out.nodes] == ["b"]
    assert ops_of(out) == ["Const"]


def test_drop_dead_keeps_stateful_nodes_and_targets():
    v = tf.Variable(1.0, name="v")
    bump = tf.assign_add(v, 1.0, name="bump")
    with tf.control_dependencies([bump]):
        out = tf.identity(tf.constant(3.0), name="out")
    sub, _ = subgraph_for([out])
    kept = optimize(sub)
    assert "bump" in [n.name for n in kept.nodes]
    assert drop_dead(kept).nodes == kept.nodes
