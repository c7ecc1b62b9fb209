"""qualcode -> QualCoder -> qualcode: what QualCoder's own REFI-QDA import keeps of a qualcode export, written back
the way its export writes it, must come back without losing codes, codings, memos, cases or roles.

The two helpers follow QualCoder's src/qualcoder/refi.py (RefiImport.load_text_source, load_codings_for_text,
parse_notes, parse_cases, clean_up_case_codes_and_case_text; RefiExport.sources_xml, text_selection_xml, notes_xml,
cases_xml): only what it reads survives (no qualcode.json), and GUIDs are new on the way out.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from qualcode.refi import export_qdpx, import_refi
from qualcode.store import Project


def _tag(el: Any) -> str:
    return str(el.tag).rsplit("}", 1)[-1]


def qualcoder_reads(path: Path) -> dict[str, Any]:
    """What QualCoder stores after importing ``path``."""
    z = zipfile.ZipFile(path)
    root = etree.fromstring(z.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter() if _tag(u) == "User"}
    db: dict[str, Any] = {"codes": [], "sources": [], "code_text": [], "annotations": [], "journals": [],
                          "cases": [], "case_text": [], "project_memo": ""}
    guid_to_code: dict[str, str] = {}

    def walk(el: Any, parent: str | None) -> None:
        for c in el:
            if _tag(c) != "Code":
                continue
            desc = next((d.text or "" for d in c if _tag(d) == "Description"), "")
            db["codes"].append({"name": c.get("name"), "memo": desc, "parent": parent,
                                "category": c.get("isCodable") == "false"})
            guid_to_code[c.get("guid")] = c.get("name")
            walk(c, c.get("name"))

    for codes in root.iter():
        if _tag(codes) == "Codes":
            walk(codes, None)
    annotation_refs: set[str] = set()
    for src in (s for s in root.iter() if _tag(s) == "TextSource"):
        text = z.read("sources/" + src.get("plainTextPath").split("internal://")[1]).decode("utf-8")
        memo = next((d.text or "" for d in src if _tag(d) == "Description"), "")
        db["sources"].append({"name": src.get("name"), "fulltext": text, "memo": memo})
        fid = len(db["sources"]) - 1
        for sel in (x for x in src if _tag(x) == "PlainTextSelection"):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            owner = users.get(sel.get("creatingUser"), "default")
            desc = next((d.text or "" for d in sel if _tag(d) == "Description"), "")
            codings = [c for c in sel if _tag(c) == "Coding"]
            for c in codings:
                ref = next(r for r in c if _tag(r) == "CodeRef").get("targetGUID")
                db["code_text"].append({"code": guid_to_code.get(ref), "guid": ref, "fid": fid, "pos0": a,
                                        "pos1": b, "owner": owner, "memo": desc})
            if not codings:
                db["annotations"].append({"fid": fid, "pos0": a, "pos1": b, "memo": desc, "owner": owner})
        annotation_refs |= {n.get("targetGUID") for n in src if _tag(n) == "NoteRef"}
    for note in (n for n in root.iter() if _tag(n) == "Note"):
        if note.get("guid") in annotation_refs:
            continue  # a source's note: QualCoder reads only those holding a selection (qualcode writes none)
        if note.get("plainTextPath") and note.get("name"):
            text = z.read("sources/" + note.get("plainTextPath").split("internal://")[1]).decode("utf-8")
            db["journals"].append({"name": note.get("name"), "text": text,
                                   "owner": users.get(note.get("creatingUser"), "default")})
    case_guids = {}
    for case in (c for c in root.iter() if _tag(c) == "Case"):
        if case.get("name") is None:
            continue
        memo = next((d.text or "" for d in case if _tag(d) == "Description"), "")
        values = {}
        for vv in (v for v in case if _tag(v) == "VariableValue"):
            var = next(r for r in vv if _tag(r) == "VariableRef").get("targetGUID")
            name = next(v.get("name") for v in root.iter() if _tag(v) == "Variable" and v.get("guid") == var)
            values[name] = next((x.text for x in vv if _tag(x) == "TextValue"), "")
        db["cases"].append({"name": case.get("name"), "memo": memo, "attributes": values})
        case_guids[case.get("guid")] = case.get("name")
    # codes sharing a case's GUID are case text, not codes
    db["codes"] = [c for c in db["codes"] if c["name"] not in case_guids.values() or c["category"]]
    for ct in [ct for ct in db["code_text"] if ct["guid"] in case_guids]:
        db["case_text"].append({"case": case_guids[ct["guid"]], "fid": ct["fid"], "pos0": ct["pos0"],
                                "pos1": ct["pos1"]})
        db["code_text"].remove(ct)
    db["project_memo"] = next((d.text or "" for d in root if _tag(d) == "Description"), "")
    return db


def qualcoder_writes(db: dict[str, Any], path: Path) -> None:
    """The .qdpx QualCoder's export writes from ``db`` (new GUIDs everywhere, text with a byte-order mark)."""
    def g() -> str:
        return str(uuid.uuid4())

    owners = sorted({ct["owner"] for ct in db["code_text"]} | {j["owner"] for j in db["journals"]}
                    | {a["owner"] for a in db["annotations"]})
    user_guid = {o: g() for o in owners}
    code_guid = {c["name"]: g() for c in db["codes"]}
    files: dict[str, str] = {}
    xml = ['<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="qc" '
           'origin="QualCoder 3.8">', "<Users>"]
    xml += [f"<User guid={quoteattr(user_guid[o])} name={quoteattr(o)}/>" for o in owners]
    xml.append("</Users><CodeBook><Codes>")

    def codes_under(parent: str | None) -> str:
        out = ""
        for c in [c for c in db["codes"] if c["parent"] == parent]:
            out += (f"<Code guid={quoteattr(code_guid[c['name']])} name={quoteattr(c['name'])} "
                    f"isCodable={quoteattr('false' if c['category'] else 'true')}>")
            if c["memo"]:
                out += f"<Description>{escape(c['memo'])}</Description>"
            out += codes_under(c["name"]) + "</Code>"
        return out

    xml.append(codes_under(None) + "</Codes></CodeBook>")
    if db["cases"]:
        xml.append("<Cases>")
        for case in db["cases"]:
            xml.append(f"<Case guid={quoteattr(g())} name={quoteattr(case['name'])}>")
            if case["memo"]:
                xml.append(f"<Description>{escape(case['memo'])}</Description>")
            xml.append("</Case>")  # attributes need Variables; only whole-file case text becomes a SourceRef
        xml.append("</Cases>")
    xml.append("<Sources>")
    annotation_notes = []
    for fid, s in enumerate(db["sources"]):
        sg, pg = g(), g()
        files[f"sources/{pg}.txt"] = "\ufeff" + s["fulltext"]
        xml.append(f"<TextSource guid={quoteattr(sg)} name={quoteattr(s['name'])} "
                   f"plainTextPath={quoteattr('internal://' + pg + '.txt')}>")
        if s["memo"]:
            xml.append(f"<Description>{escape(s['memo'])}</Description>")
        for ct in [c for c in db["code_text"] if c["fid"] == fid and c["code"] in code_guid]:
            xml.append(f"<PlainTextSelection guid={quoteattr(g())} startPosition=\"{ct['pos0']}\" "
                       f"endPosition=\"{ct['pos1']}\" creatingUser={quoteattr(user_guid[ct['owner']])}>")
            if ct["memo"]:
                xml.append(f"<Description>{escape(ct['memo'])}</Description>")
            xml.append(f"<Coding guid={quoteattr(g())} creatingUser={quoteattr(user_guid[ct['owner']])}>"
                       f"<CodeRef targetGUID={quoteattr(code_guid[ct['code']])}/></Coding></PlainTextSelection>")
        anns = [a for a in db["annotations"] if a["fid"] == fid]
        if anns:
            for a in anns:
                a["guid"] = g()
                annotation_notes.append(a)
            xml.append(f"<NoteRef targetGUID={quoteattr(anns[0]['guid'])}/>")  # QualCoder refers to the first only
        xml.append("</TextSource>")
    xml.append("</Sources>")
    if db["journals"] or annotation_notes:
        xml.append("<Notes>")
        for j in db["journals"]:
            ng = g()
            files[f"sources/{ng}.txt"] = j["text"]
            xml.append(f"<Note guid={quoteattr(ng)} creatingUser={quoteattr(user_guid[j['owner']])} "
                       f"name={quoteattr(j['name'])} plainTextPath={quoteattr('internal://' + ng + '.txt')}/>")
        for a in annotation_notes:
            xml.append(f"<Note guid={quoteattr(a['guid'])} creatingUser={quoteattr(user_guid[a['owner']])}>"
                       f"<PlainTextContent>{escape(a['memo'])}</PlainTextContent><PlainTextSelection "
                       f"guid={quoteattr(g())} startPosition=\"{a['pos0']}\" endPosition=\"{a['pos1']}\"/></Note>")
        xml.append("</Notes>")
    xml.append(f"<Description>{escape(db['project_memo'])}</Description></Project>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", "".join(xml))
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))


