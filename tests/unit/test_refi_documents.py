"""Desk-review documents through REFI-QDA: qualcode's own export brings a document back as a document (pages,
headings, codings); another tool's PDFSource is read from its PDF, with the text selections of its Representation
placed on the units, and area selections placed by the text they carry (else counted as left out)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pdf_support import report_pdf
from workbench_support import build_small_project

from qualcode.project_io import import_files
from qualcode.refi import export_qdpx, import_refi
from qualcode.store import Project

SECTIONS = [("1. Results", ["The chamber hosted seven quarterly consultation meetings with the unions and employers.",
                            "Funding for the meetings ends with the project in December, and no budget replaces it."]),
            ("2. Gender", ["Women made up most of the trainees but only a fifth of the certified trainers."])]


def _project_with_document(tmp_path: Path) -> Project:
    project = build_small_project(tmp_path / "p")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf("Final progress report 2024", SECTIONS, footer="Final progress report 2024",
                               first_page_number=12))
    import_files(project, [], documents=[pdf], coder="clara")
    project.add_coding("report:2", "sustainability.funding", coder="clara", memo="no budget after 2024")
    project.add_coding("report:3", "gender_equality.inclusion", coder="long")
    return project


def test_qualcode_export_and_import_keep_a_document_a_document(tmp_path: Path) -> None:
    project = _project_with_document(tmp_path)
    out = tmp_path / "handover.qdpx"
    report = export_qdpx(project, out)
    assert report["counts"]["sources"] == 3
    project.close()
    import_refi(tmp_path / "copy", out, coder="ana")
    with Project.open(tmp_path / "copy") as copy:
        docs = [t for t in copy.transcripts() if t["kind"] == "document"]
        assert [d["id"] for d in docs] == ["report"]
        assert docs[0]["metadata"]["pages"] == 1 and docs[0]["metadata"]["title"] == "Final progress report 2024"
        units = copy.segments("report")
        assert [(u["page_label"], u["heading"]) for u in units] == [("12", "1. Results"), ("12", "1. Results"),
                                                                   ("12", "2. Gender")]
        coded = sorted((c["ref"], c["code"], c["coder"], c["memo"]) for c in copy.codings(transcript="report"))
        assert coded == [("report:2", "sustainability.funding", "clara", "no budget after 2024"),
                         ("report:3", "gender_equality.inclusion", "long", None)]


def _other_tool_qdpx(path: Path, pdf: bytes, representation: str, start: int, end: int) -> None:
    ns = "urn:QDA-XML:project:1.0"
    code = "B7A0E5D2-1B1C-4C55-9C37-6F6E1C2D3A41"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{ns}" name="Partner project" origin="Another QDA tool 3.2">
  <Users><User guid="0B4A2E52-8A33-4F77-9E55-0B7C2B1E9F10" name="maria"/></Users>
  <CodeBook><Codes><Code guid="{code}" name="Funding" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <PDFSource guid="5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D" name="Final progress report 2024"
               path="internal://5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D.pdf">
      <PDFSelection guid="6D2E3C4B-5F60-4B7C-9D8E-0F1A2B3C4D5E" name="figure" page="1" firstX="50" firstY="80"
                    secondX="300" secondY="200">
        <Coding guid="7E3F4D5C-6071-4C8D-8E9F-1A2B3C4D5E6F"><CodeRef targetGUID="{code}"/></Coding>
      </PDFSelection>
      <Representation guid="8F405E6D-7182-4D9E-9FA0-2B3C4D5E6F70" plainTextPath="internal://rep.txt">
        <PlainTextSelection guid="904F6F7E-8293-4EAF-A0B1-3C4D5E6F7081" name="funding" startPosition="{start}"
                            endPosition="{end}" creatingUser="0B4A2E52-8A33-4F77-9E55-0B7C2B1E9F10">
          <Coding guid="A1507F8F-93A4-4FB0-B1C2-4D5E6F708192"><CodeRef targetGUID="{code}"/></Coding>
        </PlainTextSelection>
      </Representation>
    </PDFSource>
  </Sources>
</Project>
"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D.pdf", pdf)
        z.writestr("sources/rep.txt", representation)


def test_another_tools_pdf_source_becomes_a_coded_document(tmp_path: Path) -> None:
    pdf = report_pdf("Final progress report 2024", SECTIONS, footer="Final progress report 2024",
                     first_page_number=12)
    # the other tool's own text of the PDF: its header and page number included, lines as it broke them
    representation = ("Final progress report 2024\n1. Results\nThe chamber hosted seven quarterly consultation\n"
                      "meetings with the unions and employers.\nFunding for the meetings ends with the project in\n"
                      "December, and no budget replaces it.\n2. Gender\nWomen made up most of the trainees but only"
                      " a fifth of the certified trainers.\n12\n")
    start = representation.index("Funding for")
    end = representation.index("replaces it.") + len("replaces it.")
    qdpx = tmp_path / "partner.qdpx"
    _other_tool_qdpx(qdpx, pdf, representation, start, end)
    result = import_refi(tmp_path / "new", qdpx, coder="tester")
    assert any("1 PDF area selections" in w for w in result["warnings"])
    with Project.open(tmp_path / "new") as project:
        doc = next(t for t in project.transcripts() if t["kind"] == "document")
        assert doc["title"] == "Final progress report 2024"
        coded = [(c["ref"], c["coder"]) for c in project.codings()]
        assert coded == [(f"{doc['id']}:2", "maria")]
        unit = project.segment(f"{doc['id']}:2")
        assert unit["page_label"] == "12" and unit["text"].startswith("Funding for the meetings")


def test_pdf_area_selections_that_carry_their_text_are_placed_by_it(tmp_path: Path) -> None:
    """ATLAS.ti writes each coded area of a PDF with the area's text as its Representation, its line breaks dropped
    ("favoritos.Dificultad: MediaTiempo" in its 8.4 sample): those codings were left out as "a rectangle on a page,
    no text to place". They are placed on the units holding that text; an area without text, or whose text is in
    two places, is still counted and named."""
    pdf = report_pdf("Final progress report 2024", SECTIONS, footer="Final progress report 2024",
                     first_page_number=12)
    qdpx = tmp_path / "atlas.qdpx"
    _other_tool_qdpx(qdpx, pdf, "", 0, 0)
    code = "B7A0E5D2-1B1C-4C55-9C37-6F6E1C2D3A41"

    def area(n: int, text: str) -> str:
        rep = f'<Representation guid="C0000000-0000-4000-8000-00000000000{n}"><PlainTextContent>{text}' \
              "</PlainTextContent></Representation>" if text else ""
        return (f'<PDFSelection guid="D0000000-0000-4000-8000-00000000000{n}" name="area" page="0" firstX="18" '
                f'firstY="45" secondX="577" secondY="234">{rep}<Coding guid="E0000000-0000-4000-8000-00000000000{n}">'
                f'<CodeRef targetGUID="{code}"/></Coding></PDFSelection>')

    with zipfile.ZipFile(qdpx) as z:
        qde = z.read("project.qde").decode("utf-8")
        pdf_member = z.read("sources/5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D.pdf")
    start = qde.index("<PDFSelection")
    end = qde.index("</PDFSelection>") + len("</PDFSelection>")
    areas = (area(1, "Funding for the meetings ends with the project inDecember, and no budget replaces it.")
             + area(2, "") + area(3, "the"))
    rep_start = qde.index("<Representation")
    rep_end = qde.index("</Representation>") + len("</Representation>")
    qde = qde[:start] + areas + qde[end:rep_start] + qde[rep_end:]
    with zipfile.ZipFile(qdpx, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D.pdf", pdf_member)
    result = import_refi(tmp_path / "new", qdpx, coder="tester")
    assert result["skipped"].get("PDF area selections (a rectangle on a page, no text to place)") == 1
    assert result["counts"]["selections_mapped"] == 1 and result["counts"]["selections_not_mapped"] == 1
    assert any("PDF area on page 0 (its text is in more than one place: 'the')" in w for w in result["warnings"])
    with Project.open(tmp_path / "new") as project:
        doc = next(t for t in project.transcripts() if t["kind"] == "document")
        assert [(c["ref"], project.segment(c["ref"])["text"]) for c in project.codings()] == [
            (f"{doc['id']}:2", "Funding for the meetings ends with the project in December, and no budget replaces"
                               " it.")]


def _without_extension(src: Path, dest: Path) -> Path:
    """The file as another tool sends it back: without qualcode.json."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest, "w") as b:
        for item in a.infolist():
            if item.filename != "qualcode.json":
                b.writestr(item, a.read(item))
    return dest


