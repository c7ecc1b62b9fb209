"""Long commands show progress on a terminal and stay quiet in pipes and with --json."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

from qualcode.actions.projects import import_files
from qualcode.cli.progress import BarProgress, LineProgress, progress_for
from qualcode.store import Project


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(**{"json": False, "progress": False, **given})


def test_a_terminal_gets_a_bar_unless_json_was_asked() -> None:
    with progress_for(args(), Terminal()) as progress:
        assert isinstance(progress, BarProgress)
        progress("reading files", 1, 4)
        progress("storing transcripts", 0, 2)
    with progress_for(args(json=True), Terminal()) as progress:
        assert progress is None


def test_a_pipe_stays_quiet_unless_progress_is_asked() -> None:
    with progress_for(args(), io.StringIO()) as progress:
        assert progress is None
    out = io.StringIO()
    with progress_for(args(progress=True, json=True), out) as progress:
        assert isinstance(progress, LineProgress)
        progress("reading files", 0, 2)
        progress("reading files", 2, 2)
        progress("storing transcripts", 0, 3)
        progress("storing transcripts", 1, 3)
    # reported before each item, as the core does: the step is shown complete once the command succeeded
    assert "reading files: 2/2 100%" in out.getvalue() and out.getvalue().endswith("storing transcripts: 3/3 100%\n")


def test_a_step_is_complete_when_the_next_begins_and_a_failure_stays_where_it_stopped() -> None:
    out = io.StringIO()
    try:
        with progress_for(args(progress=True), out) as progress:
            assert progress is not None
            progress("reading files", 0, 2)
            progress("reading files", 1, 2)
            progress("storing transcripts", 0, 2)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    lines = out.getvalue().split("\n")
    assert lines[0].endswith("reading files: 2/2 100%")
    assert lines[1].endswith("storing transcripts: 0/2   0%") and "2/2" not in lines[1]


def _files(folder: Path) -> list[str | Path]:
    paths: list[str | Path] = []
    for n in range(3):
        path = folder / f"KII-0{n + 1}.txt"
        path.write_text(f"Interviewer: What changed?\n\nMs. Lan: The committee met {n + 2} times. Workers used it.\n",
                        encoding="utf-8")
        paths.append(path)
    return paths


def test_import_reports_each_file_read_and_stored(tmp_path: Path) -> None:
    heard: list[tuple[str, int, int]] = []
    with Project.create(tmp_path / "p") as project:
        import_files(project, _files(tmp_path), coder="ana", progress=lambda *a: heard.append(a))
    assert [h for h in heard if h[0] == "reading files"] == [("reading files", n, 3) for n in range(3)]
    assert [h for h in heard if h[0] == "storing transcripts"] == [("storing transcripts", n, 3) for n in range(3)]


def test_import_with_json_in_a_pipe_prints_only_the_json(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "qualcode", "init", str(tmp_path / "p")], check=True, capture_output=True)
    files = [str(f) for f in _files(tmp_path)]
    quiet = subprocess.run([sys.executable, "-m", "qualcode", "-p", str(tmp_path / "p"), "import", *files, "--json"],
                           capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert len(json.loads(quiet.stdout)["transcripts"]) == 3
    logged = subprocess.run([sys.executable, "-m", "qualcode", "-p", str(tmp_path / "p"), "import", *files,
                             "--progress"], capture_output=True, text=True)
    assert logged.returncode == 0 and "reading files: 3/3" not in logged.stdout
    assert "reading files:" in logged.stderr


def test_project_wide_suggestions_report_fitting_and_scoring(tmp_path: Path) -> None:
    from workbench_support import build_small_project

    from qualcode.nlp.project import suggest_for_project

    heard: list[tuple[str, int, int]] = []
    project = build_small_project(tmp_path / "small")
    try:
        rows = suggest_for_project(project, progress=lambda *a: heard.append(a))
    finally:
        project.close()
    assert heard[0] == ("fitting the suggester", 0, 1)
    assert ("suggesting", 0, len(rows)) in heard and len(rows) == 10


def test_merging_reports_each_project(tmp_path: Path) -> None:
    import shutil

    from workbench_support import build_small_project

    from qualcode.teams.merge import merge_projects

    build_small_project(tmp_path / "a").close()
    for other in ("b", "c"):
        shutil.copytree(tmp_path / "a", tmp_path / other)
    heard: list[tuple[str, int, int]] = []
    with Project.open(tmp_path / "a") as project:
        merge_projects(project, [tmp_path / "b", tmp_path / "c"], coder="ana", progress=lambda *a: heard.append(a))
    assert heard == [("merging projects", 0, 2), ("merging projects", 1, 2)]
