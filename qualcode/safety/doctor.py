"""``qualcode doctor``: is this project healthy? Integrity, orphans, migrations, the event log, pending reviews.

The checks read the database directly (a damaged project may not open as a :class:`Project`), never change it
unless asked to (``fix=True`` applies pending migrations and checkpoints the write-ahead log), and return plain
data: one row per check with a status (``ok``, ``warning``, ``error``), what was found and what to do.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from qualcode.store import DB_NAME, _migrations


def _check(name: str, status: str, detail: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"check": name, "status": status, "detail": detail, "hint": hint, **extra}


def run_doctor(path: str | Path, *, fix: bool = False) -> dict[str, Any]:
    """Check the project in folder ``path``. Returns ``{"project", "checks": [...], "errors", "warnings"}``."""
    folder = Path(path)
    db_path = folder / DB_NAME
    checks: list[dict[str, Any]] = []
    if not db_path.exists():
        checks.append(_check("project", "error", f"no qualcode project in {folder}",
                             "pass -p DIR, or restore a backup with 'qualcode restore'"))
        return _summary(folder, checks)
    try:
        conn = sqlite3.connect(db_path, timeout=60, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as err:
        checks.append(_check("integrity", "error", f"the database cannot be read ({err})",
                             "restore the latest backup with 'qualcode restore BACKUP NEWDIR'"))
        return _summary(folder, checks)
    try:
        if integrity == ["ok"]:
            checks.append(_check("integrity", "ok", "SQLite integrity check passed"))
        else:
            checks.append(_check("integrity", "error", "; ".join(integrity[:3]),
                                 "restore the latest backup with 'qualcode restore BACKUP NEWDIR'"))
            return _summary(folder, checks)
        checks.append(_migration_check(conn, folder, fix))
        if not _has_tables(conn, "codings", "segments", "transcripts", "events"):
            checks.append(_check("schema", "error", "the project's tables are missing",
                                 "open it once with a qualcode command to create them, or restore a backup"))
            return _summary(folder, checks)
        checks.append(_foreign_keys(conn))
        checks.extend(_orphans(conn))
        checks.append(_offsets(conn))
        checks.append(_characters(conn))
        checks.extend(_import_warnings(conn))
        checks.append(_event_log(conn))
        checks.append(_reviews(conn))
        checks.append(_wal(conn, db_path, fix))
        checks.append(_suggestion_engine())
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
    return _summary(folder, checks)


def _summary(folder: Path, checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "project": str(folder),
        "checks": checks,
        "errors": sum(c["status"] == "error" for c in checks),
        "warnings": sum(c["status"] == "warning" for c in checks),
    }


def _has_tables(conn: sqlite3.Connection, *names: str) -> bool:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return set(names) <= have


def _migration_check(conn: sqlite3.Connection, folder: Path, fix: bool) -> dict[str, Any]:
    known = {n: name for n, name, _ in _migrations()}
    applied: dict[int, str] = {}
    if _has_tables(conn, "_migrations"):
        applied = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, name FROM _migrations")}
    newer = sorted(set(applied) - set(known))
    pending = sorted(set(known) - set(applied))
    if newer:
        return _check("migrations", "error", f"written by a newer qualcode (schema {max(newer)})", "upgrade qualcode",
                      applied=sorted(applied), pending=[])
    if pending and fix:
        from qualcode.store import Project

        Project.open(folder).close()  # opening applies the pending migrations, each in its own transaction
        return _check("migrations", "ok", f"applied {', '.join(known[n] for n in pending)}",
                      applied=sorted(known), pending=[])
    if pending:
        return _check("migrations", "warning", f"{len(pending)} pending: {', '.join(known[n] for n in pending)}",
                      "they are applied the next time the project is opened (or run 'qualcode doctor --fix')",
                      applied=sorted(applied), pending=pending)
    return _check("migrations", "ok", f"schema {max(applied) if applied else 0} is current",
                  applied=sorted(applied), pending=[])


def _foreign_keys(conn: sqlite3.Connection) -> dict[str, Any]:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return _check("references", "ok", "every reference points to an existing row")
    tables: dict[str, int] = {}
    for r in rows:
        tables[r[0]] = tables.get(r[0], 0) + 1
    detail = ", ".join(f"{n} in {t}" for t, n in sorted(tables.items()))
    return _check("references", "error", f"broken references: {detail}", "restore the latest backup",
                  count=len(rows))


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _orphans(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    out = []
    stale = _count(conn, """
        SELECT count(*) FROM codings c JOIN segments s ON s.id = c.segment_id
        JOIN transcripts t ON t.id = s.transcript_id
        WHERE s.version != t.current_version AND c.status != 'needs_review'""")
    if stale:
        out.append(_check("orphan codings", "error",
                          f"{stale} coding(s) on an old transcript version without a review flag",
                          "they are not shown anywhere; re-import the transcript or restore a backup", count=stale))
    else:
        out.append(_check("orphan codings", "ok", "every coding is on a current unit or flagged for review"))
    removed = _count(conn, "SELECT count(*) FROM codings c JOIN codes k ON k.id = c.code_id WHERE k.active = 0")
    if removed:
        out.append(_check("removed codes", "warning", f"{removed} coding(s) use codes no longer in the codebook",
                          "recode them or put the codes back with 'qualcode codebook set'", count=removed))
    memo_targets = {
        "segment": "SELECT 1 FROM segments WHERE id = CAST(m.target_id AS INTEGER)",
        "coding": "SELECT 1 FROM codings WHERE id = CAST(m.target_id AS INTEGER)",
        "code": "SELECT 1 FROM codes WHERE id = m.target_id",
        "transcript": "SELECT 1 FROM transcripts WHERE id = m.target_id",
        "case": "SELECT 1 FROM cases WHERE id = m.target_id",
    }
    lost = 0
    for kind, exists in memo_targets.items():
        lost += _count(conn, f"SELECT count(*) FROM memos m WHERE m.target_type = '{kind}' AND NOT EXISTS ({exists})")
    if lost:
        out.append(_check("orphan memos", "warning", f"{lost} memo(s) point to something that no longer exists",
                          "list them with 'qualcode memo list' and copy what you need", count=lost))
    unmapped = _count(conn, "SELECT count(*) FROM speakers WHERE role = 'unknown'")
    if unmapped:
        out.append(_check("speakers", "warning", f"{unmapped} speaker label(s) not linked to an informant",
                          "add them to the case sheet and run 'qualcode import --cases FILE'", count=unmapped))
    return out


def _import_warnings(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """What the import report warned about, for the transcripts as they are now (roles corrected since count)."""
    if not _has_tables(conn, "speakers", "cases") or "assigned_by" not in {
            r[1] for r in conn.execute("PRAGMA table_info(speakers)")}:
        return []  # a project from before these checks: 'qualcode doctor --fix' upgrades it first
    from qualcode.importing import stored_transcript_warnings

    found = stored_transcript_warnings(conn)
    if not found:
        return [_check("import", "ok", "every transcript's speakers have roles; no layout left in the text")]
    out = []
    for tid, warnings in found.items():
        shown_as = _labels_shown(conn, tid)  # once for the transcript, not once for each of its warnings
        out += [_check("import", "warning", f"{tid}: {_without_names(shown_as, tid, w)}", None, transcript=tid)
                for w in warnings]
    return out


def _labels_shown(conn: sqlite3.Connection, tid: str) -> dict[str, str]:
    """Each speaker label of the transcript as listings show it without --show-names: a label that names someone
    ('Nguyen Van Minh') as '[informant KII-03]' or '[speaker 1]'; placeholders and roles ('Speaker 1', 'P2',
    'Interviewer') as they are."""
    from qualcode.safety.privacy import shown_speaker

    rows = conn.execute("SELECT label, role, case_id FROM speakers WHERE transcript_id = ? ORDER BY rowid",
                        (tid,)).fetchall()
    counts = {"Speaker": 0, "Interviewer": 0}
    shown_as: dict[str, str] = {}
    for label, role, case in rows:
        shown = shown_speaker({"speaker": label, "role": role, "case": case}) or label
        if shown in counts:  # a name without a case: one placeholder each, so two speakers stay two
            counts[shown] += 1
            shown = f"[{shown.lower()} {counts[shown]}]"
        shown_as[label] = shown
    return shown_as


def _without_names(shown_as: dict[str, str], tid: str, warning: str) -> str:
    """A warning as the doctor shows it: the labels that name someone as listings show them (``shown_as``), with
    where to see the labels."""
    hidden = False
    for label in sorted(shown_as, key=len, reverse=True):
        shown = shown_as[label]
        if shown != label and f"'{label}'" in warning:
            warning = warning.replace(f"'{label}'", f"'{shown}'")
            hidden = True
    if hidden:
        warning += f" (the labels, which name people: qualcode transcripts speakers {tid})"
    return warning


def _characters(conn: sqlite3.Connection) -> dict[str, Any]:
    """Control and non-characters are removed at import and wherever text is typed; a project made by an older
    qualcode may still hold some (shown as U+FFFD in the terminal; a merge or restore of it is refused)."""
    from qualcode.safeio.database import dirty_columns

    found = dirty_columns(conn)
    if found:
        listed = ", ".join(f"{where} ({n})" for where, n in found.items())
        return _check("characters", "warning", f"control or non-characters in {listed}, from an older qualcode",
                      "import those transcripts again (the import removes them) and edit those memos, names or "
                      "attributes", count=sum(found.values()))
    return _check("characters", "ok", "no control or non-characters in the project's text")


def _offsets(conn: sqlite3.Connection) -> dict[str, Any]:
    """Each unit's text must be exactly its slice of the stored transcript (what quotes and exports rely on), inside
    the text (a negative start or an end past the text would slice something else), and within the unit-length
    bound (spaCy and the suggester read units whole)."""
    from qualcode.safeio.limits import limits

    bad = outside = long = 0
    bound = limits().max_unit_chars
    versions: dict[tuple[str, int], str] = {}
    for r in conn.execute("SELECT transcript_id, version, start, end, text FROM segments"):
        key = (r[0], r[1])
        if key not in versions:
            row = conn.execute("SELECT text FROM transcript_versions WHERE transcript_id = ? AND version = ?",
                               key).fetchone()
            versions[key] = row[0] if row else ""
        start, end = r[2], r[3]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(versions[key])):
            outside += 1
        elif versions[key][start:end] != r[4]:
            bad += 1
        elif end - start > bound:
            long += 1
    if outside:
        return _check("units", "error", f"{outside} unit(s) lie outside their transcript's text (start below 0 or "
                      "end past the end)", "restore the latest backup, or import the transcript again", count=outside)
    if bad:
        return _check("units", "error", f"{bad} unit(s) do not match their transcript text",
                      "restore the latest backup", count=bad)
    if long:
        return _check("units", "warning", f"{long} unit(s) longer than {bound:,} characters (from an older "
                      "qualcode); suggestions may fail on them", "import the transcript again: it is cut into "
                      "shorter units and the codings are re-anchored", count=long)
    return _check("units", "ok", "every unit matches its transcript text")


def _event_log(conn: sqlite3.Connection) -> dict[str, Any]:
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    if not {"events_append_only_update", "events_append_only_delete"} <= triggers:
        return _check("event log", "error", "the event log is no longer protected against changes",
                      "restore the latest backup")
    # IN (subquery) lets SQLite build a temporary index: linear in codings + events
    missing = _count(conn, """
        SELECT count(*) FROM codings WHERE CAST(id AS TEXT) NOT IN (
            SELECT entity_id FROM events WHERE entity = 'coding' AND entity_id IS NOT NULL)""")
    events = _count(conn, "SELECT count(*) FROM events")
    if missing:
        return _check("event log", "warning", f"{missing} coding(s) have no entry in the event log",
                      "the audit trail cannot say who made them; check their source", count=missing)
    return _check("event log", "ok", f"{events} events, append-only, every coding traceable", count=events)


def _reviews(conn: sqlite3.Connection) -> dict[str, Any]:
    n = _count(conn, "SELECT count(*) FROM codings WHERE status = 'needs_review'")
    if n:
        return _check("reviews", "warning", f"{n} coding(s) flagged after a transcript was re-imported",
                      "see 'qualcode reanchor list' and place them with 'qualcode reanchor place'", count=n)
    return _check("reviews", "ok", "no codings waiting for review")


def _suggestion_engine() -> dict[str, Any]:
    """What the suggestions run on here: the word vectors shipped with qualcode, and the spaCy pipeline (as the
    engine itself loads them)."""
    from qualcode.nlp.text import get_pipeline
    from qualcode.nlp.vectors import piece_vectors, vectors_problem

    name = get_pipeline().name
    blank = "spaCy's blank English pipeline"
    pipeline = f"{name.removesuffix('-lemma')} (lemmas)" if name.endswith("-lemma") else blank
    pv = piece_vectors()
    if pv is None:
        return _check("suggestions", "warning", f"word vectors unreadable or missing ({vectors_problem()});"
                      f" suggestions run on TF-IDF alone, with {pipeline}",
                      "reinstall qualcode (pip install --force-reinstall qualcode, or make clean && make test)")
    return _check("suggestions", "ok", f"word vectors loaded ({len(pv.vectors):,} word pieces); {pipeline}")


def _wal(conn: sqlite3.Connection, db_path: Path, fix: bool) -> dict[str, Any]:
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    wal = db_path.with_name(db_path.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    if fix and size:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = wal.stat().st_size if wal.exists() else 0
    if mode != "wal":
        return _check("journal", "warning", f"journal mode is {mode}, not wal",
                      "open the project once with qualcode to switch it back")
    mb = size / 1_000_000
    if mb > 64:
        return _check("journal", "warning", f"write-ahead log is {mb:.0f} MB",
                      "close other qualcode windows, then run 'qualcode doctor --fix'")
    return _check("journal", "ok", f"write-ahead logging, log {mb:.1f} MB")
