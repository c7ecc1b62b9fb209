"""Online, consistent backups of a project (SQLite's backup API) and restoring one into a new folder.

A backup is taken while other qualcode processes keep coding: the backup API copies a consistent snapshot of the
database. It is written to a temporary file, checked with ``PRAGMA integrity_check`` and only then renamed to its
final name, so a crash during a backup never leaves a half-written file that looks like a backup.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import ConflictError, InputError, ProjectError, QualcodeError
from qualcode.safeio.database import check_foreign_database
from qualcode.store import DB_NAME, Project

BACKUP_DIR = "backups"


def default_backup_path(project: Project, folder: Path | None = None) -> Path:
    """A new time-stamped file name (UTC) in ``folder`` (default: the project's backups/ folder)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = folder or project.path / BACKUP_DIR
    path = base / f"qualcode-{stamp}.db"
    n = 2
    while path.exists():  # two backups within one second
        path = base / f"qualcode-{stamp}-{n}.db"
        n += 1
    return path


def backup_project(project: Project, dest: str | Path | None = None, *, force: bool = False) -> dict[str, Any]:
    """Copy the open project into ``dest``: a file (``.db``), or a folder (existing, or a name without an extension)
    to put a time-stamped file in.

    Default: ``<project>/backups/qualcode-YYYYmmdd-HHMMSS.db``. Returns the path, size and counts of the copy.
    """
    target = Path(dest) if dest is not None else default_backup_path(project)
    if target.is_dir() or (dest is not None and not target.suffix):  # "backups/" or "D:/safe": a folder
        target = default_backup_path(project, target)
    if target.resolve() == (project.path / DB_NAME).resolve():
        raise QualcodeError("a backup cannot overwrite the project's own database", hint="choose another file")
    if target.exists() and not force:
        raise ConflictError(f"{target} already exists", hint="choose another file or pass --force")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the folder ({err.strerror or err})", path=str(target.parent)) from None
    from qualcode.safeio.output import atomic_output

    try:
        # written beside the target and renamed when checked: a failed backup never replaces a good one
        with atomic_output(target, what="backup") as tmp:
            dst = sqlite3.connect(tmp)
            try:
                with project._lock:  # not inside another of this connection's transactions
                    # one step: a read snapshot of the WAL database, so writers in other processes neither wait nor
                    # restart it
                    project.db.backup(dst)
                # a backup is one self-contained file: no -wal/-shm companions to forget when copying it
                dst.execute("PRAGMA journal_mode = DELETE")
                check = dst.execute("PRAGMA integrity_check").fetchone()[0]
                counts = _counts(dst)
            finally:
                dst.close()
            if check != "ok":
                raise ProjectError(f"the backup failed its integrity check ({check})", hint="run 'qualcode doctor'")
    except sqlite3.Error as err:
        raise QualcodeError(f"the backup could not be written ({err})", hint="check free disk space") from None
    return {"path": str(target), "bytes": target.stat().st_size, "integrity": "ok", **counts}


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    out = {}
    for table in ("transcripts", "codings", "memos", "events"):
        try:
            out[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.Error:
            out[table] = 0
    try:  # desk-review documents share the transcripts table (schema 7 on); count them apart
        docs = int(conn.execute("SELECT count(*) FROM transcripts WHERE kind = 'document'").fetchone()[0])
        out["transcripts"] -= docs
        out["documents"] = docs
    except sqlite3.Error:  # an older schema has no documents
        out["documents"] = 0
    return out


def restore_backup(backup: str | Path, dest: str | Path) -> dict[str, Any]:
    """Create a new project folder ``dest`` from a backup file (an existing project is never overwritten)."""
    src = Path(backup)
    target = Path(dest)
    if not src.is_file():
        raise InputError("no such backup file", path=str(src))
    if (target / DB_NAME).exists():
        raise ConflictError(f"{target} already holds a project",
                            hint="restore into a new folder, then compare or replace it yourself")
    try:
        conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        has_schema = conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone()
    except sqlite3.DatabaseError:
        raise InputError("is not a qualcode backup", path=str(src)) from None
    if check != "ok" or not has_schema:
        conn.close()
        raise InputError("is damaged or not a qualcode backup", path=str(src), hint="try an older backup")
    try:
        # a restored project runs whatever the file defines on every later write: only qualcode's own schema
        check_foreign_database(src, what="backup")
    except QualcodeError:
        conn.close()
        raise
    target.mkdir(parents=True, exist_ok=True)
    out = sqlite3.connect(target / DB_NAME)
    try:
        conn.backup(out)
    finally:
        conn.close()
        out.close()
    with Project.open(target) as project:
        from qualcode.teams import project_status

        status = project_status(project)
    return {"path": str(target), "from": str(src), **status}
