"""What a step call (RunStep, RunCallable) asks for, read from its bytes.

A request that repeats an earlier one except inside its feeds' bytes is read through
that one's template (plano.wire_templates): its feeds become read-only views of the
received bytes, and nothing is parsed. Any other request is parsed by protobuf, its
feeds decoded and size-checked by plano.codec, and its template kept for the next one.
A template is only ever made from a request that decoded cleanly, and a request that
matches one decodes to the same dtypes and shapes, so every check the full path makes
holds for it too.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from plano import codec, wire_templates
from plano.v1 import session_service_pb2 as pb
from plano_server.kernels import limits

_KEY_BYTES = 40  # a template's key: the request's size and its first bytes (the session)


class StepCall(NamedTuple):
    """A step request's fields other than the feed values (shared by every request that
    matches the same template, hence immutable)."""

    session_handle: str
    feed_names: tuple[str, ...]  # RunStep's; a callable's feeds are positional
    fetches: tuple[str, ...]  # RunStep's
    targets: tuple[str, ...]  # RunStep's
    callable_handle: int  # RunCallable's
    timeout_in_ms: int
    upload_handle: str
    store_errors_in_response_body: bool
    client_id: str  # the caller's, when the request carries it (else in metadata)


class StepRead:
    """One received request: its StepCall, its size, and its feeds (decoded on demand, in
    the handler, where a bad feed's error can go in the response body)."""

    __slots__ = ("call", "size", "_raw", "_message", "_feeds")

    def __init__(self, call: StepCall, raw: bytes, message=None, feeds=None):
        self.call = call
        self.size = len(raw)
        self._raw = raw
        self._message = message
        self._feeds = feeds

    @property
    def store_errors_in_response_body(self) -> bool:
        return self.call.store_errors_in_response_body

    @property
    def templated(self) -> bool:
        """Read through a template (nothing parsed)."""
        return self._message is None


class StepReader:
    """Reads one kind of step request; `parse` is its gRPC request deserializer."""

    def __init__(self, message_cls, path: tuple[int, ...], call_of, feeds_of, name_of):
        self._message_cls = message_cls
        self._path = path
        self._call_of = call_of  # message -> StepCall
        self._feeds_of = feeds_of  # message -> its feeds' TensorProtos
        self._name_of = name_of  # (StepCall, index) -> how an error names the feed
        self._templates = wire_templates.TemplateCache()

    def parse(self, raw: bytes) -> StepRead:
        found = self._templates.find((len(raw), raw[:_KEY_BYTES]), raw)
        if found is not None:
            template, call = found
            return StepRead(call, raw, feeds=template.tensors(raw))
        message = self._message_cls.FromString(raw)
        return StepRead(self._call_of(message), raw, message=message)

    def feeds(self, read: StepRead) -> list[np.ndarray]:
        """The request's feed values, in message order (InvalidArgumentError or
        ResourceExhaustedError naming the feed that does not decode)."""
        if read._feeds is not None:
            return read._feeds
        protos = self._feeds_of(read._message)
        values = [codec.decode(proto, self._name_of(read.call, i), writable=False,
                               server_limit=limits.MAX_TENSOR_BYTES)
                  for i, proto in enumerate(protos)]
        self._remember(read, list(zip(protos, values)))
        return values

    def _remember(self, read: StepRead, tensors: list) -> None:
        if read.call.upload_handle or not tensors:
            return
        template = wire_templates.make_template(read._raw, self._path, tensors)
        if template is not None and template.first_hole >= _KEY_BYTES:
            self._templates.add((read.size, read._raw[:_KEY_BYTES]), template, read.call)


def _run_step_call(m: pb.RunStepRequest) -> StepCall:
    return StepCall(m.session_handle, tuple(nt.name for nt in m.feed), tuple(m.fetch),
                    tuple(m.target), 0, m.options.timeout_in_ms, m.upload_handle,
                    m.store_errors_in_response_body, m.client_id)


def _run_callable_call(m: pb.RunCallableRequest) -> StepCall:
    return StepCall(m.session_handle, (), (), (), m.handle, m.options.timeout_in_ms,
                    m.upload_handle, m.store_errors_in_response_body, m.client_id)


def run_step_reader() -> StepReader:
    return StepReader(pb.RunStepRequest, wire_templates.RUN_STEP_FEEDS, _run_step_call,
                      lambda m: [nt.tensor for nt in m.feed],
                      lambda call, i: f"Feed '{call.feed_names[i]}'")


def run_callable_reader() -> StepReader:
    return StepReader(pb.RunCallableRequest, wire_templates.RUN_CALLABLE_FEEDS,
                      _run_callable_call, lambda m: list(m.feed),
                      lambda call, i: f"Callable feed {i}")
