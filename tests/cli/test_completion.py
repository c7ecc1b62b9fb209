"""Shell completion: the script is generated from the parser, so every command and option completes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qualcode.cli import main

BASH = shutil.which("bash")


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def _complete(script: Path, *words: str, cwd: Path | None = None) -> list[str]:
    """What bash offers after ``qualcode WORDS...`` (the last word is the one being completed)."""
    line = " ".join(["qualcode", *words])
    code = (f"source {script}\nCOMP_WORDS=(qualcode {' '.join(repr(w) for w in words)})\n"
            f"COMP_CWORD={len(words)}\nCOMP_LINE={line!r}\n_qualcode\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    out = subprocess.run([BASH or "bash", "-c", code], capture_output=True, text=True, cwd=cwd, check=True).stdout
    return [w for w in out.splitlines() if w]


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_completes_commands_actions_options_and_choices(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "qualcode.bash"
    script.write_text(_script("bash", capsys), encoding="utf-8")
    assert {"codings", "codebook", "coders"} <= set(_complete(script, "co"))
    assert _complete(script, "codings", "") == ["add", "remove", "list", "mark", "import"]
    # the project given before the command does not stop the command being found
    assert _complete(script, "-p", "work/eval", "codings", "a") == ["add"]
    assert set(_complete(script, "codings", "add", "--")) >= {"--segment", "--code", "--coder", "--json", "--project"}
    assert _complete(script, "matrix", "--rows", "") == ["code", "criterion"]
    assert _complete(script, "completion", "") == ["bash", "zsh", "fish"]
    (tmp_path / "proj").mkdir()
    assert _complete(script, "status", "-p", "pr", cwd=tmp_path) == ["proj"]
    assert _complete(script, "codings", "add", "--segment", "") == []  # a segment id, not a file


def test_zsh_loads_the_bash_functions_through_bashcompinit(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script("zsh", capsys)
    assert "bashcompinit" in script and "complete -o filenames -F _qualcode qualcode" in script
    assert "'suggest accept')" in script


def test_fish_declares_every_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script("fish", capsys)
    assert "complete -c qualcode -n 'test (__qualcode_path) = \\'\\'' -a 'findings'" in script
    assert "-n 'test (__qualcode_path) = \\'findings\\'' -a 'link'" in script
    assert "-n 'test (__qualcode_path) = \\'findings link\\'' -l contradicts" in script
    assert "-l rows -x -a 'code criterion'" in script


def test_an_unknown_shell_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["completion", "powershell"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
