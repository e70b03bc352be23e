"""tf.compat.v1 variable sharing: `get_variable` names variables by `variable_scope`.

A variable's name is its variable scope plus its own name, independent of
name scopes. Per graph, a store maps full names to variables: asking again
for a name returns the same variable when the scope allows reuse (`reuse=True`
or `AUTO_REUSE`), and is an error otherwise, as in TF. Scopes opened with
`default_name` are made unique ("dense", "dense_1"); the counters restart when
the enclosing named scope is re-entered, which is what makes
`with variable_scope("model", reuse=True): build()` find the same variables.
"""
from __future__ import annotations

import collections
import enum

from plano import dtypes
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import convert_to_tensor
from plano.framework.tensor_shape import TensorShape
from plano.ops.variables import GraphKeys, Variable


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE
_STORE_KEY = "__variable_store"


class VariableScope:
    """A scope's name, reuse mode and defaults (initializer, regularizer, dtype)."""

    def __init__(self, reuse, name: str = "", initializer=None, regularizer=None,
                 dtype=dtypes.float32, name_scope: str = ""):
        self._reuse = reuse
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._dtype = dtypes.as_dtype(dtype)
        self._name_scope = name_scope

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)

    def reuse_variables(self) -> None:
        """From now on, get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def set_regularizer(self, regularizer) -> None:
        self._regularizer = regularizer

    def set_dtype(self, dtype) -> None:
        self._dtype = dtypes.as_dtype(dtype)

    def global_variables(self) -> list:
        return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, self._prefix())

    def trainable_variables(self) -> list:
        return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, self._prefix())

    def _prefix(self):
        return self._name + "/" if self._name else None

    def get_variable(self, name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                     trainable=None, collections=None, caching_device=None,
                     validate_shape=True, use_resource=None, constraint=None):
        full_name = f"{self._name}/{name}" if self._name else name
        store = _store(get_default_graph())
        shape = TensorShape(shape) if shape is not None else None
        dtype = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
        if full_name in store.variables:
            return _existing(store.variables[full_name], full_name, self._reuse, shape, dtype)
        if self._reuse is True:
            raise ValueError(f"Variable {full_name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                             "VarScope?")
        variable = _create(full_name, shape, dtype or self._dtype,
                           initializer if initializer is not None else self._initializer,
                           trainable, collections, validate_shape, constraint)
        store.variables[full_name] = variable
        regularizer = regularizer if regularizer is not None else self._regularizer
        if regularizer is not None:
            graph = variable.graph
            with graph.name_scope(None), graph.name_scope(full_name + "/Regularizer/"):
                loss = regularizer(variable)
            if loss is not None:
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable


class _Store:
    """One graph's variables by full name and its counters of opened scope names."""

    def __init__(self):
        self.variables: dict[str, Variable] = {}
        self.scope_counts: collections.Counter = collections.Counter()
        self.current = VariableScope(False)

    def close_subscopes(self, scope_name: str) -> None:
        for key in list(self.scope_counts):
            if key.startswith(scope_name + "/"):
                self.scope_counts[key] = 0


def _store(graph) -> _Store:
    ref = graph.get_collection_ref(_STORE_KEY)
    if not ref:
        ref.append(_Store())
    return ref[0]


