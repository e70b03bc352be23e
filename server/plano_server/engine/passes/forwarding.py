"""Removes Identity and NoOp: readers of an Identity read its input; whoever waited on a
removed node (control input or target) waits on that node's control inputs instead.

An Identity whose input is a variable (ref or resource) stays: it is where the
value is read, and moving the read would change what it sees.
"""
from __future__ import annotations

from plano_server.engine.passes.subgraph import Subgraph, is_pure, reads_state


def remove_identities(sub: Subgraph) -> Subgraph:
    producers = sub.producers()
    forward, removed = {}, {}
    for node in sub.nodes:
        if node.op == "NoOp":
            removed[node.name] = node.control
        elif (node.op == "Identity" and is_pure(node, sub)
              and not reads_state(node, producers)):
            forward[(node.name, 0)] = node.inputs[0]
            removed[node.name] = node.control
    if not removed:
        return sub
    return sub.replace(forward, removed)
