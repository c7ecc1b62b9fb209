"""Plain text and Markdown transcripts with speaker labels (also the engine behind .docx).

Readers turn their source into :class:`Block` s (a paragraph's lines, or a table row whose
speaker is known from its cell) and :func:`blocks_to_drafts` does the rest: header metadata,
label recognition over the whole file, and turns.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import (
    STRONG,
    Label,
    accepted_keys,
    classify,
    find_label,
    strip_leading_timestamp,
)
from qualcode.importers.service_reader import header as service_header
from qualcode.model import ParsedTranscript

_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_RULE = re.compile(r"(?:[-*_=]\s*){3,}")
_BULLET = re.compile(r"[-*+•]\s+")
_QUOTE = re.compile(r"(?:>\s?)+")
# "__" pairs cannot contain "_", so a line of many unclosed "__" stays linear.
_UNDERSCORE_BOLD = re.compile(r"__(?=[^_\s])([^_\n]{0,300}[^_\s])__|__([^_\s])__")
_MD_TABLE_SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")

# Keys of the "Date: ... / Location: ..." block many transcripts start with.
META_KEYS = frozenset(
    """id interview_id transcript_id case_id case interview date interview_date time location place venue
    province city duration length language languages organisation organization role position sex gender
    project projects title type mode recording recorded file transcribed_by transcriber group
    stakeholder_group subject format""".split()
)
META_ROLE_KEYS = frozenset(
    """interviewer interviewers informant interviewee respondent moderator facilitator participants
    participant translator interpreter note_taker notetaker""".split()
)
SPEAKER_HEADERS = frozenset({"speaker", "speakers", "name", "who", "participant", "person", "người nói"})
TEXT_HEADERS = frozenset(
    {"text", "transcript", "speech", "content", "statement", "response", "utterance", "what was said", "nội dung"}
)
TIME_HEADERS = frozenset({"time", "timestamp", "start", "thời gian"})


@dataclass
class Block:
    """A paragraph of source lines, or a table row whose speaker comes from a cell (``forced``)."""

    lines: list[str]
    speaker: str | None = None
    forced: bool = False
    t_start: float | None = None
    labels: list[Label | None] = field(default_factory=list)


def meta_key(key: str) -> str:
    """Metadata keys are lower-cased with spaces as underscores: "Interview ID" -> "interview_id"."""
    return re.sub(r"[\s\-]+", "_", key.strip().rstrip(":：").strip().casefold())


def meta_value(value: Any) -> Any:
    """Keep metadata JSON-friendly: YAML dates become ISO strings."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): meta_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [meta_value(v) for v in value]
    return value


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], list[str], int]:
    """Return (metadata, body lines, number of lines consumed) for optional YAML front matter."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].strip() != "---":
        return {}, lines, 0
    end = next((j for j in range(first + 1, min(len(lines), first + 500)) if lines[j].strip() in ("---", "...")), None)
    if end is None:
        return {}, lines, 0
    from qualcode.safeio import yaml as safe_yaml  # only transcripts with front matter pay for it

    try:
        data = safe_yaml.load("\n".join(lines[first + 1 : end]), name)
    except safe_yaml.YamlError as err:
        raise InputError(
            f"the front matter (between the '---' lines) {err.reason}",
            path=name,
            line=first + 1 + err.line_no if err.line_no is not None else first + 1,
            hint="write one 'key: value' per line, and quote values that contain a colon",
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            "the front matter (between the '---' lines) must be 'key: value' lines",
            path=name,
            line=first + 2,
        )
    metadata = {meta_key(str(k)): meta_value(v) for k, v in data.items()}
    return metadata, lines[end + 1 :], end + 1


def text_blocks(lines: list[str], metadata: dict[str, Any]) -> list[Block]:
    """Group plain-text/Markdown lines into blocks (blank lines, headings and bullets separate them)."""
    blocks: list[Block] = []
    current: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal current, table
        if current:
            blocks.append(Block(current))
            current = []
        if table:
            blocks.extend(table_blocks(table, metadata, speech_started=_speech_started(blocks)))
            table = []

    for raw in lines:
        line = raw.strip()
        if line.startswith("|") and line.count("|") >= 2:
            if current:
                blocks.append(Block(current))
                current = []
            if not _MD_TABLE_SEPARATOR.fullmatch(line):
                table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            flush()
        if not line or _RULE.fullmatch(line):
            flush()
            continue
        if _HEADING.match(line):
            flush()
            metadata.setdefault("title", clean_inline(line.lstrip("#").strip().rstrip("#").strip()))
            continue
        if line.startswith("<!--") and line.endswith("-->"):
            continue
        line = _QUOTE.sub("", line, count=1) if line.startswith(">") else line
        bullet = _BULLET.match(line)
        if bullet and not line.startswith(("**", "__")):
            flush()
            line = line[bullet.end() :]
        if line:
            current.append(line)
    flush()
    return blocks


def _speech_started(blocks: list[Block]) -> bool:
    return any(b.lines for b in blocks)


def table_blocks(rows: list[list[str]], metadata: dict[str, Any], *, speech_started: bool) -> list[Block]:
    """Blocks for a table: a Speaker|Text table gives a turn per row; key|value before any speech is metadata."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip().rstrip(":").casefold() for c in rows[0]]
    speaker_col = next((i for i, c in enumerate(header) if c in SPEAKER_HEADERS), None)
    text_col = next((i for i, c in enumerate(header) if c in TEXT_HEADERS), None)
    time_col = next((i for i, c in enumerate(header) if c in TIME_HEADERS), None)
    body = rows
    if speaker_col is not None and text_col is not None:
        body = rows[1:]
    else:
        width = max(len(r) for r in rows)
        firsts = [r[0].strip().casefold() for r in rows if r]
        keys = [meta_key(f) for f in firsts]
        values = [r[1] for r in rows if len(r) > 1]
        # Metadata keys never repeat; speakers do. Short values or known keys tell the rest apart.
        looks_meta = (
            width == 2
            and len(set(firsts)) == len(firsts)
            and (
                sum(k in META_KEYS for k in keys) * 2 >= len(keys)
                or sum(len(v) for v in values) <= 60 * max(1, len(values))
            )
        )
        if looks_meta and not speech_started:
            for r in rows:
                if len(r) >= 2 and r[0].strip():
                    metadata.setdefault(meta_key(r[0]), " ".join(r[1].split()))
            return []
        if width >= 2 and len(set(firsts)) < len(firsts):
            speaker_col, text_col = 0, width - 1  # speakers repeat down the first column
        else:
            # Not a transcript table: keep its text as ordinary paragraphs so nothing is lost.
            return [Block([" ".join(c for c in r if c.strip())]) for r in rows]
    blocks: list[Block] = []
    for r in body:
        if text_col >= len(r):
            continue
        speaker = r[speaker_col].strip() if speaker_col < len(r) else ""
        speaker = speaker.strip("*_[] ").rstrip(":：").strip()
        t_start = None
        if time_col is not None and time_col < len(r):
            t_start, _ = strip_leading_timestamp(r[time_col].strip())
        paragraphs = [p for p in r[text_col].split("\n") if p.strip()]
        for k, para in enumerate(paragraphs):
            blocks.append(Block([para], speaker=speaker or None, forced=True, t_start=t_start if k == 0 else None))
    return blocks


