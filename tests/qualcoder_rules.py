"""What QualCoder keeps of a REFI-QDA project and what it writes back: a model of its database, filled by the rules of
its import and emptied by the rules of its export.

Written from reading QualCoder's src/qualcoder/refi.py (ccbogel/QualCoder, commit c3204641): on import
RefiImport.import_project, sub_codes, parse_variables, load_text_source, load_codings_for_text, parse_notes,
insert_annotation, parse_cases, parse_case_for_file_variables, clean_up_case_codes_and_case_text, parse_sets,
parse_project_description; on export RefiExport.project_xml, get_users, get_codes, codebook_xml, variables_xml,
cases_xml, case_source_ref_xml, sources_xml, text_selection_xml, source_variables_xml, notes_xml. Only text sources
are modelled (qualcode writes no others). Checked against QualCoder itself, run headless on qualcode's export of the
example project (tests/fixtures/refi-qda/real/making/through_qualcoder.py): its tables held the same codes,
categories, sources, 792 codings, annotations, journals, cases, case texts and attribute values as this model, but
for two things the model leaves out: QualCoder replaces each code's colour by the nearest colour of its own palette
(color_selector.color_matcher; qualcode brings the colour it sent back from the code's description, which the test on
QualCoder's own export checks), and it records the importing user as each case's owner (no exchange reads it).
Its export of those tables has the same elements and attributes, in the same numbers, as this model's, but for the
Project's creatingUserGUID and a second, unreferenced copy of each text file in sources/. No qualcode code is used
here, so a test built on it checks qualcode against QualCoder's rules, not against itself.

The rules that decide what survives:
- a code is a category when isCodable="false", else a code (nested codes become sub-codes); names are unique (a
  second code of the same name is merged into the first); the Description is the code's memo;
- a selection's codings are credited to the selection's creatingUser; its Description is each coding's memo; a
  selection without a Coding is an annotation; positions are taken as they are, on the text as read (UTF-8, a
  byte-order mark kept as a character), and shown where its Qt text cursor puts them (UTF-16 code units), while the
  text it stores with each coding is a Python slice of them (characters);
- a Note is kept only as a journal entry (plainTextPath and a name) or as an annotation (referred to from a
  TextSource, holding PlainTextContent and a PlainTextSelection); the project memo is the Project's Description;
- a named Case keeps its Description and its variable values; its SourceRefs are not read; codings of a code with the
  case's GUID become the case's text (positions kept);
- on export every GUID is new; an annotation's text is written without escaping '&', '<' and '>'; users are only the
  owners of codings and sources; a case's text is written only when it is a whole source (positions 0-0); text files
  get a byte-order mark; variables are written for every attribute type, values of sources inside the TextSource, of
  cases inside the Case.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree


def _tag(el: Any) -> str:
    return str(el.tag).rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _kids(el: Any, name: str) -> list[Any]:
    return [c for c in el if _tag(c) == name]


def _description(el: Any) -> str | None:
    d = _kids(el, "Description")
    return d[0].text if d else ""


@dataclass
class QualCoderProject:
    """QualCoder's tables after an import (the columns that matter for exchange)."""

    codes: list[dict[str, Any]] = field(default_factory=list)  # cid, name, memo, color, supercid, catid, guid
    categories: list[dict[str, Any]] = field(default_factory=list)  # catid, name, memo, supercatid
    sources: list[dict[str, Any]] = field(default_factory=list)  # id, name, fulltext, memo, owner, guid
    code_text: list[dict[str, Any]] = field(default_factory=list)  # cid, fid, pos0, pos1, seltext, owner, memo, date
    annotations: list[dict[str, Any]] = field(default_factory=list)  # fid, pos0, pos1, memo, owner, date
    journals: list[dict[str, Any]] = field(default_factory=list)  # name, jentry, owner, date
    cases: list[dict[str, Any]] = field(default_factory=list)  # caseid, name, memo, guid
    case_text: list[dict[str, Any]] = field(default_factory=list)  # caseid, fid, pos0, pos1
    attribute_types: list[dict[str, Any]] = field(default_factory=list)  # name, caseOrFile, valuetype, guid
    attributes: list[dict[str, Any]] = field(default_factory=list)  # name, value, id, attr_type
    project_memo: str = ""

    def code_named(self, cid: int | None) -> str | None:
        return next((c["name"] for c in self.codes if c["cid"] == cid), None)

    def case_named(self, caseid: int) -> str:
        return next(c["name"] for c in self.cases if c["caseid"] == caseid)


