"""GraphDef round trip: build with plano, serialize, parse, import into a new graph, run, compare.

Also import_graph_def's naming, input_map and return_elements, and its errors.
"""
import numpy as np
import pytest

import plano as tf
from plano.framework import graph as graph_lib
from plano.ops import state_ops
from plano.v1 import attr_value_pb2, graph_pb2, node_def_pb2


def _reimport(graph: tf.Graph, **kwargs) -> tf.Graph:
    """graph -> as_graph_def -> bytes -> GraphDef.FromString -> import into a new graph."""
    wire = graph.as_graph_def().SerializeToString()
    parsed = tf.GraphDef.FromString(wire)
    new = tf.Graph()
    with new.as_default():
        tf.import_graph_def(parsed, **kwargs)
    return new


def _run(graph: tf.Graph, fetches, feeds=None, targets=()):
    with tf.Session(graph=graph) as sess:
        for t in targets:
            sess.run(t)
        return sess.run(fetches, feeds)


def _names(graph: tf.Graph, tensors) -> list[str]:
    return [t.name for t in tensors]


def _assert_same(a, b):
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


def test_arithmetic_graph_round_trips():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        k = tf.placeholder(tf.int32, [3], name="k")
        y = tf.reduce_sum(tf.square(x - 1.5) * tf.cast(k, tf.float32), axis=1)
        z = tf.matmul(x, tf.transpose(x)) / 2.0
        w = tf.where(x > 0.0, tf.exp(-x), tf.abs(x))
        m = tf.argmax(x, axis=1)
        b = tf.logical_and(x > -1.0, x < 1.0)
        fetches = _names(g, [y, z, w, m, b])
    feeds = {"x:0": np.arange(-3, 3, dtype=np.float32).reshape(2, 3),
             "k:0": np.array([1, 2, 3], np.int32)}
    before = _run(g, fetches, feeds)
    after = _run(_reimport(g, name=""), fetches, feeds)
    _assert_same(before, after)
    np.testing.assert_allclose(after[0], [(4.5**2 + 3.5**2 * 2 + 2.5**2 * 3),
                                          (1.5**2 + 0.5**2 * 2 + 0.5**2 * 3)])


def test_reimported_graph_def_equals_the_original():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        with tf.control_dependencies([x.op]):
            y = tf.add(x, 1.0, name="y")
        with tf.device("/cpu:0"):
            tf.identity(y, name="z")
    again = _reimport(g, name="")
    assert again.as_graph_def() == g.as_graph_def()
    assert again.get_operation_by_name("y").control_inputs == []  # x is already a data input
    assert again.get_operation_by_name("z").device == "/cpu:0"


def test_control_inputs_survive_the_round_trip():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        b = tf.constant(2.0, name="b")
        with tf.control_dependencies([a]):
            c = tf.identity(b, name="c")
    nd = g.as_graph_def().node[2]
    assert list(nd.input) == ["b", "^a"]
    again = _reimport(g, name="")
    assert [op.name for op in again.get_operation_by_name("c").control_inputs] == ["a"]
    assert _run(again, "c:0") == 2.0
    assert c.name == "c:0"


@pytest.mark.parametrize("value", [
    np.array([1.5, -2.0], np.float16), np.array([[1, 255]], np.uint8),
    np.array([True, False]), np.array(2**40, np.int64), np.array([b"ab", b""], dtype=object),
    np.zeros((0, 3), np.float32), np.array(7.25, np.float64), np.array([-1, 2], np.int16),
], ids=lambda v: f"{v.dtype}{list(v.shape)}")
def test_constants_of_every_dtype_round_trip(value):
    g = tf.Graph()
    with g.as_default():
        tf.identity(tf.constant(value), name="out")
    got = _run(_reimport(g, name=""), "out:0")
    got = np.asarray(got)
    assert got.shape == value.shape
    assert got.dtype == value.dtype
    assert got.tolist() == value.tolist()


def test_static_shapes_are_inferred_after_import():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        tf.matmul(x, tf.ones([4, 2]), name="mm")
    again = _reimport(g, name="")
    assert again.get_tensor_by_name("mm:0").shape.as_list() == [None, 2]
    assert again.get_tensor_by_name("x:0").shape.as_list() == [None, 4]


