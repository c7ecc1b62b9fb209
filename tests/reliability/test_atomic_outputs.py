"""Every file a command writes is written whole or not at all, and never over a file nobody agreed to replace.

A write that fails half-way (a file-size limit, a full disk, a bug in a writer) must leave the previous file exactly
as it was and no temporary file behind, with one line saying what happened and exit status 2.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.safeio.output import OutputExists, atomic_output, claim_output, claim_outputs, leftover_parts
from qualcode.store import Project

PREVIOUS = b"the previous, good version of this file\n"

# (command line after -p DIR, the file it writes relative to the output folder)
WRITERS = [
    (["export", "quotes", "--format", "docx"], "quotes.docx"),
    (["export", "quotes", "--format", "xlsx"], "quotes.xlsx"),
    (["export", "quotes", "--format", "csv"], "quotes.csv"),
    (["export", "quotes", "--format", "md"], "quotes.md"),
    (["export", "findings", "--format", "docx"], "findings.docx"),
    (["export", "findings", "--format", "md"], "findings.md"),
    (["export", "matrix", "--format", "docx"], "evaluation-matrix.docx"),
    (["export", "matrix", "--format", "xlsx"], "evaluation-matrix.xlsx"),
    (["export", "matrix", "--format", "csv"], "evaluation-matrix.csv"),
    (["export", "persons", "--format", "docx"], "persons-consulted.docx"),
    (["export", "persons", "--format", "xlsx"], "persons-consulted.xlsx"),
    (["export", "persons", "--format", "csv"], "persons-consulted.csv"),
    (["report"], "report.html"),
    (["findings", "export"], "findings.yaml"),
    (["refi", "export"], "project.qdpx"),
]


def command(args: list[str], project: Path, out: Path, name: str) -> list[str]:
    """The full command line, its output in ``out``."""
    target = str(out / name)
    if args[0] == "export" and args[1] == "quotes":
        return [*args, "-p", str(project), "--out", str(out)]
    if args[0] == "refi":
        return [*args, "-p", str(project), "--output", target]
    return [*args, "-p", str(project), "--out", target]


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """No file this process writes may grow past ``limit`` bytes (as 'ulimit -f' sets it); restored afterwards.
    Python ignores SIGXFSZ, so a write past the limit fails with EFBIG half-way through the file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.fixture(scope="module")
