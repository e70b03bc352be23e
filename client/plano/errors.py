"""Errors as tf.errors names them; each carries its gRPC status code.

The same class is raised whether the session is embedded or remote: the
server sends the code and full message, and the client rebuilds the class
with `error_from_code`.
"""
from __future__ import annotations

import enum
import re


class Code(enum.IntEnum):
    """gRPC / TensorFlow error codes (error_codes.proto)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED = 0, 1, 2, 3, 4
NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED = 5, 6, 7, 8
FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL = 9, 10, 11, 12, 13
UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = 14, 15, 16


class OpError(Exception):
    """A failure while running a graph; `node_def` and `op` name where, when known."""

    code = Code.UNKNOWN

    def __init__(self, node_def, op, message: str, *args):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    @property
    def error_code(self) -> int:
        return int(self.code)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return type(self), (None, None, self.message)


def _error(name: str, code: Code, doc: str) -> type:
    def __init__(self, node_def=None, op=None, message="", *args):
        OpError.__init__(self, node_def, op, message)

    return type(name, (OpError,), {"code": code, "__doc__": doc, "__init__": __init__})


CancelledError = _error("CancelledError", Code.CANCELLED, "The step was cancelled.")
UnknownError = _error("UnknownError", Code.UNKNOWN, "An unknown error.")
InvalidArgumentError = _error("InvalidArgumentError", Code.INVALID_ARGUMENT,
                              "A graph, feed or argument is invalid.")
DeadlineExceededError = _error("DeadlineExceededError", Code.DEADLINE_EXCEEDED,
                               "The step ran past its deadline.")
NotFoundError = _error("NotFoundError", Code.NOT_FOUND, "A session, node or file is missing.")
AlreadyExistsError = _error("AlreadyExistsError", Code.ALREADY_EXISTS, "Something already exists.")
PermissionDeniedError = _error("PermissionDeniedError", Code.PERMISSION_DENIED,
                               "The caller may not do this.")
ResourceExhaustedError = _error("ResourceExhaustedError", Code.RESOURCE_EXHAUSTED,
                                "A size or count limit was reached.")
FailedPreconditionError = _error("FailedPreconditionError", Code.FAILED_PRECONDITION,
                                 "State is not ready for this, e.g. an uninitialized variable.")
AbortedError = _error("AbortedError", Code.ABORTED, "The operation was aborted.")
OutOfRangeError = _error("OutOfRangeError", Code.OUT_OF_RANGE, "A value is out of range.")
UnimplementedError = _error("UnimplementedError", Code.UNIMPLEMENTED, "Not implemented.")
InternalError = _error("InternalError", Code.INTERNAL, "An internal invariant broke.")
UnavailableError = _error("UnavailableError", Code.UNAVAILABLE, "The service cannot be reached.")
DataLossError = _error("DataLossError", Code.DATA_LOSS, "Data is truncated or corrupted.")
UnauthenticatedError = _error("UnauthenticatedError", Code.UNAUTHENTICATED,
                              "The caller is not authenticated.")

_BY_CODE = {cls.code: cls for cls in (
    CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
    AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError, FailedPreconditionError,
    AbortedError, OutOfRangeError, UnimplementedError, InternalError, UnavailableError,
    DataLossError, UnauthenticatedError)}


_NODE_TAG = re.compile(r" \[\[node '([^']+)' \(op: ([^)]+)\)\]\]$")


def with_node_tag(message: str, node_name: str, op_type: str) -> str:
    """Ends `message` with the failing node, as TF's `[[{{node x}}]]` (once)."""
    if _NODE_TAG.search(message):
        return message
    return f"{message} [[node '{node_name}' (op: {op_type})]]"


def locate(error: OpError, graph) -> OpError:
    """Sets `error.op` and `error.node_def` from the node tag when `graph` has that node,
    so a failure points at the Operation in the caller's graph (embedded or remote)."""
    match = _NODE_TAG.search(error.message)
    if match and error.op is None:
        try:
            error.op = graph.get_operation_by_name(match.group(1))
        except (KeyError, ValueError):
            return error
        error.node_def = error.op.node_def
    return error


def error_from_code(code: int, message: str, node_def=None, op=None) -> OpError:
    """Rebuilds the OpError subclass for a status code (as received from the server)."""
    return _BY_CODE.get(Code(code), UnknownError)(node_def, op, message)