def qualcoder_import(path: Path) -> QualCoderProject:
    """What QualCoder's REFI-QDA project import stores from ``path``."""
    z = zipfile.ZipFile(path)
    root = etree.fromstring(z.read("project.qde"))
    db = QualCoderProject()
    users = {u.get("guid"): u.get("name") for u in _kids(_kids(root, "Users")[0], "User")} \
        if _kids(root, "Users") else {}
    guid_to_cid: dict[str, int] = {}
    variables: dict[str, str] = {}

    def owner(el: Any) -> str:
        return users.get(el.get("creatingUser") or el.get("modifyingUser"), "default")

    def read_member(ref: str) -> str:
        # QualCoder opens the file as UTF-8: a byte-order mark stays a character of the text
        return z.read("sources/" + ref.split("internal://")[1]).decode("utf-8", errors="replace")

    def sub_codes(el: Any, catid: int | None, supercid: int | None) -> None:
        name, memo = el.get("name"), _description(el)
        if el.get("isCodable") == "false":
            found = next((c for c in db.categories if c["name"] == name), None)
            if found is None:
                found = {"catid": len(db.categories) + 1, "name": name, "memo": memo, "supercatid": catid}
                db.categories.append(found)
            for child in _kids(el, "Code"):
                sub_codes(child, found["catid"], None)
            return
        code = next((c for c in db.codes if c["name"] == name), None)  # unique names: the first one stands
        if code is None:
            code = {"cid": len(db.codes) + 1, "name": name, "memo": memo, "color": el.get("color"),
                    "supercid": supercid, "catid": None if supercid is not None else catid}
            db.codes.append(code)
            guid_to_cid[el.get("guid")] = code["cid"]
        for child in _kids(el, "Code"):
            sub_codes(child, None, code["cid"])

    for child in root:
        if _tag(child) == "CodeBook":
            for code in _kids(_kids(child, "Codes")[0], "Code"):
                sub_codes(code, None, None)
        elif _tag(child) == "Variables":
            for v in _kids(child, "Variable"):
                if any(t["name"] == v.get("name") for t in db.attribute_types):
                    continue  # "Variable name already exists"
                kind = "numeric" if v.get("typeOfVariable") in ("Integer", "Float") else "character"
                db.attribute_types.append({"name": v.get("name"), "caseOrFile": "file", "valuetype": kind})
                variables[v.get("guid")] = v.get("name")
        elif _tag(child) == "Description":
            db.project_memo = child.text or ""

    def value_of(vv: Any) -> tuple[str, str]:
        ref = _kids(vv, "VariableRef")[0].get("targetGUID")
        value = next((x.text for x in vv if _tag(x) not in ("VariableRef", "")), None)
        return variables.get(ref, ""), (value or "").strip()

    # unnamed cases with one SourceRef: variable values of that source (MAXQDA, Quirkos)
    file_vars = []
    for cases in _kids(root, "Cases"):
        for case in _kids(cases, "Case"):
            refs = _kids(case, "SourceRef")
            if case.get("name") is None and len(refs) == 1:
                file_vars += [(refs[0].get("targetGUID"), *value_of(vv)) for vv in _kids(case, "VariableValue")]

    annotation_notes: dict[str, str] = {}  # note guid -> source guid
    for sources in _kids(root, "Sources"):
        for src in _kids(sources, "TextSource"):
            name = src.get("name")
            if any(s["name"] == name for s in db.sources):
                name = f"1_{name}"
            fid = len(db.sources) + 1
            db.sources.append({"id": fid, "name": name, "fulltext": read_member(src.get("plainTextPath")),
                               "memo": _description(src), "owner": owner(src), "guid": src.get("guid")})
            text = db.sources[-1]["fulltext"]
            for sel in _kids(src, "PlainTextSelection"):
                pos0, pos1 = int(sel.get("startPosition")), int(sel.get("endPosition"))
                memo = _description(sel) or ""
                # no date: QualCoder takes the time of the import
                date = (sel.get("creationDateTime") or sel.get("modifiedDateTime") or "2024-05-01T10:00:00Z")
                date = date.replace("T", " ").replace("Z", "")
                codings = _kids(sel, "Coding")
                for coding in codings:
                    cid = guid_to_cid.get(list(coding)[0].get("targetGUID"))  # the Coding's first child
                    row = {"cid": cid, "fid": fid, "pos0": pos0, "pos1": pos1, "seltext": text[pos0:pos1],
                           "owner": owner(sel), "memo": memo, "date": date}
                    key = ("cid", "fid", "pos0", "pos1", "owner")
                    if not any(all(r[k] == row[k] for k in key) for r in db.code_text):
                        db.code_text.append(row)
                if not codings:
                    db.annotations.append({"fid": fid, "pos0": pos0, "pos1": pos1, "memo": memo,
                                           "owner": owner(sel), "date": date})
            for ref in _kids(src, "NoteRef"):
                annotation_notes[ref.get("targetGUID")] = src.get("guid")
            for vv in _kids(src, "VariableValue"):
                name_, value = value_of(vv)
                db.attributes.append({"name": name_, "value": value, "id": fid, "attr_type": "file"})

    for notes in _kids(root, "Notes"):
        for note in _kids(notes, "Note"):
            date = (note.get("creationDateTime") or note.get("modifiedDateTime")).replace("T", " ").replace("Z", "")
            if note.get("guid") in annotation_notes:
                content, sel = _kids(note, "PlainTextContent"), _kids(note, "PlainTextSelection")
                fid = next(s["id"] for s in db.sources if s["guid"] == annotation_notes[note.get("guid")])
                if content and sel and content[0].text is not None:
                    who = users.get(note.get("modifyingUser")) or users.get(note.get("creatingUser")) or "default"
                    db.annotations.append({"fid": fid, "pos0": int(sel[0].get("startPosition")),
                                           "pos1": int(sel[0].get("endPosition")), "memo": content[0].text,
                                           "owner": who, "date": date})
                continue
            if note.get("plainTextPath") and note.get("name") != "":
                name = note.get("name")
                if any(j["name"] == name for j in db.journals):
                    name += "_1"
                db.journals.append({"name": name, "jentry": read_member(note.get("plainTextPath")),
                                    "owner": owner(note), "date": date})

    for guid, name_, value in file_vars:
        holder = next((s["id"] for s in db.sources if s["guid"] == guid), None)
        if holder is not None:
            db.attributes.append({"name": name_, "value": value, "id": holder, "attr_type": "file"})

    case_guids: dict[str, int] = {}
    for cases in _kids(root, "Cases"):
        for case in _kids(cases, "Case"):
            if case.get("name") is None:
                continue
            caseid = len(db.cases) + 1
            db.cases.append({"caseid": caseid, "name": case.get("name"), "memo": _description(case) or ""})
            case_guids[case.get("guid")] = caseid
            for vv in _kids(case, "VariableValue"):
                name_, value = value_of(vv)
                db.attributes.append({"name": name_, "value": value, "id": caseid, "attr_type": "case"})
                for t in db.attribute_types:
                    if t["name"] == name_:
                        t["caseOrFile"] = "case"

    # codes sharing a case's GUID are the case's text
    for guid, caseid in case_guids.items():
        cid = guid_to_cid.get(guid)
        if cid is None:
            continue
        db.codes = [c for c in db.codes if c["cid"] != cid]
        for ct in [ct for ct in db.code_text if ct["cid"] == cid]:
            db.case_text.append({"caseid": caseid, "fid": ct["fid"], "pos0": ct["pos0"], "pos1": ct["pos1"]})
            db.code_text.remove(ct)

    for sets in _kids(root, "Sets"):
        for st in _kids(sets, "Set"):
            members = [s["id"] for m in _kids(st, "MemberSource") for s in db.sources
                       if s["guid"] == m.get("targetGUID")]
            if members and not any(t["name"] == st.get("name") for t in db.attribute_types):
                db.attribute_types.append({"name": st.get("name"), "caseOrFile": "file", "valuetype": "character"})
                db.attributes += [{"name": st.get("name"), "value": st.get("name"), "id": fid, "attr_type": "file"}
                                  for fid in members]
    return db


