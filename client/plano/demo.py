"""`plano demo`: train a classifier through a remote session, checkpoint it, restore it.

What it shows, in order: the graph is built here, in this process; it runs
in a session on a plano-server (started in-process on a free port, or the
one `--target` names); the variables live in that session, so each training
step sends only a batch and receives only the loss; a checkpoint pulls the
variables to this machine's disk and pushes them into a fresh session.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import TextIO

import numpy as np

NUM_CLASSES = 3
HIDDEN = 64


@dataclass
class DemoOptions:
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 0.01
    target: str | None = None
    points: int = 3000
    seed: int = 0
    checkpoint_dir: str | None = None


def make_spirals(points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three interleaved spiral arms in the plane (float32 xy, int32 labels), shuffled."""
    rng = np.random.default_rng(seed)
    per_class = points // NUM_CLASSES
    xs, ys = [], []
    for k in range(NUM_CLASSES):
        r = np.linspace(0.08, 1.0, per_class)
        theta = 2 * np.pi * k / NUM_CLASSES + 3.2 * r * np.pi + rng.normal(0, 0.1, per_class)
        arm = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
        xs.append(arm + rng.normal(0, 0.03, arm.shape))
        ys.append(np.full(per_class, k))
    x, y = np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)
    order = rng.permutation(len(y))
    return x[order], y[order]


class Model:
    """The MLP classifier graph: placeholders, logits, loss, accuracy, train op, saver."""

    def __init__(self, graph, learning_rate: float, seed: int):
        import plano as tf

        with graph.as_default():
            tf.set_random_seed(seed)
            self.x = tf.placeholder(tf.float32, [None, 2], name="points")
            self.labels = tf.placeholder(tf.int32, [None], name="labels")
            h = tf.layers.dense(self.x, HIDDEN, activation=tf.nn.relu, name="hidden1")
            h = tf.layers.dense(h, HIDDEN, activation=tf.nn.relu, name="hidden2")
            logits = tf.layers.dense(h, NUM_CLASSES, name="logits")
            self.loss = tf.losses.sparse_softmax_cross_entropy(self.labels, logits)
            self.global_step = tf.train.get_or_create_global_step()
            self.train_op = tf.train.AdamOptimizer(learning_rate).minimize(
                self.loss, global_step=self.global_step)
            correct = tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), self.labels)
            self.accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
            self.init = tf.global_variables_initializer()
            self.saver = tf.train.Saver(max_to_keep=2)
            self.parameters = sum(int(np.prod(v.shape.as_list()))
                                  for v in tf.trainable_variables())
            self.variables = len(tf.global_variables())


class Progress:
    """A one-line progress bar on a terminal; one line per epoch otherwise."""

    def __init__(self, out: TextIO, epochs: int, steps_per_epoch: int):
        self.out, self.epochs, self.steps = out, epochs, steps_per_epoch
        self.tty = hasattr(out, "isatty") and out.isatty()

    def update(self, epoch: int, step: int, loss: float, rate: float) -> None:
        if not self.tty:
            return
        done = int(24 * step / self.steps)
        self.out.write(f"\r  epoch {epoch:>3}/{self.epochs} [{'#' * done}{'.' * (24 - done)}] "
                       f"loss {loss:.4f}  {rate:,.0f} steps/s ")
        self.out.flush()

    def end_epoch(self, epoch: int, loss: float, rate: float) -> None:
        line = f"  epoch {epoch:>3}/{self.epochs} [{'#' * 24}] loss {loss:.4f}  {rate:,.0f} steps/s"
        if self.tty:
            self.out.write("\r" + line + ("\n" if epoch == self.epochs else ""))
        else:
            self.out.write(line + "\n")
        self.out.flush()


def run_demo(options: DemoOptions, out: TextIO = sys.stdout) -> float:
    """Runs the whole demo; returns the restored model's test accuracy."""
    import plano as tf

    started = time.perf_counter()
    say = _printer(out)
    say("plano demo: build a graph here, run it in a session on a plano-server\n")
    server = None
    target = options.target
    if target is None:
        from plano_server.server import start_server

        server = start_server(host="127.0.0.1", port=0)
        target = server.target
        say(f"  server   started a plano-server inside this process at {target}")
    else:
        say(f"  server   using the plano-server at {target}")
    try:
        x, y = make_spirals(options.points, options.seed)
        n_test = len(y) // 5
        x_train, y_train, x_test, y_test = x[n_test:], y[n_test:], x[:n_test], y[:n_test]
        say(f"  data     {NUM_CLASSES} interleaved spirals, {len(y_train)} training and "
            f"{n_test} test points (generated here, seed {options.seed})")
        graph = tf.Graph()
        model = Model(graph, options.learning_rate, options.seed)
        graph_def = graph.as_graph_def()
        say(f"  graph    built locally: MLP 2-{HIDDEN}-{HIDDEN}-{NUM_CLASSES} with Adam "
            f"(lr {options.learning_rate}), {len(graph_def.node)} nodes, "
            f"{graph_def.ByteSize() / 1024:.1f} KiB as a GraphDef")
        with tf.Session(target, graph=graph) as sess:
            sess.run(model.init)
            say(f"  session  the graph went to the server once; its {model.variables} "
                f"variables ({model.parameters:,} weights and biases, Adam's slots, the "
                "global step) now live in that session\n")
            say(f"  training: each step sends one batch of {options.batch_size} points and "
                "gets back only the loss")
            _train(sess, model, x_train, y_train, options, out)
            accuracy = sess.run(model.accuracy, {model.x: x_test, model.labels: y_test})
            say(f"\n  test accuracy {accuracy:.1%} (computed in the session; one number came "
                "back)")
            folder = options.checkpoint_dir or tempfile.mkdtemp(prefix="plano-demo-")
            os.makedirs(folder, exist_ok=True)
            path = model.saver.save(sess, os.path.join(folder, "spirals"),
                                    global_step=model.global_step)
            say(f"  saved    the session's variables to {path} "
                f"({os.path.getsize(path) / 1024:.1f} KiB on this machine)")
        with tf.Session(target, graph=graph) as fresh:
            model.saver.restore(fresh, tf.train.latest_checkpoint(folder))
            restored = fresh.run(model.accuracy, {model.x: x_test, model.labels: y_test})
        same = "the same" if restored == accuracy else "DIFFERENT"
        say(f"  restored into a fresh session: test accuracy {restored:.1%} ({same})")
        say(f"\ndone in {time.perf_counter() - started:.1f} s")
        return float(restored)
    finally:
        if server is not None:
            server.stop()


def _train(sess, model: Model, x, y, options: DemoOptions, out: TextIO) -> None:
    step = sess.make_callable([model.train_op, model.loss], feed_list=[model.x, model.labels])
    rng = np.random.default_rng(options.seed)
    batches = max(1, len(y) // options.batch_size)
    progress = Progress(out, options.epochs, batches)
    for epoch in range(1, options.epochs + 1):
        order = rng.permutation(len(y))
        t0 = time.perf_counter()
        losses = []
        for b in range(batches):
            idx = order[b * options.batch_size:(b + 1) * options.batch_size]
            losses.append(step(x[idx], y[idx])[1])
            if b % 8 == 7:
                progress.update(epoch, b + 1, float(np.mean(losses[-8:])),
                                (b + 1) / (time.perf_counter() - t0))
        progress.end_epoch(epoch, float(np.mean(losses)), batches / (time.perf_counter() - t0))


def _printer(out: TextIO):
    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()
    return say
