"""Code groups: a codebook's groups travel as REFI sets of codes (NVivo's and MAXQDA's code sets, ATLAS.ti's code
groups), both ways, in a project and in a codebook file, and a second import adds nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_refi_export import assert_valid

from qualcode.actions.views import codebook_tree
from qualcode.codebook import default_codebook_path, dump_codebook, load_codebook, parse_codebook
from qualcode.model import CodeGroup
from qualcode.refi import export_qdc, export_qdpx, import_refi, read_qdc
from qualcode.refi.common import guid
from qualcode.store import Project

NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}
GROUPS = [CodeGroup("Gender", ["effectiveness", "relevance.needs_fit"], "Where women's access shows"),
          CodeGroup("For the steering committee", ["sustainability"])]


@pytest.fixture
def grouped(example_project_dir: Path) -> Path:
    """The example project with two code groups."""
    with Project.open(example_project_dir) as p:
        cb = p.codebook()
        cb.groups = [CodeGroup(g.name, list(g.codes), g.description) for g in GROUPS]
        p.set_codebook(cb, coder="tester")
    return example_project_dir


def _groups(folder: Path) -> list[tuple[str, list[str], str]]:
    with Project.open(folder) as p:
        return [(g.name, g.codes, g.description) for g in p.codebook().groups]


def test_groups_are_exported_as_sets_of_codes_and_come_back_as_groups(grouped: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.qdpx"
    with Project.open(grouped) as p:
        export_qdpx(p, out)
    with zipfile.ZipFile(out) as z:
        doc = assert_valid(z.read("project.qde"), "Project-mrt2019.xsd")
    sets = doc.findall("q:Sets/q:Set", NS)
    assert [s.get("name") for s in sets] == ["Gender", "For the steering committee"]
    code_guids = {c.get("guid") for c in doc.iter("{urn:QDA-XML:project:1.0}Code")}
    members = [m.get("targetGUID") for m in sets[0].findall("q:MemberCode", NS)]
    assert members == [guid("code", "effectiveness"), guid("code", "relevance.needs_fit")]
    assert set(members) <= code_guids  # each member is a code of the file
    # into a new project, and again: the groups come back once
    first = import_refi(tmp_path / "back", out, coder="tester")
    assert first["counts"]["code_groups_in_file"] == 2
    assert _groups(tmp_path / "back") == [(g.name, g.codes, g.description) for g in GROUPS]
    with Project.open(tmp_path / "back") as p:  # as 'qualcode codebook show' lists them
        assert codebook_tree(p)["groups"][1] == {"name": "For the steering committee", "description": "",
                                                 "codes": ["sustainability"]}
    second = import_refi(tmp_path / "back", out, coder="tester")
    assert second["nothing_new"] is True and second["counts"]["code_groups_added_or_extended"] == 0
    assert _groups(tmp_path / "back") == [(g.name, g.codes, g.description) for g in GROUPS]


def test_a_codebook_file_carries_its_groups_with_member_guids(grouped: Path, tmp_path: Path) -> None:
    with Project.open(grouped) as p:
        export_qdc(p, tmp_path / "cb.qdc")
    doc = assert_valid((tmp_path / "cb.qdc").read_bytes(), "Codebook-mrt2019.xsd")
    gender = doc.find("c:Sets/c:Set[@name='Gender']", NS)
    assert [m.get("guid") for m in gender.findall("c:MemberCode", NS)] == [
        guid("code", "effectiveness"), guid("code", "relevance.needs_fit")]
    cb = read_qdc(tmp_path / "cb.qdc")
    assert [(g.name, g.codes) for g in cb.groups] == [(g.name, g.codes) for g in GROUPS]


def test_a_set_from_another_tool_extends_the_group_of_the_same_name(grouped: Path, tmp_path: Path) -> None:
    # a colleague's MAXQDA set "gender" (another case) holding one more code: the group gets it, nothing is doubled
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="P" '
           'origin="MAXQDA 24 (Release 24.7.0)"><CodeBook><Codes>'
           f'<Code guid="{guid("code", "efficiency")}" name="Efficiency" isCodable="true"/>'
           f'<Code guid="{guid("code", "effectiveness")}" name="Effectiveness" isCodable="true"/>'
           '</Codes></CodeBook><Sets><Set guid="5E700000-0000-4000-8000-000000000001" name="gender">'
           f'<MemberCode targetGUID="{guid("code", "effectiveness")}"/>'
           f'<MemberCode targetGUID="{guid("code", "efficiency")}"/></Set></Sets></Project>')
    path = tmp_path / "maxqda.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
    report = import_refi(grouped, path, coder="tester")
    assert report["counts"]["code_groups_added_or_extended"] == 1
    assert _groups(grouped)[0][:2] == ("Gender", ["effectiveness", "relevance.needs_fit", "efficiency"])
    assert import_refi(grouped, path, coder="tester")["nothing_new"] is True


def test_a_codebook_yaml_lists_groups_by_code_id_and_names_a_wrong_id() -> None:
    cb = load_codebook(default_codebook_path())
    cb.groups = [CodeGroup("Gender", ["effectiveness"])]
    text = dump_codebook(cb)
    assert "groups:" in text
    back, problems = parse_codebook(text)
    assert problems == [] and back is not None and back.groups[0].codes == ["effectiveness"]
    wrong, problems = parse_codebook(text.replace("- effectiveness", "- effectivness"))
    assert wrong is None
    assert "group 'Gender' lists 'effectivness', which is not a code of this codebook" in str(problems[0])


def test_a_group_whose_codes_or_description_are_not_plain_values_is_refused_not_misread() -> None:
    text = dump_codebook(load_codebook(default_codebook_path()))
    nested, problems = parse_codebook(text + "groups:\n  - name: G\n    codes: [[relevance]]\n")
    assert nested is None and "group 'G': each of its 'codes' must be one code id" in str(problems[0])
    mapped, problems = parse_codebook(text + "groups:\n  - name: G\n    codes: [relevance]\n    description: {a: 1}\n")
    assert mapped is None and "group 'G': 'description' must be text" in str(problems[0])


def test_a_codebook_files_set_of_codes_it_does_not_hold_is_named_in_a_warning(grouped: Path, tmp_path: Path) -> None:
    # a .qdc set whose members are none of the file's codes gives no group: the import says so, as a .qdpx's does
    qdc = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24">'
           f'<Codes><Code guid="{guid("code", "efficiency")}" name="Efficiency" isCodable="true"/></Codes>'
           '<Sets><Set guid="5E700000-0000-4000-8000-000000000002" name="Old themes">'
           '<MemberCode guid="5E700000-0000-4000-8000-0000000000FF"/></Set></Sets></CodeBook>')
    path = tmp_path / "old.qdc"
    path.write_text(qdc, encoding="utf-8")
    report = import_refi(grouped, path, coder="tester")
    assert report["warnings"] == ["1 sets of codes were left out (none of their codes is in the file): 'Old themes'"]
    assert "Old themes" not in [name for name, *_ in _groups(grouped)]
