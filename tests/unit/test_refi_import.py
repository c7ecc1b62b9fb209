# ruff: noqa: E501  (the other tool's XML below is kept as it would be written)
"""REFI-QDA import: a qualcode project survives the round trip; other tools' files land on coding units."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.errors import InputError
from qualcode.refi import export_qdc, export_qdpx, import_refi, read_qdc
from qualcode.store import Project


def _codings(p: Project) -> set[tuple[str, str, str, str, str | None]]:
    return {(c["ref"], c["code"], c["coder"], c["created"], c["memo"]) for c in p.codings()}


def _memos(p: Project) -> set[tuple[str, str, str | None, str]]:
    refs = {s["id"]: s["ref"] for s in p.segments()}
    codings = {c["id"]: f"{c['ref']}/{c['code']}/{c['coder']}" for c in p.codings()}
    out = set()
    for m in p.memos():
        target = m["target_id"]
        if m["target_type"] == "segment":
            target = refs[int(target)]
        elif m["target_type"] == "coding":
            target = codings[int(target)]
        out.add((m["target_type"], target, m["coder"], m["text"]))
    return out


def test_the_example_project_survives_export_and_import(example_project: Project, tmp_path: Path) -> None:
    p = example_project
    seg = p.segments("FGD-01", include_interviewer=False)[3]
    first = p.codings(transcript="KII-07")[0]
    p.set_memo("project", "project", "Validation workshop on 2 April.", coder="clara")
    p.set_memo("case", "KII-07", "HR manager, asked not to be quoted on wages.", coder="long")
    p.set_memo("segment", str(seg["id"]), "Echoes KII-07.", coder="long")
    p.set_memo("code", "relevance", "Relevance to factories first.", coder="clara")
    p.set_memo("coding", str(first["id"]), "Borderline with effectiveness.", coder=first["coder"])
    p.set_memo("transcript", "FGD-01", "Two participants left early.", coder="clara")
    export_qdpx(p, tmp_path / "example.qdpx", show_names=True)  # the exact texts and speakers, names and all

    report = import_refi(tmp_path / "copy", tmp_path / "example.qdpx", coder="clara")
    assert report["created"] and report["warnings"] == []
    assert report["counts"]["selections_mapped"] == report["counts"]["selections"] == len(p.codings())
    with Project.open(tmp_path / "copy") as q:
        assert q.codebook().to_dict() == p.codebook().to_dict()  # ids, names, questions, keywords, colours
        assert _codings(q) == _codings(p)  # every coding with its coder, date and memo
        assert {c["id"]: c["attributes"] for c in q.cases()} == {c["id"]: c["attributes"] for c in p.cases()}
        assert _memos(q) == _memos(p) and len(_memos(q)) == 6
        assert [(t["id"], t["sha256"], t["attributes"]) for t in q.transcripts()] == \
               [(t["id"], t["sha256"], t["attributes"]) for t in p.transcripts()]
        assert q.speakers("FGD-01") == p.speakers("FGD-01")
        assert q.segments("KII-07")[5]["attributes"] == p.segments("KII-07")[5]["attributes"]


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p")
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara")
    export_qdpx(p, tmp_path / "p.qdpx")
    first = import_refi(tmp_path / "p", tmp_path / "p.qdpx", coder="tester")  # into the project it came from
    assert first["counts"]["transcripts_already_here"] == 2 and first["counts"]["codings_added"] == 0
    assert first["counts"]["codings_already_here"] == 1
    assert len(p.codings()) == 1 and len(p.transcripts()) == 2
    p.close()


OTHER_TOOL_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1:0" name="Interviews" origin="OtherTool 3.1">
  <Users><User guid="{a1b2c3d4-0000-4000-8000-000000000001}" name="Mai"/></Users>
  <CodeBook><Codes>
    <Code guid="C0DE0000-0000-4000-8000-000000000001" name="Training" isCodable="false">
      <Description>Everything about courses</Description>
      <Code guid="C0DE0000-0000-4000-8000-000000000002" name="Useful training" isCodable="true" color="#00ff00"/>
    </Code>
    <Code guid="C0DE0000-0000-4000-8000-000000000003" name="Money" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="DA7A0000-0000-4000-8000-000000000001" name="Stakeholder group" typeOfVariable="Text"/>
    <Variable guid="DA7A0000-0000-4000-8000-000000000002" name="Province" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="CA5E0000-0000-4000-8000-000000000001" name="Ms Hoa">
      <VariableValue><VariableRef targetGUID="da7a0000-0000-4000-8000-000000000001"/><TextValue>Factories</TextValue></VariableValue>
      <SourceRef targetGUID="50C00000-0000-4000-8000-000000000001"/>
    </Case>
    <Case guid="CA5E0000-0000-4000-8000-000000000002">
      <VariableValue><VariableRef targetGUID="DA7A0000-0000-4000-8000-000000000002"/><TextValue>Bac Ninh</TextValue></VariableValue>
      <SourceRef targetGUID="50C00000-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{50c00000-0000-4000-8000-000000000001}" name="hoa interview.txt" plainTextPath="internal://50C00000-0000-4000-8000-000000000001.txt">
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000001" startPosition="{s1}" endPosition="{e1}" creatingUser="A1B2C3D4-0000-4000-8000-000000000001" creationDateTime="2024-05-02T09:30:00Z">
        <Description>both sentences</Description>
        <Coding guid="C0D10000-0000-4000-8000-000000000001" creatingUser="A1B2C3D4-0000-4000-8000-000000000001" creationDateTime="2024-05-02T09:30:00Z"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000002" startPosition="{s2}" endPosition="{e2}">
        <Coding guid="C0D10000-0000-4000-8000-000000000002"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000003"/></Coding>
      </PlainTextSelection>
      <NoteRef targetGUID="0E7E0000-0000-4000-8000-000000000001"/>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="0E7E0000-0000-4000-8000-000000000001" name="Field note" creatingUser="a1b2c3d4-0000-4000-8000-000000000001"><PlainTextContent>Interview in the canteen.</PlainTextContent></Note>
  </Notes>
</Project>
"""

