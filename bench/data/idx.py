"""The IDX format, as pure functions on bytes: decompress, check the header, view the payload
as arrays, encode arrays back. A payload is a big-endian header (magic ``0x000008NN``, ``NN``
dimensions, then one uint32 per dimension) followed by the raw uint8 data.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import zlib

import numpy as np

MAGIC = {"images": 0x00000803, "labels": 0x00000801}
GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """The bytes are not a well-formed IDX payload of the expected kind and size."""


def sha256_hex(data: bytes | memoryview) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def payload_size(kind: str, count: int, image_shape: tuple[int, int] = (28, 28)) -> int:
    """Bytes of a well-formed IDX payload of ``count`` items of ``kind``."""
    per_item = image_shape[0] * image_shape[1] if kind == "images" else 1
    return header_size(kind) + count * per_item


def decompress(data: bytes, gzipped: bool, max_size: int | None = None) -> bytes:
    """The IDX payload of a file's bytes: gunzipped when ``gzipped`` or gzip magic is present;
    one byte past ``max_size`` it stops and refuses the file (a gzip bomb never fills memory)."""
    if not gzipped and data[:2] != GZIP_MAGIC:
        return data
    if data[:2] != GZIP_MAGIC:
        raise IdxFormatError("not a gzip file")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            payload = stream.read(-1 if max_size is None else max_size + 1)
    except EOFError:
        raise IdxFormatError("truncated gzip stream") from None
    except (OSError, zlib.error) as exc:
        raise IdxFormatError(f"invalid gzip data ({exc})") from None
    if max_size is not None and len(payload) > max_size:
        raise IdxFormatError(f"decompresses to more than the {max_size:,} bytes expected "
                             "(refused unread)")
    return payload


def header_size(kind: str) -> int:
    """Bytes of the IDX header for ``kind`` (``"images"``: 16, ``"labels"``: 8)."""
    return 4 + 4 * (MAGIC[kind] & 0xFF)


def parse(payload: bytes, kind: str, count: int, image_shape: tuple[int, int] = (28, 28),
          ) -> np.ndarray:
    """A read-only uint8 array ``(count, *image_shape)`` of images or ``(count,)`` of labels
    viewing ``payload``, after checking its header and length (``IdxFormatError``)."""
    magic = MAGIC[kind]
    ndim = magic & 0xFF
    offset = header_size(kind)
    if len(payload) < 4:
        raise IdxFormatError(f"only {len(payload)} bytes, too short for an IDX header")
    (found,) = struct.unpack(">I", payload[:4])
    if found != magic:
        raise IdxFormatError(f"wrong magic number 0x{found:08x}, expected 0x{magic:08x} "
                             f"(IDX {kind})")
    if len(payload) < offset:
        raise IdxFormatError(f"only {len(payload)} bytes, header needs {offset}")
    dims = struct.unpack(f">{ndim}I", payload[4:offset])
    want = (count, *image_shape) if kind == "images" else (count,)
    if dims[1:] != want[1:]:
        shape, expected = ("x".join(map(str, d[1:])) for d in (dims, want))
        raise IdxFormatError(f"header says {shape} images, expected {expected}")
    if dims[0] != count:
        raise IdxFormatError(f"header says {dims[0]} {kind}, expected {count}")
    needed = offset + int(np.prod(dims))
    if len(payload) < needed:
        raise IdxFormatError(f"truncated: {len(payload)} bytes, header needs {needed} for {count} "
                             f"{kind}")
    if len(payload) > needed:
        raise IdxFormatError(f"{len(payload) - needed} unexpected bytes after the data")
    array = np.frombuffer(payload, dtype=np.uint8, offset=offset).reshape(dims)
    array.flags.writeable = False
    return array


def encode(array: np.ndarray, kind: str) -> bytes:
    """The IDX payload of a uint8 array: header + raw bytes (inverse of ``parse``)."""
    magic = MAGIC[kind]
    ndim = magic & 0xFF
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise IdxFormatError(f"expected a uint8 array with {ndim} dimension(s) for {kind}, "
                             f"got {array.dtype} with shape {array.shape}")
    header = struct.pack(f">I{ndim}I", magic, *array.shape)
    return header + np.ascontiguousarray(array).tobytes()
