"""The TF1 optimizers, each one ResourceApply* node per variable (TF's formulas and defaults)."""
from __future__ import annotations

from plano.ops import control_flow_ops
from plano.train.optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var):
        return self._resource_apply("GradientDescent", var, [], [
            self._hyper("learning_rate", self._learning_rate, var), grad])


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (Nesterov: lr * (grad + momentum *
    accum))."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        return self._resource_apply(
            "Momentum", var, [self.get_slot(var, "momentum")],
            [self._hyper("learning_rate", self._learning_rate, var), grad,
             self._hyper("momentum", self._momentum, var)], use_nesterov=self._use_nesterov)


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) with TF1's bias correction folded into the step size."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list):
        first = min(var_list, key=lambda v: v.name)
        self._non_slot_variable("beta1_power", self._beta1, first)
        self._non_slot_variable("beta2_power", self._beta2, first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _apply_dense(self, grad, var):
        b1p, b2p = self._non_slot["beta1_power"], self._non_slot["beta2_power"]
        return self._resource_apply(
            "Adam", var, [self.get_slot(var, "m"), self.get_slot(var, "v")],
            [self._hyper("beta1_power", b1p, var), self._hyper("beta2_power", b2p, var),
             self._hyper("learning_rate", self._lr, var), self._hyper("beta1", self._beta1, var),
             self._hyper("beta2", self._beta2, var), self._hyper("epsilon", self._epsilon, var),
             grad])

    def _finish(self, update_ops, name_scope):
        """After all updates: beta1_power *= beta1, beta2_power *= beta2."""
        b1p, b2p = self._non_slot["beta1_power"], self._non_slot["beta2_power"]
        graph = b1p.graph
        with graph.control_dependencies(update_ops):
            update_b1 = b1p.assign(b1p.value() * self._hyper("beta1", self._beta1, b1p),
                                   read_value=False)
            update_b2 = b2p.assign(b2p.value() * self._hyper("beta2", self._beta2, b2p),
                                   read_value=False)
        return control_flow_ops.group(*update_ops, update_b1, update_b2, name=name_scope)


class RMSPropOptimizer(Optimizer):
    """ms = decay * ms + (1 - decay) * grad^2; mom = momentum * mom + lr * grad / sqrt(ms + eps);
    var -= mom. `centered` also tracks the mean gradient mg and uses ms - mg^2."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._lr, self._decay, self._momentum, self._epsilon = (learning_rate, decay, momentum,
                                                                 epsilon)
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot_with_value(v, "rms", self._name, 1.0)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        values = [self._hyper("learning_rate", self._lr, var),
                  self._hyper("decay", self._decay, var),
                  self._hyper("momentum", self._momentum, var),
                  self._hyper("epsilon", self._epsilon, var), grad]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return self._resource_apply("CenteredRMSProp", var,
                                        [self.get_slot(var, "mg"), rms, mom], values)
        return self._resource_apply("RMSProp", var, [rms, mom], values)


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum), accum starting at
    `initial_accumulator_value`."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot_with_value(v, "accumulator", self._name, self._initial)

    def _apply_dense(self, grad, var):
        return self._resource_apply("Adagrad", var, [self.get_slot(var, "accumulator")],
                                    [self._hyper("learning_rate", self._lr, var), grad])
