"""Shared fixtures: every test gets a fresh default graph."""
import pytest

import plano


@pytest.fixture(autouse=True)
def fresh_graph():
    plano.reset_default_graph()
    yield
    plano.reset_default_graph()


@pytest.fixture(params=["embedded"])
def target(request):
    """The session target to test against: '' (embedded) for now."""
    return ""
