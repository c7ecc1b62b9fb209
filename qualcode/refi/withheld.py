"""A transcript as a ``.qdpx`` ships it when names are withheld (the default): informants' speaker labels become
their case ("Informant KII-01"), other speaker labels that are names become "Interviewer 1" or "Speaker 2", and the
speech itself is pseudonymised as quotes are (:class:`~qualcode.safety.privacy.Pseudonymiser`).

The text is pseudonymised unit by unit, so every unit keeps its place: the i-th unit of the shipped text is the
i-th unit of the transcript, which is how the import finds the project's own transcript again in a file that comes
back (by this form's text, or by the original text's hash in ``qualcode.json``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.safety.privacy import Pseudonymiser

_PSEUDONYM = re.compile(r"\[(interviewer|speaker) (\d+)\]")


def shipped_labels(pseudo: Pseudonymiser, transcript: str,
                   speakers: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each speaker label of a transcript -> the label shipped without names (distinct within the transcript, and
    written so a transcript reader takes it for a speaker label again). Labels that name nobody ('Interviewer', 'Q',
    'P2', 'Speaker 1') stay as they are."""
    from qualcode.safety.privacy import speaker_names
    from qualcode.speakers import GENERIC_LABEL, names_nobody

    kept: dict[str, str] = {}
    replaced: dict[str, str] = {}
    for sp in speakers:
        label = str(sp["label"])
        clean = label.strip().strip("[]").rstrip(":").strip()
        if not clean or GENERIC_LABEL.match(clean):
            kept[label] = label
        elif sp.get("case_id"):
            replaced[label] = f"Informant {sp['case_id']}"
        elif not names_nobody(clean) or pseudo.find(clean, transcript):
            # the person's pseudonym ("Ana" of "Ana (she/her)" is [speaker 1]), never what the label adds to the name
            m = _PSEUDONYM.fullmatch(pseudo(next(iter(speaker_names(clean)), clean), transcript))
            if m:
                replaced[label] = f"{m.group(1).capitalize()} {m.group(2)}"
            else:
                replaced[label] = "Interviewer" if sp.get("role") == "interviewer" else "Speaker"
        else:
            kept[label] = label
    out = dict(kept)
    taken = {v.lower() for v in kept.values()}
    for label, shown in sorted(replaced.items()):
        if shown.lower() in taken:
            # two people under one pseudonym (or a kept label that reads the same): numbered apart
            base = re.sub(r"\s+\d+$", "", shown)
            n = 1
            while f"{base} {n}".lower() in taken:
                n += 1
            shown = f"{base} {n}"
        taken.add(shown.lower())
        out[label] = shown
    return out


class WithheldText:
    """A transcript's stored text and units as shipped without names: ``text`` and ``segments`` (copies of the
    units with ``start``, ``end`` and ``speaker`` of the shipped form), from which the shipped text with its labels
    is made as for the verbatim one (:func:`qualcode.refi.export.shipped_text`)."""

    def __init__(self, pseudo: Pseudonymiser, transcript: str, stored: str,
                 segments: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> None:
        cuts = sorted({0, len(stored), *(s["start"] for s in segments), *(s["end"] for s in segments)})
        parts: list[str] = []
        moved: dict[int, int] = {0: 0}
        at = 0
        self.replaced = 0  # names, e-mail addresses and phone numbers replaced in the speech
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = stored[a:b]
            found = pseudo.find(piece, transcript) if pseudo.enabled and piece.strip() else []
            if found:
                lead = len(piece) - len(piece.lstrip())
                for r in found:
                    if r.start == lead and r.replacement[:1] == "[":
                        # a unit that starts with a name starts with its placeholder: capitalised, so the text read
                        # again (by qualcode, without qualcode.json) is cut into sentences where it was
                        r.replacement = "[" + r.replacement[1:2].upper() + r.replacement[2:]
                piece = pseudo.replace(piece, found)
                self.replaced += len(found)
            parts.append(piece)
            at += len(piece)
            moved[b] = at
        self.text = "".join(parts)
        self.segments = [{**s, "start": moved[s["start"]], "end": moved[s["end"]],
                          "speaker": labels.get(s["speaker"], s["speaker"]) if s["speaker"] else s["speaker"]}
                         for s in segments]


def withheld_file_name(pseudo: Pseudonymiser, name: str) -> str:
    """A source file's name, or '[file name withheld]' when it names someone ('Tran-Van-Phuc-interview.txt')."""
    if not name:
        return name
    spaced = re.sub(r"[-_.]+", " ", name)
    return "[file name withheld]" if pseudo.find(spaced) else name


def withheld_values(pseudo: Pseudonymiser, values: Mapping[str, Any], transcript: str | None) -> dict[str, Any]:
    """Attribute values with the names in them pseudonymised (an interviewer column, a note in a case sheet)."""
    return {k: pseudo(v, transcript) if isinstance(v, str) else v for k, v in values.items()}


def withheld_shipped(pseudo: Pseudonymiser, transcript: str, stored: str, segments: Sequence[Mapping[str, Any]],
                     speakers: Sequence[Mapping[str, Any]]) -> tuple[str, list[tuple[int, int]]]:
    """A transcript's text as a ``.qdpx`` ships it without names, and where each of its units lies in that text
    (the import's way to recognise the project's own transcript sent back without ``qualcode.json``)."""
    from qualcode.refi.common import ShippedOffsets, shipped_text

    view = WithheldText(pseudo, transcript, stored, segments, shipped_labels(pseudo, transcript, speakers))
    text, inserts = shipped_text(view.text, view.segments)
    pos = ShippedOffsets(inserts)
    return text, [(pos(s["start"]), pos(s["end"], end=True)) for s in view.segments]
