"""plano.nn: tf.compat.v1.nn — activations, losses, convolution, pooling, dropout, moments.

The raw ops are declared in plano.ops.nn_ops; this module adds what TF's
Python layer adds on top: axis handling, v1 argument names and aliases, and
the composite formulas (sigmoid cross-entropy, dropout, moments, l2_normalize).
"""
from __future__ import annotations

import collections
import numbers

from plano import dtypes, errors
from plano.framework.graph import name_scope
from plano.framework.op_builder import convert_to_tensor
from plano.ops import (
    array_ops, comparison_ops, conv_ops, math_ops, nn_ops, random_ops, reduction_ops, unary_ops,
)
from plano.ops.unary_ops import sigmoid, tanh
from plano.ops.nn_ops import elu, l2_loss, relu, relu6, selu, softplus

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _either(new_name: str, new, old_name: str, old):
    """TF's deprecated_argument_lookup: a renamed argument may be given by either name."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'")
    return new if new is not None else old


# ---------------------------------------------------------------- activations

def leaky_relu(features, alpha=0.2, name=None):
    """max(features, alpha * features); integer features are computed as float32 (as TF)."""
    with name_scope(name, "LeakyRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        return nn_ops.leaky_relu(features, alpha=alpha, name=scope)


def _along_axis(raw_op, logits, axis, name):
    """Applies a last-axis op along `axis`, swapping that axis with the last (as TF)."""
    logits = convert_to_tensor(logits, name="logits")
    rank = logits.shape.rank
    if axis is None or axis == -1 or axis == (rank or 0) - 1:
        return raw_op(logits, name=name)
    if rank is None:
        raise ValueError(f"{raw_op.__name__} along axis {axis} needs logits of known rank")
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"`axis` must be in the range [-{rank}, {rank}) where {rank} is the "
            f"number of dimensions in the input. Received: axis={axis}")
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    out = raw_op(array_ops.transpose(logits, perm))
    return array_ops.transpose(out, perm, name=name)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / sum(exp(logits)) along `axis` (the last by default)."""
    return _along_axis(nn_ops.softmax, logits, _either("axis", axis, "dim", dim), name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """logits - log(sum(exp(logits))) along `axis` (the last by default)."""
    return _along_axis(nn_ops.log_softmax, logits, _either("axis", axis, "dim", dim), name)


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, the bias along the channel axis (last for NHWC, second for NC...)."""
    fmt = "NCHW" if data_format is not None and data_format.startswith("NC") else "NHWC"
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        return nn_ops.bias_add(value, bias, data_format=fmt, name=scope)


# ---------------------------------------------------------------- losses

def _check_xent_args(fn_name: str, sentinel, labels, logits) -> None:
    if sentinel is not None:
        raise ValueError(f"Only call `{fn_name}` with named arguments (labels=..., "
                         f"logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _flatten_to_2d(t, classes):
    return t if t.shape.rank == 2 else array_ops.reshape(t, [-1, classes])


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """Per-example cross-entropy between `labels` (a distribution) and softmax(logits)."""
    axis = _either("axis", axis, "dim", dim)
    axis = -1 if axis is None else axis
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        precise = math_ops.cast(logits, dtypes.float32) \
            if logits.dtype.base_dtype == dtypes.float16 else logits
        labels = math_ops.cast(labels, precise.dtype)
        rank = logits.shape.rank
        if rank is None:
            raise ValueError("softmax_cross_entropy_with_logits needs logits of known rank")
        if rank == 0:
            raise ValueError("Logits cannot be scalars - received shape ().")
        axis %= rank
        if axis != rank - 1:  # moved (not swapped) to the end: the loss keeps the other axes
            perm = [d for d in range(rank) if d != axis] + [axis]
            precise, labels = array_ops.transpose(precise, perm), array_ops.transpose(labels, perm)
        outer = precise.shape[:-1]
        classes = precise.shape[-1] if precise.shape[-1] is not None else \
            array_ops.shape(precise)[-1]
        if rank == 2:
            cost, _ = nn_ops.softmax_cross_entropy_with_logits(precise, labels, name=scope)
        else:
            cost, _ = nn_ops.softmax_cross_entropy_with_logits(
                _flatten_to_2d(precise, classes), _flatten_to_2d(labels, classes))
            cost = array_ops.reshape(cost, outer.as_list() if outer.is_fully_defined() else
                                     array_ops.shape(precise)[:-1], name=scope)
        return math_ops.cast(cost, dtypes.float16) \
            if logits.dtype.base_dtype == dtypes.float16 else cost


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """The v1 form: as the v2 op, but no gradient flows into `labels`."""
    _check_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = _either("axis", axis, "dim", None if dim == -1 else dim)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis,
                                                name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """Cross-entropy against integer class `labels`; an out-of-range label fails at run time."""
    _check_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        precise = math_ops.cast(logits, dtypes.float32) \
            if logits.dtype.base_dtype == dtypes.float16 else logits
        lrank, rank = labels.shape.rank, logits.shape.rank
        if rank == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
        if rank is not None and lrank is not None and lrank != rank - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {lrank}) should equal "
                             f"rank of logits minus 1 (received {rank}).")
        if labels.shape.is_fully_defined() and logits.shape.is_fully_defined() and \
                labels.shape != logits.shape[:-1]:
            raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) "
                             f"should equal the shape of logits except for the last dimension "
                             f"(received {logits.shape}).")
        if rank == 2:
            cost, _ = nn_ops.sparse_softmax_cross_entropy_with_logits(precise, labels, name=name)
        else:
            classes = logits.shape[-1] if rank is not None and logits.shape[-1] is not None \
                else array_ops.shape(logits)[-1]
            cost, _ = nn_ops.sparse_softmax_cross_entropy_with_logits(
                array_ops.reshape(precise, [-1, classes]), array_ops.reshape(labels, [-1]),
                name=name)
            cost = array_ops.reshape(cost, labels.shape.as_list()
                                     if labels.shape.is_fully_defined()
                                     else array_ops.shape(labels))
        return math_ops.cast(cost, dtypes.float16) \
            if logits.dtype.base_dtype == dtypes.float16 else cost


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)): logistic loss that never overflows (TF's form)."""
    _check_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape})")
        zeros = array_ops.zeros_like(logits, dtype=logits.dtype)
        cond = comparison_ops.greater_equal(logits, zeros)
        relu_logits = comparison_ops.where(cond, logits, zeros)
        neg_abs_logits = comparison_ops.where(cond, unary_ops.negative(logits), logits)
        return math_ops.add(math_ops.subtract(relu_logits, math_ops.multiply(logits, labels)),
                            unary_ops.log1p(unary_ops.exp(neg_abs_logits)), name=scope)


