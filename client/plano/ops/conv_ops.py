"""Convolution and pooling ops (Conv2D, MaxPool, AvgPool and the gradient ops TF emits for
them), declared as TensorFlow's nn_ops.cc declares them, with their gradients beside them.

The 2-D window arithmetic lives here once: the shape rules and the server's kernels
share it.
"""
from __future__ import annotations

from dataclasses import dataclass

from plano.framework.gradient_registry import register_gradient
from plano.framework.op_builder import ShapeError
from plano.framework.op_def import register_op
from plano.framework.tensor_shape import TensorShape
from plano.ops import array_ops
from plano.ops.nn_ops import _FLOAT, _FORMAT, _merge_shapes, _op
from plano.ops.shape_util import require_rank, shape_from_tensor

_PADDING = "padding: {'SAME', 'VALID'}"
_PADDING_EXPLICIT = "padding: {'SAME', 'VALID', 'EXPLICIT'}"
_EXPLICIT = "explicit_paddings: list(int) = []"
_CONV_ATTRS = ["strides: list(int)", "use_cudnn_on_gpu: bool = true", _PADDING_EXPLICIT,
               _EXPLICIT, _FORMAT, "dilations: list(int) = [1, 1, 1, 1]"]
_MAX_POOL_TYPES = ("T: {half, float, double, int32, int64, uint8, int16, int8, uint16} "
                   "= DT_FLOAT")


# ---------------------------------------------------------------- window geometry


class WindowError(ValueError):
    """Bad window attrs or sizes; shape rules and kernels each report it in their own way."""


@dataclass(frozen=True)
class Window:
    """A 2-D sliding window over (rows, cols): size, stride, dilation and padding."""

    size: tuple
    strides: tuple
    dilations: tuple
    padding: str  # SAME, VALID or EXPLICIT
    explicit: tuple  # ((top, bottom), (left, right)) when EXPLICIT
    nchw: bool

    def output_size(self, axis: int, in_size):
        """(output size, pad before, pad after) along spatial axis 0 (rows) or 1 (cols)."""
        if in_size is None or self.size[axis] is None:
            return None, 0, 0
        k = (self.size[axis] - 1) * self.dilations[axis] + 1
        s = self.strides[axis]
        if self.padding == "SAME":
            out = (in_size + s - 1) // s
            needed = max(0, (out - 1) * s + k - in_size)
            return out, needed // 2, needed - needed // 2
        before, after = self.explicit[axis] if self.padding == "EXPLICIT" else (0, 0)
        out = int((in_size + before + after - k + s) / s)  # C++ division truncates
        if out < 0:
            raise WindowError(f"Computed output size would be negative: {out} [input_size: "
                              f"{in_size}, effective_filter_size: {k}, stride: {s}]")
        return out, before, after


def window_from_attrs(attrs: dict, size=None) -> Window:
    """Validates a window op's attrs as TF's kernels do; `size` is (rows, cols) for Conv2D."""
    nchw = attrs["data_format"].startswith(b"NCHW")
    h, w, c = (2, 3, 1) if nchw else (1, 2, 3)
    strides = _four("strides", attrs["strides"], c, "strides")
    dilations = _four("dilations", attrs.get("dilations", [1, 1, 1, 1]), c, "dilations")
    if min(strides) < 1 or min(dilations) < 1:
        raise WindowError(f"Strides and dilations must be positive, got strides {strides} "
                          f"and dilations {dilations}")
    if "ksize" in attrs:
        ksize = _four("ksize", attrs["ksize"], c, "pooling windows")
        if min(ksize) < 1:
            raise WindowError(f"Sliding window ksize must be positive, got {ksize}")
        size = (ksize[h], ksize[w])
    padding = attrs["padding"].decode()
    pads = list(attrs.get("explicit_paddings", []))
    explicit = ()
    if padding == "EXPLICIT":
        if len(pads) != 8:
            raise WindowError(f"explicit_paddings attribute must contain 8 values, but got: "
                              f"{len(pads)}")
        if min(pads) < 0:
            raise WindowError(f"All elements of explicit_paddings must be nonnegative, got "
                              f"{pads}")
        if any(pads[2 * d] or pads[2 * d + 1] for d in (0, c)):
            raise WindowError("Nonzero explicit padding in the batch or depth dimensions is "
                              "not supported")
        explicit = ((pads[2 * h], pads[2 * h + 1]), (pads[2 * w], pads[2 * w + 1]))
    elif pads:
        raise WindowError("explicit_paddings attribute must be empty if the padding attribute "
                          "is not EXPLICIT")
    return Window(tuple(size), (strides[h], strides[w]), (dilations[h], dilations[w]),
                  padding, explicit, nchw)


