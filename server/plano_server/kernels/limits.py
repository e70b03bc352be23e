"""Allocation limits: a kernel asks before allocating an output sized by a runtime value."""
from __future__ import annotations

import numpy as np

from plano import errors

# Largest single tensor a kernel may allocate; the server sets it from --max-tensor-bytes.
MAX_TENSOR_BYTES = 8 * 2**30


def check_alloc(node, shape, dtype) -> None:
    """Raises ResourceExhaustedError naming the node if `shape` x `dtype` is over the limit."""
    count = 1
    for d in shape:
        d = int(d)
        if d < 0:
            raise errors.InvalidArgumentError(
                None, node.op, f"Node '{node.name}' (op {node.op}): negative dimension {d} in "
                f"requested shape {list(map(int, shape))}")
        count *= d
    nbytes = count * np.dtype(dtype).itemsize
    if nbytes > MAX_TENSOR_BYTES:
        raise errors.ResourceExhaustedError(
            None, node.op, f"Node '{node.name}' (op {node.op}): output of shape "
            f"{list(map(int, shape))} needs {nbytes} bytes, over this server's limit of "
            f"{MAX_TENSOR_BYTES} bytes per tensor")
