"""Progress on long runs, written to stderr only when it is a terminal (or when asked), so pipes stay clean."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from qualcode.model import ProgressFn


class Progress:
    """A callable ``(label, done, total)`` that redraws one status line at most ten times a second."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label != self._label and self._label:
            self.stream.write("\n")
        self._label = label
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        pct = f"{100 * done // total:3d}%" if total else ""
        self.stream.write(f"\r{label}: {done}/{total} {pct}")
        if done >= total:
            self.stream.write("\n")
            self._label = ""
        self.stream.flush()


def make_progress(force: bool = False, stream: TextIO | None = None) -> ProgressFn | None:
    """A progress reporter when stderr is a terminal or ``force`` is set, else None."""
    s = stream or sys.stderr
    if force or s.isatty():
        return Progress(s)
    return None
