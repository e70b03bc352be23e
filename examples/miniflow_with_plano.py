"""The MiniFlow lesson rebuilt with plano: forward pass, backward pass, then SGD.

MiniFlow builds a tiny graph library by hand (Input, Linear, Sigmoid, MSE
nodes with forward() and backward()). Here the same three steps use plano:
the graph is built, `plano.gradients` adds the backward pass, and an SGD
loop trains a two-layer network on a generated regression problem.

    python examples/miniflow_with_plano.py [--target grpc://host:port]
"""
import argparse

import numpy as np

import plano as tf


def forward_pass(target: str) -> float:
    """The lesson's Linear node: inputs . weights + bias = 12.7."""
    inputs, weights = tf.placeholder(tf.float32, [3]), tf.placeholder(tf.float32, [3])
    bias = tf.placeholder(tf.float32, [])
    linear = tf.reduce_sum(inputs * weights) + bias
    with tf.Session(target) as sess:
        return float(sess.run(linear, {inputs: [6, 14, 3], weights: [0.5, 0.25, 1.4], bias: 2}))


def backward_pass(target: str) -> list:
    """The lesson's Linear -> Sigmoid -> MSE graph and its gradients for X, y, W and b."""
    X, y = tf.placeholder(tf.float64, [None, 2]), tf.placeholder(tf.float64, [None, 1])
    W, b = tf.placeholder(tf.float64, [2, 1]), tf.placeholder(tf.float64, [1])
    cost = tf.reduce_mean(tf.square(y - tf.sigmoid(tf.matmul(X, W) + b)))
    grads = tf.gradients(cost, [X, y, W, b])
    with tf.Session(target) as sess:
        return sess.run(grads, {X: [[-1., -2.], [-1, -2]], y: [[1.], [2.]],
                                W: [[2.], [3.]], b: [-3.]})


def make_regression(n: int = 506, features: int = 13, seed: int = 0):
    """A smooth nonlinear target over standardized features (the lesson uses Boston housing)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features))
    y = np.tanh(X[:, :3] @ [1.0, -0.5, 0.8]) * 5 + X[:, 3] * 2 + rng.normal(0, 0.3, n) + 22
    return X, y.reshape(-1, 1)


def sgd(target: str, epochs: int = 10, batch_size: int = 11, hidden: int = 10) -> list:
    """Linear -> Sigmoid -> Linear, MSE, plain SGD on random batches; returns each epoch's loss."""
    X_data, y_data = make_regression()
    rng = np.random.default_rng(1)
    X = tf.placeholder(tf.float64, [None, X_data.shape[1]])
    y = tf.placeholder(tf.float64, [None, 1])
    W1 = tf.Variable(rng.normal(size=(X_data.shape[1], hidden)))
    b1 = tf.Variable(np.zeros(hidden))
    W2 = tf.Variable(rng.normal(size=(hidden, 1)))
    b2 = tf.Variable(np.zeros(1))
    out = tf.matmul(tf.sigmoid(tf.matmul(X, W1) + b1), W2) + b2
    cost = tf.reduce_mean(tf.square(y - out))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(cost)
    steps = len(X_data) // batch_size
    history = []
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        step = sess.make_callable([train, cost], [X, y])
        for epoch in range(epochs):
            loss = 0.0
            for _ in range(steps):
                idx = rng.integers(0, len(X_data), batch_size)
                loss += step(X_data[idx], y_data[idx])[1]
            history.append(loss / steps)
            print(f"Epoch: {epoch + 1}, Loss: {history[-1]:.3f}")
    return history


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="", help="grpc://host:port (default: embedded)")
    target = parser.parse_args(argv).target
    print(f"forward pass: linear = {forward_pass(target):.1f}")
    for name, g in zip(["X", "y", "W", "b"], backward_pass(target)):
        print(f"backward pass: d cost / d {name} = {np.array2string(g.ravel(), precision=8)}")
    sgd(target)


if __name__ == "__main__":
    main()
