"""Graph, Operation and Tensor: the plan a user builds. Building computes nothing."""
from __future__ import annotations

import contextlib
import re
import threading

from plano import dtypes
from plano.framework import op_def as op_def_lib
from plano.framework.tensor_shape import TensorShape, as_shape, format_shape
from plano.v1 import graph_pb2, node_def_pb2, versions_pb2

GRAPH_DEF_VERSION = 1286  # the producer version TF 2.x writes; plano accepts any
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
_VALID_NODE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


class Tensor:
    """One output of an Operation: name `op:idx`, a dtype and a static shape."""

    __array_priority__ = 100  # so numpy defers `ndarray + tensor` to Tensor.__radd__

    def __init__(self, op: "Operation", value_index: int, dtype: dtypes.DType):
        self._op = op
        self._value_index = value_index
        self._name = f"{op.name}:{value_index}"  # op names never change
        self._dtype = dtype
        self._shape = TensorShape(None)
        self._consumers: list[Operation] = []

    op = property(lambda self: self._op)
    value_index = property(lambda self: self._value_index)
    dtype = property(lambda self: self._dtype)
    graph = property(lambda self: self._op.graph)
    name = property(lambda self: self._name)
    device = property(lambda self: self._op.device)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        """Narrows the static shape; raises ValueError if incompatible (as TF)."""
        self._shape = self._shape.merge_with(as_shape(shape))

    def consumers(self) -> list["Operation"]:
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        from plano.sessions.session import get_default_session_or_raise

        return get_default_session_or_raise(session, self.graph, "Tensor.eval()").run(
            self, feed_dict)

    def _as_graph_element(self):
        return self

    def __repr__(self) -> str:
        return f"<plano.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    __str__ = __repr__

    __hash__ = object.__hash__  # by identity, as __eq__ (and in C: feeds and fetches hash it)

    def __eq__(self, other):
        return self is other

    def __bool__(self):
        raise TypeError("Using a `plano.Tensor` as a Python `bool` is not allowed. Use "
                        "`if t is not None:` instead of `if t:`, or run the graph to get a value.")

    def __iter__(self):
        raise TypeError("Tensor objects are not iterable while a graph is being built; "
                        "use plano.unstack or slice it.")

    def __len__(self):
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}); "
                        "use plano.shape(x)[0] or x.shape[0].")


def _install_operators() -> None:
    """Operator overloads dispatch to the op helpers (imported lazily: ops import graph)."""

    def binary(fn_name, reverse=False):
        def method(self, other):
            from plano import ops

            fn = getattr(ops, fn_name)
            return fn(other, self) if reverse else fn(self, other)
        method.__name__ = fn_name
        return method

    def unary(fn_name):
        def method(self):
            from plano import ops

            return getattr(ops, fn_name)(self)
        return method

    for dunder, fn_name in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                            ("truediv", "truediv"), ("floordiv", "floordiv"),
                            ("mod", "floormod"), ("pow", "pow"), ("matmul", "matmul"),
                            ("and", "logical_and"), ("or", "logical_or"),
                            ("xor", "logical_xor")]:
        setattr(Tensor, f"__{dunder}__", binary(fn_name))
        setattr(Tensor, f"__r{dunder}__", binary(fn_name, reverse=True))
    for dunder, fn_name in [("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                            ("ge", "greater_equal")]:
        setattr(Tensor, f"__{dunder}__", binary(fn_name))
    for dunder, fn_name in [("neg", "negative"), ("abs", "abs"), ("invert", "logical_not")]:
        setattr(Tensor, f"__{dunder}__", unary(fn_name))

    def getitem(self, key):
        from plano.ops import slicing_ops

        return slicing_ops.slice_helper(self, key)
    Tensor.__getitem__ = getitem


_install_operators()


class Operation:
    """A node: an op type, input tensors, attrs, and the output tensors it makes."""

    def __init__(self, graph: "Graph", name: str, op_type: str, inputs: list[Tensor],
                 attrs: dict, output_dtypes: list[dtypes.DType], control_inputs: list,
                 device: str = ""):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = list(inputs)
        self._attrs = dict(attrs)
        self._control_inputs = list(control_inputs)
        self._device = device
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_dtypes)]
        self._node_def = None
        for t in self._inputs:
            t._consumers.append(self)

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._device)
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))

    @property
    def inputs(self) -> tuple:
        return tuple(self._inputs)

    @property
    def op_def(self) -> op_def_lib.OpDef:
        return op_def_lib.REGISTRY[self._type]

    def values(self) -> tuple:
        return tuple(self._outputs)

    def get_attr(self, name: str):
        if name not in self._attrs:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.")
        return self._attrs[name]

    @property
    def node_def(self) -> node_def_pb2.NodeDef:
        """The wire form of this node; built once (nodes are immutable once made)."""
        if self._node_def is None:
            specs = self.op_def.attrs
            nd = node_def_pb2.NodeDef(name=self._name, op=self._type, device=self._device)
            nd.input.extend(_input_name(t) for t in self._inputs)
            nd.input.extend("^" + op.name for op in self._control_inputs)
            for key, value in self._attrs.items():
                kind = specs[key].kind if key in specs else _private_attr_kind(value)
                nd.attr[key].CopyFrom(op_def_lib.attr_to_proto(kind, value))
            self._node_def = nd
        return self._node_def

    def run(self, feed_dict=None, session=None) -> None:
        from plano.sessions.session import get_default_session_or_raise

        get_default_session_or_raise(session, self._graph, "Operation.run()").run(self, feed_dict)

    def _as_graph_element(self):
        return self

    def __repr__(self) -> str:
        return f"<plano.Operation '{self._name}' type={self._type}>"


