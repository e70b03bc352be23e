"""plano.losses (tf.compat.v1.losses): per-example losses, weighted and reduced to a scalar.

Each loss adds its result to the LOSSES collection (`get_total_loss` sums
them). Unlike TF1, losses are computed in the input's float dtype instead of
being cast to float32, so float64 models stay float64.
"""
from __future__ import annotations

import numbers

from plano import nn
from plano.framework.graph import get_collection, get_default_graph, name_scope
from plano.framework.op_builder import convert_to_tensor
from plano.ops import array_ops, comparison_ops, math_ops, reduction_ops, unary_ops
from plano.ops.variables import GraphKeys


class Reduction:
    """How a weighted loss tensor becomes the returned value."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    from plano.ops import constant_op

    return constant_op.constant(0.0, name=name)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the collected losses (and regularization losses)."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses found in the LOSSES collection")
    return math_ops.add_n(losses, name=name)


def _safe_mean(total, count):
    """total / count, or 0 where count is 0 (TF's div_no_nan)."""
    count = math_ops.cast(count, total.dtype)
    safe = comparison_ops.where(comparison_ops.greater(count, 0.0), count,
                                array_ops.ones_like(count))
    return comparison_ops.where(comparison_ops.greater(count, 0.0), total / safe,
                                array_ops.zeros_like(total), name="value")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`losses * weights`, reduced as `reduction` says; added to `loss_collection`."""
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        scalar_weight = isinstance(weights, numbers.Number)
        if scalar_weight and weights == 1.0:
            weighted = losses
        else:
            weights = convert_to_tensor(weights, dtype=losses.dtype)
            weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        elif reduction == Reduction.SUM:
            loss = reduction_ops.reduce_sum(weighted, name="value")
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE or (
                scalar_weight and weights != 0 and reduction == Reduction.SUM_BY_NONZERO_WEIGHTS):
            loss = reduction_ops.reduce_mean(weighted, name="value")
        elif reduction == Reduction.MEAN:
            denominator = reduction_ops.reduce_sum(array_ops.ones_like(losses) * weights)
            loss = _safe_mean(reduction_ops.reduce_sum(weighted), denominator)
        else:
            present = math_ops.cast(comparison_ops.not_equal(weights, 0.0), losses.dtype)
            count = reduction_ops.reduce_sum(array_ops.ones_like(losses) * present,
                                        name="num_present")
            loss = _safe_mean(reduction_ops.reduce_sum(weighted), count)
        add_loss(loss, loss_collection)
        return loss


def _check_compatible(a, b, what: str) -> None:
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"Shapes {a.shape} and {b.shape} are incompatible ({what})")


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted mean of (predictions - labels)^2."""
    if labels is None or predictions is None:
        raise ValueError("labels and predictions must not be None.")
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as sc:
        predictions = convert_to_tensor(predictions, name="predictions")
        labels = math_ops.cast(labels, predictions.dtype)
        _check_compatible(predictions, labels, "predictions and labels")
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted mean of |predictions - labels|."""
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as sc:
        predictions = convert_to_tensor(predictions, name="predictions")
        labels = math_ops.cast(labels, predictions.dtype)
        _check_compatible(predictions, labels, "predictions and labels")
        losses = unary_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against one-hot (or soft) labels, per example."""
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as sc:
        logits = convert_to_tensor(logits, name="logits")
        onehot_labels = math_ops.cast(onehot_labels, logits.dtype)
        _check_compatible(logits, onehot_labels, "logits and onehot_labels")
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(onehot_labels)[-1], logits.dtype)
            onehot_labels = onehot_labels * (1.0 - label_smoothing) + \
                label_smoothing / num_classes
        onehot_labels = array_ops.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = nn.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                         name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against integer class labels, per example."""
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [labels, logits, weights]) as sc:
        losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                             name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Elementwise logistic loss of sigmoid(logits) against labels in [0, 1]."""
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as sc:
        logits = convert_to_tensor(logits, name="logits")
        labels = math_ops.cast(multi_class_labels, logits.dtype)
        _check_compatible(logits, labels, "logits and multi_class_labels")
        if label_smoothing > 0:
            labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                      name="logistic_loss")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)
