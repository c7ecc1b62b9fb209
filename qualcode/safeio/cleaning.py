"""Text from outside: characters that must never reach the project, an export or the terminal, and the unit-length
bound.

Removed at import (and reported): C0 control characters other than tab and newline (so ESC, the start of every
terminal escape sequence), DEL, the C1 controls, Unicode non-characters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the last
two code points of every plane) and lone surrogates. None of them is text a person wrote; several make XML (DOCX,
XLSX) invalid or drive the terminal. Page breaks and vertical tabs become line breaks, silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from qualcode.safeio.limits import limits

_NONCHARS = "".join(f"\\U{(plane << 16) | 0xFFFE:08x}\\U{(plane << 16) | 0xFFFF:08x}" for plane in range(17))
_BAD = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + _NONCHARS + "]")
_BREAKS = re.compile("[\x0b\x0c]")
# For one-line values (names, attributes, ids) line breaks and CR are unwanted too, but they become spaces.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")


def clean(text: str, removed: Counter[str] | None = None) -> str:
    """``text`` without the characters above (page breaks and vertical tabs become ``\\n``; CR stays for the caller
    to normalise). Each removed character is counted in ``removed`` when given."""
    if not _BAD.search(text) and not _BREAKS.search(text):
        return text
    if removed is not None:
        removed.update(_BAD.findall(text))
    return _BAD.sub("", _BREAKS.sub("\n", text))


def clean_line(text: str, removed: Counter[str] | None = None) -> str:
    """A one-line value (a name, a label, an attribute): cleaned, line breaks made spaces."""
    return _LINE_BREAKS.sub(" ", clean(text, removed))


def clean_data(value: Any, removed: Counter[str] | None = None) -> Any:
    """Clean every string inside dicts and lists (metadata, attributes)."""
    if isinstance(value, str):
        return clean(value, removed)
    if isinstance(value, dict):
        return {clean(str(k), removed) if isinstance(k, str) else k: clean_data(v, removed) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v, removed) for v in value]
    return value


# What JSON (with ensure_ascii off, as qualcode writes it) turns C0 controls and DEL into: text stored as JSON holds
# the escape, not the character.
_JSON_ESCAPED = re.compile(r"\\u00(?:0[0-8eEfF]|1[0-9a-fA-F]|7[fF])")


def has_bad(text: str) -> bool:
    """Whether stored text holds a character :func:`clean` removes, raw or as a JSON escape (page breaks and
    vertical tabs, which it only turns into line breaks, do not count)."""
    return bool(_BAD.search(text) or ("\\u00" in text and _JSON_ESCAPED.search(text)))


def is_clean(text: str) -> bool:
    """True when :func:`clean` would change nothing."""
    return not _BAD.search(text) and not _BREAKS.search(text)


def describe(removed: Counter[str], where: str = "the text") -> str | None:
    """'removed 3 control or non-characters from the text (U+001B ×2, U+FFFF)', or None when nothing was removed
    (page breaks made line breaks are not worth a warning)."""
    if not removed:
        return None
    total = sum(removed.values())
    shown = ", ".join(f"U+{ord(ch):04X}" + (f" ×{n}" if n > 1 else "") for ch, n in removed.most_common(4))
    more = ", ..." if len(removed) > 4 else ""
    return f"removed {total} control or non-character{'s' if total != 1 else ''} from {where} ({shown}{more})"


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s+")
_CLAUSE_END = re.compile(r"[;:,，、；：–—]\s+|\s+[–—-]\s+")
_SPACE = re.compile(r"\s+")


def bound_spans(text: str, spans: Iterable[tuple[int, int]], max_chars: int | None = None) -> list[tuple[int, int]]:
    """Split every span of ``text`` longer than ``max_chars`` (default: the unit-length bound) at the last sentence
    end before the bound, else the last clause break (; : , dash), else the last space, else exactly at the bound.
    Pieces are stripped of surrounding whitespace and are never empty."""
    bound = max_chars or limits().max_unit_chars
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > bound:
            cut = _cut(text, start, start + bound)
            piece = _strip(text, start, cut)
            if piece is not None:
                out.append(piece)
            start = cut
            while start < end and text[start].isspace():
                start += 1
        piece = _strip(text, start, end)
        if piece is not None:
            out.append(piece)
    return out


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end a piece that starts at ``start`` and must end by ``limit``: after a break in its second half if
    there is one (so pieces stay long enough to read), else at ``limit``."""
    floor = start + (limit - start) // 2
    window = text[floor:limit + 1]
    for pattern in (_SENTENCE_END, _CLAUSE_END, _SPACE):
        last = None
        for m in pattern.finditer(window):
            last = m
        if last is not None:
            # end after the punctuation, before the space
            stop = floor + last.end()
            while stop > floor and text[stop - 1].isspace():
                stop -= 1
            if stop > start:
                return min(stop, limit)
    return limit


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
