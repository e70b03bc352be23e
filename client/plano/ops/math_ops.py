"""Math ops: elementwise arithmetic, comparisons, reductions, matmul, casts."""
from __future__ import annotations

from plano.framework.graph import get_default_graph
from plano.framework.op_def import register_op
from plano.ops.shape_util import broadcast_rule

register_op("AddV2", inputs=["x: T", "y: T"], outputs=["z: T"], attrs=["T: numbertype"],
            shape_fn=broadcast_rule)


def _binary(op_type, x, y, name):
    return get_default_graph().create_op(op_type, [x, y], name=name or op_type).outputs[0]


def add(x, y, name=None):
    return _binary("AddV2", x, y, name)


__all__ = ['add']
