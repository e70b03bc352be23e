"""Graph optimization passes, run once per plan, behind the plan cache.

Each pass takes a Subgraph and returns one that computes exactly the same
fetched values (dtype and shape included) and runs the same stateful nodes in
the same order. `optimize` is the default pipeline; a session with
`OptimizerOptions.opt_level = L0` skips it (buffer freeing still happens, as
it changes no result; buffer reuse is part of the optimization).
"""
from __future__ import annotations

from plano_server.engine.passes.arith import remove_arithmetic_noops
from plano_server.engine.passes.cse import eliminate_common_subexpressions
from plano_server.engine.passes.fold import fold_constants
from plano_server.engine.passes.forwarding import remove_identities
from plano_server.engine.passes.prune import drop_dead
from plano_server.engine.passes.subgraph import Subgraph

PIPELINE = (remove_identities, fold_constants, remove_arithmetic_noops,
            eliminate_common_subexpressions, drop_dead)


def optimize(sub: Subgraph) -> Subgraph:
    """Runs every pass of the pipeline in order."""
    for run_pass in PIPELINE:
        sub = run_pass(sub)
    return sub


__all__ = ["PIPELINE", "Subgraph", "optimize"]