def _existing(found: Variable, full_name: str, reuse, shape, dtype) -> Variable:
    if reuse is not True and reuse is not AUTO_REUSE:
        raise ValueError(f"Variable {full_name} already exists, disallowed. Did you mean to set "
                         "reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
    if shape is not None and not found.shape.is_compatible_with(shape):
        raise ValueError(f"Trying to share variable {full_name}, but specified shape {shape} and "
                         f"found shape {found.shape}.")
    if dtype is not None and dtype != found.dtype:
        raise ValueError(f"Trying to share variable {full_name}, but specified dtype {dtype.name} "
                         f"and found dtype {found.dtype.name}.")
    return found


def _create(full_name, shape, dtype, initializer, trainable, collections, validate_shape,
            constraint) -> Variable:
    """Makes the variable; its name ignores the current name scope, as in TF."""
    from plano import initializers

    if isinstance(initializer, type) and issubclass(initializer, initializers.Initializer):
        initializer = initializer(dtype=dtype)
    if initializer is not None and not callable(initializer):
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        value = initializer
        init_fn = (lambda: convert_to_tensor(value, dtype=dtype if not isinstance(value, Tensor)
                                             else None))
    else:
        if initializer is None:
            if dtype.is_floating:
                initializer = initializers.GlorotUniform()
            elif dtype.is_integer or dtype == dtypes.bool:
                initializer = initializers.Zeros()
            else:
                raise ValueError(f"An initializer for variable {full_name} of {dtype.name} is "
                                 "required")
        if shape is None or not shape.is_fully_defined():
            raise ValueError(f"Shape of a new variable ({full_name}) must be fully defined, but "
                             f"instead was {shape if shape is not None else '<unknown>'}.")
        init_fn = (lambda: initializer(shape.as_list(), dtype=dtype))
    if trainable is None:
        trainable = True
    graph = get_default_graph()
    with graph.name_scope(None):
        return Variable(init_fn, trainable=trainable, collections=collections,
                        validate_shape=validate_shape, name=full_name, constraint=constraint,
                        shape=shape if not validate_shape else None)


def get_variable_scope() -> VariableScope:
    return _store(get_default_graph()).current


def get_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, validate_shape=True,
                 use_resource=None, constraint=None):
    """tf.compat.v1.get_variable: the variable `<scope>/<name>`, created or (on reuse) found.

    Variables are always resource variables (`use_resource` is accepted and ignored);
    `caching_device` is accepted for compatibility.
    """
    return get_variable_scope().get_variable(
        name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
        trainable=trainable, collections=collections, validate_shape=validate_shape,
        constraint=constraint)


class variable_scope:  # noqa: N801 - TF's name
    """tf.compat.v1.variable_scope: a context manager yielding the entered VariableScope."""

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, reuse=None, dtype=None,
                 use_resource=None, constraint=None, auxiliary_name_scope=True):
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if name_or_scope is None and reuse is True:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        if reuse not in (None, True, False, AUTO_REUSE):
            raise ValueError(f"The reuse parameter must be True or False or None, got {reuse!r}")
        if name_or_scope is not None and not isinstance(name_or_scope, (str, VariableScope)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._dtype = dtype
        self._aux = auxiliary_name_scope
        self._exits: list = []

    def __enter__(self) -> VariableScope:
        graph = _graph_of(self._values)
        store = _store(graph)
        old = store.current
        if isinstance(self._name_or_scope, VariableScope):
            given = self._name_or_scope
            full_name = given.name
            name_scope = given.original_name_scope
            reuse = True if self._reuse is True else (self._reuse or given.reuse)
            base = given
        else:
            relative = self._name_or_scope if self._name_or_scope is not None else \
                _unique_scope_name(store, old.name, self._default_name)
            full_name = f"{old.name}/{relative}" if old.name else relative
            name_scope = relative
            reuse = self._reuse if self._reuse in (True, AUTO_REUSE) else old.reuse
            base = old
        self._saved = (store, old, dict(store.scope_counts))
        store.scope_counts[full_name] += 1
        if self._aux:
            cm = graph.name_scope(name_scope)
            opened = cm.__enter__()
            self._exits.append(cm)
        else:
            opened = old.original_name_scope
        scope = VariableScope(
            reuse, full_name,
            self._initializer if self._initializer is not None else base.initializer,
            self._regularizer if self._regularizer is not None else base.regularizer,
            self._dtype if self._dtype is not None else base.dtype,
            opened if isinstance(self._name_or_scope, str) or self._name_or_scope is None
            else name_scope)
        store.current = scope
        return scope

    def __exit__(self, exc_type, exc, tb):
        store, old, counts = self._saved
        scope_name = store.current.name
        store.current = old
        if isinstance(self._name_or_scope, VariableScope):
            store.scope_counts = collections.Counter(counts)
        else:
            store.close_subscopes(scope_name)
        while self._exits:
            self._exits.pop().__exit__(exc_type, exc, tb)
        return False


def _graph_of(values):
    for v in values or []:
        if isinstance(v, Tensor):
            return v.graph
    return get_default_graph()


def _unique_scope_name(store: _Store, parent: str, prefix: str) -> str:
    """`prefix`, or `prefix_N` for the first N not yet opened under `parent` (TF's rule)."""
    full = f"{parent}/{prefix}" if parent else prefix
    if store.scope_counts[full] == 0:
        return prefix
    index = 1
    while store.scope_counts[f"{full}_{index}"] > 0:
        index += 1
    return f"{prefix}_{index}"


__all__ = ["AUTO_REUSE", "VariableScope", "get_variable", "get_variable_scope",
           "variable_scope"]
