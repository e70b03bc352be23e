from plano.v1 import config_pb2 as _config_pb2
from plano.v1 import graph_pb2 as _graph_pb2
from plano.v1 import tensor_pb2 as _tensor_pb2
from plano.v1 import tensor_shape_pb2 as _tensor_shape_pb2
from plano.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Code(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OK: _ClassVar[Code]
    CANCELLED: _ClassVar[Code]
    UNKNOWN: _ClassVar[Code]
    INVALID_ARGUMENT: _ClassVar[Code]
    DEADLINE_EXCEEDED: _ClassVar[Code]
    NOT_FOUND: _ClassVar[Code]
    ALREADY_EXISTS: _ClassVar[Code]
    PERMISSION_DENIED: _ClassVar[Code]
    RESOURCE_EXHAUSTED: _ClassVar[Code]
    FAILED_PRECONDITION: _ClassVar[Code]
    ABORTED: _ClassVar[Code]
    OUT_OF_RANGE: _ClassVar[Code]
    UNIMPLEMENTED: _ClassVar[Code]
    INTERNAL: _ClassVar[Code]
    UNAVAILABLE: _ClassVar[Code]
    DATA_LOSS: _ClassVar[Code]
    UNAUTHENTICATED: _ClassVar[Code]
OK: Code
CANCELLED: Code
UNKNOWN: Code
INVALID_ARGUMENT: Code
DEADLINE_EXCEEDED: Code
NOT_FOUND: Code
ALREADY_EXISTS: Code
PERMISSION_DENIED: Code
RESOURCE_EXHAUSTED: Code
FAILED_PRECONDITION: Code
ABORTED: Code
OUT_OF_RANGE: Code
UNIMPLEMENTED: Code
INTERNAL: Code
UNAVAILABLE: Code
DATA_LOSS: Code
UNAUTHENTICATED: Code

class NamedTensorProto(_message.Message):
    __slots__ = ("name", "tensor")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TENSOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    tensor: _tensor_pb2.TensorProto
    def __init__(self, name: _Optional[str] = ..., tensor: _Optional[_Union[_tensor_pb2.TensorProto, _Mapping]] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("graph_def", "config", "target", "store_errors_in_response_body")
    GRAPH_DEF_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    graph_def: _graph_pb2.GraphDef
    config: _config_pb2.ConfigProto
    target: str
    store_errors_in_response_body: bool
    def __init__(self, graph_def: _Optional[_Union[_graph_pb2.GraphDef, _Mapping]] = ..., config: _Optional[_Union[_config_pb2.ConfigProto, _Mapping]] = ..., target: _Optional[str] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class CreateSessionResponse(_message.Message):
    __slots__ = ("session_handle", "graph_version", "status_code", "status_error_message")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    GRAPH_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    graph_version: int
    status_code: Code
    status_error_message: str
    def __init__(self, session_handle: _Optional[str] = ..., graph_version: _Optional[int] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class ExtendSessionRequest(_message.Message):
    __slots__ = ("session_handle", "graph_def", "current_graph_version", "store_errors_in_response_body")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    GRAPH_DEF_FIELD_NUMBER: _ClassVar[int]
    CURRENT_GRAPH_VERSION_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    graph_def: _graph_pb2.GraphDef
    current_graph_version: int
    store_errors_in_response_body: bool
    def __init__(self, session_handle: _Optional[str] = ..., graph_def: _Optional[_Union[_graph_pb2.GraphDef, _Mapping]] = ..., current_graph_version: _Optional[int] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class ExtendSessionResponse(_message.Message):
    __slots__ = ("new_graph_version", "status_code", "status_error_message")
    NEW_GRAPH_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    new_graph_version: int
    status_code: Code
    status_error_message: str
    def __init__(self, new_graph_version: _Optional[int] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class RunStepRequest(_message.Message):
    __slots__ = ("session_handle", "feed", "fetch", "target", "options", "store_errors_in_response_body", "request_id", "upload_handle", "client_id")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    FEED_FIELD_NUMBER: _ClassVar[int]
    FETCH_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    feed: _containers.RepeatedCompositeFieldContainer[NamedTensorProto]
    fetch: _containers.RepeatedScalarFieldContainer[str]
    target: _containers.RepeatedScalarFieldContainer[str]
    options: _config_pb2.RunOptions
    store_errors_in_response_body: bool
    request_id: int
    upload_handle: str
    client_id: str
    def __init__(self, session_handle: _Optional[str] = ..., feed: _Optional[_Iterable[_Union[NamedTensorProto, _Mapping]]] = ..., fetch: _Optional[_Iterable[str]] = ..., target: _Optional[_Iterable[str]] = ..., options: _Optional[_Union[_config_pb2.RunOptions, _Mapping]] = ..., store_errors_in_response_body: _Optional[bool] = ..., request_id: _Optional[int] = ..., upload_handle: _Optional[str] = ..., client_id: _Optional[str] = ...) -> None: ...

class RunStepResponse(_message.Message):
    __slots__ = ("tensor", "metadata", "status_code", "status_error_message", "download_handle")
    TENSOR_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    tensor: _containers.RepeatedCompositeFieldContainer[NamedTensorProto]
    metadata: _config_pb2.RunMetadata
    status_code: Code
    status_error_message: str
    download_handle: str
    def __init__(self, tensor: _Optional[_Iterable[_Union[NamedTensorProto, _Mapping]]] = ..., metadata: _Optional[_Union[_config_pb2.RunMetadata, _Mapping]] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ..., download_handle: _Optional[str] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ("session_handle", "store_errors_in_response_body")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    store_errors_in_response_body: bool
    def __init__(self, session_handle: _Optional[str] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class CloseSessionResponse(_message.Message):
    __slots__ = ("status_code", "status_error_message")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status_code: Code
    status_error_message: str
    def __init__(self, status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class MakeCallableRequest(_message.Message):
    __slots__ = ("session_handle", "options", "request_id", "store_errors_in_response_body")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    options: _config_pb2.CallableOptions
    request_id: int
    store_errors_in_response_body: bool
    def __init__(self, session_handle: _Optional[str] = ..., options: _Optional[_Union[_config_pb2.CallableOptions, _Mapping]] = ..., request_id: _Optional[int] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class MakeCallableResponse(_message.Message):
    __slots__ = ("handle", "status_code", "status_error_message")
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    handle: int
    status_code: Code
    status_error_message: str
    def __init__(self, handle: _Optional[int] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class RunCallableRequest(_message.Message):
    __slots__ = ("session_handle", "handle", "feed", "request_id", "store_errors_in_response_body", "upload_handle", "options", "client_id")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    FEED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    handle: int
    feed: _containers.RepeatedCompositeFieldContainer[_tensor_pb2.TensorProto]
    request_id: int
    store_errors_in_response_body: bool
    upload_handle: str
    options: _config_pb2.RunOptions
    client_id: str
    def __init__(self, session_handle: _Optional[str] = ..., handle: _Optional[int] = ..., feed: _Optional[_Iterable[_Union[_tensor_pb2.TensorProto, _Mapping]]] = ..., request_id: _Optional[int] = ..., store_errors_in_response_body: _Optional[bool] = ..., upload_handle: _Optional[str] = ..., options: _Optional[_Union[_config_pb2.RunOptions, _Mapping]] = ..., client_id: _Optional[str] = ...) -> None: ...

class RunCallableResponse(_message.Message):
    __slots__ = ("fetch", "metadata", "status_code", "status_error_message", "download_handle")
    FETCH_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    fetch: _containers.RepeatedCompositeFieldContainer[_tensor_pb2.TensorProto]
    metadata: _config_pb2.RunMetadata
    status_code: Code
    status_error_message: str
    download_handle: str
    def __init__(self, fetch: _Optional[_Iterable[_Union[_tensor_pb2.TensorProto, _Mapping]]] = ..., metadata: _Optional[_Union[_config_pb2.RunMetadata, _Mapping]] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ..., download_handle: _Optional[str] = ...) -> None: ...

class ReleaseCallableRequest(_message.Message):
    __slots__ = ("session_handle", "handle", "store_errors_in_response_body")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    handle: int
    store_errors_in_response_body: bool
    def __init__(self, session_handle: _Optional[str] = ..., handle: _Optional[int] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class ReleaseCallableResponse(_message.Message):
    __slots__ = ("status_code", "status_error_message")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status_code: Code
    status_error_message: str
    def __init__(self, status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class TensorHeader(_message.Message):
    __slots__ = ("name", "dtype", "tensor_shape", "num_bytes", "proto_encoded")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    TENSOR_SHAPE_FIELD_NUMBER: _ClassVar[int]
    NUM_BYTES_FIELD_NUMBER: _ClassVar[int]
    PROTO_ENCODED_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: _types_pb2.DataType
    tensor_shape: _tensor_shape_pb2.TensorShapeProto
    num_bytes: int
    proto_encoded: bool
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[_types_pb2.DataType, str]] = ..., tensor_shape: _Optional[_Union[_tensor_shape_pb2.TensorShapeProto, _Mapping]] = ..., num_bytes: _Optional[int] = ..., proto_encoded: _Optional[bool] = ...) -> None: ...

class TensorChunk(_message.Message):
    __slots__ = ("session_handle", "header", "data", "store_errors_in_response_body", "status_code", "status_error_message")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    header: TensorHeader
    data: bytes
    store_errors_in_response_body: bool
    status_code: Code
    status_error_message: str
    def __init__(self, session_handle: _Optional[str] = ..., header: _Optional[_Union[TensorHeader, _Mapping]] = ..., data: _Optional[bytes] = ..., store_errors_in_response_body: _Optional[bool] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class UploadTensorsResponse(_message.Message):
    __slots__ = ("upload_handle", "num_bytes", "status_code", "status_error_message")
    UPLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    NUM_BYTES_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    upload_handle: str
    num_bytes: int
    status_code: Code
    status_error_message: str
    def __init__(self, upload_handle: _Optional[str] = ..., num_bytes: _Optional[int] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class DownloadTensorsRequest(_message.Message):
    __slots__ = ("session_handle", "download_handle", "store_errors_in_response_body")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_HANDLE_FIELD_NUMBER: _ClassVar[int]
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    download_handle: str
    store_errors_in_response_body: bool
    def __init__(self, session_handle: _Optional[str] = ..., download_handle: _Optional[str] = ..., store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("store_errors_in_response_body",)
    STORE_ERRORS_IN_RESPONSE_BODY_FIELD_NUMBER: _ClassVar[int]
    store_errors_in_response_body: bool
    def __init__(self, store_errors_in_response_body: _Optional[bool] = ...) -> None: ...

class SessionInfo(_message.Message):
    __slots__ = ("session_handle", "graph_version", "num_nodes", "created_unix_seconds", "idle_seconds", "active_steps", "num_callables", "steps_run")
    SESSION_HANDLE_FIELD_NUMBER: _ClassVar[int]
    GRAPH_VERSION_FIELD_NUMBER: _ClassVar[int]
    NUM_NODES_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_SECONDS_FIELD_NUMBER: _ClassVar[int]
    IDLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_STEPS_FIELD_NUMBER: _ClassVar[int]
    NUM_CALLABLES_FIELD_NUMBER: _ClassVar[int]
    STEPS_RUN_FIELD_NUMBER: _ClassVar[int]
    session_handle: str
    graph_version: int
    num_nodes: int
    created_unix_seconds: float
    idle_seconds: float
    active_steps: int
    num_callables: int
    steps_run: int
    def __init__(self, session_handle: _Optional[str] = ..., graph_version: _Optional[int] = ..., num_nodes: _Optional[int] = ..., created_unix_seconds: _Optional[float] = ..., idle_seconds: _Optional[float] = ..., active_steps: _Optional[int] = ..., num_callables: _Optional[int] = ..., steps_run: _Optional[int] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("session", "status_code", "status_error_message")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    session: _containers.RepeatedCompositeFieldContainer[SessionInfo]
    status_code: Code
    status_error_message: str
    def __init__(self, session: _Optional[_Iterable[_Union[SessionInfo, _Mapping]]] = ..., status_code: _Optional[_Union[Code, str]] = ..., status_error_message: _Optional[str] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("version", "uptime_seconds", "sessions_open", "max_sessions", "plan_cache_hits", "plan_cache_misses", "plan_cache_size", "plan_cache_capacity", "bytes_in", "bytes_out", "steps_run", "active_steps", "sessions_reaped")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_OPEN_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    PLAN_CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    PLAN_CACHE_MISSES_FIELD_NUMBER: _ClassVar[int]
    PLAN_CACHE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PLAN_CACHE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    BYTES_IN_FIELD_NUMBER: _ClassVar[int]
    BYTES_OUT_FIELD_NUMBER: _ClassVar[int]
    STEPS_RUN_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_STEPS_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_REAPED_FIELD_NUMBER: _ClassVar[int]
    version: str
    uptime_seconds: float
    sessions_open: int
    max_sessions: int
    plan_cache_hits: int
    plan_cache_misses: int
    plan_cache_size: int
    plan_cache_capacity: int
    bytes_in: int
    bytes_out: int
    steps_run: int
    active_steps: int
    sessions_reaped: int
    def __init__(self, version: _Optional[str] = ..., uptime_seconds: _Optional[float] = ..., sessions_open: _Optional[int] = ..., max_sessions: _Optional[int] = ..., plan_cache_hits: _Optional[int] = ..., plan_cache_misses: _Optional[int] = ..., plan_cache_size: _Optional[int] = ..., plan_cache_capacity: _Optional[int] = ..., bytes_in: _Optional[int] = ..., bytes_out: _Optional[int] = ..., steps_run: _Optional[int] = ..., active_steps: _Optional[int] = ..., sessions_reaped: _Optional[int] = ...) -> None: ...
