"""The gradient table: op name -> function building the op's backward nodes.

Registered next to each op's declaration (TF's ops.RegisterGradient):

    @register_gradient("Relu")
    def _relu_grad(op, grad):
        return [gen_relu_grad(grad, op.outputs[0])]

A gradient function gets the forward Operation and one gradient per output
(None where no gradient flows) and returns one gradient (or None) per input.
"""
from __future__ import annotations

GRADIENTS: dict = {}
NOT_DIFFERENTIABLE: set = set()


def register_gradient(*op_types: str):
    def deco(fn):
        for op_type in op_types:
            if op_type in GRADIENTS or op_type in NOT_DIFFERENTIABLE:
                raise ValueError(f"Gradient for {op_type!r} is already registered")
            GRADIENTS[op_type] = fn
        return fn
    return deco


def not_differentiable(*op_types: str) -> None:
    """Declares ops through which no gradient flows (integer outputs, comparisons, state)."""
    for op_type in op_types:
        if op_type in GRADIENTS:
            raise ValueError(f"Gradient for {op_type!r} is already registered")
        NOT_DIFFERENTIABLE.add(op_type)


RegisterGradient = register_gradient
NotDifferentiable = not_differentiable
