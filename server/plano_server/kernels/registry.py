"""The kernel table: op name -> factory(node) -> callable, the server half of an op.

A factory runs once per node at compile time and closes over the node's
attrs, so the run loop only calls. Pure kernels take the input arrays;
kernels declared with ``needs_ctx=True`` also get the RunContext first
(variables, random state, limits).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class KernelDef:
    factory: Callable
    needs_ctx: bool


KERNELS: dict[str, KernelDef] = {}


def kernel(*op_names: str, needs_ctx: bool = False):
    """Registers a kernel factory for one or more op names."""
    def deco(factory):
        for name in op_names:
            if name in KERNELS:
                raise ValueError(f"Kernel for {name!r} is already registered")
            KERNELS[name] = KernelDef(factory, needs_ctx)
        return factory
    return deco


def simple(*op_names: str):
    """Registers a plain function f(*inputs) as the kernel of ops that read no attrs."""
    def deco(fn):
        kernel(*op_names)(lambda node: fn)
        return fn
    return deco
