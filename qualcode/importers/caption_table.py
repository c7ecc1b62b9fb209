"""Transcripts kept as records: a table with a row per stretch of speech and a header naming its columns, and
Whisper's and WhisperX's JSON output.

Transcription tools and the people who correct their output keep transcripts in spreadsheets: Whisper's .tsv
("start", "end", "text", milliseconds) opened and saved again with more columns ("Speaker", "Start time (seconds)",
"Raw transcription", "Corrected transcription", ...), or a tool's CSV export ("Speaker,Start Time,End Time,Text").
The header may sit below a line or two of notes. Such a table is read as captions: each row a cue, its speaker the
row's speaker, its words the text column's (a corrected text where the row has one).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

from qualcode.errors import InputError
from qualcode.importers.cue_reader import UNTIMED, Cue, CueDamage, settle_untimed
from qualcode.importers.labels import parse_timestamp

# a column holding the words, the start, the end, the speaker; matched on the header's words, case ignored
_TEXT = re.compile(r"\b(?:text|transcript|transcription|utterance|content|caption|subtitle|sentence|words?)\b", re.I)
_CORRECTED = re.compile(r"\b(?:correct\w*|edited|clean\w*|final|revised|reviewed)\b", re.I)
_START = re.compile(r"^\s*(?:start|begin|from|in\b|time\b|timestamp\b)", re.I)
_END = re.compile(r"^\s*(?:end|stop|to\b|out\b)", re.I)
_SPEAKER = re.compile(r"^\s*(?:speaker|speaker name|name|who|participant|voice|person)\b", re.I)
_MILLIS = re.compile(r"\bms\b|milli", re.I)
_SECONDS = re.compile(r"\bsec|\bseconds?\b|\(s\)", re.I)
# lines looked at for the header: a title or a note may come first
_HEADER_LINES = 4


@dataclass
class TableColumns:
    """Where a table's columns are, and how its times are written."""

    delimiter: str
    header_line: int  # 0-based index of the header among the file's lines
    names: list[str]
    text: list[int]  # text columns, the preferred first (a corrected text before the raw one)
    start: int
    end: int | None
    speaker: int | None
    millis: bool

    def describe(self) -> str:
        shown = ", ".join(f"'{n}'" for n in self.names if n.strip())
        used = self.names[self.text[0]]
        more = f", else from '{self.names[self.text[1]]}'" if len(self.text) > 1 else ""
        return f"a table of speech (columns {shown}): the words from '{used}'{more}"


def table_columns(text: str) -> TableColumns | None:
    """The columns of a transcript kept as a table, or None for any other text: a header, within the first lines,
    that names a text column and a start column, separated by tabs or commas, and rows below it."""
    lines = text.split("\n")
    filled = [k for k, line in enumerate(lines) if line.strip()][:_HEADER_LINES]
    for k in filled:
        line = lines[k].rstrip("\r")
        delimiter = "\t" if "\t" in line else "," if "," in line else ""
        if not delimiter:
            continue
        names = next(csv.reader([line], delimiter=delimiter))
        found = _columns(names, delimiter, k)
        if found is not None:
            return found
    return None


# a case sheet's columns: a sheet that has one is the case sheet, whatever else it holds ("transcript" names the
# transcript a row is about, not its words)
_SHEET_KEYS = frozenset({"transcript", "transcript_id", "interview_id", "case_id", "file", "case"})
# "id" alone names a case sheet's rows, or numbers a transcript table's segments (Whisper's segments saved as CSV:
# "id,seek,start,end,text,..."): the sheet's when no end column names the rows as stretches of speech
_ID = "id"


def _columns(names: list[str], delimiter: str, header_line: int) -> TableColumns | None:
    keys = ["_".join(n.strip().lower().split()) for n in names]
    if any(k in _SHEET_KEYS for k in keys):
        return None
    if _ID in keys and not any(_END.match(n) for n in names):
        return None
    texts = [i for i, n in enumerate(names) if _TEXT.search(n) and not _START.match(n) and not _END.match(n)]
    starts = [i for i, n in enumerate(names) if _START.match(n)]
    if not texts or not starts or len(names) < 2:
        return None
    texts.sort(key=lambda i: 0 if _CORRECTED.search(names[i]) else 1)
    # times in seconds before times in milliseconds, when both are there: seconds are what a person reads
    start = min(starts, key=lambda i: 1 if _MILLIS.search(names[i]) else 0)
    millis = bool(_MILLIS.search(names[start]))
    ends = [i for i, n in enumerate(names) if _END.match(n) and bool(_MILLIS.search(n)) == millis]
    speakers = [i for i, n in enumerate(names) if _SPEAKER.match(n) and i not in texts]
    return TableColumns(delimiter, header_line, names, texts, start, ends[0] if ends else None,
                        speakers[0] if speakers else None, millis)


