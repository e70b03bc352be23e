"""Shared fixtures: a fresh default graph for every test; a real plano-server; the session
target (embedded and remote) that the session suite runs against."""
import pytest

import plano


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
