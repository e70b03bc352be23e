"""1. Tiny step, y = x * 2 + 1 on a fed float32[4]: embedded against the numpy expression,
remote against a bare grpcio unary echo of the same 16 bytes (server in its own process)."""
from __future__ import annotations

import numpy as np

import plano as tf
from benchmarks import harness, models, tf_columns
from benchmarks.harness import Row, row

US = 1e6


def run(ctx) -> list[Row]:
    value = np.arange(4, dtype=np.float32)
    graph, x, y = models.tiny_graph()
    rows = []
    with tf.Session(graph=graph) as sess:
        sess.run(y, {x: value})
        embedded, numpy_times = harness.interleaved(
            lambda: sess.run(y, {x: value}), lambda: value * np.float32(2) + np.float32(1),
            seconds=ctx.seconds(5))
    extra = tf_columns.tiny(ctx)
    for stat, fn in (("median", harness.median), ("p99", harness.p99)):
        rows.append(row("1 tiny step, embedded", f"{stat} latency", "us", fn(embedded) * US,
                        fn(numpy_times) * US, "numpy expression",
                        "+ < 20 us" if stat == "median" else "",
                        **_column(extra, tf_columns.IN_PROCESS, stat)))
    bare = ctx.bare_server()
    payload = value.tobytes()
    bare.echo(payload)
    with tf.Session(ctx.plano_server().target, graph=graph) as sess:
        sess.run(y, {x: value})
        remote, echo = harness.interleaved(lambda: sess.run(y, {x: value}),
                                           lambda: bare.echo(payload), seconds=ctx.seconds(6))
    for stat, fn, target in (("median", harness.median, "<= 1.2x"),
                             ("p99", harness.p99, "")):
        rows.append(row("1 tiny step, remote", f"{stat} latency", "us", fn(remote) * US,
                        fn(echo) * US, "bare gRPC unary echo", target,
                        **_column(extra, tf_columns.REMOTE, stat)))
    return rows


def _column(extra: dict, column: str, stat: str) -> dict:
    """TF's figure for this row (its in-process session beside the embedded rows, its
    gRPC server beside the remote ones), in microseconds ("fails: ..." as it came); {}
    without TensorFlow."""
    if column not in extra:
        return {}
    figure = extra[column]
    return {column: figure if isinstance(figure, str) else figure[stat] * US}
