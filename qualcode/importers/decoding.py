"""Bytes to clean text: encoding detection, NFC, ``\\n`` line endings.

Evaluators receive transcripts saved by Word, Notepad, Zoom, Teams and transcription
services on every kind of machine, so the same interview may arrive as UTF-8 (with or
without a byte-order mark), UTF-16 or Windows-1252. All of them must give the same text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from qualcode.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that never occur in a real transcript; a few of them mean binary data.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}

_SAVE_HINT = "save it as UTF-8 text (in Notepad or Word: Save As, encoding UTF-8) and import it again"


def sniff_utf16(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes fall (ASCII-range characters have a zero high byte)."""
    sample = data[:4096]
    if len(sample) % 2:
        sample = sample[:-1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    nul_even = sample[0::2].count(0)
    nul_odd = sample[1::2].count(0)
    if nul_odd >= 0.3 * pairs and nul_even <= 0.05 * pairs:
        return "utf-16-le"
    if nul_even >= 0.3 * pairs and nul_odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> tuple[str | None, bytes]:
    """The encoding a byte-order mark or UTF-16's NUL pattern gives away, and the bytes after the mark; None when
    neither says anything (UTF-8 or a legacy code page, to be tried)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, data[len(bom) :]
    return sniff_utf16(data), data


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode transcript bytes and return ``(text, encoding)``.

    The text is NFC-normalised (Vietnamese diacritics typed on different keyboards
    compare equal), has ``\\n`` line endings and no byte-order mark.
    Raises :class:`InputError` for binary data or bytes that are no known encoding.
    """
    encoding, body = detect_encoding(data)
    if encoding is None:
        if b"\x00" in data:
            raise InputError(
                "this is not a text transcript (it contains binary data)",
                path=name,
                hint="export the transcript as .docx, .txt, .md, .vtt or .srt",
            )
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            try:
                # Windows-1252 is what Notepad and older Word versions save as "ANSI" on Western systems.
                text = data.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError as err:
                raise InputError(
                    f"cannot decode the text (byte {err.start} is neither UTF-8 nor Windows-1252)",
                    path=name,
                    hint=_SAVE_HINT,
                ) from None
    else:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as err:
            raise InputError(
                f"cannot decode the text as {encoding.upper()} (byte {err.start} is invalid; is the file truncated?)",
                path=name,
                hint=_SAVE_HINT,
            ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    # A BOM in the middle appears when files were concatenated; it is invisible noise.
    text = text.replace("\ufeff", "")
    if _looks_binary(text):
        raise InputError(
            "this is not a text transcript (it contains control characters)",
            path=name,
            hint="export the transcript as .docx, .txt, .md, .vtt or .srt",
        )
    return unicodedata.normalize("NFC", text), encoding


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ch < " " and ch not in _ALLOWED_CONTROLS) or ch == "\x7f")
    return controls > max(2, len(sample) // 200)


# "we&#39;re", "&quot;fine&quot;": pages converted to Markdown keep the HTML character references of the web page.
_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_references(text: str) -> str:
    """Replace HTML character references that end with ';' ("&#39;", "&amp;", "&quot;") by the characters they stand
    for; a bare ampersand ("R&D", "AT&T") and anything that is not a known reference are left as they are. A line
    break or other control character written as a reference ("&#10;" in a saved page) becomes a space: the file's own
    line breaks say where a turn starts, not a character inside its text."""
    if "&" not in text:
        return text
    import html

    def character(m: re.Match[str]) -> str:
        made = html.unescape(m.group(0))
        return " " if len(made) == 1 and (made < " " or made == "\x7f") and made != "\t" else made

    return _REFERENCE.sub(character, text)
