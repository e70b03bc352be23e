"""5. Plan cache: the first run of a second session on an identical graph, against the first
session's first run (the 2,000-node chain, a graph no session has seen before)."""
from __future__ import annotations

import itertools
import time

import plano as tf
from benchmarks import harness, models
from benchmarks.harness import Row, row

_unique = itertools.count()


def _pair() -> tuple[float, float]:
    graph, f, y = models.chain_graph(2000, 16384, prefix=f"cache{next(_unique)}")
    value = models.chain_feed(16384)
    times = []
    for _ in range(2):
        with tf.Session(graph=graph) as sess:
            start = time.perf_counter()
            sess.run(y, {f: value})
            times.append(time.perf_counter() - start)
    return times[0], times[1]


def run(ctx) -> list[Row]:
    pairs = [_pair() for _ in range(2 if ctx.quick else 5)]
    first = harness.median([p[0] for p in pairs])
    second = harness.median([p[1] for p in pairs])
    return [row("5 plan cache", "first run, 2nd session", "ms", second * 1e3, first * 1e3,
                "first run, 1st session", "<= 0.2x")]