def test_resource_variable_graph_round_trips():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), name="w")
        y = tf.matmul(x, w, name="y")
        step = w.assign_add(tf.ones([2, 2]), name="step")
        tf.global_variables_initializer()
        init_name = g.get_operations()[-1].name
    feeds = {"x:0": np.array([[1.0, 1.0]], np.float32)}
    again = _reimport(g, name="")
    with tf.Session(graph=again) as sess:
        sess.run(init_name)
        np.testing.assert_array_equal(sess.run("y:0", feeds), [[4.0, 6.0]])
        sess.run(step.op.name)
        np.testing.assert_array_equal(sess.run("y:0", feeds), [[6.0, 8.0]])
    assert y.name == "y:0"


def test_ref_variable_graph_round_trips():
    """VariableV2 + Assign/AssignAdd/AssignSub, as TF1 graphs hold them."""
    g = tf.Graph()
    with g.as_default():
        v = g.create_op("VariableV2", [], {"shape": tf.TensorShape([2]), "dtype": tf.float32},
                        name="v").outputs[0]
        state_ops.assign_ref(v, tf.constant([1.0, 2.0]), name="init")
        state_ops.assign_add_ref(v, tf.constant([10.0, 10.0]), name="add")
        state_ops.assign_sub_ref(v, tf.constant([0.5, 0.5]), name="sub")
        tf.identity(v, name="read")
        tf.multiply(v, 2.0, name="twice")  # auto-deref of a ref input
    assert g.get_tensor_by_name("v:0").dtype.is_ref
    again = _reimport(g, name="")
    assert again.get_tensor_by_name("add:0").dtype.is_ref
    with tf.Session(graph=again) as sess:
        np.testing.assert_array_equal(sess.run("init:0"), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run("add:0"), [11.0, 12.0])
        np.testing.assert_array_equal(sess.run("sub:0"), [10.5, 11.5])
        np.testing.assert_array_equal(sess.run("read:0"), [10.5, 11.5])
        np.testing.assert_array_equal(sess.run("twice:0"), [21.0, 23.0])


# ------------------------------------------------------------- names and scopes

def _tiny_graph_def() -> graph_pb2.GraphDef:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.multiply(x, 3.0, name="y")
        tf.split(tf.constant([1.0, 2.0, 3.0, 4.0]), 2, name="parts")
        tf.no_op(name="nothing")
    return g.as_graph_def()


def test_default_prefix_is_import_and_is_made_unique():
    gd = _tiny_graph_def()
    tf.import_graph_def(gd)
    tf.import_graph_def(gd)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "import/x" in names and "import/y" in names
    assert "import_1/x" in names and "import_1/y" in names


def test_import_inside_a_name_scope_nests_the_prefix():
    with tf.name_scope("outer"):
        y, = tf.import_graph_def(_tiny_graph_def(), name="net", return_elements=["y:0"])
    assert y.name == "outer/net/y:0"
    assert y.op.inputs[0].name == "outer/net/x:0"
    assert y.op.inputs[1].name.startswith("outer/net/")


def test_empty_name_imports_without_prefix_and_clashes_are_errors():
    tf.import_graph_def(_tiny_graph_def(), name="")
    assert tf.get_default_graph().get_operation_by_name("y").type == "Mul"
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'x'"):
        tf.import_graph_def(_tiny_graph_def(), name="")


def test_import_accepts_serialized_bytes():
    y, = tf.import_graph_def(_tiny_graph_def().SerializeToString(), return_elements=["y:0"])
    assert _run(tf.get_default_graph(), y, {"import/x:0": [1.0, 2.0]}).tolist() == [3.0, 6.0]


def test_import_rejects_other_objects():
    with pytest.raises(TypeError, match="graph_def must be a GraphDef proto, got dict"):
        tf.import_graph_def({"node": []})


# ------------------------------------------------------------- input_map and return_elements

def test_input_map_replaces_a_placeholder():
    c = tf.constant([5.0, 7.0], name="c")
    y, = tf.import_graph_def(_tiny_graph_def(), input_map={"x:0": c}, return_elements=["y:0"])
    assert y.op.inputs[0] is c
    assert _run(tf.get_default_graph(), y).tolist() == [15.0, 21.0]