def _private_attr_kind(value) -> str:
    if isinstance(value, list):
        return "list(shape)" if value and isinstance(value[0], TensorShape) else "list(int)"
    return "shape" if isinstance(value, TensorShape) else "string"


def _input_name(t: Tensor) -> str:
    return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"


class Graph:
    """A dataflow graph: Operations in creation order, with TF's naming and scoping rules."""

    def __init__(self):
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._collections: dict[str, list] = {}
        self._local = threading.local()
        self._lock = threading.RLock()
        self.seed = None
        self._finalized = False
        self._last_id = 0

    # -- scopes (thread-local, as TF keeps them) --
    @property
    def _name_stack(self) -> str:
        return getattr(self._local, "name_stack", "")

    @_name_stack.setter
    def _name_stack(self, value: str) -> None:
        self._local.name_stack = value

    @property
    def _control_stack(self) -> list:
        if not hasattr(self._local, "control_stack"):
            self._local.control_stack = []
        return self._local.control_stack

    @property
    def _device_stack(self) -> list:
        if not hasattr(self._local, "device_stack"):
            self._local.device_stack = []
        return self._local.device_stack

    def get_name_scope(self) -> str:
        return self._name_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """TF's rule: `Add`, then `Add_1`, `Add_2`; names compare case-insensitively."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{i - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """As tf.Graph.name_scope: None/'' resets, a trailing '/' reuses a scope verbatim."""
        old = self._name_stack
        if name:
            if isinstance(name, str) and name.endswith("/"):
                new = name[:-1]
            else:
                if not _VALID_SCOPE_NAME.match(name):
                    raise ValueError(f"'{name}' is not a valid scope name")
                new = self.unique_name(name)
        else:
            new = ""
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops made inside run only after `control_inputs`; None clears the stack."""
        if control_inputs is None:
            saved = list(self._control_stack)
            self._control_stack.clear()
            try:
                yield
            finally:
                self._control_stack[:] = saved
            return
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element"):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"Control input must be an Operation or Tensor, got {c!r}")
            _check_same_graph(self, c, "control_dependencies")
            ops.append(c)
        self._control_stack.append(ops)
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def device(self, device_name):
        """Accepted for compatibility: plano runs everything on the session's host."""
        self._device_stack.append(device_name or "")
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def as_default(self):
        _default_graph_stack.push(self)
        try:
            yield self
        finally:
            _default_graph_stack.pop(self)

    # -- building --
    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    def create_op(self, op_type: str, inputs=(), attrs=None, name: str | None = None
                  ) -> Operation:
        """Type-checks and adds one node; runs the op's shape rule (errors name the op)."""
        from plano.framework.op_builder import build_operation

        return build_operation(self, op_type, list(inputs), dict(attrs or {}), name)

    def _add_op(self, op: Operation) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if op.name in self._by_name:
            raise ValueError(f"Duplicate node name in graph: '{op.name}'")
        self._ops.append(op)
        self._by_name[op.name] = op
        self._names_in_use.setdefault(op.name.lower(), 1)

    def _current_control_inputs(self, inputs: list[Tensor]) -> list[Operation]:
        ops = []
        input_ops = {t.op for t in inputs}
        for frame in self._control_stack:
            for c in frame:
                if c not in ops and c not in input_ops:
                    ops.append(c)
        return ops

    def _current_device(self) -> str:
        return next((d for d in reversed(self._device_stack) if d), "")

    # -- lookup --
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings, got {name!r}")
        if ":" in name:
            raise ValueError(f"Name '{name}' appears to refer to a Tensor, not an Operation.")
        op = self._by_name.get(name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")
        return op

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings, got {name!r}")
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a "
                             "Tensor. Tensor names must be of the form "
                             "\"<op_name>:<output_index>\".")
        op = self._by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', does not exist in the graph.")
        if int(index) >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', exists but only has {len(op.outputs)} "
                           "outputs.")
        return op.outputs[int(index)]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation or name to an element of this graph."""
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                return self.get_tensor_by_name(obj)
            if allow_operation:
                return self.get_operation_by_name(obj)
            raise ValueError(f"Name '{obj}' refers to an Operation; a Tensor was expected.")
        elem = obj._as_graph_element() if hasattr(obj, "_as_graph_element") else obj
        if isinstance(elem, Tensor) and allow_tensor or \
                isinstance(elem, Operation) and allow_operation:
            if elem.graph is not self:
                raise ValueError(f"{_describe(elem)} is not an element of this graph.")
            return elem
        raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")

    @property
    def version(self) -> int:
        """Number of nodes so far; a node's index is the version before it was added."""
        return len(self._ops)

    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False
                     ) -> graph_pb2.GraphDef:
        """The nodes (all, or those added since `from_version`) as a GraphDef."""
        gd = graph_pb2.GraphDef(versions=versions_pb2.VersionDef(
            producer=GRAPH_DEF_VERSION, min_consumer=GRAPH_DEF_VERSION_MIN_CONSUMER))
        with self._lock:
            ops = self._ops[from_version or 0:]
        gd.node.extend(op.node_def for op in ops)
        if add_shapes:
            for nd, op in zip(gd.node, ops):
                nd.attr["_output_shapes"].CopyFrom(op_def_lib.attr_to_proto(
                    "list(shape)", [t.shape for t in op.outputs]))
        return gd

    # -- collections --
    def add_to_collection(self, name: str, value) -> None:
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        for name in ([names] if isinstance(names, str) else set(names)):
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: str | None = None) -> list:
        items = list(self._collections.get(name, []))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and pattern.match(i.name)]

    def get_all_collection_keys(self) -> list:
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id


