"""REFI-QDA export: schema-valid .qdc and .qdpx that other tools read correctly."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from teams_support import build_project, codebook, parsed, unit

from qualcode.errors import QualcodeError
from qualcode.model import Code
from qualcode.refi import export_qdc, export_qdpx
from qualcode.store import Project

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}
GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def assert_valid(data: bytes, schema: str) -> etree._Element:
    xsd = etree.XMLSchema(etree.parse(str(XSD / schema)))
    doc = etree.fromstring(data)
    assert xsd.validate(doc), [str(e) for e in xsd.error_log][:5]
    return doc


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_project(tmp_path / "p")
    # a turn with Vietnamese and an emoji: offsets count what the export says (UTF-16 units or characters), never bytes
    p.add_transcript(parsed([("Interviewer", ["Chị thấy thế nào?"]),
                             ("Ms Thu", ["Khóa học rất tốt 👍 cho công nhân.", "We need more of it."])], "KII-02.txt"),
                     "KII-02")
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara", memo="the core need",
                 created="2024-03-19T14:10:00")
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="long")
    p.add_coding(unit(p, "KII-02", "We need"), "relevance.needs", coder="long")
    p.add_coding(unit(p, "KII-02", "Khóa"), "lessons", coder="clara")
    p.add_coding(unit(p, "FGD-01", "Funding"), "sustainability.funding", coder="clara")
    p.set_memo("project", "project", "Field work ended on 15 March.", coder="clara")
    p.set_memo("case", "KII-01", "Asked to stay anonymous at factory level.", coder="clara")
    p.set_memo("segment", str(unit(p, "FGD-01", "The toolkit")), "Compare with KII-09.", coder="long")
    p.set_memo("code", "lessons", "Only lessons the informant states.", coder="clara")
    p.set_memo("transcript", "KII-01", "Noisy recording.", coder="long")
    yield p
    p.close()


def test_qdc_is_schema_valid_and_names_codes_uniquely(project: Project, tmp_path: Path) -> None:
    cb = codebook()
    # two questions with the same name under different criteria: other tools would merge them
    cb.roots[0].children.append(Code(id="relevance.other", name="Other", definition="Anything else."))
    cb.roots[1].children.append(Code(id="sustainability.other", name="Other", definition="Anything else."))
    cb.reindex()
    project.set_codebook(cb)
    report = export_qdc(project, tmp_path / "cb.qdc")
    data = (tmp_path / "cb.qdc").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    doc = assert_valid(data, "Codebook-mrt2019.xsd")
    names = [c.get("name") for c in doc.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert len(names) == len(set(names)) == report["counts"]["codes"] == len(cb)
    assert "Other (Relevance)" in names and "Other (Sustainability)" in names
    # hierarchy is nesting; colours are #RRGGBB
    relevance = doc.find("c:Codes/c:Code", NS)
    assert relevance.get("name") == "Relevance" and relevance.get("color") == "#1f77b4"
    assert [c.get("name") for c in relevance.findall("c:Code", NS)][:2] == ["Needs of factories", "Alignment"]


@pytest.mark.parametrize("positions", ["utf16", "characters"])
def test_qdpx_is_schema_valid_with_offsets_each_tool_places_and_resolvable_guids(
    project: Project, tmp_path: Path, positions: str
) -> None:
    out = tmp_path / "out" / "team.qdpx"
    report = export_qdpx(project, out, positions=positions)
    assert report["counts"]["codings"] == 5 and report["counts"]["memos"] == 5
    z = zipfile.ZipFile(out)
    names = z.namelist()
    assert "project.qde" in names
    assert all(n == "project.qde" or n == "qualcode.json" or re.match(r"^sources/[^/]+\.txt$", n) for n in names)
    qde = z.read("project.qde")
    assert not qde.startswith(b"\xef\xbb\xbf")
    doc = assert_valid(qde, "Project-mrt2019.xsd")

    defined = {el.get("guid") for el in doc.iter() if el.get("guid")}
    assert all(GUID.match(g) for g in defined)
    refs = {el.get("targetGUID") for el in doc.iter() if el.get("targetGUID")}
    refs |= {el.get(a) for el in doc.iter() for a in ("creatingUser", "originGUID") if el.get(a)}
    assert refs <= defined

    texts = {}
    for src in doc.iterfind(".//q:TextSource", NS):
        raw = z.read(f"sources/{src.get('guid')}.txt")
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        assert src.get("plainTextPath") == f"internal://{src.get('guid')}.txt"
        texts[src.get("name")] = (src, raw.decode("utf-8"))
    src, text = texts["KII-02"]
    # speaker labels are shipped so other tools show who speaks; a label that is a name, as a pseudonym
    assert "Speaker 1: Khóa học" in text and "Ms Thu" not in text
    users = {u.get("guid"): u.get("name") for u in doc.iterfind(".//q:User", NS)}
    got = set()
    # NVivo, QualCoder, ATLAS.ti and MAXQDA count UTF-16 units (an emoji is two), qc and the standard characters
    counted = text.encode("utf-16-le") if positions == "utf16" else text
    width = 2 if positions == "utf16" else 1
    for sel in src.iterfind("q:PlainTextSelection", NS):
        cut = counted[int(sel.get("startPosition")) * width:int(sel.get("endPosition")) * width]
        passage = cut.decode("utf-16-le") if isinstance(cut, bytes) else cut
        coding = sel.find("q:Coding", NS)
        if users.get(coding.get("creatingUser")):
            got.add((passage, users[coding.get("creatingUser")]))
    assert got == {("Khóa học rất tốt 👍 cho công nhân.", "clara"), ("We need more of it.", "long")}

    src, text = texts["KII-01"]
    sels = src.findall("q:PlainTextSelection", NS)
    clara = next(s for s in sels if users.get(s.get("creatingUser")) == "clara")
    assert clara.get("creationDateTime") == "2024-03-19T14:10:00"
    assert clara.find("q:Description", NS).text == "the core need"
    assert text[int(clara.get("startPosition")):int(clara.get("endPosition"))] == "Turnover was very high in 2021."


def test_cases_carry_attributes_but_never_names(project: Project, tmp_path: Path) -> None:
    export_qdpx(project, tmp_path / "p.qdpx")
    qde = zipfile.ZipFile(tmp_path / "p.qdpx").read("project.qde")
    doc = etree.fromstring(qde)
    assert b"Nguyen Van Tuan" not in qde and b"Tran Thi Lan" not in qde
    variables = {v.get("guid"): v.get("name") for v in doc.iterfind(".//q:Variable", NS)}
    case = next(c for c in doc.iterfind(".//q:Case", NS) if c.get("name") == "FGD-01-Hai")
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.find("q:TextValue", NS).text
              for v in case.iterfind("q:VariableValue", NS)}
    assert values["stakeholder group"] == "Workers' organisation" and values["role"] == "Union official"
    assert len(case.findall("q:SourceRef", NS)) == 1


def test_export_can_be_limited_to_some_coders(project: Project, tmp_path: Path) -> None:
    report = export_qdpx(project, tmp_path / "long.qdpx", coders=["long"])
    doc = assert_valid(zipfile.ZipFile(tmp_path / "long.qdpx").read("project.qde"), "Project-mrt2019.xsd")
    assert [u.get("name") for u in doc.iterfind(".//q:User", NS)] == ["long"]
    assert report["counts"]["codings"] == 2 and report["counts"]["memos"] == 2
    with pytest.raises(QualcodeError, match="no coder 'lon'"):
        export_qdpx(project, tmp_path / "x.qdpx", coders=["lon"])


def test_the_example_project_exports_valid_files(example_project: Project, tmp_path: Path) -> None:
    report = export_qdpx(example_project, tmp_path / "example.qdpx")
    # 14 interviews and the 2 desk-review documents
    assert report["counts"]["sources"] == 16 and report["counts"]["codings"] == len(example_project.codings())
    assert_valid(zipfile.ZipFile(tmp_path / "example.qdpx").read("project.qde"), "Project-mrt2019.xsd")
    export_qdc(example_project, tmp_path / "example.qdc")
    assert_valid((tmp_path / "example.qdc").read_bytes(), "Codebook-mrt2019.xsd")


def test_coders_keep_their_names_unless_one_is_also_an_informant(project: Project, tmp_path: Path) -> None:
    # coders are the evaluation team: the other tool shows who coded what
    export_qdpx(project, tmp_path / "team.qdpx")
    doc = etree.fromstring(zipfile.ZipFile(tmp_path / "team.qdpx").read("project.qde"))
    assert {u.get("name") for u in doc.iterfind(".//q:User", NS)} == {"clara", "long"}
    # an informant who also codes (a participatory evaluation) is not named by the export
    project.add_coding(unit(project, "KII-01", "Turnover"), "lessons", coder="Nguyen Van Tuan")
    project.set_memo("code", "lessons", "Lessons as staff see them.", coder="Nguyen Van Tuan")
    report = export_qdpx(project, tmp_path / "withheld.qdpx")
    qde = zipfile.ZipFile(tmp_path / "withheld.qdpx").read("project.qde")
    assert b"Nguyen" not in qde and b"Tuan" not in qde and report["withheld"]["coders"] == 1
    users = {u.get("guid"): u.get("name") for u in etree.fromstring(qde).iterfind(".//q:User", NS)}
    assert set(users.values()) == {"clara", "long", "Coder 1"}
    shown = export_qdpx(project, tmp_path / "shown.qdpx", show_names=True)
    assert b"Nguyen Van Tuan" in zipfile.ZipFile(tmp_path / "shown.qdpx").read("project.qde")
    assert shown["withheld"] == {}
