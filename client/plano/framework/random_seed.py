"""Graph-level and op-level seeds, combined as tf.compat.v1.get_seed does."""
from __future__ import annotations

from plano.framework.graph import get_default_graph

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def set_random_seed(seed) -> None:
    """Makes every random op built afterwards in the default graph repeatable."""
    get_default_graph().seed = seed


def get_seed(op_seed):
    """(seed, seed2) for a random op: both 0 means fresh randomness each session."""
    graph = get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = graph._next_id()
        seeds = (int(graph_seed), int(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed))
    else:
        return 0, 0
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds
