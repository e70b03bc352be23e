"""Size checks on tensors that arrive from the wire, made before anything is allocated.

A TensorProto may declare a shape far larger than its bytes (one `float_val`
fills the whole shape), so decoding it blindly could allocate terabytes.
Every declared size is checked against the per-tensor limit first.
"""
from __future__ import annotations

import numpy as np

from plano import dtypes, errors
from plano_server.kernels import limits

_OBJECT_BYTES = 8  # one pointer per element of a string tensor


def declared_bytes(dims, dtype_enum: int) -> int:
    """Bytes an array of `dims` x dtype needs (0 for an unknown dtype: decoding rejects it)."""
    count = 1
    for d in dims:
        count *= max(int(d), 0)
    try:
        dtype = dtypes.from_enum(dtype_enum).base_dtype
    except TypeError:
        return 0
    if dtype is dtypes.string or dtype is dtypes.resource:
        return count * _OBJECT_BYTES
    return count * np.dtype(dtype.as_numpy_dtype).itemsize


def check_declared(dims, dtype_enum: int, what: str) -> None:
    """ResourceExhaustedError naming `what` if the declared tensor is over the limit."""
    nbytes = declared_bytes(dims, dtype_enum)
    if nbytes > limits.MAX_TENSOR_BYTES:
        raise errors.ResourceExhaustedError(
            None, None, f"{what}: declared shape {[int(d) for d in dims]} needs {nbytes} "
            f"bytes, over this server's limit of {limits.MAX_TENSOR_BYTES} bytes per tensor")


def check_tensor_proto(proto, what: str) -> None:
    check_declared([d.size for d in proto.tensor_shape.dim], proto.dtype, what)


def check_node_defs(node_defs) -> None:
    """Checks every tensor-valued attr (e.g. Const's `value`) of incoming NodeDefs."""
    for nd in node_defs:
        for key, attr in nd.attr.items():
            kind = attr.WhichOneof("value")
            if kind == "tensor":
                check_tensor_proto(attr.tensor, f"Node '{nd.name}' (op '{nd.op}'): attr '{key}'")
            elif kind == "list":
                for t in attr.list.tensor:
                    check_tensor_proto(t, f"Node '{nd.name}' (op '{nd.op}'): attr '{key}'")
