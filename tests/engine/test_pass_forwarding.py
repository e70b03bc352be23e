"""Identity and NoOp removal: readers are rewired, control dependencies survive."""
import numpy as np
import pytest

import plano as tf
from engine_helpers import assert_identical, ops_of, run_both, subgraph_for
from plano_server.engine.passes.forwarding import remove_identities


def test_identity_chain_is_removed_and_readers_read_its_input():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.identity(tf.identity(x))
    z = tf.multiply(y, y, name="z")
    sub, _ = subgraph_for([z], feeds=[x])
    out = remove_identities(sub)
    assert ops_of(out) == ["Mul"]
    assert out.nodes[0].inputs == [("x", 0), ("x", 0)]


def test_a_fetched_identity_is_forwarded_and_the_fetch_keeps_its_value():
    x = tf.placeholder(tf.float32, [3], name="x")
    a = tf.add(x, x, name="a")
    y = tf.identity(a, name="y")
    sub, _ = subgraph_for([y], feeds=[x])
    out = remove_identities(sub)
    assert out.fetches == [("a", 0)] and ops_of(out) == ["AddV2"]
    value = np.array([1, 2, 3], np.float32)
    opt, plain = run_both([y, a], {x: value})
    assert_identical(opt, plain)
    assert opt[0] is not opt[1]  # two fetches, two arrays, as without optimization


def test_identity_with_a_control_input_passes_it_to_its_readers():
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(0.0, name="v")
    bump = tf.assign_add(v, 1.0, name="bump")
    with tf.control_dependencies([bump]):
        y = tf.identity(x, name="y")
    z = tf.add(y, 1.0, name="z")
    sub, _ = subgraph_for([z], feeds=[x])
    out = remove_identities(sub)
    add = [n for n in out.nodes if n.name == "z"][0]
    assert add.control == [bump.op.name] and add.inputs[0] == ("x", 0)


def test_noop_target_is_replaced_by_what_it_waits_on():
    v = tf.Variable(0.0, name="v")
    group = tf.group(tf.assign_add(v, 1.0, name="inc1"), tf.assign_add(v, 2.0, name="inc2"),
                     name="both")
    sub, _ = subgraph_for([], targets=[group])
    out = remove_identities(sub)
    assert "NoOp" not in ops_of(out)
    assert out.targets == [op.name for op in group.control_inputs]


def test_identity_reading_a_ref_variable_is_kept():
    v = tf.get_default_graph().create_op(
        "VariableV2", [], {"shape": tf.TensorShape([]), "dtype": tf.float32}, name="v").outputs[0]
    y = tf.identity(v, name="y")
    sub, _ = subgraph_for([y])
    assert "Identity" in ops_of(remove_identities(sub))


def test_fed_identity_is_not_forwarded():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.identity(x, name="y")
    z = tf.add(y, 1.0, name="z")
    opt, plain = run_both([z], {y: np.float32(5)})
    assert_identical(opt, plain)
    assert opt[0] == 6.0


def test_a_removed_target_identity_still_runs_what_it_read():
    x = tf.placeholder(tf.float32, [3], name="x")
    bad = tf.gather(x, tf.constant(7), name="bad")
    target = tf.identity(bad, name="target")
    sub, _ = subgraph_for([], feeds=[x], targets=[target.op])
    out = remove_identities(sub)
    assert out.targets == ["bad"]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad"):
            sess.run(target.op, {x: np.zeros(3, np.float32)})
