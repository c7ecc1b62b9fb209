"""Subtitle transcripts: WebVTT (Zoom, Teams, YouTube, Whisper) and SubRip (.srt).

Zoom writes "Name: text" in the cue, Teams writes ``<v Name>text</v>`` (older Teams exports a name line above the
text), transcription tools put "Name:" on the first cue of a turn only, YouTube marks a change of speaker with
``>>`` and its automatic captions repeat each line in the next cue. Consecutive cues of one speaker become one turn
whose text is the cues joined by single spaces.

Cues are read as the WebVTT specification reads them: a timing line starts a cue even without a blank line before
it, cue settings after the timing are ignored, and NOTE, STYLE and REGION blocks and the header are never text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from qualcode.errors import InputError
from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import (
    MOSTLY,
    TIME_RANGE_END,
    TIMESTAMP,
    VOICE_TAG,
    Label,
    accepted_keys,
    classify,
    find_label,
    parse_timestamp,
)
from qualcode.importers.marks import MarkTimes
from qualcode.importers.overlaps import OVERLAP_NOTE, split_overlaps, voice_name
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
# ">>" (or "&gt;&gt;") starts a new speaker in broadcast and YouTube captions; ">>>" a new topic.
_CHANGE = re.compile(r"\s*>>>?\s*")
_DASH_LINE = re.compile(r"-\s+")
_MUSIC = re.compile(r"\[music\]|♪+", re.I)
_SOUND = re.compile(r"\[(?:music|applause|laughter|laughs|inaudible|crosstalk|silence|noise)\]|♪+", re.I)

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


def parse_timing(line: str, name: str, line_no: int,
                 reversed_ends: list[tuple[int, str]] | None = None) -> tuple[float, float]:
    """Parse "start --> end"; raise InputError pointing at the line when it is broken.

    A cue that ends before it starts raises too, unless ``reversed_ends`` is given: then its end is taken as its start
    and (line number, timing) is added to the list, for the report (noScribe writes such a cue now and then; one bad
    cue must not cost the whole interview)."""
    m = _TIMING.fullmatch(line)
    start = _seconds(m, 1) if m else None
    end = _seconds(m, 6) if m else None
    if start is None or end is None:
        raise InputError(f"broken cue timing '{line.strip()[:60]}'", path=name, line=line_no, hint=TIMING_HINT)
    if end < start:
        if reversed_ends is None:
            raise InputError(
                f"cue ends before it starts ('{line.strip()[:60]}')", path=name, line=line_no, hint=TIMING_HINT
            )
        reversed_ends.append((line_no, line.strip()[:60]))
        end = start
    return start, end


def is_timing_line(line: str) -> bool:
    """A cue timing line ("00:01:02.500 --> 00:01:05.000 align:start"), possibly broken."""
    return "-->" in line and bool(_TIMING_LIKE.match(line))


def parse_cues(text: str, name: str, *, vtt: bool, reversed_ends: list[tuple[int, str]] | None = None) -> list[Cue]:
    """Split a VTT/SRT file into cues, skipping the header and NOTE/STYLE/REGION blocks.

    A timing line starts a cue wherever it is (the WebVTT specification does not need a blank line before it);
    the line just before it is the cue's identifier when it stands alone after a blank line, or is a number in SRT.
    ``reversed_ends``: see :func:`parse_timing`.
    """
    lines = text.split("\n")
    cues: list[Cue] = []
    current: Cue | None = None
    skipping = False  # inside the header or a NOTE/STYLE/REGION block: up to the next blank line
    block_start = True  # the line follows a blank line (or is the first)
    after_id = False  # the line follows a cue identifier, so it must be a timing
    i = 0
    n = len(lines)
    if vtt:
        first = next((k for k, line in enumerate(lines) if line.strip()), n)
        if first < n and lines[first].strip().startswith("WEBVTT"):
            i, skipping = first + 1, True
    while i < n:
        raw = lines[i].rstrip()
        stripped = raw.strip()
        line_no = i + 1
        i += 1
        if not stripped:
            skipping, block_start = False, True
            if current is not None:
                cues.append(current)
                current = None
            continue
        if is_timing_line(raw) or (_TIMING_LIKE.match(raw) and (current is None or after_id)):
            start, end = parse_timing(raw, name, line_no, reversed_ends)
            if current is not None:
                cues.append(current)
            current, skipping, block_start, after_id = Cue(start, end, [], line_no), False, False, False
            continue
        after_id = False
        nxt = lines[i] if i < n else ""
        if skipping:
            continue
        if block_start and vtt and stripped.split(" ", 1)[0] in _SKIP_BLOCKS:
            skipping, block_start = True, False
            if current is not None:
                cues.append(current)
                current = None
            continue
        if _TIMING_LIKE.match(nxt) and (block_start or (not vtt and stripped.isdigit())):
            block_start, after_id = False, True  # a cue identifier (SRT: the cue number)
            if current is not None:
                cues.append(current)
                current = None
            continue
        block_start = False
        if current is not None:
            current.lines.append(raw)
        elif cues:
            # A blank line inside a cue's text: keep the words with the cue they belong to.
            cues[-1].lines.append(raw)
        else:
            raise InputError(
                f"text outside any cue: '{stripped[:60]}'",
                path=name,
                line=line_no,
                hint="each cue needs a timing line like '00:00:01.000 --> 00:00:04.000' before its text",
            )
    if current is not None:
        cues.append(current)
    return cues


@dataclass
class _Span:
    voice: str | None
    text: str
    cue: Cue
    change: bool = False  # a new speaker starts here without a name (">>", a dialogue dash)
    overlap: bool = False  # "//S00: words //" inside another voice's cue (noScribe's overlapping speech)
    label: Label | None = None
    name_line: str | None = field(default=None)


def _clean(chunk: str) -> str:
    text = html.unescape(_TAGS.sub("", chunk)).replace("\u200e", "").replace("\u200f", "")
    return " ".join(text.split())


def _drop_resent(cues: list[Cue]) -> tuple[list[Cue], int, int]:
    """Leave out the cues a live transcriber sent again: a cue with the same times, voice and words as an earlier one
    (WhisperLive re-sends its last segments with every update), and a cue that the next one of the same voice repeats
    and extends from the same start (a caption growing word by word), where the file shows re-sending (a repeated
    cue, or two grown ones): a Teams "Yes" of one speaker beside another's "Yes, so ..." at the same start, or a
    hand-made subtitle's two cues at one start, are both kept. Returns (cues kept, repeated, grown)."""
    seen: set[tuple[float, float, str, str]] = set()
    words = [" ".join(_clean(" ".join(c.lines)).split()) for c in cues]
    voices = [_cue_voice(c) for c in cues]
    repeated: set[int] = set()
    for k, cue in enumerate(cues):
        key = (cue.t_start, cue.t_end, voices[k], words[k])
        if words[k] and key in seen:
            repeated.add(k)
            continue
        seen.add(key)
    resent = len(repeated)
    growing: set[int] = set()
    for k, cue in enumerate(cues):
        if k in repeated or k + 1 >= len(cues):
            continue
        nxt = cues[k + 1]
        if (words[k] and nxt.t_start == cue.t_start and voices[k + 1] == voices[k]
                and len(words[k + 1]) > len(words[k]) and words[k + 1].startswith(words[k])):
            growing.add(k)
    if not resent and len(growing) < 2:
        growing = set()
    kept = [cue for k, cue in enumerate(cues) if k not in repeated and k not in growing]
    return kept, resent, len(growing)


