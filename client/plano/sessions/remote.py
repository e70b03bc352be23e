"""The remote backend: a session on a plano-server, with the embedded backend's interface.

One channel and stub per server address is shared by every session of the
process. A small step is one unary RunStep with inline tensors; feeds over
the inline limit stream first (UploadTensors), and fetches the server finds
too large come back through DownloadTensors, each chunk copied straight into
a preallocated array. Errors travel in the response body (full message) and
are rebuilt as the same plano.errors classes as in embedded mode.

Identity: each client process sends a random 128-bit id in the
`plano-client-id` metadata of every call (step calls carry it in the request's
cached fixed fields instead: a header per step costs more than the step's own
Python); the server binds a session to that id plus the peer's host, so a handle
is useless to any other client.
"""
from __future__ import annotations

import secrets
import threading

import grpc

from plano import allocator, codec, errors, framing, wire_templates
from plano.sessions import streaming
from plano.v1 import config_pb2, graph_pb2
from plano.v1 import session_service_pb2 as pb
from plano.v1 import session_service_pb2_grpc as pb_grpc

CLIENT_ID = secrets.token_hex(16)
_METADATA = (("plano-client-id", CLIENT_ID),)
_MAX_MESSAGE = 2**31 - 1
_DEADLINE_SLACK_S = 10.0  # the server's own deadline error should arrive before gRPC's
_CLOSE_TIMEOUT_S = 10.0
_SERVICE = pb.DESCRIPTOR.services_by_name["SessionService"].full_name
_MAX_HEADS = 256  # cached request heads per session (distinct fetch/target signatures)


def parse_target(target: str) -> tuple[str, int]:
    """'grpc://host:port' or 'host:port' (IPv6 hosts in brackets) -> (host, port)."""
    address = target.removeprefix("grpc://").rstrip("/")
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or "://" in address:
        raise ValueError(f"Invalid plano-server target {target!r}: expected "
                         "'grpc://host:port' or 'host:port'")
    return host.strip("[]"), int(port)


def _run_options(timeout_ms: int) -> config_pb2.RunOptions | None:
    return config_pb2.RunOptions(timeout_in_ms=timeout_ms) if timeout_ms > 0 else None


class _Connection:
    """A channel and its stub, shared by all sessions talking to one address."""

    def __init__(self, address: str):
        allocator.retain_transfer_buffers()
        self.channel = grpc.insecure_channel(address, options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE),
            ("grpc.max_send_message_length", _MAX_MESSAGE)])
        self.stub = pb_grpc.SessionServiceStub(self.channel)
        # The chunk streams with hand-framed data chunks (see streaming.serialize_chunk).
        self.upload = self.channel.stream_unary(
            f"/{_SERVICE}/UploadTensors", request_serializer=streaming.serialize_chunk,
            response_deserializer=pb.UploadTensorsResponse.FromString, _registered_method=True)
        self.download = self.channel.unary_stream(
            f"/{_SERVICE}/DownloadTensors",
            request_serializer=pb.DownloadTensorsRequest.SerializeToString,
            response_deserializer=streaming.parse_chunk, _registered_method=True)
        # The step calls take request bytes framed by hand (see plano.framing) and return the
        # reply's bytes (read through a template where they repeat: RemoteBackend._reply).
        self.run_step = self.channel.unary_unary(
            f"/{_SERVICE}/RunStep", request_serializer=None, response_deserializer=None,
            _registered_method=True)
        self.run_callable = self.channel.unary_unary(
            f"/{_SERVICE}/RunCallable", request_serializer=None, response_deserializer=None,
            _registered_method=True)


_connections: dict[str, _Connection] = {}
_connections_lock = threading.Lock()


def _connection(address: str) -> _Connection:
    with _connections_lock:
        conn = _connections.get(address)
        if conn is None:
            conn = _connections[address] = _Connection(address)
        return conn


