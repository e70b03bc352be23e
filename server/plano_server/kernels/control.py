"""Kernels with no data: NoOp."""
from plano_server.kernels.registry import kernel


@kernel("NoOp")
def _no_op(node):
    return lambda: None
