"""`plano.math`: the math helpers under the names tf.math gives them (tf.math.reduce_sum...).

The same functions are also at the top level (`plano.reduce_sum`), as in tf.compat.v1.
"""
from plano.ops.comparison_ops import (  # noqa: F401 - re-exported
    equal, greater, greater_equal, less, less_equal, logical_and, logical_not, logical_or,
    logical_xor, not_equal,
)
from plano.ops.math_ops import (  # noqa: F401 - re-exported
    add, add_n, divide, floordiv, floormod, maximum, minimum, mod, multiply, pow, scalar_mul,
    squared_difference, subtract, truediv,
)
from plano.ops.unary_ops import (  # noqa: F401 - re-exported
    abs, ceil, cos, erf, exp, floor, is_finite, log, log1p, negative, reciprocal, round, rsqrt,
    sigmoid, sign, sin, sqrt, square, tanh,
)
from plano.ops.reduction_ops import (  # noqa: F401 - re-exported
    argmax, argmin, count_nonzero, cumsum, reduce_all, reduce_any, reduce_logsumexp, reduce_max,
    reduce_mean, reduce_min, reduce_prod, reduce_sum,
)

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "count_nonzero", "cumsum",
    "divide", "equal", "erf", "exp", "floor", "floordiv", "floormod", "greater",
    "greater_equal", "is_finite", "less", "less_equal", "log", "log1p", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
    "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any",
    "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum",
    "round", "rsqrt", "scalar_mul", "sigmoid", "sign", "sin", "sqrt", "square",
    "squared_difference", "subtract", "tanh", "truediv",
]
