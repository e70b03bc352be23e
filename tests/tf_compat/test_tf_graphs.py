"""GraphDefs written by real TensorFlow parse as plano.GraphDef, import, and give TF's outputs.

The fixtures in tests/data/tf were made once by make_tf_graphs.py (see there);
each NAME.json lists the steps TF ran and NAME.npz holds the fed values and
TF's fetched outputs.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import text_format

import plano as tf

DATA = Path(__file__).resolve().parents[1] / "data" / "tf"
MANIFESTS = sorted(p for p in DATA.glob("*.json") if p.with_suffix(".pb").exists())
NAMES = [p.stem for p in MANIFESTS]


def _load(name: str):
    manifest = json.loads((DATA / f"{name}.json").read_text())
    graph_def = tf.GraphDef.FromString((DATA / manifest["graph"]).read_bytes())
    arrays = np.load(DATA / f"{name}.npz")
    return manifest, graph_def, arrays


def _run_steps(sess, manifest, arrays):
    """Runs every recorded step; yields (step, fetch name, plano's value, TF's value)."""
    for i, step in enumerate(manifest["steps"]):
        feeds = {name: arrays[f"s{i}_feed{j}"] for j, name in enumerate(step["feeds"])}
        values = sess.run(step["fetches"] + step["targets"], feeds)
        for j, name in enumerate(step["fetches"]):
            yield i, name, values[j], arrays[f"s{i}_fetch{j}"]


def _assert_matches(manifest, step, name, got, want):
    got = np.asarray(got)
    where = f"step {step}, fetch {name!r}"
    assert got.dtype == want.dtype, f"{where}: dtype {got.dtype}, TF gave {want.dtype}"
    assert got.shape == want.shape, f"{where}: shape {got.shape}, TF gave {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=manifest["rtol"], atol=manifest["atol"],
                                   err_msg=where)
    else:
        np.testing.assert_array_equal(got, want, err_msg=where)


def test_fixtures_are_present():
    assert {"arith", "mlp_resource", "resource_training", "ref_training", "ref_optimizers",
            "cnn_gradients", "array_ops", "array_gradients", "activation_gradients",
            "nn_misc"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_tf_graph_def_parses(name):
    manifest, graph_def, _ = _load(name)
    assert graph_def.versions.producer > 0
    names = {n.name for n in graph_def.node}
    assert len(names) == len(graph_def.node)
    for step in manifest["steps"]:
        for t in step["fetches"] + step["feeds"]:
            assert t.rpartition(":")[0] in names
    # Same wire bytes: re-serializing plano's parse gives a message TF's bytes also parse to.
    again = tf.GraphDef.FromString(graph_def.SerializeToString())
    assert again == graph_def


def test_tf_constants_use_typed_val_fields_and_plano_decodes_them():
    """TF wrote small constants with *_val fields, one value filling a larger shape."""
    _, graph_def, _ = _load("arith")
    consts = {n.name: n.attr["value"].tensor for n in graph_def.node if n.op == "Const"}
    expected = {"filled": ("float_val", [2, 3], np.full((2, 3), 1.5, np.float32)),
                "three_i": ("int_val", [4], np.full(4, 3, np.int32)),
                "d": ("double_val", [2, 2], np.full((2, 2), 0.25)),
                "big": ("int64_val", [2], np.full(2, 7, np.int64)),
                "flags": ("bool_val", [3], np.ones(3, bool)),
                "zeros": ("float_val", [2, 3], np.zeros((2, 3), np.float32))}
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
    for name, (field, shape, value) in expected.items():
        proto = consts[name]
        assert not proto.tensor_content and len(getattr(proto, field)) == 1
        assert [d.size for d in proto.tensor_shape.dim] == shape
        got = g.get_operation_by_name(name).get_attr("value")
        assert got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)


def test_tf_text_format_parses_to_the_same_graph_def():
    """TF's field names match too: tf.io.write_graph's text output parses as plano.GraphDef."""
    text = (DATA / "arith.pbtxt").read_text()
    assert text_format.Parse(text, tf.GraphDef()) == _load("arith")[1]


@pytest.mark.parametrize("name", NAMES)
def test_plano_reproduces_tf_outputs(name, target):
    manifest, graph_def, arrays = _load(name)
    g = tf.Graph()
    with g.as_default():
        assert tf.import_graph_def(graph_def, name="") is None
    with tf.Session(target, graph=g) as sess:
        checked = 0
        for step, fetch, got, want in _run_steps(sess, manifest, arrays):
            _assert_matches(manifest, step, fetch, got, want)
            checked += 1
    assert checked == sum(len(s["fetches"]) for s in manifest["steps"]) > 0


@pytest.mark.parametrize("name", NAMES)
def test_reexported_tf_graph_gives_the_same_outputs(name):
    """TF GraphDef -> plano graph -> plano's GraphDef (bytes) -> new graph: same results."""
    manifest, graph_def, arrays = _load(name)
    first = tf.Graph()
    with first.as_default():
        tf.import_graph_def(graph_def, name="")
    wire = first.as_graph_def().SerializeToString()
    second = tf.Graph()
    with second.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(wire), name="")
    assert [op.name for op in second.get_operations()] == \
        [op.name for op in first.get_operations()]
    with tf.Session(graph=second) as sess:
        for step, fetch, got, want in _run_steps(sess, manifest, arrays):
            _assert_matches(manifest, step, fetch, got, want)