def test_a_real_pdf_documents_pages_come_back_without_qualcode_json(tmp_path: Path) -> None:
    """A two-page Federal Register notice (printed pages 47698-47699): its text goes out with a page mark before the
    first unit of each page ("[Page 1, printed 47698] "), which other tools show in the text, and a file sent back
    without qualcode.json brings every unit back on its page, into a new project and into the one it came from."""
    real = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "federal-register-2020-17221-p1-2.pdf"
    from qualcode.codebook import default_codebook_path, load_codebook

    project = Project.create(tmp_path / "p", codebook=load_codebook(default_codebook_path()))
    import_files(project, [], documents=[real], coder="clara")
    tid = "federal-register-2020-17221-p1-2"
    sent = [(s["text"], s["page"], s["page_label"]) for s in project.segments(tid)]
    assert {p[1:] for p in sent} == {(1, "47698"), (2, "47699")}
    for show in (True, False):
        export_qdpx(project, tmp_path / f"sent{show}.qdpx", show_names=show)
        out = _without_extension(tmp_path / f"sent{show}.qdpx", tmp_path / f"back{show}.qdpx")
        with zipfile.ZipFile(out) as z:
            texts = [z.read(n).decode() for n in z.namelist() if n.startswith("sources/")]
        assert sum("[Page 1, printed 47698] " in t and "[Page 2, printed 47699] " in t for t in texts) == 1
        report = import_refi(tmp_path / f"new{show}", out, coder="ana")
        with Project.open(tmp_path / f"new{show}") as copy:
            [doc] = copy.transcripts()
            assert doc["kind"] == "document" and doc["metadata"]["pages"] == 2
            back = {s["text"]: (s["page"], s["page_label"]) for s in copy.segments(doc["id"])}
        # the text is read again (as a text, not a PDF: a few headings become units), each unit on its page
        on_both = [(p, back[text]) for text, *p in sent if text in back]
        assert len(on_both) >= 0.9 * len(sent) and all(tuple(p) == b for p, b in on_both)
        assert not any("[Page" in text for text in back)
        assert import_refi(tmp_path / f"new{show}", out, coder="ana")["nothing_new"] is True
        assert report["counts"]["transcripts_added"] == 1
    assert import_refi(project.path, out, coder="ana")["nothing_new"] is True
    project.close()


