"""Checks REFI-QDA imports selection by selection against the text each selection marks in the file.

Written independently of qualcode.refi.imports: the file is read here with lxml, each selection's passage is cut from
the source text under the convention the test states for that file (characters or UTF-16 units), qualcode's units
are located in the same text, and every selection must land on the units that hold its words, with no coding on a
unit no selection marks.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from qualcode.store import Project

# A memo of every kind qualcode keeps, some with characters a careless writer leaves unescaped ("&", "<").
MEMOS = {"project": "Validation workshop on 2 April.", "case": "HR manager, asked not to be quoted on wages.",
         "segment": "Echoes KII-07.", "segment2": "Same worry as P2 & P4 <below>.", "segment3": "Laughter here.",
         "code": "Relevance to factories first.", "coding": "Borderline with effectiveness.",
         "transcript": "Two participants left early."}


def add_memo_of_every_kind(p: Project) -> None:
    """Write MEMOS into the example project: on the project, a case, three FGD-01 units, a code, a KII-07 coding and
    a transcript. The third unit memo is by someone who coded nothing (QualCoder names only coders and source owners
    as users)."""
    units = p.segments("FGD-01", include_interviewer=False)
    first = p.codings(transcript="KII-07")[0]
    p.set_memo("project", "project", MEMOS["project"], coder="clara")
    p.set_memo("case", "KII-07", MEMOS["case"], coder="long")
    p.set_memo("segment", str(units[3]["id"]), MEMOS["segment"], coder="long")
    p.set_memo("segment", str(units[9]["id"]), MEMOS["segment2"], coder="clara")
    p.set_memo("segment", str(units[12]["id"]), MEMOS["segment3"], coder="minh")
    p.set_memo("code", "relevance", MEMOS["code"], coder="clara")
    p.set_memo("coding", str(first["id"]), MEMOS["coding"], coder=first["coder"])
    p.set_memo("transcript", "FGD-01", MEMOS["transcript"], coder="clara")


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _kids(el: Any, name: str) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str) and _local(c.tag) == name]


def code_points(text: str, position: int, unit: str) -> int:
    """Character offset of a position that counts ``unit`` ('characters' or 'utf16')."""
    if unit == "characters":
        return position
    pos = 0
    for i, ch in enumerate(text):
        if pos >= position:
            return i
        pos += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


@dataclass
class Placement:
    """Per file: selections whose words all sit on units coded with their code by their coder, out of all."""

    placed: int = 0
    total: int = 0
    elsewhere: int = 0  # codings on units no selection of that code and coder marks
    misplaced: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.placed / self.total if self.total else 1.0


# the import takes the time out of a transcriber's note ('[inaudible 00:01:30]' is '[inaudible]' in the unit): the
# file holds the unit's text with that time put back
_NOTE_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\]"


def _units_in(text: str, segments: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, Mapping[str, Any]]]:
    out = []
    cursor = 0
    for s in segments:
        words = [re.escape(w).replace(r"\]", _NOTE_TIME) for w in s["text"].split()]
        if not words:
            continue
        m = re.compile(r"\s+".join(words)).search(text, cursor)
        if m is None:  # a reader drops timestamps at the start of wrapped lines: one token between words
            m = re.compile(r"\s+(?:\S{1,24}\s+)?".join(words)).search(text, cursor)
        if m is None:
            continue
        out.append((m.start(), m.end(), s))
        cursor = m.end()
    return out


def _holds(text: str, s: int, e: int, a: int, b: int) -> bool:
    """A unit holds part of a passage when the passage covers three of its letters or digits, or a fifth of them
    (a passage that ends one letter into the next sentence does not claim it)."""
    if e <= a or s >= b:
        return False
    covered = sum(1 for ch in text[max(s, a):min(e, b)] if ch.isalnum())
    return covered >= 3 or covered >= 0.2 * sum(1 for ch in text[s:e] if ch.isalnum()) > 0


def check_placement(project: Project, qdpx: Path, *, unit: str, coder_on: str = "coding",
                    crlf_as_one: bool = False, not_codings_by: str | None = None) -> Placement:
    """Compare the project's codings with every coded selection of ``qdpx``. ``coder_on`` names where the file
    records who coded: 'selection' (NVivo) or 'coding'. ``crlf_as_one``: the positions count a CRLF line end once
    (QualCoder's export with line ends for MAXQDA). ``not_codings_by``: a user whose codings mark something other than
    meaning (QualCoder's speaker tool codes each turn as "📌 Speaker coding"): they are not counted."""
    z = zipfile.ZipFile(qdpx)
    members = {n.lower(): n for n in z.namelist()}
    qde = next(n for n in z.namelist() if n.lower().endswith(".qde"))
    # recovering: QualCoder writes annotations unescaped, which breaks only its notes, not the sources read here
    root = etree.fromstring(z.read(qde), etree.XMLParser(recover=True))
    users = {(u.get("guid") or "").lower(): u.get("name") for u in root.iter() if _local(u.tag) == "User"}
    paths: dict[str, str] = {}
    depth: dict[str, int] = {}

    def walk(el: Any, path: tuple[str, ...]) -> None:
        for c in _kids(el, "Code"):
            p = (*path, (c.get("name") or "").strip())
            g = (c.get("guid") or "").lower()
            # a code listed twice under one GUID (QualCoder repeats a sub-code under its category) is the deeper one
            if len(p) > depth.get(g, 0):
                paths[g], depth[g] = "/".join(p), len(p)
            walk(c, p)

    for codes in root.iter():
        if _local(codes.tag) == "Codes":
            walk(codes, ())
    cb = project.codebook()
    by_path: dict[str, str] = {}

    def walk_ours(code: Any, path: tuple[str, ...]) -> None:
        p = (*path, code.name)
        by_path.setdefault("/".join(p), code.id)
        for child in code.children:
            walk_ours(child, p)

    for r in cb.roots:
        walk_ours(r, ())
    sources = json.loads(project.setting("refi.guids") or "{}").get("sources", {})
    result = Placement()
    for src in root.iter():
        if _local(src.tag) != "TextSource":
            continue
        ref = (src.get("plainTextPath") or "").split("://")[-1].lstrip("/")
        member = members.get(("sources/" + ref).lower()) or members.get(ref.lower())
        if member is None:
            continue
        raw = z.read(member).decode("utf-8-sig")
        tid = sources.get((src.get("guid") or "").strip("{}").lower())
        if tid is None:
            continue
        text = raw.replace("\r\n", "\n")
        units = _units_in(text, project.segments(tid))
        coded: dict[tuple[str, str], set[int]] = {}
        for c in project.codings(transcript=tid):
            coded.setdefault((c["code"], c["coder"]), set()).add(c["segment"])
        marked: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for sel in _kids(src, "PlainTextSelection"):
            a = code_points(raw, int(sel.get("startPosition")), unit)
            b = code_points(raw, int(sel.get("endPosition")), unit)
            if crlf_as_one:
                a, b = code_points(text, int(sel.get("startPosition")), unit), \
                    code_points(text, int(sel.get("endPosition")), unit)
            else:
                a -= raw.count("\r\n", 0, a)
                b -= raw.count("\r\n", 0, b)
            for coding in _kids(sel, "Coding"):
                code_ref = _kids(coding, "CodeRef")[0].get("targetGUID").lower()
                who = sel.get("creatingUser") if coder_on == "selection" else coding.get("creatingUser")
                who = who or coding.get("creatingUser") or sel.get("creatingUser")
                if not_codings_by is not None and users.get((who or "").lower()) == not_codings_by:
                    continue
                key = (by_path.get(paths.get(code_ref, ""), ""), users.get((who or "").lower(), ""))
                marked.setdefault(key, []).append((a, b))
                result.total += 1
                mine = coded.get(key, set())
                holding = [u[2]["id"] for u in units if _holds(text, u[0], u[1], a, b)]
                if holding and all(h in mine for h in holding):
                    result.placed += 1
                else:
                    result.misplaced.append(f"{tid} {a}-{b} {key}: {text[a:b][:60]!r}")
        spans = {u[2]["id"]: (u[0], u[1]) for u in units}
        for key, segs in coded.items():
            for seg in segs:
                s, e = spans.get(seg, (-1, -1))
                if not any(s < b and e > a for a, b in marked.get(key, [])):
                    result.elsewhere += 1
    return result
