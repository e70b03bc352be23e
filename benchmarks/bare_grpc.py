"""The transport baseline: a bare grpcio server with raw-bytes methods (no protobuf, no
sessions), run in its own process: `python -m benchmarks.bare_grpc --port 0`.

- Echo (unary): returns the request bytes.
- Prepare (unary): allocates the array Download will send (outside the timing).
- Download (server streaming): the prepared bytes in chunks of the requested size.
- Upload (client streaming): chunks copied into one preallocated array, as plano does.
- MlpStep (unary): the hand-written numpy MLP step (models.NumpyMLP) on the batch in the
  request (x then y, float32), replying the loss: what a remote training step costs with
  no session service at all. The process runs BLAS on one thread, as plano-server's
  kernels do (see plano_server/launch.py).
"""
from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
from concurrent import futures

import grpc
import numpy as np

from benchmarks import models
from plano_server.launch import BLAS_ENV

_SERVICE = "bench.Bare"
_OPTIONS = [("grpc.max_receive_message_length", 256 << 20),
            ("grpc.max_send_message_length", 256 << 20)]
_LISTENING = "bare-grpc listening on port "


def _identity(data: bytes) -> bytes:
    return data


class _Handlers:
    def __init__(self):
        self.prepared = np.zeros(0, np.uint8)
        self.mlp = models.NumpyMLP(models.mlp_weights())

    def echo(self, request: bytes, context) -> bytes:
        return request

    def prepare(self, request: bytes, context) -> bytes:
        (nbytes,) = struct.unpack("<q", request)
        self.prepared = np.zeros(0, np.uint8)  # free the last one first
        self.prepared = np.ones(nbytes, np.uint8)
        return b""

    def download(self, request: bytes, context):
        (chunk,) = struct.unpack("<q", request)
        view = memoryview(self.prepared)
        for start in range(0, len(view), chunk):
            yield view[start:start + chunk].tobytes()

    def upload(self, chunks, context) -> bytes:
        header = next(chunks)
        (nbytes,) = struct.unpack("<q", header)
        out = np.empty(nbytes, np.uint8)
        filled = 0
        for data in chunks:
            out[filled:filled + len(data)] = np.frombuffer(data, np.uint8)
            filled += len(data)
        return struct.pack("<q", filled)

    def mlp_step(self, request: bytes, context) -> bytes:
        x, y = mlp_batch_from_bytes(request)
        return np.float32(self.mlp.step(x, y)).tobytes()


def mlp_batch_bytes(x: np.ndarray, y: np.ndarray) -> bytes:
    return x.tobytes() + y.tobytes()


def mlp_batch_from_bytes(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    flat = np.frombuffer(data, np.float32)
    split = models.MLP_BATCH * models.MLP_SIZES[0]
    return (flat[:split].reshape(models.MLP_BATCH, -1),
            flat[split:].reshape(models.MLP_BATCH, models.MLP_SIZES[-1]))


def serve(port: int) -> None:
    handlers = _Handlers()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=_OPTIONS)
    kw = {"request_deserializer": _identity, "response_serializer": _identity}
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(_SERVICE, {
        "Echo": grpc.unary_unary_rpc_method_handler(handlers.echo, **kw),
        "Prepare": grpc.unary_unary_rpc_method_handler(handlers.prepare, **kw),
        "Download": grpc.unary_stream_rpc_method_handler(handlers.download, **kw),
        "Upload": grpc.stream_unary_rpc_method_handler(handlers.upload, **kw),
        "MlpStep": grpc.unary_unary_rpc_method_handler(handlers.mlp_step, **kw),
    })])
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    print(f"{_LISTENING}{bound}", flush=True)
    server.wait_for_termination()


class BareServer:
    """The baseline server in a child process, and a client for it."""

    def __init__(self):
        env = {**os.environ, **{name: "1" for name in BLAS_ENV}}
        self.process = subprocess.Popen([sys.executable, "-m", "benchmarks.bare_grpc"],
                                        stdout=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        if not line.startswith(_LISTENING):
            self.process.kill()
            raise RuntimeError(f"bare gRPC server did not start: {line!r}")
        self.port = int(line[len(_LISTENING):])
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_OPTIONS)
        kw = {"request_serializer": _identity, "response_deserializer": _identity}
        self._echo = self.channel.unary_unary(f"/{_SERVICE}/Echo", **kw)
        self._prepare = self.channel.unary_unary(f"/{_SERVICE}/Prepare", **kw)
        self._download = self.channel.unary_stream(f"/{_SERVICE}/Download", **kw)
        self._upload = self.channel.stream_unary(f"/{_SERVICE}/Upload", **kw)
        self._mlp_step = self.channel.unary_unary(f"/{_SERVICE}/MlpStep", **kw)
        self._echo(b"", wait_for_ready=True, timeout=30)

    def echo(self, data: bytes) -> bytes:
        return self._echo(data)

    def mlp_step(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.frombuffer(self._mlp_step(mlp_batch_bytes(x, y)), np.float32)[0])

    def prepare(self, nbytes: int) -> None:
        self._prepare(struct.pack("<q", nbytes))

    def download(self, nbytes: int, chunk: int) -> np.ndarray:
        """Receives the prepared bytes into one preallocated array (one copy per chunk)."""
        out = np.empty(nbytes, np.uint8)
        filled = 0
        for data in self._download(struct.pack("<q", chunk)):
            out[filled:filled + len(data)] = np.frombuffer(data, np.uint8)
            filled += len(data)
        assert filled == nbytes
        return out

    def upload(self, array: np.ndarray, chunk: int) -> None:
        view = memoryview(array.reshape(-1).view(np.uint8))

        def chunks():
            yield struct.pack("<q", len(view))
            for start in range(0, len(view), chunk):
                yield view[start:start + chunk].tobytes()
        (filled,) = struct.unpack("<q", self._upload(chunks()))
        assert filled == len(view)

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    serve(parser.parse_args().port)
