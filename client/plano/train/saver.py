"""tf.compat.v1.train.Saver: variables from a session to a file on the client's disk and back.

`save` fetches the variables' values through the session (embedded or
remote) and writes one checkpoint file (format: checkpoint_format.py,
docs/checkpoint-format.md) atomically, plus TF's `checkpoint` state file
listing the kept checkpoints. `restore` feeds the values back through
assign ops built once with the Saver, so it works on any session running
this graph, including one on a freshly restarted server.

Differences from TF: a checkpoint is one file at the returned path (TF
writes `.index` and `.data-*` files next to it) and no `.meta` graph is
written; `latest_checkpoint` and the `checkpoint` state file work as TF's.
"""
from __future__ import annotations

import json
import os
from typing import NamedTuple

import numpy as np

from plano import errors
from plano.framework.graph import get_default_graph
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import array_ops, control_flow_ops
from plano.ops.variables import Variable, global_variables
from plano.train import checkpoint_format
from plano.utils.atomic_file import write_atomically

STATE_FILENAME = "checkpoint"


class Saver:
    """Saves and restores `var_list` (default: all global variables), keeping `max_to_keep`."""

    def __init__(self, var_list=None, max_to_keep: int | None = 5, name: str | None = None,
                 allow_empty: bool = False, filename: str | None = None):
        self._vars = _named_variables(global_variables() if var_list is None else var_list)
        if not self._vars and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._filename = filename
        self._last_checkpoints: list[str] = []
        graph = next(iter(self._vars.values())).graph if self._vars else get_default_graph()
        with graph.name_scope(name or "save"):
            self._reads = {n: v._as_graph_element() for n, v in self._vars.items()}
            self._feeds = {}
            assigns = []
            for n, v in self._vars.items():
                ph = array_ops.placeholder(v.dtype, v.shape, name="restore_value")
                self._feeds[n] = ph
                assigns.append(v.assign(ph, read_value=False))
            self._restore_op = control_flow_ops.group(*assigns, name="restore_all")

    @property
    def last_checkpoints(self) -> list[str]:
        return list(self._last_checkpoints)

    def save(self, sess, save_path: str | None = None, global_step=None,
             latest_filename: str | None = None, write_state: bool = True) -> str:
        """Writes the checkpoint; returns its path (`save_path-<step>` with a global_step)."""
        save_path = save_path or self._filename
        if not save_path:
            raise ValueError("save_path must be given")
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            save_path = f"{save_path}-{int(global_step)}"
        folder = os.path.dirname(os.path.abspath(save_path))
        if not os.path.isdir(folder):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        values = sess.run(self._reads) if self._reads else {}
        metadata = {"global_step": None if global_step is None else int(global_step)}
        checkpoint_format.write(save_path, values, metadata)
        if save_path in self._last_checkpoints:
            self._last_checkpoints.remove(save_path)
        self._last_checkpoints.append(save_path)
        if self._max_to_keep:
            while len(self._last_checkpoints) > self._max_to_keep:
                old = self._last_checkpoints.pop(0)
                if os.path.exists(old):
                    os.remove(old)
        if write_state:
            update_checkpoint_state(folder, save_path, self._last_checkpoints, latest_filename)
        return save_path

    def restore(self, sess, save_path: str | None) -> None:
        """Loads every saved variable from `save_path` into `sess`."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        tensors, _ = checkpoint_format.read(save_path)
        feed = {}
        for name, var in self._vars.items():
            if name not in tensors:
                raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint "
                                           f"{save_path}")
            value = tensors[name]
            if value.dtype != np.dtype(var.dtype.as_numpy_dtype) or \
                    not var.shape.is_compatible_with(TensorShape(value.shape)):
                raise errors.InvalidArgumentError(
                    None, None, f"Checkpoint {save_path} holds variable '{name}' with shape "
                    f"{list(value.shape)} and dtype {value.dtype}, but the graph's variable "
                    f"'{name}' has shape {format_shape(var.shape)} and dtype {var.dtype.name}")
            feed[self._feeds[name]] = value
        if feed:
            sess.run(self._restore_op, feed)


def _named_variables(var_list) -> dict[str, Variable]:
    items = var_list.items() if isinstance(var_list, dict) else \
        [(v.op.name if isinstance(v, Variable) else None, v) for v in var_list]
    out: dict[str, Variable] = {}
    for name, var in items:
        if not isinstance(var, Variable):
            raise TypeError(f"Saver var_list must hold Variables, got {var!r}")
        if name in out:
            raise ValueError(f"At least two variables have the same name: {name}")
        out[name] = var
    return out


class CheckpointState(NamedTuple):
    model_checkpoint_path: str
    all_model_checkpoint_paths: list


def update_checkpoint_state(folder: str, latest: str, all_paths: list,
                            latest_filename: str | None = None) -> None:
    """Writes TF's text-format `checkpoint` file (paths relative to `folder` when inside it)."""
    def rel(p):
        p = os.path.abspath(p)
        return os.path.relpath(p, folder) if os.path.dirname(p) == folder else p

    lines = [f"model_checkpoint_path: {json.dumps(rel(latest))}"]
    lines += [f"all_model_checkpoint_paths: {json.dumps(rel(p))}" for p in all_paths]
    write_atomically(os.path.join(folder, latest_filename or STATE_FILENAME),
                     ("\n".join(lines) + "\n").encode())


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None):
    """The parsed `checkpoint` file of `checkpoint_dir`, or None if there is none."""
    path = os.path.join(checkpoint_dir, latest_filename or STATE_FILENAME)
    if not os.path.exists(path):
        return None
    latest, all_paths = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.partition(":")
            if not sep:
                continue
            try:
                value = json.loads(value.strip())
            except ValueError:
                raise errors.DataLossError(None, None, f"Checkpoint state file {path} has an "
                                           f"unreadable line: {line.strip()!r}") from None
            value = value if os.path.isabs(value) else os.path.join(checkpoint_dir, value)
            if key.strip() == "model_checkpoint_path":
                latest = value
            elif key.strip() == "all_model_checkpoint_paths":
                all_paths.append(value)
    return CheckpointState(latest, all_paths) if latest else None


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None):
    """The path of the newest checkpoint in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not os.path.exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    return os.path.isfile(checkpoint_prefix)
