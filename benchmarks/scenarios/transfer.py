"""2. Fetch and feed throughput at 64 MiB, 1 GiB and 3 GiB, against bare grpcio streaming of
the same bytes in the same chunk size, and against copying them once in memory."""
from __future__ import annotations

import gc
from functools import partial

import numpy as np

import plano as tf
from benchmarks import harness, tf_columns
from benchmarks.harness import Row, row
from plano.sessions import streaming

GIB = 2**30
CHUNK = streaming.DEFAULT_CHUNK_BYTES
ROW = 1 << 20


def sizes(quick: bool) -> list[int]:
    return [64 << 20, GIB] if quick else [64 << 20, GIB, 3 * GIB]


def _label(nbytes: int) -> str:
    return f"{nbytes // GIB} GiB" if nbytes >= GIB else f"{nbytes >> 20} MiB"


def _reps(nbytes: int, quick: bool) -> int:
    return 1 if nbytes >= GIB else (3 if quick else 5)


def _best(fn, reps: int) -> float:
    return harness.best(harness.repeat(fn, 0, min_reps=reps, max_reps=reps))


def _memcpy(nbytes: int) -> float:
    src = np.ones(nbytes, np.uint8)
    dst = np.empty_like(src)
    return nbytes / _best(partial(np.copyto, dst, src), 2) / GIB


def run(ctx) -> list[Row]:
    rows = []
    bare = ctx.bare_server()
    target = ctx.plano_server().target
    for nbytes in sizes(ctx.quick):
        reps = _reps(nbytes, ctx.quick)
        copy_rate = _memcpy(nbytes)
        bare.prepare(nbytes)
        bare_fetch = nbytes / _best(partial(bare.download, nbytes, CHUNK), reps) / GIB
        bare.prepare(0)
        payload = np.ones(nbytes, np.uint8)
        bare_feed = nbytes / _best(partial(bare.upload, payload, CHUNK), reps) / GIB
        plano_fetch, plano_feed = _plano(target, nbytes, payload, reps)
        del payload
        gc.collect()
        extra = tf_columns.fetch(ctx, nbytes)
        rows.append(row(f"2 fetch {_label(nbytes)}", "throughput", "GiB/s", plano_fetch,
                        bare_fetch, "bare gRPC server streaming", ">= 0.8x",
                        memcpy=copy_rate, **extra))
        rows.append(row(f"2 feed {_label(nbytes)}", "throughput", "GiB/s", plano_feed,
                        bare_feed, "bare gRPC client streaming", ">= 0.8x", memcpy=copy_rate))
    return rows


def _plano(target: str, nbytes: int, payload: np.ndarray, reps: int) -> tuple[float, float]:
    """(fetch, feed) GiB/s: fetching a variable of `nbytes`, feeding a placeholder."""
    shape = [nbytes // ROW, ROW]  # int32 shape values: a 3 GiB vector would not fit
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(tf.zeros(shape, tf.uint8), name="v")
        read = v.read_value()
        x = tf.placeholder(tf.uint8, shape, name="x")
        size = tf.size(x, out_type=tf.int64)
    with tf.Session(target, graph=graph) as sess:
        sess.run(v.initializer)
        fetch = nbytes / _best(lambda: sess.run(read), reps) / GIB
        gc.collect()
        payload = payload.reshape(shape)
        feed = nbytes / _best(lambda: sess.run(size, {x: payload}), reps) / GIB
    return fetch, feed
