"""6. Four client processes on one server: aggregate tiny-step throughput against one."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks.harness import Row, row


def _throughput(target: str, processes: int, seconds: float) -> float:
    start_at = time.time() + 3.0  # after every process has imported plano and connected
    procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.workers", "tiny", target,
                               str(seconds), str(start_at)], stdout=subprocess.PIPE, text=True)
             for _ in range(processes)]
    counts = [int(p.communicate()[0]) for p in procs]
    return sum(counts) / seconds


def run(ctx) -> list[Row]:
    target = ctx.plano_server().target
    seconds = ctx.seconds(5)
    # In the order one, four, four, one: a drift of the machine's speed over the scenario
    # (it moves between fast and slow states within minutes) then hits both alike.
    rates = {1: [], 4: []}
    for processes in (1, 4, 4, 1):
        rates[processes].append(_throughput(target, processes, seconds))
    return [row("6 four clients", "aggregate tiny steps", "steps/s", statistics.mean(rates[4]),
                statistics.mean(rates[1]), "one client", ">= 1.5x")]
