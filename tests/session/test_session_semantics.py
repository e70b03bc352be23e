"""Session semantics, each rule of tf.compat.v1.Session; runs embedded and remote (`target`)."""
import collections
import threading

import numpy as np
import pytest

import plano as tf


def test_fetch_tensor_op_and_name(target):
    x = tf.constant(2.0, name="x")
    y = tf.add(x, 3.0, name="y")
    noop = tf.no_op(name="nothing")
    with tf.Session(target) as sess:
        assert sess.run(y) == np.float32(5.0)
        assert sess.run("y:0") == np.float32(5.0)
        assert sess.run(noop) is None
        assert sess.run("nothing") is None
        assert sess.run(y.op) is None


def test_nested_fetch_structures_come_back_in_the_same_shape(target):
    a = tf.constant(1, name="a")
    b = tf.constant(2.5, name="b")
    Pair = collections.namedtuple("Pair", ["first", "second"])
    fetches = [a, (b, {"k": a, "op": tf.no_op()}), Pair(a, [b, b]),
               collections.OrderedDict([("z", b), ("a", a)])]
    with tf.Session(target) as sess:
        out = sess.run(fetches)
    assert isinstance(out, list) and isinstance(out[1], tuple)
    assert out[0] == 1 and out[1][0] == 2.5 and out[1][1] == {"k": 1, "op": None}
    assert isinstance(out[2], Pair) and out[2].first == 1 and out[2].second == [2.5, 2.5]
    assert isinstance(out[3], collections.OrderedDict) and list(out[3]) == ["z", "a"]


def test_duplicate_fetches_are_allowed(target):
    a = tf.constant([1, 2], name="a")
    with tf.Session(target) as sess:
        first, second = sess.run([a, a])
    np.testing.assert_array_equal(first, [1, 2])
    np.testing.assert_array_equal(second, [1, 2])


@pytest.mark.parametrize("value, dtype", [(1.5, np.float32), (7, np.int32), (True, np.bool_),
                                          (2.0, np.float64), (3, np.int64)])
def test_scalars_come_back_as_numpy_scalars_of_the_right_dtype(target, value, dtype):
    c = tf.constant(value, dtype=tf.as_dtype(dtype))
    with tf.Session(target) as sess:
        out = sess.run(c)
    assert isinstance(out, np.generic) and out.dtype == dtype and out == value


def test_string_scalar_is_bytes(target):
    c = tf.constant("héllo")
    with tf.Session(target) as sess:
        assert sess.run(c) == "héllo".encode()


def test_feed_by_tensor_and_by_name_with_python_and_numpy_values(target):
    x = tf.placeholder(tf.float32, shape=[None, 2], name="x")
    y = x + 1.0
    with tf.Session(target) as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [[1, 2]]}), [[2, 3]])
        np.testing.assert_array_equal(sess.run(y, {"x:0": np.ones((3, 2))}), np.full((3, 2), 2))
        assert sess.run(y, {x: np.zeros((0, 2))}).shape == (0, 2)


def test_any_tensor_may_be_fed_not_only_placeholders(target):
    a = tf.constant(1.0, name="a")
    b = tf.add(a, 1.0, name="b")
    c = tf.add(b, 1.0, name="c")
    with tf.Session(target) as sess:
        assert sess.run(c) == 3.0
        assert sess.run(c, {b: 10.0}) == 11.0
        assert sess.run(c, {a: -1.0}) == 1.0


def test_feeding_a_tensor_as_a_value_is_a_type_error(target):
    x = tf.placeholder(tf.float32, name="x")
    other = tf.constant(1.0)
    with tf.Session(target) as sess:
        with pytest.raises(TypeError, match="feed cannot be a plano.Tensor"):
            sess.run(x, {x: other})


def test_feed_with_wrong_shape_is_a_value_error_before_running(target):
    x = tf.placeholder(tf.float32, shape=[2, 3], name="x")
    v = tf.Variable(0.0, name="counter")
    bump = v.assign_add(1.0)
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3, 2\) for Tensor "
                                              r"'x:0', which has shape \(2, 3\)"):
            sess.run([bump, x], {x: np.zeros((3, 2))})
        assert sess.run(v) == 0.0  # nothing ran