def _four(name: str, values, channel: int, what: str) -> list:
    values = list(values)
    if len(values) != 4:
        raise WindowError(f"Sliding window {name} field must specify 4 dimensions")
    if values[0] != 1 or values[channel] != 1:
        raise WindowError(f"Current implementation does not yet support {what} in the batch "
                          f"and depth dimensions.")
    return values


def _window(op, size=None) -> Window:
    try:
        return window_from_attrs({name: op.get_attr(name) for name in op.op_def.attrs}, size)
    except WindowError as e:
        raise ShapeError(str(e)) from None


def _nhwc(shape: TensorShape, nchw: bool) -> list:
    dims = shape.dims if shape.rank is not None else [None] * 4
    return [dims[0], dims[2], dims[3], dims[1]] if nchw else dims


def _from_nhwc(dims: list, nchw: bool) -> TensorShape:
    n, h, w, c = dims
    return TensorShape([n, c, h, w] if nchw else [n, h, w, c])


def _window_output(op, win: Window, depth) -> TensorShape:
    """The output shape of a window op on input 0, with `depth` output channels."""
    x = op.inputs[0].shape
    require_rank(x, 4, "input")
    n, h, w, _ = _nhwc(x, win.nchw)
    try:
        oh = win.output_size(0, h)[0]
        ow = win.output_size(1, w)[0]
    except WindowError as e:
        raise ShapeError(str(e)) from None
    return _from_nhwc([n, oh, ow, depth], win.nchw)


def _conv2d_shape(op):
    f = op.inputs[1].shape
    require_rank(f, 4, "filter")
    fdims = f.dims or [None] * 4
    win = _window(op, size=(fdims[0], fdims[1]))
    c = _nhwc(op.inputs[0].shape, win.nchw)[3]
    if c is not None and fdims[2] is not None and c != fdims[2]:
        raise ShapeError(f"Depth of input ({c}) must equal the filter's input depth "
                         f"({fdims[2]}); grouped convolution is not supported")
    return _window_output(op, win, fdims[3])


def _pool_shape(op):
    win = _window(op)
    return _window_output(op, win, _nhwc(op.inputs[0].shape, win.nchw)[3])


def _shape_input_rule(index: int):
    """Backprop ops whose output shape is given by an int tensor input (input_sizes...)."""
    def rule(op):
        shape = shape_from_tensor(op.inputs[index])
        if shape.rank is None:
            return TensorShape([None] * 4)
        require_rank(shape, 4, op.op_def.inputs[index].name)
        return shape
    return rule


register_op("Conv2D", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=["T: {half, float, double, int32}"] + _CONV_ATTRS, shape_fn=_conv2d_shape)
register_op("Conv2DBackpropInput", inputs=["input_sizes: int32", "filter: T",
                                           "out_backprop: T"],
            outputs=["output: T"], attrs=["T: {half, float, double, int32}"] + _CONV_ATTRS,
            shape_fn=_shape_input_rule(0))
register_op("Conv2DBackpropFilter", inputs=["input: T", "filter_sizes: int32",
                                            "out_backprop: T"],
            outputs=["output: T"], attrs=[_FLOAT] + _CONV_ATTRS, shape_fn=_shape_input_rule(1))
register_op("MaxPool", inputs=["input: T"], outputs=["output: T"],
            attrs=[_MAX_POOL_TYPES, "ksize: list(int) >= 4", "strides: list(int) >= 4",
                   _PADDING_EXPLICIT, _EXPLICIT,
                   "data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'"],
            shape_fn=_pool_shape)
