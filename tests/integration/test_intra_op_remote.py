"""plano-server splits large products over its helper threads (kernels/intra_op.py): a
remote product equals numpy's to rounding and has the same bits under any load."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import plano as tf


def _product_graph():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [256, 512], name="a")
        b = tf.placeholder(tf.float32, [512, 384], name="b")
        product = tf.matmul(a, b)
    return graph, a, b, product


def test_a_large_remote_product_has_the_same_bits_alone_and_under_load(plano_server):
    rng = np.random.default_rng(5)
    a_value = rng.standard_normal((256, 512)).astype(np.float32)
    b_value = rng.standard_normal((512, 384)).astype(np.float32)

    def run(steps: int) -> list[np.ndarray]:
        graph, a, b, product = _product_graph()
        with tf.Session(plano_server.target, graph=graph) as sess:
            return [sess.run(product, {a: a_value, b: b_value}) for _ in range(steps)]
    alone = run(1)[0]
    np.testing.assert_allclose(alone, a_value @ b_value, rtol=1e-4, atol=1e-3)
    with ThreadPoolExecutor(4) as pool:
        loaded = [r for results in pool.map(run, [5] * 4) for r in results]
    for result in loaded:
        np.testing.assert_array_equal(result, alone)
