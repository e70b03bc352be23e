"""tf.compat.v1.Variable, backed by TF's resource ops; values live in the session."""
from __future__ import annotations

from plano import dtypes
from plano.framework import graph as graph_lib
from plano.framework.graph import get_default_graph
from plano.framework.op_builder import convert_to_tensor
from plano.framework.tensor_shape import TensorShape
from plano.ops import control_flow_ops, state_ops


class GraphKeys:
    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    MODEL_VARIABLES = "model_variables"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"
    SUMMARIES = "summaries"


class Variable:
    """A variable: a VarHandleOp, an initializer (AssignVariableOp) and reads.

    The value exists only inside a session, once its initializer has run; two
    sessions on one graph hold two separate values.
    """

    __array_priority__ = 100  # so numpy defers `ndarray * variable` to the variable

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None, use_resource=None,
                 synchronization=None, aggregation=None, shape=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = get_default_graph()
        self._trainable = trainable
        self.constraint = constraint
        with graph.name_scope(name or "Variable") as scope:
            handle_name = scope[:-1]
            with graph.name_scope("Initializer"), graph.control_dependencies(None):
                value = initial_value() if callable(initial_value) else initial_value
                self._initial_value = convert_to_tensor(value, dtype=dtype, name="initial_value")
            self._dtype = self._initial_value.dtype.base_dtype
            self._shape = TensorShape(shape) if shape is not None and not validate_shape \
                else self._initial_value.shape
            if shape is not None and validate_shape and not self._shape.is_compatible_with(shape):
                raise ValueError(f"Variable {handle_name}: initial value shape {self._shape} "
                                 f"does not match shape {TensorShape(shape)}")
            if validate_shape and not self._shape.is_fully_defined():
                raise ValueError(f"initial_value of Variable {handle_name} must have a fully "
                                 f"defined shape, got {self._shape}; pass validate_shape=False")
            with graph.control_dependencies(None):
                self._handle = state_ops.var_handle_op(self._dtype, self._shape, handle_name,
                                                       name=scope)
            self._initializer_op = state_ops.assign_variable_op(
                self._handle, self._initial_value, name="Assign")
            with graph.name_scope("Read"), graph.control_dependencies(None):
                self._graph_element = state_ops.read_variable_op(self._handle, self._dtype)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        graph.add_to_collections(collections, self)

    # -- identity --
    name = property(lambda self: self._handle.name)
    op = property(lambda self: self._handle.op)
    graph = property(lambda self: self._handle.graph)
    handle = property(lambda self: self._handle)
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    device = property(lambda self: "")

    def get_shape(self) -> TensorShape:
        return self._shape

    def _as_graph_element(self):
        return self._graph_element

    def _as_tensor(self, dtype=None, ref=False):
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype != self._dtype:
            raise ValueError(f"Incompatible type conversion requested to type "
                             f"'{dtypes.as_dtype(dtype).name}' for variable of type "
                             f"'{self._dtype.name}' ({self.name})")
        return self.value()

    # -- reads --
    def value(self):
        """A fresh read of the variable (ordered by any enclosing control_dependencies)."""
        return state_ops.read_variable_op(self._handle, self._dtype)

    def read_value(self):
        with self.graph.name_scope("Read"):
            return self.value()

    def eval(self, session=None):
        return self._graph_element.eval(session=session)

    def initialized_value(self):
        with self.graph.control_dependencies([self._initializer_op]):
            return self.read_value()

    def is_initialized(self, name=None):
        return state_ops.var_is_initialized_op(self._handle, name=name)

    # -- writes --
    def _update(self, op_type, value, name, read_value):
        value = convert_to_tensor(value, dtype=self._dtype)
        if op_type == "AssignVariableOp" and not value.shape.is_compatible_with(self._shape):
            raise ValueError(f"Shapes {self._shape} and {value.shape} are incompatible "
                             f"(assigning to variable {self.name})")
        op = state_ops.assign_variable_op(self._handle, value, op_type, name=name)
        if not read_value:
            return op
        with self.graph.control_dependencies([op]):
            return self.value()

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return self._update("AssignVariableOp", value, name, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._update("AssignAddVariableOp", delta, name, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._update("AssignSubVariableOp", delta, name, read_value)

    def load(self, value, session=None):
        """Writes `value` through a session (feeds the initial value, as TF does)."""
        from plano.sessions.session import get_default_session_or_raise

        sess = get_default_session_or_raise(session, self.graph, "Variable.load()")
        sess.run(self._initializer_op, {self._initial_value: value})

    def __repr__(self) -> str:
        return f"<plano.Variable '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    # Operators read the value and build the op on it.
    def __getattr__(self, item):
        if item.startswith("__") and item.endswith("__"):
            raise AttributeError(item)
        raise AttributeError(f"'Variable' object has no attribute '{item}'")


def _forward_operators() -> None:
    names = ["add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "floordiv",
             "rfloordiv", "mod", "rmod", "pow", "rpow", "matmul", "rmatmul", "neg", "abs",
             "lt", "le", "gt", "ge", "getitem", "and", "rand", "or", "ror", "invert"]
    for n in names:
        dunder = f"__{n}__"

        def method(self, *args, _d=dunder):
            return getattr(self.value(), _d)(*args)
        setattr(Variable, dunder, method)


_forward_operators()
RefVariable = Variable
VariableV1 = Variable


def global_variables(scope=None) -> list:
    return graph_lib.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None) -> list:
    return graph_lib.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None) -> list:
    return graph_lib.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of `var_list` (a NoOp if it is empty)."""
    if not var_list:
        return control_flow_ops.no_op(name=name)
    return control_flow_ops.group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


initialize_all_variables = global_variables_initializer


def is_variable_initialized(variable):
    return variable.is_initialized()


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """tf.compat.v1.assign: works on plano Variables and on TF1 ref tensors."""
    if isinstance(ref, Variable):
        return ref.assign(value, name=name)
    return state_ops.assign_ref(ref, value, name=name)


def assign_add(ref, value, use_locking=None, name=None):
    if isinstance(ref, Variable):
        return ref.assign_add(value, name=name)
    return state_ops.assign_add_ref(ref, value, name=name)


def assign_sub(ref, value, use_locking=None, name=None):
    if isinstance(ref, Variable):
        return ref.assign_sub(value, name=name)
    return state_ops.assign_sub_ref(ref, value, name=name)


__all__ = ["GraphKeys", "Variable", "RefVariable", "VariableV1", "global_variables",
           "trainable_variables", "local_variables", "variables_initializer",
           "global_variables_initializer", "local_variables_initializer",
           "initialize_all_variables", "is_variable_initialized", "assign", "assign_add",
           "assign_sub"]
