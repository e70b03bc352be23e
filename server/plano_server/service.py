"""The gRPC SessionService: translates requests to SessionStore calls and results back.

It holds no graph logic. Its jobs: who is calling (the owner), wire tensors
to arrays and back (inline or through the chunk streams), a step's
cancellation when its caller goes away, and errors in the response body or
as a gRPC status, as the request asks.
"""
from __future__ import annotations

import functools
import logging

import grpc
import numpy as np

from plano import codec, errors, framing
from plano.sessions import streaming
from plano.v1 import session_service_pb2 as pb
from plano.v1 import session_service_pb2_grpc as pb_grpc
from plano_server import step_reader, wire_limits
from plano_server.kernels import limits
from plano_server.session_store import SessionStore

log = logging.getLogger("plano_server")

CLIENT_ID_KEY = "plano-client-id"
_MAX_DETAILS = 4000  # gRPC carries details in a header; longer ones may be cut by proxies
_STATUS = {s.value[0]: s for s in grpc.StatusCode}


def owner_of(context: grpc.ServicerContext, client_id: str = "") -> str:
    """The caller's identity: the peer's host (port dropped, it changes on reconnect) plus
    the client id it sends in metadata, or in the request itself (step calls: `client_id`)."""
    if not client_id:
        for key, value in context.invocation_metadata():
            if key == CLIENT_ID_KEY:
                client_id = value
                break
    peer = context.peer()
    host = peer.rsplit(":", 1)[0] if peer.startswith(("ipv4:", "ipv6:")) else peer
    return f"{host}/{client_id}"


def _as_op_error(e: Exception) -> errors.OpError:
    if isinstance(e, errors.OpError):
        return e
    if isinstance(e, MemoryError):
        return errors.ResourceExhaustedError(None, None, "The server ran out of memory")
    log.exception("internal error")
    return errors.InternalError(None, None, f"Internal server error: {type(e).__name__}: {e}")


def _abort(context: grpc.ServicerContext, error: errors.OpError) -> None:
    message = error.message
    if len(message) > _MAX_DETAILS:
        message = message[:_MAX_DETAILS] + " ... (truncated; set store_errors_in_response_body)"
    context.abort(_STATUS[int(error.code)], message)


def _unary(response_cls, sized: bool = False):
    """Wraps a handler: owner in, errors out (in the body or as gRPC status), bytes counted.
    A `sized` handler receives a step_reader.StepRead from custom_handlers' deserializer
    (which knows its wire size) and may return its reply already serialized; its reply
    leaves as bytes (custom_handlers' step methods have no response serializer)."""
    def wrap(method):
        @functools.wraps(method)
        def handler(self, request, context):
            try:
                owner = owner_of(context, request.call.client_id if sized else "")
                response = method(self, request, context, owner)
            except Exception as e:  # noqa: BLE001 - every failure becomes a status
                error = _as_op_error(e)
                if not getattr(request, "store_errors_in_response_body", False):
                    _abort(context, error)
                response = response_cls(status_code=int(error.code),
                                        status_error_message=error.message)
            if sized:
                if type(response) is not bytes:
                    response = response.SerializeToString()
                self.store.count_bytes(request.size, len(response))
            else:
                self.store.count_bytes(request.ByteSize(), response.ByteSize())
            return response
        return handler
    return wrap


class _RpcEnded:
    """A step's cancellation test: its RPC has ended (the client went away, or its deadline
    passed). The engine asks between kernels, at most every CANCEL_POLL_S of a step, so a
    short step never asks (a callback registered per call would cost every step)."""

    __slots__ = ("_context",)

    def __init__(self, context: grpc.ServicerContext):
        self._context = context

    def is_set(self) -> bool:
        return not self._context.is_active()


def _check_size(header: pb.TensorHeader, shape, dtype) -> None:
    wire_limits.check_declared(shape, header.dtype, f"Tensor '{header.name}'")
    if header.num_bytes > limits.MAX_TENSOR_BYTES:
        raise errors.ResourceExhaustedError(
            None, None, f"Tensor '{header.name}': {header.num_bytes} bytes, over this server's "
            f"limit of {limits.MAX_TENSOR_BYTES} bytes per tensor")


def custom_handlers(servicer: "SessionServicer") -> dict:
    """The methods whose bytes plano frames by hand, still valid protobuf on the wire:
    the two chunk streams (streaming.serialize_chunk / parse_chunk: one copy per byte on
    each side instead of protobuf's three), and the two step calls, whose inline results
    are framed (plano.framing) and whose request size is read off the received bytes
    (ByteSize() would serialize the request again)."""
    return {
        "UploadTensors": grpc.stream_unary_rpc_method_handler(
            servicer.UploadTensors, request_deserializer=streaming.parse_chunk,
            response_serializer=pb.UploadTensorsResponse.SerializeToString),
        "DownloadTensors": grpc.unary_stream_rpc_method_handler(
            servicer.DownloadTensors, request_deserializer=pb.DownloadTensorsRequest.FromString,
            response_serializer=streaming.serialize_chunk),
        "RunStep": grpc.unary_unary_rpc_method_handler(
            servicer.RunStep, request_deserializer=servicer.step_reader.parse),
        "RunCallable": grpc.unary_unary_rpc_method_handler(
            servicer.RunCallable, request_deserializer=servicer.callable_reader.parse),
    }


