"""How every command takes its options: -p DIR before or after the command (as `git -C` does), the shared option
bundles, and the acting coder resolved once."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from qualcode.cli import build_parser, main
from qualcode.cli._common import open_project

Command = tuple[tuple[str, ...], argparse.ArgumentParser]


def _leaves(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[Command]:
    found: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = (*prefix, name)
                if not any(isinstance(a, argparse._SubParsersAction) and a.required for a in sub._actions):
                    found.append((path, sub))
                found.extend(_leaves(sub, path))
    return found


def _required_args(parser: argparse.ArgumentParser) -> list[str]:
    """The least a command needs to parse: a value for each positional and each required option."""
    out: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        value = str(action.choices[0]) if action.choices else "1"  # type: ignore[index]
        if not action.option_strings:
            if action.nargs not in ("?", "*"):
                out.extend([value] * (action.nargs if isinstance(action.nargs, int) else 1))
        elif action.required:
            out.extend([action.option_strings[-1], *([value] * (action.nargs if isinstance(action.nargs, int) else 1))]
                       if action.nargs != 0 else [action.option_strings[-1]])
    for grp in parser._mutually_exclusive_groups:
        if grp.required:
            first = grp._group_actions[0]
            out.extend([first.option_strings[-1]] + ([] if first.nargs == 0 else ["1"]))
    return out


COMMANDS = _leaves(build_parser())


def test_the_command_tree_is_walked() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"status", "codings add", "suggest", "suggest accept", "findings link", "refi import", "code"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_project_before_the_command_works_for_every_command(path: tuple[str, ...]) -> None:
    parser = dict(COMMANDS)[path]
    args = build_parser().parse_args(["-p", "some/dir", *path, *_required_args(parser)])
    assert args.project == "some/dir"
    assert args.func is not None


@pytest.mark.parametrize("path", [p for p, s in COMMANDS if "--project" in s._option_string_actions],
                         ids=lambda p: " ".join(p))
def test_project_after_the_command_works_and_wins(path: tuple[str, ...]) -> None:
    parser = dict(COMMANDS)[path]
    args = build_parser().parse_args(["-p", "ignored", *path, *_required_args(parser), "-p", "here"])
    assert args.project == "here"


def test_project_defaults_to_the_current_folder() -> None:
    args = build_parser().parse_args(["status"])
    assert args.project is None and args.json is False


def test_only_commands_that_read_no_project_refuse_it_after_their_name() -> None:
    without = {" ".join(p) for p, s in COMMANDS if "--project" not in s._option_string_actions}
    assert without == {"codebook validate", "restore", "completion"}


def test_json_before_a_sub_action_is_kept() -> None:
    args = build_parser().parse_args(["suggest", "--json", "accept", "--segment", "K:1", "--code", "x"])
    assert args.json is True
    args = build_parser().parse_args(["suggest", "accept", "--segment", "K:1", "--code", "x", "--json"])
    assert args.json is True


def test_bundles_come_after_the_command_arguments_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["codings", "add", "--help"])
    usage = capsys.readouterr().out.split("\n\n")[0]
    assert usage.index("-p DIR") < usage.index("--segment") < usage.index("--coder") < usage.index("--json")


def test_status_with_the_project_before_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "p"), "--coder", "ana"]) == 0
    capsys.readouterr()
    assert main(["-p", str(tmp_path / "p"), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["codes"] > 0
    assert main(["codebook", "-p", str(tmp_path / "p"), "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["codes"]


def test_init_and_example_take_the_folder_from_p(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-p", str(tmp_path / "new"), "init", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(tmp_path / "new")
    assert main(["-p", str(tmp_path / "a"), "init", str(tmp_path / "b")]) == 2
    assert "two folders" in capsys.readouterr().err
    assert main(["init"]) == 2
    assert "say where" in capsys.readouterr().err


def test_the_acting_coder_is_resolved_once_from_the_project(tmp_path: Path) -> None:
    main(["init", str(tmp_path / "p"), "--coder", "ana"])
    args = build_parser().parse_args(["-p", str(tmp_path / "p"), "undo"])
    assert args.coder is None
    with open_project(args):
        assert args.coder == "ana" and args.coder_named is None
    args = build_parser().parse_args(["-p", str(tmp_path / "p"), "undo", "--coder", " lan "])
    with open_project(args):
        assert args.coder == "lan" and args.coder_named == " lan "


def test_a_filter_named_coder_is_not_resolved(tmp_path: Path) -> None:
    main(["init", str(tmp_path / "p"), "--coder", "ana"])
    args = build_parser().parse_args(["-p", str(tmp_path / "p"), "codings", "list"])
    with open_project(args):
        assert args.coder is None  # every coder's codings, not ana's


class _Workbench:
    """Stands in for the Textual app: records the folder ``qualcode code`` would open."""

    opened: list[Path] = []
    return_code = 0

    def __init__(self, path: Path, **_options: object) -> None:
        self.opened.append(Path(path))

    def run(self) -> None:
        pass


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbench_support import build_small_project

    from qualcode.actions.coding import apply_code

    folder = tmp_path_factory.mktemp("p") / "small"
    with build_small_project(folder) as project:
        apply_code(project, ["KII-01:3"], "relevance", coder="clara")
    return folder


@pytest.mark.parametrize("path", [p for p, s in COMMANDS if "--project" in s._option_string_actions],
                         ids=lambda p: " ".join(p))
def test_every_command_reads_the_project_given_before_its_name(
        path: tuple[str, ...], small_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Run from a folder that holds no project, ``qualcode -p DIR COMMAND ...`` finds DIR's project: whatever the
    command then says of its (placeholder) arguments, it never says there is no project here or in DIR (``merge 1``
    may say so of the colleague's folder '1')."""
    import qualcode.tui

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(qualcode.tui, "make_app", _Workbench)
    _Workbench.opened = []
    parser = dict(COMMANDS)[path]
    main(["-p", str(small_project), *path, *_required_args(parser)])
    err = capsys.readouterr().err
    assert "no qualcode project in ." not in err and f"no qualcode project in {small_project}" not in err, err
    assert "internal error" not in err, err
    if path == ("code",):
        assert _Workbench.opened == [small_project]


def test_every_option_naming_a_file_to_write_takes_the_same_spellings() -> None:
    """An evaluator who typed `-o report.docx` once should not have to learn which command wants `--out` and which
    `--output`: wherever a command writes to a file or folder the user names, -o and --out both work."""
    writers = {}
    for path, parser in COMMANDS:
        for action in parser._actions:
            spellings = set(action.option_strings)
            if spellings & {"-o", "--out", "--output"}:
                writers[" ".join(path)] = spellings
    assert {"export quotes", "export findings", "export matrix", "export persons", "report", "refi export",
            "findings export", "redact"} <= set(writers)
    assert {name: sorted(s) for name, s in writers.items() if not {"-o", "--out"} <= s} == {}


def test_dash_o_writes_where_it_is_told(tmp_path: Path, example_project_dir: Path) -> None:
    out = tmp_path / "chapter.md"
    assert main(["export", "findings", "-p", str(example_project_dir), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("#")
