"""Reading a user's text file (YAML, CSV, ...) with the one-line errors every reader gives."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError


def read_user_text(path: str | Path, *, hint: str = "save it as UTF-8") -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or InputError naming the file: missing, a folder, not a
    regular file, over the file-size bound (``QUALCODE_MAX_INPUT_MB``) or not UTF-8."""
    from qualcode.safeio.files import read_input

    p = Path(path)
    data = read_input(p, what="file", hint="check the path")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=str(p), hint=hint) from None
