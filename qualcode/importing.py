"""Importing transcripts with their case sheet, and the import report.

An import is planned before anything is written: every file is read, its transcript id found, its speakers matched
to roles and cases, and what is likely wrong is put into words. :func:`plan_import` does that and changes nothing
(``qualcode import --dry-run`` prints its report); :func:`apply_import` writes the plan in one transaction. The
warnings come from :func:`transcript_warnings`, which ``qualcode doctor`` also runs on the transcripts already in a
project, so an import and a later check say the same thing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.cases import TRANSCRIPT_LEVEL, CaseRow, read_case_sheet
from qualcode.errors import InputError, QualcodeError
from qualcode.folding import fold, strip_accents
from qualcode.importers.labels import TIMESTAMP
from qualcode.model import ParsedTranscript, ProgressFn
from qualcode.reanchor import store_transcript
from qualcode.safeio.cleaning import clean_line
from qualcode.speakers import (
    AMBIGUOUS_ROW,
    ASKER_GUESS,
    HEADING_SPEAKER,
    NOTES_SPEAKER,
    UNATTRIBUTED_LABELS,
    Assignment,
    ConversationGuess,
    SheetRow,
    assign_speakers,
    guess_conversation,
    is_collective_label,
    is_device_label,
    is_group_type,
    is_placeholder_label,
    label_name,
    names_nobody,
    quoted_list,
    split_names,
)
from qualcode.store import Project, text_hash

# A KII where one voice holds more than this share of the units has probably lost its interviewer to the informant.
DOMINANT_SHARE = 0.9
# Sentences two transcripts must share before a new one is reported as probably a corrected copy of the other.
SIMILAR_SHARE = 0.6
# Above this share of a transcript, unattributed speech is worth a warning.
UNATTRIBUTED_SHARE = 0.10
# A speaker's name then a time at the start of a unit: a header the reader did not recognise.
_HEADER_IN_UNIT = re.compile(
    r"([^\W\d][^:\[\]()\n]{0,38}?)\s*:?\s*[\[(]?" + TIMESTAMP + r"[\])]?(?:\s|\[|$)"
)
# a label at a unit's start ("Clara Jensen: How many stayed?"): inside a turn, not at its start, another turn's label
_LABEL_AT_START = re.compile(r"\**(?P<name>[^\W\d][^:：.?!\[\]()\n]{0,38}?)\**\s*[:：]\**\s")
# a label or a header after a sentence's end: "Name:", "**Name:**", "Name [00:12]" (at a unit's start, "rehrar:" is
# how a chat addresses someone)
_LABEL_IN_UNIT = re.compile(
    r"(?:[.?!…][\"”’')\]]*\s+)(?P<name>\**[^\W\d][^:：.?!\[\]()\n]{0,38}?)\**\s*(?:[:：]\**\s|[\[(]" + TIMESTAMP
    + r"[\])])"
)
# a time, or a range of two, each in brackets or not ("[00:01] - [00:05]"), and at most six words after it
_TIME_IN_BRACKETS = r"[\[(]?" + TIMESTAMP + r"[\])]?"
_TIMESTAMP_UNIT = re.compile(_TIME_IN_BRACKETS + r"(?:\s*(?:-->|[-–—])\s*" + _TIME_IN_BRACKETS + r")?(?:\s+\S+){0,6}?")

ID_SAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
_DASHES = re.compile(r"-{2,}")


def tidy_id(text: str) -> str:
    """``text`` with anything but letters, digits, '_', '.' and '-' as one '-', read like the name it came from
    ("KII-01 - Audio" -> "KII-01-Audio"), never a dot name ('.', '..', '.hidden'): ids become file names."""
    return _DASHES.sub("-", ID_SAFE.sub("-", text)).strip("-.") or ""


def safe_id(text: str) -> str:
    """An id made from a name: accents folded, then anything but letters, digits, '_', '.' and '-' becomes '-', a
    run of them one '-' ("Phỏng vấn Đà Nẵng" -> "Phong-van-Da-Nang", "KII-01 - Audio" -> "KII-01-Audio"); never
    '.', '..' or a name starting with a dot ('' then: the caller names it)."""
    return tidy_id(strip_accents(text))


def _earlier_ids(text: str, *, fold: bool = True) -> list[str]:
    """Ids earlier versions made of the same name (a run of separators kept: "KII-01---Audio"), so a corrected file
    of a transcript imported then still finds it."""
    earlier = ID_SAFE.sub("-", strip_accents(text) if fold else text).strip("-")
    return [earlier] if earlier and earlier not in {".", ".."} else []


def transcript_id_for(path: Path, parsed: ParsedTranscript, rows: list[CaseRow], sources: dict[str, str]) -> str:
    """The transcript id for a file: its case-sheet row, an id the file states, or its name (see
    :func:`_id_from_file_name`)."""
    for row in rows:
        if row.file and row.file.lower() == path.name.lower():
            return row.transcript_id or Path(row.file).stem
    for key in ("id", "interview_id", "transcript_id"):
        value = parsed.metadata.get(key)
        if value:  # made safe as before, without folding ("FGD Thư" -> FGD-Th), so stated ids never meet by folding
            stated = unicodedata.normalize("NFC", str(value))
            tid = tidy_id(stated)
            earlier = _earlier_ids(stated, fold=False)
            if tid and tid not in sources and earlier and earlier[0] in sources:
                return earlier[0]  # imported under the earlier form ("KII---01"): a corrected file finds it
            if tid:
                return tid
    return _id_from_file_name(path, sources) or "transcript"


def name_free_id(path: Path, parsed: ParsedTranscript, tid: str, rows: list[CaseRow], sources: dict[str, str],
                 names: list[str], taken: set[str]) -> tuple[str, str | None]:
    """``tid`` unless it was made from a file name that holds a person's name (the case sheet's, the project's
    informants', the name list's, or a speaker label of the file): every reference an export prints
    ("Tran-Van-Phuc-interview:12") would name them. Then an id without the name, and a warning saying so. An id the
    case sheet or the file states, or one a transcript already has here, is kept."""
    stated = any(row.file and row.file.lower() == path.name.lower() and row.transcript_id for row in rows) \
        or any(parsed.metadata.get(k) for k in ("id", "interview_id", "transcript_id"))
    if stated or tid in sources:
        return tid, None
    found = _named_in(tid, names + _speaker_names(parsed))
    if found is None:
        return tid, None
    file_name = clean_line(unicodedata.normalize("NFC", path.name))  # as the project stores it
    for known, source in sources.items():
        if source == file_name and _named_in(known, names) is None:
            return known, None  # a corrected version of the file, imported before under an id without the name
    words = [w for w in tid.split("-") if w and fold(w) not in found]
    base = "-".join(words) or "transcript"
    new, n = base, 1
    while new in sources or new in taken or new == tid:
        n += 1
        new = f"{base}-{n}"
    return new, (f"the file name holds a person's name, so the transcript's id is '{new}'; give it another in the"
                 " case sheet's transcript_id column")


def repoint_rows(rows: list[CaseRow], path: Path, tid: str) -> None:
    """Case-sheet rows that name a renamed transcript by its file belong to the new id, and so do the case ids the
    sheet made from the file name ("Tran-Van-Phuc-interview" for its KII, "...-P2" for a participant)."""
    stem = Path(path.name).stem
    for row in rows:
        if row.file and row.file.lower() == path.name.lower() and not row.transcript_id:
            row.transcript_id = tid
            if row.case_id == stem or row.case_id.startswith(stem + "-"):
                row.case_id = tid + row.case_id[len(stem):]


def _named_in(ident: str, names: list[str]) -> set[str] | None:
    """The folded words of a person's name found in an id ("Tran-Van-Phuc-interview"), or None."""
    from qualcode.safety.privacy import Person, Pseudonymiser

    if not names:
        return None
    pseudo = Pseudonymiser(people=[Person("[name]", [n], kind="third") for n in names], use_ner=False)
    spaced = re.sub(r"[-_.]+", " ", strip_accents(ident))
    hits = pseudo.find(spaced)
    if not hits:
        return None
    return {fold(w) for r in hits for w in re.findall(r"[^\W\d_]+", spaced[r.start:r.end])}


