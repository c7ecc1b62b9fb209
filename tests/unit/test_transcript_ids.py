"""Transcript ids made from file names: accents are folded, not dropped, and a transcript imported under an id of
the earlier rule keeps it when a corrected file comes."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import make_codebook

from qualcode.folding import strip_accents
from qualcode.importing import safe_id
from qualcode.project_io import import_files
from qualcode.store import Project


def _write(folder: Path, name: str, answer: str) -> Path:
    path = folder / name
    lines = ["Interviewer: What did the project do?", "", f"Ms. Lan: {answer}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_vietnamese_file_name_gives_a_readable_id(tmp_path: Path) -> None:
    src = _write(tmp_path, "Phỏng vấn Sở LĐTBXH Đà Nẵng.txt", "We trained 300 workers. The course was useful.")
    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        report = import_files(project, [src], coder="ana")
        assert [t["id"] for t in report["transcripts"]] == ["Phong-van-So-LDTBXH-Da-Nang"]
        assert [s["ref"] for s in project.segments("Phong-van-So-LDTBXH-Da-Nang")][0].startswith("Phong-van")


def test_a_corrected_file_keeps_the_id_its_transcript_was_imported_under(tmp_path: Path) -> None:
    from qualcode.importers import read_transcript

    legacy = "Ph-ng-v-n-Lan"  # what the earlier rule made of "Phỏng vấn Lan"
    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        first = _write(tmp_path, "Phỏng vấn Lan.txt", "We trained 300 workers. The course was useful.")
        project.add_transcript(read_transcript(first), legacy, coder="ana")
        # corrected, saved under another extension in another folder: matched by the stem of its name
        other = tmp_path / "corrected"
        other.mkdir()
        src = _write(other, "Phỏng vấn Lan.md", "We trained 320 workers. The course was useful.")
        report = import_files(project, [src], coder="ana")
        assert [(t["id"], t["version"]) for t in report["transcripts"]] == [(legacy, 2)]
        assert [t["id"] for t in project.transcripts()] == [legacy]


def test_accents_are_folded_and_case_kept() -> None:
    assert strip_accents("Đánh giá cuối kỳ") == "Danh gia cuoi ky"
    assert safe_id("  Đánh giá / KII 2024 ") == "Danh-gia-KII-2024"
    assert safe_id("KII-01_final.v2") == "KII-01_final.v2"


def test_a_differently_accented_file_is_not_filed_as_a_version_of_another_interview(tmp_path: Path) -> None:
    from qualcode.errors import InputError

    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        import_files(project, [_write(tmp_path, "Phỏng vấn Đà Nẵng.txt", "We trained 300 workers. It helped.")],
                     coder="ana")
        other = tmp_path / "other"
        other.mkdir()
        with pytest.raises(InputError, match="different file"):
            import_files(project, [_write(other, "Phong van Da Nang.txt", "A different interview. About wages.")],
                         coder="ana")
        assert [(t["id"], t["version"]) for t in project.transcripts()] == [("Phong-van-Da-Nang", 1)]
        # the same file, corrected, is a new version
        again = import_files(project, [_write(tmp_path, "Phỏng vấn Đà Nẵng.txt", "We trained 320 workers. It helped.")],
                             coder="ana")
        assert [(t["id"], t["version"]) for t in again["transcripts"]] == [("Phong-van-Da-Nang", 2)]


def test_an_earlier_id_is_kept_even_when_the_folded_one_is_taken(tmp_path: Path) -> None:
    from qualcode.importers import read_transcript

    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        # imported before accents were folded: "FGD Thư.txt" became FGD-Th; "FGD Thu.txt" is FGD-Thu
        accented = _write(tmp_path, "FGD Thư.txt", "Ms Thư's answer. About training.")
        project.add_transcript(read_transcript(accented), "FGD-Th", coder="ana")
        import_files(project, [_write(tmp_path, "FGD Thu.txt", "Mr Thu's answer. About wages.")], coder="ana")
        # Ms Thư's corrected file goes to her transcript, not to Mr Thu's
        corrected = _write(tmp_path, "FGD Thư.txt", "Ms Thư's answer. About training and wages.")
        report = import_files(project, [corrected], coder="ana")
        assert [(t["id"], t["version"]) for t in report["transcripts"]] == [("FGD-Th", 2)]
        assert any("Mr Thu" in seg["text"] for seg in project.segments("FGD-Thu"))


def test_a_stated_id_is_kept_as_written_and_a_new_accented_name_is_a_new_transcript(tmp_path: Path) -> None:
    import unicodedata

    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        stated = tmp_path / "m1.txt"
        stated.write_text("id: FGD Thư\n\nInterviewer: Hi?\n\nMs Thư: Hello.\n", encoding="utf-8")
        also = tmp_path / "m2.txt"
        also.write_text("id: FGD Thu\n\nInterviewer: Hi?\n\nMr Thu: Other words.\n", encoding="utf-8")
        import_files(project, [stated], coder="ana")
        import_files(project, [also], coder="ana")
        assert sorted(t["id"] for t in project.transcripts()) == ["FGD-Th", "FGD-Thu"]  # two interviews
        # a decomposed (NFD) name, as macOS hands it over, is the same file
        nfd = tmp_path / "nfd"
        nfd.mkdir()
        first = _write(tmp_path, "Hà Nội.txt", "We trained 300 workers. It helped.")
        import_files(project, [first], coder="ana")
        again = _write(nfd, unicodedata.normalize("NFD", "Hà Nội.txt"), "We trained 320 workers. It helped.")
        report = import_files(project, [again], coder="ana")
        assert [(t["id"], t["version"]) for t in report["transcripts"]] == [("Ha-Noi", 2)]
