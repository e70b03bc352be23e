"""Matrix products: MatMul and BatchMatMulV2, with TF's gradients beside them."""
from __future__ import annotations

from plano.framework.gradient_registry import register_gradient
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops.math_ops import _as_pair, _binary, _sum_to_shape
from plano.ops.shape_util import (
    broadcast_shapes, require_equal_dims, require_rank, require_rank_at_least,
)


def _matmul_rule(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    require_rank(a, 2, "a")
    require_rank(b, 2, "b")
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    a = a.dims if a.rank is not None else [None, None]
    b = b.dims if b.rank is not None else [None, None]
    require_equal_dims(a[0 if ta else 1], b[1 if tb else 0])
    return TensorShape([a[1 if ta else 0], b[0 if tb else 1]])


def _batch_matmul_rule(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    require_rank_at_least(a, 2, f"x has shape {a}")
    require_rank_at_least(b, 2, f"y has shape {b}")
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    require_equal_dims(a[-2 if adj_x else -1], b[-1 if adj_y else -2])
    batch = broadcast_shapes(a[:-2], b[:-2])
    return TensorShape(batch.dims + [a[-1 if adj_x else -2], b[-2 if adj_y else -1]])


register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                   "T: {half, float, double, int32, int64, uint8, uint16, uint32, uint64}",
                   "grad_a: bool = false", "grad_b: bool = false"],
            shape_fn=_matmul_rule)
register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs=["T: {half, float, double, int16, int32, int64, uint8, uint16, uint32, "
                   "uint64}", "adj_x: bool = false", "adj_y: bool = false",
                   "grad_x: bool = false", "grad_y: bool = false"],
            shape_fn=_batch_matmul_rule)


def _mm(op_type, a, b, ta, tb, flag):
    names = ("transpose_a", "transpose_b") if op_type == "MatMul" else ("adj_x", "adj_y")
    return _binary(op_type, a, b, None, **{names[0]: ta, names[1]: tb, flag: True})


def _matmul_grads(op_type, a, b, grad, ta, tb, flags) -> tuple:
    """Gradients of a @ b (each possibly transposed), as TF's _MatMulGrad writes them."""
    fa, fb = flags
    if not ta and not tb:
        return _mm(op_type, grad, b, False, True, fa), _mm(op_type, a, grad, True, False, fb)
    if not ta and tb:
        return _mm(op_type, grad, b, False, False, fa), _mm(op_type, grad, a, True, False, fb)
    if ta and not tb:
        return _mm(op_type, b, grad, False, True, fa), _mm(op_type, a, grad, False, False, fb)
    return _mm(op_type, b, grad, True, True, fa), _mm(op_type, grad, a, True, True, fb)


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    return list(_matmul_grads("MatMul", a, b, grad, op.get_attr("transpose_a"),
                              op.get_attr("transpose_b"), ("grad_a", "grad_b")))


@register_gradient("BatchMatMulV2")
def _batch_matmul_grad(op, grad):
    x, y = op.inputs
    gx, gy = _matmul_grads("BatchMatMulV2", x, y, grad, op.get_attr("adj_x"),
                           op.get_attr("adj_y"), ("grad_x", "grad_y"))
    return [_sum_to_shape(gx, x), _sum_to_shape(gy, y)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product; inputs of rank > 2 (or unknown rank) use BatchMatMulV2.

    For real dtypes adjoint is transpose; `a_is_sparse`/`b_is_sparse` are
    accepted for compatibility and do not change the result.
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a, b = _as_pair(a, b)
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    if a.shape.rank is None or b.shape.rank is None or a.shape.rank > 2 or b.shape.rank > 2:
        return _binary("BatchMatMulV2", a, b, name, adj_x=ta, adj_y=tb)
    return _binary("MatMul", a, b, name, transpose_a=ta, transpose_b=tb)


__all__ = ["matmul"]
