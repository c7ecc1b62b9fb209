"""Transcription-service text exports: a "Speaker  0:03" header, then the text (Otter, Microsoft Teams, Rev).

::

    Interviewer  0:03
    Thank you for making time for this.

    Jensen, Clara   0:09
    You're welcome.

Otter writes the name and the time on one line (Markdown exports in bold: ``**Emma**  0:00``) and, when it could
not tell speakers apart, the time alone; Teams writes "Last, First" in many organisations, leaves out the blank
line between blocks when the Word export is saved as text, and adds the title, date, duration and "… started
transcription" lines, which become metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import (
    CAPITALISED,
    MAX_LABEL_CHARS,
    MAX_LABEL_WORDS,
    STRONG,
    TIME_RANGE_END,
    TIMESTAMP,
    classify,
    find_label,
    parse_timestamp,
    strip_leading_timestamp,
)
from qualcode.importers.marks import MarkTimes
from qualcode.importers.preamble import (
    CREDIT_NOTICE,
    read_preamble,
    record_event,
    tool_credit_alone,
    transcription_event,
)
from qualcode.model import ParsedTranscript

_TIME = r"(?P<open>[(\[])?\s*(?P<time>" + TIMESTAMP + r")(?P<range>" + TIME_RANGE_END + r")\s*[)\]]?:?"
_HEADER = re.compile(
    r"(?P<name>[^\s\d:\[(][^:\n]{0,%s}?)\s*[:]?\s+" % (MAX_LABEL_CHARS - 1) + _TIME
)
# "00:00:03 Speaker 1" / "[00:03] - Clara Jensen": the time first (Happy Scribe, some Trint exports)
_HEADER_TIME_FIRST = re.compile(_TIME + r"\s*[-–—]?\s*(?P<name>[^\s\d:\[(][^:\n]{0,%s}?)" % (MAX_LABEL_CHARS - 1))
_TIME_ONLY = re.compile(r"\s*" + _TIME + r"\s*")
_MARKUP = re.compile(r"\*\*|__")
# "[laughs]", "[loud laugh]", "(laughter)": a transcriber's note of a sound, not speech anyone could code
_ANNOTATION_ONLY = re.compile(r"(?:[\[(][^\W\d][^\[\]()\d]{0,38}[\])]\s*)+")
# Otter's average-speech estimate for the last block, whose end the export does not give.
_WORDS_PER_SECOND = 2.5


@dataclass
class _Block:
    speaker: str | None
    t_start: float
    paragraphs: list[list[str]] = field(default_factory=list)


def header(line: str, bare_range: bool = False) -> tuple[str, float] | None:
    """``("Interviewer", 3723.0)`` for "Interviewer  1:02:03" (also "**Emma**  0:00", "Jensen, Clara   0:03",
    "00:00:03 Speaker 1", "Maria (00:05-00:11)"); None for anything else. A time range not in brackets
    ("Opening 09:00 - 09:30") is an agenda's as often as a recording's: it is a header only with ``bare_range``,
    which ``header_lines`` gives where the file's ranges are a recording's offsets."""
    head = _header(line)
    if head is None or head[2] and not bare_range:
        return None
    return head[0], head[1]


def _header(line: str) -> tuple[str, float, bool] | None:
    """The name, the seconds and whether the time is a range without brackets."""
    line = _MARKUP.sub("", line).strip()
    if len(line) > MAX_LABEL_CHARS + 24:
        return None  # headers are short; this also keeps the regex cheap on long lines
    m = _HEADER.fullmatch(line) or _HEADER_TIME_FIRST.fullmatch(line)
    if not m:
        return None
    speaker = m.group("name").strip().rstrip(":").strip()
    if not speaker or len(speaker.split()) > MAX_LABEL_WORDS or speaker[-1] in ".,;?!\"”'’" \
            or speaker[0].islower():
        return None
    seconds = parse_timestamp(m.group("time"))
    return None if seconds is None else (speaker, seconds, bool(m.group("range")) and not m.group("open"))


_NAME_OUTSIDE = re.compile(r"(\*\*|__)[^\[\]()]+?\1")


def inline_header(line: str) -> tuple[str, float, str] | None:
    """``("Ali", 3669.0, "Cool.")`` for "**Ali** [01:01:09] Cool.": a bold name and a bracketed time with the speech
    on the same line, which Otter-derived Markdown mixes with headers on a line of their own."""
    line = line.strip()
    if not line.startswith(("**", "__")) or not _NAME_OUTSIDE.match(line):
        return None  # "**I [00:00:00]** text", the time inside the emphasis, is a label the text reader reads
    label = find_label(line)
    if label is None or label.t_start is None or not label.rest:
        return None
    return label.speaker, label.t_start, label.rest


def time_header(line: str) -> float | None:
    """The seconds of a line that is only a time ("0:15" above a block Otter could not attribute)."""
    m = _TIME_ONLY.fullmatch(line)
    return parse_timestamp(m.group("time")) if m else None


def header_lines(lines: list[str]) -> dict[int, tuple[str | None, float]]:
    """Header lines by index: a "Name  0:03" (or a bare time) line with text right below it, either after a blank
    line (or at the top) or, where the export has no blank lines, under a name that heads two blocks or more; and
    a "**Name** [0:03] text" line after a blank line."""
    found: dict[int, tuple[str | None, float]] = {}
    loose: dict[int, tuple[str, float]] = {}
    names: dict[str, int] = {}
    # a file with a blank line after every line, headers included, has its text two lines below each header
    below = 2 if _double_spaced(lines) else 1
    bare: list[tuple[int, float]] = []  # headers whose time is a range without brackets, and their start
    for i, line in enumerate(lines):
        inline = inline_header(line)
        if inline is not None and (i == 0 or not lines[i - 1].strip()):
            found[i] = inline[:2]
            continue
        if i + below >= len(lines) or not lines[i + below].strip():
            continue
        after_blank = i == 0 or not lines[i - 1].strip()
        ranged = _header(line)
        if ranged is not None and ranged[2]:
            bare.append((i, ranged[1]))
        head = None if ranged is None else ranged[:2]
        if head is not None and classify(head[0]) is not None:
            names[head[0]] = names.get(head[0], 0) + 1
            if after_blank:
                found[i] = head
            else:
                loose[i] = head
            continue
        if after_blank:
            seconds = time_header(line)
            if seconds is not None:
                found[i] = (None, seconds)
    # Without blank lines a header is told from speech by its name recurring; once that layout is established (two
    # names heading two blocks or more), a participant who speaks once is a header too.
    recurring = {name for name, n in names.items() if n >= 2}
    if len(recurring) >= 2:
        found.update({i: h for i, h in loose.items() if classify(h[0]) in (CAPITALISED, STRONG)})
    else:
        found.update({i: h for i, h in loose.items() if h[0] in recurring})
    if bare and not _offsets([t for _, t in bare]):
        # "Opening 09:00 - 09:30": an agenda's clock times, not a recording's; the lines stay text
        for i, _ in bare:
            found.pop(i, None)
    return found


def _offsets(starts: list[float]) -> bool:
    """Whether time ranges are a recording's offsets: the first starts within a minute of the start of the
    recording and each starts no earlier than the one before (an agenda's "09:00 - 09:30" starts at nine)."""
    return starts[0] < 60 and all(a <= b for a, b in zip(starts, starts[1:], strict=False))


def _double_spaced(lines: list[str]) -> bool:
    """True when no two lines of text follow each other (in the first 400 lines)."""
    head = lines[:400]
    content = sum(1 for line in head if line.strip())
    return content >= 4 and not any(a.strip() and b.strip() for a, b in zip(head, head[1:], strict=False))


def looks_like_service(lines: list[str]) -> bool:
    """True when most blocks of the file start with a "Name  0:03" header (also when a tool wrote a time before
    every line, headers included: "0:00 Brian Okken  00:10")."""
    if _looks_like_service(lines):
        return True
    prefixed = _without_time_prefix(lines)
    return prefixed is not None and _looks_like_service(prefixed[0])


def _without_time_prefix(lines: list[str]) -> tuple[list[str], int] | None:
    """The lines without the time a tool wrote before nearly every one of them, and how many carried one; None when
    the lines are not written so."""
    content = 0
    out: list[str] = []
    prefixed = 0
    for line in lines:
        if not line.strip():
            out.append(line)
            continue
        content += 1
        seconds, rest = strip_leading_timestamp(line.strip())
        if seconds is None or not rest.strip():
            out.append(line)
            continue
        prefixed += 1
        out.append(rest)
    if content < 4 or prefixed * 10 < content * 9:
        return None
    return out, prefixed


def _looks_like_service(lines: list[str], headers: dict[int, tuple[str | None, float]] | None = None) -> bool:
    """Whether the ``lines`` are blocks under "Name  0:03" headers (``headers``: their :func:`header_lines`, if
    read already)."""
    headers = header_lines(lines) if headers is None else headers
    named = [i for i, (name, _) in headers.items() if name is not None]
    if len(headers) < 2 or (not named and len(headers) < 3):
        return False
    first = min(headers)
    blocks_after = sum(
        1 for i in range(first, len(lines)) if lines[i].strip() and (i == 0 or not lines[i - 1].strip())
    )
    # with a blank line after every line each paragraph counts as a block: a turn of three paragraphs is four
    return len(headers) * (4 if _double_spaced(lines) else 2) >= blocks_after


def read_service(text: str, name: str) -> ParsedTranscript:
    """Parse an Otter- or Teams-style export. Text before the first header (title, date, keywords) goes to
    metadata, as do the transcription start and stop lines."""
    lines = text.split("\n")
    notices = []
    headers = header_lines(lines)  # read once: the file's headers tell whether a time prefix must go first
    if not _looks_like_service(lines, headers) and (prefixed := _without_time_prefix(lines)) is not None:
        lines = prefixed[0]
        notices.append(f"{prefixed[1]} line(s) started with a time before the speaker headers and the speech"
                       " ('0:00 Name  00:10'): it was left out, and each block takes its header's time")
        headers = header_lines(lines)
    metadata: dict[str, object] = {}
    blocks: list[_Block] = []
    preamble: list[str] = []
    new_paragraph = True
    events = credits = 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        if i in headers:
            speaker, seconds = headers[i]
            blocks.append(_Block(speaker, seconds))
            new_paragraph = True
            inline = inline_header(line)
            if inline is not None:
                blocks[-1].paragraphs.append([_MARKUP.sub("", inline[2]).strip()])
                new_paragraph = False
            continue
        if not line:
            new_paragraph = True
            continue
        if tool_credit_alone(lines, i):
            credits += 1
            continue
        if not blocks:
            preamble.append(line)
            continue
        event = transcription_event(line)
        if event is not None:
            record_event(metadata, event)
            events += 1
            continue
        line = _MARKUP.sub("", line).strip()
        if not line:
            continue
        if new_paragraph or not blocks[-1].paragraphs:
            blocks[-1].paragraphs.append([line])
        else:
            blocks[-1].paragraphs[-1].append(line)
        new_paragraph = False
    if preamble:
        read_preamble(preamble, metadata)
        metadata["preamble"] = "\n".join(preamble)
        # what the tool wrote above the first speaker (title, date, keywords, an AI summary) is never speech: say so,
        # since a summary can be long
        notices.append(f"{len(preamble)} line(s) above the first speaker header ({len(' '.join(preamble).split())}"
                       " words: the tool's title, date, keywords or summary) were kept as metadata, not as speech")
    sounds = 0
    for block in blocks:
        kept = [p for p in block.paragraphs if not _ANNOTATION_ONLY.fullmatch(" ".join(p).strip())]
        sounds += len(block.paragraphs) - len(kept)
        block.paragraphs = kept
    drafts = Drafts()
    mark_times = MarkTimes()
    for block in blocks:
        MarkTimes.unwrap(block.paragraphs)
    for k, block in enumerate(blocks):
        if k + 1 < len(blocks):
            t_end = max(block.t_start, blocks[k + 1].t_start)
        else:
            words = sum(len(" ".join(p).split()) for p in block.paragraphs)
            t_end = round(block.t_start + words / _WORDS_PER_SECOND, 3)
        for p_index, paragraph in enumerate(block.paragraphs):
            # an unnamed block is someone the tool could not identify: never glue it to the block before
            drafts.add(block.speaker, mark_times.drop(" ".join(paragraph)), t_start=block.t_start, t_end=t_end,
                       new_turn=block.speaker is None and p_index == 0)
    teams = "transcription_started_by" in metadata or any("," in (b.speaker or "") for b in blocks)
    unnamed = sum(1 for b in blocks if b.speaker is None)
    if credits:
        notices.append(f"{credits} {CREDIT_NOTICE}")
    if sounds:
        notices.append(f"{sounds} passage(s) holding only a transcriber's note of a sound ('[laughs]') were left out")
    if mark_times.count:
        notices.append(mark_times.notice())
    if unnamed:
        notices.append(f"{unnamed} block(s) carry a time but no speaker name (the tool could not tell who spoke)")
    detected = "Microsoft Teams transcript (text)" if teams else "transcription-service export ('Name  0:03' headers)"
    return assemble(drafts, fmt="service", name=name, metadata=metadata, detected=detected, notices=notices)
