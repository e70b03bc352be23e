"""plano.train: optimizers, the global step, and checkpoints (tf.compat.v1.train)."""
from plano.train.global_step import (  # noqa: F401
    create_global_step, get_global_step, get_or_create_global_step, global_step,
)
from plano.train.optimizer import Optimizer  # noqa: F401
from plano.train.optimizers import (  # noqa: F401
    AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer,
    RMSPropOptimizer,
)
from plano.train.saver import (  # noqa: F401
    CheckpointState, Saver, checkpoint_exists, get_checkpoint_state, latest_checkpoint,
    update_checkpoint_state,
)
