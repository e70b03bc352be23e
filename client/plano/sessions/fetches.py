"""Fetch structures: flatten nested lists/tuples/namedtuples/dicts of graph elements to
unique tensor names and target ops, then rebuild the same structure from the results."""
from __future__ import annotations

import collections.abc

from plano.framework.graph import Graph, Operation, Tensor


class FetchPlan:
    """A flattened fetch structure: `tensor_names` to fetch, `target_names` to run."""

    def __init__(self, graph: Graph, fetches):
        self.tensor_names: list[str] = []
        self.target_names: list[str] = []
        self._index: dict[str, int] = {}
        self._structure = self._flatten(graph, fetches)
        self._flat = _flat_positions(self._structure)

    def _flatten(self, graph: Graph, fetch):
        if fetch is None:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be "
                            "a string or Tensor. (Can not convert a NoneType into a Tensor or "
                            "Operation.)")
        if isinstance(fetch, (list, tuple)) and not _is_namedtuple(fetch):
            return (type(fetch), [self._flatten(graph, f) for f in fetch])
        if _is_namedtuple(fetch):
            return ("namedtuple", type(fetch), [self._flatten(graph, f) for f in fetch])
        if isinstance(fetch, collections.abc.Mapping):
            return ("dict", type(fetch), [(k, self._flatten(graph, v)) for k, v in fetch.items()])
        try:
            elem = graph.as_graph_element(fetch)
        except TypeError as e:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be "
                            f"a string or Tensor. ({e})") from None
        except (KeyError, ValueError) as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({e.args[0] if e.args else e})") from None
        if isinstance(elem, Operation):
            if elem.name not in self.target_names:
                self.target_names.append(elem.name)
            return ("op",)
        assert isinstance(elem, Tensor)
        if elem.name not in self._index:
            self._index[elem.name] = len(self.tensor_names)
            self.tensor_names.append(elem.name)
        return ("tensor", self._index[elem.name])

    def build(self, values: list):
        if self._flat is not None:  # a flat list or tuple: no recursion
            kind, positions = self._flat
            return kind([None if i is None else values[i] for i in positions])
        return _build(self._structure, values)


def _flat_positions(structure) -> tuple | None:
    """(list or tuple, each element's value index or None for an op), for a flat structure."""
    kind = structure[0]
    if kind not in (list, tuple) or any(n[0] not in ("tensor", "op") for n in structure[1]):
        return None
    return kind, [n[1] if n[0] == "tensor" else None for n in structure[1]]


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _build(node, values):
    kind = node[0]
    if kind == "tensor":
        return values[node[1]]
    if kind == "op":
        return None
    if kind == "namedtuple":
        return node[1](*[_build(n, values) for n in node[2]])
    if kind == "dict":
        return node[1]((k, _build(n, values)) for k, n in node[2])
    return kind(_build(n, values) for n in node[1])
