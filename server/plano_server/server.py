"""Building, starting and stopping a plano gRPC server: the session service, the standard
health service (grpc.health.v1) and server reflection, over one SessionStore."""
from __future__ import annotations

import dataclasses
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

import plano
from plano import allocator
from plano.sessions import streaming
from plano.v1 import session_service_pb2 as pb
from plano.v1 import session_service_pb2_grpc as pb_grpc
from plano_server.engine.plan_cache import PlanCache
from plano_server.kernels import intra_op, limits
from plano_server.service import SessionServicer, custom_handlers
from plano_server.session_store import SessionStore

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["SessionService"].full_name
_MAX_MESSAGE = 2**31 - 1  # protobuf's own limit; bigger tensors stream in chunks


@dataclasses.dataclass
class ServerOptions:
    """What an operator can tune; `plano-server --help` documents each one."""

    workers: int = 16
    max_sessions: int = 1024
    idle_timeout: float = 3600.0  # seconds; 0 = never reap
    plan_cache_size: int = 256
    chunk_bytes: int = streaming.DEFAULT_CHUNK_BYTES
    inline_bytes: int = streaming.DEFAULT_INLINE_BYTES
    max_tensor_bytes: int = limits.MAX_TENSOR_BYTES
    step_timeout_ms: int = 0  # 0 = no default deadline
    grace: float = 10.0  # seconds in-flight steps get at shutdown
    intra_op_threads: int = dataclasses.field(default_factory=intra_op.default_threads)


class RunningServer:
    """A started server. `stop()` refuses new work, lets the steps in flight finish and
    deliver their results (up to the grace period), then closes every session."""

    def __init__(self, server: grpc.Server, host: str, port: int, store: SessionStore,
                 health_servicer: health.HealthServicer, options: ServerOptions):
        self.server = server
        self.host = host
        self.port = port
        self.store = store
        self.options = options
        self._health = health_servicer
        self._stopped = False

    @property
    def target(self) -> str:
        return f"grpc://{self.host}:{self.port}"

    def stop(self, grace: float | None = None) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._health.enter_graceful_shutdown()
        deadline = time.monotonic() + (self.options.grace if grace is None else grace)
        self.store.begin_drain()
        while self.store.busy() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.server.stop(max(deadline - time.monotonic(), 0.0)).wait()
        self.store.stop_reaper()
        self.store.close_all("closed because the server shut down")

    def wait(self, timeout: float | None = None) -> bool:
        return self.server.wait_for_termination(timeout)


def start_server(host: str = "127.0.0.1", port: int = 0, **options) -> RunningServer:
    """Starts a plano-server in this process; `options` are ServerOptions fields."""
    opts = ServerOptions(**options)
    allocator.retain_transfer_buffers()
    limits.MAX_TENSOR_BYTES = opts.max_tensor_bytes
    intra_op.configure(opts.intra_op_threads)
    store = SessionStore(PlanCache(opts.plan_cache_size), max_sessions=opts.max_sessions,
                         idle_timeout=opts.idle_timeout, step_timeout_ms=opts.step_timeout_ms)
    max_message = min(_MAX_MESSAGE, opts.max_tensor_bytes + (64 << 20))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=opts.workers, thread_name_prefix="plano-rpc"),
        options=[("grpc.max_receive_message_length", max_message),
                 ("grpc.max_send_message_length", _MAX_MESSAGE),
                 ("grpc.so_reuseport", 0)])
    servicer = SessionServicer(store, opts.chunk_bytes, opts.inline_bytes, plano.__version__)
    # The hand-framed methods' own handlers go first: generic handlers are consulted in
    # order, and registered ones (what generated stubs call) are overridden by the later
    # registration.
    custom = custom_handlers(servicer)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SERVICE_NAME, custom),))
    pb_grpc.add_SessionServiceServicer_to_server(servicer, server)
    server.add_registered_method_handlers(SERVICE_NAME, custom)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME), server)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    bound = server.add_insecure_port(address)
    if not bound:
        raise OSError(f"plano-server could not listen on {address}")
    server.start()
    store.start_reaper()
    for service in ("", SERVICE_NAME):
        health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, host, bound, store, health_servicer, opts)
