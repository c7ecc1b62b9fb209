"""Transcripts built in code from speaker turns, the one layout behind the support modules' small projects
(``teams_support.parsed``, ``synthesis_support.parse_turns``, ``workbench_support.parsed``,
``store_support.make_transcript``, ``reliability.builders.transcript``): each of those only picks its options.
And a transcript's text imported as a user imports a file (:func:`import_text`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.model import ParsedTranscript, Turn, Unit

if TYPE_CHECKING:
    from qualcode.store import Project

# A sentence as the tests' string turns are split: up to and including a run of . ? !
SENTENCE = re.compile(r"[^.?!]+[.?!]+")


def transcript_from_turns(
    turns: Sequence[tuple[str | None, str | Sequence[str]]],
    *,
    labels: bool = False,
    first_turn: int = 0,
    seconds: float | None = None,
    closing_break: bool = False,
    format: str = "text",
    source_name: str = "",
) -> ParsedTranscript:
    """A parsed transcript from ``(speaker, speech)`` turns, laid out as the importers do: a blank line between turns.

    ``speech`` is either the turn's units (a list of texts, joined by one space) or one string whose sentences become
    the units (text after its last . ? or ! stays in the turn but is in no unit).
    ``labels`` writes "Speaker: " before each turn, outside the turn; ``first_turn`` numbers the turns in
    ``Unit.turn``; with ``seconds``, turn n (from 0) and its units run from n * seconds to (n + 1) * seconds;
    ``closing_break`` ends the text with a blank line as well.
    """
    text = ""
    out_turns: list[Turn] = []
    units: list[Unit] = []
    for n, (speaker, speech) in enumerate(turns):
        if n:
            text += "\n\n"
        if labels:
            text += f"{speaker}: "
        start = len(text)
        said, spans = _sentence_spans(speech) if isinstance(speech, str) else _joined(speech)
        text += said
        t_start, t_end = (n * seconds, (n + 1) * seconds) if seconds is not None else (None, None)
        units += [Unit(start + a, start + b, speaker, n + first_turn, t_start, t_end) for a, b in spans]
        out_turns.append(Turn(speaker, start, len(text), t_start, t_end))
    if closing_break and turns:
        text += "\n\n"
    return ParsedTranscript(text=text, turns=out_turns, units=units, format=format, source_name=source_name)


def _joined(sentences: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The units joined by one space, and where each stands in the result."""
    spans: list[tuple[int, int]] = []
    at = 0
    for sentence in sentences:
        if spans:
            at += 1
        spans.append((at, at + len(sentence)))
        at += len(sentence)
    return " ".join(sentences), spans


def _sentence_spans(speech: str) -> tuple[str, list[tuple[int, int]]]:
    """The speech as written, and its sentences without the spaces before them."""
    spans = [(m.start() + len(m.group()) - len(m.group().lstrip()), m.end()) for m in SENTENCE.finditer(speech)]
    return speech, spans


def spoken_turns(parsed: ParsedTranscript) -> list[tuple[str | None, str]]:
    """Each turn of an imported transcript as its speaker and its text."""
    return [(t.speaker, parsed.text[t.start:t.end]) for t in parsed.turns]


def assert_units_slice(parsed: ParsedTranscript) -> None:
    """Every unit of an imported transcript is a clean, one-line slice of its text, spoken by its turn's speaker."""
    for unit in parsed.units:
        piece = parsed.text[unit.start : unit.end]
        assert piece and piece == piece.strip() and "\n" not in piece
        assert unit.speaker == parsed.turns[unit.turn].speaker


def import_text(folder: Path, name: str, text: str, *, cases: str | None = None,
                project: Project | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Save ``text`` as the file ``name`` in ``folder`` (and ``cases``, the text of a case sheet, as cases.csv beside
    it) and import it, by ana, into ``project`` or else a new project at ``folder``/p. Returns the transcript's
    speakers and the import's report."""
    from qualcode.importing import import_files
    from qualcode.store import Project

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / name
    source.write_text(text, encoding="utf-8")
    sheet = None
    if cases is not None:
        sheet = folder / "cases.csv"
        sheet.write_text(cases, encoding="utf-8")

    def run(into: Project) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        report: dict[str, Any] = import_files(into, [source], cases=sheet, coder="ana")
        [entry] = report["transcripts"]
        return into.speakers(entry["id"]), report

    if project is not None:
        return run(project)
    with Project.create(folder / "p") as own:
        return run(own)
