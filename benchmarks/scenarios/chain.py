"""4. A 2,000-node elementwise chain that cannot be constant-folded (each node also reads the
fed tensor): cached-plan run time against the same numpy statements; the first run's
compile cost per node; the compile cost of a 20,000-node graph."""
from __future__ import annotations

import itertools
from functools import partial
import time

import plano as tf
from benchmarks import harness, models
from benchmarks.harness import Row, row
from plano_server.engine import compile as compile_lib
from plano_server.engine.plan_cache import PlanCache
from plano_server.engine.session import EngineSession

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


def compile_cost(length: int) -> tuple[float, float]:
    """(client serialization, engine compile) seconds for a fresh chain of `length` nodes.
    The engine's part is everything the server does before the first kernel runs: parse and
    validate the nodes, prune, optimize, bind kernels and buffers."""
    graph, f, y = models.chain_graph(length, 16, prefix=f"compile{next(_unique)}")
    start = time.perf_counter()
    node_defs = graph.as_graph_def().node
    serialized = time.perf_counter() - start
    engine = EngineSession(PlanCache())
    request = compile_lib.Request((f.name,), (y.name,), ())
    start = time.perf_counter()
    engine.extend(node_defs)
    engine.plan_for(request)
    return serialized, time.perf_counter() - start


def run(ctx) -> list[Row]:
    rows = []
    statements = models.chain_numpy(LENGTH)
    for size in SIZES:
        graph, f, y = models.chain_graph(LENGTH, size)
        value = models.chain_feed(size)
        with tf.Session(graph=graph) as sess:
            sess.run(y, {f: value})
            ours, hand = harness.interleaved(partial(sess.run, y, {f: value}),
                                             partial(statements, value), seconds=ctx.seconds(6))
        rows.append(row(f"4 chain {LENGTH} x f32[{size}]", "cached run", "ms",
                        harness.median(ours) * 1e3, harness.median(hand) * 1e3,
                        "numpy statements", "<= 1.5x"))
    first, steady = first_and_steady(LENGTH, 16, 3)
    rows.append(row(f"4 chain {LENGTH} x f32[16]", "first run", "ms", first * 1e3,
                    steady * 1e3, "its cached run"))
    for length in (LENGTH, 10 * LENGTH):
        trials = [compile_cost(length) for _ in range(1 if ctx.quick else 3)]
        serialized, engine = min(t[0] for t in trials), min(t[1] for t in trials)
        rows.append(row(f"4 compile {length:,} nodes", "engine compile", "us/node",
                        engine / length * 1e6, 50.0, "budget", "<= 1x",
                        client_graph_def_us_per_node=serialized / length * 1e6))
    return rows
