"""Shared pieces of the REFI-QDA reader and writer: namespaces, GUIDs, dates, offsets."""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Any

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
EXTENSION_MEMBER = "qualcode.json"
# the code folder holding one code per case (qualcode writes "Cases", or the second name when a code is so named)
CASE_FOLDERS = ("Cases", "Cases (informants)")

# Fixed, so the same code id / coder / text gives the same GUID in every project and every export.
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qualcode:refi-qda")

_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


# the source variable holding a transcript's speakers, roles and cases (see export.speakers_value)
SPEAKERS_VARIABLE = "qualcode speakers"
# the source variable marking a desk-review document ("document"), which has no speakers to recognise it by
KIND_VARIABLE = "qualcode kind"
_SPEAKER_ENTRY = re.compile(
    r"\s*(.+?) \((interviewer|informant|unknown)(?:, ([A-Za-z0-9][A-Za-z0-9_.\-]*))?\)\s*(?:;|$)")


def parse_speakers_value(value: str) -> list[tuple[str, str, str | None]] | None:
    """(label, role, case id) for each speaker in a value written by ``speakers_value``; None when the value is
    not in that form (edited by hand in another tool), so nothing is guessed from it."""
    out: list[tuple[str, str, str | None]] = []
    pos = 0
    text = value.strip()
    while pos < len(text):
        m = _SPEAKER_ENTRY.match(text, pos)
        if m is None:
            return None
        out.append((m.group(1).strip(), m.group(2), m.group(3)))
        pos = m.end()
    return out or None


_ID_MARKER = re.compile(r"\s*\[qualcode id: ([A-Za-z0-9][A-Za-z0-9_.\-]{0,200})(?:; colou?r (#[0-9A-Fa-f]{6}))?\]\s*")
_SIX_DIGITS = re.compile(r"#[0-9A-Fa-f]{6}")


def id_marker(code_id: str, color: str | None = None) -> str:
    """How a code's id (and its colour, as '#rrggbb') is written in its description, so that they come back from
    tools that keep no GUIDs (QualCoder) or only colours of their own palette (QualCoder)."""
    if color and _SIX_DIGITS.fullmatch(color):
        return f"[qualcode id: {code_id}; colour {color.lower()}]"
    return f"[qualcode id: {code_id}]"


def marked_color(description: str) -> str | None:
    """The colour a description's id marker carries, if any."""
    m = _ID_MARKER.search(description)
    return m.group(2).lower() if m is not None and m.group(2) else None


def split_id_marker(description: str) -> tuple[str | None, str]:
    """The code id a description carries (None when it carries none) and the description without it."""
    m = _ID_MARKER.search(description)
    if m is None:
        return None, description
    return m.group(1), (description[:m.start()] + " " + description[m.end():]).strip()


def guid(kind: str, key: str) -> str:
    """A stable GUID for an object: upper case, 8-4-4-4-12, as ATLAS.ti and MAXQDA write them."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}")).upper()


def norm_guid(value: str | None) -> str:
    """GUIDs compare without braces and case (vendors differ in both)."""
    return (value or "").strip().strip("{}").lower()


class ShippedOffsets:
    """Maps offsets in the stored text to offsets in the shipped text (the one written to ``sources/``).

    The shipped text is the stored one with each ``(at, prefix)`` of ``labels`` ('Ms Lan: ') inserted at stored offset
    ``at``. A label belongs to the unit it starts, so a start at ``at`` moves past it and an end at ``at`` (the
    previous unit's) does not. Both texts are Python strings, so offsets are the code points REFI-QDA counts.
    """

    def __init__(self, labels: Iterable[Sequence[Any]]) -> None:
        pairs = sorted((at, len(prefix)) for at, prefix in labels)
        self._at = [at for at, _ in pairs]
        self._shift = list(accumulate((n for _, n in pairs), initial=0))  # total length of the first i labels

    def __call__(self, stored_pos: int, *, end: bool = False) -> int:
        before = bisect_left(self._at, stored_pos) if end else bisect_right(self._at, stored_pos)
        return stored_pos + self._shift[before]


# where a desk-review document's page begins, in its text as exported: "[Page 3] ", or "[Page 3, printed 47700] "
# when the page carries another number; read back as the page of the units after it
PAGE_MARK = re.compile(r"\[Page (\d{1,6})(?:, printed ([^\]\n]{1,40}))?\] ?")


def page_mark(page: int, label: str | None) -> str:
    """The mark written before the first unit of a document's page (see :data:`PAGE_MARK`)."""
    return f"[Page {page}] " if not label or label == str(page) else f"[Page {page}, printed {label}] "


def shipped_text(stored: str, segments: Sequence[Mapping[str, Any]], *, every_paragraph: bool = True,
                 pages: bool = True) -> tuple[str, list[tuple[int, str]]]:
    """A transcript as exported: the stored text with 'Speaker: ' before each turn and before each further paragraph
    of a turn, a page mark ("[Page 3] ") before the first unit of each page of a document, and where each label
    went (stored offset, label). The importer recognises a text sent back without qualcode.json by this form, and
    reads a document's pages back from the marks.

    A paragraph inside a turn is stored after a single line break, which a plain-text reader takes for a wrapped
    line; labelled again, it reads back as the same speaker's next paragraph, so the text re-read by qualcode (or by
    anyone) is cut into the same units. ``every_paragraph=False`` gives the form earlier versions wrote (a label
    before each turn only), which the importer still recognises; ``pages=False`` the form before page marks."""
    inserts: list[tuple[int, str]] = []
    last_turn: object = None
    last_end: int | None = None
    last_page: object = None
    for s in segments:
        page = s.get("page") if pages else None
        if page is not None and page != last_page:
            inserts.append((s["start"], page_mark(int(page), s.get("page_label"))))
            last_page = page
        new_turn = s["turn"] != last_turn
        new_paragraph = every_paragraph and not new_turn and last_end is not None and \
            "\n" in stored[last_end:s["start"]]
        if (new_turn or new_paragraph) and s["speaker"]:
            inserts.append((s["start"], f"{s['speaker']}: "))
        last_turn, last_end = s["turn"], s["end"]
    parts, pos = [], 0
    for at, prefix in inserts:
        parts.append(stored[pos:at])
        parts.append(prefix)
        pos = at
    parts.append(stored[pos:])
    return "".join(parts), inserts


def xsd_datetime(value: str | None, fallback: str) -> str:
    """A value xsd:dateTime accepts: kept as is when it already is one (so it survives a round trip)."""
    text = (value or "").strip()
    if _DATETIME.match(text):
        return text
    if _DATE.match(text):
        return text + "T00:00:00"
    if " " in text and _DATETIME.match(text.replace(" ", "T", 1)):
        return text.replace(" ", "T", 1)
    return fallback


def local(tag: object) -> str:
    """An element's name without its namespace (readers must tolerate namespace typos such as '1:0')."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]
