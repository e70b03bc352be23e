"""Shared fixtures: a fresh default graph for every test; a real plano-server; the session
target (embedded and remote) that the session suite runs against."""
import os

import pytest
from hypothesis import settings

import plano

# CI replays the same examples every run (a red CI then means a change broke something);
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def fresh_graph():
    plano.reset_default_graph()
    yield
    plano.reset_default_graph()


@pytest.fixture(scope="session")
def plano_server():
    """A real plano-server subprocess (`python -m plano_server --port 0`) for the whole run."""
    from plano_server.process import ServerProcess

    server = ServerProcess()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "remote"])
def target(request):
    """The session target to test against: '' (embedded) or a real plano-server's target."""
    if request.param == "embedded":
        return ""
    return request.getfixturevalue("plano_server").target


# -- optimization level: `pytest --opt-level=L0` (or PLANO_TEST_OPT_LEVEL=L0) runs every
# session created without a config at OptimizerOptions.L0, i.e. with no graph passes.
def pytest_addoption(parser):
    parser.addoption("--opt-level", choices=["default", "L0"],
                     default=__import__("os").environ.get("PLANO_TEST_OPT_LEVEL", "default"),
                     help="default session optimization level for the whole run")


@pytest.fixture(autouse=True)
def default_opt_level(request, monkeypatch):
    if request.config.getoption("--opt-level") == "L0":
        from plano.sessions.session import BaseSession
        from plano.v1 import config_pb2

        original = BaseSession.__init__

        def init(self, target="", graph=None, config=None):
            if config is None:
                config = config_pb2.ConfigProto()
                config.graph_options.optimizer_options.opt_level = config_pb2.OptimizerOptions.L0
            original(self, target, graph, config)
        monkeypatch.setattr(BaseSession, "__init__", init)
    yield
