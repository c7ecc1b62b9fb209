"""PDF streams unpacked within bounds.

pdfminer inflates a compressed stream (FlateDecode, LZWDecode) whole, so a few megabytes of PDF can claim
gigabytes. :func:`guarded` installs bounded decoders into pdfminer once, and names the file in the refusal.
"""

from __future__ import annotations

import contextlib
import io
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from qualcode.errors import InputError
from qualcode.safeio.limits import human_size, limits

_current = threading.local()
_CHUNK = 1024 * 1024


def _refuse(size: int) -> InputError:
    bound = limits().max_member
    return InputError(f"a compressed stream in this PDF unpacks to more than {human_size(min(size, bound))}, as PDF "
                      "bombs do; qualcode stops there", path=getattr(_current, "name", None),
                      hint="open it and save it again as PDF (or as .docx), then import that file")


# Page contents and fonts compress a few times; a stream of one repeated byte (a blank scan) compresses a thousand
# times but is only decoded when small: the ratio is checked once a stream has passed this size.
_PDF_RATIO_FLOOR = 8 * 1024 * 1024


def _check(out: int, consumed: int) -> None:
    lim = limits()
    if out > lim.max_member or (out > _PDF_RATIO_FLOOR and out > lim.max_ratio * max(consumed, 1)):
        raise _refuse(out)


def _inflate(data: bytes) -> bytes:
    """zlib.decompress with the archive bounds, checked as it goes (64 kB of input at a time)."""
    d = zlib.decompressobj()
    parts: list[bytes] = []
    out = 0
    step = 65536
    for pos in range(0, len(data), step):
        piece = data[pos:pos + step]
        while piece:
            chunk = d.decompress(piece, _CHUNK)
            parts.append(chunk)
            out += len(chunk)
            piece = d.unconsumed_tail
            _check(out, pos + step - len(piece))
            if d.eof:
                break
        if d.eof:
            break
    if not d.eof:
        raise zlib.error("incomplete or truncated stream")  # as zlib.decompress says; pdfminer then tries harder
    parts.append(d.flush())
    return b"".join(parts)


class _BoundedZlib:
    """What pdfminer.pdftypes uses of the zlib module, with ``decompress`` bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args: Any) -> bytes:
        return _inflate(data)

    @staticmethod
    def decompressobj(*args: Any) -> Any:
        return _BoundedObj(zlib.decompressobj(*args))


class _BoundedObj:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._out = 0
        self._in = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        chunk = self._inner.decompress(data, max_length) if max_length else self._inner.decompress(data)
        self._in += len(data)
        self._out += len(chunk)
        _check(self._out, self._in)
        return chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    parts: list[bytes] = []
    out = 0
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        parts.append(chunk)
        out += len(chunk)
        _check(out, len(data))
    return b"".join(parts)


_installed = False


@contextlib.contextmanager
def guarded(name: str) -> Iterator[None]:
    """Read a PDF named ``name`` with pdfminer's stream decoders bounded."""
    global _installed
    if not _installed:
        import pdfminer.pdftypes as types

        types.zlib = _BoundedZlib  # type: ignore[assignment]
        types.lzwdecode = _lzw
        _installed = True
    previous = getattr(_current, "name", None)
    _current.name = name
    try:
        yield
    finally:
        _current.name = previous
