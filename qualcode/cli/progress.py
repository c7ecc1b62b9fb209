"""Progress of long commands on stderr: a bar on a terminal, nothing when stderr is piped or --json was asked for
(so pipes and scripts stay clean), plain lines with --progress when stderr is not a terminal (a log file).

The core only calls a :data:`qualcode.model.ProgressFn` (``progress(label, done, total)``), most often before each
item (``done`` items are behind it); how it is drawn is the command line's business. A step is complete when the next
one starts, and the last one when the command succeeds, so a log never ends on "199/200" for work that was all done.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from qualcode.model import ProgressFn


class LineProgress:
    """A callable ``(label, done, total)`` that redraws one status line at most ten times a second."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._label = ""
        self._total = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        new = label != self._label
        if new and self._label:
            self.finish()  # the step before is done
        self._label, self._total = label, total
        if not new and done < total and now - self._last < 0.1:
            return
        self._last = now
        self._draw(done, total)

    def _draw(self, done: int, total: int) -> None:
        pct = f"{100 * done // total:3d}%" if total else ""
        self.stream.write(f"\r{self._label}: {done}/{total} {pct}")
        if done >= total:
            self.stream.write("\n")
            self._label = ""
        self.stream.flush()

    def finish(self) -> None:
        """The current step is complete (its last item done, or the next step begun)."""
        if self._label:
            self._draw(self._total, self._total)

    def close(self) -> None:
        if self._label:
            self.stream.write("\n")
            self.stream.flush()
            self._label = ""


class BarProgress:
    """A callable ``(label, done, total)`` drawing one rich progress bar per label on a terminal; the bars go away
    when the command ends (the result is what stays on screen)."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=Console(file=stream), transient=True)
        self._tasks: dict[str, Any] = {}
        self._progress.start()

    def __call__(self, label: str, done: int, total: int) -> None:
        task = self._tasks.get(label)
        if task is None:
            for other in self._tasks.values():  # a new step: the ones before it are done
                self._progress.update(other, completed=self._progress.tasks[other].total)
            task = self._tasks[label] = self._progress.add_task(label, total=total)
        self._progress.update(task, completed=done, total=total)

    def finish(self) -> None:
        """Every step is complete (the command succeeded)."""
        for task in self._tasks.values():
            self._progress.update(task, completed=self._progress.tasks[task].total)

    def close(self) -> None:
        self._progress.stop()


@contextlib.contextmanager
def progress_for(args: argparse.Namespace, stream: TextIO | None = None) -> Iterator[ProgressFn | None]:
    """The progress reporter for a command: a bar when ``stream`` (stderr) is a terminal and no --json was asked,
    plain lines with --progress when it is not, else None (the core then reports nothing). The last step is shown
    complete when the command succeeds, and left where it stopped when it fails."""
    out = stream or sys.stderr
    forced = bool(getattr(args, "progress", False))
    reporter: LineProgress | BarProgress | None = None
    if out.isatty() and (forced or not getattr(args, "json", False)):
        reporter = BarProgress(out)
    elif forced:
        reporter = LineProgress(out)
    succeeded = False
    try:
        yield reporter
        succeeded = True
    finally:
        if reporter is not None:
            if succeeded:
                reporter.finish()
            reporter.close()
