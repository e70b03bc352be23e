"""plano.allocator: with glibc's thresholds fixed, transfer-sized buffers reuse their pages."""
import json
import os
import platform
import subprocess
import sys

import pytest

from plano import allocator

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")

_PROBE = r"""
import json, resource
from plano import allocator

def faults_per_round(rounds=50):
    # three 400 KB buffers a round, as a step's request, its copy in gRPC and a reply
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        a = bytes(400_000); b = bytes(400_000); c = bytes(400_000)
        del a, b, c
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / rounds

default = faults_per_round()
applied = allocator.retain_transfer_buffers()
print(json.dumps({"default": default, "applied": applied,
                  "again": allocator.retain_transfer_buffers(), "tuned": faults_per_round()}))
"""


def _probe(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in allocator.MALLOC_ENV}
    out = subprocess.run([sys.executable, "-c", _PROBE], env={**clean, **env},
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def test_fixed_thresholds_stop_the_page_faults_of_repeated_transfer_buffers():
    got = _probe()
    assert got["applied"] is True and got["again"] is True
    # 400 KB is ~98 pages; glibc's defaults fault in most of them again every round
    assert got["default"] > 50, got
    assert got["tuned"] < 10, got


def test_an_operators_malloc_environment_is_left_alone():
    got = _probe(MALLOC_TRIM_THRESHOLD_="1048576")
    assert got["applied"] is False
