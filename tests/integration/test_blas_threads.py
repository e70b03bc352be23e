"""plano-server fixes BLAS's thread count before numpy loads (default 1, flag, or env)."""
import os

import plano_server.cli
from plano_server import launch


def _run_capturing_env(monkeypatch, argv):
    seen = {}

    def fake_cli(args):
        seen.update({k: os.environ.get(k) for k in launch.BLAS_ENV})
        seen["argv"] = args
        return 0
    monkeypatch.setattr(plano_server.cli, "main", fake_cli)
    assert launch.main(argv) == 0
    return seen


def test_default_is_one_blas_thread(monkeypatch):
    for name in launch.BLAS_ENV:
        monkeypatch.delenv(name, raising=False)
    seen = _run_capturing_env(monkeypatch, ["--port", "0"])
    assert all(seen[name] == "1" for name in launch.BLAS_ENV)
    assert seen["argv"] == ["--port", "0"]


def test_the_flag_sets_every_blas_variable(monkeypatch):
    for name in launch.BLAS_ENV:
        monkeypatch.setenv(name, "7")
    seen = _run_capturing_env(monkeypatch, ["--blas-threads", "3", "--port", "0"])
    assert all(seen[name] == "3" for name in launch.BLAS_ENV)


def test_an_operators_environment_wins_over_the_default(monkeypatch):
    for name in launch.BLAS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    seen = _run_capturing_env(monkeypatch, [])
    assert seen["OPENBLAS_NUM_THREADS"] == "2" and seen["OMP_NUM_THREADS"] == "1"
