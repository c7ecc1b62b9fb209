"""A project database from someone else (a colleague's project to merge, a backup to restore) is checked before
qualcode opens it as a project.

SQLite runs what a database file defines: a view or a trigger in place of one of qualcode's tables, or a generated
column, executes when the table is read or written, and could loop for hours, fill the disk or (in a restored
project) quietly change the user's codings afterwards. Only a file whose schema is exactly what qualcode's own
migrations create is accepted.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from qualcode.errors import ProjectError

_QUOTES = str.maketrans("", "", "\"`[]")


def _norm(sql: str | None) -> str:
    # SQLite versions differ in how they quote a renamed table's name and keep the statement's layout
    return " ".join((sql or "").translate(_QUOTES).lower().split())


@functools.lru_cache(maxsize=16)
def expected_schema(version: int) -> frozenset[tuple[str, str, str]]:
    """``(type, name, sql)`` of every object qualcode's migrations up to ``version`` create."""
    from qualcode.store import _migrations, _split_sql

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "applied TEXT NOT NULL)")
        for number, _name, sql in _migrations():
            if number > version:
                break
            for statement in _split_sql(sql):
                conn.execute(statement)
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    return frozenset((t, n, _norm(s)) for t, n, s in rows if not n.startswith("sqlite_"))


def dirty_columns(conn: sqlite3.Connection, *, skip: tuple[str, ...] = ("events", "_migrations")) -> dict[str, int]:
    """``{"table.column": rows}`` for every text column holding a control or non-character (raw, or escaped in
    JSON) that qualcode removes at import. The event log is history, not shown as data, and is skipped."""
    from qualcode.safeio.cleaning import has_bad

    found: dict[str, int] = {}
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if not r[0].startswith("sqlite_") and r[0] not in skip]
    for table in tables:
        columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
        for column in columns:
            n = 0
            for (value,) in conn.execute(f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''):
                if has_bad(value):
                    n += 1
            if n:
                found[f"{table}.{column}"] = n
    return found


def check_foreign_database(path: str | Path, *, what: str = "project") -> None:
    """Refuse (one line) a database whose schema holds anything qualcode's migrations do not create, or whose text
    holds control or non-characters (which every import removes). A database written by a newer qualcode is left
    for :meth:`Project.open` to refuse with its own message."""
    p = Path(path)
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError, ValueError):
        raise ProjectError(f"{p} cannot be opened as a qualcode {what}") from None
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        applied = conn.execute("SELECT max(id) FROM _migrations").fetchone()[0] \
            if any(r[1] == "_migrations" and r[0] == "table" for r in rows) else None
        if not _schema_is_ours(p, rows, applied, what):
            return  # written by a newer qualcode: Project.open says so
        dirty = dirty_columns(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as err:
        raise ProjectError(f"{p}: its database is damaged ({type(err).__name__})",
                           hint="ask for a fresh copy, or run 'qualcode doctor' on it") from None
    finally:
        conn.close()
    if dirty:
        shown = ", ".join(f"{n} in {where}" for where, n in list(dirty.items())[:3])
        raise ProjectError(f"{p} holds control or non-characters ({shown}), which qualcode removes from everything "
                           "it imports; it was not used", hint=f"run 'qualcode doctor' on that {what}: it says where "
                           "they are and how to remove them; then try again")


def _schema_is_ours(p: Path, rows: list[tuple[str, str, str]], applied: object, what: str) -> bool:
    """True when the schema is exactly qualcode's at the file's version; False for a newer qualcode's file; raises
    for anything else."""
    from qualcode.store import _migrations

    if not isinstance(applied, int):
        raise ProjectError(f"{p} is not a qualcode {what} (it has no schema history)",
                           hint="ask for a fresh copy made by qualcode")
    known = _migrations()
    if applied > (known[-1][0] if known else 0):
        return False
    expected = expected_schema(applied)
    foreign = sorted(n for t, n, s in rows if not n.startswith("sqlite_") and (t, n, _norm(s)) not in expected)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise ProjectError(f"{p} holds database objects qualcode does not create ({shown}); it was not opened, "
                           "since SQLite would run them", hint="ask for a fresh copy made by qualcode (a backup or "
                           "the project folder as qualcode left it)")
    return True