def test_missing_feed_names_the_placeholder(target):
    x = tf.placeholder(tf.float32, shape=[2], name="needed")
    y = x + 1.0
    with tf.Session(target) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'needed'"):
            sess.run(y)


def test_uninitialized_variable_is_failed_precondition_naming_it(target):
    v = tf.Variable([1.0, 2.0], name="weights")
    with tf.Session(target) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value weights"):
            sess.run(v + 1.0)


def test_fetching_from_another_graph_is_a_value_error(target):
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        tf.constant(2.0)
    with tf.Session(target, graph=g2) as sess:
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(a)


def test_running_a_closed_session_is_a_runtime_error_and_close_is_idempotent(target):
    a = tf.constant(1.0)
    sess = tf.Session(target)
    assert sess.run(a) == 1.0
    sess.close()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(a)


def test_a_failed_step_leaves_the_session_usable(target):
    x = tf.placeholder(tf.float32, name="x")
    v = tf.Variable(5.0, name="v")
    y = x + v
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(y)
        assert sess.run(y, {x: 1.0}) == 6.0
        assert sess.run(v) == 5.0


def test_variables_belong_to_one_session(target):
    v = tf.Variable(1.0, name="v")
    inc = v.assign_add(1.0)
    with tf.Session(target) as s1, tf.Session(target) as s2:
        s1.run(v.initializer)
        s2.run(v.initializer)
        s1.run(inc)
        s1.run(inc)
        assert s1.run(v) == 3.0
        assert s2.run(v) == 1.0


def test_graph_may_grow_after_the_first_run(target):
    a = tf.constant(1.0, name="a")
    with tf.Session(target) as sess:
        assert sess.run(a) == 1.0
        b = tf.add(a, 2.0, name="b")
        assert sess.run(b) == 3.0
        c = tf.add(b, a, name="c")
        assert sess.run([c, b]) == [4.0, 3.0]


def test_many_threads_run_one_session_and_updates_are_atomic(target):
    v = tf.Variable(0.0, name="counter")
    inc = v.assign_add(1.0)
    x = tf.placeholder(tf.float32, shape=[], name="x")
    y = x + 1.0
    errors_seen = []
    with tf.Session(target) as sess:
        sess.run(v.initializer)

        def work(seed):
            try:
                for i in range(25):
                    sess.run(inc)
                    assert sess.run(y, {x: float(seed * 100 + i)}) == seed * 100 + i + 1
            except Exception as e:  # noqa: BLE001 - reported below
                errors_seen.append(e)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors_seen
        assert sess.run(v) == 100.0


def test_context_manager_sets_default_graph_and_session_and_closes(target):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(4.0)
    sess = tf.Session(target, graph=g)
    with sess as s:
        assert s is sess
        assert tf.get_default_session() is sess
        assert tf.get_default_graph() is g
        assert a.eval() == 4.0
    assert tf.get_default_session() is None
    assert tf.get_default_graph() is not g
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(a)


def test_context_manager_is_not_reentrant(target):
    sess = tf.Session(target)
    with sess:
        with pytest.raises(RuntimeError, match="not re-entrant"):
            sess.__enter__()


def test_as_default_does_not_close(target):
    a = tf.constant(3.0)
    v = tf.Variable(2.0)
    sess = tf.Session(target)
    with sess.as_default():
        assert a.eval() == 3.0
        v.initializer.run()
        assert v.eval() == 2.0
    assert sess.run(a) == 3.0
    sess.close()


def test_eval_without_a_default_session_is_a_value_error():
    a = tf.constant(1.0)
    with pytest.raises(ValueError, match="No default session"):
        a.eval()


