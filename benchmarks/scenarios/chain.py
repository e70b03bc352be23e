"""4. A 2,000-node elementwise chain that cannot be constant-folded (each node also reads the
fed tensor): cached-plan run time against the same numpy statements; the first run's
compile cost per node; the compile cost of a 20,000-node graph."""
from __future__ import annotations

import itertools
import time

import plano as tf
from benchmarks import harness, models
from benchmarks.harness import Row, row

LENGTH = 2000
SIZES = (16, 16384)  # float32 elements: an overhead-bound chain, and a 64 KiB one
_unique = itertools.count()


def first_and_steady(length: int, size: int, repeats: int) -> tuple[float, float]:
    """(first run, best cached run) seconds of a fresh chain graph no session has seen."""
    graph, f, y = models.chain_graph(length, size, prefix=f"chain{next(_unique)}")
    value = models.chain_feed(size)
    with tf.Session(graph=graph) as sess:
        start = time.perf_counter()
        sess.run(y, {f: value})
        first = time.perf_counter() - start
        steady = harness.best(harness.repeat(lambda: sess.run(y, {f: value}), 0,
                                             min_reps=repeats))
    return first, steady


def run(ctx) -> list[Row]:
    rows = []
    statements = models.chain_numpy(LENGTH)
    for size in SIZES:
        graph, f, y = models.chain_graph(LENGTH, size)
        value = models.chain_feed(size)
        with tf.Session(graph=graph) as sess:
            sess.run(y, {f: value})
            cached = harness.median(harness.repeat(lambda: sess.run(y, {f: value}),
                                                   ctx.seconds(3)))
        hand = harness.median(harness.repeat(lambda: statements(value), ctx.seconds(3)))
        rows.append(row(f"4 chain {LENGTH} x f32[{size}]", "cached run", "ms", cached * 1e3,
                        hand * 1e3, "numpy statements", "<= 1.5x"))
    for length in (LENGTH, 10 * LENGTH):
        first, steady = first_and_steady(length, 16, 3)
        per_node = (first - steady) / length * 1e6
        rows.append(row(f"4 compile {length:,} nodes", "first run - cached run", "us/node",
                        per_node, 50.0, "target budget", "<= 1x",
                        first_run_ms=first * 1e3))
    return rows
