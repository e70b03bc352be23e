"""Timing, result rows, the printed table and the JSON file."""
from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Row:
    """One measured figure, its baseline from the same run, and the ratio the target reads."""

    scenario: str
    metric: str
    unit: str
    plano: float
    baseline: float
    baseline_name: str
    ratio: float  # plano / baseline
    target: str = ""  # e.g. "<= 1.2x", ">= 0.8x", "+ < 20 us"
    ok: bool | None = None  # None: no target for this row
    extra: dict = field(default_factory=dict)  # extra columns (TensorFlow, memcpy, ...)


def row(scenario: str, metric: str, unit: str, plano: float, baseline: float,
        baseline_name: str, target: str = "", **extra) -> Row:
    """A Row; `target` "<= R" or ">= R" checks the ratio, "+ < D" checks plano - baseline."""
    ratio = plano / baseline if baseline else float("inf")
    ok = None
    if target.startswith("<="):
        ok = ratio <= float(target[2:].strip().rstrip("x"))
    elif target.startswith(">="):
        ok = ratio >= float(target[2:].strip().rstrip("x"))
    elif target.startswith("+ <"):
        ok = plano - baseline < float(target[3:].split()[0])
    return Row(scenario, metric, unit, plano, baseline, baseline_name, ratio, target, ok, extra)


def repeat(fn: Callable[[], object], seconds: float, min_reps: int = 3,
           max_reps: int = 1_000_000) -> list[float]:
    """Calls fn repeatedly for about `seconds` (at least min_reps times); per-call seconds."""
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def interleaved(*fns: Callable[[], object], seconds: float, min_reps: int = 5
                ) -> tuple[list[float], ...]:
    """Per-call seconds of each fn, called in turn for about `seconds`: on a machine whose
    load drifts, every figure of a ratio then sees the same conditions."""
    all_times = tuple([] for _ in fns)
    deadline = time.perf_counter() + seconds
    while len(all_times[0]) < min_reps or time.perf_counter() < deadline:
        for fn, times in zip(fns, all_times):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return all_times


def alternating_blocks(*fns: Callable[[], object], seconds: float, rounds: int = 4,
                       settle: float = 0.3) -> tuple[list[float], ...]:
    """Per-call seconds of each fn, the fns taken in turn in blocks (`rounds` blocks each
    over about `seconds`), leaving out each block's first `settle` of its time. For steps
    that load the cores differently: a BLAS pool spins for a while after its last call,
    so a server's step taken right after an in-process numpy step would find a core
    taken by the previous step's spinning threads, not by its own work."""
    all_times = tuple([] for _ in fns)
    block = seconds / (rounds * len(fns))
    for _ in range(rounds):
        for fn, times in zip(fns, all_times):
            begin = time.perf_counter()
            while True:
                start = time.perf_counter()
                fn()
                end = time.perf_counter()
                if start - begin >= settle * block:
                    times.append(end - start)
                if end - begin >= block and times:
                    break
    return all_times


def median(times: list[float]) -> float:
    return statistics.median(times)


def p99(times: list[float]) -> float:
    return float(np.percentile(times, 99))


def best(times: list[float]) -> float:
    return min(times)


def machine() -> dict:
    """Where the figures come from."""
    import grpc

    info = {"python": sys.version.split()[0], "numpy": np.__version__, "grpcio": grpc.__version__,
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except (OSError, StopIteration):
        pass
    # Read from its distribution (tensorflow, tensorflow-cpu, ...) without importing it:
    # TF stays out of this process (see tf_columns.py).
    dists = importlib.metadata.packages_distributions().get("tensorflow", [])
    info["tensorflow"] = importlib.metadata.version(dists[0]) if dists else None
    return info


def _fmt(value: float) -> str:
    if value == 0 or value != value:
        return f"{value:g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(rows: list[Row]) -> str:
    """The side-by-side table: scenario, plano, baseline, ratio, target and verdict."""
    extra_keys = sorted({k for r in rows for k in r.extra})
    head = ["scenario", "metric", "plano", "baseline", "ratio", "target", ""] + extra_keys
    lines = [head]
    for r in rows:
        verdict = "" if r.ok is None else ("ok" if r.ok else "MISS")
        lines.append([r.scenario, f"{r.metric} [{r.unit}]", _fmt(r.plano),
                      f"{_fmt(r.baseline)} ({r.baseline_name})", f"{r.ratio:.2f}x", r.target,
                      verdict] + [_fmt(r.extra[k]) if isinstance(r.extra.get(k), float)
                                  else str(r.extra.get(k, "")) for k in extra_keys])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown(rows: list[Row], info: dict, command: str) -> str:
    """The same table in Markdown, with the machine and the command, for RESULTS.md."""
    extra_keys = sorted({k for r in rows for k in r.extra})
    out = [f"`{command}` on {info.get('date', '?')}", "",
           "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items() if k != "date"), "",
           "| scenario | metric | plano | baseline | ratio | target | |"
           + "".join(f" {k} |" for k in extra_keys),
           "|---|---|---|---|---|---|---|" + "---|" * len(extra_keys)]
    for r in rows:
        verdict = "" if r.ok is None else ("ok" if r.ok else "**MISS**")
        cells = [r.scenario, f"{r.metric} [{r.unit}]", _fmt(r.plano),
                 f"{_fmt(r.baseline)} ({r.baseline_name})", f"{r.ratio:.2f}x", r.target, verdict]
        cells += [_fmt(r.extra[k]) if isinstance(r.extra.get(k), float)
                  else str(r.extra.get(k, "")) for k in extra_keys]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def write_json(path: str, rows: list[Row], info: dict, command: str) -> None:
    with open(path, "w") as f:
        json.dump({"command": command, "machine": info, "rows": [asdict(r) for r in rows]}, f,
                  indent=1)
