"""numpy kernels, one module per op family (mirroring plano.ops)."""
from plano_server.kernels import array, control, math, state  # noqa: F401 - registration
from plano_server.kernels.registry import KERNELS, kernel

__all__ = ["KERNELS", "kernel"]
