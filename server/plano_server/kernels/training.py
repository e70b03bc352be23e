"""Training kernels: Apply*/ResourceApply* update a variable and its slots atomically.

Each algorithm is a pure numpy function from (state arrays, named inputs,
attrs) to the new state arrays, with TF's formulas (training_ops.cc). The
kernel reads and writes every state variable under the session's variable
lock, so concurrent steps never interleave half-updates.
"""
from __future__ import annotations

import numpy as np

from plano import errors
from plano.ops.training_ops import ALGORITHMS, GRADIENT_INPUTS
from plano_server.kernels.registry import kernel

UPDATES: dict = {}


def _update(algo: str):
    def deco(fn):
        UPDATES[algo] = fn
        return fn
    return deco


@_update("GradientDescent")
def _gradient_descent(var, *, alpha, delta, **_):
    return [var - alpha * delta]


@_update("Momentum")
def _momentum(var, accum, *, lr, grad, momentum, use_nesterov, **_):
    accum = accum * momentum + grad
    if use_nesterov:
        return [var - (grad * lr + accum * momentum * lr), accum]
    return [var - accum * lr, accum]


@_update("Adam")
def _adam(var, m, v, *, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
          use_nesterov, **_):
    one = np.ones((), var.dtype)
    alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
    m = m + (grad - m) * (one - beta1)
    v = v + (np.square(grad) - v) * (one - beta2)
    step = grad * (one - beta1) + beta1 * m if use_nesterov else m
    return [var - step * alpha / (np.sqrt(v) + epsilon), m, v]


@_update("RMSProp")
def _rms_prop(var, ms, mom, *, lr, rho, momentum, epsilon, grad, **_):
    ms = ms + (np.square(grad) - ms) * (np.ones((), var.dtype) - rho)
    mom = mom * momentum + grad * lr / np.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


@_update("CenteredRMSProp")
def _centered_rms_prop(var, mg, ms, mom, *, lr, rho, momentum, epsilon, grad, **_):
    one = np.ones((), var.dtype)
    ms = ms + (np.square(grad) - ms) * (one - rho)
    mg = mg + (grad - mg) * (one - rho)
    mom = mom * momentum + grad * lr / np.sqrt(ms - np.square(mg) + epsilon)
    return [var - mom, mg, ms, mom]


@_update("Adagrad")
def _adagrad(var, accum, *, lr, grad, update_slots, **_):
    if update_slots:
        accum = accum + np.square(grad)
    return [var - grad * lr / np.sqrt(accum), accum]


@_update("AdagradV2")
def _adagrad_v2(var, accum, *, lr, epsilon, grad, update_slots, **_):
    if update_slots:
        accum = accum + np.square(grad)
    return [var - grad * lr / (np.sqrt(accum) + epsilon), accum]


def _factory(algo: str):
    state_names, value_names, _ = ALGORITHMS[algo]
    update = UPDATES[algo]
    n = len(state_names)

    def factory(node):
        attrs = {k: v for k, v in node.attrs.items() if k not in ("T", "use_locking")}
        returns_ref = not node.op.startswith("Resource")

        def run(ctx, *args):
            handles, values = args[:n], dict(zip(value_names, args[n:]))
            _check_values(node, handles[0], values)

            def compute(*current):
                new = update(*current, **values, **attrs)
                return [np.asarray(x).astype(c.dtype, copy=False) for x, c in zip(new, current)]
            ctx.variables.update_many(handles, compute, node.name)
            return handles[0] if returns_ref else None
        return run
    return factory


def _check_values(node, handle, values: dict) -> None:
    """TF's runtime checks: scalars are scalars, the gradient has the variable's shape."""
    for name, value in values.items():
        shape = np.shape(value)
        if name in GRADIENT_INPUTS:
            if handle.shape.is_fully_defined() and shape != tuple(handle.shape.as_list()):
                raise errors.InvalidArgumentError(
                    None, None, f"var and {name} do not have the same shape: variable "
                    f"'{handle.name}' has shape {handle.shape.as_list()}, {name} has shape "
                    f"{list(shape)} (node '{node.name}')")
        elif shape != ():
            raise errors.InvalidArgumentError(
                None, None, f"{name} is not a scalar: shape {list(shape)} (node '{node.name}')")


for _algo in ALGORITHMS:
    kernel(f"ResourceApply{_algo}", f"Apply{_algo}", needs_ctx=True)(_factory(_algo))
