"""Op declarations and the Python helpers that build them, one module per op family.

Importing this package registers every op. Each module lists its public
helpers in `__all__`; they are re-exported here and at the top of `plano`.
"""
from plano.ops import constant_op, control_flow_ops, state_ops  # noqa: F401
from plano.ops.array_ops import *  # noqa: F401,F403
from plano.ops.constant_op import constant  # noqa: F401
from plano.ops.control_flow_ops import group, no_op, tuple_ as tuple  # noqa: F401,A001
from plano.ops.math_ops import *  # noqa: F401,F403
from plano.ops.unary_ops import *  # noqa: F401,F403
from plano.ops.comparison_ops import *  # noqa: F401,F403
from plano.ops.matmul_ops import *  # noqa: F401,F403
from plano.ops.reduction_ops import *  # noqa: F401,F403
from plano.ops.join_ops import *  # noqa: F401,F403
from plano.ops.slicing_ops import *  # noqa: F401,F403
from plano.ops.variables import *  # noqa: F401,F403
from plano.ops import training_ops  # noqa: F401,E402 - registers the Apply* ops
from plano.ops import conv_ops, nn_ops  # noqa: F401,E402 - NN ops (exposed as plano.nn)
from plano.ops.random_ops import *  # noqa: F401,F403,E402
