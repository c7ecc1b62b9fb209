"""PDF files read within bounds.

A PDF is a program as much as a document: a few kilobytes can claim gigabytes of memory or hours of work. Inside
:func:`guarded` (every PDF qualcode reads goes through it):

- compressed streams (FlateDecode, LZWDecode, RunLengthDecode, CCITTFaxDecode) unpack within the bound of an
  archive entry, each stream and all of a document's streams together (pdfminer keeps what it unpacked for as long
  as it reads the document);
- :func:`page_tools` gives the layout device and interpreter that bound each page: the characters it draws, the
  drawings (Form XObjects) it nests or repeats, the path segments kept, the graphics states saved, and the
  operators it runs (and the document's operators in all), so a page that draws one form a billion times or saves
  its state a million times is refused after a bounded amount of work.
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
_HINT = "open it and save it again as PDF (or as .docx), then import that file"

#: characters one page may draw (a dense page of 6-point type holds about 25,000)
PAGE_CHARS = 100_000
#: Form XObjects one page may draw, nested or repeated (logos, charts, icons)
PAGE_FIGURES = 10_000
#: path segments kept per page (only ruling lines are used; the rest of a map or chart is not text)
PAGE_PATH_SEGMENTS = 100_000
#: graphics states saved and not yet restored (PDF's own implementation limit is 28)
SAVED_STATES = 1_000


class _Budget:
    """What the document being read has spent so far."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.decoded = 0
        self.tokens = 0
        self.page = 0
        self.page_tokens = 0
        self.chars = 0
        self.figures = 0
        self.segments = 0
        bound = limits()
        self.max_page_tokens = bound.max_pdf_page_tokens
        self.max_tokens = bound.max_pdf_tokens

    def new_page(self) -> None:
        self.page += 1
        self.page_tokens = self.chars = self.figures = self.segments = 0

    def page_refusal(self, what: str) -> InputError:
        """The refusal for the page being read; ``what`` is what it does ("draws more than 100,000 characters")."""
        return _refuse(f"page {max(self.page, 1)} of this PDF {what}, as PDF bombs do; qualcode stops there")


def _budget() -> _Budget | None:
    return getattr(_current, "budget", None)


def _name() -> str | None:
    b = _budget()
    return b.name if b is not None else None


def _refuse(message: str) -> InputError:
    return InputError(message, path=_name(), hint=_HINT)


def _refuse_stream(size: int) -> InputError:
    bound = limits().max_member
    return _refuse(f"a compressed stream in this PDF unpacks to more than {human_size(min(size, bound))}, as PDF "
                   "bombs do; qualcode stops there")


# Page contents and fonts compress a few times; a stream of one repeated byte (a blank scan) compresses a thousand
# times but is only decoded when small: the ratio is checked once a stream has passed this size.
_PDF_RATIO_FLOOR = 8 * 1024 * 1024


def _check(out: int, consumed: int) -> None:
    lim = limits()
    if out > lim.max_member or (out > _PDF_RATIO_FLOOR and out > lim.max_ratio * max(consumed, 1)):
        raise _refuse_stream(out)


def _spent(size: int) -> None:
    """Count a decoded stream against the document's total (pdfminer keeps every decoded stream)."""
    b = _budget()
    if b is None:
        return
    b.decoded += size
    total = limits().max_member
    if b.decoded > total:
        raise _refuse(f"this PDF's compressed streams unpack to more than {human_size(total)} in all, as PDF bombs "
                      "do; qualcode stops there")


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
    _spent(out)
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
        _spent(len(chunk))
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
    _spent(out)
    return b"".join(parts)


def _run_length(data: bytes) -> bytes:
    """RunLengthDecode (a byte repeated up to 128 times per two bytes of input), bounded as the others are."""
    out = bytearray()
    pos, n = 0, len(data)
    while pos < n:
        length = data[pos]
        pos += 1
        if length == 128:
            break
        if length < 128:
            out += data[pos:pos + length + 1]
            pos += length + 1
        elif pos < n:
            out += data[pos:pos + 1] * (257 - length)
            pos += 1
        if len(out) > _CHUNK:
            _check(len(out), pos)
    _spent(len(out))
    return bytes(out)