def _cue_voice(cue: Cue) -> str:
    """Who a cue's words are of, as far as the cue says: its voice tag ("<v Clara Jensen>") or the label at its
    start ("Clara Jensen: ..."); "" for none."""
    first = next((line.strip() for line in cue.lines if line.strip()), "")
    m = VOICE_TAG.search(first)
    if m is not None:
        return " ".join(m.group(1).split()).casefold()
    label = find_label(_clean(first))
    return label.key if label is not None and label.rest else ""


def _rolling(cues: list[Cue]) -> bool:
    """YouTube's automatic captions repeat the previous cue's last line at the top of the next one."""
    repeats = 0
    previous: list[str] = []
    for cue in cues:
        lines = [c for c in (_clean(x) for x in cue.lines) if c]
        if previous and lines and lines[0] == previous[-1]:
            repeats += 1
        previous = lines or previous
    return len(cues) >= 4 and repeats * 3 >= len(cues)


def _spans(cue: Cue, shown: list[str] | None) -> list[_Span]:
    """Split a cue's payload by voice tag and speaker-change marks and strip every tag and entity.

    ``shown``: with rolling captions, the lines already shown by the previous cue (dropped here)."""
    spans: list[_Span] = []
    voice: str | None = None
    lines = cue.lines
    if shown is not None:
        cleaned = [_clean(x) for x in lines]
        keep = [k for k, c in enumerate(cleaned) if c]
        while keep and shown and cleaned[keep[0]] == shown[-1]:
            keep = keep[1:]
        lines = [lines[k] for k in keep]
    for raw in lines:
        pieces: list[tuple[str | None, str]] = []
        pos = 0
        for m in _VOICE.finditer(raw):
            pieces.append((voice, raw[pos : m.start()]))
            # the annotation is cue text too: Teams writes accented names as references ("Far&#237;as")
            voice = voice_name(" ".join(html.unescape(m.group(1) or "").split())) or None
            pos = m.end()
        pieces.append((voice, raw[pos:]))
        # "- " before a caption line is the subtitle convention for "another person speaks"
        line_change = bool(_DASH_LINE.match(_clean(raw)))
        for v, chunk in pieces:
            clean = _clean(chunk)
            if line_change and clean.startswith("-"):
                clean = clean[1:].strip()
            for k, part in enumerate(_CHANGE.split(clean) if ">>" in clean else [clean]):
                part = part.strip()
                change = line_change or (k > 0) or (k == 0 and clean.startswith(">>"))
                line_change = False
                if not part:
                    if change:
                        spans.append(_Span(v, "", cue, change=True))
                    continue
                for who, words in split_overlaps(part, v) if v is not None else [(v, part)]:
                    if spans and spans[-1].voice == who and not change:
                        spans[-1].text += " " + words
                    else:
                        spans.append(_Span(who, words, cue, change=change, overlap=who != v))
                    change = False
        if "</v>" in raw:
            voice = None
    return spans


