"""Positions after emoji and other characters outside the Basic Multilingual Plane, as each tool counts them: NVivo,
QualCoder, ATLAS.ti and MAXQDA count UTF-16 code units (an emoji is two), qc and the standard's wording characters.
The export's default places every coding in all four; the import reads each tool's files as it meant them."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest
from qualcoder_rules import qualcoder_export, qualcoder_import
from teams_support import build_project, parsed, unit

from qualcode.refi import export_qdpx, import_refi
from qualcode.refi.positions import CHARACTERS, UTF16, Selection, choose
from qualcode.store import Project

# emoji before every coded passage, so a reading that counts them once drifts further with each
TURNS = [
    ("Interviewer", ["How did the training go? 🙂"]),
    ("Ms Thu", ["Khóa học rất tốt 👍👍 cho công nhân 🎉.", "Turnover fell 📉 after the course.",
                "We need more of it 🙏🙏🙏."]),
    ("Interviewer", ["And the trainers? 🤔"]),
    ("Ms Thu", ["Excellent 💯, but the sessions were short 😕.", "Funding ends next year 💸."]),
]


def _coded(p: Project) -> Counter[tuple[str, str, str]]:
    text = {s["id"]: s["text"] for s in p.segments()}
    return Counter((text[c["segment"]], c["code"], c["coder"]) for c in p.codings(transcript="KII-03"))


@pytest.fixture
def emoji_project(tmp_path: Path) -> Project:
    p = build_project(tmp_path / "p", with_fgd=False, sample=False)
    p.add_transcript(parsed(TURNS, "KII-03.txt"), "KII-03", coder="setup")
    for words, code, coder in [("Turnover fell", "relevance.needs", "clara"), ("We need", "relevance.needs", "long"),
                               ("Excellent", "lessons", "clara"), ("Funding ends", "sustainability.funding", "clara")]:
        p.add_coding(unit(p, "KII-03", words), code, coder=coder)
    return p


def test_a_project_with_emoji_comes_back_from_qualcoder_on_the_same_words(emoji_project: Project,
                                                                          tmp_path: Path) -> None:
    p = emoji_project
    export_qdpx(p, tmp_path / "to.qdpx")  # the default: UTF-16 code units, as QualCoder's text cursor counts
    held = qualcoder_import(tmp_path / "to.qdpx")
    # QualCoder shows a coding where its Qt text cursor puts the positions: on the words the coder chose
    shown = {row["fid"]: row for row in held.code_text}
    source = next(s for s in held.sources if "Turnover fell" in s["fulltext"])
    units16 = source["fulltext"].encode("utf-16-le")
    marked = {units16[r["pos0"] * 2:r["pos1"] * 2].decode("utf-16-le") for r in held.code_text
              if r["fid"] == source["id"]}
    assert shown and any(m.startswith("Turnover fell") for m in marked) and any("Excellent" in m for m in marked)
    # its own import named each selection with a code-point slice of those positions: not the words
    assert any(r["seltext"] and not r["seltext"].startswith(("Turnover", "We need", "Excellent", "Funding", "Khóa"))
               for r in held.code_text if r["fid"] == source["id"])
    qualcoder_export(held, tmp_path / "back.qdpx")

    report = import_refi(tmp_path / "new", tmp_path / "back.qdpx", coder="ana")
    with Project.open(tmp_path / "new") as back:
        assert _coded(back) == _coded(p)
    read = report["positions"]["sources"]
    assert any(v["read_as"] == "UTF-16 code units" and v["selections"] >= 4 for v in read.values())


def test_characters_export_still_reads_back_for_tools_that_count_characters(emoji_project: Project,
                                                                            tmp_path: Path) -> None:
    p = emoji_project
    export_qdpx(p, tmp_path / "chars.qdpx", positions="characters")
    import_refi(tmp_path / "new", _without_extension(tmp_path / "chars.qdpx", tmp_path / "bare.qdpx"), coder="ana")
    with Project.open(tmp_path / "new") as back:
        assert _coded(back) == _coded(p)


@pytest.mark.parametrize(("origin", "unit", "crlf"), [
    ("NVivo for Windows 12.6", UTF16, 2), ("QualCoder 4.0 Beta", UTF16, 2), ("ATLAS.ti 8.4.0 573", UTF16, 1),
    ("MAXQDA 24 (Release 24.7.0)", UTF16, 1), ("qc 1.3.2", CHARACTERS, 2),
    ("qualcode 0.9 (positions: UTF-16 code units)", UTF16, 2), ("qualcode 0.9 (positions: characters)", CHARACTERS, 2),
    ("qualcode 0.9 (positions: UTF-16 code units, a CRLF line end as one)", UTF16, 1),
])
def test_when_the_selections_cannot_tell_the_tool_decides(origin: str, unit: str, crlf: int) -> None:
    # the only selection lies before the emoji, on a CRLF text: every reading places it alike
    text = "Interviewer: Why?\r\nMs Thu: Because 👍 it worked.\r\n"
    choice = choose(text, [Selection(0, 11)], origin)
    assert choice.by_origin and (choice.convention.unit, choice.convention.crlf) == (unit, crlf)


def _without_extension(src: Path, dst: Path) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as out:
        for n in z.namelist():
            if n != "qualcode.json":
                out.writestr(n, z.read(n))
    return dst


def test_crlf_line_ends_for_maxqda_count_each_line_end_once(emoji_project: Project, tmp_path: Path) -> None:
    from lxml import etree

    p = emoji_project
    report = export_qdpx(p, tmp_path / "maxqda.qdpx", line_ends="crlf")
    assert report["line_ends"] == "crlf"
    with zipfile.ZipFile(tmp_path / "maxqda.qdpx") as z:
        doc = etree.fromstring(z.read("project.qde"))
        assert "a CRLF line end as one" in doc.get("origin")
        ns = {"q": "urn:QDA-XML:project:1.0"}
        src = next(s for s in doc.iterfind(".//q:TextSource", ns) if s.get("name") == "KII-03")
        raw = z.read(f"sources/{src.get('guid')}.txt").decode("utf-8")
    assert "\r\n" in raw and "\n" not in raw.replace("\r\n", "")
    # as MAXQDA reads it: a CRLF is one position, an emoji two
    units = raw.replace("\r\n", "\n").encode("utf-16-le")
    marked = {units[int(s.get("startPosition")) * 2:int(s.get("endPosition")) * 2].decode("utf-16-le")
              for s in src.iterfind("q:PlainTextSelection", ns) if s.find("q:Coding", ns) is not None}
    assert {m for m in marked if m.startswith(("Turnover fell", "We need", "Excellent", "Funding ends"))} == {
        "Turnover fell 📉 after the course.", "We need more of it 🙏🙏🙏.",
        "Excellent 💯, but the sessions were short 😕.", "Funding ends next year 💸."}
    for name, path in [("with", tmp_path / "maxqda.qdpx"),
                       ("without", _without_extension(tmp_path / "maxqda.qdpx", tmp_path / "bare.qdpx"))]:
        import_refi(tmp_path / name, path, coder="ana")
        with Project.open(tmp_path / name) as back:
            assert _coded(back) == _coded(p), name
