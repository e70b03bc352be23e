"""plano.layers (tf.compat.v1.layers): functional layers over get_variable.

Each call opens a variable scope named `name`, or "dense", "dense_1", ...
when no name is given, creates its variables there ("dense/kernel",
"dense/bias") and builds its ops inside it. `reuse=True` (or an enclosing
reusing scope) shares the variables of an earlier call with the same name.
"""
from __future__ import annotations

import numpy as np

from plano import dtypes, nn
from plano.framework.graph import Tensor
from plano.framework.op_builder import convert_to_tensor
from plano.initializers import Zeros
from plano.ops import array_ops, join_ops, math_ops, matmul_ops
from plano.ops.variable_scope import get_variable, variable_scope


def dense(inputs, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
          bias_initializer=Zeros(), kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable: bool = True, name=None, reuse=None):
    """activation(inputs @ kernel + bias), over the last axis of `inputs`."""
    with variable_scope(name, default_name="dense", values=[inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        in_dim = inputs.shape[-1] if inputs.shape.rank else None
        if in_dim is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             f"Found `None` (inputs {inputs.name} have shape {inputs.shape}).")
        kernel = get_variable("kernel", [in_dim, units], dtype=inputs.dtype,
                              initializer=kernel_initializer, regularizer=kernel_regularizer,
                              trainable=trainable, constraint=kernel_constraint)
        if inputs.shape.rank == 2:
            outputs = matmul_ops.matmul(inputs, kernel)
        else:
            flat = matmul_ops.matmul(array_ops.reshape(inputs, [-1, in_dim]), kernel)
            out_shape = join_ops.concat([array_ops.shape(inputs)[:-1], [units]], axis=0)
            outputs = array_ops.reshape(flat, out_shape)
        if use_bias:
            bias = get_variable("bias", [units], dtype=inputs.dtype, initializer=bias_initializer,
                                regularizer=bias_regularizer, trainable=trainable,
                                constraint=bias_constraint)
            outputs = nn.bias_add(outputs, bias)
        return _finish(outputs, activation, activity_regularizer)


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None,
           use_bias: bool = True, kernel_initializer=None, bias_initializer=Zeros(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable: bool = True, name=None,
           reuse=None):
    """2-D convolution with a [kh, kw, in_channels, filters] kernel, plus bias."""
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(strides, "strides")
    dh, dw = _pair(dilation_rate, "dilation_rate")
    nchw = _is_channels_first(data_format)
    with variable_scope(name, default_name="conv2d", values=[inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.rank is not None and inputs.shape.rank != 4:
            raise ValueError(f"Input 0 of layer conv2d is incompatible with the layer: expected "
                             f"ndim=4, found ndim={inputs.shape.rank}. Full shape received: "
                             f"{inputs.shape}")
        channels = inputs.shape[1 if nchw else -1] if inputs.shape.rank else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        kernel = get_variable("kernel", [kh, kw, channels, filters], dtype=inputs.dtype,
                              initializer=kernel_initializer, regularizer=kernel_regularizer,
                              trainable=trainable, constraint=kernel_constraint)
        fmt = "NCHW" if nchw else "NHWC"
        four = (lambda a, b: [1, 1, a, b]) if nchw else (lambda a, b: [1, a, b, 1])
        outputs = nn.conv2d(inputs, kernel, strides=four(sh, sw), padding=_padding(padding),
                            data_format=fmt, dilations=four(dh, dw))
        if use_bias:
            bias = get_variable("bias", [filters], dtype=inputs.dtype,
                                initializer=bias_initializer, regularizer=bias_regularizer,
                                trainable=trainable, constraint=bias_constraint)
            outputs = nn.bias_add(outputs, bias, data_format=fmt)
        return _finish(outputs, activation, activity_regularizer)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Max over `pool_size` windows moved by `strides`."""
    return _pool(nn.max_pool, "max_pooling2d", inputs, pool_size, strides, padding,
                 data_format, name)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Mean over `pool_size` windows moved by `strides`."""
    return _pool(nn.avg_pool, "average_pooling2d", inputs, pool_size, strides, padding,
                 data_format, name)


def _pool(pool_fn, default_name, inputs, pool_size, strides, padding, data_format, name):
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = _pair(strides, "strides")
    nchw = _is_channels_first(data_format)
    four = (lambda a, b: [1, 1, a, b]) if nchw else (lambda a, b: [1, a, b, 1])
    with variable_scope(name, default_name=default_name, values=[inputs]):
        return pool_fn(inputs, ksize=four(ph, pw), strides=four(sh, sw),
                       padding=_padding(padding), data_format="NCHW" if nchw else "NHWC")


def flatten(inputs, name=None, data_format="channels_last"):
    """[batch, ...] -> [batch, product of the rest] (channels_first is flattened as NHWC)."""
    with variable_scope(name, default_name="flatten", values=[inputs]):
        inputs = convert_to_tensor(inputs)
        if _is_channels_first(data_format) and inputs.shape.rank and inputs.shape.rank > 2:
            inputs = array_ops.transpose(inputs, [0] + list(range(2, inputs.shape.rank)) + [1])
        rest = inputs.shape[1:] if inputs.shape.rank is not None else None
        if rest is not None and rest.is_fully_defined():
            return array_ops.reshape(inputs, [-1, int(np.prod(rest.as_list(), dtype=np.int64))])
        batch = array_ops.shape(inputs)[:1]
        return array_ops.reshape(inputs, join_ops.concat([batch, [-1]], axis=0))


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed=None, training=False, name=None):
    """Zeroes a `rate` fraction of inputs and scales the rest by 1/(1-rate), when training.

    `training` is a Python bool or a boolean tensor (e.g. a placeholder_with_default).
    """
    with variable_scope(name, default_name="dropout", values=[inputs]):
        inputs = convert_to_tensor(inputs)
        if isinstance(training, bool):
            if not training or rate == 0:
                return array_ops.identity(inputs)
            return nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)
        training = convert_to_tensor(training, dtype=dtypes.bool)
        dropped = nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)
        keep = math_ops.cast(training, inputs.dtype)
        return keep * dropped + (1.0 - keep) * inputs


def _finish(outputs: Tensor, activation, activity_regularizer) -> Tensor:
    if activation is not None:
        outputs = activation(outputs)
    if activity_regularizer is not None:
        from plano.ops.variables import GraphKeys

        loss = activity_regularizer(outputs)
        if loss is not None:
            outputs.graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return outputs


def _pair(value, what: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"The `{what}` argument must be a tuple of 2 integers. Received: "
                         f"{value}")
    return value


def _padding(padding: str) -> str:
    padding = padding.upper()
    if padding not in ("VALID", "SAME"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: "
                         f"{padding.lower()}")
    return padding


def _is_channels_first(data_format: str) -> bool:
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {data_format}")
    return data_format == "channels_first"
