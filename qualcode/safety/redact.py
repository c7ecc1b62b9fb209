"""Identifiers in a project: list what is still there (``qualcode redact --check``) and write pseudonymised copies.

What counts as an identifier is what :class:`qualcode.safety.privacy.Pseudonymiser` finds (informants', interviewers',
speakers' and the name list's names in any case, with possessives; titled names nobody listed, "Mr. Khanh"; e-mail
addresses; phone numbers; PERSON entities when a trained spaCy pipeline is installed), wherever an export could carry
it: transcript text and speaker labels, memos, coding memos, adjudication notes, findings' statements and notes, and
documents cited. Names inside ids or file names, and absolute paths of the machine a file was imported from, are
reported too: no export can replace those, so they must be changed at the source.
"""


from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError

if TYPE_CHECKING:
    from qualcode.safeio.output import Confirm
    from qualcode.store import Project

def identifier_check(project: Project, transcript: str | None = None) -> dict[str, Any]:
    """Every identifier still present in the project: in the current transcripts' text and speaker labels, and
    (for the whole project) in transcript and case ids, the files transcripts came from, memos, coding memos,
    adjudication notes and findings (statements, evidence notes, documents cited).

    Returns ``{"transcripts", "units", "hits": [{transcript, ref, where, kind, found, replacement, context}],
    "counts"}``; ``replacement`` is what exports show instead (None where an export cannot replace it: an id or a
    file name, which must be changed at the source).
    """
    from qualcode.safety.privacy import Pseudonymiser, speaker_label
    from qualcode.speakers import names_nobody

    pseudo = Pseudonymiser(project)
    hits: list[dict[str, Any]] = []
    tids = _transcript_ids(project, transcript)
    units = 0

    def scan(text: str, *, tid: str | None, ref: str, where: str) -> None:
        for r in pseudo.find(text or "", tid):
            hits.append({"transcript": tid, "ref": ref, "where": where, "kind": r.kind, "found": text[r.start:r.end],
                         "replacement": r.replacement, "context": _context(text, r.start, r.end)})

    for tid in tids:
        for sp in project.speakers(tid):
            label = str(sp["label"]).strip().strip("[]").rstrip(":").strip()
            if label and not names_nobody(label):
                shown = speaker_label({"speaker": sp["label"], "role": sp["role"], "case": sp["case_id"]})
                hits.append({"transcript": tid, "ref": tid, "where": "speaker label", "kind": "speaker label",
                             "found": sp["label"], "replacement": shown, "context": f"{sp['label']}: ..."})
        for seg in project.segments(tid):
            units += 1
            scan(seg["text"], tid=tid, ref=seg["ref"], where="transcript")
    wanted = set(tids)
    for t in project.transcripts():
        if t["id"] in wanted:
            _id_hits(pseudo, t["id"], "transcript id", hits, t["id"])
    for case in project.cases():
        if transcript is None or wanted & set(case["transcripts"]):
            _id_hits(pseudo, case["id"], "case id", hits, None)
    for tid, version, source in project.db.execute("SELECT transcript_id, version, source_name FROM"
                                                   " transcript_versions ORDER BY transcript_id, version"):
        if tid not in wanted:
            continue
        name = str(source or "")
        if name.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", name) or name.startswith("\\\\"):
            hits.append({"transcript": tid, "ref": f"{tid}@v{version}", "where": "file name", "kind": "file path",
                         "found": name, "replacement": None,
                         "context": "the path on the machine it was imported from"})
        stem = re.split(r"[\\/]", name)[-1]
        for r in pseudo.find(re.sub(r"[-_.]+", " ", stem)):
            hits.append({"transcript": tid, "ref": f"{tid}@v{version}", "where": "file name", "kind": r.kind,
                         "found": stem, "replacement": None, "context": stem})
    for m in project.memos():
        target = f"{m['target_type']}/{m['target_id']}"
        memo_tid = _memo_transcript(project, m) if m["target_type"] in ("segment", "transcript", "coding") else None
        if transcript is None or memo_tid in wanted:
            scan(m["text"], tid=memo_tid, ref=f"memo {target}", where=f"memo by {m['coder'] or '?'}")
    for cid, memo, tid, idx in project.db.execute(
            "SELECT c.id, c.memo, s.transcript_id, s.idx FROM codings c JOIN segments s ON s.id = c.segment_id"
            " WHERE c.memo IS NOT NULL AND c.memo != ''"):
        if tid in wanted:
            scan(memo, tid=tid, ref=f"{tid}:{idx}", where=f"memo of coding {cid}")
    for note, tid, idx in project.db.execute(
            "SELECT a.note, s.transcript_id, s.idx FROM adjudications a JOIN segments s ON s.id = a.segment_id"
            " WHERE a.note IS NOT NULL AND a.note != ''"):
        if tid in wanted:
            scan(note, tid=tid, ref=f"{tid}:{idx}", where="adjudication note")
    if transcript is None:
        import json

        for fid, statement, documents in project.db.execute("SELECT id, statement, documents FROM findings"):
            scan(statement, tid=None, ref=fid, where="finding statement")
            for doc in json.loads(documents or "[]"):
                scan(str(doc), tid=None, ref=fid, where="document cited")
        for fid, ref, note in project.db.execute("SELECT finding_id, segment_ref, note FROM finding_evidence"
                                                 " WHERE note IS NOT NULL AND note != ''"):
            scan(note, tid=None, ref=f"{fid} {ref}", where="evidence note")
    counts: dict[str, int] = {}
    for h in hits:
        counts[h["kind"]] = counts.get(h["kind"], 0) + 1
    return {"transcripts": len(tids), "units": units, "hits": hits, "counts": counts}