def test_tf_graph_imports_under_a_name_scope():
    manifest, graph_def, arrays = _load("mlp_resource")
    g = tf.Graph()
    with g.as_default():
        logits, init = tf.import_graph_def(graph_def, name="tfnet",
                                           return_elements=["logits:0", "init"])
    assert logits.name == "tfnet/logits:0" and init.name == "tfnet/init"
    assert logits.shape.as_list() == [None, 3]
    step = manifest["steps"][1]
    with tf.Session(graph=g) as sess:
        sess.run(init)
        got = sess.run(logits, {"tfnet/x:0": arrays["s1_feed0"]})
    np.testing.assert_allclose(got, arrays[f"s1_fetch{step['fetches'].index('logits:0')}"],
                               rtol=1e-5, atol=1e-5)


def test_ref_variable_training_matches_tf_step_by_step():
    """The TF1 graph's loss after each GradientDescent step, and the trained weights."""
    manifest, graph_def, arrays = _load("ref_training")
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
    ops = {op.type for op in g.get_operations()}
    assert {"VariableV2", "Assign", "AssignAdd", "AssignSub", "ApplyGradientDescent",
            "ReluGrad", "SigmoidGrad", "BiasAddGrad", "BroadcastGradientArgs"} <= ops
    w1 = g.get_tensor_by_name("w1:0")
    assert w1.dtype.is_ref and w1.dtype.base_dtype == tf.float32
    losses, tf_losses = [], []
    with tf.Session(graph=g) as sess:
        for _, fetch, got, want in _run_steps(sess, manifest, arrays):
            if fetch == "loss:0":
                losses.append(float(got))
                tf_losses.append(float(want))
    assert len(losses) >= 6
    assert losses[-1] < losses[0]  # training made progress
    np.testing.assert_allclose(losses, tf_losses, rtol=1e-5, atol=1e-6)


def test_input_map_replaces_a_tf_placeholder():
    manifest, graph_def, arrays = _load("activation_gradients")
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(arrays["s0_feed0"], name="fixed_x")
        fetches = manifest["steps"][0]["fetches"]
        outs = tf.import_graph_def(graph_def, input_map={"x:0": x}, return_elements=fetches)
    assert all(t.name.startswith("import/") for t in outs)
    with tf.Session(graph=g) as sess:
        values = sess.run(outs)  # nothing fed: the placeholder was replaced
    for j, (name, got) in enumerate(zip(fetches, values)):
        _assert_matches(manifest, 0, name, got, arrays[f"s0_fetch{j}"])