def _name_lines(cues: list[Cue]) -> set[str]:
    """Older Teams Word exports, saved as text, put the speaker's name alone on the line above the cue's text."""
    firsts: dict[str, int] = {}
    candidates = 0
    for cue in cues:
        lines = [x.strip() for x in cue.lines if x.strip()]
        if len(lines) >= 2 and "<v" not in lines[0] and ":" not in lines[0]:
            head = _clean(lines[0])
            if head and head[-1] not in ".?!,;…" and classify(head) is not None:
                firsts[head] = firsts.get(head, 0) + 1
                candidates += 1
    if candidates * 2 < len(cues) or not any(c >= 2 for c in firsts.values()):
        return set()
    return set(firsts)


def read_cues(text: str, name: str, *, fmt: str, detected: str = "") -> ParsedTranscript:
    """Parse WebVTT (``fmt="vtt"``) or SRT (``fmt="srt"``) text into turns with timings."""
    reversed_ends: list[tuple[int, str]] = []
    cues = parse_cues(text, name, vtt=fmt != "srt", reversed_ends=reversed_ends)
    notices: list[str] = []
    if reversed_ends:
        line_no, timing = reversed_ends[0]
        notices.append(f"{len(reversed_ends)} cue(s) end before they start (the first at line {line_no}: '{timing}'):"
                       " each was read with its end at its start")
    cues, resent, grown = _drop_resent(cues)
    if resent or grown:
        said = []
        if resent:
            said.append(f"{resent} cue(s) repeated an earlier cue (the same times and words)")
        if grown:
            said.append(f"{grown} cue(s) were an earlier, shorter version of the next cue (the same start)")
        notices.append(" and ".join(said) + ", as live transcription re-sends its captions: they were left out, so"
                       f" {len(cues)} cue(s) remain")
    back = [c for p, c in zip(cues, cues[1:], strict=False) if c.t_start < p.t_start]
    if back:
        notices.append(f"{len(back)} cue(s) start before the cue before them (the first at line {back[0].line_no}):"
                       " the file may hold the same speech more than once, or out of order; they were read in the"
                       " file's order")
    rolling = _rolling(cues)
    names = _name_lines(cues)
    spans: list[_Span] = []
    shown: list[str] = []
    for cue in cues:
        if names:
            lines = [x for x in cue.lines if x.strip()]
            head = _clean(lines[0]) if lines else ""
            if head in names:
                cue = Cue(cue.t_start, cue.t_end, lines[1:], cue.line_no)
                for span in _spans(cue, None):
                    span.voice = span.voice or head
                    spans.append(span)
                continue
        spans.extend(_spans(cue, shown if rolling else None))
        if rolling:
            cleaned = [c for c in (_clean(x) for x in cue.lines) if c]
            shown = cleaned or shown
    if rolling:
        notices.append("automatic captions: lines repeated from the previous caption were left out")
    overlaps = [s for s in spans if s.overlap]
    if overlaps:
        notices.append(OVERLAP_NOTE.format(n=len(overlaps), label=overlaps[0].voice))
    for span in spans:
        if span.voice is None and span.text:
            span.label = find_label(span.text)
    labels = [s.label for s in spans if s.label is not None]
    accepted = accepted_keys(labels)
    unvoiced = sum(1 for s in spans if s.voice is None and s.text)
    strong_enough = [lab for lab in labels if lab.strength >= MOSTLY]
    if unvoiced and (len(strong_enough) * 2 >= unvoiced or (len(strong_enough) >= 2 and accepted)):
        # A label at the start of a cue is rarely speech: where cues carry labels (Zoom prefixes nearly every cue,
        # transcription services the first cue of each turn), a name that speaks once is a label too.
        accepted |= {lab.key for lab in strong_enough}
    drafts = Drafts()
    display: dict[str, str] = {}
    notes: dict[str, str] = {}
    speaker: str | None = None
    sounds = music = 0
    mark_times = MarkTimes()
    for span in spans:
        body = span.text
        new_turn = False
        if span.voice is not None:
            speaker = span.voice
        elif span.label is not None and span.label.key in accepted:
            speaker = display.setdefault(span.label.key, span.label.speaker)
            if span.label.note:
                notes.setdefault(speaker, span.label.note)
            body = span.label.rest
        elif span.change:
            speaker, new_turn = None, True  # someone else speaks; the file does not say who
        # else: a continuation cue keeps the previous speaker
        if _SOUND.fullmatch(body.strip()):
            sounds += 1
            body = ""
        elif "[" in body or "♪" in body:
            body, n = _MUSIC.subn(" ", body)  # "um [Music] and then": music is no one's words, wherever it is
            music += n
        drafts.add(speaker, mark_times.drop(body), new_paragraph=False, new_turn=new_turn, t_start=span.cue.t_start,
                   t_end=span.cue.t_end)
    if mark_times.count:
        notices.append(mark_times.notice())
    if sounds:
        notices.append(f"{sounds} caption(s) holding only a sound ([Music], [Applause]) were left out")
    if music:
        notices.append(f"{music} mark(s) of music ([Music], ♪) inside the captions were left out of the text")
    metadata: dict[str, object] = {"speaker_notes": notes} if notes else {}
    if not detected:
        detected = _describe(fmt, spans, names, rolling)
    return assemble(drafts, fmt=fmt, name=name, metadata=metadata, detected=detected, notices=notices)