def _ccitt(data: bytes, params: dict[str, object]) -> bytes:
    """CCITTFaxDecode only when its largest possible output (a row per bit of input) is within the bounds."""
    from pdfminer.ccitt import ccittfaxdecode

    columns = params.get("Columns", 1728)
    width = columns if isinstance(columns, int) and columns > 0 else 1728
    if (width // 8 + 1) * 8 * len(data) > limits().max_member:
        raise _refuse_stream(limits().max_member + 1)
    out = ccittfaxdecode(data, params)
    _check(len(out), len(data))
    _spent(len(out))
    return out


# ---------------------------------------------------------------------------------------------- pages


def page_tools(laparams: Any) -> tuple[Any, Any]:
    """The layout device (a ``PDFPageAggregator``) and interpreter to read pages with, inside :func:`guarded`."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    class Device(PDFPageAggregator):  # type: ignore[misc]
        def begin_page(self, page: Any, ctm: Any) -> None:
            b = _budget()
            if b is not None:
                b.new_page()
            super().begin_page(page, ctm)

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            b = _budget()
            if b is not None:
                b.chars += 1
                if b.chars > PAGE_CHARS:
                    raise b.page_refusal(f"draws more than {PAGE_CHARS:,} characters")
            return float(super().render_char(*args, **kwargs))

        def begin_figure(self, *args: Any, **kwargs: Any) -> None:
            b = _budget()
            if b is not None:
                b.figures += 1
                if b.figures > PAGE_FIGURES:
                    raise b.page_refusal(f"draws more than {PAGE_FIGURES:,} embedded drawings (nested or repeated)")
            super().begin_figure(*args, **kwargs)

        def paint_path(self, gstate: Any, stroke: bool, fill: bool, evenodd: bool, path: Any) -> None:
            b = _budget()
            if b is not None:
                b.segments += len(path)
                if b.segments > PAGE_PATH_SEGMENTS:
                    return  # lines and shapes are not text: beyond this, a page's drawing is not kept
            super().paint_path(gstate, stroke, fill, evenodd, path)

    class Interpreter(PDFPageInterpreter):  # type: ignore[misc]
        def do_q(self) -> None:
            # a saved state is a copy of the whole graphics state; unmatched saves beyond the bound are not kept
            if len(self.gstack) < SAVED_STATES:
                super().do_q()

    manager = PDFResourceManager(caching=True)
    device = Device(manager, laparams=laparams)
    return device, Interpreter(manager, device)


def _counting_parser() -> type:
    from pdfminer.pdfinterp import PDFContentParser

    class CountingContentParser(PDFContentParser):  # type: ignore[misc]
        """The content-stream lexer, counting every token against the page's and the document's budget."""

        def nexttoken(self) -> Any:
            b = _budget()
            if b is not None:
                b.tokens += 1
                b.page_tokens += 1
                if b.page_tokens > b.max_page_tokens:
                    raise b.page_refusal(f"runs more than {b.max_page_tokens:,} drawing operations")
                if b.tokens > b.max_tokens:
                    raise _refuse(f"this PDF runs more than {b.max_tokens:,} drawing operations in all; qualcode "
                                  "stops there")
            return super().nexttoken()

    return CountingContentParser


_installed = False
_lock = threading.Lock()


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        import pdfminer.pdfinterp as interp
        import pdfminer.pdftypes as types

        types.zlib = _BoundedZlib  # type: ignore[assignment]
        types.lzwdecode = _lzw
        types.rldecode = _run_length
        types.ccittfaxdecode = _ccitt
        interp.PDFContentParser = _counting_parser()  # type: ignore[misc,assignment]
        _installed = True


@contextlib.contextmanager
def guarded(name: str) -> Iterator[None]:
    """Read a PDF named ``name`` with pdfminer's stream decoders and content interpreter bounded."""
    _install()
    previous = _budget()
    _current.budget = _Budget(name)
    try:
        yield
    finally:
        _current.budget = previous
