"""The global step: an int64 variable counting training steps, one per graph."""
from __future__ import annotations

from plano import dtypes
from plano.framework.graph import Graph, get_default_graph
from plano.ops.variables import GraphKeys, Variable


def get_global_step(graph: Graph | None = None):
    """The graph's global step variable, or None if it has none."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        raise TypeError("There are multiple variables in the GLOBAL_STEP collection.")
    return found[0] if found else None


def create_global_step(graph: Graph | None = None) -> Variable:
    """Creates `global_step` (int64 scalar, starts at 0, not trainable); an error if one exists."""
    from plano.initializers import Zeros
    from plano.ops.variable_scope import get_variable

    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                            initializer=Zeros(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph: Graph | None = None) -> Variable:
    return get_global_step(graph) or create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """The current value of the global step, as a Python int."""
    return int(sess.run(global_step_tensor))
