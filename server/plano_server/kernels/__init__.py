"""numpy kernels, one module per op family (mirroring plano.ops)."""
from plano_server.kernels import array, control, math, state  # noqa: F401 - registration
from plano_server.kernels import training  # noqa: F401 - registration
from plano_server.kernels.registry import KERNELS, kernel

__all__ = ["KERNELS", "kernel"]
from plano_server.kernels import nn, random  # noqa: F401,E402 - registration
