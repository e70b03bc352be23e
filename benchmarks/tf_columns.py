"""Extra columns when `tensorflow` happens to be importable (it is never a dependency):
TF's in-process session and a tf.distribute.Server on localhost (in its own process, as
plano-server is: see tf_server.py), on the same workloads. Each function returns
{column name: figure, or "fails: ..."}; {} without TensorFlow.

Each figure is taken in a child process, `python -m benchmarks.tf_columns KIND TARGET
SECONDS [NBYTES]` (TARGET "" for the in-process session), which prints it as JSON. TF is
never loaded into the benchmark's own process: there its libraries and thread pools slowed
plano's client steps measured after them (the tiny remote ratio read 1.163-1.167x before,
1.180-1.185x after), and a failing TF call can keep TF's own error handling busy far
longer than the call (an AbortedError whose message held tensor bytes kept
`error_interpolation` parsing it for over 20 minutes), so a child has a time limit.
"""
from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
from functools import partial

import numpy as np

from benchmarks import harness, models
from benchmarks.tf_server import TFServerProcess

IN_PROCESS = "TF in-process"
REMOTE = "TF gRPC server"
_LIMIT_S = 120  # a child's time limit on top of its sampling time (TF's import included)


def available() -> bool:
    return importlib.util.find_spec("tensorflow") is not None


def tiny(ctx) -> dict[str, dict | str]:
    """Seconds per step of y = x * 2 + 1 on a fed float32[4]: {"median": ..., "p99": ...}."""
    return _columns(ctx, "tiny", ctx.seconds(3))


def mlp(ctx) -> dict[str, float | str]:
    """Steps per second of the same MLP step."""
    return _columns(ctx, "mlp", ctx.seconds(4))


def fetch(ctx, nbytes: int) -> dict[str, float | str]:
    """GiB/s fetching a variable of `nbytes` (TF's gRPC session cannot pass 2 GiB)."""
    return _columns(ctx, "fetch", 0, str(nbytes))


def _columns(ctx, kind: str, seconds: float, *args: str) -> dict:
    """Both columns of one workload. The TF server is started for them and stopped after,
    so that no TF process runs while plano's figures are taken, and a failure that leaves
    it in a bad state (a 3 GiB fetch leaves it holding 6 GiB) reaches no other figure."""
    if not available():
        return {}
    figures = {IN_PROCESS: _child(kind, "", seconds, *args)}
    server = TFServerProcess()
    try:
        figures[REMOTE] = _child(kind, server.target, seconds, *args)
    finally:
        server.stop()
    return figures


def _child(kind: str, target: str, seconds: float, *args: str):
    limit = _LIMIT_S + 10 * seconds
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.tf_columns", kind, target,
                               str(seconds), *args], capture_output=True, text=True,
                              timeout=limit)
    except subprocess.TimeoutExpired:
        return f"fails: no answer in {limit:.0f} s"
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return f"fails: exit status {done.returncode}"
    return json.loads(lines[-1])


def _v1():
    import tensorflow as tf_real

    tf_real.compat.v1.disable_eager_execution()
    return tf_real.compat.v1


def _measure_tiny(v1, target: str, seconds: float) -> dict:
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(v1.float32, [4])
        y = x * 2.0 + 1.0
    value = np.arange(4, dtype=np.float32)
    with v1.Session(target, graph=graph) as sess:
        sess.run(y, {x: value})
        times = harness.repeat(lambda: sess.run(y, {x: value}), seconds)
    return {"median": harness.median(times), "p99": harness.p99(times)}


def _measure_mlp(v1, target: str, seconds: float) -> float:
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(v1.float32, [models.MLP_BATCH, models.MLP_SIZES[0]])
        y = v1.placeholder(v1.float32, [models.MLP_BATCH, models.MLP_SIZES[-1]])
        h = x
        params = [v1.Variable(w) for w in models.mlp_weights()]
        for i in range(0, len(params), 2):
            h = v1.matmul(h, params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = v1.nn.relu(h)
        loss = v1.reduce_mean(v1.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = v1.train.GradientDescentOptimizer(models.LEARNING_RATE).minimize(loss)
        init = v1.global_variables_initializer()
    with v1.Session(target, graph=graph) as sess:
        sess.run(init)
        feeds = itertools.cycle(models.mlp_batches(8))
        return 1 / harness.median(harness.repeat(
            partial(_train_step, sess, [train, loss], x, y, feeds), seconds))


def _train_step(sess, fetches, x, y, feeds) -> None:
    bx, by = next(feeds)
    sess.run(fetches, {x: bx, y: by})


def _measure_fetch(v1, target: str, seconds: float, nbytes: str) -> float:
    nbytes = int(nbytes)
    graph = v1.Graph()
    with graph.as_default():
        v = v1.Variable(v1.zeros([nbytes // 4], v1.float32))
    with v1.Session(target, graph=graph) as sess:
        sess.run(v.initializer)
        best = harness.best(harness.repeat(lambda: sess.run(v), seconds, min_reps=2))
    return nbytes / best / 2**30


_MEASURES = {"tiny": _measure_tiny, "mlp": _measure_mlp, "fetch": _measure_fetch}

if __name__ == "__main__":
    kind, target, seconds, *rest = sys.argv[1:]
    try:
        figure = _MEASURES[kind](_v1(), target, float(seconds), *rest)
    except Exception as e:  # noqa: BLE001 - TF's failure is the figure
        figure = f"fails: {type(e).__name__}"
    print(json.dumps(figure), flush=True)
