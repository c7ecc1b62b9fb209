"""The findings chapter of an evaluation report: one section per criterion in the order of the codebook (the
evaluation matrix), each finding with its statement, its evidence strength and what it rests on (interviews and
discussions, stakeholder groups, source types, documents), a few anonymous quotes, the divergent views and its
sources. Written as Word (Word's own styles, so it takes the look of the report template it is pasted into) or
Markdown.

Quotes are those the evaluator chose for the finding (``qualcode findings quotes``), otherwise the strongest
distinct passages among its supporting evidence: one per stakeholder group first (the groups that support it most
first), then other interviews, never two near-identical passages or two from one informant while others remain.
Only evidence in the reconciled view is quoted (a passage adjudicated out supports nothing); names never appear
unless ``show_names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.safeio.output import Confirm, atomic_output, claim_output

if TYPE_CHECKING:
    from qualcode.store import Project

FORMATS = ("docx", "md")
DEFAULT_QUOTES = 3
SIMILAR = 85  # token-set similarity (0-100) above which two passages say the same thing


@dataclass
class Passage:
    """One quotable passage: consecutive units of one speaker turn linked to a finding, joined."""

    transcript: str
    first: int
    last: int
    turn: int
    start: int
    end: int
    t_start: float | None
    stance: str
    group: str
    informant: str
    source_type: str
    row: dict[str, Any]
    record: str = "verbatim"  # or "notes": the interviewer's paraphrase, never put in quotation marks
    coders: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    text: str = ""
    score: float = 0.0


def findings_chapter(project: Project, *, show_names: bool = False, quotes: int = DEFAULT_QUOTES,
                     only: str | None = None) -> dict[str, Any]:
    """The chapter as data: ``{"title", "show_names", "criteria": [{"id", "name", "findings": [...]}], "findings",
    "rule"}``. Each finding: id, statement, question (id, name, text), strength, rests_on (events, event_list,
    groups, source_types, informants, documents), quotes (text, attribution, reference, group, chosen), divergence
    (groups with their supporting and contradicting informants, and quotes of the contrary view) and sources (the
    reference of every supporting passage, and the documents cited)."""
    from qualcode.safety.privacy import Attributor, Pseudonymiser
    from qualcode.synthesis.evidence import criteria, load_evidence
    from qualcode.synthesis.findings import evidence_links, require_finding
    from qualcode.synthesis.triangulation import load_rule

    if quotes < 0:
        raise QualcodeError("--quotes must be 0 or more")
    crits = criteria(project)
    code_pos: dict[str, int] = {}
    code_info: dict[str, dict[str, Any]] = {}
    for c in crits:
        for code in c["codes"]:
            code_pos[code["id"]] = len(code_pos)
            code_info[code["id"]] = code
    # the stored findings: their triangulation is computed once below, for all of them
    ids = [str(r[0]) for r in project.db.execute("SELECT id FROM findings ORDER BY position, id")]
    if only is not None:
        ids = [require_finding(project, only)["id"]]
    findings = [require_finding(project, i) for i in ids]
    links = {f["id"]: evidence_links(project, f["id"]) for f in findings}
    wanted = {link["coding"] for ls in links.values() for link in ls}
    rows = {r["coding"]: r for r in load_evidence(project, coding_ids=wanted)} if wanted else {}
    from qualcode.synthesis.triangulation import finding_triangulation

    tri = finding_triangulation(project, [f["id"] for f in findings])
    pseudo = Pseudonymiser(project, enabled=not show_names)
    attribute = Attributor(project, show_names=show_names)
    texts: dict[str, str] = {}
    by_crit: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        t = tri[f["id"]]
        support = [(rows[x["coding"]], "supports") for x in links[f["id"]]
                   if x["stance"] == "supports" and x["coding"] in rows]
        against = [(rows[x["coding"]], "contradicts") for x in links[f["id"]]
                   if x["stance"] == "contradicts" and x["coding"] in rows]
        passages = _passages(project, support, texts, pseudo)
        contrary = _passages(project, against, texts, pseudo)
        groups_order = sorted(t["per_group"], key=lambda g: (-t["per_group"][g]["informants"], g))
        chosen = _chosen(passages + contrary, f["key_quotes"]) if f["key_quotes"] else []
        picked = chosen or _pick(passages, quotes, groups_order)
        contrary = [p for p in contrary if p not in chosen]
        q = code_info.get(f["code"] or "") if f["code"] else None
        entry = {
            "id": f["id"], "criterion": f["criterion"], "statement": pseudo(f["statement"]),
            "question": ({"id": q["id"], "name": q["name"], "text": "; ".join(q["questions"])} if q else None),
            "strength": t["strength"],
            "rests_on": {
                "events": t["events"], "event_list": [_event(e) for e in sorted(
                    t["event_list"], key=lambda e: (e["type"] == "FGD", e["id"]))],
                "interviews": sum(1 for e in t["event_list"] if e["type"] != "FGD"),
                "discussions": sum(1 for e in t["event_list"] if e["type"] == "FGD"),
                "informants": t["informants"], "groups": t["groups"], "source_types": t["source_types"],
                "documents": _document_citations(passages, attribute) + [
                    d for d in f["documents"] if d not in {p.row.get("source_title") for p in passages}],
            },
            "quotes": [_quote(p, attribute, chosen=bool(chosen)) for p in picked],
            "divergence": {
                "groups": [d for d in t["divergence"] if d["contradicting_informants"]],
                "quotes": [_quote(p, attribute) for p in _pick(contrary, 2, sorted({p.group for p in contrary}))],
            },
            "sources": [_reference(p) for p in sorted(passages, key=lambda p: _ref_key(p))],
            "_order": (code_pos.get(f["code"] or f["criterion"], len(code_pos)), f["position"]),
        }
        by_crit.setdefault(f["criterion"], []).append(entry)
    out = []
    for c in crits:
        items = sorted(by_crit.pop(c["id"], []), key=lambda e: e["_order"])
        out.append({"id": c["id"], "name": c["name"], "findings": items})
    for cid, items in by_crit.items():  # findings filed under a criterion no longer in the codebook
        out.append({"id": cid, "name": cid, "findings": sorted(items, key=lambda e: e["_order"])})
    for c in out:
        for e in c["findings"]:
            e.pop("_order")
    return {"title": f"Findings: {project.name}", "show_names": show_names, "criteria": out,
            "findings": len(findings),
            "rule": [line.replace(">= ", "\u2265 ") for line in load_rule(project).describe()
                     if not line.startswith("findings need")]}


def _event(e: dict[str, Any]) -> str:
    """'KII-07', or for a discussion 'FGD-01, 3 of 5 participants' (its voices are one event, not five)."""
    if e["participants"] > 1 or e["informants"] > 1:
        return f"{e['id']}, {e['informants']} of {e['participants']} participants"
    return str(e["id"])


def finding_quotes(project: Project, finding_id: str, *, show_names: bool = False,
                   quotes: int = DEFAULT_QUOTES) -> dict[str, Any]:
    """The quotes the chapter shows for one finding: ``{"id", "chosen" (the evaluator chose them), "quotes"}``."""
    chapter = findings_chapter(project, show_names=show_names, quotes=quotes, only=finding_id)
    f = next(f for c in chapter["criteria"] for f in c["findings"])
    return {"id": f["id"], "chosen": any(q["chosen"] for q in f["quotes"]), "quotes": f["quotes"]}


def _document_citations(passages: list[Passage], attribute: Any) -> list[str]:
    """How the report cites the desk-review documents behind a finding: each document once, with the pages (or
    sections) of its coded passages: "Final progress report 2024, p. 7", "Mid-term evaluation 2023, pp. 4, 9"."""
    by_doc: dict[str, list[str]] = {}
    for p in sorted(passages, key=lambda p: (p.transcript, p.first)):
        if p.source_type != "document":
            continue
        cited = str(attribute(p.row))
        title = str(p.row.get("source_title") or p.transcript)
        where = cited[len(title) + 2:] if cited.startswith(title + ", ") else ""
        places = by_doc.setdefault(title, [])
        if where and where not in places:
            places.append(where)
    out = []
    for title, places in by_doc.items():
        pages = [w[3:] for w in places if w.startswith("p. ")]
        if pages and len(pages) == len(places):
            out.append(f"{title}, {'p.' if len(pages) == 1 else 'pp.'} {', '.join(pages)}")
        else:
            out.append(", ".join([title, *places]) if places else title)
    return out


def _passages(project: Project, rows: Iterable[tuple[dict[str, Any], str]], texts: dict[str, str],
              pseudo: Any) -> list[Passage]:
    """Linked rows as quotable passages: a unit linked by several coders or codes once, consecutive units of one
    turn joined and cut verbatim from the transcript."""
    units: dict[tuple[str, int], Passage] = {}
    for r, stance in rows:
        key = (r["transcript"], r["idx"])
        p = units.get(key)
        if p is None:
            p = units[key] = Passage(r["transcript"], r["idx"], r["idx"], r["turn"], r["start"], r["end"],
                                     r.get("t_start"), stance, r["group"], r["informant"], r["source_type"], r,
                                     str(r.get("record") or "verbatim"))
            p.refs.append(r["ref"])
        p.coders.add(r["coder"])
    joined: list[Passage] = []
    for p in sorted(units.values(), key=lambda p: (p.transcript, p.first)):
        prev = joined[-1] if joined else None
        if prev is not None and prev.transcript == p.transcript and prev.turn == p.turn and prev.last + 1 == p.first:
            prev.last, prev.end = p.last, p.end
            prev.coders |= p.coders
            prev.refs.extend(p.refs)
            continue
        joined.append(p)
    for p in joined:
        if p.transcript not in texts:
            texts[p.transcript] = project.transcript_text(p.transcript)
        p.text = pseudo(" ".join(texts[p.transcript][p.start:p.end].split()), p.transcript).strip()
        p.score = _quotability(p.text, len(p.coders))
    return joined


def _quotability(text: str, coders: int) -> float:
    """How well a passage serves as a report quote: a complete thought of a sentence or three (not "Yes, it is
    fine."), evaluative (it judges the programme), concrete (numbers), agreed by two coders."""
    from qualcode.synthesis.stance import stance_of

    words = len(text.split())
    if words < 6:
        length = -2.0
    elif words < 12:
        length = 0.0
    elif words <= 70:
        length = 1.5
    elif words <= 110:
        length = 0.5
    else:
        length = -0.5
    evaluative = 0.4 * min(3, len(stance_of(text).evidence))
    concrete = 0.5 if re.search(r"\d", text) else 0.0
    return length + evaluative + concrete + (0.3 if coders >= 2 else 0.0)


def _similar(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a, b) >= SIMILAR


def _pick(passages: list[Passage], n: int, groups_order: list[str]) -> list[Passage]:
    """The ``n`` strongest distinct passages: the best of each group in ``groups_order`` first, then the best of
    interviews not yet quoted, then any; never a near-duplicate, never a second quote of one informant while
    another informant's passage is left."""
    # interview notes are the note-taker's words: a finding quotes what informants said (notes are still among its
    # sources, and the evaluator may choose one, shown as a paraphrase)
    ranked = sorted((p for p in passages if p.record != "notes"), key=lambda p: (-p.score, p.transcript, p.first))
    chosen: list[Passage] = []

    def fits(p: Passage, *, new_informant: bool = True, new_event: bool = False) -> bool:
        if p in chosen or any(_similar(p.text, c.text) for c in chosen):
            return False
        if new_informant and any(c.informant == p.informant for c in chosen):
            return False
        return not (new_event and any(c.transcript == p.transcript for c in chosen))

    documents = [g for g in groups_order if all(p.source_type == "document" for p in passages if p.group == g)]
    for g in [g for g in groups_order if g not in documents] + documents:
        if len(chosen) >= n:
            break
        best = next((p for p in ranked if p.group == g and fits(p)), None)
        if best is not None:
            chosen.append(best)
    for rule in ({"new_event": True}, {}, {"new_informant": False}):
        for p in ranked:
            if len(chosen) >= n:
                break
            if fits(p, **rule):
                chosen.append(p)
    return chosen[:n]


def _chosen(passages: list[Passage], key_refs: list[str]) -> list[Passage]:
    """The passages the evaluator marked as the finding's quotes, in their order (a reference that is no longer
    among the finding's supporting or contrary evidence is skipped)."""
    out: list[Passage] = []
    for ref in key_refs:
        p = next((p for p in passages if ref in p.refs), None)
        if p is not None and p not in out:
            out.append(p)
    return out


def _reference(p: Passage) -> str:
    from qualcode.synthesis.evidence import reference

    return reference(p.transcript, p.first, p.last, p.t_start)


def _ref_key(p: Passage) -> tuple[str, int]:
    return (p.transcript, p.first)


def _quote(p: Passage, attribute: Any, *, chosen: bool = False) -> dict[str, Any]:
    return {"text": p.text, "attribution": attribute(p.row), "reference": _reference(p), "group": p.group,
            "source_type": p.source_type, "stance": p.stance, "record": p.record, "chosen": chosen}


# ---------------------------------------------------------------------------------------------- writing


def chapter_path(out: str | Path | None, fmt: str | None) -> tuple[Path, str]:
    """The file and format to write: ``--out`` decides the format by its suffix when ``--format`` is not given."""
    return output_path(out, fmt, FORMATS, "outputs/findings")


def output_path(out: str | Path | None, fmt: str | None, formats: tuple[str, ...], default: str) -> tuple[Path, str]:
    """The file and format of a one-file export: ``fmt`` or the suffix of ``out``; ``out`` defaults to ``default``
    plus the format's suffix. A suffix that contradicts ``fmt`` is an error (a .docx file holding Markdown)."""
    allowed = ", ".join(formats)
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in formats:
            raise QualcodeError(f"unknown format '{fmt}'", hint=f"use {allowed}")
    if out is None:
        fmt = fmt or formats[0]
        return Path(f"{default}.{fmt}"), fmt
    path = Path(out)
    suffix = path.suffix.lower().lstrip(".")
    if fmt is None:
        if suffix not in formats:
            raise QualcodeError(f"cannot tell the format of '{path.name}'",
                                hint=f"name the file .{' or .'.join(formats)}, or pass --format")
        return path, suffix
    if suffix and suffix != fmt and suffix in formats + ("docx", "xlsx", "csv", "md", "html", "pdf"):
        raise QualcodeError(f"'{path.name}' is not a .{fmt} file name", hint=f"use --out FILE.{fmt}")
    return (path if suffix == fmt else path.with_name(path.name + f".{fmt}")), fmt


def export_chapter(project: Project, out: str | Path | None = None, *, fmt: str | None = None,
                   show_names: bool = False, quotes: int = DEFAULT_QUOTES, force: bool = False,
                   confirm: Confirm | None = None, charts: bool = True) -> dict[str, Any]:
    """Write the findings chapter (``docx`` or ``md``). An existing file is replaced only with ``force`` (or when
    ``confirm`` agrees); the file is written whole or not at all."""
    path, fmt = chapter_path(out, fmt)
    claim_output(path, force=force, confirm=confirm, what="findings chapter")
    chapter = findings_chapter(project, show_names=show_names, quotes=quotes)
    figure = None
    if charts and fmt == "docx":
        from qualcode.exports.charts import criterion_heatmap

        figure = criterion_heatmap(project, formats=("png",))
    with atomic_output(path, what=f"{fmt} file") as tmp:
        if fmt == "docx":
            write_chapter_docx(chapter, tmp, figure=figure)
        else:
            write_chapter_markdown(chapter, tmp)
    n_quotes = sum(len(f["quotes"]) for c in chapter["criteria"] for f in c["findings"])
    return {"file": str(path), "format": fmt, "findings": chapter["findings"], "quotes": n_quotes,
            "criteria": sum(1 for c in chapter["criteria"] if c["findings"]), "show_names": show_names}


def _intro(chapter: dict[str, Any]) -> str:
    n = chapter["findings"]
    crits = sum(1 for c in chapter["criteria"] if c["findings"])
    text = (f"This chapter presents {n} finding{'s' if n != 1 else ''} under {crits} evaluation"
            f" criteri{'a' if crits != 1 else 'on'}, in the order of the evaluation matrix. Each finding gives its"
            " evidence strength, the interviews, focus-group discussions and documents it rests on, quotes from"
            " informants, divergent views and its sources. References (transcript:units, time into the recording)"
            " identify each passage in the evaluation's coded data.")
    if chapter["show_names"]:
        return text + " CONFIDENTIAL: this version shows informants' names. Do not circulate it."
    return text + " Quotes are verbatim; informants are not named and attributions do not identify them."


def _rests_on(f: dict[str, Any]) -> str:
    r = f["rests_on"]
    parts = []
    kinds = []
    if r["interviews"]:
        kinds.append(f"{r['interviews']} interview{'s' if r['interviews'] != 1 else ''}")
    if r["discussions"]:
        kinds.append(f"{r['discussions']} focus-group discussion{'s' if r['discussions'] != 1 else ''}")
    if kinds:
        parts.append(" and ".join(kinds) + f" ({'; '.join(r['event_list'])})")
    if r["groups"]:
        parts.append(f"{len(r['groups'])} stakeholder group{'s' if len(r['groups']) != 1 else ''}"
                     f" ({', '.join(r['groups'])})")
    text = f"Evidence: {f['strength']}."
    if parts:
        text += " It rests on " + " from ".join(parts) + "."
    else:
        text += " No interview evidence is linked to it."
    if r["source_types"]:
        text += f" Sources: {', '.join(r['source_types'])}."
    if r["documents"]:
        text += f" Documents: {'; '.join(r['documents'])}."
    return text


def _divergence_text(f: dict[str, Any]) -> str | None:
    groups = f["divergence"]["groups"]
    if not groups:
        return None
    parts = []
    for d in groups:
        c, s = d["contradicting_informants"], d["supporting_informants"]
        against = f"{c} informant{' disagrees' if c == 1 else 's disagree'}"
        if s:
            parts.append(f"{d['group']} is divided ({against}, {s} agree{'s' if s == 1 else ''})")
        else:
            parts.append(f"{d['group']} disagrees ({against})")
    return "Divergent views: " + "; ".join(parts) + "."


def _heading(f: dict[str, Any]) -> str:
    return f"Finding {f['id']}" + (f": {f['question']['name']}" if f["question"] else "")


def write_chapter_docx(chapter: dict[str, Any], path: Path, *, figure: Any = None) -> None:
    """Heading 1 for the chapter, Heading 2 per criterion, Heading 3 per finding; quotes in the Quote style; the
    heatmap as Figure 1 with a Caption."""
    from qualcode.exports import word

    doc = word.new_document(chapter["title"])
    word.heading(doc, "Findings", 1)
    word.para(doc, _intro(chapter))
    if figure is not None:
        word.figure(doc, figure, width_cm=min(16.0, word.text_width_cm(doc)))
    word.para(doc, "How evidence strength is rated:", italic=True, size=9)
    for line in chapter["rule"]:
        word.bullet(doc, line)
    for c in chapter["criteria"]:
        word.heading(doc, c["name"], 2)
        if not c["findings"]:
            word.para(doc, "No finding has been written for this criterion yet.", italic=True)
        for f in c["findings"]:
            word.heading(doc, _heading(f), 3)
            word.para(doc, f["statement"], bold=True)
            word.para(doc, _rests_on(f))
            for q in f["quotes"]:
                word.quote(doc, q["text"], q["attribution"], q["reference"], verbatim=q["record"] != "notes",
                           lead="Contrary view:" if q["stance"] == "contradicts" else None)
            div = _divergence_text(f)
            if div:
                word.para(doc, div)
                for q in f["divergence"]["quotes"]:
                    word.quote(doc, q["text"], q["attribution"], q["reference"], lead="Contrary view:",
                               verbatim=q["record"] != "notes")
            if f["sources"]:
                word.para(doc, "Passages: " + "; ".join(f["sources"]) + ".", italic=True, size=8)
    doc.save(str(path))


def write_chapter_markdown(chapter: dict[str, Any], path: Path) -> None:
    from qualcode.safeio.escaping import md_text
    from qualcode.synthesis.evidence import shown_passage

    lines = ["# Findings", "", md_text(_intro(chapter)), "", "*How evidence strength is rated:*", ""]
    lines += [f"- {md_text(line)}" for line in chapter["rule"]] + [""]
    for c in chapter["criteria"]:
        lines += [f"## {md_text(c['name'])}", ""]
        if not c["findings"]:
            lines += ["*No finding has been written for this criterion yet.*", ""]
        for f in c["findings"]:
            lines += [f"### {md_text(_heading(f))}", "", f"**{md_text(f['statement'])}**", "",
                      md_text(_rests_on(f)), ""]
            for q in f["quotes"]:
                lead = "**Contrary view:** " if q["stance"] == "contradicts" else ""
                lines += [f"> {lead}{md_text(shown_passage(q['text'], q['record']))}", ">",
                          f"> \u2014 {md_text(q['attribution'])} \\[{md_text(q['reference'])}\\]", ""]
            div = _divergence_text(f)
            if div:
                lines += [md_text(div), ""]
                for q in f["divergence"]["quotes"]:
                    lines += [f"> **Contrary view:** {md_text(shown_passage(q['text'], q['record']))}", ">",
                              f"> \u2014 {md_text(q['attribution'])} \\[{md_text(q['reference'])}\\]", ""]
            if f["sources"]:
                lines += [f"*Passages: {md_text('; '.join(f['sources']))}.*", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