class SessionServicer(pb_grpc.SessionServiceServicer):
    def __init__(self, store: SessionStore, chunk_bytes: int = streaming.DEFAULT_CHUNK_BYTES,
                 inline_bytes: int = streaming.DEFAULT_INLINE_BYTES, version: str = ""):
        self.store = store
        self.chunk_bytes = chunk_bytes
        self.inline_bytes = inline_bytes
        self.version = version
        self.step_reader = step_reader.run_step_reader()
        self.callable_reader = step_reader.run_callable_reader()

    @_unary(pb.CreateSessionResponse)
    def CreateSession(self, request, context, owner):
        config = request.config
        handle, version = self.store.create(
            request.graph_def.node, owner, config.operation_timeout_in_ms,
            optimize=config.graph_options.optimizer_options.opt_level != -1)
        return pb.CreateSessionResponse(session_handle=handle, graph_version=version)

    @_unary(pb.ExtendSessionResponse)
    def ExtendSession(self, request, context, owner):
        version = self.store.extend(request.session_handle, owner, request.graph_def.node,
                                    request.current_graph_version)
        return pb.ExtendSessionResponse(new_graph_version=version)

    @_unary(pb.CloseSessionResponse)
    def CloseSession(self, request, context, owner):
        self.store.close(request.session_handle, owner)
        return pb.CloseSessionResponse()

    @_unary(pb.RunStepResponse, sized=True)
    def RunStep(self, read, context, owner):
        call = read.call
        feeds = dict(zip(call.feed_names, self.step_reader.feeds(read)))
        values = self.store.run(call.session_handle, owner, feeds, call.fetches, call.targets,
                                call.timeout_in_ms, _RpcEnded(context), call.upload_handle)
        return self._reply(pb.RunStepResponse, call.session_handle, owner, call.fetches, values)

    @_unary(pb.MakeCallableResponse)
    def MakeCallable(self, request, context, owner):
        o = request.options
        handle = self.store.make_callable(request.session_handle, owner, list(o.feed),
                                          list(o.fetch), list(o.target))
        return pb.MakeCallableResponse(handle=handle)

    @_unary(pb.RunCallableResponse, sized=True)
    def RunCallable(self, read, context, owner):
        call = read.call
        results = self.store.run_callable(
            call.session_handle, owner, call.callable_handle, self.callable_reader.feeds(read),
            call.timeout_in_ms, _RpcEnded(context), call.upload_handle)
        return self._reply(pb.RunCallableResponse, call.session_handle, owner,
                           [str(i) for i in range(len(results))], results)

    @_unary(pb.ReleaseCallableResponse)
    def ReleaseCallable(self, request, context, owner):
        self.store.release_callable(request.session_handle, owner, request.handle)
        return pb.ReleaseCallableResponse()

    @_unary(pb.ListSessionsResponse)
    def ListSessions(self, request, context, owner):
        return pb.ListSessionsResponse(
            session=[pb.SessionInfo(**info) for info in self.store.list_sessions(owner)])

    @_unary(pb.GetStatusResponse)
    def GetStatus(self, request, context, owner):
        return pb.GetStatusResponse(version=self.version, **self.store.stats())

    def _reply(self, response_cls, handle: str, owner: str, names, values):
        """A step's reply: small results inline, framed by hand (bytes); larger ones as a
        message of dtypes and shapes with the download handle the tensors wait behind."""
        named = response_cls is pb.RunStepResponse
        arrays = [np.asarray(v) for v in values]
        if sum([streaming.nbytes(a) for a in arrays]) <= self.inline_bytes:
            parts = []
            for name, arr in zip(names, arrays):
                parts += framing.named_tensor_field(framing.STEP_RESULT, name, arr) if named \
                    else framing.tensor_field(framing.CALLABLE_RESULT, arr)
            return b"".join(parts)
        response = response_cls(
            download_handle=self.store.put_download(handle, owner, list(zip(names, arrays))))
        for name, arr in zip(names, arrays):
            proto = response.tensor.add(name=name).tensor if named else response.fetch.add()
            proto.dtype = codec.dtype_of(arr).as_datatype_enum
            proto.tensor_shape.CopyFrom(codec.shape_proto(arr.shape))
        return response

    def UploadTensors(self, request_iterator, context):
        owner = owner_of(context)
        first = None
        received = 0
        try:
            first = next(request_iterator, None)
            if first is None:
                raise errors.InvalidArgumentError(None, None, "UploadTensors: empty stream")
            if isinstance(first, memoryview):  # data before the message naming the session
                first = None
                raise errors.InvalidArgumentError(
                    None, None, "UploadTensors: the first message must name the session")
            self.store.get(first.session_handle, owner)  # refuse before receiving any data
            assembler = streaming.Assembler(check=_check_size)
            assembler.add(first)
            for chunk in request_iterator:
                assembler.add(chunk)
            tensors = assembler.finish()
            received = assembler.num_bytes
            upload = self.store.put_upload(first.session_handle, owner, tensors)
            return pb.UploadTensorsResponse(upload_handle=upload, num_bytes=received)
        except Exception as e:  # noqa: BLE001 - every failure becomes a status
            error = _as_op_error(e)
            if first is None or not first.store_errors_in_response_body:
                _abort(context, error)
            return pb.UploadTensorsResponse(status_code=int(error.code),
                                            status_error_message=error.message)
        finally:
            self.store.count_bytes(received, 0)

    def DownloadTensors(self, request, context):
        owner = owner_of(context)
        sent = 0
        try:
            tensors = self.store.take_download(request.session_handle, owner,
                                               request.download_handle)
            for name, arr in tensors:
                for chunk in streaming.iter_chunks(name, arr, self.chunk_bytes):
                    sent += len(chunk) if isinstance(chunk, memoryview) else chunk.ByteSize()
                    yield chunk
        except Exception as e:  # noqa: BLE001 - every failure becomes a status
            error = _as_op_error(e)
            if not request.store_errors_in_response_body:
                _abort(context, error)
            yield pb.TensorChunk(status_code=int(error.code), status_error_message=error.message)
        finally:
            self.store.count_bytes(0, sent)