def test_interactive_session_installs_itself_as_default(target):
    a = tf.constant(5.0)
    sess = tf.InteractiveSession(target)
    try:
        assert a.eval() == 5.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_make_callable_runs_with_positional_feeds(target):
    x = tf.placeholder(tf.float32, shape=[None], name="x")
    y = tf.placeholder(tf.float32, shape=[None], name="y")
    total = x + y
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0)
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        add = sess.make_callable([total, {"n": inc}], feed_list=[x, "y:0"])
        out = add([1.0, 2.0], np.array([10.0, 20.0], np.float32))
        np.testing.assert_array_equal(out[0], [11.0, 22.0])
        assert out[1]["n"] == 1.0
        assert add([0.0], [0.0])[1]["n"] == 2.0
        with pytest.raises(TypeError, match="Expected 2 feed values"):
            add([1.0])
        only_op = sess.make_callable(inc.op)
        assert only_op() is None
        assert sess.run(v) == 3.0


def test_run_options_and_metadata_are_accepted(target):
    a = tf.constant(1.0)
    with tf.Session(target) as sess:
        opts = tf.RunOptions(timeout_in_ms=60000)
        meta = tf.RunMetadata()
        assert sess.run(a, options=opts, run_metadata=meta) == 1.0


def test_fetching_an_unknown_name_is_an_error(target):
    tf.constant(1.0, name="a")
    with tf.Session(target) as sess:
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("nope:0")
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(None)


def test_fetched_arrays_are_private_copies(target):
    v = tf.Variable([1.0, 2.0], name="v")
    c = tf.constant([5.0, 6.0])
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        got = sess.run([v, c])
        got[0][0] = 100.0
        got[1][0] = 100.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(c), [5.0, 6.0])


def test_placeholder_with_default_uses_default_unless_fed(target):
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None], name="d")
    y = d + 1.0
    with tf.Session(target) as sess:
        np.testing.assert_array_equal(sess.run(y), [2.0, 3.0])
        np.testing.assert_array_equal(sess.run(y, {d: [0.0, 0.0, 0.0]}), [1.0, 1.0, 1.0])


def test_control_dependencies_order_a_read_after_an_assign(target):
    v = tf.Variable(1.0, name="v")
    assign = v.assign(10.0, read_value=False)
    with tf.control_dependencies([assign]):
        after = v.read_value() + 0.0
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 10.0


def test_variable_api(target):
    v = tf.Variable([1.0, 2.0], name="v", trainable=False)
    w = tf.Variable(3, name="w", dtype=tf.int64)
    assert v.name == "v:0" and v.dtype == tf.float32 and v.shape.as_list() == [2]
    assert w.dtype == tf.int64
    assert v not in tf.trainable_variables() and w in tf.trainable_variables()
    assert tf.global_variables() == [v, w]
    initialized = tf.is_variable_initialized(v)
    with tf.Session(target) as sess:
        assert sess.run(initialized) == np.False_
        sess.run(tf.variables_initializer([v, w]))
        assert sess.run(initialized) == np.True_
        np.testing.assert_array_equal(sess.run(tf.assign(v, [5.0, 6.0])), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(tf.assign_sub(v, [1.0, 1.0])), [4.0, 5.0])
        np.testing.assert_array_equal(sess.run(tf.assign_add(v, [1.0, 0.0])), [5.0, 5.0])
        np.testing.assert_array_equal(sess.run(v.read_value()), [5.0, 5.0])
        assert sess.run(w.assign_add(2)) == 5
        v.load([7.0, 8.0], sess)
        np.testing.assert_array_equal(v.eval(sess), [7.0, 8.0])


def test_a_resource_handle_cannot_be_fetched(target):
    v = tf.Variable(1.0, name="v")
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Tensor 'v:0' is a resource handle, which cannot be fetched"):
            sess.run(v.handle)
        assert sess.run(v) == 1.0


def test_a_failing_node_is_named_and_located_in_the_graph(target):
    x = tf.placeholder(tf.float32, shape=[None], name="x")
    bad = tf.reshape(x, [4], name="needs_four")
    with tf.Session(target) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"\[\[node 'needs_four' \(op: Reshape\)\]\]$") as info:
            sess.run(bad, {x: [1.0, 2.0, 3.0]})
        assert info.value.op is bad.op
        assert info.value.node_def == bad.op.node_def
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x + 1.0)
        assert info.value.op is x.op  # the placeholder that was not fed