def warm(example_project_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every writer run once, so caches written on first use (matplotlib's font list, compiled modules) exist before
    a test limits the file size."""
    out = tmp_path_factory.mktemp("warm")
    for args, name in WRITERS:
        assert main(command(args, example_project_path, out, name)) == 0, args
    return out


# openpyxl and python-docx leave their zip file to the garbage collector when a write fails; closing it then fails
# again on the same limit and Python reports that as "ignored": the temporary file is already gone by then
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("args", "name"), WRITERS, ids=[" ".join(a) for a, _ in WRITERS])
def test_a_write_that_fails_half_way_leaves_the_previous_file_and_no_temporary_file(
        args: list[str], name: str, example_project_dir: Path, warm: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(PREVIOUS)
    full = (warm / name).stat().st_size
    assert full > 1024  # the limit below cuts the new file part-way
    project = Project.open(example_project_dir)  # holds the database's shared memory open, as a workbench would
    try:
        capsys.readouterr()
        with file_size_limit(1024):
            status = main([*command(args, example_project_dir, out, name), "--force"])
    finally:
        project.close()
    err = capsys.readouterr().err
    assert status == 2
    assert (out / name).read_bytes() == PREVIOUS
    assert sorted(p.name for p in out.iterdir()) == [name]  # no temporary file left
    (line,) = [x for x in err.splitlines() if x.startswith("qualcode: error")]
    assert "grew past the size this system allows" in line and "previous file" in line


def test_a_full_disk_in_the_middle_of_a_spreadsheet_leaves_the_previous_file(
        example_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from qualcode.errors import QualcodeError
    from qualcode.exports.quotes import export_quotes

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "quotes.xlsx").write_bytes(PREVIOUS)
    real = zipfile.ZipFile.writestr
    calls = []

    def writestr(self: zipfile.ZipFile, name: object, data: object, *a: object, **k: object) -> None:
        calls.append(name)
        if len(calls) == 4:  # a few parts in: the disk fills up
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, name, data, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    with pytest.raises(QualcodeError, match="the disk is full; the previous file, if any, is unchanged"):
        export_quotes(example_project, tmp_path, formats=["xlsx"], force=True)
    assert (tmp_path / "quotes.xlsx").read_bytes() == PREVIOUS
    assert leftover_parts(tmp_path) == [] and sorted(os.listdir(tmp_path)) == ["quotes.xlsx"]


def test_a_writer_that_breaks_half_way_leaves_the_previous_file(
        example_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.exports import chapter

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "findings.md").write_bytes(PREVIOUS)

    def broken(data: object, path: Path) -> None:
        path.write_text("# Findings\n\nhalf of a chapter", encoding="utf-8")
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(chapter, "write_chapter_markdown", broken)
    with pytest.raises(RuntimeError, match="a bug in the writer"):
        chapter.export_chapter(example_project, tmp_path / "findings.md", force=True)
    assert (tmp_path / "findings.md").read_bytes() == PREVIOUS
    assert leftover_parts(tmp_path) == []


def test_an_existing_file_is_replaced_only_with_force(example_project_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "annex.csv"
    target.write_bytes(PREVIOUS)
    argv = ["export", "matrix", "-p", str(example_project_dir), "--out", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (f"qualcode: error: {target} already exists (pass --force to replace the"
                                            " evaluation matrix, or choose another name)")
    assert target.read_bytes() == PREVIOUS
    assert main([*argv, "--force"]) == 0
    assert target.read_bytes().startswith("\ufeffCriterion id".encode())
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # a shared annex, not a private temporary file


def test_one_existing_file_stops_a_multi_file_export_before_anything_is_written(
        example_project_dir: Path, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "quotes.md").write_bytes(PREVIOUS)
    assert main(["export", "quotes", "-p", str(example_project_dir), "--format", "all", "--out", str(tmp_path)]) == 2
    assert sorted(os.listdir(tmp_path)) == ["quotes.md"] and (tmp_path / "quotes.md").read_bytes() == PREVIOUS


def test_in_a_terminal_the_user_is_asked_before_a_file_is_replaced(
        example_project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "persons.csv"
    target.write_bytes(PREVIOUS)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    argv = ["export", "persons", "-p", str(example_project_dir), "--out", str(target)]
    for answer, status, replaced in (("n\n", 2, False), ("y\n", 0, True)):
        stderr = Tty()
        monkeypatch.setattr(sys, "stdin", Tty(answer))
        monkeypatch.setattr(sys, "stderr", stderr)
        assert main(argv) == status
        assert f"{target} exists. Replace it? [y/N]" in stderr.getvalue()
        assert (target.read_bytes() != PREVIOUS) is replaced


def test_claiming_an_output(tmp_path: Path) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(Exception, match="it is a folder"):
        claim_output(folder)
    nested = claim_output(tmp_path / "new" / "deeper" / "file.csv")
    assert nested.parent.is_dir()  # the folder is made before the work starts
    (tmp_path / "x.csv").write_text("x")
    with pytest.raises(OutputExists):
        claim_outputs([tmp_path / "y.csv", tmp_path / "x.csv"])
    assert claim_outputs([tmp_path / "x.csv"], confirm=lambda p: True) == [tmp_path / "x.csv"]
    with atomic_output(tmp_path / "x.csv") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".x.csv.")  # beside it: the rename is atomic
        tmp.write_text("new")
    assert (tmp_path / "x.csv").read_text() == "new" and leftover_parts(tmp_path) == []


def test_the_command_line_under_a_file_size_limit_says_so_in_one_line(example_project_dir: Path,
                                                                      tmp_path: Path) -> None:
    """The same as 'ulimit -f' in a shell: a separate process whose file-size limit stops the quote bank half-way."""
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "quotes.docx"
    target.write_bytes(PREVIOUS)
    project = Project.open(example_project_dir)  # the database's shared memory exists at its full size
    try:
        code = ("import resource, sys; from qualcode.cli import main; "
                "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1])); "
                "sys.exit(main(sys.argv[1:]))")
        run = subprocess.run([sys.executable, "-c", code, "export", "quotes", "-p", str(example_project_dir),
                              "--out", str(tmp_path), "--force"], capture_output=True, text=True, timeout=120)
    finally:
        project.close()
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") <= 2 and "Traceback" not in run.stderr
    assert "quotes.docx: the file grew past the size this system allows" in run.stderr
    assert target.read_bytes() == PREVIOUS and sorted(os.listdir(tmp_path)) == ["quotes.docx"]


def test_pseudonymised_copies_do_not_replace_files_unasked(example_project_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    (out / "KII-01.txt").write_bytes(PREVIOUS)
    argv = ["redact", "-p", str(example_project_dir), "--out", str(out)]
    assert main(argv) == 2
    assert os.listdir(out) == ["KII-01.txt"] and (out / "KII-01.txt").read_bytes() == PREVIOUS
    assert main([*argv, "--force"]) == 0
    project = Project.open(example_project_dir)
    sources = len(project.transcripts())
    project.close()
    assert (out / "KII-01.txt").read_bytes() != PREVIOUS and len(os.listdir(out)) == sources
    assert leftover_parts(out) == []
