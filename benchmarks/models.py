"""The workloads, each written twice: as a plano graph and as the numpy a person would write."""
from __future__ import annotations

import numpy as np

import plano as tf

MLP_SIZES = (784, 256, 256, 10)
MLP_BATCH = 128
LEARNING_RATE = 0.05


def tiny_graph():
    """y = x * 2 + 1 on a fed float32[4]."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [4], name="x")
        y = x * 2.0 + 1.0
    return graph, x, y


def mlp_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        out.append((rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32))
        out.append(np.zeros(n_out, np.float32))
    return out


def mlp_batches(count: int, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(count):
        x = rng.random((MLP_BATCH, MLP_SIZES[0]), dtype=np.float32)
        y = np.eye(MLP_SIZES[-1], dtype=np.float32)[rng.integers(0, MLP_SIZES[-1], MLP_BATCH)]
        batches.append((x, y))
    return batches


def mlp_graph(weights: list[np.ndarray]):
    """784-256-256-10 ReLU MLP, softmax cross-entropy, plain SGD: (graph, x, y, train, loss)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [MLP_BATCH, MLP_SIZES[0]], name="x")
        y = tf.placeholder(tf.float32, [MLP_BATCH, MLP_SIZES[-1]], name="y")
        h = x
        params = [tf.Variable(w) for w in weights]
        for i in range(0, len(params), 2):
            h = tf.matmul(h, params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        init = tf.global_variables_initializer()
    return graph, x, y, train, loss, init


class NumpyMLP:
    """The same training step by hand: forward, backward, SGD update, in float32."""

    def __init__(self, weights: list[np.ndarray]):
        self.params = [w.copy() for w in weights]

    def step(self, x: np.ndarray, y: np.ndarray) -> np.float32:
        w1, b1, w2, b2, w3, b3 = self.params
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        logits = h2 @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = np.mean(-(y * (shifted - np.log(exp.sum(axis=1, keepdims=True)))).sum(axis=1))
        d_logits = (probs - y) / np.float32(len(x))
        d_h2 = d_logits @ w3.T
        d_z2 = d_h2 * (z2 > 0)
        d_h1 = d_z2 @ w2.T
        d_z1 = d_h1 * (z1 > 0)
        grads = [x.T @ d_z1, d_z1.sum(axis=0), h1.T @ d_z2, d_z2.sum(axis=0),
                 h2.T @ d_logits, d_logits.sum(axis=0)]
        lr = np.float32(LEARNING_RATE)
        self.params = [p - lr * g for p, g in zip(self.params, grads)]
        return loss


CHAIN_UFUNCS = (np.add, np.multiply, np.subtract, np.maximum)


def chain_graph(length: int, size: int, prefix: str = "chain"):
    """`length` elementwise nodes, each reading the previous one and a fed tensor `f`, so
    nothing folds: (graph, f, y). `prefix` makes the graph's bytes unique."""
    graph = tf.Graph()
    ops = (tf.add, tf.multiply, tf.subtract, tf.maximum)
    with graph.as_default(), tf.name_scope(prefix):
        f = tf.placeholder(tf.float32, [size], name="f")
        y = f
        for i in range(length):
            y = ops[i % len(ops)](y, f)
    return graph, f, y


def chain_numpy(length: int):
    """The same chain as straight-line numpy statements: `y = np.add(y, f)`, ..."""
    names = {np.add: "add", np.multiply: "multiply", np.subtract: "subtract",
             np.maximum: "maximum"}
    lines = ["def chain(f):", "    y = f"]
    lines += [f"    y = np.{names[CHAIN_UFUNCS[i % 4]]}(y, f)" for i in range(length)]
    lines.append("    return y")
    env = {"np": np}
    exec("\n".join(lines), env)  # noqa: S102 - our own fixed text
    return env["chain"]


def chain_feed(size: int) -> np.ndarray:
    return np.random.default_rng(2).uniform(0.99, 1.01, size).astype(np.float32)
