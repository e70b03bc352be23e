"""Kernels of state: Const, and variables (resource and TF1 ref ops) held by the session."""
import numpy as np

from plano_server.engine.variables import ResourceHandle
from plano_server.kernels.registry import kernel


@kernel("Const")
def _const(node):
    value = node.attrs["value"]
    value.setflags(write=False)  # shared by every run and session: never written
    return lambda: value


@kernel("VarHandleOp", "VariableV2")
def _var_handle(node):
    name = node.attrs["shared_name"].decode() or node.name
    handle = ResourceHandle(name, node.attrs["dtype"], node.attrs["shape"])
    return lambda: handle


@kernel("ReadVariableOp", needs_ctx=True)
def _read(node):
    return lambda ctx, handle: ctx.variables.read(handle, node.name)


@kernel("AssignVariableOp", "Assign", needs_ctx=True)
def _assign(node):
    returns_ref = node.op == "Assign"

    def run(ctx, handle, value):
        ctx.variables.assign(handle, value, node.name)
        return handle if returns_ref else None
    return run


def _updater(ufunc):
    def factory(node):
        returns_ref = node.op in ("AssignAdd", "AssignSub")

        def run(ctx, handle, delta):
            ctx.variables.update(handle, ufunc, delta, node.name)
            return handle if returns_ref else None
        return run
    return factory


kernel("AssignAddVariableOp", "AssignAdd", needs_ctx=True)(_updater(np.add))
kernel("AssignSubVariableOp", "AssignSub", needs_ctx=True)(_updater(np.subtract))


@kernel("VarIsInitializedOp", "IsVariableInitialized", needs_ctx=True)
def _is_initialized(node):
    return lambda ctx, handle: np.bool_(ctx.variables.is_initialized(handle))


@kernel("DestroyResourceOp", needs_ctx=True)
def _destroy(node):
    return lambda ctx, handle: ctx.variables.destroy(handle)
