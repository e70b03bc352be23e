"""Runtime checks shared by the array kernels, with TF's wording."""
from __future__ import annotations

import numpy as np

from plano import errors


def invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def fmt_shape(shape) -> str:
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def int_vector(value, what: str) -> list[int]:
    value = np.asarray(value)
    if value.ndim != 1:
        raise invalid(f"{what} must be a vector, got shape {fmt_shape(value.shape)}")
    return [int(v) for v in value]


def int_scalar(value, what: str) -> int:
    value = np.asarray(value)
    if value.size != 1:
        raise invalid(f"{what} must be a scalar, got shape {fmt_shape(value.shape)}")
    return int(value.reshape(-1)[0])


def check_axis(axis: int, rank: int, what: str) -> int:
    if not -rank <= axis < rank:
        raise invalid(f"{what} = {axis} not in [{-rank}, {rank})")
    return axis % rank if rank else axis


def as_outputs(values: list):
    """Multi-output kernels return a tuple, except that a single output is returned bare."""
    return values[0] if len(values) == 1 else tuple(values)