def clean_inline(text: str) -> str:
    """Remove Markdown emphasis markers (**bold**, __bold__) but keep their words."""
    # "**" never occurs in speech, so every one of them is markup (even an unbalanced one).
    text = text.replace("**", "")
    if "__" not in text:
        return text
    return _UNDERSCORE_BOLD.sub(lambda m: m.group(1) or m.group(2), text)


def _is_meta_line(key: str, value: str) -> bool:
    if key in META_KEYS:
        return len(value) <= 120 and not value.endswith("?")
    # "Interviewer: Clara Jensen" is a header line, "Interviewer: Thank you for coming." is speech.
    return key in META_ROLE_KEYS and len(value) <= 200 and not value.endswith((".", "?", "!", "…", ":"))


def _header_metadata(blocks: list[Block], metadata: dict[str, Any]) -> None:
    """Move a leading "Date: ... / Location: ..." block into metadata (it is not speech)."""
    found: list[tuple[int, int, str, str]] = []
    for b_index, block in enumerate(blocks):
        if block.forced:
            break
        stop = False
        for l_index, line in enumerate(block.lines):
            key, sep, value = line.partition(":")
            k = meta_key(clean_inline(key).strip("*_ "))
            value = clean_inline(value).strip("*_ ").strip()
            if not sep or not _is_meta_line(k, value):
                stop = True
                break
            found.append((b_index, l_index, k, value))
        if stop:
            break
    if not any(k in META_KEYS for _, _, k, _ in found):
        return
    for _, _, k, v in found:
        metadata.setdefault(k, v)
    consumed: dict[int, int] = {}
    for b_index, l_index, _, _ in found:
        consumed[b_index] = max(consumed.get(b_index, -1), l_index)
    for b_index, l_index in consumed.items():
        blocks[b_index].lines = blocks[b_index].lines[l_index + 1 :]


