"""numpy kernels, one module per op family (mirroring plano.ops)."""
from plano_server.kernels import (  # noqa: F401 - importing registers the kernels
    array, control, join, math, nn, random, slicing, state, training,
)
from plano_server.kernels.registry import KERNELS, kernel

__all__ = ["KERNELS", "kernel"]
