"""Turn reader output (speaker turns made of paragraphs made of pieces) into a ParsedTranscript.

Every reader produces :class:`Drafts`; this module alone decides the stored text layout, so
offsets mean the same thing whatever the source format:

* turns are separated by a blank line, paragraphs inside a turn by ``"\\n"``;
* pieces inside a paragraph (subtitle cues, wrapped lines) are joined by one space;
* no speaker label is part of the text; ``Turn``/``Unit`` offsets are code-point offsets.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.sentences import unit_spans
from qualcode.model import ParsedTranscript, Turn, Unit
from qualcode.safeio.cleaning import bound_spans, clean, clean_data, clean_line, describe
from qualcode.safeio.limits import limits, too_many_units
from qualcode.speakers import HEADING_SPEAKER

# Paragraphs longer than this are cut into units window by window (at a space), so that a file that is one huge
# line costs memory in proportion to a window, not to the whole line.
_WINDOW = 100_000
# Speech written without sentence ends (automatic captions, speech recognition without punctuation) is one
# "sentence" a whole turn long: a unit of more than RUN_ON_WORDS words is cut where its cues (or lines) meet, into
# units of UNIT_WORDS words or more, at a pause between cues where there is one before MAX_UNIT_WORDS words.
RUN_ON_WORDS = 120
UNIT_WORDS = 40
MAX_UNIT_WORDS = 80
PAUSE_SECONDS = 0.8
_WORD_AFTER_SPACE = re.compile(r"(?<= )\S")


@dataclass
class Piece:
    """A run of speech with optional timing (a cue, an Otter block, a line of text)."""

    text: str
    t_start: float | None = None
    t_end: float | None = None


@dataclass
class DraftTurn:
    speaker: str | None
    paragraphs: list[list[Piece]] = field(default_factory=list)


class Drafts:
    """Collects speech in reading order, merging consecutive speech of one speaker into one turn."""

    def __init__(self) -> None:
        self.turns: list[DraftTurn] = []
        self.break_turn = False
        self.removed: Counter[str] = Counter()  # control and non-characters taken out of the text

    def add(
        self,
        speaker: str | None,
        text: str,
        *,
        new_paragraph: bool = True,
        new_turn: bool = False,
        t_start: float | None = None,
        t_end: float | None = None,
    ) -> None:
        """Append ``text`` for ``speaker``; a new speaker starts a new turn.

        ``new_paragraph=False`` glues the text to the current paragraph with a space (wrapped
        lines, consecutive subtitle cues); ``new_turn`` starts a turn even for the same speaker
        (a speaker change the file marks without naming anyone, as ">>" in captions).
        """
        # every reader's text passes here: no control or non-character reaches the project, an export or a terminal
        words = " ".join(clean(text, self.removed).split())
        if not words:
            if new_turn:
                self.break_turn = True
            return
        if speaker is not None:
            speaker = " ".join(clean_line(speaker, self.removed).split()) or None
        piece = Piece(words, t_start, t_end)
        last = self.turns[-1] if self.turns else None
        if new_turn or self.break_turn:
            self.break_turn = False
            self.turns.append(DraftTurn(speaker, [[piece]]))
        elif last is None or last.speaker != speaker:
            self.turns.append(DraftTurn(speaker, [[piece]]))
        elif new_paragraph or not last.paragraphs:
            last.paragraphs.append([piece])
        else:
            last.paragraphs[-1].append(piece)

    @property
    def empty(self) -> bool:
        return not self.turns


def assemble(
    drafts: Drafts,
    *,
    fmt: str,
    name: str,
    metadata: dict[str, Any] | None = None,
    record: str = "verbatim",
    detected: str = "",
    notices: list[str] | None = None,
) -> ParsedTranscript:
    """Build the stored text, turns and coding units. Raises InputError when there is no speech."""
    if drafts.empty or all(t.speaker == HEADING_SPEAKER for t in drafts.turns):
        raise InputError(
            "no speech found in this file",
            path=name,
            hint="a transcript needs text, ideally with speaker labels such as 'Interviewer: ...'",
        )
    parts: list[str] = []
    turns: list[Turn] = []
    units: list[Unit] = []
    split = [0, 0]  # passages cut: too long, without sentence ends
    max_units = limits().max_units
    pos = 0
    for index, draft in enumerate(drafts.turns):
        if index:
            parts.append("\n\n")
            pos += 2
        turn_start = pos
        for p_index, paragraph in enumerate(draft.paragraphs):
            if p_index:
                parts.append("\n")
                pos += 1
            para_start = pos
            timed: list[tuple[int, int, float | None, float | None]] = []
            for k, piece in enumerate(paragraph):
                if k:
                    parts.append(" ")
                    pos += 1
                timed.append((pos, pos + len(piece.text), piece.t_start, piece.t_end))
                parts.append(piece.text)
                pos += len(piece.text)
            para_text = " ".join(p.text for p in paragraph)
            units.extend(_units(para_text, para_start, timed, draft.speaker, index, split))
            if len(units) > max_units:
                raise too_many_units(name, max_units, what="transcript")
        pieces = [p for para in draft.paragraphs for p in para]
        starts = [t for t in (p.t_start for p in pieces) if t is not None]
        ends = [t for t in (p.t_end for p in pieces) if t is not None]
        turns.append(
            Turn(
                speaker=draft.speaker,
                start=turn_start,
                end=pos,
                t_start=min(starts) if starts else None,
                t_end=max(ends) if ends else None,
            )
        )
    meta = clean_data(dict(metadata or {}), drafts.removed)
    warnings = [w for w in [describe(drafts.removed)] if w]
    if split[0]:
        warnings.append(f"{split[0]} passage(s) longer than {limits().max_unit_chars:,} characters were cut into "
                        "shorter coding units at clause or word boundaries")
    if split[1]:
        warnings.append(f"{split[1]} passage(s) of more than {RUN_ON_WORDS} words without a sentence end (captions "
                        "or speech recognition without punctuation) were cut into coding units of "
                        f"{UNIT_WORDS}-{MAX_UNIT_WORDS} words where their cues or lines meet (at a pause where there "
                        "is one), or between words after a comma")
    return ParsedTranscript(
        text="".join(parts),
        turns=turns,
        units=units,
        format=fmt,
        metadata=meta,
        source_name=name,
        record=record,
        detected=detected,
        warnings=[*(notices or []), *warnings],
    )


def _units(
    para_text: str,
    offset: int,
    timed: list[tuple[int, int, float | None, float | None]],
    speaker: str | None,
    turn: int,
    split: list[int],
) -> list[Unit]:
    out: list[Unit] = []
    first_piece = 0  # units come in order, so the overlapping pieces only move forward
    for s, e in _bounded_spans(para_text, split, timed, offset):
        start, end = offset + s, offset + e
        while first_piece < len(timed) - 1 and timed[first_piece][1] <= start:
            first_piece += 1
        t_start: float | None = None
        t_end: float | None = None
        k = first_piece
        while k < len(timed) and timed[k][0] < end:
            piece_start, piece_end = timed[k][2], timed[k][3]
            if piece_start is not None:
                t_start = piece_start if t_start is None else min(t_start, piece_start)
            if piece_end is not None:
                t_end = piece_end if t_end is None else max(t_end, piece_end)
            k += 1
        out.append(Unit(start=start, end=end, speaker=speaker, turn=turn, t_start=t_start, t_end=t_end))
    return out


def _run_ons_cut(para_text: str, spans: list[tuple[int, int]],
                 timed: list[tuple[int, int, float | None, float | None]], offset: int,
                 split: list[int]) -> list[tuple[int, int]]:
    """The spans, a span of more than RUN_ON_WORDS words (no sentence end in it) cut where the paragraph's pieces (its
    cues, its lines) meet: after UNIT_WORDS words at the first pause of PAUSE_SECONDS or more between two pieces, else
    at MAX_UNIT_WORDS words; inside one piece (a transcript that is one long line), between words, after UNIT_WORDS
    words at the first comma, else at MAX_UNIT_WORDS words (``split[1]`` counts the spans cut)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if len(para_text[s:e].split()) <= RUN_ON_WORDS:
            out.append((s, e))
            continue
        # where a piece starts inside the span, with the silence before it (None: not known)
        joins = [(start - offset, None if before[3] is None or t is None else t - before[3])
                 for before, (start, _, t, _) in zip(timed, timed[1:], strict=False) if s < start - offset < e]
        if not joins:  # one long line: cut between words, after a comma where there is one
            joins = [(m.start(), math.inf if para_text[m.start() - 2] == "," else None)  # a comma as a pause
                     for m in _WORD_AFTER_SPACE.finditer(para_text, s + 1, e)]
        start = s
        cut_before = len(out)
        for k, (at, pause) in enumerate(joins):
            words = len(para_text[start:at].split())
            nxt = joins[k + 1][0] if k + 1 < len(joins) else e
            over = words + len(para_text[at:nxt].split()) > MAX_UNIT_WORDS
            if words >= UNIT_WORDS and ((pause is not None and pause >= PAUSE_SECONDS) or over):
                out.append((start, at - 1))  # the space that joined the pieces is left out
                start = at
        out.append((start, e))
        if len(out) - cut_before > 1:
            split[1] += 1
    return out


def _bounded_spans(para_text: str, split: list[int], timed: list[tuple[int, int, float | None, float | None]],
                   offset: int) -> list[tuple[int, int]]:
    """The paragraph's unit spans (its sentences, speech without sentence ends cut where its pieces meet), none
    longer than the unit-length bound (``split[0]`` counts the spans cut to it)."""
    bound = limits().max_unit_chars
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(para_text):
        end = len(para_text)
        if end - start > _WINDOW:
            cut = para_text.rfind(" ", start + _WINDOW // 2, start + _WINDOW)
            end = cut if cut > start else start + _WINDOW
        spans.extend((start + s, start + e) for s, e in unit_spans(para_text[start:end]))
        start = end
    spans = _run_ons_cut(para_text, spans, timed, offset, split)
    long = sum(1 for s, e in spans if e - s > bound)
    if not long:
        return spans
    split[0] += long
    return bound_spans(para_text, spans, bound)