def qualcoder_export(db: QualCoderProject, path: Path) -> None:
    """The .qdpx QualCoder's REFI-QDA project export writes from ``db``."""
    def g() -> str:
        return str(uuid.uuid4())

    owners = sorted({ct["owner"] for ct in db.code_text} | {s["owner"] for s in db.sources})
    user_guid = {o: g() for o in owners}
    code_guid = {c["cid"]: g() for c in db.codes}
    cat_guid = {c["catid"]: g() for c in db.categories}
    files: dict[str, str] = {}
    xml = ['<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="qc.qda" '
           'origin="QualCoder 3.8" creationDateTime="2024-05-01T10:00:00Z">', "<Users>"]
    xml += [f"<User guid={quoteattr(user_guid[o])} name={quoteattr(o)}/>" for o in owners]
    xml.append("</Users>")

    def code_xml(c: dict[str, Any]) -> str:
        out = f"<Code guid={quoteattr(code_guid[c['cid']])} name={quoteattr(c['name'])} isCodable=\"true\""
        if c.get("color"):
            out += f" color={quoteattr(c['color'])}"
        out += ">"
        if c["memo"]:
            out += f"<Description>{escape(c['memo'])}</Description>"
        out += "".join(code_xml(k) for k in db.codes if k["supercid"] == c["cid"])
        return out + "</Code>"

    def category_xml(cat: dict[str, Any]) -> str:
        out = f"<Code guid={quoteattr(cat_guid[cat['catid']])} name={quoteattr(cat['name'])} isCodable=\"false\">"
        if cat["memo"]:
            out += f"<Description>{escape(cat['memo'])}</Description>"
        out += "".join(code_xml(c) for c in db.codes if c["catid"] == cat["catid"] and c["supercid"] is None)
        out += "".join(category_xml(k) for k in db.categories if k["supercatid"] == cat["catid"])
        return out + "</Code>"

    if db.codes:
        xml.append("<CodeBook><Codes>")
        xml += [code_xml(c) for c in db.codes if c["catid"] is None and c["supercid"] is None]
        xml += [category_xml(c) for c in db.categories if c["supercatid"] is None]
        xml.append("</Codes></CodeBook>")
    var_guid = {t["name"]: g() for t in db.attribute_types}
    if db.attribute_types:
        xml.append("<Variables>")
        xml += [f"<Variable guid={quoteattr(var_guid[t['name']])} name={quoteattr(t['name'])} typeOfVariable="
                f"\"{'Float' if t['valuetype'] == 'numeric' else 'Text'}\"><Description/></Variable>"
                for t in db.attribute_types]
        xml.append("</Variables>")

    def values_xml(owner_id: int, kind: str) -> str:
        return "".join(f"<VariableValue><VariableRef targetGUID={quoteattr(var_guid.get(a['name'], ''))}/>"
                       f"<TextValue>{escape(a['value'])}</TextValue></VariableValue>"
                       for a in db.attributes if a["attr_type"] == kind and a["id"] == owner_id)

    source_guid = {s["id"]: g() for s in db.sources}
    if db.cases:
        xml.append("<Cases>")
        for case in db.cases:
            xml.append(f"<Case guid={quoteattr(g())} name={quoteattr(case['name'])}>")
            xml.append(f"<Description>{escape(case['memo'])}</Description>" if case["memo"] else "<Description/>")
            xml.append(values_xml(case["caseid"], "case"))
            xml += [f"<SourceRef targetGUID={quoteattr(source_guid[ct['fid']])}/>" for ct in db.case_text
                    if ct["caseid"] == case["caseid"] and ct["pos0"] == 0 and ct["pos1"] == 0]
            xml.append("</Case>")
        xml.append("</Cases>")
    xml.append("<Sources>")
    annotation_guid: dict[int, str] = {}
    for s in db.sources:
        plain = g() + ".txt"
        files[f"sources/{plain}"] = "\ufeff" + s["fulltext"]
        xml.append(f"<TextSource plainTextPath=\"internal://{plain}\" creatingUser="
                   f"{quoteattr(user_guid.get(s['owner'], ''))} creationDateTime=\"2024-05-01T10:00:00Z\" "
                   f"guid={quoteattr(source_guid[s['id']])} name={quoteattr(s['name'])}>")
        if s["memo"]:
            xml.append(f"<Description>{escape(s['memo'])}</Description>")
        for ct in [c for c in db.code_text if c["fid"] == s["id"] and c["cid"] in code_guid]:
            date = ct["date"][:10] + "T" + ct["date"][11:] + "Z"
            xml.append(f"<PlainTextSelection guid={quoteattr(g())} startPosition=\"{ct['pos0']}\" "
                       f"endPosition=\"{ct['pos1']}\" name={quoteattr(ct['seltext'])} "
                       f"creatingUser={quoteattr(user_guid[ct['owner']])} creationDateTime=\"{date}\">")
            if ct["memo"]:
                xml.append(f"<Description>{escape(ct['memo'])}</Description>")
            xml.append(f"<Coding guid={quoteattr(g())} creatingUser={quoteattr(user_guid[ct['owner']])}>"
                       f"<CodeRef targetGUID={quoteattr(code_guid[ct['cid']])}/></Coding></PlainTextSelection>")
        if any(a["fid"] == s["id"] for a in db.annotations):
            annotation_guid[s["id"]] = g()
            xml.append(f"<NoteRef targetGUID={quoteattr(annotation_guid[s['id']])}/>")  # the first annotation only
        xml.append(values_xml(s["id"], "file"))
        xml.append("</TextSource>")
    xml.append("</Sources>")
    if db.journals or db.annotations:
        xml.append("<Notes>")
        for j in db.journals:
            ng = g()
            files[f"sources/{ng}.txt"] = "\ufeff" + j["jentry"]
            date = j["date"][:10] + "T" + j["date"][11:] + "Z"
            xml.append(f"<Note guid={quoteattr(ng)} creatingUser={quoteattr(user_guid.get(j['owner'], ''))} "
                       f"creationDateTime=\"{date}\" name={quoteattr(j['name'])} "
                       f"plainTextPath=\"internal://{ng}.txt\"><Description/></Note>")
        for a in db.annotations:
            # every annotation is a note, but only the first of each source is referred to from its source
            ng = annotation_guid.pop(a["fid"], "") or g()
            date = a["date"][:10] + "T" + a["date"][11:] + "Z"
            xml.append(f"<Note guid={quoteattr(ng)} creatingUser={quoteattr(user_guid.get(a['owner'], ''))} "
                       # QualCoder writes an annotation's text as it is, unescaped: 'P2 & P4 <below>' stays so and
                       # the file is no longer well-formed XML (create_annotation_note_xml)
                       f"creationDateTime=\"{date}\"><PlainTextContent>{a['memo']}</PlainTextContent>"
                       f"<PlainTextSelection guid={quoteattr(g())} startPosition=\"{a['pos0']}\" "
                       f"endPosition=\"{a['pos1']}\"/></Note>")
        xml.append("</Notes>")
    xml.append(f"<Description>{escape(db.project_memo)}</Description></Project>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", "".join(xml))
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