register_op("MaxPoolGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING_EXPLICIT,
                   _EXPLICIT, _FORMAT, "T: realnumbertype = DT_FLOAT"],
            shape_fn=lambda op: _merge_shapes(op.inputs[0].shape, TensorShape([None] * 4)))
register_op("MaxPoolGradGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   "T: realnumbertype"],
            shape_fn=lambda op: op.inputs[1].shape)
register_op("AvgPool", inputs=["value: T"], outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   _FLOAT], shape_fn=_pool_shape)
register_op("AvgPoolGrad", inputs=["orig_input_shape: int32", "grad: T"], outputs=["output: T"],
            attrs=["ksize: list(int) >= 4", "strides: list(int) >= 4", _PADDING, _FORMAT,
                   _FLOAT], shape_fn=_shape_input_rule(0))


def _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                dilations) -> dict:
    return {"strides": list(strides), "padding": padding, "use_cudnn_on_gpu": use_cudnn_on_gpu,
            "explicit_paddings": list(explicit_paddings), "data_format": data_format,
            "dilations": list(dilations)}


def conv2d(input, filter, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002 - TF's names
           explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2D", [input, filter], attrs, name).outputs[0]


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                          use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2DBackpropInput", [input_sizes, filter, out_backprop], attrs,
               name).outputs[0]


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    attrs = _conv_attrs(strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format,
                        dilations)
    return _op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop], attrs,
               name).outputs[0]


def max_pool(input, ksize, strides, padding, explicit_paddings=(),  # noqa: A002
             data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "explicit_paddings": list(explicit_paddings), "data_format": data_format}
    return _op("MaxPool", [input], attrs, name).outputs[0]


def max_pool_grad(orig_input, orig_output, grad, ksize, strides, padding,
                  explicit_paddings=(), data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "explicit_paddings": list(explicit_paddings), "data_format": data_format}
    return _op("MaxPoolGrad", [orig_input, orig_output, grad], attrs, name).outputs[0]


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "data_format": data_format}
    return _op("AvgPool", [value], attrs, name).outputs[0]


def avg_pool_grad(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC",
                  name=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding,
             "data_format": data_format}
    return _op("AvgPoolGrad", [orig_input_shape, grad], attrs, name).outputs[0]


def _conv_attrs_of(op) -> dict:
    return {k: op.get_attr(k) for k in ("strides", "padding", "use_cudnn_on_gpu",
                                        "explicit_paddings", "data_format", "dilations")}


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs
    attrs = _conv_attrs_of(op)
    return [conv2d_backprop_input(array_ops.shape(x), f, grad, **attrs),
            conv2d_backprop_filter(x, array_ops.shape(f), grad, **attrs)]


@register_gradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    attrs = _conv_attrs_of(op)
    return [None, conv2d_backprop_filter(grad, array_ops.shape(f), dy, **attrs),
            conv2d(grad, f, **attrs)]


@register_gradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    attrs = _conv_attrs_of(op)
    return [conv2d_backprop_input(array_ops.shape(x), grad, dy, **attrs), None,
            conv2d(x, grad, **attrs)]


def _pool_attrs_of(op, *extra: str) -> dict:
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "data_format") + extra}


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [max_pool_grad(op.inputs[0], op.outputs[0], grad,
                          **_pool_attrs_of(op, "explicit_paddings"))]


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, grad):
    orig_input, orig_output = op.inputs[0], op.inputs[1]
    attrs = _pool_attrs_of(op)
    return [array_ops.zeros_like(orig_input), array_ops.zeros_like(orig_output),
            _op("MaxPoolGradGrad", [orig_input, orig_output, grad], attrs,
                "MaxPoolGradGrad").outputs[0]]


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, grad):
    orig_input, orig_output = op.inputs[0], op.inputs[1]
    return [array_ops.zeros_like(orig_input), array_ops.zeros_like(orig_output),
            max_pool_grad(orig_input, orig_output, grad, **_pool_attrs_of(op))]


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [avg_pool_grad(array_ops.shape(op.inputs[0]), grad, **_pool_attrs_of(op))]


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    return [None, avg_pool(grad, **_pool_attrs_of(op))]