# ---------------------------------------------------------------- convolution, pooling

def _sequence(value, n: int, channel_index: int, name: str) -> list:
    """An int or a list of 1, n or n + 2 ints as the n + 2 per-dimension values (TF's rule)."""
    if value is None:
        value = [1]
    elif isinstance(value, numbers.Integral):
        value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2} but was {len(value)}")
    return [1, 1] + value if channel_index == 1 else [1] + value + [1]


def _padding(padding) -> tuple:
    """'SAME'/'VALID', or explicit [[before, after]] * 4 as ('EXPLICIT', flat list)."""
    if isinstance(padding, str):
        return padding, []
    pairs = [list(p) for p in padding]
    if len(pairs) != 4 or any(len(p) != 2 for p in pairs):
        raise ValueError(f"When padding is a list, it must hold 4 [before, after] pairs, one "
                         f"per dimension; got {padding!r}")
    return "EXPLICIT", [int(v) for p in pairs for v in p]


def _channel_index(data_format: str) -> int:
    return 1 if data_format.startswith("NC") else 3


def conv2d(input, filter=None, strides=None, padding=None,  # noqa: A002 - TF's names
           use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
           filters=None):
    """2-D convolution of a 4-D input with a [height, width, in, out] filter."""
    filter = _either("filters", filters, "filter", filter)  # noqa: A001
    padding, explicit = _padding(padding)
    channel = _channel_index(data_format)
    return conv_ops.conv2d(input, filter, _sequence(strides, 2, channel, "strides"), padding,
                         use_cudnn_on_gpu=use_cudnn_on_gpu, explicit_paddings=explicit,
                         data_format=data_format,
                         dilations=_sequence(dilations, 2, channel, "dilations"), name=name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The maximum of each window; padding may be SAME, VALID or explicit pairs."""
    if not isinstance(padding, str) and data_format == "NCHW_VECT_C":
        raise ValueError("Data formats NCHW_VECT_C is not yet supported with explicit padding")
    padding, explicit = _padding(padding)
    channel = _channel_index(data_format)
    return conv_ops.max_pool(input, _sequence(ksize, 2, channel, "ksize"),
                           _sequence(strides, 2, channel, "strides"), padding,
                           explicit_paddings=explicit, data_format=data_format, name=name)


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):  # noqa: A002
    """tf.compat.v1.nn.max_pool: `input` is an alias of `value`."""
    value = _either("input", input, "value", value)
    with name_scope(name, "MaxPool", [value]) as scope:
        return max_pool2d(value, ksize, strides, padding, data_format=data_format, name=scope)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The mean of each window, counting only real (unpadded) inputs (as TF)."""
    channel = _channel_index(data_format)
    return conv_ops.avg_pool(input, _sequence(ksize, 2, channel, "ksize"),
                           _sequence(strides, 2, channel, "strides"), padding,
                           data_format=data_format, name=name)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):  # noqa: A002
    """tf.compat.v1.nn.avg_pool: `input` is an alias of `value`."""
    value = _either("input", input, "value", value)
    with name_scope(name, "AvgPool", [value]) as scope:
        return avg_pool2d(value, ksize, strides, padding, data_format=data_format, name=scope)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """(values, indices) of the k largest entries of each last-axis row; ties: lower index."""
    values, indices = nn_ops.top_kv2(input, k, sorted=sorted, index_type=index_type, name=name)
    return TopKV2(values, indices)


