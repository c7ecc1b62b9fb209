"""Every file qualcode writes goes through here: written whole or not at all, and never over a file the user did not
agree to replace.

- :func:`claim_output` is called *before* the work (so nobody waits a minute to be told the file exists): the target
  must not be a folder, its folder is created, and an existing file is replaced only with ``force`` or when
  ``confirm(path)`` (a prompt in a terminal) says yes; otherwise :class:`OutputExists`, exit status 2.
- :func:`atomic_output` hands the writer a temporary file in the same folder (so the final rename is atomic on the
  same file system) and renames it over the target only when the writer returned; on any failure (a full disk, a
  file-size limit, a bug half-way) the temporary file is removed and the previous file is left as it was.
- :func:`write_bytes` and :func:`write_text` do both steps for writers that have their whole output in memory.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from qualcode.errors import QualcodeError

Confirm = Callable[[Path], bool]
PART_SUFFIX = ".part"


class OutputExists(QualcodeError):
    """The file to write exists and the user did not agree to replace it."""

    def __init__(self, path: Path, *, what: str = "file") -> None:
        super().__init__(f"{path} already exists", hint=f"pass --force to replace the {what}, or choose another name")
        self.path = path


def output_error(path: str | Path, err: OSError, *, what: str = "file") -> QualcodeError:
    """A one-line error for an output file that cannot be written (a folder, read-only, a full disk, too large...)."""
    import errno

    p = Path(path)
    if isinstance(err, IsADirectoryError) or p.is_dir():
        return QualcodeError(f"cannot write {p}: it is a folder", hint=f"give the name of a {what} to write")
    if isinstance(err, PermissionError):
        return QualcodeError(f"cannot write {p} (permission denied)",
                             hint="choose a folder you may write to, or close the file if another program has it open")
    if isinstance(err, FileNotFoundError):
        return QualcodeError(f"cannot write {p}: its folder does not exist", hint="create the folder first")
    if err.errno == errno.ENOSPC:
        return QualcodeError(f"cannot write {p}: the disk is full; the previous file, if any, is unchanged",
                             hint="free some space and run the command again")
    if err.errno == errno.EFBIG:
        return QualcodeError(f"cannot write {p}: the file grew past the size this system allows; the previous file,"
                             " if any, is unchanged", hint="write fewer criteria at a time (--criterion) or raise the"
                                                           " limit (ulimit -f)")
    return QualcodeError(f"cannot write {p} ({err.strerror or err}); the previous file, if any, is unchanged",
                         hint="choose another place")


def claim_output(path: str | Path, *, force: bool = False, confirm: Confirm | None = None,
                 what: str = "file") -> Path:
    """Check that ``path`` may be written, before any work is done; create its folder. Returns the path.

    An existing file may be replaced only with ``force`` or when ``confirm(path)`` returns True (front ends pass a
    prompt when they run in a terminal); otherwise :class:`OutputExists` (exit status 2, with a hint).
    """
    p = Path(path)
    if p.is_dir():
        raise output_error(p, IsADirectoryError(), what=what)
    if p.exists() or p.is_symlink():
        if not p.is_file():
            raise QualcodeError(f"cannot write {p}: it is not a regular file", hint="choose another name")
        if not force and not (confirm is not None and confirm(p)):
            raise OutputExists(p, what=what)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise QualcodeError(f"cannot write {p}: {p.parent} is a file, not a folder",
                            hint="choose another folder") from None
    except OSError as err:
        raise output_error(p.parent, err, what="folder") from None
    return p


def claim_outputs(paths: Iterable[str | Path], *, force: bool = False, confirm: Confirm | None = None,
                  what: str = "file") -> list[Path]:
    """:func:`claim_output` for several files written by one command: all are checked before any is written, so a
    refusal leaves every one of them as it was."""
    targets = [Path(p) for p in paths]
    existing = [p for p in targets if p.is_file()]
    if existing and not force and not (confirm is not None and all(confirm(p) for p in existing)):
        raise OutputExists(existing[0], what=what)
    return [claim_output(p, force=True, what=what) for p in targets]


def _mode_for(target: Path) -> int:
    """The permissions the new file gets: those of the file it replaces, else the usual ones under the umask (a
    temporary file is created private, which a report meant for sharing should not stay)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(path: str | Path, *, what: str = "file") -> Iterator[Path]:
    """A temporary path beside ``path`` (its folder made if needed) for the writer to fill; renamed over ``path``
    when the block ends normally.

    On any exception the temporary file is removed and ``path`` is untouched; an OSError becomes a one-line
    :class:`QualcodeError` (a full disk, a file-size limit, permission denied); other exceptions propagate as they
    are. Call :func:`claim_output` first: this does not ask whether ``path`` may be replaced.
    """
    target = Path(path)
    if target.is_dir():
        raise output_error(target, IsADirectoryError(), what=what)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX, dir=target.parent)
    except FileExistsError:
        raise QualcodeError(f"cannot write {target}: {target.parent} is a file, not a folder",
                            hint="choose another folder") from None
    except OSError as err:
        raise output_error(target, err, what=what) from None
    os.close(fd)
    tmp = Path(name)
    done = False
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        done = True
    except OSError as err:
        raise output_error(target, err, what=what) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_bytes(path: str | Path, data: bytes, *, what: str = "file") -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path, what=what) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def write_text(path: str | Path, text: str, *, what: str = "file", encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    write_bytes(path, text.encode(encoding), what=what)


def leftover_parts(folder: str | Path) -> list[Path]:
    """Temporary files a writer left in ``folder`` (none unless a process was killed mid-write)."""
    return sorted(p for p in Path(folder).glob(f".*{PART_SUFFIX}") if p.is_file())