def _memo_texts(p: Project) -> set[str]:
    return {m["text"] for m in p.memos()}


def test_a_project_comes_back_from_qualcoder_without_losing_codings_memos_cases_or_roles(
    example_project: Project, tmp_path: Path
) -> None:
    p = example_project
    seg = p.segments("FGD-01", include_interviewer=False)[3]
    first = p.codings(transcript="KII-07")[0]
    memos = {"project": "Validation workshop on 2 April.", "case": "HR manager, asked not to be quoted on wages.",
             "segment": "Echoes KII-07.", "code": "Relevance to factories first.",
             "coding": "Borderline with effectiveness.", "transcript": "Two participants left early."}
    p.set_memo("project", "project", memos["project"], coder="clara")
    p.set_memo("case", "KII-07", memos["case"], coder="long")
    p.set_memo("segment", str(seg["id"]), memos["segment"], coder="long")
    p.set_memo("code", "relevance", memos["code"], coder="clara")
    p.set_memo("coding", str(first["id"]), memos["coding"], coder=first["coder"])
    p.set_memo("transcript", "FGD-01", memos["transcript"], coder="clara")
    export_qdpx(p, tmp_path / "to-qualcoder.qdpx", positions="characters")
    db = qualcoder_reads(tmp_path / "to-qualcoder.qdpx")
    # in QualCoder: every coding, every memo somewhere it shows, every informant's turns as case text
    assert len(db["code_text"]) == len(p.codings())
    assert {c["name"] for c in db["cases"]} == {c["id"] for c in p.cases()}
    linked = {c["case"] for c in db["case_text"]}
    assert linked == {sp["case_id"] for sp in p.speakers() if sp["case_id"]}
    shown = [db["project_memo"]] + [s["memo"] for s in db["sources"]] + [j["text"] for j in db["journals"]] + \
        [a["memo"] for a in db["annotations"]] + [c["memo"] for c in db["cases"]] + \
        [ct["memo"] for ct in db["code_text"]]
    assert [k for k, text in memos.items() if not any(text in s for s in shown)] == []

    qualcoder_writes(db, tmp_path / "from-qualcoder.qdpx")
    before = {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts")}
    report = import_refi(p.path, tmp_path / "from-qualcoder.qdpx", coder="tester")
    # back into the project it came from: nothing lost, nothing doubled
    assert {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts")} == before
    assert report["counts"]["transcripts_already_here"] == before["transcripts"]
    assert report["counts"]["codings_already_here"] >= before["codings"]