# ---------------------------------------------------------------- composites

def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else array_ops.shape(x)
    if x.shape.rank is not None and isinstance(noise_shape, (list, tuple)) and \
            len(noise_shape) == x.shape.rank:
        return [x.shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes each element with probability `rate` (= 1 - keep_prob) and scales the rest up."""
    try:
        keep = 1.0 - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError(f"keep_prob must be a floating point number or Tensor (got "
                         f"{keep_prob!r})") from None
    rate = _either("rate", rate, "keep_prob", keep)
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    with name_scope(name, "dropout", [x]):
        is_number = isinstance(rate, numbers.Real)
        if is_number and not 0 <= rate < 1:
            raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), "
                             f"got {rate:g}")
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {x.dtype.name} tensor instead.")
        if is_number and rate == 0:
            return x
        if is_number:
            scaled = math_ops.multiply(x, convert_to_tensor(1 / (1 - rate), dtype=x.dtype))
        else:
            rate = math_ops.cast(convert_to_tensor(rate), x.dtype, name="rate")
            scaled = math_ops.realdiv(x, math_ops.subtract(
                convert_to_tensor(1, dtype=x.dtype), rate))
        noise = random_ops.random_uniform(_noise_shape(x, noise_shape), seed=seed,
                                          dtype=x.dtype)
        keep_mask = math_ops.cast(comparison_ops.greater_equal(noise, rate), x.dtype)
        return math_ops.multiply(scaled, keep_mask)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) over `axes`; half is computed in float32 and rounded back (as TF)."""
    keep = _either("keepdims", keepdims, "keep_dims", keep_dims)
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x)
        y = math_ops.cast(x, dtypes.float32) if x.dtype.base_dtype == dtypes.float16 else x
        mean = reduction_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduction_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes,
            keepdims=True, name="variance")
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if x.dtype.base_dtype == dtypes.float16:
            return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
        return mean, variance


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2), epsilon)) along `axis`."""
    axis = _either("axis", axis, "dim", dim)
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = reduction_ops.reduce_sum(unary_ops.square(x), axis, keepdims=True)
        inv_norm = unary_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, inv_norm, name=scope)


__all__ = ["avg_pool", "avg_pool2d", "bias_add", "conv2d", "dropout", "elu", "l2_loss",
           "l2_normalize", "leaky_relu", "log_softmax", "max_pool", "max_pool2d", "moments",
           "relu", "relu6", "selu", "sigmoid", "sigmoid_cross_entropy_with_logits", "softmax",
           "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "softplus", "sparse_softmax_cross_entropy_with_logits", "tanh", "top_k"]
