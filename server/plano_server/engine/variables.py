"""A session's variables: named values, written atomically, never shared between sessions."""
from __future__ import annotations

import sys
import threading
from typing import NamedTuple

import numpy as np

from plano import errors
from plano.framework.tensor_shape import TensorShape, format_shape


class ResourceHandle(NamedTuple):
    """What a VarHandleOp (or VariableV2) yields: the variable's name, dtype and shape."""

    name: str
    dtype: object
    shape: TensorShape


class VariableStore:
    """Variable values of one session. Stored arrays are read-only, so reads need no copy."""

    def __init__(self):
        self._values: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def read(self, handle: ResourceHandle, node_name: str) -> np.ndarray:
        with self._lock:  # an in-place update (update_many) never runs under a reader
            return self._get(handle, node_name)

    def _get(self, handle: ResourceHandle, node_name: str) -> np.ndarray:
        value = self._values.get(handle.name)
        if value is None:
            raise errors.FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {handle.name} (variable "
                f"'{handle.name}' read by node '{node_name}'); run its initializer first")
        return value

    def _checked(self, handle: ResourceHandle, value, node_name: str) -> np.ndarray:
        value = np.asarray(value)
        want = np.dtype(handle.dtype.base_dtype.as_numpy_dtype)
        if value.dtype != want:
            raise errors.InvalidArgumentError(
                None, None, f"Trying to assign {value.dtype} to variable '{handle.name}' of "
                f"dtype {handle.dtype.base_dtype.name} (node '{node_name}')")
        if not TensorShape(value.shape).is_compatible_with(handle.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Trying to assign a value of shape {list(value.shape)} to variable "
                f"'{handle.name}' of shape {format_shape(handle.shape)} (node '{node_name}')")
        return _frozen(value, copy=True)

    def assign(self, handle: ResourceHandle, value, node_name: str) -> None:
        value = self._checked(handle, value, node_name)
        with self._lock:
            self._values[handle.name] = value

    def update(self, handle: ResourceHandle, ufunc, delta, node_name: str) -> None:
        """Read-modify-write under the lock: concurrent assign_adds never lose an update."""
        with self._lock:
            current = self._get(handle, node_name)
            new = ufunc(current, delta)
            if new.shape != current.shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot update variable '{handle.name}' of shape "
                    f"{list(current.shape)} with a value of shape {list(np.shape(delta))} "
                    f"(node '{node_name}')")
            self._values[handle.name] = self._checked(handle, new.astype(current.dtype,
                                                                          copy=False), node_name)

    def update_many(self, handles, fn, node_name: str) -> None:
        """Atomic read-modify-write of several variables (an optimizer's var and slots):
        `fn(current_values, out)` returns the new values, each keeping its variable's shape;
        `out[i]` is the current array made writable when nothing else holds it (so `fn` may
        update it in place, as TF does), else None."""
        with self._lock:
            current = [self._get(h, node_name) for h in handles]
            out = []
            for value in current:
                out.append(_unshared(value))
            try:
                new = fn(current, out)
            finally:
                for value in out:
                    if value is not None:
                        value.setflags(write=False)
            checked = []
            for h, old, value in zip(handles, current, new):
                if value is old:  # updated in place
                    checked.append(old)
                    continue
                if np.shape(value) != old.shape or np.result_type(value) != old.dtype:
                    raise errors.InvalidArgumentError(
                        None, None, f"Cannot update variable '{h.name}' of shape "
                        f"{list(old.shape)} and dtype {old.dtype} with a value of shape "
                        f"{list(np.shape(value))} and dtype {np.result_type(value)} "
                        f"(node '{node_name}')")
                checked.append(_frozen(value, copy=False))  # `fn` made it: no copy needed
            for h, value in zip(handles, checked):
                self._values[h.name] = value

    def is_initialized(self, handle: ResourceHandle) -> bool:
        return handle.name in self._values

    def destroy(self, handle: ResourceHandle) -> None:
        with self._lock:
            self._values.pop(handle.name, None)

    def snapshot(self) -> dict[str, np.ndarray]:
        with self._lock:
            return dict(self._values)

    def nbytes(self) -> int:
        return sum(v.nbytes for v in self._values.values())


def _frozen(value, copy: bool) -> np.ndarray:
    """A read-only array holding `value` (copied unless the caller owns a fresh array), so a
    stored value can be handed to readers without a copy."""
    out = np.array(value, copy=True) if copy or not isinstance(value, np.ndarray) or \
        value.base is not None else value
    out.setflags(write=False)
    return out


# References to a stored array while update_many looks at it: the store's dict, the
# `current` list, update_many's loop variable, _unshared's parameter and getrefcount's
# argument. (tests/engine/test_variable_updates.py fails if this count drifts.)
_REFS_WHEN_UNSHARED = 5


def _unshared(value: np.ndarray):
    """`value`, writable, if no reader, fetch or view holds it; else None (copy on write)."""
    if sys.getrefcount(value) > _REFS_WHEN_UNSHARED or value.base is not None:
        return None
    value.setflags(write=True)
    return value
