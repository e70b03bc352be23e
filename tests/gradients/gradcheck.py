"""A reusable check of symbolic gradients against central finite differences (float64).

    from tests.gradients.gradcheck import check_gradients
    check_gradients(lambda x, y: plano.multiply(x, y), [a, b])

`build_fn` gets one placeholder per input array and returns a tensor (or a
list of tensors). The checked objective is sum_k sum(w_k * y_k) with fixed
random weights w_k fed as `grad_ys`, so every output element matters and a
wrong sign, transpose or broadcast reduction is caught. Float inputs are
checked; integer inputs (axes, shapes, indices) are fed but not perturbed.
With ``dynamic_shapes=True`` the placeholders have unknown shape, so shape
handling that is only possible at run time (broadcast reductions) is checked.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

import plano


def check_gradients(build_fn: Callable, input_arrays: Sequence, *, wrt: Sequence[int] | None = None,
                    eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4,
                    dynamic_shapes: bool = False, seed: int = 0) -> float:
    """Asserts symbolic == numeric gradients for each checked input; returns the max error."""
    arrays = [np.asarray(a) for a in input_arrays]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    graph = plano.Graph()
    with graph.as_default():
        phs = [plano.placeholder(plano.as_dtype(a.dtype), None if dynamic_shapes else a.shape,
                                 name=f"input{i}") for i, a in enumerate(arrays)]
        outs = build_fn(*phs)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        weights = [plano.placeholder(o.dtype, None, name=f"weight{k}") for k, o in enumerate(outs)]
        grads = plano.gradients(outs, [phs[i] for i in wrt], grad_ys=weights)
    with plano.Session(graph=graph) as sess:
        feed = dict(zip(phs, arrays))
        values = sess.run(outs, feed)
        rng = np.random.default_rng(seed)
        ws = [rng.uniform(0.5, 1.5, np.shape(v)) * rng.choice([-1, 1], np.shape(v))
              for v in values]
        ws = [np.asarray(w, dtype=np.asarray(v).dtype) for w, v in zip(ws, values)]
        feed.update(zip(weights, ws))
        symbolic = sess.run([g if g is not None else outs[0] for g in grads], feed)
        forward = sess.make_callable(outs, feed_list=phs)

        def objective(args):
            return sum(float(np.sum(w * np.asarray(y, np.float64)))
                       for w, y in zip(ws, forward(*args)))

        worst = 0.0
        for gi, i in enumerate(wrt):
            assert grads[gi] is not None, f"gradient for input {i} is None (unconnected)"
            numeric = _numeric_grad(objective, arrays, i, eps)
            got = np.asarray(symbolic[gi], np.float64)
            assert got.shape == arrays[i].shape, \
                f"gradient for input {i} has shape {got.shape}, input has {arrays[i].shape}"
            err = np.abs(got - numeric)
            bad = err > atol + rtol * np.abs(numeric)
            assert not bad.any(), (f"gradient for input {i} differs from finite differences:\n"
                                   f"symbolic={got}\nnumeric={numeric}")
            worst = max(worst, float(err.max(initial=0.0)))
    return worst


def _numeric_grad(objective: Callable, arrays: list, i: int, eps: float) -> np.ndarray:
    base = arrays[i].astype(np.float64)
    out = np.zeros_like(base)
    flat = out.reshape(-1)
    for j in range(base.size):
        hi, lo = base.copy(), base.copy()
        hi.reshape(-1)[j] += eps
        lo.reshape(-1)[j] -= eps
        args_hi = list(arrays)
        args_lo = list(arrays)
        args_hi[i] = hi.astype(arrays[i].dtype)
        args_lo[i] = lo.astype(arrays[i].dtype)
        flat[j] = (objective(args_hi) - objective(args_lo)) / (2 * eps)
    return out
