"""3. MLP training step (784-256-256-10, ReLU, softmax cross-entropy, SGD, batch 128 fed each
step), embedded and remote, against the same step written by hand in numpy."""
from __future__ import annotations

import itertools

import plano as tf
from benchmarks import harness, models, tf_columns
from benchmarks.harness import Row, row


def _steps_per_second(step, seconds: float) -> float:
    step()
    return 1 / harness.median(harness.repeat(step, seconds, min_reps=5))


def _plano(target: str, weights, batches, seconds: float) -> float:
    graph, x, y, train, loss, init = models.mlp_graph(weights)
    feeds = itertools.cycle(batches)
    with tf.Session(target, graph=graph) as sess:
        sess.run(init)

        def step():
            bx, by = next(feeds)
            sess.run([train, loss], {x: bx, y: by})
        return _steps_per_second(step, seconds)


def run(ctx) -> list[Row]:
    weights = models.mlp_weights()
    batches = models.mlp_batches(8)
    numpy_mlp = models.NumpyMLP(weights)
    feeds = itertools.cycle(batches)
    hand = _steps_per_second(lambda: numpy_mlp.step(*next(feeds)), ctx.seconds(5))
    embedded = _plano("", weights, batches, ctx.seconds(5))
    remote = _plano(ctx.plano_server().target, weights, batches, ctx.seconds(5))
    extra = tf_columns.mlp(ctx, weights, batches)
    return [row("3 MLP step, embedded", "throughput", "steps/s", embedded, hand,
                "hand-written numpy", ">= 0.9x", **extra),
            row("3 MLP step, remote", "throughput", "steps/s", remote, hand,
                "hand-written numpy", ">= 0.6x")]
