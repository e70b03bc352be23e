"""The random ops: seeding as TF1 (op seed, graph seed, neither), distributions, limits.

"RandomStandardNormal", "RandomUniform", "TruncatedNormal" and "RandomUniformInt"
are checked by statistics over many draws: mean and standard deviation within
a few standard errors, bounds exactly.
"""
import numpy as np
import pytest

import plano as tf
from plano import errors

N = 20000


def draw(build, runs=1, seed=None):
    """Builds `build()` in a fresh graph (optionally graph-seeded); runs it in a fresh session."""
    g = tf.Graph()
    with g.as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        out = build()
    with tf.Session(graph=g) as sess:
        return [sess.run(out) for _ in range(runs)]


RAW = {
    "RandomStandardNormal": (0.0, 1.0),
    "RandomUniform": (0.5, np.sqrt(1 / 12)),
    "TruncatedNormal": (0.0, 0.8796256610342398),  # std of N(0, 1) truncated to [-2, 2]
}


def raw(op_type, shape, dtype=tf.float32, seed=0, seed2=0):
    attrs = {"dtype": dtype, "seed": seed, "seed2": seed2}
    return tf.get_default_graph().create_op(op_type, [tf.constant(shape)], attrs).outputs[0]


@pytest.mark.parametrize("op_type", sorted(RAW))
@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_distribution_statistics(op_type, dtype):
    (value,) = draw(lambda: raw(op_type, [N], dtype, seed=7, seed2=3))
    assert value.dtype == dtype.as_numpy_dtype and value.shape == (N,)
    mean, std = RAW[op_type]
    x = value.astype(np.float64)
    assert abs(x.mean() - mean) < 5 * std / np.sqrt(N)
    assert abs(x.std() - std) < 0.02
    if op_type == "RandomUniform":
        assert x.min() >= 0 and x.max() < 1
    if op_type == "TruncatedNormal":
        assert np.abs(x).max() <= 2


def test_random_uniform_int_bounds_and_coverage():
    def build():
        return tf.get_default_graph().create_op(
            "RandomUniformInt", [tf.constant([N]), tf.constant(-3), tf.constant(4)],
            {"seed": 1}).outputs[0]
    (value,) = draw(build)
    assert value.dtype == np.int32
    assert sorted(set(value.tolist())) == list(range(-3, 4))
    assert abs(value.mean() - 0.0) < 0.1


def test_static_and_dynamic_shapes():
    out = raw("RandomStandardNormal", [2, 3])
    assert out.shape.as_list() == [2, 3]
    dims = tf.placeholder(tf.int32, [2])
    dynamic = tf.get_default_graph().create_op(
        "RandomUniform", [dims], {"dtype": tf.float64}).outputs[0]
    assert dynamic.shape.as_list() == [None, None]
    with tf.Session() as sess:
        assert sess.run(dynamic, {dims: [4, 1]}).shape == (4, 1)


def test_op_seed_repeats_in_a_fresh_session_and_continues_within_one():
    first = draw(lambda: tf.random_normal([5], seed=42), runs=2)
    second = draw(lambda: tf.random_normal([5], seed=42), runs=2)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], first[1])


def test_graph_seed_alone_makes_results_repeatable():
    def build():
        return [tf.random_uniform([4]), tf.truncated_normal([4]),
                tf.random_uniform([4], maxval=100, dtype=tf.int64)]
    a = draw(build, seed=1234)[0]
    b = draw(build, seed=1234)[0]
    c = draw(build, seed=4321)[0]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], a[1])  # two ops in one graph get different op seeds


def test_unseeded_differs_across_sessions():
    a = draw(lambda: tf.random_uniform([8]))[0]
    b = draw(lambda: tf.random_uniform([8]))[0]
    assert not np.array_equal(a, b)


def test_helpers_scale_and_shift():
    (normal,) = draw(lambda: tf.random_normal([N], mean=3.0, stddev=2.0, seed=5))
    assert abs(normal.mean() - 3.0) < 0.05 and abs(normal.std() - 2.0) < 0.05
    (trunc,) = draw(lambda: tf.truncated_normal([N], mean=-1.0, stddev=0.5, seed=5))
    assert trunc.min() >= -2.0 and trunc.max() <= 0.0
    (uniform,) = draw(lambda: tf.random_uniform([N], minval=-2.0, maxval=6.0, seed=5))
    assert uniform.min() >= -2.0 and uniform.max() < 6.0 and abs(uniform.mean() - 2.0) < 0.1
    (ints,) = draw(lambda: tf.random_uniform([N], minval=10, maxval=13, dtype=tf.int64,
                                             seed=5))
    assert ints.dtype == np.int64 and set(ints.tolist()) == {10, 11, 12}
    (half,) = draw(lambda: tf.random_uniform([N], dtype=tf.float16, seed=5))
    assert half.dtype == np.float16 and half.max() < 1


def test_helper_node_names_follow_tf():
    tf.random_normal([2], name="noise")
    tf.random_uniform([2])
    tf.random_uniform([2], maxval=5, dtype=tf.int32)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["noise/shape", "noise/mean", "noise/stddev", "noise/RandomStandardNormal",
                     "noise/mul", "noise", "random_uniform/shape",
                     "random_uniform/RandomUniform", "random_uniform_1/shape",
                     "random_uniform_1/min", "random_uniform_1/max", "random_uniform_1"]
    op = tf.get_default_graph().get_operation_by_name("random_uniform_1")
    assert op.type == "RandomUniformInt"


def test_random_namespace():
    assert tf.random.normal is tf.random_normal
    assert tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal
    tf.random.set_seed(3)
    assert tf.get_default_graph().seed == 3


def test_helper_argument_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype int32"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="int32"):  # mean 0.0 cannot be an int32 (as TF)
        tf.random_normal([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.get_default_graph().create_op("TruncatedNormal", [tf.constant([2])],
                                         {"dtype": tf.int32})
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.random_normal([[2]])


def test_runtime_errors_name_the_node():
    dims = tf.placeholder(tf.int32, [None], name="dims")
    out = tf.random_normal(dims, name="noise")
    lo = tf.placeholder(tf.int32, [], name="lo")
    ints = tf.random_uniform([3], minval=lo, maxval=2, dtype=tf.int32, name="ints")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"noise/RandomStandardNormal.*negative dimension -2"):
            sess.run(out, {dims: [3, -2]})
        with pytest.raises(errors.ResourceExhaustedError,
                           match=r"noise/RandomStandardNormal.*over this server's limit"):
            sess.run(out, {dims: [10**6, 10**6]})
        with pytest.raises(errors.InvalidArgumentError, match=r"Need minval < maxval: 5 >= 2"):
            sess.run(ints, {lo: 5})


def test_random_ops_are_not_differentiable():
    from plano.framework.gradient_registry import NOT_DIFFERENTIABLE

    assert set(RAW) | {"RandomUniformInt"} <= NOT_DIFFERENTIABLE
