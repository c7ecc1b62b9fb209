"""Running the command line as a user does, for the tests: its exit status and what it printed."""

from __future__ import annotations

import pytest

from qualcode.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``qualcode ARGV``: its exit status (a ``SystemExit``'s too) and what it printed to stdout and stderr
    (only what this run printed)."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