def _describe(elem) -> str:
    kind = "Tensor" if isinstance(elem, Tensor) else "Operation"
    return f"{kind} {elem.name!r}"


def _check_same_graph(graph: Graph, elem, what: str) -> None:
    if elem.graph is not graph:
        raise ValueError(f"{_describe(elem)} passed to {what} must be from the same graph.")


class _DefaultGraphStack(threading.local):
    """Per-thread stack of default graphs over one process-wide global default."""

    global_default: Graph | None = None

    def __init__(self):
        self.stack: list[Graph] = []

    def push(self, graph: Graph) -> None:
        self.stack.append(graph)

    def pop(self, graph: Graph) -> None:
        if self.stack and self.stack[-1] is graph:
            self.stack.pop()
        elif graph in self.stack:
            self.stack.remove(graph)

    def get(self) -> Graph:
        if self.stack:
            return self.stack[-1]
        if _DefaultGraphStack.global_default is None:
            _DefaultGraphStack.global_default = Graph()
        return _DefaultGraphStack.global_default


_default_graph_stack = _DefaultGraphStack()


def get_default_graph() -> Graph:
    return _default_graph_stack.get()


def reset_default_graph() -> None:
    """Clears the global default graph (not allowed inside a `with g.as_default()` block)."""
    if _default_graph_stack.stack:
        raise AssertionError("Do not use reset_default_graph() inside a graph context.")
    _DefaultGraphStack.global_default = Graph()
    from plano.sessions import session

    session._reset_default_session_stack()


def name_scope(name, default_name=None, values=None):
    """tf.compat.v1.name_scope(name, default_name=None, values=None)."""
    graph = get_default_graph()
    if values:
        for v in values:
            if isinstance(v, (Tensor, Operation)):
                graph = v.graph
                break
    return graph.name_scope(name if name is not None else default_name)


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name):
    return get_default_graph().device(device_name)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def shape_error_text(op_name: str, op_type: str, inputs: list[Tensor], message: str) -> str:
    shapes = ", ".join(format_shape(t.shape) for t in inputs)
    return f"{message} for '{op_name}' (op: '{op_type}') with input shapes: {shapes}."