def _describe(fmt: str, spans: list[_Span], names: set[str], rolling: bool) -> str:
    kind = "WebVTT" if fmt == "vtt" else "SubRip (SRT)"
    if rolling:
        return f"{kind}: YouTube automatic captions"
    if names:
        return f"{kind}: Microsoft Teams (names above the text)"
    if any(s.overlap for s in spans):
        return f"{kind}: voice tags with '//' overlapping speech (noScribe)"
    if any(s.voice for s in spans):
        return f"{kind}: voice tags (Microsoft Teams)"
    if any(s.change for s in spans):
        return f"{kind}: captions with '>>' speaker changes"
    if any(s.label for s in spans):
        return f"{kind}: 'Name:' labels (Zoom, transcription services)"
    return f"{kind}: captions without speaker labels"


# "00:00:05 text", "[00:05] - text": the time before a caption line (a dash after it is the caption's own mark)
_LINE_TIME = re.compile(r"[\[(]?(" + TIMESTAMP + r")" + TIME_RANGE_END + r"[\])]?(?:\s+|$)")
# Otter's average-speech estimate, for the end of the last caption, which a line's time does not give
_WORDS_PER_SECOND = 2.5
TIMED_LINES_NOTICE = ("every line started with a time, as captions saved as text do: each line was read as a caption,"
                      " so a sentence that runs on to the next line stays one unit")


