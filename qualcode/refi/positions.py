"""What a REFI-QDA position counts, per source: Unicode characters or UTF-16 code units, CRLF as one or two.

The standard's wording counts characters from 0, end-exclusive. The tools count what their text widgets count, UTF-16
code units, so every character outside the Basic Multilingual Plane (an emoji, some CJK) counts twice and their
selections drift further after each one:
- NVivo (Windows and Mac): UTF-16, seen in its exports (tests/fixtures/refi-qda/real: 300 of 303 selections on word
  boundaries read so, 49 read as characters); a CRLF counts two.
- QualCoder: UTF-16. Its positions are those of Qt's text cursor (QTextCursor counts UTF-16 units); its auto-coding
  adds each emoji's length to Python string offsets to match them. It names a selection after its text, but after
  its own import that name is a Python slice of the positions (characters), so the name is no evidence there.
- ATLAS.ti and MAXQDA: built on UTF-16 strings (.NET, Cocoa, Delphi/Qt); no export of theirs with such a
  character was available to check. Both count a CRLF as one: QualCoder reads ATLAS.ti's CRLF files so, and writes
  CRLF line ends with positions counting each line end once when it exports for MAXQDA.
- qc (qualitative-coding) counts characters, as the standard's wording does.

A reader cannot trust the ``origin`` attribute alone (tools change, files are re-saved by other programs), so each
source's selections are tried under every convention and the one whose selections fall on word boundaries (or match
the text a selection names) wins; the origin only breaks ties.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CHARACTERS = "characters"
UTF16 = "utf16"
# tools whose positions count UTF-16 code units (matched in the file's origin, lower case)
UTF16_TOOLS = ("nvivo", "qualcoder", "atlas", "maxqda")


@dataclass(frozen=True)
class Convention:
    """How positions count: ``unit`` is characters or UTF-16 code units; ``crlf`` is 1 or 2 positions."""

    unit: str = CHARACTERS
    crlf: int = 2

    def describe(self) -> str:
        what = "UTF-16 code units" if self.unit == UTF16 else "characters"
        return what + (", a CRLF line end as one" if self.crlf == 1 else "")


@dataclass
class Selection:
    """A selection as the file states it (``name`` is the selected text when the tool writes it there)."""

    start: int
    end: int
    name: str = ""


@dataclass
class Choice:
    """The convention picked for one source and the evidence: selections that fit under each convention tried."""

    convention: Convention
    fits: dict[Convention, int] = field(default_factory=dict)
    total: int = 0
    by_origin: bool = False  # only the origin decided (every convention fits the selections alike)


def utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of every character boundary: ``out[i]`` is the offset of ``text[i]`` (len(text)+1 entries)."""
    out = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        out[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = pos
    return out


def has_astral(text: str) -> bool:
    """Whether the text holds a character that UTF-16 counts as two units (where the conventions part)."""
    return any(ord(ch) > 0xFFFF for ch in text)


class PositionMap:
    """Maps a file's positions under one convention to character offsets in the text as read (CRLF kept)."""

    def __init__(self, text: str, convention: Convention) -> None:
        self.text = text
        self.convention = convention
        self._table: list[int] | None = None
        astral = convention.unit == UTF16 and has_astral(text)
        folded = convention.crlf == 1 and "\r\n" in text
        if astral or folded:
            # position of each character of ``text`` in the convention's count; a CR before LF shares the LF's
            table = [0] * (len(text) + 1)
            pos = 0
            for i, ch in enumerate(text):
                table[i] = pos
                if folded and ch == "\r" and text[i + 1:i + 2] == "\n":
                    continue
                pos += 2 if astral and ord(ch) > 0xFFFF else 1
            table[len(text)] = pos
            self._table = table
        self.length = self._table[-1] if self._table is not None else len(text)

    def __call__(self, position: int) -> int:
        """The character offset in the text of a position the file states (clamped to the text)."""
        if position <= 0:
            return 0
        if self._table is None:
            return min(position, len(self.text))
        i = bisect_left(self._table, position)
        if i >= len(self._table):
            return len(self.text)
        # a position inside a surrogate pair or at a CR of a CRLF belongs to the character after it
        return i


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    return not (_is_word(text[i - 1]) and _is_word(text[i]))


def _squash(s: str) -> str:
    return "".join(s.split())


def _named(sel: Selection) -> str:
    """The selected text as the selection's name gives it (QualCoder writes it whole, ATLAS.ti the quotation's
    start, cut with an ellipsis), squashed; '' when the name is too short to tell."""
    named = _squash(sel.name).rstrip(".…")
    return named if len(named) >= 8 and not named.startswith("line:") else ""


def _fits(text: str, mapping: PositionMap, sel: Selection, *, by_name: bool) -> bool:
    if sel.end < sel.start or sel.start < 0 or sel.end > mapping.length:
        return False
    a, b = mapping(sel.start), mapping(sel.end)
    if by_name:
        return _squash(text[a:b]).startswith(_named(sel))
    return _boundary(text, a) and _boundary(text, b)


def candidates(text: str) -> list[Convention]:
    """The conventions that give different answers on this text (one when they all agree)."""
    units = [CHARACTERS, UTF16] if has_astral(text) else [CHARACTERS]
    crlfs = [2, 1] if "\r\n" in text else [2]
    return [Convention(u, c) for u in units for c in crlfs]


def origin_prior(origin: str) -> Convention:
    """What a tool is known to write (see the module's notes), used only when the selections cannot tell."""
    low = origin.lower()
    if low.startswith("qualcode ") and "qualcoder" not in low:
        # qualcode says in its origin what it wrote ("... (positions: UTF-16 code units)")
        unit = UTF16 if "utf-16" in low else CHARACTERS
    elif any(tool in low for tool in UTF16_TOOLS):
        unit = UTF16
    else:
        unit = CHARACTERS  # the standard's wording, and tools written on code-point strings (qc)
    # (qualcode says so in its origin when it wrote CRLF line ends for MAXQDA)
    return Convention(unit, 1 if "atlas" in low or "maxqda" in low or "a crlf line end as one" in low else 2)


def names_are_slices(origin: str) -> bool:
    """Whether the tool names a selection with a code-point slice of its positions rather than with the text its
    user selected (QualCoder after its own import): such a name fits the characters reading whatever was meant."""
    return "qualcoder" in origin.lower()


def choose(text: str, selections: Sequence[Selection], origin: str) -> Choice:
    """Pick the convention under which most selections fall on word boundaries (or on the text they name)."""
    prior = origin_prior(origin)
    options = candidates(text)
    if prior not in options:
        prior = Convention(prior.unit if prior.unit in {c.unit for c in options} else CHARACTERS,
                           prior.crlf if prior.crlf in {c.crlf for c in options} else 2)
    if len(options) == 1 or not selections:
        return Choice(prior, {}, len(selections), by_origin=len(options) > 1)
    mappings = {conv: PositionMap(text, conv) for conv in options}
    # a name is the selected text only where it matches under some convention: other tools name a selection
    # after the file, its time ("21s") or nothing; such selections are judged by their word boundaries
    # (QualCoder's name is a slice of its positions as characters: only a name the UTF-16 reading gives is the
    # text its user selected)
    judges = [m for c, m in mappings.items() if c.unit == UTF16] if names_are_slices(origin) else \
        list(mappings.values())
    by_name = [bool(_named(s)) and any(_fits(text, m, s, by_name=True) for m in judges) for s in selections]
    fits = {conv: sum(1 for s, named in zip(selections, by_name, strict=True)
                      if _fits(text, mapping, s, by_name=named)) for conv, mapping in mappings.items()}
    best = max(fits.values())
    winners = [c for c in options if fits[c] == best]
    chosen = prior if prior in winners else winners[0]
    return Choice(chosen, fits, len(selections), by_origin=len(winners) > 1)


def summarise(choices: Iterable[tuple[str, Choice]]) -> dict[str, object]:
    """The import summary's word on positions: the convention(s) used and how the selections fitted."""
    by_conv: dict[Convention, list[tuple[str, Choice]]] = {}
    for name, ch in choices:
        by_conv.setdefault(ch.convention, []).append((name, ch))
    out: dict[str, object] = {"read_as": [], "sources": {}}
    read_as: list[str] = []
    sources: dict[str, object] = {}
    for conv, items in by_conv.items():
        read_as.append(conv.describe())
        for name, ch in items:
            sources[name] = {
                "read_as": conv.describe(),
                "selections": ch.total,
                "fit": {c.describe(): n for c, n in ch.fits.items()},
                "decided_by": "origin" if ch.by_origin or not ch.fits else "selections",
            }
    out["read_as"] = read_as
    out["sources"] = sources
    return out