def label_name_notes(labels: Iterable[str]) -> list[str]:
    """What the import guessed of the labels that are a person's name with more to it ("Kerry Jones on Peramangk
    Lands", "Ana (she/her)", "Hang's iPhone", "maria.lopez@ilo.org"): the name it took, which the case sheet's names
    are matched to, and what it set aside."""
    read = []
    for label in labels:
        if names_nobody(label):
            continue
        found = label_name(label)
        if found.name and found.set_aside:
            read.append(f"'{label}' as '{found.name}' (set aside: {'; '.join(found.set_aside)})")
    if not read:
        return []
    return [f"speaker label{'s' if len(read) > 1 else ''} read as a person's name: {', '.join(read)}; the case"
            " sheet's names are matched to the name, and listings without --show-names hide the label as any name"]


def _speaker_names(parsed: ParsedTranscript) -> list[str]:
    from qualcode.safety.privacy import speaker_names

    labels = {u.speaker for u in parsed.units if u.speaker}
    # "Unknown Speaker" in a file name names no one; "Hang's iPhone" names Hang
    return sorted({name for x in labels for name in speaker_names(x)})


def _id_from_file_name(path: Path, sources: dict[str, str]) -> str:
    """The id for a transcript file without a stated id, given each transcript's id and the file name its current
    version came from (``sources``, NFC).

    Accents are folded ("Phỏng vấn" -> "Phong-van"). Earlier versions dropped accented letters instead
    ("Ph-ng-v-n"): a corrected file of a transcript imported then keeps that id, so it becomes a new version rather
    than a second transcript. Folding makes "FGD Thư" and "FGD Thu" one id, so a file whose folded name is the id of
    a transcript imported from a differently accented file is refused rather than filed as a new version of
    someone else's interview.
    """
    name = unicodedata.normalize("NFC", path.stem)  # macOS and zip tools may hand over decomposed names
    file_name = clean_line(unicodedata.normalize("NFC", path.name))  # as the project stores it
    tid, legacy = safe_id(name), ID_SAFE.sub("-", name).strip("-")
    for candidate in (tid, *_earlier_ids(name), legacy):
        if candidate and sources.get(candidate) == file_name:
            return candidate
    if tid in sources:
        other = Path(sources[tid]).stem
        if other != name and not (other.isascii() and name.isascii()):
            raise InputError(
                f"would get the id '{tid}' of the transcript imported from '{sources[tid]}', a different file",
                path=str(path),
                hint="give it its own id in the case sheet (or an 'id:' line at its top); to import a corrected"
                     f" version of {tid}, name the file as that one",
            )
        return tid
    if legacy in sources and Path(sources[legacy]).stem == name:
        return legacy
    # a name of dots only ("...txt") gives no id: the name as it is, which the import refuses with a hint
    return tid or legacy


# ---------------------------------------------------------------------------------------------- speaker facts


@dataclass
class SpeakerStats:
    """How much each label speaks in one transcript, in order of first appearance."""

    labels: list[str] = field(default_factory=list)
    units: Counter[str] = field(default_factory=Counter)
    turns: Counter[str] = field(default_factory=Counter)
    questions: Counter[str] = field(default_factory=Counter)
    unlabelled: int = 0  # units without any speaker

    @classmethod
    def from_parsed(cls, parsed: ParsedTranscript) -> SpeakerStats:
        stats = cls()
        for turn in parsed.turns:
            if turn.speaker is None:
                continue
            if turn.speaker not in stats.turns:
                stats.labels.append(turn.speaker)
            stats.turns[turn.speaker] += 1
        for unit in parsed.units:
            if unit.speaker is None:
                stats.unlabelled += 1
                continue
            stats.units[unit.speaker] += 1
            if parsed.text[unit.start : unit.end].rstrip("\"'”’)] ").endswith(("?", "？")):
                stats.questions[unit.speaker] += 1
        return stats

    @classmethod
    def from_store(cls, db: sqlite3.Connection, transcript_id: str) -> SpeakerStats:
        stats = cls()
        last_turn: int | None = None
        for speaker, turn, text in db.execute(
            "SELECT s.speaker, s.turn, s.text FROM segments s JOIN transcripts t ON t.id = s.transcript_id"
            " AND t.current_version = s.version WHERE s.transcript_id = ? ORDER BY s.idx",
            (transcript_id,),
        ):
            if speaker is None:
                stats.unlabelled += 1
                continue
            if speaker not in stats.units:
                stats.labels.append(speaker)
            stats.units[speaker] += 1
            if turn != last_turn:
                stats.turns[speaker] += 1
                last_turn = turn
            if str(text).rstrip("\"'”’)] ").endswith(("?", "？")):
                stats.questions[speaker] += 1
        return stats


def interview_type(rows: Sequence[CaseRow], attributes: dict[str, Any]) -> bool | None:
    """True for a key-informant interview, False for a focus group, None when nothing says."""
    value = str((rows[0].attributes.get("type") if rows else None) or attributes.get("type") or "").casefold()
    if not value:
        return None
    if is_group_type(value):
        return False
    if any(word in value for word in ("kii", "key", "interview", "idi", "phỏng vấn", "entrevista", "entretien",
                                      "befragung", "访谈", "采访", "インタビュー")):
        return True
    return None


def decide_speakers(
    stats: SpeakerStats,
    rows: Sequence[CaseRow],
    *,
    interviewers: Iterable[str],
    kii: bool | None,
    fixed: dict[str, tuple[str, str | None]] | None = None,
) -> list[Assignment]:
    """Each label's role and case (see :func:`qualcode.speakers.assign_speakers`); a role set by hand
    (``fixed``: label -> (role, case)) is kept."""
    sheet = [SheetRow(r.case_id, r.speaker, r.name) for r in rows]
    decided = assign_speakers(stats.labels, dict(stats.units), dict(stats.questions), sheet,
                              interviewers=interviewers, kii=kii)
    fixed = fixed or {}
    out = []
    for a in decided:
        if a.label in fixed:
            role, case = fixed[a.label]
            out.append(Assignment(a.label, role, case, "set by hand"))
        else:
            out.append(a)
    return out


# ---------------------------------------------------------------------------------------------- warnings


@dataclass
class TranscriptFacts:
    """What the warnings look at, whether the transcript is being imported or is already in a project."""

    tid: str
    record: str
    kii: bool | None
    stats: SpeakerStats
    assignments: list[Assignment]
    unit_texts: list[tuple[int, str]]  # (unit number, text)
    has_sheet: bool
    sheet_rows: int
    names: set[str] = field(default_factory=set)  # speaker labels and sheet names, folded: a unit equal to one
    guess: ConversationGuess | None = None  # what this import guessed of the conversation (it says so itself)
    mid_turn: set[int] = field(default_factory=set)  # the units that are not the first of their turn


