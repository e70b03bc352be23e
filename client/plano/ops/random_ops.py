"""Random ops: each node draws from its own stream, seeded by (seed, seed2) as in TF.

With both seeds 0 a node is freshly random in every session; otherwise two
sessions running the same graph see the same sequence, and successive runs in
one session continue it. The helpers combine graph and op seeds with
`plano.framework.random_seed.get_seed`, as tf.compat.v1's do.
"""
from __future__ import annotations

from plano import dtypes
from plano.framework.gradient_registry import not_differentiable
from plano.framework.graph import Tensor, get_default_graph
from plano.framework.op_builder import ShapeError, convert_to_tensor
from plano.framework.op_def import register_op
from plano.framework.random_seed import get_seed
from plano.framework.tensor_shape import TensorShape, format_shape
from plano.ops import math_ops
from plano.ops.shape_util import require_rank, shape_from_tensor

_SEEDS = ["seed: int = 0", "seed2: int = 0"]
_FLOAT_OPS = ("RandomStandardNormal", "RandomUniform", "TruncatedNormal")


def _random_shape(op):
    require_rank(op.inputs[0].shape, 1, "shape")
    return shape_from_tensor(op.inputs[0])


def _random_int_shape(op):
    for arg, t in zip(("minval", "maxval"), op.inputs[1:]):
        if t.shape.rank not in (None, 0):
            raise ShapeError(f"{arg} must be a scalar; got a tensor of shape "
                             f"{format_shape(t.shape)}")
    return _random_shape(op)


for _name in _FLOAT_OPS:
    register_op(_name, inputs=["shape: T"], outputs=["output: dtype"],
                attrs=_SEEDS + ["dtype: {half, float, double}", "T: {int32, int64}"],
                shape_fn=_random_shape, stateful=True)
register_op("RandomUniformInt", inputs=["shape: T", "minval: Tout", "maxval: Tout"],
            outputs=["output: Tout"],
            attrs=_SEEDS + ["Tout: {int32, int64, uint32, uint64}", "T: {int32, int64}"],
            shape_fn=_random_int_shape, stateful=True)
not_differentiable(*_FLOAT_OPS, "RandomUniformInt")


def _shape_tensor(shape) -> Tensor:
    """A shape given as a list, TensorShape or int tensor, as a 1-D int tensor."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and not shape:
        return convert_to_tensor(shape, dtype=dtypes.int32, name="shape")
    return convert_to_tensor(shape, name="shape")


def _random_op(op_type: str, shape: Tensor, dtype, seed, extra=(), name=None) -> Tensor:
    seed1, seed2 = get_seed(seed)
    attrs = {"seed": seed1, "seed2": seed2}
    if op_type != "RandomUniformInt":
        attrs["dtype"] = dtypes.as_dtype(dtype)
    return get_default_graph().create_op(op_type, [shape, *extra], attrs,
                                         name=name or op_type).outputs[0]


def _scaled_normal(op_type: str, default_name: str, shape, mean, stddev, dtype, seed,
                   name) -> Tensor:
    """stddev * draw + mean, named as TF names random_normal and truncated_normal."""
    with get_default_graph().name_scope(name or default_name) as scope:
        shape = _shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _random_op(op_type, shape, dtype, seed)
        return math_ops.add(math_ops.multiply(rnd, stddev, name="mul"), mean, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None,
                  name=None) -> Tensor:
    """tf.compat.v1.random_normal: samples from N(mean, stddev**2)."""
    return _scaled_normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype,
                          seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None,
                     name=None) -> Tensor:
    """Normal samples, redrawn until within two standard deviations of the mean."""
    return _scaled_normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype,
                          seed, name)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None,
                   name=None) -> Tensor:
    """Uniform samples in [minval, maxval); an integer dtype uses RandomUniformInt."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32,
                     dtypes.int64, dtypes.uint32, dtypes.uint64):
        raise ValueError(f"Invalid dtype {dtype.name} for random_uniform")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
        maxval = 1
    minval_is_zero = isinstance(minval, int) and minval == 0
    maxval_is_one = isinstance(maxval, int) and maxval == 1
    with get_default_graph().name_scope(name or "random_uniform") as scope:
        shape = _shape_tensor(shape)
        if dtype.is_integer or not (minval_is_zero and maxval_is_one):
            minval = convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            return _random_op("RandomUniformInt", shape, dtype, seed, (minval, maxval),
                              name=scope)
        rnd = _random_op("RandomUniform", shape, dtype, seed)
        if minval_is_zero:
            return rnd if maxval_is_one else math_ops.multiply(rnd, maxval)
        span = math_ops.subtract(maxval, minval, name="sub")
        return math_ops.add(math_ops.multiply(rnd, span, name="mul"), minval, name=scope)


__all__ = ["random_normal", "random_uniform", "truncated_normal"]
