"""The command line acts through the same actions as the workbench: the same rules, the same counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workbench_support import build_small_project

from qualcode.actions import views
from qualcode.actions.coding import apply_code
from qualcode.cli import main
from qualcode.store import Project


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = build_small_project(tmp_path / "small")
    apply_code(project, ["KII-01:8"], "sustainability.funding", coder="clara")
    apply_code(project, ["KII-01:8", "KII-01:9"], "sustainability.funding", coder="long")
    project.close()
    return tmp_path / "small"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_removing_a_code_two_coders_applied_needs_to_say_whose(folder: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "-p", str(folder), "codings", "remove", "--segment", "KII-01:8",
                         "--code", "sustainability.funding")
    assert status == 2 and "2 coders applied" in err and "--coder NAME" in err
    status, out, _ = run(capsys, "codings", "remove", "--segment", "KII-01:8", "--code", "sustainability.funding",
                         "--coder", "long", "-p", str(folder), "--json")
    assert status == 0 and json.loads(out)["coder"] == "long"
    with Project.open(folder) as project:
        assert [c["coder"] for c in project.codings(segment=project.resolve_segment("KII-01:8"))] == ["clara"]


def test_codebook_show_counts_what_the_workbench_counts(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "-p", str(folder), "codebook", "show", "--json")
    shown = {c["id"]: c["codings"] for root in json.loads(out)["codes"] for c in [root, *root["children"]]}
    with Project.open(folder) as project:
        counts = views.code_counts(project)
    assert status == 0 and counts == {"sustainability.funding": 3}
    assert shown["sustainability.funding"] == 3 and shown["sustainability"] == 0


def test_accepting_from_the_command_line_records_the_decision(folder: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "suggest", "accept", "-p", str(folder), "--segment", "KII-01:3", "--code",
                         "relevance.needs_fit", "--score", "0.7", "--model-version", "m-1", "--coder", "ana",
                         "--json")
    assert status == 0 and json.loads(out)["source"] == "suggestion"
    with Project.open(folder) as project:
        assert [(d["coder"], d["decision"], d["score"]) for d in project.decisions()] == [("ana", "accepted", 0.7)]


def test_a_memo_on_a_coding_that_does_not_exist_is_a_one_line_error(folder: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "memo", "set", "-p", str(folder), "--coding", "999", "--text", "check")
    assert status == 2 and err.count("\n") == 1 and "no coding 999" in err
    status, out, _ = run(capsys, "memo", "set", "-p", str(folder), "--segment", "KII-01:8", "--text", "check")
    assert status == 0 and out.startswith("memo saved on segment ")
