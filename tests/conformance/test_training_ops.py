"""Conformance of the training ops: each ResourceApply*/Apply* node updates its variable and
slots as TF's formula says (numpy reference below), in float32 and float64."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plano as tf
from plano.ops import training_ops


def ref_gradient_descent(var, alpha, delta):
    return [var - alpha * delta]


def ref_momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    accum = accum * momentum + grad
    return [var - lr * (grad + momentum * accum) if use_nesterov else var - lr * accum, accum]


def ref_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
             use_nesterov=False):
    alpha = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    step = beta1 * m + (1 - beta1) * grad if use_nesterov else m
    return [var - alpha * step / (np.sqrt(v) + epsilon), m, v]


def ref_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = rho * ms + (1 - rho) * grad ** 2
    mom = momentum * mom + lr * grad / np.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


def ref_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = rho * ms + (1 - rho) * grad ** 2
    mg = rho * mg + (1 - rho) * grad
    mom = momentum * mom + lr * grad / np.sqrt(ms - mg ** 2 + epsilon)
    return [var - mom, mg, ms, mom]


def ref_adagrad(var, accum, lr, grad, update_slots=True):
    accum = accum + grad ** 2 if update_slots else accum
    return [var - lr * grad / np.sqrt(accum), accum]


def ref_adagrad_v2(var, accum, lr, epsilon, grad, update_slots=True):
    accum = accum + grad ** 2 if update_slots else accum
    return [var - lr * grad / (np.sqrt(accum) + epsilon), accum]


CASES = {  # op suffix -> (reference, number of state inputs, scalar values, attrs)
    "GradientDescent": (ref_gradient_descent, 1, [0.1], {}),
    "Momentum": (ref_momentum, 2, [0.1, "grad", 0.9], {"use_nesterov": True}),
    "Adam": (ref_adam, 3, [0.9 ** 3, 0.999 ** 3, 0.01, 0.9, 0.999, 1e-7, "grad"],
             {"use_nesterov": False}),
    "RMSProp": (ref_rms_prop, 3, [0.01, 0.9, 0.5, 1e-6, "grad"], {}),
    "CenteredRMSProp": (ref_centered_rms_prop, 4, [0.01, 0.9, 0.5, 1e-6, "grad"], {}),
    "Adagrad": (ref_adagrad, 2, [0.1, "grad"], {"update_slots": True}),
    "AdagradV2": (ref_adagrad_v2, 2, [0.1, 1e-7, "grad"], {"update_slots": False}),
}
OP_NAMES = ["ResourceApplyGradientDescent", "ApplyGradientDescent", "ResourceApplyMomentum",
            "ApplyMomentum", "ResourceApplyAdam", "ApplyAdam", "ResourceApplyRMSProp",
            "ApplyRMSProp", "ResourceApplyCenteredRMSProp", "ApplyCenteredRMSProp",
            "ResourceApplyAdagrad", "ApplyAdagrad", "ResourceApplyAdagradV2", "ApplyAdagradV2"]


def _state_arrays(rng, n, shape, dtype):
    """var any sign; slots positive (squared-gradient accumulators must be)."""
    return [rng.normal(size=shape).astype(dtype)] + \
        [rng.uniform(0.5, 1.5, shape).astype(dtype) for _ in range(n - 1)]


@pytest.mark.parametrize("op_type", OP_NAMES)
@settings(max_examples=6, deadline=None)
@given(shape=st.lists(st.integers(1, 4), max_size=2), dtype=st.sampled_from([np.float32,
                                                                             np.float64]))
def test_update_matches_the_numpy_formula(op_type, shape, dtype):
    algo = op_type.removeprefix("Resource").removeprefix("Apply")
    reference, n_state, values, attrs = CASES[algo]
    rng = np.random.default_rng(len(shape))
    state = _state_arrays(rng, n_state, shape, dtype)
    if algo == "CenteredRMSProp":
        state[1] = state[1] * dtype(0.3)  # keep ms - mg^2 positive
    grad = rng.normal(size=shape).astype(dtype)
    inputs = [grad if v == "grad" else np.asarray(v, dtype) for v in values]
    if algo == "GradientDescent":
        inputs.append(grad)
    with tf.Graph().as_default() as g:
        if op_type.startswith("Resource"):
            variables = [tf.Variable(s) for s in state]
            init = [v.initializer for v in variables]
            update = training_ops.resource_apply(algo, [v.handle for v in variables], inputs,
                                                 **attrs)
            reads = [v.value() for v in variables]
        else:
            refs, init = [], []
            for i, s in enumerate(state):
                ref = g.create_op("VariableV2", [], {"shape": s.shape, "dtype": tf.as_dtype(dtype)},
                                  name=f"v{i}").outputs[0]
                refs.append(ref)
                init.append(g.create_op("Assign", [ref, tf.constant(s)]))
            update = training_ops.apply(algo, refs, inputs, **attrs)
            reads = [tf.identity(r) for r in refs]
        assert (update if isinstance(update, tf.Operation) else update.op).type == op_type
        with tf.Session(graph=g) as sess:
            sess.run(init)
            sess.run(update)
            got = sess.run(reads)
    expected = reference(*state, *inputs, **attrs)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for name, a, b in zip(["var", "slot1", "slot2", "slot3"], got, expected):
        assert a.dtype == dtype, name
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol, err_msg=f"{op_type} {name}")


def test_declarations_carry_tf_attrs_and_defaults():
    from plano.framework.op_def import REGISTRY

    adam = REGISTRY["ResourceApplyAdam"]
    assert [a.name for a in adam.inputs] == ["var", "m", "v", "beta1_power", "beta2_power", "lr",
                                             "beta1", "beta2", "epsilon", "grad"]
    assert {k: a.default for k, a in adam.attrs.items() if k != "T"} == {
        "use_locking": False, "use_nesterov": False}
    assert REGISTRY["ApplyAdagrad"].attrs["update_slots"].default is True
    assert [a.name for a in REGISTRY["ApplyMomentum"].outputs] == ["out"]
    assert REGISTRY["ResourceApplyMomentum"].outputs == []
