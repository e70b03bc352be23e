"""A client of a running plano-server: the graph is built here, the state lives there.

Start a server (`plano-server --port 8500`), then:

    python examples/remote_client.py grpc://localhost:8500

The script builds a small graph, runs it remotely, and shows that a variable
keeps its value in the server's session between runs (and that a second
session on the same graph has its own value).
"""
import argparse
import sys

import numpy as np

import plano as tf
from plano import errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="the server, e.g. grpc://localhost:8500")
    target = parser.parse_args(argv).target

    a = tf.placeholder(tf.float32, [2, 2], name="a")
    product = tf.matmul(a, a, name="product")
    counter = tf.Variable(0, name="counter")
    increment = counter.assign_add(1)

    try:
        with tf.Session(target) as sess:
            print("a @ a =", sess.run(product, {a: np.array([[1, 2], [3, 4]])}).tolist())
            sess.run(counter.initializer)
            for _ in range(3):
                value = sess.run(increment)
            print(f"counter after 3 increments in this session: {value}")
            with tf.Session(target) as other:
                other.run(counter.initializer)
                print(f"counter in a second session: {other.run(counter)}")
            print(f"counter in the first session is still: {sess.run(counter)}")
    except errors.UnavailableError as e:
        print(f"cannot reach a plano-server at {target}: {e.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