def timed_lines_as_vtt(text: str) -> str | None:
    """Captions saved as text, a time before each caption ("00:00:05 <v Brian Okken>This is episode 481,", "00:00:04
    your earbuds. This is episode 150"), as WebVTT the cue reader can read; None for any other text.

    Lines that carry "Name:" labels are left to the text reader, which keeps each line a paragraph of its own; so is a
    file with a line of text before the first time (a title), whose place a cue would not keep."""
    entries: list[tuple[float, list[str]]] = []
    content = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        content += 1
        m = _LINE_TIME.match(line)
        seconds = parse_timestamp(m.group(1)) if m else None
        rest = line[m.end():] if m else ""
        if seconds is not None and rest.strip():
            entries.append((seconds, [rest.strip()]))
        elif seconds is None and entries:
            entries[-1][1].append(line)
        else:
            return None
    if content < 4 or len(entries) * 10 < content * 9:
        return None
    if "<v" not in text:
        labels = [find_label(lines[0]) for _, lines in entries]
        if accepted_keys(lab for lab in labels if lab is not None):
            return None
    out = ["WEBVTT", ""]
    for k, (start, lines) in enumerate(entries):
        if k + 1 < len(entries):
            end = max(start, entries[k + 1][0])
        else:
            end = round(start + len(" ".join(lines).split()) / _WORDS_PER_SECOND, 3)
        out += [f"{_clock(start)} --> {_clock(end)}", *lines, ""]
    return "\n".join(out)


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


# YouTube's SubViewer captions (.sbv): "0:00:03.900,0:00:08.460" alone on the line above each caption's text
_SBV_TIMING = re.compile(r"\s*(\d{1,2}:\d{2}:\d{2}\.\d{1,3}),(\d{1,2}:\d{2}:\d{2}\.\d{1,3})\s*")


def sbv_as_vtt(text: str) -> str | None:
    """SubViewer captions (YouTube Studio's .sbv download) as WebVTT the cue reader can read; None for any other
    text. The file must start with a timing line, and each caption is a timing line, its text and a blank line."""
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if not _SBV_TIMING.fullmatch(first):
        return None
    out = ["WEBVTT", ""]
    timings = 0
    for line in lines:
        m = _SBV_TIMING.fullmatch(line)
        if m:
            timings += 1
            if out[-1].strip():
                out.append("")  # SubViewer does not need a blank line between captions; keep each cue apart
            out.append(f"{m.group(1)} --> {m.group(2)}")
        elif line.strip() and _TIMING_LIKE.match(line):
            return None  # a "-->" timing too: not SubViewer
        else:
            out.append(line)
    return "\n".join(out) if timings else None


# Whisper's .tsv output: a "start<TAB>end<TAB>text" header, then a line per segment with its times in milliseconds
_TSV_HEADER = re.compile(r"\ufeff?start\tend\ttext\s*", re.I)
_TSV_LINE = re.compile(r"(\d{1,9})\t(\d{1,9})\t(.*)")


def is_whisper_tsv(text: str) -> bool:
    """Whether a text is Whisper's .tsv output (its first line is the header "start<TAB>end<TAB>text")."""
    return bool(_TSV_HEADER.fullmatch(text.split("\n", 1)[0].rstrip("\r")))


def whisper_tsv_as_vtt(text: str, name: str) -> str:
    """Whisper's .tsv output as WebVTT the cue reader can read. Raises InputError naming a line that is not
    "start<TAB>end<TAB>text" with times in milliseconds."""
    out = ["WEBVTT", ""]
    for line_no, raw in enumerate(text.split("\n")[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        m = _TSV_LINE.fullmatch(line)
        if m is None:
            raise InputError(f"not a line of Whisper's .tsv output: '{line.strip()[:60]}'", path=name, line=line_no,
                             hint="each line holds the start and end in milliseconds and the text, separated by tabs")
        start, end = int(m.group(1)) / 1000, int(m.group(2)) / 1000
        out += [f"{_clock(start)} --> {_clock(end)}", m.group(3).replace("\t", " "), ""]
    return "\n".join(out)
