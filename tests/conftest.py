"""Shared fixtures: the bundled example project is built once per session and copied for each test that writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualcode.store import Project


@pytest.fixture(scope="session")
def example_project_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine example project (do not write to it; use ``example_project`` for a private copy)."""
    from qualcode.project_io import build_example

    dest = tmp_path_factory.mktemp("example") / "project"
    build_example(dest)
    return dest


@pytest.fixture
def example_project_dir(example_project_path: Path, tmp_path: Path) -> Path:
    """A private copy of the example project folder, safe to modify."""
    dest = tmp_path / "example"
    shutil.copytree(example_project_path, dest)
    return dest


@pytest.fixture
def example_project(example_project_dir: Path):  # type: ignore[no-untyped-def]
    """An open private copy of the example project."""
    project = Project.open(example_project_dir)
    yield project
    project.close()


@pytest.fixture
def small_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An open small project (two transcripts, the codebook, no codings yet) in this test's own folder:
    :func:`workbench_support.build_small_project`."""
    from workbench_support import build_small_project

    project = build_small_project(tmp_path / "small")
    yield project
    project.close()


@pytest.fixture(autouse=True)
def _stable_coder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_CODER", "tester")


def _hypothesis_profile() -> None:
    """Fuzz tests are reproducible by default (the same examples every run, so CI cannot flake); set
    QUALCODE_FUZZ_RANDOM=1 to explore new inputs locally."""
    import os

    from hypothesis import settings

    settings.register_profile("qualcode", derandomize=not os.environ.get("QUALCODE_FUZZ_RANDOM"), deadline=None)
    settings.load_profile("qualcode")


_hypothesis_profile()
