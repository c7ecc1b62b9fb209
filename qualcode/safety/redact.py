"""Identifiers in transcripts: list what is still there (``qualcode redact --check``) and write pseudonymised copies.

What counts as an identifier is what :class:`qualcode.safety.privacy.Pseudonymiser` replaces in every export (names
from the case sheet, speaker labels and interviewers; e-mail addresses; phone numbers; PERSON entities when a trained
spaCy pipeline is installed), plus names the check spots with a spaCy rule matcher that needs no trained model: a title
followed by capitalised words ("Mr. Hung", "Dr. Tran Van Nam") that the case sheet does not know. Those unknown names
are *not* replaced in exports, which is why the check reports them: add the person to the case sheet, or edit the
transcript.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError

if TYPE_CHECKING:
    from qualcode.safeio.output import Confirm
    from qualcode.store import Project

_PSEUDONYM = re.compile(r"\[(?:informant [^\]\n]{1,60}|interviewer \d+|speaker \d+|person \d+|email|phone)\]")
_KINDS = {"informant": "informant name", "interviewer": "interviewer name", "speaker": "speaker name",
          "person": "person name", "email": "e-mail address", "phone": "phone number"}
TITLES = ("mr", "mrs", "ms", "miss", "dr", "prof", "madam", "sir")
_NOT_A_TITLE = "".join(f"(?<!\\b{t.capitalize()})" for t in TITLES)


def _kind(pseudonym: str) -> str:
    word = pseudonym.strip("[]").split(" ")[0]
    return _KINDS.get(word, "identifier")


def replaced_spans(original: str, redacted: str) -> list[tuple[int, int, str]]:
    """Where ``redacted`` (the pseudonymiser's output) replaced text of ``original``: (start, end, pseudonym).

    The text between pseudonyms is unchanged, so it anchors a pattern; a replaced name never ends in a bare title
    ("Thank you, Ms. Yen. Ms. Thao" is "Ms. Yen" + "Ms. Thao", not "Ms" + "Yen. Ms. Thao").
    """
    pseudonyms = _PSEUDONYM.findall(redacted)
    if not pseudonyms or len(pseudonyms) > 40:
        return []
    pieces = _PSEUDONYM.split(redacted)
    pattern = "^" + re.escape(pieces[0]) + "".join(
        f"(.+?){_NOT_A_TITLE}" + re.escape(piece) for piece in pieces[1:]) + "$"
    m = re.match(pattern, original, re.DOTALL)
    if m is None:
        return []
    return [(m.start(k + 1), m.end(k + 1), p) for k, p in enumerate(pseudonyms) if m.group(k + 1) != p]


class _TitleMatcher:
    """Title + capitalised words, with spaCy's tokenizer and rule Matcher (spacy.blank: no model download)."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab)
        # the English tokenizer keeps "Mr." as one token; "Mr" without a dot is a token of its own
        titles = list(TITLES) + [t + "." for t in TITLES]
        self.matcher.add("TITLED_NAME", [[{"LOWER": {"IN": titles}}, {"ORTH": ".", "OP": "?"},
                                          {"IS_TITLE": True, "IS_ALPHA": True, "OP": "+"}]], greedy="LONGEST")

    def __call__(self, text: str) -> list[tuple[int, int]]:
        doc = self.nlp(text)
        return [(doc[s:e].start_char, doc[s:e].end_char) for _, s, e in self.matcher(doc)]


def identifier_check(project: Project, transcript: str | None = None) -> dict[str, Any]:
    """Every identifier still present in the current transcripts.

    Returns ``{"transcripts", "units", "hits": [{transcript, ref, kind, found, replacement, context}], "counts"}``;
    ``replacement`` is what exports show instead (None for unknown names, which exports do not catch).
    """
    from qualcode.safety.privacy import GENERIC_LABEL, Pseudonymiser, _looks_like_name, speaker_label
    from qualcode.store import is_interviewer_label

    pseudo = Pseudonymiser(project)
    titled = _TitleMatcher()
    hits: list[dict[str, Any]] = []
    tids = _transcript_ids(project, transcript)
    units = 0
    for tid in tids:
        for sp in project.speakers(tid):
            label = str(sp["label"]).strip().strip("[]").rstrip(":").strip()
            if label and not GENERIC_LABEL.match(label) and not is_interviewer_label(label) \
                    and _looks_like_name(label):
                shown = speaker_label({"speaker": sp["label"], "role": sp["role"], "case": sp["case_id"]})
                hits.append({"transcript": tid, "ref": tid, "kind": "speaker label", "found": sp["label"],
                             "replacement": shown, "context": f"{sp['label']}: ..."})
        for seg in project.segments(tid):
            units += 1
            text = seg["text"]
            redacted = pseudo.apply(text, tid)
            for start, end, pseudonym in replaced_spans(text, redacted):
                hits.append({"transcript": tid, "ref": seg["ref"], "kind": _kind(pseudonym),
                             "found": text[start:end], "replacement": pseudonym, "context": _context(text, start, end)})
            for start, end in titled(redacted):
                rs = redacted[start:end]
                if "[" in rs:
                    continue
                pos = text.find(rs)
                hits.append({"transcript": tid, "ref": seg["ref"], "kind": "unknown name", "found": rs,
                             "replacement": None,
                             "context": _context(text, pos, pos + len(rs)) if pos >= 0 else rs})
    counts: dict[str, int] = {}
    for h in hits:
        counts[h["kind"]] = counts.get(h["kind"], 0) + 1
    return {"transcripts": len(tids), "units": units, "hits": hits, "counts": counts}


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else "")


def write_redacted(project: Project, out_dir: str | Path, transcript: str | None = None, *, force: bool = False,
                   confirm: Confirm | None = None) -> dict[str, Any]:
    """Write each current transcript as ``<id>.txt`` with pseudonymised speakers and text (for sharing). Existing
    files are replaced only with ``force`` (or when ``confirm`` agrees), all checked before any is written; each file
    is written whole or not at all."""
    from qualcode.safeio.output import claim_outputs, write_text
    from qualcode.safety.privacy import Pseudonymiser, speaker_label

    # An unknown transcript is an error before anything is written.
    tids = _transcript_ids(project, transcript)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder", path=str(out), hint="give --out a folder")
    paths = claim_outputs([out / f"{tid}.txt" for tid in tids], force=force, confirm=confirm,
                          what="pseudonymised copy")
    pseudo = Pseudonymiser(project)
    files = []
    for tid, path in zip(tids, paths, strict=True):
        lines: list[str] = []
        turn = None
        for seg in project.segments(tid):
            text = pseudo.apply(seg["text"], tid)
            if seg["turn"] != turn:
                turn = seg["turn"]
                lines.append(f"\n{speaker_label(seg)}: {text}" if lines else f"{speaker_label(seg)}: {text}")
            else:
                lines[-1] += " " + text
        write_text(path, "\n".join(lines).strip() + "\n", what="pseudonymised copy")
        files.append(str(path))
    return {"folder": str(out), "files": files}


def _transcript_ids(project: Project, transcript: str | None) -> list[str]:
    """The one transcript asked for (an unknown id is an error), or all of them."""
    return [project.require_transcript(transcript)["id"]] if transcript else [t["id"] for t in project.transcripts()]