def test_input_map_key_without_index_means_output_zero():
    c = tf.constant([1.0, 1.0])
    y, = tf.import_graph_def(_tiny_graph_def(), input_map={"x": c}, return_elements=["y:0"])
    assert _run(tf.get_default_graph(), y).tolist() == [3.0, 3.0]


def test_input_map_can_replace_a_later_output():
    g = tf.Graph()
    with g.as_default():
        a, b = tf.split(tf.constant([1.0, 2.0]), 2, name="s")
        tf.add(a, b, name="sum")
    override = tf.constant([100.0])
    total, = tf.import_graph_def(g.as_graph_def(), input_map={"s:1": override},
                                 return_elements=["sum:0"])
    assert _run(tf.get_default_graph(), total).tolist() == [101.0]


def test_input_map_unknown_key_is_an_error():
    with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in "
                                         r"graph_def: \[nope:0, y:3\]"):
        tf.import_graph_def(_tiny_graph_def(), input_map={"nope:0": tf.constant(1.0),
                                                          "y:3": tf.constant(1.0)})


def test_input_map_value_must_be_a_tensor():
    with pytest.raises(TypeError, match=r"input_map values must be Tensors; 'x:0' maps to"):
        tf.import_graph_def(_tiny_graph_def(), input_map={"x:0": [1.0, 2.0]})


def test_input_map_value_from_another_graph_is_an_error():
    other = tf.Graph()
    with other.as_default():
        c = tf.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="is not in the graph being imported into"):
        tf.import_graph_def(_tiny_graph_def(), input_map={"x:0": c})


def test_input_map_dtype_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"Node 'y' \(op 'Mul'\): Input 'x' of 'Mul' Op "
                                         r"\(node 'import/y'\) has type int32 that does not "
                                         r"match expected type of float32"):
        tf.import_graph_def(_tiny_graph_def(), input_map={"x:0": tf.constant([1, 2])})


def test_return_elements_gives_tensors_and_operations():
    x, parts1, nothing = tf.import_graph_def(_tiny_graph_def(), name="r",
                                             return_elements=["x:0", "parts:1", "nothing"])
    assert isinstance(x, tf.Tensor) and x.name == "r/x:0"
    assert isinstance(parts1, tf.Tensor) and parts1.name == "r/parts:1"
    assert isinstance(nothing, tf.Operation) and nothing.name == "r/nothing"
    assert tf.import_graph_def(_tiny_graph_def(), return_elements=[]) == []


@pytest.mark.parametrize("element, message", [
    ("missing", r"Requested return_element 'missing' not found in graph_def\."),
    ("missing:0", r"Requested return_element 'missing:0' not found in graph_def\."),
    ("y:1", r"Requested return_element 'y:1' not found in graph_def: node 'y' has 1 outputs"),
])
def test_missing_return_element_is_an_error(element, message):
    with pytest.raises(ValueError, match=message):
        tf.import_graph_def(_tiny_graph_def(), return_elements=[element])


# ------------------------------------------------------------- malformed GraphDefs