def read_time(value: str, *, millis: bool) -> float | None:
    """A cell's time in seconds: "12", "12.5", "00:01:02.500", "1:02"; milliseconds where the column says so."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{1,9}(?:[.,]\d{1,6})?", value):
        seconds = float(value.replace(",", "."))
        return round(seconds / 1000 if millis else seconds, 3)
    return parse_timestamp(value.replace(",", "."))


def table_rows(text: str, columns: TableColumns) -> list[tuple[int, list[str]]]:
    """The rows below the header, each with its 1-based line number in the file. In a comma-separated export a
    quoted cell may hold a line break, so a row keeps the line it starts on; tab-separated rows are a line each."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    first = columns.header_line + 1
    if columns.delimiter == "\t":
        return [(first + k + 1, line.split("\t")) for k, line in enumerate(lines[first:]) if line.strip()]
    reader = csv.reader(io.StringIO("\n".join(lines[first:])))
    rows = []
    ended = 0  # the line the row before ended on (a quoted cell may run on over lines, or to the end of the file)
    for cells in reader:
        line_no, ended = first + ended + 1, reader.line_num
        if any(c.strip() for c in cells):
            rows.append((line_no, cells))
    return rows


def table_cues(text: str, name: str, damage: CueDamage) -> tuple[list[Cue], TableColumns] | None:
    """A transcript kept as a table as cues with their line numbers, and its columns; None for any other text.
    A row whose start cannot be read keeps its words, timed at the end of the row before, and is noted in
    ``damage``; the lines above the header are noted there too."""
    columns = table_columns(text)
    if columns is None:
        return None
    rows = table_rows(text, columns)
    if not columns.millis and not _SECONDS.search(columns.names[columns.start]) and rows and all(
            re.fullmatch(r"\d{1,9}", _cell(cells, columns.start).strip() or "0") for _, cells in rows):
        # a plain "start" of whole numbers is milliseconds, as Whisper and whisper.cpp write them
        columns.millis = True
        damage.notes.append("the times are whole numbers under a plain 'start' column: read as milliseconds, as"
                            " Whisper writes them")
    timed = [r for r in rows if read_time(_cell(r[1], columns.start), millis=columns.millis) is not None]
    if len(timed) < 2 or len(timed) * 2 < len(rows):
        return None  # a sheet whose "start" column holds no times: not a transcript
    above = [line.strip() for line in text.split("\n")[:columns.header_line] if line.strip()]
    if above:
        shown = above[0].replace("\t", " ").strip()[:60]
        damage.notes.append(f"{len(above)} line(s) above the table's header were left out ('{shown}')")
    cues: list[Cue] = []
    for line_no, cells in rows:
        words = next((_cell(cells, i) for i in columns.text if _cell(cells, i).strip()), "").strip()
        start = read_time(_cell(cells, columns.start), millis=columns.millis)
        end = read_time(_cell(cells, columns.end), millis=columns.millis) if columns.end is not None else None
        if start is None:
            damage.broken.append((line_no, _cell(cells, columns.start).strip()[:60] or "(no start)"))
            damage.first_error = damage.first_error or InputError(
                f"a row without a readable start time ('{_cell(cells, columns.start).strip()[:40]}')", path=name,
                line=line_no, hint="each row needs its start time, in seconds or as 00:01:02")
            start = end = UNTIMED
        elif end is None or end < start:
            if end is not None:
                damage.reversed_ends.append((line_no, f"{_cell(cells, columns.start)} {_cell(cells, columns.end)}"))
            end = start
        if not words:
            continue
        speaker = _cell(cells, columns.speaker).strip() if columns.speaker is not None else ""
        cues.append(Cue(start, end, [words], line_no, voice=" ".join(speaker.split()) or None, plain=True))
    damage.check(sum(1 for c in cues if c.t_start != UNTIMED))
    return settle_untimed(cues), columns


