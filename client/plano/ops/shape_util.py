"""Helpers for shape rules: broadcasting, merging, and values known at build time."""
from __future__ import annotations

import numpy as np

from plano.framework.op_builder import ShapeError
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import slice_spec

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


def merge_equal_shapes(shapes, what: str) -> TensorShape:
    """Merges shapes that must be equal (AddN's inputs, Select's branches)."""
    out = TensorShape(None)
    for s in shapes:
        try:
            out = out.merge_with(s)
        except ValueError:
            if out.rank is not None and s.rank is not None and out.rank != s.rank:
                raise ShapeError(f"Shapes must be equal rank, but are {out.rank} and "
                                 f"{s.rank} ({what})") from None
            raise ShapeError(f"Shapes {out} and {s} must be equal ({what})") from None
    return out


def require_equal_dims(a, b) -> None:
    """Two dims that must match (a matmul's inner dims), when both are known."""
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dimensions must be equal, but are {a} and {b}")


# StridedSlice's mask attrs: declared by slicing_ops, read here to fold slices of shapes.
STRIDED_SLICE_MASKS = ["begin_mask: int = 0", "end_mask: int = 0", "ellipsis_mask: int = 0",
                       "new_axis_mask: int = 0", "shrink_axis_mask: int = 0"]


def strided_slice_masks(op) -> dict:
    """A StridedSlice(Grad) op's mask attrs, as keyword arguments."""
    return {m.split(":")[0]: op.get_attr(m.split(":")[0]) for m in STRIDED_SLICE_MASKS}


def axis_value(tensor):
    """A scalar int input known at build time, else None."""
    value = constant_value(tensor)
    return None if value is None else int(np.reshape(value, -1)[0])


def partial_value(tensor):
    """What is known of an int tensor's value at build time: an object array (None: unknown).

    TF's ConstantPartialShape: Shape of a partially known tensor, Pack of scalars,
    ConcatV2 and StridedSlice of those keep the dims that are known.
    """
    op = tensor.op
    if op.type == "Shape":
        shape = op.inputs[0].shape
        return None if shape.rank is None else np.array(shape.dims, dtype=object)
    if op.type in ("Identity", "StopGradient"):
        return partial_value(op.inputs[0])
    if op.type == "Pack":
        parts = [partial_value(t) for t in op.inputs]
        if any(p is None for p in parts):
            shapes = [t.shape for t in op.inputs]
            if not all(s.is_fully_defined() for s in shapes):
                return None
            parts = [np.full(s.as_list(), None, object) if p is None else p
                     for s, p in zip(shapes, parts)]
        return np.stack(parts, axis=op.get_attr("axis"))
    if op.type == "ConcatV2":
        parts = [partial_value(t) for t in op.inputs[:-1]]
        axis = axis_value(op.inputs[-1])
        if axis is None or any(p is None for p in parts):
            return None
        return np.concatenate(parts, axis=axis)
    if op.type == "StridedSlice":
        source = partial_value(op.inputs[0])
        begin, end, strides = (constant_value(t) for t in op.inputs[1:])
        if source is None or begin is None or end is None or strides is None:
            return None
        return slice_spec.strided_slice(source, begin, end, strides, **strided_slice_masks(op))
    value = constant_value(tensor)
    return None if value is None else np.asarray(value).astype(object)


def fold_partial_value(tensor):
    """constant_value rule from the partial value: only when every element is known."""
    value = partial_value(tensor)
    if value is None or any(v is None for v in value.reshape(-1)):
        return None
    return value.astype(tensor.dtype.as_numpy_dtype)


def shape_value(tensor) -> TensorShape:
    """The static shape a 1-D shape tensor describes (Reshape's shape, Fill's dims...)."""
    value = partial_value(tensor)
    if value is not None and value.ndim == 1:
        for d in value:
            if d is not None and int(d) < -1:
                raise ShapeError(f"Dimension {int(d)} must be >= -1")
        return TensorShape([None if d is None or int(d) < 0 else int(d) for d in value])
    return shape_from_tensor(tensor)