def transcript_warnings(facts: TranscriptFacts) -> list[str]:
    """What is likely wrong with how a transcript was read, each with what to do."""
    tid = facts.tid
    out: list[str] = []
    by_label = {a.label: a for a in facts.assignments}
    voices = [lab for lab in facts.stats.labels if lab not in (HEADING_SPEAKER, NOTES_SPEAKER)]
    total = sum(facts.stats.units[lab] for lab in voices) + facts.stats.unlabelled
    set_role = f"qualcode transcripts set-role {tid}"
    if facts.record != "notes":
        if not voices:
            out.append(
                f"no speaker labels: the interviewer's questions cannot be told from the answers and all {total}"
                " units are offered for coding" + (", for no informant or stakeholder group" if facts.sheet_rows
                                                   else "")
                + "; add labels ('Interviewer:', 'Name:') to the file and import it again"
            )
        elif not any(by_label[lab].role == "interviewer" for lab in voices if lab in by_label):
            shown = quoted_list(voices) + (f" ({len(voices)} speakers)" if len(voices) > 4 else "")
            out.append(
                f"no interviewer found among {shown}: the questions are offered for coding as answers;"
                f" mark the interviewer with: {set_role} 'LABEL' interviewer"
            )
        elif not facts.stats.unlabelled and all(by_label[lab].role == "interviewer" for lab in voices
                                                if lab in by_label):
            shown = quoted_list(voices)
            out.append(
                f"every unit is the interviewer's ({shown}): nothing in {tid} is offered for coding as an informant's"
                " words; if the file labels only the questions, put a label ('Respondent:') before each answer and"
                f" import it again, or mark the informant with: {set_role} 'LABEL' informant"
            )
        if facts.kii is not False and voices and total >= 10:
            top = max(voices, key=lambda lab: facts.stats.units[lab])
            share = facts.stats.units[top] / total
            if share > DOMINANT_SHARE and len(facts.unit_texts) >= 10:
                out.append(
                    f"'{top}' holds {share:.0%} of the units of this interview: the interviewer's turns may have"
                    " been merged into the informant's; check the speaker labels in the file"
                )
        once = [lab for lab in voices if facts.stats.turns[lab] == 1]
        if len(once) >= 3 and len(once) * 3 >= len(voices):
            shown = quoted_list(once, 5)
            out.append(
                f"{len(once)} speakers speak only once ({shown}): a sentence may have been read as a speaker label,"
                f" or the tool split one person into several; check them with 'qualcode segments --transcript {tid}'"
            )
        anonymous = [lab for lab in voices if fold(lab) in UNATTRIBUTED_LABELS]
        for lab in anonymous:
            share = facts.stats.units[lab] / total if total else 0.0
            if share >= UNATTRIBUTED_SHARE and facts.stats.units[lab] >= 5:
                out.append(
                    f"'{lab}' holds {share:.0%} of the units: the transcription tool could not tell who spoke them,"
                    " so they may be several people, interviewer and informant alike; name the speakers in the tool"
                    f" and export again, or check them with 'qualcode segments --transcript {tid}'"
                )
        alike: dict[str, list[str]] = {}
        for short, full in _same_person(voices):
            if short in by_label and full in by_label and by_label[short].case_id \
                    and by_label[short].case_id == by_label[full].case_id:
                continue  # the case sheet already makes them one informant
            alike.setdefault(short, []).append(full)
        for short, fulls in alike.items():
            if len(fulls) == 1:
                out.append(
                    f"'{short}' and '{fulls[0]}' may be the same person under two labels: if so, their units are"
                    " counted as two speakers; correct the label in the file, or give both the same case in the case"
                    " sheet"
                )
            else:  # "Senator" beside seven named senators: one line, not seven
                shown = quoted_list(fulls, 5)
                out.append(
                    f"'{short}' may be any one of {len(fulls)} speakers whose labels start so ({shown}): its units"
                    " are counted as another speaker's; correct the labels in the file, or give"
                    f" '{short}' the right case in the case sheet"
                )
    leaks = [(n, text) for n, text in facts.unit_texts if _leaked(text, facts.names)]
    if leaks:
        n, text = leaks[0]
        out.append(
            f"{len(leaks)} unit(s) are only a timestamp or a name (e.g. {tid}:{n} \"{text[:40]}\"): the file's layout"
            " was not fully recognised; tell the qualcode maintainers which tool wrote it"
        )
    inside = [(n, found) for n, text in facts.unit_texts if not _leaked(text, facts.names)
              for found in [_label_inside(text, facts.names, at_start=n in facts.mid_turn)] if found]
    if inside:
        n, found = inside[0]
        out.append(
            f"{len(inside)} unit(s) hold a speaker's name as a label inside their sentences (e.g. {tid}:{n}"
            f" \"...{found[:50]}\"): two turns were read as one, and the name is in the text; check the labels in the"
            " file (a label must start its line) and import it again"
        )
    guess = facts.guess
    said = guess.warning() if guess is not None else None
    if said and (guess is not None and guess.said or any(a.role == "interviewer" for a in facts.assignments
                                                         if a.label in voices)):
        out.append(said)  # without an interviewer, the warning above says so and how to set one
    # a guess the labels alone gave (an import before, 'doctor'): one line for the voices guessed alike
    guessed: dict[tuple[str, str], list[str]] = {}
    for a in facts.assignments:
        if a.label != HEADING_SPEAKER and a.how.startswith("guessed") and not (guess and a.label in guess.roles):
            guessed.setdefault((a.role, a.how), []).append(a.label)
    for (role, how), labels in guessed.items():
        other = "informant" if role == "interviewer" else "interviewer"
        shown = quoted_list(labels)
        what = f"the {role}" if len(labels) == 1 else f"{role}s"
        out.append(f"guessed {shown} as {what} ({how.split(': ', 1)[-1]}); if wrong: {set_role}"
                   f" '{labels[0] if len(labels) == 1 else 'LABEL'}' {other}")
    ambiguous = list(dict.fromkeys(a.how for a in facts.assignments if a.how.startswith(AMBIGUOUS_ROW)))
    for how in ambiguous:
        out.append(f"{how.removeprefix('not matched: ')}: none was given its case; write the speaker's label in"
                   " full in the sheet's speaker column")
    for a in facts.assignments:
        if a.label == HEADING_SPEAKER:
            continue
        if a.role == "unknown" and a.label in voices and not a.how.startswith(AMBIGUOUS_ROW):
            if (facts.kii is False or facts.sheet_rows > 1) and not is_collective_label(a.label):
                out.append(f"focus-group speaker '{a.label}' has no case: add a case-sheet row with transcript"
                           f" {tid} and speaker '{a.label}'" + (" (a device name: give it in the speaker column)"
                                                                  if is_device_label(a.label) else ""))
            elif facts.has_sheet and facts.sheet_rows:
                out.append(f"speaker '{a.label}' is neither interviewer nor informant: {set_role} '{a.label}'"
                           " interviewer|informant")
        elif a.role == "informant" and a.case_id is None and facts.has_sheet and facts.sheet_rows > 1:
            out.append(f"focus-group speaker '{a.label}' has no case: add a case-sheet row with transcript {tid}"
                       f" and speaker '{a.label}'")
    if facts.has_sheet and not facts.sheet_rows:
        out.append(f"{tid} has no row in the case sheet: its informants have no stakeholder group")
    elif facts.has_sheet and facts.sheet_rows == 1 and voices and not ambiguous and not any(
            a.case_id for a in facts.assignments):
        out.append(f"the case-sheet row for {tid} matched no speaker: name the informant's label in its speaker"
                   " column, or correct a role with " + set_role)
    return out