def table_refusal(text: str, name: str, columns: TableColumns) -> InputError:
    """Why a file whose header is a transcript table's could not be read as one: it has no rows, or too few rows
    with a readable start; the error names the line to look at."""
    rows = table_rows(text, columns)
    if not rows:
        return InputError("this table of speech has a header but no rows", path=name, line=columns.header_line + 1,
                          hint="export the transcript again, with its rows")
    line_no, cells = next(((n, c) for n, c in rows if read_time(_cell(c, columns.start), millis=columns.millis)
                           is None), rows[0])
    start = _cell(cells, columns.start).strip()[:40]
    unclosed = any('"' in c and "\n" in c for c in cells)
    what = "a row whose quote is never closed" if unclosed else \
        f"a row without a readable start time ('{start}')" if start else "a row without a start time"
    return InputError(f"{what}: too few rows of this table of speech could be read", path=name, line=line_no,
                      hint="each row needs its start time, in seconds or as 00:01:02; fix the row or export the"
                           " transcript again")


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


# Whisper's and WhisperX's JSON output: {"segments": [{"start": 0.031, "end": 2.434, "text": " OK, so ...",
# "speaker": "SPEAKER_00" (WhisperX, with diarization), "words": [...]}], "language": "en", ...}
def read_json(text: str) -> object | None:
    """A text's JSON value when it is a JSON object (a tool's output, not a transcript a person wrote), else None."""
    if text.lstrip("\ufeff \t\r\n")[:1] != "{":
        return None
    import json

    try:
        return json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None


def json_cues(data: object, text: str, name: str, damage: CueDamage) -> list[Cue]:
    """Whisper's or WhisperX's JSON output (``data``, read from ``text``) as cues, each with the line its segment
    starts on. Raises InputError for any other JSON: its keys and values are no one's words. A segment whose start
    is not a time (NaN, an overflowing 1e400, a negative number) keeps its words, timed at the segment before, and
    is noted in ``damage``; an end that is not a time is the segment's start."""
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list) or not segments or not all(
            isinstance(s, dict) and isinstance(s.get("text"), str) and _numeric(s.get("start")) for s in segments):
        raise InputError("this JSON file is not Whisper's or WhisperX's output (a list of 'segments', each with its"
                         " 'start', 'end' and 'text')", path=name,
                         hint="export the transcript as .vtt, .srt or .txt from the tool that wrote it")
    starts = _segment_lines(text)
    if len(starts) != len(segments):
        starts = [1] * len(segments)
    cues = []
    for k, segment in enumerate(segments):
        start = _number(segment.get("start"))
        end = _number(segment.get("end"))
        speaker = segment.get("speaker")
        words = " ".join(str(segment["text"]).split())
        if start is None:
            damage.broken.append((starts[k], f"start {segment.get('start')}"))
            damage.first_error = damage.first_error or InputError(
                f"a segment whose start is not a time ({segment.get('start')})", path=name, line=starts[k],
                hint="each segment's start is a number of seconds; export the transcript again")
        if not words:
            continue
        voice = " ".join(speaker.split()) or None if isinstance(speaker, str) else None
        if start is None:
            cues.append(Cue(UNTIMED, UNTIMED, [words], starts[k], voice=voice, plain=True))
            continue
        cues.append(Cue(round(start, 3), round(max(end, start) if end is not None else start, 3), [words], starts[k],
                        voice=voice, plain=True))
    damage.check(sum(1 for c in cues if c.t_start != UNTIMED))
    return settle_untimed(cues)


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: object) -> float | None:
    """A segment's time in seconds; None for anything that is not one (NaN, infinity, a negative number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _segment_lines(text: str) -> list[int]:
    """The line each segment's "start" is on, in order (a segment's words have starts too: the first "start" after
    a segment's opening is its own, as both tools write "start" before "words")."""
    lines: list[int] = []
    m = re.search(r'"segments"\s*:\s*\[', text)
    if m is None:
        return lines
    pos = m.end()
    for found in re.finditer(r'\{\s*(?:"id"\s*:\s*\d+\s*,\s*)?(?:"seek"\s*:\s*\d+\s*,\s*)?"start"', text[pos:]):
        lines.append(text.count("\n", 0, pos + found.start()) + 1)
    return lines