def _id_hits(pseudo: Any, ident: str, where: str, hits: list[dict[str, Any]], tid: str | None) -> None:
    """A name inside an id ("Tran-Van-Phuc-interview", "FGD-01-Nguyen Van Hung") is in every reference an export
    prints: it cannot be replaced there, only renamed at the source."""
    spaced = re.sub(r"[-_.]+", " ", ident)
    for r in pseudo.find(spaced):
        hits.append({"transcript": tid, "ref": ident, "where": where, "kind": "name in an id",
                     "found": ident[r.start:r.end], "replacement": None,
                     "context": f"{where} {ident}: give it an id without the name (case sheet transcript_id or"
                                " case_id)"})


def _memo_transcript(project: Project, memo: Mapping[str, Any]) -> str | None:
    target = str(memo["target_id"])
    if memo["target_type"] == "transcript":
        return target
    if not target.isdigit():
        return None
    table = "segments" if memo["target_type"] == "segment" else None
    if table is None:
        row = project.db.execute("SELECT s.transcript_id FROM codings c JOIN segments s ON s.id = c.segment_id"
                                 " WHERE c.id = ?", (int(target),)).fetchone()
    else:
        row = project.db.execute("SELECT transcript_id FROM segments WHERE id = ?", (int(target),)).fetchone()
    return str(row[0]) if row else None


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
    paths = claim_outputs([out / name for name in _file_names(tids)], force=force, confirm=confirm,
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


def _file_names(tids: list[str]) -> list[str]:
    """``<id>.txt`` for each transcript, always a plain name inside the folder: an id comes as written from a case
    sheet, a file's front matter or a .qdpx, and one like '../../notes' must not choose where a file is written.
    Characters other than letters, digits, '_', '.' and '-' become '-' (a name made twice gets '-2', '-3' ...)."""
    from qualcode.importing import safe_id

    names: list[str] = []
    taken: set[str] = set()
    for tid in tids:
        base = re.sub(r"-{2,}", "-", safe_id(tid).replace("..", "-")).strip("-.") or "transcript"
        name, n = f"{base}.txt", 2
        while name.lower() in taken:
            name, n = f"{base}-{n}.txt", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _transcript_ids(project: Project, transcript: str | None) -> list[str]:
    """The one transcript asked for (an unknown id is an error), or all of them."""
    return [project.require_transcript(transcript)["id"]] if transcript else [t["id"] for t in project.transcripts()]
