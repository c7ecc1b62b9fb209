"""Transcript import: read every format evaluators receive into one :class:`ParsedTranscript`.

>>> from qualcode.importers import read_transcript
>>> parsed = read_transcript("transcripts/KII-03_ministry.txt")  # doctest: +SKIP
>>> parsed.format, parsed.speakers  # doctest: +SKIP
('text', ['Interviewer', 'Ms. Thu'])

The format is recognised from the content (a .txt that holds WebVTT is read as WebVTT); the
extension only sharpens error messages. Every problem a user can cause is an
:class:`~qualcode.errors.InputError` naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.errors import InputError, QualcodeError
from qualcode.model import ParsedTranscript

__all__ = [
    "SUPPORTED_FORMATS",
    "SUPPORTED_EXTENSIONS",
    "read_transcript",
    "parse_transcript",
    "has_speaker_labels",
]

#: ParsedTranscript.format values, each with the extensions its files usually carry.
SUPPORTED_FORMATS: dict[str, tuple[str, ...]] = {
    "text": (".txt", ".md", ".markdown", ".text"),
    "docx": (".docx",),
    "vtt": (".vtt",),
    "srt": (".srt",),
    "sbv": (".sbv",),
    "tsv": (".tsv",),
    "json": (".json",),
    "csv": (".csv",),
    "service": (".txt",),
}
#: Extensions a file picker should offer.
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".docx", ".txt", ".md", ".markdown", ".text", ".vtt", ".srt", ".sbv")


def read_transcript(path: str | Path) -> ParsedTranscript:
    """Read and parse the transcript at ``path``. Raises InputError when it cannot be read or is over the
    file-size bound (``QUALCODE_MAX_INPUT_MB``; a Word document's text is measured, not its pictures)."""
    from qualcode.safeio.files import read_input
    from qualcode.safeio.limits import limits

    # a .docx holds pictures besides its text: the archive bounds apply to it, and its text is measured once read
    data = read_input(path, what="transcript", zip_limit=limits().max_archive_total)
    return parse_transcript(data, str(path))


def parse_transcript(data: bytes, name: str, *, notes: bool = True) -> ParsedTranscript:
    """Parse transcript bytes. ``name`` is the file name, used in messages and as ``source_name``.

    Returns text (speaker labels removed, turns separated by a blank line), turns, coding
    units and metadata. Raises InputError for empty, binary, damaged or unsupported input.

    ``notes``: a text or Word file with neither speaker labels nor timestamps is an interviewer's notes (its lines
    are the informant's, ``record == "notes"``). Pass False for documents that are not interviews (a desk-review
    source): their lines then have no speaker.
    """
    try:
        return _parse(data, name, notes=notes)
    except QualcodeError:
        raise
    except RecursionError:
        raise InputError("the file is too deeply nested to read", path=name) from None
    except Exception as err:  # a reader bug must still reach the user as one line, not a traceback
        raise InputError(
            f"could not read this transcript ({type(err).__name__}: {err})",
            path=name,
            hint="check that it is a complete .docx, .txt, .md, .vtt or .srt file",
        ) from err


def has_speaker_labels(text: str, name: str = "source.txt") -> bool:
    """True when a text holds speaker turns qualcode recognises with confidence (labels, voice tags, "Name  0:03"
    headers), so it can be read as an interview; False for a document, notes without labels, or unreadable text.

    Used where a source arrives without saying what it is (another tool's project)."""
    try:
        parsed = _parse(text.encode("utf-8"), name, notes=False)
    except QualcodeError:
        return False
    except Exception:  # a reader bug must not decide for the caller
        return False
    from qualcode.speakers import HEADING_SPEAKER

    return any(t.speaker and t.speaker != HEADING_SPEAKER for t in parsed.turns)


def _parse(data: bytes, name: str, *, notes: bool = True) -> ParsedTranscript:
    from qualcode.importers import detect
    from qualcode.importers.decoding import decode_text, unescape_references
    from qualcode.safeio.files import check_lines, check_size, is_zip

    if not data.strip():
        raise InputError(
            "the file is empty", path=name, hint="check that the transcript was saved completely, then import it again"
        )
    if is_zip(data):
        from qualcode.safeio.archive import Archive

        # every entry unpacked once within the archive bounds (and no XML with a DTD) before anything reads it
        with Archive(data, name, what="Word document",
                     hint="open it in Word and save it again as .docx, or save it as plain text (.txt)",
                     unreadable="this Word document is damaged or incomplete") as archive:
            archive.check_all()
    if detect.sniff_binary(data, name) == "docx":
        from qualcode.importers.docx_reader import read_docx

        parsed = read_docx(data, name, notes=notes)
        check_size(parsed.text, name, what="document's text")
        return parsed
    check_size(data, name, what="transcript")
    try:
        text, _encoding = decode_text(data, name)
    except InputError:
        claimed = detect.unsupported_by_extension(name)
        if claimed is not None:
            raise claimed from None
        raise
    if not text.strip():
        raise InputError("the file is empty", path=name, hint="check that the transcript was saved completely")
    check_lines(text, name, what="transcript")
    from qualcode.importers.documents import is_html

    if is_html(data[:4096]):
        return _parse_html(text, name, notes=notes)
    from qualcode.importers.cue_reader import is_whisper_tsv

    if is_whisper_tsv(text):
        from qualcode.importers.cue_reader import CueDamage, cues_as_transcript, whisper_tsv_cues

        damage = CueDamage()
        parsed = cues_as_transcript(whisper_tsv_cues(text, name, damage), name, fmt="vtt", damage=damage)
        from qualcode.importers.cue_reader import TSV_SECONDS_NOTICE

        tool = "tab-separated captions (start, end, text)" if TSV_SECONDS_NOTICE in parsed.warnings \
            else "Whisper .tsv output"
        return _read_as(parsed, "tsv", tool)
    from qualcode.importers.caption_table import read_json

    record = read_json(text)
    if record is None and name.lower().endswith(".json"):
        raise InputError("this JSON file is not Whisper's or WhisperX's output (an object with a list of 'segments',"
                         " each with its 'start', 'end' and 'text')", path=name,
                         hint="export the transcript as .vtt, .srt or .txt from the tool that wrote it")
    if record is not None:
        from qualcode.importers.caption_table import json_cues
        from qualcode.importers.cue_reader import CueDamage, cues_as_transcript

        damage = CueDamage()
        parsed = cues_as_transcript(json_cues(record, text, name, damage), name, fmt="vtt", damage=damage,
                                    voices="speakers from each segment's 'speaker' (WhisperX)")
        return _read_as(parsed, "json", "Whisper JSON output")
    if "\t" in text[:4000] or "," in text[:4000]:
        from qualcode.importers.caption_table import table_columns

        columns = table_columns(text)
        if columns is not None:
            from qualcode.importers.caption_table import table_cues
            from qualcode.importers.cue_reader import CueDamage, cues_as_transcript

            damage = CueDamage()
            table = table_cues(text, name, damage)
            if table is not None:
                speaker = table[1].names[table[1].speaker] if table[1].speaker is not None else ""
                parsed = cues_as_transcript(table[0], name, fmt="vtt", damage=damage,
                                            voices=f"speakers from the '{speaker.strip()}' column")
                tab = table[1].delimiter == "\t"
                parsed.format = "tsv" if tab else "csv"
                parsed.detected = f"{'tab' if tab else 'comma'}-separated transcript, {table[1].describe()}; " + \
                    parsed.detected.partition(": ")[2]
                return parsed
            if name.lower().endswith((".csv", ".tsv")):
                from qualcode.importers.caption_table import table_refusal

                # the header is a transcript table's: its rows are never interview notes of CSV text
                raise table_refusal(text, name, columns)
    fmt = detect.detect_text_format(text)
    if fmt in ("vtt", "srt"):
        from qualcode.importers.cue_reader import read_cues

        return read_cues(text, name, fmt=fmt)
    if fmt == "text":
        from qualcode.importers.cue_reader import (
            TIMED_LINES_NOTICE,
            CueDamage,
            cues_as_transcript,
            sbv_cues,
            timed_lines_cues,
        )

        damage = CueDamage()
        subviewer = sbv_cues(text, name, damage)
        if subviewer is not None:
            parsed = cues_as_transcript(subviewer, name, fmt="vtt", damage=damage)
            return _read_as(parsed, "sbv", "SubViewer (.sbv, YouTube)")
        from qualcode.importers.cue_reader import console_lines
        from qualcode.importers.text_reader import zoom_chat_lines

        damage = CueDamage()
        console = console_lines(text)
        timed = console.text if console is not None else text
        # a Zoom chat starts each message with its time too, but says who sent it: the text reader reads it
        captions = timed_lines_cues(timed, damage) if zoom_chat_lines(text.split("\n"))[1] is None else None
        if captions is not None:
            parsed = cues_as_transcript(captions, name, fmt="vtt", damage=damage)
            parsed.format = "text"
            parsed.detected = "plain text: " + parsed.detected.partition(": ")[2] + ", a time before each line"
            parsed.warnings.insert(0, TIMED_LINES_NOTICE)
            if console is not None:
                parsed.warnings.insert(1, console.notice())
                if console.language:
                    parsed.metadata.setdefault("language", console.language)
            return parsed
    from qualcode.importers.noscribe import without_header_and_pauses

    cleaned = without_header_and_pauses(text)
    if cleaned.notices:
        text = cleaned.text
        fmt = detect.detect_text_format(text)
    # a transcription tool's output is what was said, never an interviewer's notes, labels or not
    notes = notes and "transcribed_with" not in cleaned.metadata
    parsed = _read_text(unescape_references(text), fmt, name, notes=notes)
    for key, value in cleaned.metadata.items():
        parsed.metadata.setdefault(key, value)
    parsed.warnings[:0] = cleaned.notices
    return parsed


def _read_text(text: str, fmt: str, name: str, *, notes: bool) -> ParsedTranscript:
    """A transcript's text, neither captions nor Word, read by the reader of its format ("service" or "text")."""
    if fmt == "service":
        from qualcode.importers.service_reader import read_service

        return read_service(text, name)
    from qualcode.importers.overlaps import OVERLAP_NOTE, overlaps_as_turns
    from qualcode.importers.text_reader import read_text

    text, overlaps, first = overlaps_as_turns(text)
    parsed = read_text(text, name, notes=notes)
    if overlaps:
        parsed.warnings.append(OVERLAP_NOTE.format(n=overlaps, label=first))
    return parsed


def _read_as(parsed: ParsedTranscript, fmt: str, what: str) -> ParsedTranscript:
    """``parsed``, read by another format's reader, given its own format and named as ``what`` in the report."""
    parsed.format = fmt
    parsed.detected = f"{what}: " + parsed.detected.partition(": ")[2]
    return parsed


def _parse_html(text: str, name: str, *, notes: bool, paragraphs: list[str] | None = None) -> ParsedTranscript:
    """A transcript published as an HTML page (noScribe's default output, an oral-history archive): its paragraphs
    (``paragraphs``, when the page was parsed already) read as a text file's. A page without speaker labels is a
    document: :func:`read_html_file` decides."""
    from qualcode.importers.doc_readers import html_paragraphs

    if paragraphs is None:
        paragraphs = html_paragraphs(text, name)
    if not paragraphs:
        raise InputError("this HTML page has no text", path=name, hint="check that the page was saved completely")
    parsed = _parse("\n\n".join(paragraphs).encode("utf-8"), name, notes=notes)
    _read_as(parsed, "text", "HTML page")
    speakers = _turn_takers(parsed)
    if speakers:
        from qualcode.speakers import quoted_list

        parsed.warnings.append(f"this HTML page was read as a transcript (its paragraphs start with the speaker labels"
                               f" {quoted_list(speakers)}); give it with --document to code it as a document")
    return parsed


def read_html_file(path: str | Path) -> tuple[ParsedTranscript, bool] | None:
    """An HTML file given to import, parsed once to decide what it is and to read it: (the transcript, True) when it
    is one, else (the document, False). It is a transcript when its paragraphs are turns of speakers with labels (as
    noScribe writes them, or an interview archive's 'MSM: ...' paragraphs: two speakers or more, and labelled turns
    holding at least half of its words), or when it carries noScribe's header. None when the file is not an HTML
    page, or cannot be read as a transcript is (the document reader then reads it, and says what is wrong)."""
    from qualcode.importers.decoding import decode_text
    from qualcode.importers.doc_readers import html_blocks, html_document
    from qualcode.importers.documents import is_html
    from qualcode.safeio.files import check_lines, check_size, read_input

    name = str(path)
    try:
        data = read_input(path, what="transcript")
        if not is_html(data[:4096]) or not data.strip():
            return None
        check_size(data, name, what="transcript")
        text, _encoding = decode_text(data, name)
        check_lines(text, name, what="transcript")
        blocks, metadata, said = html_blocks(text, name)
        # the number a browser shows before an ordered list's item is no part of a turn's label
        parsed = _parse_html(text, name, notes=False,
                             paragraphs=[_OL_NUMBER_BEFORE_LABEL.sub("", b.text) for b in blocks])
        if _turn_takers(parsed) or "transcribed_with" in parsed.metadata:
            return parsed, True  # labelled turns, or a transcription tool's header (noScribe's)
        return html_document(blocks, metadata, name, said), False
    except Exception:  # bad input, too deep a page or a reader bug: the readers that follow say what it is, in one line
        return None


# "3. Interviewer: ...": the number an HTML page's ordered list shows before an item that starts with a label
_OL_NUMBER_BEFORE_LABEL = re.compile(
    r"^(?:\d{1,4}|[A-Za-z]|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})\.\s+(?=[^\W\d][\w .'’-]{0,40}:\s)")
#: A document reads as a transcript only when at least one paragraph in this many starts a labelled turn.
TURNS_PER_PARAGRAPHS = 8
# (a paragraph's number before the label, "... ICE plots? 6 Dan: Okay", as transcripts numbered for analysis have it)
_LABEL_AFTER_SENTENCE = re.compile(
    r"(?<=[.?!…\"”)])[ \t]+(?=(?:\d{1,5}[ \t]+)?[A-Z][\w.'’-]{0,30}(?: [A-Z][\w.'’-]{0,30}){0,2}:\s)")


def transcript_speakers(text: str) -> list[str]:
    """The speakers of a document's text when it reads as a transcript (see :func:`read_html_file`), in order
    of first turn; [] when it does not. Numbers before the paragraphs ("5 Participant: ...") are seen through, as the
    text reader drops them."""
    # a PDF's reader may join the turns of an interview into one paragraph: a label after a sentence starts a line
    text = _LABEL_AFTER_SENTENCE.sub("\n\n", text)
    try:
        parsed = parse_transcript(text.encode("utf-8"), "document.txt", notes=False)
    except QualcodeError:
        return []
    except Exception:  # a reader bug must not stop a document's import
        return []
    from qualcode.speakers import HEADING_SPEAKER

    speakers = _turn_takers(parsed)
    # a report's captions and fields ("Table 1: ...", "Source: ...", "Amount: ...") start a paragraph here and there,
    # and each reads as a turn running on to the next one: in an interview, turns start paragraph after paragraph
    labelled = sum(1 for t in parsed.turns if t.speaker and t.speaker != HEADING_SPEAKER)
    paragraphs = sum(1 for p in re.split(r"\n\s*\n", text) if p.strip())
    return speakers if labelled * TURNS_PER_PARAGRAPHS >= paragraphs else []


# the field names of documents, which start their paragraphs as labels do: a results framework's "Indicator: ...",
# "Baseline: ...", "Target: ...", minutes' "Decision: ...", an FAQ's "Q: ..." / "A: ..."
_DOCUMENT_FIELDS = frozenset(
    """baseline baselines target targets milestone milestones indicators outputs outcomes activity activities
    assumption assumptions risk risks mitigation status comment comments action actions decision decisions purpose
    scope deliverable deliverables budget responsible deadline definition frequency unit value impact means
    verification question questions answer answers q a response responses issue issues agenda attendees
    participants chair""".split()
) | frozenset({"means of verification", "data source", "action point", "action points", "next steps"})
# a questions-and-answers page is an interview only where it says so ("Interview with ...", "Transcript of ...")
_QA = frozenset({"q", "a", "question", "answer", "questions", "answers"})
_SAYS_INTERVIEW = re.compile(r"interview|transcri|entrevista|phỏng vấn|phong van", re.I)


def _turn_takers(parsed: ParsedTranscript) -> list[str]:
    """The speakers of a transcript's labelled turns: two speakers or more named as people or roles are (not a
    document's field names), four turns or more, at least one of them a question, holding half the words."""
    from qualcode.importers.labels import NOT_SPEAKERS
    from qualcode.speakers import HEADING_SPEAKER

    said = " ".join([parsed.text[:300], *map(str, parsed.metadata.values())])
    interview = _SAYS_INTERVIEW.search(said) is not None

    def person(speaker: str) -> bool:
        key = speaker.casefold().strip()
        return key not in _DOCUMENT_FIELDS and key not in NOT_SPEAKERS or key in _QA and interview

    labelled = [t for t in parsed.turns if t.speaker and t.speaker != HEADING_SPEAKER]
    if not all(person(str(t.speaker)) for t in labelled):
        return []  # "Indicator:", "Baseline:", "Target:" paragraphs: a document's fields, not turns
    words = sum(len(parsed.text[t.start:t.end].split()) for t in labelled)
    speakers = list(dict.fromkeys(str(t.speaker) for t in labelled))
    asked = any("?" in parsed.text[t.start:t.end] for t in labelled)
    if len(speakers) >= 2 and len(labelled) >= 4 and asked and words * 2 >= len(parsed.text.split()):
        return speakers
    return []


def is_transcript_sheet(path: str | Path) -> bool:
    """Whether a spreadsheet-named file is a transcript: Whisper's .tsv output ("start<TAB>end<TAB>text"), or a
    table whose header names a text column and a start column (Whisper's output saved again from a spreadsheet with
    more columns, whisper.cpp's .csv "start,end,text")."""
    if Path(path).suffix.lower() not in (".tsv", ".csv"):
        return False
    from qualcode.importers.caption_table import table_columns
    from qualcode.importers.cue_reader import is_whisper_tsv

    try:
        with open(path, "rb") as f:
            head = f.read(4000).decode("utf-8-sig", "replace")
    except OSError:
        return False
    return is_whisper_tsv(head) or table_columns(head) is not None
