"""Training kernels: Apply*/ResourceApply* update a variable and its slots atomically.

Each algorithm is a numpy function from (state arrays, named inputs, attrs)
to the new state arrays, with TF's formulas (training_ops.cc). It writes each
new slot value (accumulators, moments) into `out[i]`, which is the slot's array
itself when no one else holds it (as TF updates in place) and None otherwise (a
new array). The variable's own new value goes into the temporary its step
already needs (`_minus`). The kernel reads and writes every state variable
under the session's variable lock, so concurrent steps never interleave
half-updates.
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


def _minus(var, step):
    """var - step, written into `step`, a temporary the caller just computed, instead of
    into var: the products before an update read var on every BLAS thread (and plano's
    intra-op helpers), and writing var in place then waits for the other cores' copies
    of its cache lines. Measured on the MLP step, two BLAS threads, alternating per step:
    0.86x of hand-written numpy in place against 1.00x into the temporary (0.92x against
    0.98x in a faster spell); with one BLAS thread the two are level."""
    if type(step) is np.ndarray and step.shape == var.shape and step.dtype == var.dtype:
        return np.subtract(var, step, out=step)
    return np.subtract(var, step)


@_update("GradientDescent")
def _gradient_descent(var, *, alpha, delta, out, **_):
    return [_minus(var, alpha * delta)]


@_update("Momentum")
def _momentum(var, accum, *, lr, grad, momentum, use_nesterov, out, **_):
    accum = np.add(accum * momentum, grad, out=out[1])
    if use_nesterov:
        return [_minus(var, grad * lr + accum * momentum * lr), accum]
    return [_minus(var, accum * lr), accum]


@_update("Adam")
def _adam(var, m, v, *, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
          use_nesterov, out, **_):
    one = np.ones((), var.dtype)
    alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
    m = np.add(m, (grad - m) * (one - beta1), out=out[1])
    v = np.add(v, (np.square(grad) - v) * (one - beta2), out=out[2])
    step = grad * (one - beta1) + beta1 * m if use_nesterov else m
    return [_minus(var, step * alpha / (np.sqrt(v) + epsilon)), m, v]


@_update("RMSProp")
def _rms_prop(var, ms, mom, *, lr, rho, momentum, epsilon, grad, out, **_):
    ms = np.add(ms, (np.square(grad) - ms) * (np.ones((), var.dtype) - rho), out=out[1])
    mom = np.add(mom * momentum, grad * lr / np.sqrt(ms + epsilon), out=out[2])
    return [np.subtract(var, mom), ms, mom]  # mom is a slot, not a temporary


@_update("CenteredRMSProp")
def _centered_rms_prop(var, mg, ms, mom, *, lr, rho, momentum, epsilon, grad, out, **_):
    one = np.ones((), var.dtype)
    ms = np.add(ms, (np.square(grad) - ms) * (one - rho), out=out[2])
    mg = np.add(mg, (grad - mg) * (one - rho), out=out[1])
    mom = np.add(mom * momentum, grad * lr / np.sqrt(ms - np.square(mg) + epsilon), out=out[3])
    return [np.subtract(var, mom), mg, ms, mom]


@_update("Adagrad")
def _adagrad(var, accum, *, lr, grad, update_slots, out, **_):
    if update_slots:
        accum = np.add(accum, np.square(grad), out=out[1])
    return [_minus(var, grad * lr / np.sqrt(accum)), accum]


@_update("AdagradV2")
def _adagrad_v2(var, accum, *, lr, epsilon, grad, update_slots, out, **_):
    if update_slots:
        accum = np.add(accum, np.square(grad), out=out[1])
    return [_minus(var, grad * lr / (np.sqrt(accum) + epsilon)), accum]


def _factory(algo: str):
    state_names, value_names, _ = ALGORITHMS[algo]
    update = UPDATES[algo]
    n = len(state_names)

    def factory(node):
        attrs = {k: v for k, v in node.attrs.items() if k not in ("T", "use_locking")}
        returns_ref = not node.op.startswith("Resource")

        def run(ctx, *args):
            handles, values = args[:n], dict(zip(value_names, args[n:]))

            def compute(current, out):
                _check_values(node, handles[0], current[0].shape, values)
                new = update(*current, **values, **attrs, out=out)
                return [x if type(x) is np.ndarray and x.dtype == c.dtype  # noqa: E721
                        else np.asarray(x).astype(c.dtype, copy=False)
                        for x, c in zip(new, current)]
            ctx.variables.update_many(handles, compute, node.name)
            return handles[0] if returns_ref else None
        return run
    return factory


def _check_values(node, handle, var_shape: tuple, values: dict) -> None:
    """TF's runtime checks: scalars are scalars, the gradient has the variable's shape."""
    for name, value in values.items():
        shape = value.shape if type(value) is np.ndarray else np.shape(value)  # noqa: E721
        if name in GRADIENT_INPUTS:
            if shape != var_shape:
                raise errors.InvalidArgumentError(
                    None, None, f"var and {name} do not have the same shape: variable "
                    f"'{handle.name}' has shape {list(var_shape)}, {name} has shape "
                    f"{list(shape)} (node '{node.name}')")
        elif shape != ():
            raise errors.InvalidArgumentError(
                None, None, f"{name} is not a scalar: shape {list(shape)} (node '{node.name}')")


for _algo in ALGORITHMS:
    kernel(f"ResourceApply{_algo}", f"Apply{_algo}", needs_ctx=True)(_factory(_algo))
