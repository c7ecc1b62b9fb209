"""Subtitle transcripts: WebVTT (Zoom, Teams) and SubRip (.srt).

Zoom writes "Name: text" in the cue, Teams writes ``<v Name>text</v>``; SRT files from
transcription tools put "Name:" on the first cue of a turn only. Consecutive cues of one
speaker become one turn whose text is the cues joined by single spaces.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qualcode.errors import InputError
from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import MOSTLY, Label, accepted_keys, find_label
from qualcode.model import ParsedTranscript

_TIME = r"(\d+:)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(r"\s*(" + _TIME + r")\s*-->\s*(" + _TIME + r")(?:\s+.*)?")
# Something a person meant as a timing line, even if broken ("00:01.5 -> 00:02", "00:00:61,000 --> ...").
_TIMING_LIKE = re.compile(r"\s*\d[\d:.,]*\s*(?:-->|->|–>|—>|--|→)")
# Bounded repeats: an unclosed "<v " repeated through a huge file must not make matching quadratic.
_VOICE = re.compile(r"<v(?:\.[^\s>]{0,40})?(?:\s+([^>\n]{0,80}))?>")
_TAGS = re.compile(
    r"</?(?:v|c|i|b|u|s|ruby|rt|lang|font|span)(?:[.\s][^>\n]{0,80})?>|<\d[\d:.]{0,20}>|\{\\[^}\n]{0,100}\}", re.I
)
_SKIP_BLOCKS = ("NOTE", "STYLE", "REGION")

TIMING_HINT = (
    "a timing reads '00:01:02.500 --> 00:01:05.000', with a comma in SRT files; fix the line or export the file again"
)


@dataclass
class Cue:
    t_start: float
    t_end: float
    lines: list[str]
    line_no: int


def _seconds(match: re.Match[str], first_group: int) -> float | None:
    hours, minutes, seconds, millis = (match.group(first_group + k) for k in range(1, 5))
    m, s = int(minutes), int(seconds)
    if s >= 60 or (hours is not None and m >= 60):
        return None
    total = (int(hours[:-1]) * 3600 if hours else 0) + m * 60 + s
    return round(total + (int(millis.ljust(3, "0")) / 1000 if millis else 0.0), 3)


def parse_timing(line: str, name: str, line_no: int) -> tuple[float, float]:
    """Parse "start --> end"; raise InputError pointing at the line when it is broken."""
    m = _TIMING.fullmatch(line)
    start = _seconds(m, 1) if m else None
    end = _seconds(m, 6) if m else None
    if start is None or end is None:
        raise InputError(f"broken cue timing '{line.strip()[:60]}'", path=name, line=line_no, hint=TIMING_HINT)
    if end < start:
        raise InputError(
            f"cue ends before it starts ('{line.strip()[:60]}')", path=name, line=line_no, hint=TIMING_HINT
        )
    return start, end


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based number of their first line."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for i, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                first = i
            current.append(line.rstrip())
        elif current:
            out.append((first, current))
            current = []
    if current:
        out.append((first, current))
    return out


def parse_cues(text: str, name: str, *, vtt: bool) -> list[Cue]:
    """Split a VTT/SRT file into cues, skipping the header and NOTE/STYLE/REGION blocks."""
    lines = text.split("\n")
    cues: list[Cue] = []
    for first, block in _blocks(lines):
        head = block[0].strip()
        if vtt and head.startswith("WEBVTT") and not cues:
            continue
        if vtt and head.split(" ", 1)[0] in _SKIP_BLOCKS:
            continue
        if "-->" in block[0]:
            timing, payload, timing_no = block[0], block[1:], first
        elif len(block) > 1 and "-->" in block[1]:
            timing, payload, timing_no = block[1], block[2:], first + 1  # block[0] is the cue id
        else:
            for k, line in enumerate(block[:2]):
                if _TIMING_LIKE.match(line):
                    raise InputError(
                        f"broken cue timing '{line.strip()[:60]}'", path=name, line=first + k, hint=TIMING_HINT
                    )
            if cues:
                # A blank line inside a cue's text: keep the words with the cue they belong to.
                cues[-1].lines.extend(block)
                continue
            raise InputError(
                f"text outside any cue: '{head[:60]}'",
                path=name,
                line=first,
                hint="each cue needs a timing line like '00:00:01.000 --> 00:00:04.000' before its text",
            )
        start, end = parse_timing(timing, name, timing_no)
        cues.append(Cue(start, end, payload, timing_no))
    return cues


@dataclass
class _Span:
    voice: str | None
    text: str
    cue: Cue
    label: Label | None = None


def _spans(cue: Cue) -> list[_Span]:
    """Split a cue's payload by voice tag and strip every tag and entity."""
    spans: list[_Span] = []
    voice: str | None = None
    for raw in cue.lines:
        pieces: list[tuple[str | None, str]] = []
        pos = 0
        for m in _VOICE.finditer(raw):
            pieces.append((voice, raw[pos : m.start()]))
            voice = " ".join((m.group(1) or "").split()) or None
            pos = m.end()
        pieces.append((voice, raw[pos:]))
        for v, chunk in pieces:
            clean = " ".join(html.unescape(_TAGS.sub("", chunk)).replace("\u200e", "").replace("\u200f", "").split())
            if not clean:
                continue
            if spans and spans[-1].voice == v:
                spans[-1].text += " " + clean
            else:
                spans.append(_Span(v, clean, cue))
        if "</v>" in raw:
            voice = None
    return spans


def read_cues(text: str, name: str, *, fmt: str) -> ParsedTranscript:
    """Parse WebVTT (``fmt="vtt"``) or SRT (``fmt="srt"``) text into turns with timings."""
    cues = parse_cues(text, name, vtt=fmt == "vtt")
    spans = [span for cue in cues for span in _spans(cue)]
    for span in spans:
        if span.voice is None:
            span.label = find_label(span.text)
    labels = [s.label for s in spans if s.label is not None]
    accepted = accepted_keys(labels)
    unvoiced = sum(1 for s in spans if s.voice is None)
    if unvoiced and sum(1 for lab in labels if lab.key in accepted) * 2 >= unvoiced:
        # Zoom prefixes nearly every cue with "Name:", so there a name that speaks once is a label too.
        accepted |= {lab.key for lab in labels if lab.strength >= MOSTLY}
    drafts = Drafts()
    display: dict[str, str] = {}
    notes: dict[str, str] = {}
    speaker: str | None = None
    for span in spans:
        body = span.text
        if span.voice is not None:
            speaker = span.voice
        elif span.label is not None and span.label.key in accepted:
            speaker = display.setdefault(span.label.key, span.label.speaker)
            if span.label.note:
                notes.setdefault(speaker, span.label.note)
            body = span.label.rest
        # else: a continuation cue keeps the previous speaker
        drafts.add(speaker, body, new_paragraph=False, t_start=span.cue.t_start, t_end=span.cue.t_end)
    metadata: dict[str, object] = {"speaker_notes": notes} if notes else {}
    return assemble(drafts, fmt=fmt, name=name, metadata=metadata)