def _service_headers(blocks: list[Block]) -> None:
    """Take "Clara Jensen  0:03" lines as labels when they recur (Teams and Otter exports saved as .docx)."""
    found: list[tuple[Block, int, str, float]] = []
    for block in blocks:
        if block.forced:
            continue
        for i, line in enumerate(block.lines):
            if block.labels[i] is None:
                head = service_header(line)
                # the name must look like a label: "We met at 10:30" alone on a line is speech
                if head is not None and classify(head[0]) is not None:
                    found.append((block, i, head[0], head[1]))
    if len(found) < 2:
        return
    for block, i, speaker, seconds in found:
        block.labels[i] = Label(speaker=speaker, rest="", t_start=seconds, strength=STRONG)


def blocks_to_drafts(blocks: list[Block], metadata: dict[str, Any]) -> Drafts:
    """Recognise labels over all blocks and build the speaker turns."""
    _header_metadata(blocks, metadata)
    candidates: list[Label] = []
    for block in blocks:
        block.labels = [None if block.forced else find_label(line) for line in block.lines]
    _service_headers(blocks)
    for block in blocks:
        candidates.extend(lab for lab in block.labels if lab is not None)
    accepted = accepted_keys(candidates)
    display: dict[str, str] = {}
    notes: dict[str, str] = {}
    drafts = Drafts()
    speaker: str | None = None
    pending_time: float | None = None
    for block in blocks:
        if block.forced:
            speaker = block.speaker
            if speaker:
                m = re.fullmatch(r"(.+?)\s*\(([^()]{1,60})\)", speaker)
                if m:
                    speaker = m.group(1)
                    notes.setdefault(speaker, m.group(2).strip())
            drafts.add(speaker, clean_inline(" ".join(block.lines)), t_start=block.t_start)
            continue
        new_paragraph = True
        for line, label in zip(block.lines, block.labels, strict=True):
            if label is not None and label.key in accepted:
                speaker = display.setdefault(label.key, label.speaker)
                if label.note:
                    notes.setdefault(speaker, label.note)
                drafts.add(speaker, clean_inline(label.rest), t_start=label.t_start)
                new_paragraph = not label.rest
                # "Interviewer (00:03):" alone on its line: its time belongs to the speech below
                pending_time = None if label.rest else label.t_start
                continue
            t_start, body = strip_leading_timestamp(line)
            if not body.strip():
                continue  # a bare timestamp line
            if t_start is None:
                t_start, pending_time = pending_time, None
            drafts.add(speaker, clean_inline(body), new_paragraph=new_paragraph, t_start=t_start)
            new_paragraph = False
    if notes:
        metadata["speaker_notes"] = notes
    return drafts


def read_text(text: str, name: str) -> ParsedTranscript:
    """Parse a plain-text or Markdown transcript (already decoded)."""
    metadata, lines, _ = split_front_matter(text, name)
    blocks = text_blocks(lines, metadata)
    drafts = blocks_to_drafts(blocks, metadata)
    return assemble(drafts, fmt="text", name=name, metadata=metadata)
