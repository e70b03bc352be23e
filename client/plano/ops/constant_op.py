"""Const: a value baked into the graph."""
from __future__ import annotations

import numpy as np

from plano import codec, dtypes
from plano.framework.graph import get_default_graph
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops.shape_util import constant_value_rule

register_op("Const", outputs=["output: dtype"], attrs=["value: tensor", "dtype: type"],
            shape_fn=lambda op: TensorShape(op.get_attr("value").shape))


@constant_value_rule("Const")
def _const_value(tensor):
    return tensor.op.get_attr("value")


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False, graph=None):
    """tf.constant: a Python value or ndarray, optionally cast and reshaped/broadcast."""
    if hasattr(value, "_as_graph_element") or hasattr(value, "_as_tensor"):
        raise TypeError(f"Expected a Python value or ndarray for constant(), got {value!r}")
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    arr = _to_array(value, dtype)
    if shape is not None:
        shape = list(TensorShape(shape).as_list())
        if verify_shape and list(arr.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
        if arr.size == 1:
            arr = np.full(shape, arr.reshape(-1)[0], dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"of shape {arr.shape} cannot be reshaped to {tuple(shape)}.")
    graph = graph or get_default_graph()
    return graph.create_op("Const", [], {"value": arr, "dtype": codec.dtype_of(arr)},
                           name=name).outputs[0]


def _to_array(value, dtype):
    # With a dtype given, convert at full precision (a Python float is not float32 first).
    arr = codec.to_numpy(value, None) if dtype is None else np.asarray(value)
    if dtype is None:
        return arr
    if dtype is dtypes.string:
        return codec.to_numpy(value, dtype)
    target = np.dtype(dtype.as_numpy_dtype)
    if arr.dtype.kind == "f" and arr.size and target.kind in "iub" and \
            not isinstance(value, np.ndarray):
        # As TF: Python floats never silently become integers (numpy arrays are cast).
        raise TypeError(f"Expected {dtype.name}, but got {value!r} of type "
                        f"'{type(value).__name__}'.")
    if arr.dtype.kind in "SUO":
        raise TypeError(f"Expected {dtype.name}, got a string value {value!r}")
    return arr.astype(target)
