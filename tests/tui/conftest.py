"""Fixtures for the workbench: a small project built in code and an app factory with background polling off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from workbench_support import build_small_project

from qualcode.store import Project
from qualcode.tui import QualcodeApp, make_app


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A project with KII-01 (one informant) and FGD-01 (two informants and a facilitator), no codings yet."""
    path = tmp_path / "small"
    build_small_project(path).close()
    return path


@pytest.fixture
def make(small_dir: Path) -> Callable[..., QualcodeApp]:
    """Build the app on the small project as coder clara (suggestions off unless asked for)."""

    def factory(**kwargs: Any) -> QualcodeApp:
        kwargs.setdefault("coder", "clara")
        kwargs.setdefault("poll_seconds", 0)
        kwargs.setdefault("suggestions", False)
        return make_app(small_dir, **kwargs)

    return factory


@pytest.fixture
def store(small_dir: Path):  # type: ignore[no-untyped-def]
    """A second connection to the same project: what another process (the CLI) sees."""
    project = Project.open(small_dir)
    yield project
    project.close()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests of this folder on a fresh event loop (no asyncio plugin needed)."""
    import asyncio
    import inspect

    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True