OTHER_TOOL_TEXT = ("Interviewer: What did you think of the courses?\r\n\r\n"
                   "Ms Hoa: The grievance course was very useful. Our supervisors changed how they talk.\r\n\r\n"
                   "Interviewer: And the budget?\r\n\r\n"
                   "Ms Hoa: We paid the trainer ourselves.\r\n")


def _other_tool_file(tmp_path: Path) -> Path:
    text = OTHER_TOOL_TEXT
    # CRLF counts as two positions (the file is not from ATLAS.ti)
    s1 = text.index("The grievance") + 4
    e1 = text.index("how they talk") + 3
    s2 = text.index("paid the")
    e2 = s2 + 4
    qde = OTHER_TOOL_QDE.replace("{s1}", str(s1)).replace("{e1}", str(e1))
    qde = qde.replace("{s2}", str(s2)).replace("{e2}", str(e2))
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Project.qde", qde)
        # a byte-order mark, as some tools write: not a character of the text
        z.writestr("Sources/50C00000-0000-4000-8000-000000000001.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_a_file_from_another_tool_is_mapped_onto_coding_units(tmp_path: Path) -> None:
    report = import_refi(tmp_path / "new", _other_tool_file(tmp_path), coder="clara")
    c = report["counts"]
    assert (c["selections"], c["selections_mapped"], c["selections_not_mapped"]) == (2, 2, 0)
    assert c["codings_added"] == 3  # the first selection overlaps two units, so both are coded
    with Project.open(tmp_path / "new") as p:
        cb = p.codebook()
        assert [(x.id, x.name, x.parent_id) for x in cb.walk()] == [
            ("training", "Training", None), ("training.useful_training", "Useful training", "training"),
            ("money", "Money", None)]
        assert cb["training"].definition == "Everything about courses"
        tid = p.transcripts()[0]["id"]
        assert tid == "hoa-interview"
        got = {(s["text"], c["code"], c["coder"], c["created"], c["memo"])
               for c in p.codings() for s in [p.segment(c["segment"])]}
        useful = {x for x in got if x[1] == "training.useful_training"}
        assert useful == {
            ("The grievance course was very useful.", "training.useful_training", "Mai", "2024-05-02T09:30:00Z",
             "both sentences"),
            ("Our supervisors changed how they talk.", "training.useful_training", "Mai", "2024-05-02T09:30:00Z",
             "both sentences"),
        }
        # no user and no date on the selection: the importing coder, now
        (money,) = got - useful
        assert money[:3] == ("We paid the trainer ourselves.", "money", "clara") and money[3] >= "2024"
        # a named case becomes an informant tied to its speaker; an unnamed one gives the source attributes
        hoa = p.segment(unit(p, tid, "We paid"))
        assert hoa["case"] == "Ms-Hoa" and hoa["attributes"]["stakeholder_group"] == "Factories"
        assert p.transcripts()[0]["attributes"]["province"] == "Bac Ninh"
        assert p.segment(unit(p, tid, "What did"))["role"] == "interviewer"
        assert [(m["target_type"], m["coder"], m["text"]) for m in p.memos()] == [
            ("transcript", "Mai", "Interview in the canteen.")]


def test_a_codebook_from_another_tool_adds_only_the_codes_we_lack(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p")
    export_qdc(p, tmp_path / "ours.qdc")
    # our own codebook comes back with the same ids (GUIDs are derived from them)
    assert read_qdc(tmp_path / "ours.qdc", known=p.codebook()).ids == p.codebook().ids
    p.close()
    qdc = tmp_path / "theirs.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="C0DE0000-0000-4000-8000-00000000000A" name="Gender" isCodable="true">'
        '<Code guid="C0DE0000-0000-4000-8000-00000000000B" name="Sex-disaggregated data" isCodable="true"/>'
        "</Code></Codes></CodeBook>", encoding="utf-8")
    report = import_refi(tmp_path / "p", qdc, coder="tester")
    assert report["codes_added"] == ["gender", "gender.sex_disaggregated_data"]
    again = import_refi(tmp_path / "p", tmp_path / "ours.qdc", coder="tester")
    assert again["codes_added"] == []


def test_damaged_files_are_reported_with_their_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.qdpx: is not a .qdpx package"):
        import_refi(tmp_path / "p", bad, coder="tester")
    assert not (tmp_path / "p" / "qualcode.db").exists()  # a failed import leaves no half-made project
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("sources/x.txt", "hello")
    with pytest.raises(InputError, match="holds no project.qde"):
        import_refi(tmp_path / "p", empty, coder="tester")
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("project.qde", "<Project name='x'><Sources>")
    with pytest.raises(InputError, match="is not valid XML"):
        import_refi(tmp_path / "p", broken, coder="tester")
    with pytest.raises(InputError, match="neither a .qdpx"):
        (tmp_path / "x.nvp").write_text("x")
        import_refi(tmp_path / "p", tmp_path / "x.nvp", coder="tester")


def test_an_external_source_path_cannot_pull_in_an_arbitrary_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("Interviewer: PRIVATE KEY?\n\nMs Hoa: -----BEGIN PRIVATE KEY----- abc\n", encoding="utf-8")
    crafted = _other_tool_file(tmp_path)
    with zipfile.ZipFile(crafted) as z:
        qde = z.read("Project.qde").decode("utf-8")
    qde = qde.replace("internal://50C00000-0000-4000-8000-000000000001.txt", f"absolute://{secret}")
    assert f"absolute://{secret}" in qde
    path = tmp_path / "crafted.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
    report = import_refi(tmp_path / "new", path, coder="clara")
    assert any("no plain text" in w for w in report["warnings"])
    with Project.open(tmp_path / "new") as p:
        assert all("PRIVATE KEY" not in s["text"] for s in p.segments())


@pytest.mark.parametrize("text", ["café au lait", "naïve résumé – “quoted”!"])
def test_a_windows_1252_source_of_even_length_is_not_read_as_utf16(text: str) -> None:
    from qualcode.refi.imports import _decode

    data = text.encode("cp1252")
    assert len(data) % 2 == 0  # an even length is what utf-16 would accept
    assert _decode(data) == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8", "utf-8-sig"])
def test_unicode_sources_decode_with_or_without_a_byte_order_mark(encoding: str) -> None:
    from qualcode.refi.imports import _decode

    text = "Q: How was it?\r\nA: Phở bò, café – fine.\r\n"
    assert _decode(text.encode(encoding)) == text


def test_another_tools_accented_source_name_gives_the_id_a_file_import_would(tmp_path: Path) -> None:
    path = _other_tool_file(tmp_path)
    with zipfile.ZipFile(path) as z:
        qde = z.read("Project.qde").decode("utf-8").replace('name="hoa interview.txt"', 'name="Phỏng vấn Hòa.txt"')
        source = z.read("Sources/50C00000-0000-4000-8000-000000000001.txt")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Project.qde", qde)
        z.writestr("Sources/50C00000-0000-4000-8000-000000000001.txt", source)
    import_refi(tmp_path / "new", path, coder="clara")
    with Project.open(tmp_path / "new") as p:
        assert [t["id"] for t in p.transcripts()] == ["Phong-van-Hoa"]  # was Ph-ng-v-n-H-a
