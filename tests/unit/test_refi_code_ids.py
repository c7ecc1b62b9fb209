"""Code ids: qualcode writes each code's id in its description, so it comes back from tools that give codes new GUIDs;
other tools' codes get ids made from their names (accents folded, letters with no ASCII form left out)."""

from __future__ import annotations

from pathlib import Path

from qualcode.refi import read_qdc
from qualcode.store import Project


def test_other_tools_code_names_become_ascii_ids(tmp_path: Path) -> None:
    names = ["Đào tạo nghề", "Søren's Straße", "Ⓐ 日本 ₨ 5", "日本語", "Đào tạo nghề"]
    codes = "".join(
        f'<Code guid="C0DE0000-0000-4000-8000-00000000000{i}" name="{n}" isCodable="true"/>'
        for i, n in enumerate(names)
    )
    qdc = tmp_path / "theirs.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f"{codes}</Codes></CodeBook>",
        encoding="utf-8",
    )
    cb = read_qdc(qdc)
    assert [c.id for c in cb.roots] == ["dao_tao_nghe", "sren_s_strae", "a_rs_5", "code", "dao_tao_nghe_2"]
    assert [c.name for c in cb.roots] == names


def _codebook(codes: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            f"{codes}</Codes></CodeBook>")


def test_a_code_carries_its_qualcode_id_in_its_description_through_a_tool_that_renames_and_regenerates(
    tmp_path: Path,
) -> None:
    # as another tool sends a qualcode codebook back: new GUIDs, one code renamed, one copied with its description
    qdc = tmp_path / "back.qdc"
    qdc.write_text(_codebook(
        '<Code guid="1A000000-0000-4000-8000-000000000001" name="Relevance" isCodable="true">'
        "<Description>[qualcode id: relevance] Whether it is the right thing to do.</Description>"
        '<Code guid="1A000000-0000-4000-8000-000000000002" name="Needs of factories (renamed)" isCodable="true">'
        "<Description>[qualcode id: relevance.needs_fit] Fit with the needs.</Description></Code>"
        '<Code guid="1A000000-0000-4000-8000-000000000003" name="Needs copy" isCodable="true">'
        "<Description>[qualcode id: relevance.needs_fit] Fit with the needs.</Description></Code>"
        "</Code>"), encoding="utf-8")
    cb = read_qdc(qdc)
    assert [c.id for c in cb.walk()] == ["relevance", "relevance.needs_fit", "relevance.needs_copy"]
    assert cb["relevance"].definition == "Whether it is the right thing to do."  # the marker is not kept
    # into a project that has the code: the renamed code is the same code, under our name
    from qualcode.codebook import default_codebook_path, load_codebook

    ours = load_codebook(default_codebook_path())
    cb = read_qdc(qdc, known=ours)
    assert cb["relevance.needs_fit"].name == ours["relevance.needs_fit"].name


def test_qualcode_writes_each_code_id_at_the_start_of_its_description(example_project: Project, tmp_path: Path) -> None:
    from lxml import etree

    from qualcode.refi import export_qdc

    export_qdc(example_project, tmp_path / "cb.qdc")
    root = etree.parse(str(tmp_path / "cb.qdc")).getroot()
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    first = root.find("q:Codes/q:Code", ns)
    # the id, and the colour (QualCoder keeps only colours of its palette): both come back from the description
    assert first.find("q:Description", ns).text.startswith(
        "[qualcode id: relevance; colour #1f77b4] Whether the programme")
    assert len(root.findall(".//q:Code", ns)) == len(example_project.codebook())


def test_a_code_colour_replaced_by_qualcoders_palette_comes_back_as_sent_and_one_chosen_there_stands(
    tmp_path: Path,
) -> None:
    """QualCoder keeps only colours of its palette: it replaces #1f77b4 by #3D6CB3 (seen in its export of the example
    project). The colour qualcode sent is in the description's id marker, so it comes back; a colour far from it
    was chosen in QualCoder, and a tool that keeps colours as they are (NVivo) changed it on purpose."""
    def code(n: int, color: str) -> str:
        return (f'<Code guid="1A000000-0000-4000-8000-00000000000{n}" name="Code {n}" isCodable="true" color="{color}">'
                f"<Description>[qualcode id: code_{n}; colour #1f77b4] A code.</Description></Code>")

    qdc = tmp_path / "back.qdc"
    qdc.write_text(_codebook(code(1, "#3D6CB3") + code(2, "#C54949")).replace(
        "<CodeBook ", '<CodeBook origin="QualCoder 4.0 Beta" '), encoding="utf-8")
    cb = read_qdc(qdc)
    assert (cb["code_1"].color, cb["code_2"].color) == ("#1f77b4", "#C54949")
    assert cb["code_1"].definition == "A code."  # the marker is not kept
    qdc.write_text(_codebook(code(1, "#3D6CB3")).replace("<CodeBook ", '<CodeBook origin="NVivo 14" '),
                   encoding="utf-8")
    assert read_qdc(qdc)["code_1"].color == "#3D6CB3"
    # no colour in the file (a tool that keeps none): the colour sent
    qdc.write_text(_codebook(code(1, "#3D6CB3").replace(' color="#3D6CB3"', "")), encoding="utf-8")
    assert read_qdc(qdc)["code_1"].color == "#1f77b4"
