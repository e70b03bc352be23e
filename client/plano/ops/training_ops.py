"""Training ops: one node updates a variable (and its optimizer slots) in place.

Declared as TF's, in both forms: `ResourceApply<Algo>` on resource handles
(what plano's optimizers build) and `Apply<Algo>` on TF1 ref variables (what
imported TF1 training graphs hold). The update runs on the server as one
atomic read-modify-write of every variable the op touches, so a training
step over gRPC sends only the batch and returns only the fetches.
"""
from __future__ import annotations

from plano.framework.gradient_registry import not_differentiable
from plano.framework.graph import Tensor
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops.shape_util import require_rank
from plano.ops.state_ops import _handle_shape

# algorithm -> (state inputs: the variable and its slots, value inputs, extra attrs).
# The value input named "grad" or "delta" has the variable's shape; the rest are scalars.
ALGORITHMS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "GradientDescent": (["var"], ["alpha", "delta"], []),
    "Momentum": (["var", "accum"], ["lr", "grad", "momentum"], ["use_nesterov: bool = false"]),
    "Adam": (["var", "m", "v"],
             ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"],
             ["use_nesterov: bool = false"]),
    "RMSProp": (["var", "ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"], []),
    "CenteredRMSProp": (["var", "mg", "ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"],
                        []),
    "Adagrad": (["var", "accum"], ["lr", "grad"], ["update_slots: bool = true"]),
    "AdagradV2": (["var", "accum"], ["lr", "epsilon", "grad"], ["update_slots: bool = true"]),
}
GRADIENT_INPUTS = ("grad", "delta")


def _shape_rule(state: list[str], values: list[str], is_resource: bool):
    def rule(op):
        n = len(state)
        shape = TensorShape(None)
        for name, t in zip(state + [v for v in values if v in GRADIENT_INPUTS],
                           list(op.inputs[:n]) + [op.inputs[n + values.index(v)]
                                                  for v in values if v in GRADIENT_INPUTS]):
            this = _handle_shape(t) if is_resource and name in state else t.shape
            if not shape.is_compatible_with(this):
                raise ShapeError(f"Shapes must be equal: '{name}' has shape {format_shape(this)} "
                                 f"but '{state[0]}' has shape {format_shape(shape)}")
            shape = shape.merge_with(this)
        for name, t in zip(values, op.inputs[n:]):
            if name not in GRADIENT_INPUTS:
                require_rank(t.shape, 0, f"'{name}'")
        return [] if is_resource else shape
    return rule


for _algo, (_state, _values, _attrs) in ALGORITHMS.items():
    register_op(f"ResourceApply{_algo}", inputs=[f"{s}: resource" for s in _state] +
                [f"{v}: T" for v in _values],
                attrs=["T: numbertype", "use_locking: bool = false"] + _attrs,
                shape_fn=_shape_rule(_state, _values, True), stateful=True)
    register_op(f"Apply{_algo}", inputs=[f"{s}: Ref(T)" for s in _state] +
                [f"{v}: T" for v in _values], outputs=["out: Ref(T)"],
                attrs=["T: numbertype", "use_locking: bool = false"] + _attrs,
                shape_fn=_shape_rule(_state, _values, False), stateful=True)
    not_differentiable(f"ResourceApply{_algo}", f"Apply{_algo}")  # updates, not functions


def resource_apply(algo: str, state: list[Tensor], values: list, name: str | None = None,
                   **attrs):
    """Builds ResourceApply<algo>(state handles..., values...); values take the var's dtype."""
    handle = state[0]
    dtype = attrs.pop("T", None)
    if dtype is None:
        dtype = handle.op.get_attr("dtype") if handle.op.type == "VarHandleOp" else None
    values = [convert_to_tensor(v, dtype=dtype) for v in values]
    op_type = f"ResourceApply{algo}"
    return handle.graph.create_op(op_type, list(state) + values, attrs, name=name or op_type)


def apply(algo: str, state: list, values: list, name: str | None = None, **attrs) -> Tensor:
    """Builds the TF1 ref form Apply<algo>; returns the updated variable's ref."""
    refs = [convert_to_tensor(s, allow_ref=True) for s in state]
    values = [convert_to_tensor(v, dtype=refs[0].dtype.base_dtype) for v in values]
    op_type = f"Apply{algo}"
    return refs[0].graph.create_op(op_type, refs + values, attrs,
                                   name=name or op_type).outputs[0]


__all__: list[str] = []
