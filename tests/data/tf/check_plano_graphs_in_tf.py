"""The other direction: GraphDefs written by plano import and run in real TensorFlow.

Run by hand (TensorFlow is not a plano dependency, so CI cannot run this):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/tfvenv/bin/python tests/data/tf/check_plano_graphs_in_tf.py

It builds graphs with plano (imported from this checkout), runs them in a plano
session, serializes `graph.as_graph_def()`, imports the bytes with
`tf.import_graph_def` and checks TF computes the same values. Exits non-zero on
any difference.
"""
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
sys.path[:0] = [os.path.join(ROOT, "client"), os.path.join(ROOT, "server")]

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import plano  # noqa: E402

tf.compat.v1.disable_eager_execution()


def build_mlp():
    """Resource variables, matmul, relu, reductions, select, slicing and gradients."""
    g = plano.Graph()
    with g.as_default():
        x = plano.placeholder(plano.float32, [None, 3], name="x")
        k = plano.placeholder(plano.int32, [3], name="k")
        w = plano.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, name="w")
        v = plano.Variable(np.ones(2, np.float32), name="v")
        h = plano.nn.relu(plano.matmul(x, w) + v)
        y = plano.reduce_sum(plano.square(x - 1.5) * plano.cast(k, plano.float32), axis=1)
        z = plano.where(x > 0.0, plano.exp(-x), plano.abs(x))
        s = plano.concat([x[:, ::-1], plano.gather(x, [0, 0], axis=0)[:1]], axis=0)
        t = plano.transpose(plano.reshape(plano.tile(x, [1, 2]), [-1, 3, 2]), [0, 2, 1])
        c = plano.constant(np.array([[1, 2], [3, 4]], np.int64)) * 2
        strings = plano.identity(plano.constant(["ab", "c"]))
        half = plano.constant(np.array([1.5, 2.5], np.float16)) + np.float16(1)
        loss = plano.reduce_mean(plano.square(h))
        grads = plano.gradients(loss, [w, v, x])
        init = plano.global_variables_initializer()
    fetches = [h, y, z, s, t, c, strings, half, loss] + grads
    feeds = {"x:0": np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32),
             "k:0": np.array([1, 2, 3], np.int32)}
    return g, [init.name], [f.name for f in fetches], feeds


def build_cnn():
    """Conv2D, pooling and softmax cross entropy, with plano's own gradient ops."""
    r = np.random.default_rng(0)
    g = plano.Graph()
    with g.as_default():
        x = plano.placeholder(plano.float32, [None, 6, 6, 2], name="x")
        labels = plano.constant(np.eye(3, dtype=np.float32)[[0, 2]])
        k = plano.constant(r.standard_normal((3, 3, 2, 4)).astype(np.float32))
        conv = plano.nn.relu(plano.nn.bias_add(
            plano.nn.conv2d(x, k, strides=[1, 1, 1, 1], padding="SAME"),
            plano.constant(np.linspace(-1, 1, 4).astype(np.float32))))
        pooled = plano.nn.avg_pool(plano.nn.max_pool(conv, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
                                   [1, 3, 3, 1], [1, 1, 1, 1], "VALID")
        logits = plano.matmul(plano.reshape(pooled, [-1, 4]),
                              plano.constant(r.standard_normal((4, 3)).astype(np.float32)))
        loss = plano.reduce_mean(plano.nn.softmax_cross_entropy_with_logits_v2(
            labels=labels, logits=logits))
        grads = plano.gradients(loss, [x, k])
    feeds = {"x:0": r.standard_normal((2, 6, 6, 2)).astype(np.float32)}
    return g, [], [t.name for t in [conv, pooled, logits, loss] + grads], feeds


def check(name, graph, targets, fetches, feeds) -> bool:
    with plano.Session(graph=graph) as sess:
        for target in targets:
            sess.run(target)
        want = sess.run(fetches, feeds)
    graph_def = tf.compat.v1.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    tf_graph = tf.Graph()
    with tf_graph.as_default():
        tf.import_graph_def(graph_def, name="")
    ok = True
    with tf.compat.v1.Session(graph=tf_graph) as sess:
        for target in targets:
            sess.run(target)
        got = sess.run(fetches, feeds)
    for fetch, a, b in zip(fetches, got, want):
        a, b = np.asarray(a), np.asarray(b)
        same = a.shape == b.shape and (
            np.allclose(a, b, rtol=1e-4, atol=1e-5) if b.dtype.kind == "f"
            else a.tolist() == b.tolist())
        if not same:
            ok = False
            print(f"{name}: {fetch}: TF gave {a!r}, plano {b!r}")
    print(f"{name}: {'OK' if ok else 'DIFFERENT'} ({len(fetches)} fetches)")
    return ok


def main() -> int:
    results = [check("mlp", *build_mlp()), check("cnn", *build_cnn())]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
