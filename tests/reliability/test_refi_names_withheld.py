"""A .qdpx shows no name unless names are asked for, and still comes back onto the project it was made from:
the hostile project of test_pseudonymisation_holds (names in speech, speaker labels, file names, memos) exported,
checked member by member, and imported again with and without its qualcode.json."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from qualcode.refi import export_qdpx, import_refi
from qualcode.store import Project
from reliability.test_pseudonymisation_holds import _leaks, _run, hostile  # noqa: F401 (the fixture)


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()}


def _without_extension(src: Path, dest: Path) -> Path:
    """The file as another tool sends it back: qualcode.json dropped."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name != "qualcode.json":
                zout.writestr(name, zin.read(name))
    return dest


def _codings(project: Project) -> set[tuple[str, str, str]]:
    return {(c["ref"], c["code"], c["coder"]) for c in project.codings()}


def test_the_default_qdpx_names_nobody_and_says_so(hostile: Path, tmp_path: Path,  # noqa: F811
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    said = _run(capsys, "refi", "export", "-p", str(hostile), "-o", str(tmp_path / "h.qdpx"))
    files = _members(tmp_path / "h.qdpx")
    leaks = {name: _leaks(text) for name, text in files.items() if _leaks(text)}
    assert leaks == {}
    text = "\n".join(t for n, t in files.items() if n.startswith("sources/"))
    # the speech is there, the people in it are not; speakers are shown by their case
    assert "grievance training" in text and "Thanh Hoa province" in text and "Hai Phong" in text
    assert "Informant FGD-01-P1: I am a union official." in text
    # (a placeholder that starts a sentence is capitalised, so the text read again is cut where it was)
    assert "[Informant FGD-01-P1]'s union" in text and "The adviser, [the chamber's adviser], was" in text
    assert "[email]" in text and "[phone]" in text
    assert "names withheld" in said and "--show-names" in said

    _run(capsys, "refi", "export", "-p", str(hostile), "-o", str(tmp_path / "named.qdpx"), "--show-names")
    named = "\n".join(_members(tmp_path / "named.qdpx").values())
    assert {"Tran Van Phuc", "Nguyễn Văn Hùng", "Khanh", "Hang"} <= set(_leaks(named))


def test_a_qdpx_with_names_withheld_comes_back_onto_its_transcripts(hostile: Path,  # noqa: F811
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "h.qdpx"
    with Project.open(hostile) as project:
        export_qdpx(project, out)
        before = _codings(project)
        speakers = sorted((s["transcript_id"], s["label"], s["role"], s["case_id"]) for s in project.speakers())
        texts = {t["id"]: project.transcript_text(t["id"]) for t in project.transcripts()}
        attributes = {t["id"]: t["attributes"] for t in project.transcripts()}
    # another tool's coding on a unit whose text was pseudonymised, sent back with and without qualcode.json
    with zipfile.ZipFile(out) as z:
        doc = z.read("project.qde").decode("utf-8")
    for back in (out, _without_extension(out, tmp_path / "back.qdpx")):
        report = import_refi(hostile, back, coder="tester")
        assert report["counts"]["transcripts_already_here"] == 3 and report["counts"]["transcripts_added"] == 0
        assert report["counts"]["codings_already_here"] == len(before) and report["counts"]["codings_added"] == 0
        assert report["nothing_new"], report
        with Project.open(hostile) as project:
            assert _codings(project) == before
            assert {t["id"]: project.transcript_text(t["id"]) for t in project.transcripts()} == texts
            assert {t["id"]: t["attributes"] for t in project.transcripts()} == attributes
            assert sorted((s["transcript_id"], s["label"], s["role"], s["case_id"])
                          for s in project.speakers()) == speakers
    assert "Informant" in doc

    # a colleague's new project gets the pseudonymised transcripts, every coding on its unit, the cases linked
    report = import_refi(tmp_path / "colleague", out, coder="tester")
    assert report["counts"]["codings_added"] == len(before)
    with Project.open(tmp_path / "colleague") as q:
        assert {(c["ref"], c["code"], c["coder"]) for c in q.codings()} == before
        assert _leaks(json.dumps([q.transcript_text(t["id"]) for t in q.transcripts()], ensure_ascii=False)) == []
        assert {(s["label"], s["case_id"]) for s in q.speakers("FGD-01") if s["case_id"]} == {
            ("Informant FGD-01-P1", "FGD-01-P1"), ("Informant FGD-01-P2", "FGD-01-P2")}


def test_a_file_whose_names_were_withheld_differently_is_still_placed_on_its_transcripts(
        hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    # exported, sent back without qualcode.json after someone was added to the name list: the text no longer
    # matches, the source GUID still says which transcript it is
    out = tmp_path / "h.qdpx"
    with Project.open(hostile) as project:
        export_qdpx(project, out)
        before = _codings(project)
        n_transcripts = len(project.transcripts())
    _run(capsys, "names", "add", "-p", str(hostile), "Monday")  # "I told Phuc Monday": the text changes
    report = import_refi(hostile, _without_extension(out, tmp_path / "back.qdpx"), coder="tester")
    assert report["counts"]["transcripts_added"] == 0
    assert any("as this project exported it, but its text differs" in w for w in report["warnings"])
    with Project.open(hostile) as project:
        assert len(project.transcripts()) == n_transcripts and _codings(project) == before
