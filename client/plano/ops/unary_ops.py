"""Elementwise unary functions (Neg, Abs, Exp, Log, Sigmoid, ...), their TF gradient ops
(SigmoidGrad, TanhGrad, ...) and gradients, and the tf.compat.v1 helpers that build them."""
from __future__ import annotations

import numpy as np

from plano.framework.gradient_registry import not_differentiable, register_gradient
from plano.framework.op_builder import convert_to_tensor
from plano.framework.op_def import register_op
from plano.ops.math_ops import (
    _FLOAT, _UNARY, _UNARY_UNSIGNED, _binary, _create, _unary, add, multiply, realdiv, subtract,
)
from plano.ops.shape_util import unchanged_rule


# ---------------------------------------------------------------- unary functions

def _unary_op(name: str, types: str) -> None:
    register_op(name, inputs=["x: T"], outputs=["y: T"], attrs=[f"T: {types}"],
                shape_fn=unchanged_rule)


for _name in ("Neg", "Reciprocal", "Sign", "Round"):
    _unary_op(_name, _UNARY)
_unary_op("Abs", _UNARY)
_unary_op("Square", _UNARY_UNSIGNED)
for _name in ("Sqrt", "Rsqrt", "Exp", "Log", "Log1p", "Sin", "Cos", "Tanh", "Sigmoid", "Erf",
              "Floor", "Ceil"):
    _unary_op(_name, _FLOAT)
for _name in ("SigmoidGrad", "TanhGrad", "SqrtGrad", "RsqrtGrad", "ReciprocalGrad"):
    register_op(_name, inputs=["y: T", "dy: T"], outputs=["z: T"], attrs=[f"T: {_FLOAT}"],
                shape_fn=unchanged_rule)
register_op("IsFinite", inputs=["x: T"], outputs=["y: bool"], attrs=[f"T: {_FLOAT}"],
            shape_fn=unchanged_rule)
not_differentiable("IsFinite", "Floor", "Ceil", "Round")

register_gradient("Neg")(lambda op, grad: [negative(grad)])
register_gradient("Abs")(lambda op, grad: [multiply(grad, sign(op.inputs[0]))])
register_gradient("Reciprocal")(lambda op, grad: [_create("ReciprocalGrad",
                                                          [op.outputs[0], grad], {}, None)])
register_gradient("Square")(lambda op, grad: [multiply(grad, multiply(op.inputs[0], 2.0))])
register_gradient("Sqrt")(lambda op, grad: [_create("SqrtGrad", [op.outputs[0], grad], {},
                                                    None)])
register_gradient("Rsqrt")(lambda op, grad: [_create("RsqrtGrad", [op.outputs[0], grad], {},
                                                     None)])
register_gradient("Exp")(lambda op, grad: [multiply(grad, op.outputs[0])])
register_gradient("Log")(lambda op, grad: [multiply(grad, reciprocal(op.inputs[0]))])
register_gradient("Log1p")(lambda op, grad: [multiply(grad, reciprocal(add(1, op.inputs[0])))])
register_gradient("Sin")(lambda op, grad: [multiply(grad, cos(op.inputs[0]))])
register_gradient("Cos")(lambda op, grad: [negative(multiply(grad, sin(op.inputs[0])))])
register_gradient("Tanh")(lambda op, grad: [tanh_grad(op.outputs[0], grad)])
register_gradient("Sigmoid")(lambda op, grad: [sigmoid_grad(op.outputs[0], grad)])


@register_gradient("Sign")
def _sign_grad(op, grad):
    from plano.ops import array_ops

    return [array_ops.zeros_like(op.inputs[0])]


@register_gradient("Erf")
def _erf_grad(op, grad):
    x = op.inputs[0]
    return [multiply(grad, multiply(2 / np.sqrt(np.pi), exp(negative(square(x)))))]


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    y, dy = op.inputs
    gb = multiply(grad, dy)
    return [subtract(gb, multiply(multiply(2.0, gb), y)), sigmoid_grad(y, grad)]


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(grad, -2.0), multiply(dy, y)), tanh_grad(y, grad)]


@register_gradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    y = op.inputs[0]
    ga = realdiv(grad, y)
    return [multiply(negative(op.outputs[0]), ga), multiply(0.5, ga)]


@register_gradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(-1.5, grad), multiply(dy, square(y))),
            _create("RsqrtGrad", [y, grad], {}, None)]


@register_gradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    y, dy = op.inputs
    return [multiply(multiply(grad, -2.0), multiply(dy, y)),
            _create("ReciprocalGrad", [y, grad], {}, None)]


def negative(x, name=None):
    return _unary("Neg", x, name)


def abs(x, name=None):  # noqa: A001 - TF's name
    return _unary("Abs", x, name)


def sign(x, name=None):
    return _unary("Sign", x, name)


def reciprocal(x, name=None):
    return _unary("Reciprocal", x, name)


def square(x, name=None):
    return _unary("Square", x, name)


def sqrt(x, name=None):
    return _unary("Sqrt", x, name)


def rsqrt(x, name=None):
    return _unary("Rsqrt", x, name)


def exp(x, name=None):
    return _unary("Exp", x, name)


def log(x, name=None):
    return _unary("Log", x, name)


def log1p(x, name=None):
    return _unary("Log1p", x, name)


def sin(x, name=None):
    return _unary("Sin", x, name)


def cos(x, name=None):
    return _unary("Cos", x, name)


def tanh(x, name=None):
    return _unary("Tanh", x, name)


def sigmoid(x, name=None):
    return _unary("Sigmoid", x, name)


def erf(x, name=None):
    return _unary("Erf", x, name)


def floor(x, name=None):
    return _unary("Floor", x, name)


def ceil(x, name=None):
    return _unary("Ceil", x, name)


def is_finite(x, name=None):
    return _unary("IsFinite", x, name)


def round(x, name=None):  # noqa: A001 - TF's name
    """Rounds half to even (banker's rounding); integers are returned unchanged."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype.is_integer:
        return x
    return _unary("Round", x, name)


def sigmoid_grad(y, dy, name=None):
    """dy * y * (1 - y): the gradient of sigmoid given its output y."""
    return _binary("SigmoidGrad", y, dy, name)


def tanh_grad(y, dy, name=None):
    """dy * (1 - y * y): the gradient of tanh given its output y."""
    return _binary("TanhGrad", y, dy, name)


__all__ = [
    "negative", "abs", "sign", "reciprocal", "square", "sqrt", "rsqrt", "exp", "log", "log1p",
    "sin", "cos", "tanh", "sigmoid", "erf", "floor", "ceil", "is_finite", "round",
]