def _leaked(text: str, names: set[str]) -> bool:
    stripped = text.strip()
    header = _HEADER_IN_UNIT.match(stripped)
    if header and fold(header.group(1).strip("*_ ")) in names:
        return True  # "Lindsey [22:45] ...": another speaker's header read as speech
    if _TIMESTAMP_UNIT.fullmatch(stripped) and any(ch.isdigit() for ch in stripped[:3]):
        return len(stripped.split()) <= 3 or bool(re.fullmatch(r"[\d:.,\[\]()\s>-]+", stripped))
    if stripped.endswith((".", "?", "!")) and not stripped.endswith("..."):
        return False  # "G3P1." said aloud (a participant's id read out): a sentence, not a header left in the text
    key = fold(stripped.strip(":：*_[]() ."))
    return bool(key) and key in names


def _label_inside(text: str, names: set[str], *, at_start: bool = False) -> str | None:
    """The words from a known speaker's label standing inside a unit after a sentence's end, as a label or a header
    stands ("... forty workers. Elena Novak: How many stayed?", "Lindsey [22:45] So ..."); None
    when there is none. A name said in a sentence ("I asked Elena Novak about it") is speech, and so is a word
    before a colon that is no speaker's ("The answer is simple: ..."). With ``at_start``
    (a unit inside a turn, not its first) a label at the unit's start counts too: the sentence splitter puts the
    label that should have started a turn at the start of a unit of the turn before."""
    if at_start and (m := _LABEL_AT_START.match(text)) and fold(m.group("name").strip("*_ ")) in names:
        return text
    for m in _LABEL_IN_UNIT.finditer(text):
        key = fold(m.group("name").strip("*_ "))
        if key in names:
            return text[m.start("name"):]
    return None


