"""The code stays lint-clean and type-clean: ruff and mypy run with the tests, so CI catches a regression. mypy checks
the tests as well as the package: a test that reads a key the code does not write fails here first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_ruff_finds_nothing() -> None:
    proc = run("ruff", "check", "--no-cache", "qualcode", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing_in_the_package() -> None:
    proc = run("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), "qualcode")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing_in_the_tests() -> None:
    proc = run("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr
