"""The TF1 "MNIST for beginners" softmax regression, unchanged but for `import plano as tf`.

The images are generated (10 noisy 8x8 digit-like prototypes, flattened to
64 pixels) so the script needs no download; the model code is the classic
TF1 tutorial's.

    python examples/tf1_softmax_regression.py [--target grpc://host:port]
"""
import argparse

import numpy as np

import plano as tf


def make_digits(n: int, seed: int):
    """n images (64 pixels in [0, 1]) of 10 fixed random prototypes plus noise; one-hot labels."""
    prototypes = (np.random.default_rng(1234).random((10, 64)) > 0.6).astype(np.float32)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = np.clip(prototypes[labels] + rng.normal(0, 0.35, (n, 64)), 0, 1)
    return images.astype(np.float32), np.eye(10, dtype=np.float32)[labels]


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="", help="grpc://host:port (default: embedded)")
    target = parser.parse_args(argv).target
    train_x, train_y = make_digits(5000, seed=0)
    test_x, test_y = make_digits(1000, seed=1)

    x = tf.placeholder(tf.float32, [None, 64])
    W = tf.Variable(tf.zeros([64, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, W) + b)
    y_ = tf.placeholder(tf.float32, [None, 10])
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), reduction_indices=[1]))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

    sess = tf.InteractiveSession(target)
    tf.global_variables_initializer().run()
    for i in range(500):
        start = (i * 100) % len(train_x)
        batch_xs, batch_ys = train_x[start:start + 100], train_y[start:start + 100]
        sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})

    correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    result = sess.run(accuracy, feed_dict={x: test_x, y_: test_y})
    print(f"test accuracy: {result:.4f}")
    sess.close()
    return float(result)


if __name__ == "__main__":
    main()
