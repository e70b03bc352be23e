"""Extra columns when `tensorflow` happens to be importable (it is never a dependency):
TF's in-process session and a tf.distribute.Server on localhost (in its own process, as
plano-server is: see tf_server.py), on the same workloads. Each function returns
{column name: figure}; {} without TensorFlow."""
from __future__ import annotations

from functools import partial

import numpy as np

from benchmarks import harness, models

IN_PROCESS = "TF in-process"
REMOTE = "TF gRPC server"


def _v1(ctx):
    if ctx.tf_real is None:
        try:
            import tensorflow as tf_real
        except ImportError:
            return None
        tf_real.compat.v1.disable_eager_execution()
        ctx.tf_real = tf_real
    return ctx.tf_real.compat.v1


def _targets(ctx) -> dict[str, str]:
    return {IN_PROCESS: "", REMOTE: ctx.tf_server().target}


def tiny(ctx, value: np.ndarray) -> dict[str, dict]:
    v1 = _v1(ctx)
    if v1 is None:
        return {}
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(v1.float32, [4])
        y = x * 2.0 + 1.0
    out = {}
    for column, target in _targets(ctx).items():
        with v1.Session(target, graph=graph) as sess:
            sess.run(y, {x: value})
            times = harness.repeat(lambda: sess.run(y, {x: value}), ctx.seconds(3))
        out[column] = {"median": harness.median(times), "p99": harness.p99(times)}
    return out


def mlp(ctx, weights, batches) -> dict[str, float]:
    """Steps per second of the same MLP step."""
    v1 = _v1(ctx)
    if v1 is None:
        return {}
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(v1.float32, [models.MLP_BATCH, models.MLP_SIZES[0]])
        y = v1.placeholder(v1.float32, [models.MLP_BATCH, models.MLP_SIZES[-1]])
        h = x
        params = [v1.Variable(w) for w in weights]
        for i in range(0, len(params), 2):
            h = v1.matmul(h, params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = v1.nn.relu(h)
        loss = v1.reduce_mean(v1.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = v1.train.GradientDescentOptimizer(models.LEARNING_RATE).minimize(loss)
        init = v1.global_variables_initializer()
    out = {}
    for column, target in _targets(ctx).items():
        with v1.Session(target, graph=graph) as sess:
            sess.run(init)
            out[column] = 1 / harness.median(harness.repeat(
                partial(_train_step, sess, [train, loss], x, y, iter(batches * 1000)),
                ctx.seconds(4)))
    return out


def _train_step(sess, fetches, x, y, feeds) -> None:
    bx, by = next(feeds)
    sess.run(fetches, {x: bx, y: by})


def fetch(ctx, nbytes: int) -> dict[str, float]:
    """GiB/s fetching a variable of `nbytes` (TF's gRPC session cannot pass 2 GiB)."""
    v1 = _v1(ctx)
    if v1 is None:
        return {}
    graph = v1.Graph()
    with graph.as_default():
        v = v1.Variable(v1.zeros([nbytes // 4], v1.float32))
    out = {}
    for column, target in _targets(ctx).items():
        try:
            with v1.Session(target, graph=graph) as sess:
                sess.run(v.initializer)
                seconds = harness.best(harness.repeat(lambda: sess.run(v), 0, min_reps=2))
            out[column] = nbytes / seconds / 2**30
        except Exception as e:  # noqa: BLE001 - TF's failure is the figure
            out[column] = f"fails: {type(e).__name__}"
    return out
