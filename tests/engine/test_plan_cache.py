"""The shared plan cache: a second session with the same graph compiles nothing."""
import numpy as np

import plano as tf
from plano.v1 import config_pb2
from plano_server.session_store import embedded_store


def _graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        y = tf.add(tf.multiply(x, 2.0), 1.0, name="y")
    return g, x, y


def _engine(sess):
    return sess._backend._engine


def test_second_session_hits_the_plan_and_shares_parsed_nodes():
    cache = embedded_store().plan_cache
    g, x, y = _graph()
    value = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session(graph=g) as s1, tf.Session(graph=g) as s2:
        before = cache.stats()
        np.testing.assert_array_equal(s1.run(y, {x: value}), value * 2 + 1)
        middle = cache.stats()
        np.testing.assert_array_equal(s2.run(y, {x: value}), value * 2 + 1)
        after = cache.stats()
        e1, e2 = _engine(s1), _engine(s2)
        assert e1.nodes["y"] is e2.nodes["y"]  # parsed once
        assert e1.graph_key == e2.graph_key
        assert next(iter(e1._plans.values()))[0] is next(iter(e2._plans.values()))[0]
    assert after["hits"] - middle["hits"] == 1 and after["misses"] == middle["misses"]
    assert middle["misses"] - before["misses"] <= 1


def test_opt_level_is_part_of_the_plan_key():
    g, x, y = _graph()
    config = config_pb2.ConfigProto()
    config.graph_options.optimizer_options.opt_level = config_pb2.OptimizerOptions.L0
    value = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session(graph=g) as s1, tf.Session(graph=g, config=config) as s2:
        a, b = s1.run(y, {x: value}), s2.run(y, {x: value})
        p1, p2 = (next(iter(_engine(s)._plans.values()))[0] for s in (s1, s2))
        assert _engine(s2).optimize is False
    assert p1 is not p2 and p1.fingerprint != p2.fingerprint
    np.testing.assert_array_equal(a, b)


def test_extending_a_graph_changes_its_key_and_plans_see_the_new_nodes():
    g, x, y = _graph()
    with tf.Session(graph=g) as s1:
        s1.run(y, {x: np.zeros(3, np.float32)})
        key = _engine(s1).graph_key
        with g.as_default():
            z = tf.subtract(y, 1.0, name="z")
        np.testing.assert_array_equal(s1.run(z, {x: np.ones(3, np.float32)}), [2.0, 2.0, 2.0])
        assert _engine(s1).graph_key != key


def test_sessions_whose_fed_placeholders_differ_in_shape_get_different_plans():
    """The passes use a fed placeholder's static shape (x * ones(2) is x only for a fitting
    x), so a plan is never shared across placeholders of different shapes."""
    def graph(shape):
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, shape, name="x")
            y = tf.multiply(x, np.ones(2, np.float32), name="y")
        return g, x, y
    g1, x1, y1 = graph([3, 2])
    g2, x2, y2 = graph(None)
    with tf.Session(graph=g1) as s1, tf.Session(graph=g2) as s2:
        np.testing.assert_array_equal(s1.run(y1, {x1: np.ones((3, 2), np.float32)}),
                                      np.ones((3, 2)))
        np.testing.assert_array_equal(s2.run(y2, {x2: np.float32(4)}), [4.0, 4.0])
