"""Step messages that repeat an earlier one except inside their tensors' bytes, read
without parsing them again.

A training loop sends the same step request over and over: the same session,
fetches and feed names, dtypes and shapes; only the feeds' `tensor_content` bytes
change, and the reply changes the same way. Parsed through the protobuf API, each
such message costs a parse and a dozen accessor calls on both sides (on this kind of
machine, 30-40 us a step each side, most of a tiny step's overhead over the bare
transport). A Template is what one full parse learned: the message's bytes outside
the tensors' contents, and where each content lies. A later message of the same
length whose bytes outside those holes are identical parses, by construction, as the
template's message with new contents, so its tensors are read straight from the holes.

Soundness rests on the holes being exactly the payloads of `tensor_content` fields
that protobuf takes as the tensors' values. `content_holes` locates them by walking
the wire format's tags and lengths (nothing is decoded by hand) and refuses any layout
where protobuf would merge or override: a tensor that appears twice, a content field
that appears twice, a group, a malformed tag. The caller then checks the holes against
the contents protobuf parsed. Anything unusual simply gets no template and takes the
full parse every time.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

# Field numbers from a message's top level down to its TensorProtos.
RUN_STEP_FEEDS = (2, 2)  # RunStepRequest.feed -> NamedTensorProto.tensor
RUN_CALLABLE_FEEDS = (3,)  # RunCallableRequest.feed
STEP_RESULTS = (1, 2)  # RunStepResponse.tensor -> NamedTensorProto.tensor
CALLABLE_RESULTS = (1,)  # RunCallableResponse.fetch
_CONTENT = 4  # TensorProto.tensor_content
_LEN = 2  # the length-delimited wire type
_MAX_FIXED_BYTES = 4096  # a template keeps its fixed bytes; messages with more get none
_LITTLE_ENDIAN = sys.byteorder == "little"


class _NotSimple(Exception):
    """The message's layout is one a template cannot stand for."""


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise _NotSimple
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes, start: int, end: int):
    """(field number, wire type, value start, value end) of each field in buf[start:end]."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _NotSimple
        if wire == 0:
            _, after = _varint(buf, pos, end)
        elif wire == 1:
            after = pos + 8
        elif wire == _LEN:
            length, pos = _varint(buf, pos, end)
            after = pos + length
        elif wire == 5:
            after = pos + 4
        else:  # groups (3, 4) and invalid wire types
            raise _NotSimple
        if after > end:
            raise _NotSimple
        yield number, wire, pos, after
        pos = after


def _only(buf: bytes, start: int, end: int, number: int) -> tuple[int, int]:
    """The span of the single length-delimited field `number` in buf[start:end]."""
    found = [(wire, a, b) for n, wire, a, b in _fields(buf, start, end) if n == number]
    if len(found) != 1 or found[0][0] != _LEN:
        raise _NotSimple
    return found[0][1:]


def content_holes(raw: bytes, path: tuple[int, ...]) -> list[tuple[int, int]] | None:
    """(offset, length) of the `tensor_content` of each TensorProto found through the
    repeated field `path[0]` (then the single fields `path[1:]`), in message order; None
    when the layout is not one where each tensor has exactly one content field."""
    try:
        holes = []
        for number, wire, start, end in _fields(raw, 0, len(raw)):
            if number != path[0]:
                continue
            if wire != _LEN:
                raise _NotSimple
            for inner in path[1:]:
                start, end = _only(raw, start, end, inner)
            start, end = _only(raw, start, end, _CONTENT)
            holes.append((start, end - start))
        return holes
    except _NotSimple:
        return None


class Template:
    """A message's bytes outside its tensor contents, and each content's place and kind."""

    __slots__ = ("size", "first_hole", "_fixed", "_tensors")

    def __init__(self, raw: bytes, holes: list[tuple[int, int]], kinds: list[tuple]):
        """`kinds`: each tensor's (numpy dtype, shape), from the full parse of `raw`."""
        self.size = len(raw)
        self.first_hole = holes[0][0] if holes else len(raw)
        fixed, pos = [], 0
        for offset, length in holes:
            fixed.append((pos, raw[pos:offset]))
            pos = offset + length
        fixed.append((pos, raw[pos:]))
        self._fixed = [(start, part) for start, part in fixed if part]
        self._tensors = [(shape, dtype, offset)
                         for (offset, _), (dtype, shape) in zip(holes, kinds)]

    def matches(self, raw: bytes) -> bool:
        if len(raw) != self.size:
            return False
        for start, part in self._fixed:
            if not raw.startswith(part, start):
                return False
        return True

    def tensors(self, raw: bytes) -> list[np.ndarray]:
        """The tensors of a matching message: read-only views of its bytes."""
        return [np.ndarray(shape, dtype, raw, offset) for shape, dtype, offset in self._tensors]


def make_template(raw: bytes, path: tuple[int, ...], tensors: list) -> Template | None:
    """The template of `raw`, whose full parse gave `tensors`: (TensorProto, decoded array)
    pairs in message order; None where the message cannot have one."""
    holes = content_holes(raw, path)
    if holes is None or len(holes) != len(tensors) or not _LITTLE_ENDIAN:
        return None
    if len(raw) - sum(length for _, length in holes) > _MAX_FIXED_BYTES:
        return None
    kinds = []
    for (offset, length), (proto, arr) in zip(holes, tensors):
        if not isinstance(arr, np.ndarray) or arr.dtype.kind in "OSU" \
                or not arr.dtype.isnative or length != arr.nbytes or not length \
                or raw[offset:offset + length] != proto.tensor_content:
            return None
        kinds.append((arr.dtype, arr.shape))
    return Template(raw, holes, kinds)


class TemplateCache:
    """Templates by a caller's key; a few per key (the key narrows, `matches` decides)."""

    def __init__(self, max_templates: int = 1024, per_key: int = 4):
        self._by_key: dict = {}
        self._count = 0
        self._max = max_templates
        self._per_key = per_key
        self._lock = threading.Lock()  # for add; find reads without it

    def find(self, key, raw: bytes):
        """The (template, payload) stored under `key` that `raw` matches, else None."""
        for entry in self._by_key.get(key, ()):
            if entry[0].matches(raw):
                return entry
        return None

    def add(self, key, template: Template, payload) -> None:
        """Keeps `template` with the caller's `payload` (what else the full parse gave)."""
        with self._lock:  # entries are replaced, never changed: find needs no lock
            if self._count >= self._max:
                self._by_key = {}
                self._count = 0
            old = self._by_key.get(key, [])
            kept = old[len(old) - self._per_key + 1:] if len(old) >= self._per_key else old
            self._by_key[key] = [*kept, (template, payload)]
            self._count += 1 + len(kept) - len(old)
