"""Helpers for the fuzz tests: byte mutations, project snapshots, and running the CLI in-process."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from qualcode.store import DB_NAME

OPS = st.lists(
    st.tuples(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "nul"]),
              st.floats(0, 1, allow_nan=False), st.binary(min_size=1, max_size=24)),
    min_size=1, max_size=4)


def mutate(data: bytes, ops: list[tuple[str, float, bytes]]) -> bytes:
    """Damage ``data`` the way files get damaged: cut short, bytes flipped, junk inserted, pieces lost or doubled."""
    out = bytearray(data)
    for kind, where, payload in ops:
        pos = int(where * len(out))
        if kind == "truncate":
            del out[pos:]
        elif kind == "flip" and out:
            for k, b in enumerate(payload):
                out[(pos + k) % len(out)] ^= b or 0xFF
        elif kind == "insert":
            out[pos:pos] = payload
        elif kind == "delete":
            del out[pos:pos + len(payload) * 8]
        elif kind == "duplicate":
            out[pos:pos] = out[pos:pos + 64]
        elif kind == "nul":
            out[pos:pos] = b"\x00" * len(payload)
    return bytes(out)


def snapshot(project_dir: Path) -> str:
    """A fingerprint of everything in the project's database (the whole SQL dump)."""
    conn = sqlite3.connect(project_dir / DB_NAME)
    try:
        h = hashlib.sha256()
        for line in conn.iterdump():
            h.update(line.encode("utf-8", "surrogatepass"))
        return h.hexdigest()
    finally:
        conn.close()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from qualcode.cli import main

    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code: int, err: str, *, what: Any = "") -> None:
    """Exit 2 and exactly one line on stderr that is a qualcode error, not a traceback or an internal error."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, f"{what}: exit {code}, stderr {err!r}"
    assert len(lines) == 1, f"{what}: expected one line, got {err!r}"
    assert lines[0].startswith("qualcode: error: "), f"{what}: {err!r}"
    assert "Traceback" not in err and "internal error" not in err
