"""`qualcode code`: which project it opens, and one-line errors for what users get wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from workbench_support import build_small_project

from qualcode.cli import main
from qualcode.tui.app import QualcodeApp


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QualcodeApp]:
    """Record the app instead of taking over the terminal."""
    seen: list[QualcodeApp] = []

    def fake_run(self: QualcodeApp, *args: Any, **kwargs: Any) -> None:
        seen.append(self)
        self.project.close()

    monkeypatch.setattr(QualcodeApp, "run", fake_run)
    return seen


def test_code_opens_the_given_project_transcript_and_coder(small_dir: Path, opened: list[QualcodeApp]) -> None:
    assert main(["code", "-p", str(small_dir), "--transcript", "FGD-01", "--coder", "long", "--queue"]) == 0
    app = opened[0]
    assert (app.project_path, app.start_transcript, app.coder, app.start_queue) == (small_dir, "FGD-01", "long", True)


def test_code_without_a_project_opens_the_example_working_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               opened: list[QualcodeApp], capsys) -> None:  # type: ignore[no-untyped-def]
    def fake_build(dest: Path, force: bool = False) -> dict:
        build_small_project(Path(dest)).close()
        return {}

    monkeypatch.setattr("qualcode.project_io.build_example", fake_build)
    monkeypatch.setenv("QUALCODE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert main(["code"]) == 0
    assert opened[0].project_path == tmp_path / "home" / "example"
    assert "example working copy" in capsys.readouterr().out


def test_code_on_a_folder_without_a_project_is_one_line_exit_2(tmp_path: Path, opened: list[QualcodeApp],
                                                               capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["code", "-p", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no qualcode project" in err[0] and not opened


def test_code_with_a_mistyped_transcript_suggests_the_right_one(small_dir: Path, opened: list[QualcodeApp],
                                                                capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["code", "-p", str(small_dir), "--transcript", "KII-1"]) == 2
    assert "did you mean 'KII-01'" in capsys.readouterr().err
    assert not opened
