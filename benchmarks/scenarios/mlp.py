"""3. MLP training step (784-256-256-10, ReLU, softmax cross-entropy, SGD, batch 128 fed each
step), embedded and remote, against the same step written by hand in numpy."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys

import plano as tf
from benchmarks import harness, models, tf_columns
from benchmarks.harness import Row, row
from plano_server.launch import BLAS_ENV


def _plano_against(target: str, weights, batches, seconds: float, *baselines,
                   taken=harness.interleaved) -> tuple[float, ...]:
    """Steps/s of plano and of each baseline, their steps taken in turn (`taken`: one by
    one, or in blocks); a baseline(x, y) is one step of another kind on the same batch."""
    graph, x, y, train, loss, init = models.mlp_graph(weights)
    feeds = itertools.cycle(batches)
    with tf.Session(target, graph=graph) as sess:
        sess.run(init)

        def plano_step():
            bx, by = next(feeds)
            sess.run([train, loss], {x: bx, y: by})
        steps = [plano_step] + [lambda b=b: b(*next(feeds)) for b in baselines]
        for step in steps:
            step()
        times = taken(*steps, seconds=seconds)
    return tuple(1 / harness.median(t) for t in times)


def _numpy_one_blas_thread(seconds: float) -> float:
    """Steps/s of the numpy step in a child process whose BLAS has one thread, as each
    plano-server kernel does (see plano_server/launch.py): what the remote step's compute
    can reach on its own."""
    env = {**os.environ, **{name: "1" for name in BLAS_ENV}}
    out = subprocess.run([sys.executable, "-m", "benchmarks.workers", "numpy_mlp",
                          str(seconds)], env=env, capture_output=True, text=True, check=True)
    return 1 / float(out.stdout)


def run(ctx) -> list[Row]:
    weights = models.mlp_weights()
    batches = models.mlp_batches(8)
    target = ctx.plano_server().target
    embedded, hand = _plano_against("", weights, batches, ctx.seconds(8),
                                    models.NumpyMLP(weights).step)
    # The second baseline is the hand-written step run in the bare server (one BLAS
    # thread, as plano-server's kernels) on a batch sent with each call: a remote step with
    # no session service. Its ratio to in-process numpy is what any gRPC service reaches
    # on this machine. In blocks: after each in-process numpy step its BLAS threads spin
    # on both cores for a while, and a remote step taken then would share the server's
    # cores with them (measured: plano's remote step 6.2-7.6 ms so, 3.8-4.5 ms alone).
    remote, hand_remote, bare = _plano_against(target, weights, batches, ctx.seconds(12),
                                               models.NumpyMLP(weights).step,
                                               ctx.bare_server().mlp_step,
                                               taken=harness.alternating_blocks)
    one_thread = _numpy_one_blas_thread(ctx.seconds(4))
    extra = tf_columns.mlp(ctx)
    in_process = {k: v for k, v in extra.items() if k == tf_columns.IN_PROCESS}
    remote_tf = {k: v for k, v in extra.items() if k == tf_columns.REMOTE}
    return [row("3 MLP step, embedded", "throughput", "steps/s", embedded, hand,
                "hand-written numpy", ">= 0.9x", **in_process),
            row("3 MLP step, remote", "throughput", "steps/s", remote, hand_remote,
                "hand-written numpy", ">= 0.6x",
                **{"numpy, 1 BLAS thread": one_thread,
                   "vs 1 BLAS thread": remote / one_thread,
                   "numpy behind bare gRPC": bare,
                   "bare gRPC vs numpy": bare / hand_remote,
                   "vs bare gRPC": remote / bare}, **remote_tf)]
