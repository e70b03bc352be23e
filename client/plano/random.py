"""plano.random: the tf.random names for the random ops, and the graph-level seed."""
from plano.framework.random_seed import get_seed, set_random_seed
from plano.ops.random_ops import random_normal as normal
from plano.ops.random_ops import random_uniform as uniform
from plano.ops.random_ops import truncated_normal

set_seed = set_random_seed

__all__ = ["get_seed", "normal", "set_random_seed", "set_seed", "truncated_normal", "uniform"]
