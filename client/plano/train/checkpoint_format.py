"""The plano checkpoint file: named tensors in one self-checking file. No pickle.

Layout (all integers little-endian)::

    offset  size  field
    0       8     magic b"PLANOCKP"
    8       4     format version (uint32), currently 1
    12      4     header length H (uint32)
    16      H     header: UTF-8 JSON, see below
    16+H    4     CRC-32 of the header bytes (uint32)
    20+H    ...   data: each tensor's raw bytes, C order, little-endian,
                  starting at 8-byte aligned offsets relative to the data start

The header is ``{"tensors": [entry, ...], "metadata": {...}}`` with one entry
per tensor: ``{"name": "dense/kernel", "dtype": "float32", "shape": [2, 64],
"offset": 0, "nbytes": 512, "crc32": 1234}``. dtype is a plano dtype name
(float16/32/64, int8..int64, uint8..uint64, bool). The data section is
exactly as long as its last tensor's end (rounded up to 8 bytes).

Reading checks the magic, version, header CRC, that every tensor lies
inside the file, and every tensor's CRC; any failure is a DataLossError
naming the file. A reader of version N rejects files of a newer version.
"""
from __future__ import annotations

import json
import struct
import zlib

import numpy as np

from plano import dtypes, errors
from plano.utils.atomic_file import write_atomically

MAGIC = b"PLANOCKP"
VERSION = 1
_PREFIX = struct.Struct("<8sII")
_CRC = struct.Struct("<I")
_ALIGN = 8


def encode(tensors: dict[str, np.ndarray], metadata: dict | None = None) -> bytes:
    """The checkpoint bytes for `tensors` (name -> array)."""
    entries, chunks, offset = [], [], 0
    for name, value in tensors.items():
        arr = np.asarray(value)
        dtype = _plano_dtype(name, arr)
        data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
        entries.append({"name": name, "dtype": dtype.name, "shape": list(arr.shape),
                        "offset": offset, "nbytes": len(data), "crc32": zlib.crc32(data)})
        padding = -len(data) % _ALIGN
        chunks.append(data + b"\0" * padding)
        offset += len(data) + padding
    header = json.dumps({"tensors": entries, "metadata": metadata or {}},
                        separators=(",", ":")).encode()
    return b"".join([_PREFIX.pack(MAGIC, VERSION, len(header)), header,
                     _CRC.pack(zlib.crc32(header))] + chunks)


def write(path: str, tensors: dict[str, np.ndarray], metadata: dict | None = None) -> None:
    """Writes atomically: a crash mid-write leaves any previous file at `path` intact."""
    write_atomically(path, encode(tensors, metadata))


def read(path: str) -> tuple[dict[str, np.ndarray], dict]:
    """(tensors by name, metadata); NotFoundError if missing, DataLossError if damaged."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"Failed to find any matching files for "
                                   f"{path}: no such checkpoint file") from None
    except IsADirectoryError:
        raise errors.NotFoundError(None, None, f"{path} is a directory, not a checkpoint "
                                   "file; use plano.train.latest_checkpoint(dir)") from None
    return decode(blob, path)


def decode(blob: bytes, path: str = "<bytes>") -> tuple[dict[str, np.ndarray], dict]:
    def lost(why: str):
        return errors.DataLossError(None, None, f"Checkpoint file {path} is truncated or "
                                    f"corrupted: {why}")

    if len(blob) < _PREFIX.size:
        raise lost(f"{len(blob)} bytes is shorter than the {_PREFIX.size}-byte file prefix")
    magic, version, header_len = _PREFIX.unpack_from(blob)
    if magic != MAGIC:
        raise lost(f"bad magic {magic!r} (expected {MAGIC!r}); not a plano checkpoint")
    if version > VERSION:
        raise lost(f"format version {version} is newer than this plano reads ({VERSION})")
    data_start = _PREFIX.size + header_len + _CRC.size
    if len(blob) < data_start:
        raise lost(f"header of {header_len} bytes runs past the end of the file")
    header = blob[_PREFIX.size:_PREFIX.size + header_len]
    (crc,) = _CRC.unpack_from(blob, _PREFIX.size + header_len)
    if zlib.crc32(header) != crc:
        raise lost("header checksum mismatch")
    try:
        index = json.loads(header)
        entries = index["tensors"]
    except (ValueError, KeyError, TypeError) as e:
        raise lost(f"unreadable header ({e})") from None
    tensors = {}
    for entry in entries:
        try:
            name, shape = entry["name"], [int(d) for d in entry["shape"]]
            dtype = dtypes.as_dtype(entry["dtype"])
            start, nbytes = data_start + int(entry["offset"]), int(entry["nbytes"])
            crc = int(entry["crc32"])
        except (KeyError, TypeError, ValueError) as e:
            raise lost(f"bad index entry {entry!r} ({e})") from None
        np_dtype = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
        if nbytes != int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize:
            raise lost(f"tensor '{name}' has {nbytes} bytes for shape {shape} of {dtype.name}")
        if start + nbytes > len(blob):
            raise lost(f"tensor '{name}' ends at byte {start + nbytes}, the file has "
                       f"{len(blob)} bytes")
        data = blob[start:start + nbytes]
        if zlib.crc32(data) != crc:
            raise lost(f"checksum mismatch in tensor '{name}'")
        tensors[name] = np.frombuffer(data, dtype=np_dtype).astype(np_dtype.newbyteorder("="))\
            .reshape(shape)
    return tensors, index.get("metadata", {})


def _plano_dtype(name: str, arr: np.ndarray) -> dtypes.DType:
    try:
        dtype = dtypes.as_dtype(arr.dtype)
    except (TypeError, ValueError):
        dtype = None
    if dtype is None or dtype in (dtypes.string, dtypes.resource):
        raise errors.InvalidArgumentError(None, None, f"Cannot checkpoint '{name}' of numpy "
                                          f"dtype {arr.dtype}: only numeric and bool tensors")
    return dtype
