"""`qualcode refi export` picks the format from the file name and the file from the project; refusals write nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from teams_support import build_project, codebook, unit

from qualcode.cli import main
from qualcode.errors import QualcodeError
from qualcode.refi import export_refi
from qualcode.store import Project


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    with build_project(tmp_path / "p") as p:
        p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara")
        p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="long")
    return tmp_path / "p"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_limiting_a_codebook_export_to_coders_is_a_one_line_error_that_writes_nothing(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = _run(
        capsys, "refi", "export", "-p", str(project_dir), "-o", str(out_dir / "codes.qdc"), "--coders", "clara"
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("qualcode: error: ") and "Traceback" not in err
    assert ".qdc" in err and "--coders" in err and ".qdpx" in err  # says what to do instead
    assert _files_under(out_dir) == set()
    assert _files_under(project_dir / "outputs") == set()


def test_a_codebook_export_without_coders_still_works(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "refi", "export", "-p", str(project_dir), "-o", str(tmp_path / "codes.QDC"))
    assert code == 0 and f"Wrote {tmp_path / 'codes.QDC'}" in out
    assert (tmp_path / "codes.QDC").read_bytes().lstrip().startswith(b"<?xml")


def test_without_a_file_the_whole_project_goes_to_outputs_named_after_the_project(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = project_dir / "outputs" / "Team-test.qdpx"
    code, out, _ = _run(capsys, "refi", "export", "-p", str(project_dir))
    assert code == 0 and f"Wrote {expected}" in out
    assert "project.qde" in zipfile.ZipFile(expected).namelist()


def test_the_default_file_name_is_safe_whatever_the_project_is_called(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", codebook=codebook(), name="Đánh giá / KII 2024") as p:
        report = export_refi(p)
    assert Path(report["file"]) == tmp_path / "p" / "outputs" / "Danh-gia-KII-2024.qdpx"
    assert report["format"] == "qdpx" and Path(report["file"]).exists()


def test_an_unknown_extension_is_refused_before_anything_is_written(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "refi", "export", "-p", str(project_dir), "-o", str(tmp_path / "out" / "x.nvp"))
    assert code == 2 and out == ""
    assert err == "qualcode: error: cannot tell the format of 'x.nvp' (name the file .qdpx or .qdc)\n"
    assert _files_under(tmp_path / "out") == set()


def test_coders_limit_a_project_export_chosen_by_its_extension(project_dir: Path, tmp_path: Path) -> None:
    with Project.open(project_dir) as p:
        report = export_refi(p, tmp_path / "clara.qdpx", coders=["clara"])
        with pytest.raises(QualcodeError, match="holds no codings"):
            export_refi(p, tmp_path / "clara.qdc", coders=["clara"])
    assert report["format"] == "qdpx"
    assert report["counts"]["codings"] == 1 and report["counts"]["users"] == 1
    assert not (tmp_path / "clara.qdc").exists()
