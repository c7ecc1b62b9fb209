"""README and --help agree: every command the CLI has is documented in the README, and every command the README
shows exists."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from qualcode.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = (*prefix, name)
                found.append(path)
                found.extend(_commands(sub, path))
    return found


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [" ".join(c) for c in _commands(build_parser()) if f"qualcode {' '.join(c)}" not in readme]
    assert missing == [], f"commands missing from README.md: {missing}"


def test_every_command_in_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    known = {c[0] for c in _commands(build_parser())}
    mentioned = set(re.findall(r"`qualcode ([a-z][a-z-]*)", readme))
    assert mentioned - known == set()


def _help_texts(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """Each command's one-line help (as listed by its parent) or, failing that, its own description."""
    texts: dict[tuple[str, ...], str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                path = (*prefix, name)
                texts[path] = (listed.get(name) or sub.description or "").strip()
                texts.update(_help_texts(sub, path))
    return texts


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands(build_parser())
    texts = _help_texts(build_parser())
    assert commands and set(texts) == set(commands)
    for command in commands:
        assert texts[command], f"`qualcode {' '.join(command)}` has no help text"
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([*command, "--help"])
        assert exit_.value.code == 0, command
        out = capsys.readouterr().out
        assert out.startswith("usage:") and " ".join(command) in out.splitlines()[0], command


def test_readme_opens_with_the_two_setup_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert block[0].startswith("make run") and block[1].startswith("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _parser_for(command: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for word in command:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser


def test_every_long_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for command in _commands(build_parser()):
        for action in _parser_for(command)._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help" and opt not in readme:
                    missing.append(f"{' '.join(command)} {opt}")
    assert missing == [], f"options missing from README.md: {missing}"