def _same_person(labels: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of labels where one is the other's first or last name(s) ("Monica", "Monica Powell"), as tools write
    when a speaker was named once in full and once by first name; generic labels ("Speaker 1") are left out."""
    named = [lab for lab in labels if not is_placeholder_label(lab)]
    pairs = []
    for short in named:
        words = fold(short).split()
        for full in named:
            other = fold(full).split()
            if full == short or len(other) <= len(words):
                continue
            extra = other[len(words):] if other[: len(words)] == words else \
                other[: len(other) - len(words)] if other[-len(words):] == words else None
            # "Woman" and "Woman 2", "HR officer" and "HR officer (F)": a focus group's numbered participants
            if extra and not any(any(ch.isdigit() or ch in "()[]" for ch in w) for w in extra):
                pairs.append((short, full))
    return pairs


def _names_for(stats: SpeakerStats, rows: Sequence[CaseRow], interviewers: Iterable[str]) -> set[str]:
    names = {fold(lab) for lab in stats.labels if not is_placeholder_label(lab) or len(lab) > 3}
    names |= {fold(r.name) for r in rows if r.name}
    names |= {fold(n) for n in interviewers}
    return {n for n in names if n}


# ---------------------------------------------------------------------------------------------- the plan


@dataclass
class PlannedFile:
    path: Path
    parsed: ParsedTranscript
    tid: str
    status: str  # new | new_version | unchanged | duplicate
    rows: list[CaseRow]
    assignments: list[Assignment]
    stats: SpeakerStats
    attributes: dict[str, Any]
    warnings: list[str]
    duplicate_of: str | None = None


@dataclass
class ImportPlan:
    files: list[PlannedFile]
    rows: list[CaseRow]
    has_sheet: bool
    others: dict[str, list[Assignment]]  # transcripts already in the project that the case sheet names
    warnings: list[str]  # about the case sheet
    other_warnings: dict[str, list[str]] = field(default_factory=dict)
    # desk-review documents: (path, parsed, id, documents-sheet row), and the documents sheet
    documents: list[tuple[Path, ParsedTranscript, str, Any]] = field(default_factory=list)
    doc_rows: list[Any] = field(default_factory=list)


def _row_tid(row: CaseRow) -> str:
    return row.transcript_id or Path(row.file or "").stem


def check_sheet_ids(project: Project, rows: Sequence[CaseRow], path: str | Path) -> None:
    """Refuse a case sheet whose transcript or case ids cannot be used (:func:`qualcode.cases.id_problem`), naming
    the line, before anything is written. Ids the project already has stay usable (projects made before this
    check)."""
    from qualcode.cases import ID_HINT, id_problem

    transcripts = {str(r[0]) for r in project.db.execute("SELECT id FROM transcripts")}
    cases = {str(r[0]) for r in project.db.execute("SELECT id FROM cases")}
    for row in rows:
        tid = _row_tid(row)
        problem = None if tid in transcripts else id_problem(tid)
        if problem:
            what = "transcript_id" if row.transcript_id else f"the transcript id its file '{row.file}' gives"
            raise InputError(f"{what} '{tid[:60]}' cannot be used: {problem}", path=str(path), line=row.line,
                             hint=ID_HINT if row.transcript_id else "give the row a transcript_id; " + ID_HINT)
        problem = None if row.case_id in cases else id_problem(row.case_id, transcript=False)
        if problem:
            raise InputError(f"case_id '{row.case_id[:60]}' cannot be used: {problem}", path=str(path),
                             line=row.line, hint=ID_HINT)


def _project_interviewers(project: Project) -> list[str]:
    names: list[str] = []
    for t in project.transcripts():
        names.extend(split_names(t["attributes"].get("interviewer")))
    return names


def _fixed(project: Project, tid: str) -> dict[str, tuple[str, str | None]]:
    return {r["label"]: (r["role"], r["case_id"]) for r in project.speakers(tid) if r.get("assigned_by") == "user"}


def _keep_stored_roles(project: Project, tid: str, decided: list[Assignment], *, sheet: bool) -> list[Assignment]:
    """A transcript already in the project, its speakers decided again: a speaker keeps its stored role and case
    where what decides now says less.

    With a case ``sheet``, the sheet decides; a speaker it leaves undecided (role unknown, no case) keeps what an
    import read from the conversation or a REFI file (a guess the labels alone do not repeat), so that confirming a
    transcript's type or stakeholder group with a sheet, as the import's warning suggests, does not wipe its
    informants. What an earlier case sheet set is the sheet's to decide: a corrected sheet takes it back, and a
    stored case the new sheet gives to another speaker stays with that one.

    Without one, the labels alone decide less than what is stored (an earlier case sheet's cases, a REFI file's links
    and roles, an import's guesses): a speaker keeps it unless the labels now say more, a role where it had none or a
    role read from the label itself where it had only a guess; a role set by hand is never overridden."""
    stored = {str(r[0]): (str(r[1]), r[2], r[3]) for r in project.db.execute(
        "SELECT label, role, case_id, how FROM speakers WHERE transcript_id = ?", (tid,))}
    given = {a.case_id for a in decided if a.case_id}
    out = []
    for a in decided:
        role, case, how = stored.get(a.label, ("unknown", None, None))
        undecided = a.role == "unknown" and not a.case_id
        if sheet:
            # a REFI import records the file's links without a 'how' (kept as "import"); its guesses say "guessed"
            by_import = how is None or how == "import" or str(how).startswith("guessed")
            keep = undecided and by_import and case not in given
        else:
            keep = a.how != "set by hand" and (undecided or a.how.startswith("guessed") or bool(case and not a.case_id))
        out.append(Assignment(a.label, role, case, how or "import") if keep and (role != "unknown" or case) else a)
    return out


# Spreadsheets are case or documents sheets, never transcripts.
SHEET_EXTENSIONS = (".csv", ".tsv", ".xlsx")


def gather_import_files(
    paths: Sequence[str | Path], cases: str | Path | None
) -> tuple[list[Path], str | Path | None, list[str]]:
    """The files to import and the case sheet, from what was named: a folder stands for the files in it (not its
    subfolders) that qualcode reads; a spreadsheet among them is the case sheet when none was given with ``cases``.
    Returns (files, case sheet, what was guessed or left out, for the report)."""
    from qualcode.importers import SUPPORTED_EXTENSIONS, is_transcript_sheet
    from qualcode.importers.documents import is_document_file

    files: list[Path] = []
    left_out: list[str] = []
    links: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            files.append(path)
            continue
        found = 0
        for child in sorted(path.iterdir(), key=lambda c: c.name.casefold()):
            if child.name.startswith((".", "~$")) or not child.is_file():
                continue  # hidden files, Word's lock files, subfolders
            if child.is_symlink():
                # a folder unpacked from someone else's archive may hold links (unzip and tar create them): one
                # named kii-02.txt that points at a file elsewhere on this machine must not become a transcript
                links.append(child.name)
                continue
            suffix = child.suffix.lower()
            if suffix in SUPPORTED_EXTENSIONS or suffix in SHEET_EXTENSIONS or is_document_file(child):
                files.append(child)
                found += 1
            else:
                left_out.append(child.name)
        if not found:
            raise InputError(
                "is a folder without transcripts, documents or sheets", path=str(path),
                hint="qualcode reads .docx, .txt, .md, .vtt, .srt and .sbv transcripts, .pdf and .html documents and"
                     " .csv or .xlsx sheets")
    notes: list[str] = []
    if links:
        shown = ", ".join(links[:5]) + (", ..." if len(links) > 5 else "")
        notes.append(f"{len(links)} file(s) in the folder are symbolic links and were left out (a link may point at"
                     f" any file on this machine; name the file itself to import it): {shown}")
    if left_out:
        shown = ", ".join(left_out[:5]) + (", ..." if len(left_out) > 5 else "")
        notes.append(f"{len(left_out)} file(s) in the folder are not transcripts, documents or sheets and were left"
                     f" out: {shown}")
    # Whisper's .tsv output is a transcript, whatever its extension suggests
    sheets = [f for f in files if f.suffix.lower() in SHEET_EXTENSIONS and not is_transcript_sheet(f)]
    if cases is not None:
        sheets = [f for f in sheets if f.resolve() != Path(cases).resolve()]
    if sheets and (cases is not None or len(sheets) > 1):
        raise InputError(
            "is a spreadsheet, not a transcript", path=str(sheets[0]),
            hint="give the case sheet with --cases FILE and a documents sheet with --document-sheet FILE, and leave"
                 " other spreadsheets out of the files to import")
    if sheets:
        cases = sheets[0]
        notes.append(f"{sheets[0].name} was among the files to import: it is read as the case sheet")
    return [f for f in files if f not in sheets and (cases is None or f.resolve() != Path(cases).resolve())], \
        cases, notes


def plan_import(
    project: Project,
    paths: Sequence[str | Path],
    *,
    cases: str | Path | None = None,
    documents: Sequence[str | Path] | None = None,
    document_sheet: str | Path | None = None,
    progress: ProgressFn | None = None,
) -> ImportPlan:
    """Read every file and the sheets and decide what an import would do; nothing is written. ``documents`` (and
    any PDF or HTML file among ``paths``) are desk-review documents. ``progress`` hears of each file read."""
    from qualcode.desk_review import read_document_sheet
    from qualcode.importers import read_html_file, read_transcript
    from qualcode.importers.documents import is_document_file
    from qualcode.safety.privacy import third_parties

    paths, cases, gathered = gather_import_files(paths, cases)
    rows = read_case_sheet(cases) if cases else []
    if cases:
        check_sheet_ids(project, rows, cases)
    doc_rows = read_document_sheet(document_sheet) if document_sheet else []
    doc_paths = [Path(d) for d in documents or []]
    # an HTML page whose paragraphs are speakers' turns is a transcript (noScribe's default output, an interview
    # archive's pages); any other PDF or HTML file is a document
    # (an HTML page is parsed once, to decide and to read it)
    html_read: dict[Path, tuple[ParsedTranscript, bool]] = {}
    for p in paths:
        if Path(p).is_file() and is_document_file(p):
            reading = read_html_file(p)
            if reading is not None:
                html_read[Path(p)] = reading
            if reading is None or not reading[1]:
                doc_paths.append(Path(p))
    paths = [p for p in paths if Path(p) not in doc_paths]
    by_tid: dict[str, list[CaseRow]] = {}
    for row in rows:
        by_tid.setdefault(_row_tid(row), []).append(row)
    sources = {  # each transcript's id -> the name of the file its current version came from
        str(tid): unicodedata.normalize("NFC", Path(str(name)).name)
        for tid, name in project.db.execute(
            "SELECT t.id, v.source_name FROM transcripts t JOIN transcript_versions v ON v.transcript_id = t.id"
            " AND v.version = t.current_version"
        )
    }
    current = {  # current text hash -> transcript
        str(r[0]): str(r[1])
        for r in project.db.execute(
            "SELECT v.sha256, t.id FROM transcripts t JOIN transcript_versions v ON v.transcript_id = t.id"
            " AND v.version = t.current_version"
        )
    }
    # names a file name must not carry into an id: the case sheet's, the project's informants', the name list
    known_names = [r.name for r in rows if r.name] + [str(c["name"]) for c in project.cases() if c.get("name")] \
        + [str(d["name"]) for d in third_parties(project)]
    interviewers = [n for r in rows for n in split_names(r.attributes.get("interviewer"))]
    interviewers += _project_interviewers(project)
    files: list[PlannedFile] = []
    seen_ids: dict[str, Path] = {}
    seen_hash: dict[str, Path] = {}
    sentence_index: dict[int, set[str]] | None = None  # read once, when a new transcript needs it
    for done, raw in enumerate(paths):
        if progress:
            progress("reading files", done, len(paths) + len(doc_paths))
        path = Path(raw)
        if path.is_dir():
            raise InputError("is a folder; pass the transcript files (e.g. DIR/*.docx)", path=str(path))
        read = html_read.get(path)
        parsed = read[0] if read is not None and read[1] else read_transcript(path)
        sha = text_hash(parsed.text)
        tid = transcript_id_for(path, parsed, rows, sources)
        _check_id(tid, path, sources, kind="transcript")
        file_tid = tid
        tid, renamed = name_free_id(path, parsed, tid, rows, sources, known_names, set(seen_ids))
        if renamed:
            parsed.metadata.setdefault("title", tid)  # the file's stem, the default title, holds the name too
            repoint_rows(rows, path, tid)
            by_tid[tid] = by_tid.pop(file_tid, []) + by_tid.get(tid, [])
        if sha in seen_hash:
            raise InputError(f"has the same text as {seen_hash[sha]}", path=str(path),
                             hint="import each transcript once")
        seen_hash[sha] = path
        status = "new"
        duplicate_of = None
        if sha in current and current[sha] != tid:
            # the same text under another name: the transcript already in the project, not a second copy
            status, duplicate_of = "duplicate", current[sha]
            tid = current[sha]
        elif tid in sources:
            status = "unchanged" if current.get(sha) == tid else "new_version"
        if tid in seen_ids:
            raise InputError(
                f"has the same transcript id '{tid}' as {seen_ids[tid]}",
                path=str(path),
                hint="give each transcript its own id in the case sheet",
            )
        seen_ids[tid] = path
        t_rows = by_tid.get(tid, [])
        attributes = _transcript_attributes(t_rows, parsed)
        stats = SpeakerStats.from_parsed(parsed)
        names = interviewers + split_names(parsed.metadata.get("interviewer")) + split_names(
            parsed.metadata.get("moderator")) + split_names(parsed.metadata.get("facilitator"))
        kii = interview_type(t_rows, attributes)
        assignments = decide_speakers(stats, t_rows, interviewers=names, kii=kii, fixed=_fixed(project, tid))
        guess = None
        if tid in sources:
            # a transcript already here: what its import, a case sheet or a REFI file decided is not read afresh
            # from the labels alone
            assignments = _keep_stored_roles(project, tid, assignments, sheet=bool(t_rows))
        if not t_rows and status != "duplicate" and not any(a.case_id for a in assignments):
            # no case sheet describes it (now or before): its roles and type guessed as a REFI import guesses them;
            # the pair's asker is guessed there again, so that the one warning names it
            stored = project.require_transcript(tid)["attributes"] if tid in sources else "{}"
            typed = str(attributes.get("type") or json.loads(stored or "{}").get("type") or "")
            guess = guess_conversation(
                tid, [(a.label, "unknown" if a.how == ASKER_GUESS else a.role, a.case_id) for a in assignments],
                dict(stats.units), dict(stats.questions), typed=typed, names=(path.name, tid),
                settled=[a.label for a in assignments if a.how == "set by hand"])
            assignments = [Assignment(a.label, guess.roles[a.label][0], None, guess.roles[a.label][1])
                           if a.label in guess.roles else a for a in assignments]
            if guess.type:
                attributes["type"] = guess.type
                kii = interview_type([], attributes)
        facts = TranscriptFacts(
            tid, _record(project, tid, parsed), kii, stats, assignments,
            [(i + 1, parsed.text[u.start : u.end]) for i, u in enumerate(parsed.units)],
            bool(rows), len(t_rows), _names_for(stats, t_rows, names), guess,
            {i + 1 for i, u in enumerate(parsed.units) if i and parsed.units[i - 1].turn == u.turn},
        )
        warnings = [] if status == "duplicate" else transcript_warnings(facts)
        if renamed:
            warnings.insert(0, renamed)
        if status == "duplicate":
            warnings.append(f"the same text is already in the project as {tid}: nothing new imported")
        elif status == "new":
            if sentence_index is None:
                sentence_index = _sentence_index(project)
            similar = _similar_transcript(parsed, sentence_index)
            if similar is not None:
                other, share = similar
                warnings.append(
                    f"shares {share:.0%} of its sentences with {other}: if it is a corrected version of {other},"
                    f" remove it (qualcode transcripts remove {tid}) and import the file under {other}'s file name or"
                    " id, so its codings move to the new version"
                )
        files.append(PlannedFile(path, parsed, tid, status, t_rows, assignments, stats, attributes, warnings,
                                 duplicate_of))
    planned = {f.tid for f in files}
    docs = _plan_documents(project, doc_paths, doc_rows, sources, seen_ids,
                           None if progress is None else lambda done: progress("reading files", len(paths) + done,
                                                                               len(paths) + len(doc_paths)),
                           read={p: pt for p, (pt, transcript) in html_read.items() if not transcript})
    # what reading the sheets changed (control characters taken out) comes first
    sheet_warnings: list[str] = [*gathered, *getattr(rows, "warnings", []), *getattr(doc_rows, "warnings", [])]
    for f in files:
        sheet_warnings.extend(_unmatched_rows(f.tid, f.rows, f.assignments, f.stats.labels))
    others, other_warnings, more = _plan_rows(project, [r for r in rows if _row_tid(r) not in planned])
    sheet_warnings.extend(more)
    return ImportPlan(files, rows, bool(rows), others, sheet_warnings, other_warnings, docs, doc_rows)


def _plan_documents(project: Project, paths: list[Path], doc_rows: list[Any], sources: dict[str, str],
                    seen_ids: dict[str, Path], progress: Callable[[int], None] | None = None,
                    read: dict[Path, ParsedTranscript] | None = None,
                    ) -> list[tuple[Path, ParsedTranscript, str, Any]]:
    """Read desk-review documents and give each its id (the documents sheet's, else the file name's). ``read``: the
    documents already read, judged not to be transcripts (HTML pages given to import)."""
    read = read or {}
    from qualcode.desk_review import row_for
    from qualcode.importers import transcript_speakers
    from qualcode.importers.documents import read_document

    out = []
    for done, path in enumerate(paths):
        if progress:
            progress(done)
        if path.is_dir():
            raise InputError("is a folder; pass the document files (e.g. DIR/*.pdf)", path=str(path))
        already = read.get(path)
        pt = already if already is not None else read_document(path)
        speakers = [] if already is not None else transcript_speakers(pt.text)
        if speakers:
            # an interview saved as PDF (or any file given with --document) is coded as a document: no speakers,
            # the questions codable; say so, and how to import it as an interview
            how = ("copy its text into a .txt or .docx file and import that" if pt.format == "pdf" else
                   "import it without --document")
            pt.warnings.append(f"this document reads as a transcript (its paragraphs start with the speaker labels"
                               f" {quoted_list(speakers)}): it was imported as a document, without speakers; to"
                               f" code it as an interview, {how}")
        row = row_for(doc_rows, path)
        tid = row.document_id if row is not None and row.document_id else _id_from_file_name(path, sources)
        tid = ID_SAFE.sub("-", unicodedata.normalize("NFC", tid)).strip("-") or "document"
        _check_id(tid, path, sources, kind="document")
        if tid in seen_ids:
            raise InputError(f"has the same id '{tid}' as {seen_ids[tid]}", path=str(path),
                             hint="give each document its own document_id in the documents sheet")
        seen_ids[tid] = path
        out.append((path, pt, tid, row))
    return out


def _check_id(tid: str, path: Path, sources: dict[str, str], *, kind: str) -> None:
    """Refuse a file whose id (stated in the file, or made from its name) cannot be used; one the project already
    has stays usable."""
    from qualcode.cases import ID_HINT, id_problem

    problem = None if tid in sources else id_problem(tid)
    if problem:
        sheet = "case sheet's transcript_id column" if kind == "transcript" else "documents sheet's document_id column"
        raise InputError(f"would get the {kind} id '{tid[:60]}', which cannot be used: {problem}", path=str(path),
                         hint=f"give it an id in the {sheet} (or rename the file); {ID_HINT}")


def _record(project: Project, tid: str, parsed: ParsedTranscript) -> str:
    row = project.db.execute("SELECT record FROM transcripts WHERE id = ?", (tid,)).fetchone()
    return str(row[0]) if row is not None and row[0] else parsed.record


def _unmatched_rows(tid: str, rows: Sequence[CaseRow], assignments: Sequence[Assignment],
                    labels: Sequence[str]) -> list[str]:
    """Speaker rows of the case sheet that name no speaker of the transcript."""
    import difflib

    used = {a.case_id for a in assignments if a.case_id}
    out = []
    for row in rows:
        if row.speaker and row.case_id not in used:
            close = difflib.get_close_matches(row.speaker, list(labels), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            out.append(f"case sheet line {row.line}: {tid} has no speaker '{row.speaker}'{hint}")
    return out


def _similar_transcript(parsed: ParsedTranscript, index: dict[int, set[str]]) -> tuple[str, float] | None:
    """The transcript already in the project whose sentences a new one mostly repeats (a corrected copy imported
    under a new name), with the share; None when there is none. ``index``: see :func:`_sentence_index`."""
    texts = {parsed.text[u.start : u.end] for u in parsed.units}
    texts = {t for t in texts if len(t.split()) >= 5}
    if len(texts) < 5:
        return None
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(index.get(hash(text), ()))
    if not counts:
        return None
    tid, n = counts.most_common(1)[0]
    share = n / len(texts)
    return (tid, share) if share >= SIMILAR_SHARE else None


def _sentence_index(project: Project) -> dict[int, set[str]]:
    """The transcripts each sentence of five words or more appears in (current versions), by the sentence's hash:
    one pass over the units, however many files are imported (a query per file would rescan them all)."""
    index: dict[int, set[str]] = {}
    for tid, text in project.db.execute(
        "SELECT s.transcript_id, s.text FROM segments s JOIN transcripts t ON t.id = s.transcript_id"
        " AND t.current_version = s.version WHERE t.kind != 'document'"
    ):
        if text.count(" ") >= 4:
            index.setdefault(hash(text), set()).add(str(tid))
    return index


def _transcript_attributes(rows: list[CaseRow], pt: ParsedTranscript) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key in ("type", "date", "language", "interviewer"):
        value = pt.metadata.get(key)
        if key == "type" and value and interview_type([], {"type": value}) is None:
            # "type: literature reference", "type: document": what a website's front matter calls the page, not an
            # interview type; it stays in the file's metadata, and the type is read as for a file that gives none
            continue
        if value:
            attrs[key] = str(value)
    if rows:
        first = rows[0]
        for key in TRANSCRIPT_LEVEL:
            if key in first.attributes:
                attrs[key] = first.attributes[key]
    return attrs


# ---------------------------------------------------------------------------------------------- writing it


def apply_import(project: Project, plan: ImportPlan, *, coder: str,
                 progress: ProgressFn | None = None) -> dict[str, Any]:
    """Write a plan in one transaction and return the import report; a corrected transcript becomes a new version
    and its codings are re-anchored to it (:func:`qualcode.reanchor.store_transcript`)."""
    results: dict[str, dict[str, Any]] = {}
    with project.transaction():
        for done, f in enumerate(plan.files):
            if progress:
                progress("storing transcripts", done, len(plan.files))
            if f.status == "duplicate":
                continue
            results[f.tid] = store_transcript(
                project, f.parsed, f.tid, title=f.parsed.metadata.get("title") or f.path.stem,
                attributes=f.attributes, coder=coder,
            )
        documents = _store_documents(project, plan, coder)
        for row in plan.rows:
            project.upsert_case(row.case_id, row.name, row.attributes, coder=coder)
        for f in plan.files:
            if f.status != "duplicate" or f.rows:
                _store_speakers(project, f.tid, f.assignments, coder)
        for tid, assignments in plan.others.items():
            rows = [r for r in plan.rows if _row_tid(r) == tid]
            project.set_transcript_attributes(
                tid, {k: v for k, v in rows[0].attributes.items() if k in TRANSCRIPT_LEVEL}, coder=coder
            )
            _store_speakers(project, tid, assignments, coder)
        document_rows = 0
        if plan.doc_rows:
            from qualcode.desk_review import apply_document_sheet

            document_rows, doc_warnings = apply_document_sheet(project, plan.doc_rows, coder=coder)
            plan.warnings.extend(doc_warnings)
    out = report(plan, results, dry_run=False)
    out["documents"] = documents
    out["document_rows"] = document_rows
    return out


def _store_documents(project: Project, plan: ImportPlan, coder: str) -> list[dict[str, Any]]:
    out = []
    for path, pt, tid, row in plan.documents:
        title = (row.title if row is not None else None) or str(pt.metadata.get("title") or path.stem)
        attrs = dict(row.attributes) if row is not None else {}
        result = store_transcript(project, pt, tid, title=title, attributes=attrs, coder=coder)
        if row is not None and row.title:
            project.set_title(tid, row.title, coder=coder)
        result.update(file=str(path), title=title, pages=pt.metadata.get("pages"))
        result["warnings"] = [f"{path.name}: {w}" for w in pt.warnings]
        out.append(result)
    return out


def _store_speakers(project: Project, tid: str, assignments: Sequence[Assignment], coder: str) -> None:
    for a in assignments:
        if a.how == "set by hand":
            continue
        case = a.case_id
        if case is not None and not project.has_case(case):
            case = None
        project.set_speaker(tid, a.label, role=a.role, case_id=case, coder=coder, how=a.how)


def report(plan: ImportPlan, results: dict[str, dict[str, Any]] | None = None, *,
           dry_run: bool) -> dict[str, Any]:
    """The import report: per file what was recognised, each speaker with its units, role and case, the metadata
    found and the warnings; then what the case sheet did."""
    results = results or {}
    transcripts = []
    for f in plan.files:
        result = results.get(f.tid, {})
        meta = {k: v for k, v in f.parsed.metadata.items() if k not in ("preamble", "speaker_notes")
                and not isinstance(v, (dict, list))}
        entry: dict[str, Any] = {
            "file": str(f.path),
            "id": f.tid,
            "status": f.status if f.status != "duplicate" else "already_imported",
            "version": result.get("version"),
            "format": f.parsed.format,
            "detected": f.parsed.detected,
            "record": f.parsed.record,
            "units": len(f.parsed.units),
            "speakers": [
                {"label": a.label, "units": f.stats.units[a.label], "role": a.role, "case": a.case_id, "how": a.how}
                for a in f.assignments
            ],
            "unlabelled_units": f.stats.unlabelled,
            "metadata": meta,
            "notes": list(f.parsed.warnings) + label_name_notes(f.stats.labels),
            "warnings": list(f.warnings),
        }
        if f.duplicate_of:
            entry["same_text_as"] = f.duplicate_of
        if "reanchor" in result:
            entry["reanchor"] = result["reanchor"]
        transcripts.append(entry)
    others = [
        {"id": tid, "speakers": [{"label": a.label, "role": a.role, "case": a.case_id, "how": a.how}
                                 for a in assignments], "warnings": plan.other_warnings.get(tid, [])}
        for tid, assignments in plan.others.items()
    ]
    warnings = list(plan.warnings)
    if not plan.has_sheet and plan.files and not any(f.rows for f in plan.files):
        warnings.append("no case sheet: informants have no stakeholder group or other attributes yet; import one"
                        " with 'qualcode import --cases FILE'")
    count = sum(len(t["warnings"]) for t in transcripts) + sum(len(o["warnings"]) for o in others) + len(warnings)
    documents = [
        {"file": str(path), "id": tid, "kind": "document", "status": "planned" if dry_run else None,
         "title": (row.title if row is not None else None) or str(pt.metadata.get("title") or path.stem),
         "pages": pt.metadata.get("pages"), "units": len(pt.units),
         "warnings": [f"{path.name}: {w}" for w in pt.warnings]}
        for path, pt, tid, row in plan.documents
    ]
    return {
        "dry_run": dry_run,
        "transcripts": transcripts,
        "documents": documents,
        "document_rows": len(plan.doc_rows),
        "case_sheet_transcripts": others,
        "cases": len(plan.rows),
        "warnings": warnings,
        "warning_count": count,
    }


def import_files(
    project: Project,
    paths: Sequence[str | Path],
    *,
    cases: str | Path | None = None,
    coder: str,
    dry_run: bool = False,
    documents: Sequence[str | Path] | None = None,
    document_sheet: str | Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Import transcript files (and optionally a case sheet, desk-review documents and their sheet) in one
    transaction and return the import report; with ``dry_run`` only plan it: the report says what would happen and
    nothing is written. ``progress`` hears of each file read and stored."""
    plan = plan_import(project, paths, cases=cases, documents=documents, document_sheet=document_sheet,
                       progress=progress)
    if dry_run:
        return report(plan, dry_run=True)
    return apply_import(project, plan, coder=coder, progress=progress)


def apply_case_sheet(project: Project, rows: list[CaseRow], *, coder: str) -> tuple[int, list[str]]:
    """Create/update cases and map the speakers of the transcripts the sheet names to them.
    Returns (rows applied, warnings)."""
    plan = _sheet_plan(project, rows)
    apply_import(project, plan, coder=coder)
    warnings = list(plan.warnings)
    for tid in plan.others:
        warnings.extend(f"{tid}: {w}" for w in plan.other_warnings.get(tid, []))
    return len(rows), warnings


def _sheet_plan(project: Project, rows: list[CaseRow]) -> ImportPlan:
    others, other_warnings, warnings = _plan_rows(project, rows)
    return ImportPlan([], rows, True, others, [*getattr(rows, "warnings", []), *warnings], other_warnings)


def _plan_rows(
    project: Project, rows: list[CaseRow]
) -> tuple[dict[str, list[Assignment]], dict[str, list[str]], list[str]]:
    """Speaker decisions and warnings for the transcripts already in the project that case-sheet rows name."""
    by_tid: dict[str, list[CaseRow]] = {}
    for row in rows:
        by_tid.setdefault(_row_tid(row), []).append(row)
    known = {t["id"]: t for t in project.transcripts()}
    interviewers = [n for r in rows for n in split_names(r.attributes.get("interviewer"))]
    interviewers += _project_interviewers(project)
    others: dict[str, list[Assignment]] = {}
    other_warnings: dict[str, list[str]] = {}
    sheet_warnings: list[str] = []
    for tid, t_rows in by_tid.items():
        if tid not in known:
            sheet_warnings.append(f"case sheet line {t_rows[0].line}: transcript '{tid}' is not in the project yet")
            continue
        stats = SpeakerStats.from_store(project.db, tid)
        attrs = {**known[tid]["attributes"], **{k: v for k, v in t_rows[0].attributes.items()
                                                  if k in TRANSCRIPT_LEVEL}}
        kii = interview_type(t_rows, attrs)
        names = interviewers + split_names(attrs.get("interviewer"))
        decided = decide_speakers(stats, t_rows, interviewers=names, kii=kii, fixed=_fixed(project, tid))
        others[tid] = _keep_stored_roles(project, tid, decided, sheet=True)
        units, mid_turn = _stored_units(project.db, tid)
        facts = TranscriptFacts(tid, known[tid].get("record", "verbatim"), kii, stats, others[tid], units, True,
                                len(t_rows), _names_for(stats, t_rows, names), mid_turn=mid_turn)
        other_warnings[tid] = transcript_warnings(facts)
        sheet_warnings.extend(_unmatched_rows(tid, t_rows, others[tid], stats.labels))
    return others, other_warnings, sheet_warnings


def plan_case_sheet(project: Project, cases: str | Path, *, coder: str,
                    dry_run: bool = False) -> dict[str, Any]:
    """Import a case sheet alone: its cases, and the speakers of the transcripts it names matched again."""
    rows = read_case_sheet(cases)
    check_sheet_ids(project, rows, cases)
    plan = _sheet_plan(project, rows)
    if dry_run:
        return report(plan, dry_run=True)
    return apply_import(project, plan, coder=coder)


def _stored_facts(db: sqlite3.Connection, tid: str, *, has_sheet: bool) -> TranscriptFacts:
    """The facts the warnings need, read from a project's database (used by ``doctor`` on any project)."""
    row = db.execute(
        "SELECT t.attributes, coalesce(t.record, json_extract(v.metadata, '$.record'), 'verbatim') FROM transcripts t"
        " JOIN transcript_versions v ON v.transcript_id = t.id AND v.version = t.current_version WHERE t.id = ?",
        (tid,),
    ).fetchone()
    attributes = json.loads(row[0] or "{}") if row else {}
    record = str(row[1]) if row else "verbatim"
    stats = SpeakerStats.from_store(db, tid)
    speakers = {str(r[0]): (str(r[1]), r[2], r[3], r[4]) for r in db.execute(
        "SELECT label, role, case_id, assigned_by, how FROM speakers WHERE transcript_id = ?", (tid,))}
    assignments = []
    for label in stats.labels:
        role, case, by, how = speakers.get(label, ("unknown", None, "import", None))
        assignments.append(Assignment(label, role, case, "set by hand" if by == "user" else (how or "import")))
    cases = {a.case_id for a in assignments if a.case_id}
    units, mid_turn = _stored_units(db, tid)
    names = {fold(lab) for lab in stats.labels if not is_placeholder_label(lab)}
    names |= {fold(str(r[0])) for r in db.execute(
        "SELECT name FROM cases WHERE name IS NOT NULL AND id IN (SELECT case_id FROM speakers WHERE"
        " transcript_id = ?)", (tid,))}
    names |= {fold(n) for n in split_names(attributes.get("interviewer"))}
    kii = interview_type([], attributes)
    return TranscriptFacts(tid, record, kii, stats, assignments, units, has_sheet, len(cases), {n for n in names if n},
                           mid_turn=mid_turn)


def _stored_units(db: sqlite3.Connection, tid: str) -> tuple[list[tuple[int, str]], set[int]]:
    """A stored transcript's units (number, text), and the numbers of those that are not the first of their turn."""
    rows = db.execute(
        "SELECT s.idx, s.text, s.turn FROM segments s JOIN transcripts t ON t.id = s.transcript_id AND"
        " t.current_version = s.version WHERE s.transcript_id = ? ORDER BY s.idx", (tid,)).fetchall()
    mid_turn = {int(r[0]) for k, r in enumerate(rows) if k and r[2] is not None and rows[k - 1][2] == r[2]}
    return [(int(r[0]), str(r[1])) for r in rows], mid_turn


def stored_transcript_warnings(db: sqlite3.Connection) -> dict[str, list[str]]:
    """The import warnings for every transcript in a project, from what is stored (``qualcode doctor``)."""
    has_sheet = bool(db.execute("SELECT 1 FROM cases LIMIT 1").fetchone())
    out: dict[str, list[str]] = {}
    for (tid,) in db.execute("SELECT id FROM transcripts WHERE kind != 'document' ORDER BY id").fetchall():
        warnings = transcript_warnings(_stored_facts(db, str(tid), has_sheet=has_sheet))
        if warnings:
            out[str(tid)] = warnings
    return out


def stored_speakers(project: Project, transcript_id: str) -> dict[str, Any]:
    """A transcript's speakers with their units, role, case and how they were decided, and its warnings."""
    if project.require_transcript(transcript_id).get("kind") == "document":
        # a desk-review document has no speakers: the transcript warnings (no labels, no case-sheet row) mislead
        raise QualcodeError(f"{transcript_id} is a document: it has no speakers",
                            hint="see 'qualcode documents' and 'qualcode segments --transcript " + transcript_id + "'")
    has_sheet = bool(project.db.execute("SELECT 1 FROM cases LIMIT 1").fetchone())
    facts = _stored_facts(project.db, transcript_id, has_sheet=has_sheet)
    rows = {r["label"]: r for r in project.speakers(transcript_id)}
    speakers = [
        {"label": a.label, "role": a.role, "case": a.case_id, "units": facts.stats.units[a.label],
         "assigned_by": rows[a.label]["assigned_by"] if a.label in rows else "import", "how": a.how}
        for a in facts.assignments
    ]
    return {"id": transcript_id, "record": facts.record, "speakers": speakers,
            "unlabelled_units": facts.stats.unlabelled, "warnings": transcript_warnings(facts)}