class RemoteBackend:
    """Runs a session on a plano-server; created lazily by the first `extend`."""

    def __init__(self, target: str, config=None, inline_bytes: int = streaming.DEFAULT_INLINE_BYTES,
                 chunk_bytes: int = streaming.DEFAULT_CHUNK_BYTES):
        self.target = target
        self.host, self.port = parse_target(target)
        address = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        self._connection = _connection(address)
        self._stub = self._connection.stub
        self._run_step = self._connection.run_step
        self._run_callable = self._connection.run_callable
        self._config = config or config_pb2.ConfigProto()
        self._op_timeout = self._config.operation_timeout_in_ms / 1000 or None
        self._inline_bytes = inline_bytes
        self._chunk_bytes = chunk_bytes
        self._handle: str | None = None
        self._feed_names: dict[int, list[str]] = {}
        self._heads: dict[tuple, bytes] = {}
        self._replies = wire_templates.TemplateCache(max_templates=_MAX_HEADS)

    @property
    def handle(self) -> str | None:
        """The server's session handle (None before the first run and after close)."""
        return self._handle

    # -- calls --
    def _call(self, method, request, timeout: float | None = None):
        response = self._send(method, request, timeout)
        if response.status_code:
            raise errors.error_from_code(response.status_code, response.status_error_message)
        return response

    def _send(self, method, request, timeout: float | None, metadata=_METADATA):
        try:
            return method(request, metadata=metadata, timeout=timeout)
        except grpc.RpcError as e:
            raise self._transport_error(e) from None

    def _step(self, method, request: bytes, timeout: float | None, head: bytes,
              response_cls, path: tuple, protos_of) -> list:
        """A step call: the fetched values, read through the template of an earlier reply
        to a request with the same `head` (its fixed fields: bytes hash once) when the
        bytes allow (plano.wire_templates)."""
        raw = self._send(method, request, timeout, metadata=None)  # the id is in the head
        found = self._replies.find(head, raw)
        if found is not None:
            return [view.copy() for view in found[0].tensors(raw)]
        response = response_cls.FromString(raw)
        if response.status_code:
            raise errors.error_from_code(response.status_code, response.status_error_message)
        protos = protos_of(response)
        values = self._results(protos, response.download_handle)
        if not response.download_handle and values:
            template = wire_templates.make_template(raw, path, list(zip(protos, values)))
            if template is not None:
                self._replies.add(head, template, None)
        return values

    def _transport_error(self, e: grpc.RpcError) -> errors.OpError:
        code, details = e.code(), e.details() or ""
        where = f"plano-server at {self.host}:{self.port}"
        if code == grpc.StatusCode.UNAVAILABLE:
            return errors.UnavailableError(None, None, f"Cannot reach {where}: {details}")
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return errors.DeadlineExceededError(
                None, None, f"No answer from {where} before the deadline: {details}")
        return errors.error_from_code(code.value[0], f"{where}: {details}")

    def _step_timeout(self, timeout_ms: int) -> float | None:
        return timeout_ms / 1000 + _DEADLINE_SLACK_S if timeout_ms > 0 else None

    # -- the graph --
    def extend(self, node_defs, version: int) -> int:
        graph_def = graph_pb2.GraphDef(node=node_defs)
        if self._handle is None:
            response = self._call(self._stub.CreateSession, pb.CreateSessionRequest(
                graph_def=graph_def, config=self._config, target=self.target,
                store_errors_in_response_body=True), self._op_timeout)
            self._handle = response.session_handle
            return response.graph_version
        response = self._call(self._stub.ExtendSession, pb.ExtendSessionRequest(
            session_handle=self._handle, graph_def=graph_def, current_graph_version=version,
            store_errors_in_response_body=True), self._op_timeout)
        return response.new_graph_version

    # -- running --
    def run(self, feeds: dict, fetches: list, targets: list, timeout_ms: int = 0) -> list:
        head = self._head(
            ("step", self._handle, tuple(fetches), tuple(targets), timeout_ms),
            lambda: pb.RunStepRequest(
                session_handle=self._handle, fetch=fetches, target=targets,
                store_errors_in_response_body=True, options=_run_options(timeout_ms),
                client_id=CLIENT_ID))
        parts = [head]
        if self._is_large(feeds.values()):
            upload = self._upload(list(feeds.items()))
            parts.append(pb.RunStepRequest(upload_handle=upload).SerializeToString())
        else:
            for name, value in feeds.items():
                parts += framing.named_tensor_field(framing.STEP_FEED, name, value)
        return self._step(self._run_step, b"".join(parts), self._step_timeout(timeout_ms), head,
                          pb.RunStepResponse, wire_templates.STEP_RESULTS,
                          lambda response: [t.tensor for t in response.tensor])

    def _head(self, key: tuple, request) -> bytes:
        """A step call's fixed fields, serialized once per fetch/target signature; the feeds
        are framed after them (protobuf concatenates fields in any order)."""
        head = self._heads.get(key)
        if head is None:
            if len(self._heads) >= _MAX_HEADS:
                self._heads.clear()
            head = self._heads[key] = request().SerializeToString()
        return head

    def make_callable(self, feed_names: list, fetches: list, targets: list) -> int:
        response = self._call(self._stub.MakeCallable, pb.MakeCallableRequest(
            session_handle=self._handle, options=config_pb2.CallableOptions(
                feed=feed_names, fetch=fetches, target=targets),
            store_errors_in_response_body=True), self._op_timeout)
        self._feed_names[response.handle] = list(feed_names)
        return response.handle

    def run_callable(self, handle: int, values: list, timeout_ms: int = 0) -> list:
        head = self._head(
            ("callable", self._handle, handle, timeout_ms),
            lambda: pb.RunCallableRequest(
                session_handle=self._handle, handle=handle, store_errors_in_response_body=True,
                options=_run_options(timeout_ms), client_id=CLIENT_ID))
        parts = [head]
        if self._is_large(values):
            upload = self._upload(list(zip(self._feed_names[handle], values)))
            parts.append(pb.RunCallableRequest(upload_handle=upload).SerializeToString())
        else:
            for value in values:
                parts += framing.tensor_field(framing.CALLABLE_FEED, value)
        return self._step(self._run_callable, b"".join(parts), self._step_timeout(timeout_ms),
                          head, pb.RunCallableResponse, wire_templates.CALLABLE_RESULTS,
                          lambda response: list(response.fetch))

    def release_callable(self, handle: int) -> None:
        if self._handle is None or self._feed_names.pop(handle, None) is None:
            return
        self._call(self._stub.ReleaseCallable, pb.ReleaseCallableRequest(
            session_handle=self._handle, handle=handle, store_errors_in_response_body=True),
            self._op_timeout)

    def close(self) -> None:
        """Closes the server session. Never raises: an unreachable server reaps it later."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            self._call(self._stub.CloseSession, pb.CloseSessionRequest(
                session_handle=handle, store_errors_in_response_body=True), _CLOSE_TIMEOUT_S)
        except errors.OpError:
            pass

    # -- large tensors --
    def _is_large(self, arrays) -> bool:
        return sum([streaming.nbytes(a) for a in arrays]) > self._inline_bytes

    def _upload(self, named: list) -> str:
        def chunks():
            yield pb.TensorChunk(session_handle=self._handle, store_errors_in_response_body=True)
            for name, value in named:
                yield from streaming.iter_chunks(name, value, self._chunk_bytes)
        return self._call(self._connection.upload, chunks()).upload_handle

    def _results(self, protos, download_handle: str) -> list:
        if not download_handle:
            return [codec.decode(p, "fetched tensor") for p in protos]
        stream = self._connection.download(pb.DownloadTensorsRequest(
            session_handle=self._handle, download_handle=download_handle,
            store_errors_in_response_body=True), metadata=_METADATA)
        assembler = streaming.Assembler()
        try:
            for chunk in stream:
                if not isinstance(chunk, memoryview) and chunk.status_code:
                    raise errors.error_from_code(chunk.status_code, chunk.status_error_message)
                assembler.add(chunk)
        except grpc.RpcError as e:
            raise self._transport_error(e) from None
        values = [value for _, value in assembler.finish()]
        if len(values) != len(protos):
            raise errors.InternalError(
                None, None, f"Download from {self.host}:{self.port} returned {len(values)} "
                f"tensors, the step fetched {len(protos)}")
        return values
