"""plano: build a graph here, run it in a session (in-process, or on a plano-server).

The API mirrors tf.compat.v1, so a TF1 program runs with ``import plano as tf``.
"""
from plano import dtypes, errors  # noqa: F401
from plano.dtypes import (  # noqa: F401
    DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16, int32, int64,
    resource, string, uint8, uint16, uint32, uint64,
)
from plano.framework.graph import (  # noqa: F401
    Graph, Operation, Tensor, add_to_collection, control_dependencies, device, get_collection,
    get_collection_ref, get_default_graph, name_scope, reset_default_graph,
)
from plano.framework.importer import import_graph_def  # noqa: F401
from plano.framework.op_builder import convert_to_tensor  # noqa: F401
from plano.framework.random_seed import get_seed, set_random_seed  # noqa: F401
from plano.framework.tensor_shape import TensorShape  # noqa: F401
from plano.ops import *  # noqa: F401,F403
from plano.sessions.session import InteractiveSession, Session, get_default_session  # noqa: F401
from plano.v1.config_pb2 import (  # noqa: F401
    CallableOptions, ConfigProto, GraphOptions, OptimizerOptions, RunMetadata, RunOptions,
)
from plano.v1.graph_pb2 import GraphDef  # noqa: F401
from plano.v1.node_def_pb2 import NodeDef  # noqa: F401
from plano import io  # noqa: F401,E402

__version__ = "0.1.0"
newaxis = None

from plano.gradients import UnconnectedGradients, gradients  # noqa: E402,F401
from plano import nn, random  # noqa: E402,F401
from plano import initializers, train  # noqa: E402,F401
from plano.initializers import (  # noqa: E402,F401
    constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,
    ones_initializer, random_normal_initializer, random_uniform_initializer,
    truncated_normal_initializer, variance_scaling_initializer, zeros_initializer,
)
from plano.ops.variable_scope import (  # noqa: E402,F401
    AUTO_REUSE, VariableScope, get_variable, get_variable_scope, variable_scope,
)
from plano import layers, losses  # noqa: E402,F401
from plano import math  # noqa: E402,F401 - the tf.math namespace
