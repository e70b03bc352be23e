"""plano.io.write_graph: a graph on disk, as protobuf text or binary, reads back as a GraphDef."""
import os

import numpy as np
import pytest
from google.protobuf import text_format

import plano as tf


def _small_graph() -> tf.Graph:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        c = tf.constant(np.array([[1.0, 2.0]], np.float32), name="c")
        tf.add(x, c, name="y")
    return g


def _run_y(graph_def: tf.GraphDef) -> np.ndarray:
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            return sess.run("y:0", {"x:0": np.array([[10.0, 20.0]], np.float32)})


def test_write_graph_text_reads_back_with_text_format(tmp_path):
    g = _small_graph()
    path = tf.io.write_graph(g, str(tmp_path), "graph.pbtxt")
    assert path == os.path.join(str(tmp_path), "graph.pbtxt")
    text = open(path).read()
    assert 'name: "y"' in text and 'op: "AddV2"' in text
    parsed = text_format.Parse(text, tf.GraphDef())
    assert parsed == g.as_graph_def()
    np.testing.assert_array_equal(_run_y(parsed), [[11.0, 22.0]])


def test_write_graph_binary_reads_back_with_from_string(tmp_path):
    g = _small_graph()
    path = tf.io.write_graph(g, str(tmp_path), "graph.pb", as_text=False)
    with open(path, "rb") as f:
        data = f.read()
    assert data == g.as_graph_def().SerializeToString()
    parsed = tf.GraphDef.FromString(data)
    assert [n.name for n in parsed.node] == ["x", "c", "y"]
    np.testing.assert_array_equal(_run_y(parsed), [[11.0, 22.0]])


def test_write_graph_accepts_a_graph_def_and_creates_the_directory(tmp_path):
    graph_def = _small_graph().as_graph_def()
    logdir = tmp_path / "a" / "b"
    path = tf.io.write_graph(graph_def, str(logdir), "g.pb", as_text=False)
    assert tf.GraphDef.FromString(open(path, "rb").read()) == graph_def


def test_write_graph_overwrites_and_leaves_no_temporary_files(tmp_path):
    tf.io.write_graph(_small_graph(), str(tmp_path), "g.pbtxt")
    g2 = tf.Graph()
    with g2.as_default():
        tf.constant(1, name="only")
    tf.io.write_graph(g2, str(tmp_path), "g.pbtxt")
    assert os.listdir(tmp_path) == ["g.pbtxt"]
    parsed = text_format.Parse((tmp_path / "g.pbtxt").read_text(), tf.GraphDef())
    assert [n.name for n in parsed.node] == ["only"]


def test_written_graph_keeps_versions(tmp_path):
    path = tf.io.write_graph(tf.Graph(), str(tmp_path), "empty.pbtxt")
    parsed = text_format.Parse(open(path).read(), tf.GraphDef())
    assert not parsed.node
    assert parsed.versions.producer == tf.Graph().as_graph_def().versions.producer > 0


def test_write_graph_rejects_other_objects(tmp_path):
    with pytest.raises(TypeError, match="write_graph needs a Graph or a GraphDef, got int"):
        tf.io.write_graph(3, str(tmp_path), "x.pb")
