"""Variable ops: TF's resource ops (what plano builds) and TF1 ref ops (what old graphs hold)."""
from __future__ import annotations

from plano.framework.gradient_registry import register_gradient
from plano.framework.gradient_registry import not_differentiable
from plano.framework.graph import get_default_graph
from plano.framework.op_builder import convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops.shape_util import scalar_rule, unchanged_rule

# Resource variables: a handle names the variable; reads and writes go through it.
register_op("VarHandleOp", outputs=["resource: resource"],
            attrs=["container: string = ''", "shared_name: string = ''",
                   "debug_name: string = ''", "dtype: type",
                   "shape: shape", "allowed_devices: list(string) = []"],
            shape_fn=scalar_rule, stateful=True)
register_op("ReadVariableOp", inputs=["resource: resource"], outputs=["value: dtype"],
            attrs=["dtype: type"], shape_fn=lambda op: _handle_shape(op.inputs[0]),
            stateful=True)
for _name in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
    register_op(_name, inputs=["resource: resource", "value: dtype"],
                attrs=["dtype: type"] + (["validate_shape: bool = false"]
                                         if _name == "AssignVariableOp" else []),
                shape_fn=lambda op: [], stateful=True)
register_op("VarIsInitializedOp", inputs=["resource: resource"], outputs=["is_initialized: bool"],
            shape_fn=scalar_rule, stateful=True)
register_op("DestroyResourceOp", inputs=["resource: resource"],
            attrs=["ignore_lookup_error: bool = true"], shape_fn=lambda op: [], stateful=True)

# TF1 ref variables: the output is a reference that Assign* ops write through.
register_op("VariableV2", outputs=["ref: Ref(dtype)"],
            attrs=["shape: shape", "dtype: type", "container: string = ''",
                   "shared_name: string = ''"],
            shape_fn=lambda op: op.get_attr("shape"), stateful=True)
register_op("Assign", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
            attrs=["T: type", "validate_shape: bool = true", "use_locking: bool = true"],
            shape_fn=lambda op: op.inputs[1].shape, stateful=True)
for _name in ("AssignAdd", "AssignSub"):
    register_op(_name, inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
                attrs=["T: numbertype", "use_locking: bool = false"],
                shape_fn=unchanged_rule, stateful=True)
register_op("IsVariableInitialized", inputs=["ref: Ref(dtype)"], outputs=["is_initialized: bool"],
            attrs=["dtype: type"], shape_fn=scalar_rule, stateful=True)


@register_gradient("ReadVariableOp")
def _read_variable_grad(op, grad):
    """A read's gradient flows to the handle, where gradients.py sums those of all reads."""
    return [grad]


# Writes and handles carry no gradient; reads do (above).
not_differentiable("VarHandleOp", "AssignVariableOp", "AssignAddVariableOp",
                   "AssignSubVariableOp", "VarIsInitializedOp", "DestroyResourceOp",
                   "VariableV2", "Assign", "AssignAdd", "AssignSub", "IsVariableInitialized")


def _handle_shape(handle) -> TensorShape:
    op = handle.op
    return op.get_attr("shape") if op.type == "VarHandleOp" else TensorShape(None)


def var_handle_op(dtype, shape, shared_name, name):
    return get_default_graph().create_op(
        "VarHandleOp", [], {"dtype": dtype, "shape": TensorShape(shape),
                            "shared_name": shared_name}, name=name).outputs[0]


def read_variable_op(handle, dtype, name="ReadVariableOp"):
    return handle.graph.create_op("ReadVariableOp", [handle], {"dtype": dtype},
                                  name=name).outputs[0]


def assign_variable_op(handle, value, op_type="AssignVariableOp", name=None):
    """Writes `value` into the variable behind `handle` (set, add or subtract)."""
    return handle.graph.create_op(op_type, [handle, value], name=name or op_type)


def var_is_initialized_op(handle, name=None):
    return handle.graph.create_op("VarIsInitializedOp", [handle],
                                  name=name or "VarIsInitializedOp").outputs[0]


def _ref_update(op_type, ref, value, name):
    ref = convert_to_tensor(ref, allow_ref=True)
    if not ref.dtype.is_ref:
        raise TypeError(f"{op_type} needs a ref variable; got {ref.name} of dtype "
                        f"{ref.dtype.name}")
    return ref.graph.create_op(op_type, [ref, value], name=name or op_type).outputs[0]


def assign_ref(ref, value, name=None):
    return _ref_update("Assign", ref, value, name)


def assign_add_ref(ref, value, name=None):
    return _ref_update("AssignAdd", ref, value, name)


def assign_sub_ref(ref, value, name=None):
    return _ref_update("AssignSub", ref, value, name)