def test_a_real_pdf_documents_codings_and_pages_come_back_through_qualcoders_rules(tmp_path: Path) -> None:
    """The same document coded on both pages, through what QualCoder keeps and writes back (tests/qualcoder_rules.py:
    new GUIDs, no qualcode.json): every coding comes back on its passage, and each passage on its page."""
    from qualcoder_rules import qualcoder_export, qualcoder_import

    from qualcode.codebook import default_codebook_path, load_codebook

    real = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "federal-register-2020-17221-p1-2.pdf"
    project = Project.create(tmp_path / "p", codebook=load_codebook(default_codebook_path()))
    import_files(project, [], documents=[real], coder="clara")
    segs = project.segments("federal-register-2020-17221-p1-2")
    coded = [segs[0], segs[40], segs[60], segs[-1]]
    assert {s["page"] for s in coded} == {1, 2}
    for s in coded:
        project.add_coding(s["id"], "effectiveness", coder="clara")
    export_qdpx(project, tmp_path / "to.qdpx")
    qualcoder_export(qualcoder_import(tmp_path / "to.qdpx"), tmp_path / "from.qdpx")
    import_refi(tmp_path / "fresh", tmp_path / "from.qdpx", coder="ana")
    with Project.open(tmp_path / "fresh") as back:
        units = {s["id"]: s for s in back.segments()}
        got = sorted((units[c["segment"]]["text"], units[c["segment"]]["page"], units[c["segment"]]["page_label"],
                      c["coder"]) for c in back.codings())
    assert got == sorted((s["text"], s["page"], s["page_label"], "clara") for s in coded)
    project.close()


def test_placing_many_pdf_areas_by_their_text_reads_a_long_source_once() -> None:
    """An ATLAS.ti project with a thousand areas coded on a 300-page report: each area is placed by its text in
    the source's text; the source's text is made ready for that once, not once for every area (an area took a
    quarter of a second on such a report, a thousand of them four minutes)."""
    from qualcode.refi.imports import _Source
    from qualcode.refi.positions import Choice, Convention

    paragraphs = [f"Paragraph {n}: the district office reported {n * 7} visits and {n % 13} complaints in"
                  f" quarter {n % 4 + 1}." for n in range(15000)]
    text = "\n\n".join(paragraphs)
    source = _Source("report.pdf", text, None, Choice(Convention()))
    found = source.find(paragraphs[0])
    assert isinstance(found, tuple) and text[found[0]:found[1]] == paragraphs[0]
    made = source._compact
    assert made is not None
    for n in range(1, 41):
        # ATLAS.ti drops the area's line breaks: its text is looked for spacing aside
        found = source.find(paragraphs[n * 300].replace(" the ", "the "))
        assert isinstance(found, tuple) and text[found[0]:found[1]] == paragraphs[n * 300]
    assert source._compact is made  # the source's text without its spaces, made for the first area, served them all
    # (tests/bench/bench_refi.py --areas measures it: 0.1 s for the first area on a 1.4-million-character report,
    # 0.2 s for a thousand)