def _node(name, op, inputs=(), **attrs) -> node_def_pb2.NodeDef:
    nd = node_def_pb2.NodeDef(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        nd.attr[key].CopyFrom(value)
    return nd


def _float_type():
    return attr_value_pb2.AttrValue(type=tf.float32.as_datatype_enum)


def _placeholder(name="p"):
    return _node(name, "Placeholder", dtype=_float_type())


@pytest.mark.parametrize("nodes, message", [
    ([_node("n", "Bogus")], r"Node 'n' \(op 'Bogus'\): op 'Bogus' is not one plano implements"),
    ([_node("p", "Placeholder", dtype=_float_type(),
            color=attr_value_pb2.AttrValue(s=b"red"))],
     r"Node 'p' \(op 'Placeholder'\): unknown attr 'color'"),
    ([_node("p", "Placeholder")],
     r"Node 'p' \(op 'Placeholder'\): missing required attr 'dtype' of type 'type'"),
    ([_node("p", "Placeholder", dtype=attr_value_pb2.AttrValue(i=3))],
     r"Node 'p' \(op 'Placeholder'\): attr 'dtype' must be of type 'type', got an AttrValue "
     r"with 'i' set"),
    ([_placeholder(), _node("a", "AddV2", ["p"], T=_float_type())],
     r"Node 'a' \(op 'AddV2'\): expects 2 inputs, got 1"),
    ([_placeholder(), _node("a", "AddV2", ["p", "q"], T=_float_type())],
     r"Node 'a' \(op 'AddV2'\): input 'q' refers to a node not in the GraphDef"),
    ([_placeholder(), _node("a", "AddV2", ["p", "p:1"], T=_float_type())],
     r"Node 'a' \(op 'AddV2'\): input 'p:1' refers to output 1 of 'p', which has 1 outputs"),
    ([_placeholder(), _node("i", "Identity", ["p"],
                            T=attr_value_pb2.AttrValue(type=tf.int32.as_datatype_enum))],
     r"Node 'i' \(op 'Identity'\): Input 'input' of 'Identity' Op .* has type float32 that "
     r"does not match expected type of int32"),
    ([_placeholder(), _placeholder()], "GraphDef has duplicate node names"),
    ([_node("a", "Identity", ["b"], T=_float_type()),
      _node("b", "Identity", ["a"], T=_float_type())], "GraphDef has a cycle through node"),
    ([_placeholder(), _placeholder("q"),
      _node("a", "AddV2", ["p", "^q", "p"], T=_float_type())],
     r"Node 'a' \(op 'AddV2'\): data input 'p' comes after a control input"),
], ids=["unknown-op", "unknown-attr", "missing-attr", "mistyped-attr", "input-count",
        "dangling-input", "missing-output", "dtype-mismatch", "duplicate", "cycle",
        "control-order"])
def test_malformed_graph_defs_are_rejected(nodes, message):
    gd = graph_pb2.GraphDef(node=nodes)
    with pytest.raises(ValueError, match=message):
        tf.import_graph_def(gd)


def test_bad_tensor_attr_names_the_node():
    value = attr_value_pb2.AttrValue()
    value.tensor.dtype = tf.float32.as_datatype_enum
    value.tensor.tensor_shape.dim.add(size=2)
    value.tensor.tensor_content = b"\x00" * 5
    gd = graph_pb2.GraphDef(node=[_node("c", "Const", dtype=_float_type(), value=value)])
    with pytest.raises(ValueError, match=r"Node 'c' \(op 'Const'\): attr 'value': "
                                         r"tensor_content has 5 bytes but dtype float32 and "
                                         r"shape \[2\] need 8"):
        tf.import_graph_def(gd)


def test_private_attrs_are_dropped():
    nd = _placeholder()
    nd.attr["_class"].list.s.append(b"loc:@p")
    nd.attr["_output_shapes"].list.shape.add()
    tf.import_graph_def(graph_pb2.GraphDef(node=[nd]), name="")
    op = tf.get_default_graph().get_operation_by_name("p")
    assert set(op.node_def.attr) == {"dtype", "shape"}


def test_failed_import_reports_the_first_bad_node_by_its_graph_def_name():
    gd = _tiny_graph_def()
    gd.node.add(name="late", op="Nope")
    with pytest.raises(ValueError, match=r"Node 'late' \(op 'Nope'\)"):
        tf.import_graph_def(gd, name="scope")


# ------------------------------------------------------------- Graph.as_graph_def

def test_empty_graph_def_is_just_versions():
    gd = tf.Graph().as_graph_def()
    assert gd == graph_pb2.GraphDef(versions={"producer": graph_lib.GRAPH_DEF_VERSION,
                                              "min_consumer":
                                                  graph_lib.GRAPH_DEF_VERSION_MIN_CONSUMER})


def test_as_graph_def_from_version_gives_only_new_nodes():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="a")
        version = g.version
        tf.constant(2.0, name="b")
    assert [n.name for n in g.as_graph_def(from_version=version).node] == ["b"]
    assert [n.name for n in g.as_graph_def().node] == ["a", "b"]


def test_as_graph_def_add_shapes_records_output_shapes():
    g = tf.Graph()
    with g.as_default():
        tf.placeholder(tf.float32, [None, 3], name="x")
    nd = g.as_graph_def(add_shapes=True).node[0]
    dims = [d.size for d in nd.attr["_output_shapes"].list.shape[0].dim]
    assert dims == [-1, 3]
    again = _reimport(g, name="")  # the private attr is ignored on import
    assert again.get_tensor_by_name("x:0").shape.as_list() == [None, 3]
