"""Reading a user's text file (YAML, CSV, ...) with the one-line errors every reader gives."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError


def read_user_text(path: str | Path, *, hint: str = "save it as UTF-8") -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or InputError naming the file."""
    p = Path(path)
    try:
        return p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", path=str(p), hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=str(p)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", path=str(p)) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=str(p), hint=hint) from None
