"""Shared helpers for CLI modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qualcode.store import Project


def add_project_arg(p: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``nested``: on a sub-action of a command that has the option too, so ``cmd -p DIR action`` and
    ``cmd action -p DIR`` both work (an absent option must not reset what was given before the action)."""
    p.add_argument("-p", "--project", metavar="DIR", default=argparse.SUPPRESS if nested else ".",
                   help="project folder (default: current folder)")


def add_json_arg(p: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``nested``: as for :func:`add_project_arg`."""
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if nested else False,
                   help="print JSON instead of a table")


def parse_coders(text: str | None) -> list[str] | None:
    """``--coders A,B`` as a list of names; None when not given (everyone)."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    return names or None


def add_coder_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--coder",
        metavar="NAME",
        help="who is acting (default: the project's coder, $QUALCODE_CODER, or your login name)",
    )


def open_project(args: argparse.Namespace) -> Project:
    return Project.open(Path(args.project))


def emit(args: argparse.Namespace, data: Any, human: Callable[[Any], None] | None = None) -> int:
    """Print ``data`` as JSON when --json was given, else in human form."""
    if getattr(args, "json", False) or human is None:
        # One write: json.dump writes each token separately, and every write goes through stdout's wrapper (a
        # second for the suggestions of one long transcript).
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human(data)
    return 0


def table(rows: list[dict[str, Any]], columns: list[str], *, widths: dict[str, int] | None = None) -> None:
    """A plain aligned table (no colour, so it pipes cleanly)."""
    widths = widths or {}
    if not rows:
        print("(none)")
        return
    cells = [[_cell(r.get(c), widths.get(c)) for c in columns] for r in rows]
    w = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w[i]) for i, c in enumerate(columns)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w[i]) for i, v in enumerate(row)).rstrip())


def _cell(value: Any, width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text
