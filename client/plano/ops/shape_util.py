"""Helpers for shape rules: broadcasting, and values known at build time."""
from __future__ import annotations

import numpy as np

from plano.framework.op_builder import ShapeError
from plano.framework.tensor_shape import TensorShape, format_shape

CONSTANT_VALUE_RULES: dict = {}


def broadcast_shapes(a: TensorShape, b: TensorShape) -> TensorShape:
    """numpy broadcasting over partially known shapes."""
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    da, db = a.dims, b.dims
    n = max(len(da), len(db))
    da = [1] * (n - len(da)) + da
    db = [1] * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise ShapeError(f"Dimensions must be equal, but are {x} and {y}")
    return TensorShape(out)


def broadcast_rule(op):
    """Shape rule for elementwise binary ops: the numpy broadcast of both inputs."""
    return broadcast_shapes(op.inputs[0].shape, op.inputs[1].shape)


def unchanged_rule(op):
    """Shape rule for elementwise unary ops and Identity-like ops."""
    return op.inputs[0].shape


def scalar_rule(op):
    return TensorShape([])


def constant_value(tensor):
    """The value of `tensor` if it is known while building (Const, Shape, ...), else None."""
    rule = CONSTANT_VALUE_RULES.get(tensor.op.type)
    if rule is None:
        return None
    try:
        return rule(tensor)
    except (ValueError, TypeError):
        return None


def constant_value_rule(*op_types):
    """Registers how to compute an op's output at build time, for shape rules."""
    def deco(fn):
        for t in op_types:
            CONSTANT_VALUE_RULES[t] = fn
        return fn
    return deco


def shape_from_tensor(tensor) -> TensorShape:
    """A shape given as a 1-D int tensor (Reshape's shape, Fill's dims): known parts only."""
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if int(d) < 0 else int(d) for d in np.reshape(value, -1)])
    rank = tensor.shape[0] if tensor.shape.rank == 1 else None
    return TensorShape(None if rank is None else [None] * rank)


def require_rank(shape: TensorShape, rank: int, what: str) -> None:
    if shape.rank is not None and shape.rank != rank:
        raise ShapeError(f"Shape must be rank {rank} but is rank {shape.rank} ({what} has shape "
                         f"{format_shape(shape)})")


def require_rank_at_least(shape: TensorShape, rank: int, what: str) -> None:
    if shape.rank is not None and shape.rank < rank:
        raise ShapeError(f"Shape must be at least rank {rank} but is rank {shape.rank} ({what})")
