"""Tensors beyond gRPC's 4 MiB default: streamed in chunks into one preallocated array."""
import time

import numpy as np
import pytest

import plano as tf
from plano_server.process import ServerProcess

MiB = 1 << 20


def test_300_mib_feed_and_300_mib_fetch(plano_server):
    n = 300 * MiB // 4
    x = tf.placeholder(tf.float32, [n])
    y = x + 1.0
    total = tf.reduce_sum(x)
    feed = np.ones(n, np.float32)
    with tf.Session(plano_server.target) as sess:
        start = time.perf_counter()
        assert sess.run(total, {x: feed}) == float(n)  # 300 MiB in, a scalar out
        upload = time.perf_counter() - start
        start = time.perf_counter()
        out = sess.run(y, {x: feed})  # 300 MiB in, 300 MiB out
        both = time.perf_counter() - start
    assert out.shape == (n,) and out.dtype == np.float32
    assert out.flags.c_contiguous and out.flags.writeable
    assert (out == 2.0).all()
    print(f"300 MiB feed: {upload:.2f} s; 300 MiB feed + fetch: {both:.2f} s")


def test_300_mib_fetch_made_on_the_server(plano_server):
    n = 300 * MiB // 8
    values = tf.cast(tf.range(n), tf.float64) * 0.5
    with tf.Session(plano_server.target) as sess:
        out = sess.run(values)
    assert out.shape == (n,) and out.dtype == np.float64
    assert out[0] == 0.0 and out[-1] == (n - 1) * 0.5 and out[n // 3] == (n // 3) * 0.5


@pytest.mark.parametrize("dtype", [np.float16, np.int64, np.bool_, np.int8, np.uint8])
def test_streamed_dtypes_and_shapes_round_trip(plano_server, dtype):
    rng = np.random.default_rng(0)
    value = (rng.standard_normal((3, 700, 401)) * 100).astype(dtype)  # over 1 MiB for most
    x = tf.placeholder(tf.as_dtype(dtype), [None, 700, None])
    with tf.Session(plano_server.target) as sess:
        out = sess.run(tf.identity(x), {x: value})
        f = sess.make_callable(tf.identity(x), [x])
        out2 = f(value)
    np.testing.assert_array_equal(out, value)
    np.testing.assert_array_equal(out2, value)
    assert out.dtype == value.dtype and out.shape == value.shape


def test_large_string_tensors_stream(plano_server):
    value = np.array([b"%d-" % i * 50 for i in range(20000)], dtype=object)
    x = tf.placeholder(tf.string, [None])
    with tf.Session(plano_server.target) as sess:
        out = sess.run(tf.identity(x), {x: value})
    assert out.dtype == object and list(out) == list(value)


def test_a_small_chunk_size_and_a_tensor_size_limit():
    server = ServerProcess("--chunk-size", "64K", "--inline-limit", "16K",
                           "--max-tensor-bytes", "8M")
    try:
        x = tf.placeholder(tf.float32, [None])
        with tf.Session(server.target) as sess:
            value = np.arange(MiB, dtype=np.float32)  # 4 MiB: 64 chunks each way
            np.testing.assert_array_equal(sess.run(x * 2.0, {x: value}), value * 2.0)
            with pytest.raises(tf.errors.ResourceExhaustedError,
                               match=r"Tensor 'Placeholder:0': declared shape \[3145728\] needs "
                               r"12582912 bytes, over this server's limit of 8388608 bytes"):
                sess.run(x, {x: np.zeros(3 * MiB, np.float32)})
    finally:
        assert server.stop() == 0
