"""Transcription-service text exports (Otter and similar): a "Speaker  0:03" header, then the text.

::

    Interviewer  0:03
    Thank you for making time for this.

    Speaker 2  0:09
    You're welcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import MAX_LABEL_CHARS, MAX_LABEL_WORDS, parse_timestamp
from qualcode.model import ParsedTranscript

_HEADER = re.compile(
    r"(?P<name>[^\s\d:\[(][^:\n]{0,%s}?)\s*[:]?\s+" % (MAX_LABEL_CHARS - 1)
    + r"[(\[]?(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[)\]]?:?"
)
_TRAILER = re.compile(r"transcribed by\s+\S*otter\.ai\S*", re.I)
# Otter's average-speech estimate for the last block, whose end the export does not give.
_WORDS_PER_SECOND = 2.5


@dataclass
class _Block:
    speaker: str
    t_start: float
    paragraphs: list[list[str]] = field(default_factory=list)


def header(line: str) -> tuple[str, float] | None:
    """``("Interviewer", 3723.0)`` for "Interviewer  1:02:03"; None for anything else."""
    line = line.strip()
    if len(line) > MAX_LABEL_CHARS + 24:
        return None  # headers are short; this also keeps the regex cheap on long lines
    m = _HEADER.fullmatch(line)
    if not m:
        return None
    speaker = m.group("name").strip()
    if len(speaker.split()) > MAX_LABEL_WORDS or speaker[-1] in ".,;?!\"”'’" or speaker[0].islower():
        return None
    seconds = parse_timestamp(m.group("time"))
    return None if seconds is None else (speaker, seconds)


def header_lines(lines: list[str]) -> list[int]:
    """Indexes of header lines: alone after a blank line (or at the top), with text right below."""
    found = []
    for i, line in enumerate(lines):
        if (i == 0 or not lines[i - 1].strip()) and i + 1 < len(lines) and lines[i + 1].strip() and header(line):
            found.append(i)
    return found


def looks_like_service(lines: list[str]) -> bool:
    """True when most blocks of the file start with a "Name  0:03" header."""
    headers = header_lines(lines)
    if len(headers) < 2:
        return False
    blocks_after = sum(
        1 for i in range(headers[0], len(lines)) if lines[i].strip() and (i == 0 or not lines[i - 1].strip())
    )
    return len(headers) * 2 >= blocks_after


def read_service(text: str, name: str) -> ParsedTranscript:
    """Parse an Otter-style export. Text before the first header (title, keywords) goes to metadata."""
    lines = text.split("\n")
    headers = set(header_lines(lines))
    metadata: dict[str, object] = {}
    blocks: list[_Block] = []
    preamble: list[str] = []
    new_paragraph = True
    for i, raw in enumerate(lines):
        line = raw.strip()
        if i in headers:
            found = header(line)
            assert found is not None
            blocks.append(_Block(found[0], found[1]))
            new_paragraph = True
            continue
        if not line:
            new_paragraph = True
            continue
        if _TRAILER.fullmatch(line):
            continue
        if not blocks:
            preamble.append(line)
            continue
        if new_paragraph or not blocks[-1].paragraphs:
            blocks[-1].paragraphs.append([line])
        else:
            blocks[-1].paragraphs[-1].append(line)
        new_paragraph = False
    if preamble:
        metadata["title"] = preamble[0]
        metadata["preamble"] = "\n".join(preamble)
    drafts = Drafts()
    for k, block in enumerate(blocks):
        if k + 1 < len(blocks):
            t_end = max(block.t_start, blocks[k + 1].t_start)
        else:
            words = sum(len(" ".join(p).split()) for p in block.paragraphs)
            t_end = round(block.t_start + words / _WORDS_PER_SECOND, 3)
        for paragraph in block.paragraphs:
            drafts.add(block.speaker, " ".join(paragraph), t_start=block.t_start, t_end=t_end)
    return assemble(drafts, fmt="service", name=name, metadata=metadata)
