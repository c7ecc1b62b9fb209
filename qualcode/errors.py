"""One exception hierarchy; every error a user can cause maps to a one-line message and an exit code.

The CLI catches :class:`QualcodeError` and prints ``str(err)``; it never shows a traceback for these.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(QualcodeError):
    """A file the user gave cannot be read or understood."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}", hint=hint)


class CodebookError(InputError):
    """A codebook failed validation. ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: list[CodebookProblem], path: str | None = None) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        more = (
            f" (and {len(problems) - 1} more problem(s); run 'qualcode codebook validate')" if len(problems) > 1 else ""
        )
        msg = first.message if first else "invalid codebook"
        line = first.line if first else None
        super().__init__(msg + more, path=path or (first.path if first else None), line=line)


class CodebookProblem:
    """One validation problem: where it is and what to do about it."""

    __slots__ = ("path", "line", "message")

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path or "<codebook>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message}


class ProjectError(QualcodeError):
    """The project folder is missing, not a project, or from a newer qualcode."""


class NotFoundError(QualcodeError):
    """A segment, code, coding, transcript, finding ... the user named does not exist."""


class ConflictError(QualcodeError):
    """The action would contradict the project's state (e.g. the coding already exists)."""


class AuditFailed(QualcodeError):
    """Not a crash: the audit found errors. Exit status 1 so scripts can gate on it."""

    exit_code = 1
