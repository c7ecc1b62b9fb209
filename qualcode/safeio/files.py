"""Reading the files users give, within the file-size bound, with the same one-line errors everywhere (writing is
:mod:`qualcode.safeio.output`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from qualcode.errors import InputError
from qualcode.safeio.limits import ENV_MAX_INPUT, human_size, limits, too_many_lines
from qualcode.safeio.output import output_error

__all__ = ["check_lines", "check_size", "is_zip", "output_error", "read_input", "too_big"]

# how a ZIP archive (a .docx, an .xlsx, a .qdpx) starts: a file's local header; or the end record of an empty
# archive, or the data descriptor of a split one. zipfile opens an archive behind any of them (it reads from the
# end), so each must go where archives are checked, never where text is read.
_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def is_zip(data: bytes | str | Path) -> bool:
    """Whether bytes (or the file at a path: its first four bytes; False when it cannot be read) start as a ZIP
    archive: the one test every reader of a file that may be an archive asks, so that all of them check its
    entries within the archive bounds."""
    if not isinstance(data, bytes):
        try:
            with open(data, "rb") as fh:
                data = fh.read(4)
        except OSError:
            return False
    return data.startswith(_ZIP_STARTS)


def too_big(name: str, size: int, *, what: str = "file", bound: int | None = None) -> InputError:
    """The refusal for input over the file-size bound."""
    bound = bound or limits().max_input
    return InputError(
        f"this {what} is {human_size(size)}; qualcode reads at most {human_size(bound)} per file",
        path=name,
        hint=f"split it into smaller files, or set {ENV_MAX_INPUT} to a larger number of megabytes",
    )


def check_size(data: bytes | str, name: str, *, what: str = "file") -> None:
    """Refuse bytes (or decoded text) over the file-size bound."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits().max_input:
        raise too_big(name, size, what=what)


def check_lines(text: str, name: str, *, what: str = "file") -> None:
    """Refuse decoded text with more lines than the bound: readers keep a record per line, so a file of short lines
    within the size bound could still cost gigabytes."""
    bound = limits().max_lines
    if text.count("\n") > bound:
        raise too_many_lines(name, bound, what=what)


def read_input(path: str | Path, *, what: str = "file", hint: str | None = None, limit: int | None = None,
               zip_limit: int | None = None) -> bytes:
    """The bytes of a file a user gave, or one-line InputError: missing, a folder, not a regular file (a pipe or a
    device would block or never end), unreadable, or over the bound.

    The size is checked before reading, so an oversized file costs no memory; it is read with a cap too, for files
    that grow while being read. ``limit`` replaces the file-size bound; ``zip_limit`` applies instead when the file
    is a ZIP archive (a .docx with pictures), whose contents are bounded separately.
    """
    p = Path(path)
    bound = limit or limits().max_input
    try:
        st = os.stat(p)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"is not a regular file (a device, pipe or socket), not a {what}", path=str(p))
        with open(p, "rb") as fh:
            if zip_limit is not None and is_zip(fh.read(4)):
                bound = zip_limit
            fh.seek(0)
            if st.st_size > bound:
                raise too_big(str(p), st.st_size, what=what, bound=bound)
            data = _read_capped(fh, st.st_size, bound)
    except FileNotFoundError:
        raise InputError("no such file", path=str(p), hint=hint or "check the path and the file name") from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", path=str(p)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", path=str(p),
                         hint="check that you may read this file") from None
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror or err})", path=str(p)) from None
    if len(data) > bound:
        raise too_big(str(p), len(data), what=what, bound=bound)
    return data


def _read_capped(fh: BinaryIO, expected: int, bound: int) -> bytes:
    # read(n) reserves n bytes up front: ask for what the file says it holds, then in steps if it grew meanwhile
    data = fh.read(min(expected, bound) + 1)
    if len(data) <= expected:
        return data
    parts = [data]
    total = len(data)
    while total <= bound:
        chunk = fh.read(1024 * 1024)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)
