"""Array ops: placeholders, identity, shapes, reshaping, slicing, joining, gathering."""
from __future__ import annotations

from plano import dtypes
from plano.framework.graph import get_default_graph
from plano.framework.op_builder import convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops.shape_util import unchanged_rule

register_op("Placeholder", outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape = <unknown>"],
            shape_fn=lambda op: op.get_attr("shape"))
register_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape"], shape_fn=lambda op: op.get_attr("shape"))
register_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape_fn=unchanged_rule)


def placeholder(dtype, shape=None, name=None):
    """tf.compat.v1.placeholder: a tensor that must be fed."""
    return get_default_graph().create_op(
        "Placeholder", [], {"dtype": dtypes.as_dtype(dtype), "shape": TensorShape(shape)},
        name=name or "Placeholder").outputs[0]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """A placeholder that yields `input` when not fed."""
    value = convert_to_tensor(input)
    shape = TensorShape(shape)
    if not value.shape.is_compatible_with(shape):
        raise ValueError(f"Default value of placeholder_with_default has shape {value.shape}, "
                         f"incompatible with shape {shape}")
    return get_default_graph().create_op(
        "PlaceholderWithDefault", [value], {"dtype": value.dtype, "shape": shape},
        name=name or "PlaceholderWithDefault").outputs[0]


def identity(input, name=None):  # noqa: A002
    x = convert_to_tensor(input, allow_ref=True)
    return x.graph.create_op("Identity", [x], name=name or "Identity").outputs[0]


__all__ = ['placeholder', 'placeholder_with_default', 'identity']
