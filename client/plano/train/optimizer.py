"""tf.compat.v1.train.Optimizer: gradients in, one training op out.

`minimize` = `compute_gradients` (plano.gradients over the trainable
variables) + `apply_gradients` (one ResourceApply* node per variable, plus
the optimizer's own bookkeeping in `_finish`). The update ops live in the
graph and run inside the session, next to the variables; nothing but the
fed batch and the fetched values crosses the wire.

Differences from TF: `gate_gradients`, `aggregation_method` and
`colocate_gradients_with_ops` are accepted and do not change the numbers;
the returned training op is named "<Optimizer>_1" when TF would reuse the
scope name "<Optimizer>" for it.
"""
from __future__ import annotations

from plano import dtypes
from plano.framework.graph import Tensor
from plano.framework.op_builder import convert_to_tensor
from plano.gradients import gradients
from plano.ops import array_ops, control_flow_ops, math_ops, training_ops
from plano.ops.variables import GraphKeys, Variable, trainable_variables

_LOSS_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


class Optimizer:
    """Base class: subclasses define `_create_slots`, `_apply_dense` and maybe `_finish`."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Variable, Variable]] = {}
        self._non_slot: dict[str, Variable] = {}
        self._constants: dict = {}

    def get_name(self) -> str:
        return self._name

    # -- the three public steps --
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """Adds ops that compute and apply gradients of `loss`; returns the training op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                f"support gradients, between variables {[v.name for _, v in grads_and_vars]} "
                f"and loss {loss!r}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None) -> list:
        """[(gradient or None, variable)] for each trainable variable (or each in var_list)."""
        if callable(loss):
            loss = loss()
        loss = convert_to_tensor(loss)
        if loss.dtype.base_dtype not in _LOSS_DTYPES:
            raise ValueError(f"Invalid type {loss.dtype.base_dtype.name} for {loss.name}, "
                             f"expected: {[d.name for d in _LOSS_DTYPES]}.")
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Optimizers update Variables; got {v!r} in var_list")
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          colocate_gradients_with_ops=colocate_gradients_with_ops,
                          aggregation_method=aggregation_method)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One update per (gradient, variable) with a gradient; then bumps `global_step`."""
        pairs = []
        for g, v in grads_and_vars:
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients expects (gradient, Variable) pairs; got {v!r}")
            if g is not None:
                g = convert_to_tensor(g)
                if g.dtype.base_dtype != v.dtype:
                    raise ValueError(f"Gradient for {v.name} has dtype {g.dtype.base_dtype.name}"
                                     f", the variable has dtype {v.dtype.name}")
            pairs.append((g, v))
        if not pairs:
            raise ValueError("No variables provided.")
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[v.name for _, v in pairs]}.")
        graph = var_list[0].graph
        with graph.name_scope(None), graph.control_dependencies(None):
            self._create_slots(var_list)
        self._constants = {}
        with graph.name_scope(name or self._name):
            self._prepare()
            update_ops = []
            for grad, var in pairs:
                if grad is None:
                    continue
                with graph.name_scope("update_" + var.op.name):
                    update_ops.append(self._apply_dense(grad, var))
            if global_step is None:
                train_op = self._finish(update_ops, "update")
            else:
                with graph.control_dependencies([self._finish(update_ops, "update")]):
                    train_op = global_step.assign_add(
                        convert_to_tensor(1, dtype=global_step.dtype),
                        name="increment_global_step", read_value=False)
        graph.add_to_collection(GraphKeys.TRAIN_OP, train_op)
        return train_op

    # -- hooks for subclasses --
    def _create_slots(self, var_list: list) -> None:
        """Makes the per-variable state (accumulators); none by default."""

    def _prepare(self) -> None:
        """Converts hyperparameters to tensors once per apply_gradients call."""

    def _apply_dense(self, grad: Tensor, var: Variable):
        raise NotImplementedError(f"{type(self).__name__} must implement _apply_dense")

    def _finish(self, update_ops: list, name_scope: str):
        return control_flow_ops.group(*update_ops, name=name_scope)

    # -- slots --
    def _zeros_slot(self, var: Variable, slot_name: str, op_name: str) -> Variable:
        return self._slot_with_value(var, slot_name, op_name, 0.0)

    def _slot_with_value(self, var: Variable, slot_name: str, op_name: str, value) -> Variable:
        """A non-trainable variable shaped like `var`, named `<var>/<op_name>` as in TF."""
        slots = self._slots.setdefault(slot_name, {})
        if var not in slots:
            shape = var.shape.as_list()
            slots[var] = Variable(lambda: array_ops.fill(shape, convert_to_tensor(
                value, dtype=var.dtype)), name=f"{var.op.name}/{op_name}", trainable=False)
        return slots[var]

    def _non_slot_variable(self, name: str, initial_value, like: Variable) -> Variable:
        if name not in self._non_slot:
            self._non_slot[name] = Variable(convert_to_tensor(initial_value, dtype=like.dtype),
                                            name=name, trainable=False)
        return self._non_slot[name]

    def get_slot(self, var: Variable, name: str):
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self) -> list:
        return sorted(self._slots)

    def variables(self) -> list:
        """The optimizer's own variables (slots and e.g. Adam's beta powers)."""
        out = list(self._non_slot.values())
        for slots in self._slots.values():
            out.extend(slots.values())
        return out

    # -- hyperparameters --
    def _hyper(self, key: str, value, var: Variable) -> Tensor:
        """`value` as a tensor of var's dtype; one Const per (name, dtype) per apply call."""
        if callable(value) and not isinstance(value, Variable):
            value = value()
        if isinstance(value, Variable) or isinstance(value, Tensor):
            tensor = convert_to_tensor(value)
            if tensor.dtype.base_dtype == var.dtype:
                return tensor
            return math_ops.cast(tensor, var.dtype)
        cache_key = (key, var.dtype)
        if cache_key not in self._constants:
            self._constants[cache_key] = convert_to_tensor(value, dtype=var.dtype, name=key)
        return self._constants[cache_key]

    def _resource_apply(self, algo: str, var: Variable, slots: list, values: list, **attrs):
        return training_ops.resource_apply(
            algo, [var.handle] + [s.handle for s in slots], values, use_locking=self._use_locking,
            **attrs)
