"""7. Peak resident memory of the server and the client while fetching 1 GiB, against 1 GiB:
each side's peak over its resident size before the tensor existed (fresh processes)."""
from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.context import start_plano_server
from benchmarks.harness import Row, row
from benchmarks.workers import status

GIB = 2**30


def run(ctx) -> list[Row]:
    server = start_plano_server()
    try:
        before_tensor = status(server.process.pid, "VmRSS")
        out = subprocess.run([sys.executable, "-m", "benchmarks.workers", "memory",
                              server.target, str(server.process.pid), str(GIB)],
                             capture_output=True, text=True, check=True)
    finally:
        server.stop()
    m = json.loads(out.stdout)
    server_peak = (m["server_peak"] - before_tensor) / GIB
    client_peak = (m["client_peak"] - m["client_before"]) / GIB
    return [row("7 memory, fetch 1 GiB", "server peak over baseline", "GiB", server_peak, 1.0,
                "the tensor", "<= 1.25x"),
            row("7 memory, fetch 1 GiB", "client peak over baseline", "GiB", client_peak, 1.0,
                "the tensor", "<= 1.25x")]
