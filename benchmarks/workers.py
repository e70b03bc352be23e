"""Client processes the benchmark starts: `python -m benchmarks.workers tiny TARGET SECONDS`
runs tiny steps and prints how many; `... memory TARGET SERVER_PID NBYTES` fetches a tensor
and prints both sides' memory (bytes) as JSON; `... numpy_mlp SECONDS` runs the hand-written
numpy MLP step and prints its median seconds (started with one BLAS thread, as
plano-server's kernels run)."""
from __future__ import annotations

import itertools
import json
import sys
import time

import numpy as np

import plano as tf
from benchmarks import harness, models


def status(pid: int | str, field: str) -> int:
    """A /proc/PID/status figure (VmRSS, VmHWM) in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak(pid: int | str) -> None:
    """Starts VmHWM over from the current RSS (Linux: clear_refs 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def tiny(target: str, seconds: float, start_at: float) -> int:
    graph, x, y = models.tiny_graph()
    value = np.arange(4, dtype=np.float32)
    with tf.Session(target, graph=graph) as sess:
        sess.run(y, {x: value})
        time.sleep(max(0.0, start_at - time.time()))
        deadline = time.perf_counter() + seconds
        count = 0
        while time.perf_counter() < deadline:
            sess.run(y, {x: value})
            count += 1
    return count


def memory(target: str, server_pid: int, nbytes: int) -> dict:
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(tf.zeros([nbytes >> 20, 1 << 20], tf.uint8), name="v")
        read = v.read_value()
    with tf.Session(target, graph=graph) as sess:
        sess.run(v.initializer)
        server_before = status(server_pid, "VmRSS")
        reset_peak(server_pid)
        client_before = status("self", "VmRSS")
        reset_peak("self")
        value = sess.run(read)
        assert value.nbytes == nbytes
        return {"server_before": server_before, "server_peak": status(server_pid, "VmHWM"),
                "client_before": client_before, "client_peak": status("self", "VmHWM")}


def numpy_mlp(seconds: float) -> float:
    mlp = models.NumpyMLP(models.mlp_weights())
    batches = itertools.cycle(models.mlp_batches(8))
    mlp.step(*next(batches))
    return harness.median(harness.repeat(lambda: mlp.step(*next(batches)), seconds))


if __name__ == "__main__":
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "tiny":
        print(tiny(args[0], float(args[1]), float(args[2])))
    elif kind == "numpy_mlp":
        print(numpy_mlp(float(args[0])))
    else:
        print(json.dumps(memory(args[0], int(args[1]), int(args[2]))))
