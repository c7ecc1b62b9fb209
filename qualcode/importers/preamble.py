"""What recording and transcription tools write above (and around) the speech: title, date, duration, keywords.

Microsoft Teams starts its transcripts with the meeting title, the date and the duration and writes "Clara Jensen
started transcription" where transcription began and stopped; Otter starts with the title, "Tue, Mar 19, 2024
10:02AM • 45:12", "SUMMARY KEYWORDS" and "SPEAKERS" lines. None of it is speech: it becomes metadata, never a
coding unit.
"""

from __future__ import annotations

import re
from typing import Any

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_CLOCK = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?"
_DATE = re.compile(
    _WEEKDAY
    + r"(?:"
    + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?"  # March 12, 2024 / Mar 19 2024
    + r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r",?\s+\d{4}"  # 15 June 2026
    + r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"  # 2024-03-12, 12/03/2024
    + r")" + _CLOCK + r"(?P<rest>\s*[•·|-]\s*(?P<dur>(?:\d+:)?\d{1,2}:\d{2}))?",
    re.I,
)
_DURATION = re.compile(r"(?:\d+\s*h\s*)?(?:\d+\s*m(?:in)?\s*)?\d+\s*s|\d+\s*h\s*\d+\s*m(?:in)?|\d+\s*m(?:in)?", re.I)
_TEAMS_TITLE = re.compile(r"(?P<title>.*?)[-_ ]*\d{8}_\d{6}[-_ ]*Meeting (?:Recording|Transcript)\s*", re.I)
# "Clara Jensen started transcription" / "Jensen, Clara stopped transcription" (Teams), also in a few languages.
_TRANSCRIPTION = re.compile(
    r"(?P<name>.{1,80}?)\s+(?P<what>started|stopped|has started|has stopped|a démarré|a arrêté|ha iniciado|"
    r"ha detenido|đã bắt đầu|đã dừng)\s+(?:the\s+)?(?:transcription|recording|la transcription|la transcripción|"
    r"phiên âm|ghi âm)\.?",
    re.I,
)
# "Transcribed by https://otter.ai", "(Transcribed by TurboScribe.ai - Go Unlimited to remove this message)",
# "Transcribed on August 5, 2025 at 7:52 pm by Minutes AI": the
# transcription tool's credit (or advertisement), written above or below the speech and sometimes between its
# paragraphs. Only a line standing alone is one (:func:`tool_credit_alone`): inside a paragraph it is someone's words.
TOOL_CREDIT = re.compile(
    r"\(?\s*(?:automatically\s+)?transcribed\s+(?:on\s+[^()\n]{1,60}?\s+)?(?:by|with|using)\s+(?:(?:https?://)?[\w-]+"
    r"(?:\.[\w-]+)*\.(?:ai|com|io|app|net|org|co)\b\S*|[\w-]+(?:\s[\w-]+)?\s(?-i:AI))(?:\s*[-–—:|]\s*[^()\n]{0,100})?\s*\)?\.?",
    re.I,
)
# the sections of the summary Otter writes above the transcript: none of them is the transcript's title
_SUMMARY_HEADINGS = frozenset({"summary", "overview", "action items", "outline", "transcript", "notes"})
_OTTER_SECTIONS = {"summary keywords": "keywords", "keywords": "keywords", "speakers": "speakers_listed"}


def tool_credit_alone(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is a transcription tool's credit standing alone: a paragraph of its own (blank lines
    or the file's edge around it), or the first or last words of the file. "My daughter said the notes were /
    transcribed by otter.ai - she uses it every day for school / and it works." is speech."""
    if len(lines[index]) > 300 or not TOOL_CREDIT.fullmatch(lines[index].strip()):
        return False
    before = [line for line in lines[:index] if line.strip()]
    after = [line for line in lines[index + 1 :] if line.strip()]
    alone = (index == 0 or not lines[index - 1].strip()) and (index + 1 == len(lines) or not lines[index + 1].strip())
    return alone or not before or not after


CREDIT_NOTICE = "line(s) crediting the transcription tool ('Transcribed by ...') were left out of the text"


def transcription_event(line: str) -> tuple[str, str] | None:
    """``("Clara Jensen", "started")`` for a "… started transcription" line; None for speech."""
    if len(line) > 200:
        return None  # these lines are short; the bound keeps the pattern cheap on long lines
    m = _TRANSCRIPTION.fullmatch(line.strip())
    if not m:
        return None
    what = "started" if any(w in m.group("what").lower() for w in ("start", "démarré", "inici", "bắt")) else "stopped"
    return " ".join(m.group("name").split()), what


def is_date_line(line: str) -> bool:
    return len(line) <= 300 and bool(_DATE.fullmatch(line.strip()))


def is_duration_line(line: str) -> bool:
    return len(line) <= 300 and bool(_DURATION.fullmatch(line.strip()))


def record_event(metadata: dict[str, Any], event: tuple[str, str]) -> None:
    """Keep who started and stopped the transcription in the metadata."""
    name, what = event
    metadata.setdefault(f"transcription_{what}_by", name)


def read_preamble(lines: list[str], metadata: dict[str, Any], *, strict: bool = False) -> list[str]:
    """Move what tools write above the speech into ``metadata``; return the lines that are not recognised (a
    free-text preamble), in order. ``lines`` are the non-blank lines before the first speaker header.

    ``strict``: only what a tool writes (dates, durations, a Teams title, keywords, transcription lines) is taken;
    the first free line is not taken as a title and recognition stops at the first line that is none of these."""
    rest: list[str] = []
    pending: str | None = None
    for index, raw in enumerate(lines):
        line = raw.strip().strip("*_").strip()
        if not line or line.startswith("<!--") and line.endswith("-->"):
            continue
        if len(line) > 300:  # speech, not a header line; also keeps the patterns below cheap
            if strict:
                return [x for x in lines[index:] if x.strip()]
            rest.append(line)
            continue
        low = line.casefold().rstrip(":")
        if pending is not None:
            metadata.setdefault(pending, line)
            pending = None
            continue
        if low in _OTTER_SECTIONS:
            pending = _OTTER_SECTIONS[low]
            continue
        event = transcription_event(line)
        if event is not None:
            record_event(metadata, event)
            continue
        m = _DATE.fullmatch(line)
        if m:
            metadata.setdefault("date", line if not m.group("rest") else line[: m.start("rest")].strip())
            if m.group("dur"):
                metadata.setdefault("duration", m.group("dur"))
            continue
        if is_duration_line(line) and index <= 3:
            metadata.setdefault("duration", line)
            continue
        teams = _TEAMS_TITLE.fullmatch(line)
        if teams and "title" not in metadata:
            metadata["title"] = teams.group("title").strip(" -_") or line
            continue
        if strict:
            return [raw for raw in lines[index:] if raw.strip()]
        if index == 0 and "title" not in metadata and len(line) <= 200 and low not in _SUMMARY_HEADINGS:
            metadata["title"] = line
            continue
        rest.append(line)
    return rest


def strict_prefix(lines: list[str], metadata: dict[str, Any]) -> int:
    """How many of the leading ``lines`` are tool-written preamble (taken into ``metadata``)."""
    left = read_preamble(lines, metadata, strict=True)
    return len([x for x in lines if x.strip()]) - len(left)
