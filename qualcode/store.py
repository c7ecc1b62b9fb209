"""The project store: one SQLite database (WAL, foreign keys on) in a project folder.

Every user action is one transaction (:meth:`Project.transaction`) and appends to the event log, which is what the
audit trail and undo/redo read. Transcripts are immutable once imported: a changed file becomes a new version.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

from qualcode.errors import CodebookError, CodebookProblem, ConflictError, NotFoundError, ProjectError, QualcodeError
from qualcode.model import (
    Code,
    Codebook,
    CodebookReport,
    Coding,
    CodingState,
    Decision,
    ListedCoding,
    Memo,
    ParsedTranscript,
    ProjectStatus,
    Segment,
)
from qualcode.safeio.cleaning import clean, clean_line

DB_NAME = "qualcode.db"
# Logged per coder where undo must stop: what came before (the bundled example's own construction) is not theirs.
HISTORY_START = "history.start"
# The actions a coder's undo/redo takes back. Codings that arrive by import (coding.import) or merge (coding.merge)
# are logged under their own actions and are not here: they are not the coder's own work.
UNDOABLE = {
    "coding.add",
    "coding.remove",
    "coding.update",
    "memo.set",
    "finding.add",
    "finding.update",
    "finding.remove",
    "finding.link",
    "finding.unlink",
    "mark.set",
    "suggestion.accept",
    "suggestion.reject",
    "speaker.role",
    "transcript.record",
    "transcript.remove",
    "transcript.done",
    "transcript.undone",
    "sample.add",
    "sample.remove",
}
RECORDS = ("verbatim", "notes")
ROLES = ("interviewer", "informant", "unknown")
# The marks a coder can put on a unit instead of coding it.
MARKS = ("not_codable", "skipped")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_name(path: str) -> str:
    """The last part of a path as any operating system writes it ('C:\\Users\\ana\\Hoa.docx' -> 'Hoa.docx'), without
    control characters (a file name may hold any but '/'; it is shown and exported)."""
    return clean_line(re.split(r"[\\/]", str(path or ""))[-1])


def default_coder() -> str:
    """The coder name used when none is given: $QUALCODE_CODER, else the login name."""
    env = os.environ.get("QUALCODE_CODER", "").strip()
    if env:
        return env
    try:
        return getpass.getuser() or "coder"
    except Exception:  # getpass fails without a passwd entry (containers)
        return "coder"


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("qualcode.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def finite_time(seconds: float | None) -> float | None:
    """A unit's time, or None for one that is no time (infinite or NaN, as a damaged file may give): no export,
    clock or JSON listing can show it."""
    return seconds if seconds is None or math.isfinite(seconds) else None


class Project:
    """An open project. Use :meth:`create` or :meth:`open`; close with :meth:`close` or a ``with`` block."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.db = conn
        self._tx_depth = 0
        self._lock = threading.RLock()
        self._codebook_cache: tuple[str, Codebook] | None = None
        self._coder_ids: dict[str, int] = {}

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: str | Path, *, codebook: Codebook | None = None, name: str | None = None) -> Project:
        """Create a new project folder (it may exist but must not already hold a project)."""
        p = Path(path)
        if (p / DB_NAME).exists():
            raise ProjectError(f"{p} already holds a qualcode project", hint="open it with -p, or choose a new folder")
        if p.exists() and not p.is_dir():
            raise ProjectError(f"{p} is a file, not a folder")
        p.mkdir(parents=True, exist_ok=True)
        project = cls._connect(p)
        with project.transaction():
            project._set_setting("name", name or p.resolve().name)
            project._set_setting("created", now_iso())
        if codebook is not None:
            project.set_codebook(codebook, coder=default_coder())
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        p = Path(path)
        if not (p / DB_NAME).exists():
            raise ProjectError(
                f"no qualcode project in {p}",
                hint="create one with 'qualcode init DIR' or 'qualcode example DIR', or pass -p DIR",
            )
        return cls._connect(p)

    @classmethod
    def _connect(cls, p: Path) -> Project:
        try:
            conn = sqlite3.connect(p / DB_NAME, timeout=60, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 60000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ProjectError(f"cannot use write-ahead logging for {p / DB_NAME}", hint="is the folder read-only?")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            project = cls(p, conn)
            project._migrate()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as err:  # damaged file: bad pages or bad text
            with contextlib.suppress(Exception):
                conn.close()
            raise ProjectError(
                f"{p / DB_NAME} is not a readable qualcode project ({type(err).__name__}: {err})",
                hint="run 'qualcode doctor' or restore a backup",
            ) from None
        return project

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    def refresh_statistics(self) -> None:
        """Let SQLite's query planner know the tables' sizes (a bounded ``ANALYZE``: a few milliseconds at 100,000
        codings). Without them it guesses, and read a coder's codings of a few units through the index of all
        their codings: the queue's step to the next unit read 34,000 rows (10 ms) where 50 do. Run where the
        tables grow (after an import) and as the workbench starts; skipped when the database is busy."""
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA analysis_limit = 400")
            self.db.execute("ANALYZE")

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
        )
        applied = {row[0] for row in self.db.execute("SELECT id FROM _migrations")}
        known = _migrations()
        newest_known = known[-1][0] if known else 0
        if applied and max(applied) > newest_known:
            raise ProjectError(
                f"{self.path} was written by a newer qualcode (schema {max(applied)})", hint="upgrade qualcode"
            )
        for number, name, sql in known:
            if number in applied:
                continue
            try:
                self.db.execute("BEGIN IMMEDIATE")
                # re-check under the write lock: another process may have migrated meanwhile
                if self.db.execute("SELECT 1 FROM _migrations WHERE id = ?", (number,)).fetchone():
                    self.db.execute("COMMIT")
                    continue
                for statement in _split_sql(sql):
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO _migrations (id, name, applied) VALUES (?, ?, ?)", (number, name, now_iso())
                )
                self.db.execute("COMMIT")
            except sqlite3.Error as err:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                raise ProjectError(f"could not upgrade {self.path} to schema {name}: {err}") from None

    def schema_version(self) -> int:
        row = self.db.execute("SELECT max(id) FROM _migrations").fetchone()
        return int(row[0] or 0)

    # ------------------------------------------------------------------ transactions and the event log

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: BEGIN IMMEDIATE ... COMMIT (nested calls join the outer transaction)."""
        with self._lock:
            if self._tx_depth:
                self._tx_depth += 1
                try:
                    yield self.db
                finally:
                    self._tx_depth -= 1
                return
            self._begin()
            self._tx_depth = 1
            self._groups: dict[str | None, int] = {}
            try:
                yield self.db
            except BaseException:
                self._tx_depth = 0
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                self._coder_ids.clear()  # coders registered in the rolled-back transaction no longer exist
                raise
            else:
                self._tx_depth = 0
                self._commit()

    def _begin(self) -> None:
        try:
            self._retry_busy("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise QualcodeError(
                    "the project is busy: another qualcode process holds it for too long",
                    hint="close other qualcode windows and try again",
                ) from None
            raise

    def _commit(self) -> None:
        try:
            self._retry_busy("COMMIT")
        except sqlite3.OperationalError:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise

    def _retry_busy(self, statement: str, timeout: float = 120) -> None:
        """Run a statement, waiting while another process holds the write lock (beyond SQLite's busy timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.db.execute(statement)
                return
            except sqlite3.OperationalError as err:
                if ("locked" not in str(err) and "busy" not in str(err)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def log_event(
        self,
        action: str,
        entity: str,
        entity_id: Any = None,
        *,
        coder: str | None = None,
        before: Any = None,
        after: Any = None,
        undo_of: int | None = None,
    ) -> int:
        """Append to the event log (must be called inside :meth:`transaction`)."""
        if not self._tx_depth:
            raise RuntimeError("log_event outside a transaction")
        group = None
        if action in UNDOABLE or action in ("undo", "redo"):
            # one group per coder and transaction: a span coded at once is undone at once
            group = self._groups.get(coder)
            if group is None:
                group = self._groups[coder] = self.last_event_id() + 1
        cur = self.db.execute(
            "INSERT INTO events (ts, coder, action, entity, entity_id, before, after, undo_of, action_group)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                coder,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
                None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
                undo_of,
                group,
            ),
        )
        event_id = int(cur.lastrowid or 0)
        if coder is not None and (group is not None or action == HISTORY_START):
            self._history_follow(coder, {"id": event_id, "action": action, "action_group": group, "undo_of": undo_of,
                                         "after": after, "entity": entity})
        return event_id

    def events(
        self,
        *,
        since: int | None = None,
        limit: int | None = None,
        coder: str | None = None,
        entity: str | None = None,
        entity_id: str | None = None,
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events WHERE 1=1"
        args: list[Any] = []
        if since is not None:
            sql += " AND id > ?"
            args.append(since)
        if coder:
            sql += " AND coder = ?"
            args.append(coder)
        if entity:
            sql += " AND entity = ?"
            args.append(entity)
        if entity_id is not None:
            sql += " AND entity_id = ?"
            args.append(str(entity_id))
        sql += " ORDER BY id"
        if limit:
            sql = f"SELECT * FROM ({sql[: -len(' ORDER BY id')]} ORDER BY id DESC LIMIT ?) ORDER BY id"
            args.append(limit)
        out = []
        for row in self.db.execute(sql, args):
            d = dict(row)
            d["before"] = json.loads(d["before"]) if d["before"] else None
            d["after"] = json.loads(d["after"]) if d["after"] else None
            out.append(d)
        return out

    def last_event_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    # ------------------------------------------------------------------ settings and coders

    def _set_setting(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str, *, coder: str | None = None) -> None:
        with self.transaction():
            before = self.setting(key)
            self._set_setting(key, value)
            self.log_event("setting.set", "setting", key, coder=coder, before=before, after=value)

    @property
    def name(self) -> str:
        return self.setting("name") or self.path.name

    def coder_id(self, name: str) -> int:
        """The id of a coder, registering the name on first use."""
        name = clean_line(name or "").strip()  # a name typed or imported is shown everywhere: no control characters
        if not name:
            raise QualcodeError("a coder name cannot be empty", hint="pass --coder NAME")
        cached = self._coder_ids.get(name)
        if cached is not None:
            return cached
        row = self.db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is None:
            with self.transaction():
                row = self.db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
                if row is None:
                    cur = self.db.execute("INSERT INTO coders (name, created) VALUES (?, ?)", (name, now_iso()))
                    self.log_event("coder.add", "coder", name, coder=name, after={"name": name})
                    row = (cur.lastrowid,)
        self._coder_ids[name] = int(row[0])
        return int(row[0])

    def coders(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT c.name, c.created, count(k.id) AS codings FROM coders c"
            " LEFT JOIN codings k ON k.coder_id = c.id GROUP BY c.id ORDER BY c.name"
        )
        return [dict(r) for r in rows]

    def require_coders(self, names: Iterable[str]) -> list[str]:
        """``names`` as given, each checked to be a coder of this project (a typo is an error, not an empty view)."""
        names = list(names)
        known = {c["name"] for c in self.coders()}
        missing = [n for n in names if n not in known]
        if missing:
            raise NotFoundError(f"no coder '{missing[0]}' in this project",
                                hint=f"coders here: {', '.join(sorted(known)) or 'none'}")
        return names

    def resolve_coder(self, name: str | None) -> str:
        """An explicit name, else the project's default coder setting, else the environment's."""
        return (name or "").strip() or self.setting("coder") or default_coder()

    # ------------------------------------------------------------------ codebook

    def set_codebook(self, codebook: Codebook, *, coder: str | None = None) -> CodebookReport:
        """Install (or replace) the project's codebook. Codes are matched by id; codings are never dropped.

        Returns a report: the change (added/removed/renamed/moved ids) and how many codings sit on removed codes.
        """
        from qualcode.codebook import diff_codebooks, dump_codebook, parse_codebook

        old = self.codebook() if self.setting("codebook_yaml") else None
        yaml_text = dump_codebook(codebook)
        # every later command re-reads the stored text: a codebook it could not read back would break the project
        _readable, problems = parse_codebook(yaml_text, "<codebook>")
        if problems:
            raise CodebookError([CodebookProblem(problems[0].message)] + problems[1:])
        with self.transaction():
            existing = {r["id"] for r in self.db.execute("SELECT id FROM codes")}
            for pos, code in enumerate(codebook.walk()):
                data = json.dumps(
                    {k: getattr(code, k)
                     for k in ("questions", "keywords", "examples", "include", "exclude", "indicators")},
                    ensure_ascii=False,
                )
                self.db.execute(
                    "INSERT INTO codes (id, parent_id, criterion_id, name, definition, color, position, data, active)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id,"
                    " criterion_id = excluded.criterion_id, name = excluded.name, definition = excluded.definition,"
                    " color = excluded.color, position = excluded.position, data = excluded.data, active = 1",
                    (
                        code.id,
                        code.parent_id,
                        code.criterion_id,
                        code.name,
                        code.definition,
                        code.color or self._inherited_color(codebook, code),
                        pos,
                        data,
                    ),
                )
            removed = sorted(existing - set(codebook.ids))
            orphaned = 0
            for code_id in removed:
                self.db.execute("UPDATE codes SET active = 0 WHERE id = ?", (code_id,))
                orphaned += self.db.execute("SELECT count(*) FROM codings WHERE code_id = ?", (code_id,)).fetchone()[0]
            self._set_setting("codebook_yaml", yaml_text)
            self._set_setting("codebook_hash", text_hash(yaml_text)[:16])
            self._set_setting("codebook_name", codebook.name)
            change = diff_codebooks(old, codebook) if old else None
            report: CodebookReport = {
                "codebook": codebook.name,
                "codes": len(codebook),
                "change": change.to_dict()
                if change
                else {"added": codebook.ids, "removed": [], "renamed": [], "moved": [], "redefined": []},
                "codings_on_removed_codes": orphaned,
            }
            self.log_event(
                "codebook.set",
                "codebook",
                codebook.name,
                coder=coder,
                before={"hash": old and self._hash_of(old)},
                after={"hash": text_hash(yaml_text)[:16], "report": report},
            )
        self._codebook_cache = None
        return report

    @staticmethod
    def _hash_of(cb: Codebook) -> str:
        from qualcode.codebook import dump_codebook

        return text_hash(dump_codebook(cb))[:16]

    @staticmethod
    def _inherited_color(codebook: Codebook, code: Code) -> str | None:
        cur: Code | None = code
        while cur is not None:
            if cur.color:
                return cur.color
            cur = codebook.get(cur.parent_id) if cur.parent_id else None
        return None

    def codebook(self) -> Codebook:
        """The project's current codebook (re-read whenever another process changed it)."""
        from qualcode.codebook import parse_codebook

        h = self.codebook_hash()
        if self._codebook_cache and self._codebook_cache[0] == h:
            return self._codebook_cache[1]
        text = self.setting("codebook_yaml")
        if not text:
            raise ProjectError("this project has no codebook yet", hint="run 'qualcode codebook set FILE'")
        cb, problems = parse_codebook(text, "<project codebook>")
        if cb is None:
            raise ProjectError("the project's stored codebook is damaged: " + str(problems[0]))
        colors = {r["id"]: r["color"] for r in self.db.execute("SELECT id, color FROM codes")}
        for code in cb.walk():
            code.color = code.color or colors.get(code.id)
        self._codebook_cache = (h, cb)
        return cb

    def codebook_hash(self) -> str:
        return self.setting("codebook_hash") or ""

    def code_rows(self, *, include_inactive: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM codes" + ("" if include_inactive else " WHERE active = 1") + " ORDER BY position"
        return [dict(r) for r in self.db.execute(sql)]

    def require_code(self, code_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None or not row["active"]:
            import difflib

            ids = [r[0] for r in self.db.execute("SELECT id FROM codes WHERE active = 1")]
            close = difflib.get_close_matches(code_id, ids, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else "see 'qualcode codebook show'"
            raise NotFoundError(f"no code '{code_id}' in the codebook", hint=hint)
        return dict(row)

    # ------------------------------------------------------------------ cases and speakers

    def upsert_case(
        self, case_id: str, name: str | None, attributes: dict[str, Any], *, coder: str | None = None
    ) -> None:
        with self.transaction():
            row = self.db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
            before = {"name": row["name"], "attributes": json.loads(row["attributes"])} if row else None
            after = {"name": name, "attributes": attributes}
            if before == after:
                return
            self.db.execute(
                "INSERT INTO cases (id, name, attributes) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                " name = excluded.name, attributes = excluded.attributes",
                (case_id, name, json.dumps(attributes, ensure_ascii=False)),
            )
            self.log_event("case.set", "case", case_id, coder=coder, before=before, after=after)

    def cases(self) -> list[dict[str, Any]]:
        out = []
        for r in self.db.execute("SELECT * FROM cases ORDER BY id"):
            d = dict(r)
            d["attributes"] = json.loads(d["attributes"])
            d["transcripts"] = [
                x[0]
                for x in self.db.execute("SELECT DISTINCT transcript_id FROM speakers WHERE case_id = ?", (d["id"],))
            ]
            out.append(d)
        return out

    def has_case(self, case_id: str) -> bool:
        """Whether the project has a case with this id."""
        return self.db.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is not None

    def set_speaker(
        self,
        transcript_id: str,
        label: str,
        *,
        role: str,
        case_id: str | None,
        coder: str | None = None,
        assigned_by: str = "import",
        action: str = "speaker.set",
        how: str | None = None,
    ) -> None:
        """Record a speaker label's role and case, logged under ``action``. ``assigned_by`` "user" marks a
        correction by hand, which later imports keep (a correction by hand is an action:
        :func:`qualcode.actions.projects.set_speaker_role`)."""
        with self.transaction():
            row = self.db.execute(
                "SELECT role, case_id, assigned_by, how FROM speakers WHERE transcript_id = ? AND label = ?",
                (transcript_id, label),
            ).fetchone()
            before = {"role": row["role"], "case_id": row["case_id"]} if row else None
            after = {"role": role, "case_id": case_id}
            if before == after and row is not None and row["assigned_by"] == assigned_by and row["how"] == how:
                return
            self.db.execute(
                "INSERT INTO speakers (transcript_id, label, role, case_id, assigned_by, how) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(transcript_id, label) DO UPDATE SET role = excluded.role, case_id = excluded.case_id,"
                " assigned_by = excluded.assigned_by, how = excluded.how",
                (transcript_id, label, role, case_id, assigned_by, how),
            )
            if before == after:
                return
            self.log_event(action, "speaker", f"{transcript_id}/{label}", coder=coder, before=before, after=after)

    def speaker_state(self, transcript_id: str, label: str) -> dict[str, Any] | None:
        """One speaker label's role, case, ``assigned_by`` and ``how`` (how its role was recognised), as the event
        log records it; None when the transcript has no such label."""
        row = self.db.execute("SELECT role, case_id, assigned_by, how FROM speakers WHERE transcript_id = ? AND"
                              " label = ?", (transcript_id, label)).fetchone()
        return None if row is None else {**dict(row), "transcript": transcript_id, "label": label}

    def speakers(self, transcript_id: str | None = None) -> list[dict[str, Any]]:
        """Speaker labels with their role, case and ``assigned_by`` ("import", or "user" for a correction by hand)."""
        sql = "SELECT transcript_id, label, role, case_id, assigned_by FROM speakers"
        args: tuple[Any, ...] = ()
        if transcript_id:
            sql += " WHERE transcript_id = ?"
            args = (transcript_id,)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY transcript_id, label", args)]

    # ------------------------------------------------------------------ transcripts and segments

    def transcript_with_text(self, sha256: str) -> str | None:
        """The transcript whose current version has this text (by its SHA-256), or None."""
        row = self.db.execute(
            "SELECT v.transcript_id FROM transcript_versions v JOIN transcripts t ON t.id = v.transcript_id"
            " AND t.current_version = v.version WHERE v.sha256 = ?",
            (sha256,),
        ).fetchone()
        return None if row is None else str(row[0])

    def add_transcript(
        self,
        parsed: ParsedTranscript,
        transcript_id: str,
        *,
        title: str | None = None,
        attributes: dict[str, Any] | None = None,
        coder: str | None = None,
        new_version: bool = False,
    ) -> dict[str, Any]:
        """Store a parsed transcript. A new id creates version 1; an identical text changes nothing; a changed text
        for an existing id creates the next version only with ``new_version``, as
        :func:`qualcode.reanchor.store_transcript` asks, which re-anchors the codings to it in the same transaction
        (without, ConflictError: a new version whose codings stayed behind would lose them from every view).

        Returns ``{"id", "version", "status": "new"|"unchanged"|"new_version", "units", ...}``.
        """
        if title is not None:
            title = clean_line(title)  # often a file name, which may hold anything but '/'
        sha = text_hash(parsed.text)
        with self.transaction():
            row = self.db.execute("SELECT * FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
            if row is not None:
                if (row["kind"] or "transcript") != parsed.kind:
                    raise ConflictError(
                        f"{parsed.source_name or transcript_id}: '{transcript_id}' is already a {row['kind']},"
                        f" this file is a {parsed.kind}",
                        hint="give the file its own id (a documents sheet or case sheet names it)",
                    )
                current = self.db.execute(
                    "SELECT sha256 FROM transcript_versions WHERE transcript_id = ? AND version = ?",
                    (transcript_id, row["current_version"]),
                ).fetchone()
                if current and current[0] == sha and self._same_units(transcript_id, row["current_version"], parsed):
                    if attributes:
                        self._merge_transcript_attributes(transcript_id, attributes, coder)
                    return {
                        "id": transcript_id,
                        "version": row["current_version"],
                        "status": "unchanged",
                        "units": self._unit_count(transcript_id, row["current_version"]),
                    }
                if not new_version:
                    raise ConflictError(
                        f"{parsed.source_name or transcript_id}: '{transcript_id}' is already imported with another"
                        " text", hint="import the corrected file with 'qualcode import' to make a new version")
                version = int(row["current_version"]) + 1
            else:
                dup = self.transcript_with_text(sha)
                if dup is not None:
                    raise ConflictError(
                        f"{parsed.source_name or transcript_id}: the same text is already imported as {dup}",
                        hint="nothing to do; to re-import a corrected file keep its transcript id",
                    )
                version = 1
                self.db.execute(
                    "INSERT INTO transcripts (id, title, current_version, created, attributes, kind)"
                    " VALUES (?, ?, 0, ?, ?, ?)",
                    (
                        transcript_id,
                        title or transcript_id,
                        now_iso(),
                        json.dumps(attributes or {}, ensure_ascii=False),
                        parsed.kind,
                    ),
                )
            self.db.execute(
                "INSERT INTO transcript_versions (transcript_id, version, text, sha256, format, source_name, metadata,"
                " imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    transcript_id,
                    version,
                    parsed.text,
                    sha,
                    parsed.format,
                    # the file's name only: the folders of the importing machine would travel in every export
                    file_name(parsed.source_name),
                    json.dumps(version_metadata(parsed), ensure_ascii=False, default=str),
                    now_iso(),
                ),
            )
            self.db.executemany(
                "INSERT INTO segments (transcript_id, version, idx, turn, speaker, start, end, t_start, t_end, text,"
                " page, page_label, heading) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        transcript_id,
                        version,
                        i + 1,
                        u.turn,
                        u.speaker,
                        u.start,
                        u.end,
                        finite_time(u.t_start),
                        finite_time(u.t_end),
                        parsed.text[u.start : u.end],
                        u.page,
                        u.page_label,
                        u.heading,
                    )
                    for i, u in enumerate(parsed.units)
                ],
            )
            self.db.execute("UPDATE transcripts SET current_version = ? WHERE id = ?", (version, transcript_id))
            if attributes and row is not None:
                self._merge_transcript_attributes(transcript_id, attributes, coder)
            for label in parsed.speakers:
                exists = self.db.execute(
                    "SELECT 1 FROM speakers WHERE transcript_id = ? AND label = ?", (transcript_id, label)
                ).fetchone()
                if not exists:
                    self.set_speaker(transcript_id, label, role=default_role(label, parsed.speakers), case_id=None,
                                     coder=coder)
            result: dict[str, Any] = {
                "id": transcript_id,
                "version": version,
                "status": "new" if version == 1 else "new_version",
                "units": len(parsed.units),
                "speakers": parsed.speakers,
                "format": parsed.format,
                "kind": parsed.kind,
            }
            self.log_event(
                "transcript.import",
                "transcript",
                transcript_id,
                coder=coder,
                after={
                    "version": version,
                    "sha256": sha,
                    "source": parsed.source_name,
                    "format": parsed.format,
                    "units": len(parsed.units),
                    **({"kind": parsed.kind} if parsed.kind != "transcript" else {}),
                },
            )
        return result

    def _same_units(self, transcript_id: str, version: int, parsed: ParsedTranscript) -> bool:
        """Same units and speaker labels: a corrected file that only renames speakers is still a new version."""
        stored = [
            tuple(r)
            for r in self.db.execute(
                "SELECT start, end, speaker, page, page_label, heading FROM segments WHERE transcript_id = ?"
                " AND version = ? ORDER BY idx",
                (transcript_id, version),
            )
        ]
        return stored == [(u.start, u.end, u.speaker, u.page, u.page_label, u.heading) for u in parsed.units]

    def _unit_count(self, transcript_id: str, version: int) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM segments WHERE transcript_id = ? AND version = ?", (transcript_id, version)
            ).fetchone()[0]
        )

    def _merge_transcript_attributes(self, transcript_id: str, attributes: dict[str, Any], coder: str | None) -> None:
        row = self.db.execute("SELECT attributes FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        before = json.loads(row[0]) if row else {}
        after = {**before, **attributes}
        if after != before:
            self.db.execute(
                "UPDATE transcripts SET attributes = ? WHERE id = ?",
                (json.dumps(after, ensure_ascii=False), transcript_id),
            )
            self.log_event(
                "transcript.attributes", "transcript", transcript_id, coder=coder, before=before, after=after
            )

    def set_transcript_attributes(
        self, transcript_id: str, attributes: dict[str, Any], *, coder: str | None = None
    ) -> None:
        with self.transaction():
            self.require_transcript(transcript_id)
            self._merge_transcript_attributes(transcript_id, attributes, coder)

    def set_title(self, transcript_id: str, title: str, *, coder: str | None = None) -> None:
        """Rename a transcript or document (a document's title is how citations name it)."""
        title = " ".join(clean_line(str(title)).split())
        if not title:
            raise QualcodeError("a title cannot be empty")
        with self.transaction():
            before = self.require_transcript(transcript_id)["title"]
            if before != title:
                self.db.execute("UPDATE transcripts SET title = ? WHERE id = ?", (title, transcript_id))
                self.log_event("transcript.title", "transcript", transcript_id, coder=coder, before=before,
                               after=title)

    def require_transcript(self, transcript_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        if row is None:
            import difflib

            ids = [r[0] for r in self.db.execute("SELECT id FROM transcripts")]
            close = difflib.get_close_matches(transcript_id, ids, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else "see 'qualcode transcripts'"
            raise NotFoundError(f"no transcript '{transcript_id}'", hint=hint)
        return dict(row)

    def transcript_records(self) -> dict[str, str]:
        """How each transcript records its interview: "verbatim", or "notes" (an interviewer's paraphrase: never
        presented as a verbatim quote). Documents are "verbatim": their text is quoted as written."""
        return {
            str(r[0]): str(r[1])
            for r in self.db.execute(
                "SELECT t.id, coalesce(t.record, json_extract(v.metadata, '$.record'), 'verbatim') FROM transcripts t"
                " JOIN transcript_versions v ON v.transcript_id = t.id AND v.version = t.current_version"
            )
        }

    def notes_transcripts(self) -> set[str]:
        """The ids of transcripts that are interview notes."""
        return {tid for tid, record in self.transcript_records().items() if record == "notes"}

    def interview_case(self, transcript_id: str, speakers: list[dict[str, Any]]) -> str | None:
        """The one informant's case of a key-informant interview (None for a focus group, or when its speakers
        carry no case or several): a voice marked as the informant by hand is that informant."""
        cases = {r["case_id"] for r in speakers if r["case_id"]}
        if len(cases) != 1:
            return None
        found = self.db.execute("SELECT attributes FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        attrs = json.loads(found[0] or "{}") if found else {}
        return next(iter(cases)) if source_type_of("transcript", attrs) == "KII" else None

    def transcript_state(self, transcript_id: str) -> dict[str, Any]:
        """Everything that belongs to a transcript, as rows, so its removal can be undone exactly (what
        :meth:`drop_transcript` deletes and :meth:`restore_transcript` puts back)."""
        q = self.db.execute

        def rows(sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
            return [dict(r) for r in q(sql, args)]

        tid = (transcript_id,)
        seg_ids = [int(r[0]) for r in q("SELECT id FROM segments WHERE transcript_id = ?", tid)]
        codings = rows(
            "SELECT c.*, k.name AS coder FROM codings c JOIN coders k ON k.id = c.coder_id JOIN segments s"
            " ON s.id = c.segment_id WHERE s.transcript_id = ? ORDER BY c.id", tid)
        coding_ids = [str(c["id"]) for c in codings]
        memos = rows("SELECT m.*, k.name AS coder FROM memos m LEFT JOIN coders k ON k.id = m.coder_id"
                     " WHERE m.target_type = 'transcript' AND m.target_id = ?", tid)
        memos += [m for m in rows("SELECT m.*, k.name AS coder FROM memos m LEFT JOIN coders k ON k.id = m.coder_id"
                                  " WHERE m.target_type IN ('segment', 'coding')", ())
                  if (m["target_type"] == "segment" and m["target_id"].isdigit() and int(m["target_id"]) in
                      set(seg_ids)) or (m["target_type"] == "coding" and m["target_id"] in set(coding_ids))]
        return {
            "transcript": dict(self.require_transcript(transcript_id)),
            "versions": rows("SELECT * FROM transcript_versions WHERE transcript_id = ? ORDER BY version", tid),
            "speakers": rows("SELECT * FROM speakers WHERE transcript_id = ?", tid),
            "segments": rows("SELECT * FROM segments WHERE transcript_id = ? ORDER BY id", tid),
            "codings": codings,
            "decisions": rows(
                "SELECT d.*, k.name AS coder FROM decisions d JOIN coders k ON k.id = d.coder_id JOIN segments s"
                " ON s.id = d.segment_id WHERE s.transcript_id = ?", tid),
            "adjudications": rows(
                "SELECT a.*, k.name AS coder FROM adjudications a JOIN coders k ON k.id = a.coder_id JOIN segments"
                " s ON s.id = a.segment_id WHERE s.transcript_id = ?", tid),
            "memos": memos,
            "marks": rows(
                "SELECT m.segment_id, k.name AS coder, m.mark, m.created FROM unit_marks m JOIN coders k"
                " ON k.id = m.coder_id JOIN segments s ON s.id = m.segment_id WHERE s.transcript_id = ?", tid),
            "sample": rows("SELECT * FROM agreement_sample WHERE transcript_id = ?", tid),
            "done": rows("SELECT k.name AS coder, d.marked FROM transcript_done d JOIN coders k ON k.id = d.coder_id"
                         " WHERE d.transcript_id = ?", tid),
        }

    def drop_transcript(self, transcript_id: str, state: dict[str, Any] | None = None) -> None:
        """Delete a transcript with everything on it (inside a transaction; the caller logs it). ``state`` is its
        :meth:`transcript_state` when the caller has just read it."""
        if state is None:
            state = self.transcript_state(transcript_id)
        seg_ids = [s["id"] for s in state["segments"]]
        for m in state["memos"]:
            self.db.execute("DELETE FROM memos WHERE id = ?", (m["id"],))
        for chunk in range(0, len(seg_ids), 500):
            part = seg_ids[chunk : chunk + 500]
            marks = ",".join("?" * len(part))
            for table in ("codings", "decisions", "adjudications", "unit_marks"):
                self.db.execute(f"DELETE FROM {table} WHERE segment_id IN ({marks})", part)
        self.db.execute("DELETE FROM segments WHERE transcript_id = ?", (transcript_id,))
        self.db.execute("DELETE FROM speakers WHERE transcript_id = ?", (transcript_id,))
        self.db.execute("DELETE FROM transcript_versions WHERE transcript_id = ?", (transcript_id,))
        self.db.execute("DELETE FROM transcripts WHERE id = ?", (transcript_id,))

    def restore_transcript(self, state: dict[str, Any]) -> None:
        """Put back a transcript removed with everything on it, from its :meth:`transcript_state` (inside a
        transaction; the caller logs it). Its units keep their ids unless a transcript imported since took them."""
        t = state["transcript"]
        if self.db.execute("SELECT 1 FROM transcripts WHERE id = ?", (t["id"],)).fetchone():
            raise ConflictError(f"a transcript '{t['id']}' exists again", hint="remove it first, then undo")
        self.db.execute(
            "INSERT INTO transcripts (id, title, current_version, created, attributes, kind, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (t["id"], t["title"], t["current_version"], t["created"], t["attributes"], t.get("kind") or "transcript",
             t.get("record")),
        )
        for v in state["versions"]:
            self.db.execute(
                "INSERT INTO transcript_versions (transcript_id, version, text, sha256, format, source_name, metadata,"
                " imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (v["transcript_id"], v["version"], v["text"], v["sha256"], v["format"], v["source_name"],
                 v["metadata"], v["imported"]),
            )
        for sp in state["speakers"]:
            self.db.execute(
                "INSERT INTO speakers (transcript_id, label, role, case_id, assigned_by, how)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sp["transcript_id"], sp["label"], sp["role"],
                 sp["case_id"] if sp["case_id"] is None or self.has_case(sp["case_id"]) else None,
                 sp.get("assigned_by", "import"), sp.get("how")),
            )
        # Units come back under their own ids, unless a transcript imported since took some of them.
        ids = [s["id"] for s in state["segments"]]
        taken = any(self.db.execute("SELECT 1 FROM segments WHERE id = ?", (i,)).fetchone() for i in ids)
        new_id: dict[int, int] = {}
        for seg in state["segments"]:
            cols = ["transcript_id", "version", "idx", "turn", "speaker", "start", "end", "t_start", "t_end", "text"]
            if not taken:
                cols = ["id", *cols]
            cur = self.db.execute(
                f"INSERT INTO segments ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [seg[c] for c in cols],
            )
            new_id[seg["id"]] = seg["id"] if not taken else int(cur.lastrowid or 0)
        for c in state["codings"]:
            self.db.execute(
                "INSERT INTO codings (id, segment_id, code_id, coder_id, created, memo, source, score, model_version,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c["id"], new_id[c["segment_id"]], c["code_id"], self.coder_id(c["coder"]), c["created"], c["memo"],
                 c["source"], c["score"], c["model_version"], c["status"]),
            )
        # Suggestion decisions and settled disagreements come back under their own ids too (undo of an earlier
        # decision finds its row by id), unless rows added since took them.
        for table, rows_, cols in (
            ("decisions", state["decisions"], ["segment_id", "code_id", "coder_id", "decision", "score",
                                               "model_version", "created"]),
            ("adjudications", state["adjudications"], ["segment_id", "code_id", "decision", "coder_id", "note",
                                                       "originals", "created"]),
        ):
            for r in rows_:
                values = {**r, "segment_id": new_id[r["segment_id"]], "coder_id": self.coder_id(r["coder"])}
                names = cols if self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (r["id"],)).fetchone() \
                    else ["id", *cols]
                self.db.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                [values[c] for c in names])
        for mk in state.get("marks", []):  # (states logged before marks were kept have none)
            self.put_mark(new_id[mk["segment_id"]], self.coder_id(mk["coder"]), mk["mark"], created=mk["created"])
        for entry in state.get("sample", []):
            self.db.execute("INSERT INTO agreement_sample (transcript_id, coders, added, added_by) VALUES (?, ?, ?, ?)",
                            (entry["transcript_id"], entry["coders"], entry["added"], entry["added_by"]))
        for done in state.get("done", []):
            self.db.execute("INSERT INTO transcript_done (transcript_id, coder_id, marked) VALUES (?, ?, ?)",
                            (t["id"], self.coder_id(done["coder"]), done["marked"]))
        for m in state["memos"]:
            target = m["target_id"]
            if m["target_type"] == "segment" and target.isdigit():
                target = str(new_id.get(int(target), int(target)))
            self.put_memo(m["target_type"], target, self.coder_id(m["coder"]) if m["coder"] else m["coder_id"],
                          m["text"], created=m["created"], updated=m["updated"])

    def transcript_text(self, transcript_id: str, version: int | None = None) -> str:
        t = self.require_transcript(transcript_id)
        v = version or t["current_version"]
        row = self.db.execute(
            "SELECT text FROM transcript_versions WHERE transcript_id = ? AND version = ?", (transcript_id, v)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"transcript '{transcript_id}' has no version {v}")
        return str(row[0])

    def transcript_attributes(self) -> dict[str, dict[str, Any]]:
        """Every transcript's attributes by id: what :meth:`transcripts` gives without counting units and codings
        (which takes seconds on a large evaluation)."""
        return {tid: json.loads(attrs) for tid, attrs in
                self.db.execute("SELECT id, attributes FROM transcripts ORDER BY id")}

    def transcripts(self) -> list[dict[str, Any]]:
        """Every transcript with its attributes, unit counts and coding progress."""
        rows = self.db.execute(
            """
            SELECT t.id, t.title, t.kind, t.current_version AS version, t.attributes, v.format, v.source_name, v.sha256,
                   v.metadata, coalesce(t.record, json_extract(v.metadata, '$.record'), 'verbatim') AS record,
                   (SELECT count(*) FROM segments s WHERE s.transcript_id = t.id AND s.version = t.current_version)
                       AS units,
                   (SELECT count(*) FROM segments s LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id
                        AND sp.label = s.speaker
                     WHERE s.transcript_id = t.id AND s.version = t.current_version
                       AND coalesce(sp.role, 'unknown') != 'interviewer') AS informant_units,
                   (SELECT count(DISTINCT c.segment_id) FROM codings c JOIN segments s ON s.id = c.segment_id
                     LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker
                     WHERE s.transcript_id = t.id AND s.version = t.current_version
                       AND coalesce(sp.role, 'unknown') != 'interviewer') AS coded_units,
                   (SELECT count(DISTINCT m.segment_id) FROM unit_marks m JOIN segments s ON s.id = m.segment_id
                     WHERE s.transcript_id = t.id AND s.version = t.current_version AND m.mark = 'not_codable'
                       AND NOT EXISTS (SELECT 1 FROM codings c WHERE c.segment_id = m.segment_id))
                       AS not_codable_units,
                   (SELECT group_concat(DISTINCT k.name) FROM codings c JOIN segments s ON s.id = c.segment_id
                     JOIN coders k ON k.id = c.coder_id
                     WHERE s.transcript_id = t.id AND s.version = t.current_version) AS coders
            FROM transcripts t JOIN transcript_versions v ON v.transcript_id = t.id AND v.version = t.current_version
            ORDER BY t.id
            """
        )
        out = []
        for r in rows:
            d = dict(r)
            d["attributes"] = json.loads(d["attributes"])
            d["metadata"] = json.loads(d["metadata"] or "{}")
            d["source_type"] = source_type_of(d["kind"], d["attributes"])
            d["coders"] = sorted((d["coders"] or "").split(",")) if d["coders"] else []
            speakers = self.speakers(d["id"])
            d["speakers"] = [s["label"] for s in speakers]
            groups = set()
            for s in speakers:
                if s["case_id"]:
                    attrs = self._case_attributes(s["case_id"])
                    if attrs.get("stakeholder_group"):
                        groups.add(attrs["stakeholder_group"])
            d["stakeholder_groups"] = sorted(groups)
            out.append(d)
        return out

    def _case_attributes(self, case_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT attributes FROM cases WHERE id = ?", (case_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def segments(
        self,
        transcript: str | None = None,
        *,
        include_interviewer: bool = True,
        ids: Iterable[int] | None = None,
        current_only: bool = True,
    ) -> list[Segment]:
        """Coding units with their speaker, offsets, text and attributes (transcript + informant's case)."""
        sql = """
            SELECT s.id, s.transcript_id, s.version, s.idx, s.turn, s.speaker, s.start, s.end, s.t_start, s.t_end,
                   s.text, s.page, s.page_label, s.heading, t.kind, t.title,
                   CASE WHEN t.kind = 'document' THEN 'document' ELSE coalesce(sp.role, 'unknown') END AS role,
                   sp.case_id, t.attributes AS t_attrs, c.attributes AS c_attrs
            FROM segments s
            JOIN transcripts t ON t.id = s.transcript_id
            LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker
            LEFT JOIN cases c ON c.id = sp.case_id
            WHERE 1=1
        """
        args: list[Any] = []
        if current_only:
            sql += " AND s.version = t.current_version"
        if transcript is not None:
            self.require_transcript(transcript)
            sql += " AND s.transcript_id = ?"
            args.append(transcript)
        if not include_interviewer:
            sql += " AND coalesce(sp.role, 'unknown') != 'interviewer'"
        id_list: list[int] | None = None
        if ids is not None:
            id_list = [int(i) for i in ids]
            if len(id_list) <= 900:
                sql += f" AND s.id IN ({','.join('?' * len(id_list))})"
                args.extend(id_list)
        sql += " ORDER BY s.transcript_id, s.idx"
        attr_cache: dict[tuple[str, str | None], dict[str, Any]] = {}
        out: list[Segment] = []
        wanted = set(id_list) if id_list is not None and len(id_list) > 900 else None
        for r in self.db.execute(sql, args):
            if wanted is not None and r["id"] not in wanted:
                continue
            key = (r["t_attrs"], r["c_attrs"])
            attrs = attr_cache.get(key)
            if attrs is None:
                attrs = {**json.loads(r["t_attrs"] or "{}"), **json.loads(r["c_attrs"] or "{}")}
                attr_cache[key] = attrs
            out.append(
                {
                    "id": r["id"],
                    "ref": f"{r['transcript_id']}:{r['idx']}",
                    "transcript": r["transcript_id"],
                    "version": r["version"],
                    "idx": r["idx"],
                    "turn": r["turn"],
                    "speaker": r["speaker"],
                    "role": r["role"],
                    "case": r["case_id"],
                    "start": r["start"],
                    "end": r["end"],
                    "t_start": finite_time(r["t_start"]),
                    "t_end": finite_time(r["t_end"]),
                    "text": r["text"],
                    "attributes": dict(attrs),
                    "kind": r["kind"],
                    "source_type": source_type_of(r["kind"], attrs),
                    "page": r["page"],
                    "page_label": r["page_label"],
                    "heading": r["heading"],
                    "source_title": r["title"],
                }
            )
        return out

    def segment(self, ref: int | str) -> Segment:
        """One segment by numeric id or by reference ``TRANSCRIPT:N`` (N = unit number in the current version)."""
        seg_id = self.resolve_segment(ref)
        found = self.segments(ids=[seg_id], current_only=False)
        return found[0]

    def resolve_segment(self, ref: int | str) -> int:
        text = str(ref).strip()
        if text.isdigit():
            row = self.db.execute("SELECT id FROM segments WHERE id = ?", (int(text),)).fetchone()
        elif ":" in text:
            tid, _, n = text.rpartition(":")
            row = None
            if n.isdigit():
                row = self.db.execute(
                    "SELECT s.id FROM segments s JOIN transcripts t ON t.id = s.transcript_id"
                    " AND t.current_version = s.version WHERE s.transcript_id = ? AND s.idx = ?",
                    (tid, int(n)),
                ).fetchone()
        else:
            row = None
        if row is None:
            raise NotFoundError(f"no segment '{ref}'", hint="use an id or TRANSCRIPT:N from 'qualcode segments'")
        return int(row[0])

    # ------------------------------------------------------------------ codings

    def _coding_row(self, coding_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT c.*, k.name AS coder FROM codings c JOIN coders k ON k.id = c.coder_id WHERE c.id = ?",
            (coding_id,),
        ).fetchone()
        if row is None:
            return None
        d = dict(row)
        return d

    def coding_state(self, coding_id: int) -> CodingState | None:
        """The full stored state of a coding (what the event log records and undo restores); None if there is no
        such coding."""
        d = self._coding_row(coding_id)
        if d is None:
            return None
        return cast(CodingState, {
            k: d[k]
            for k in (
                "id",
                "segment_id",
                "code_id",
                "coder",
                "created",
                "memo",
                "source",
                "score",
                "model_version",
                "status",
            )
        })

    def add_coding(
        self,
        segment: int | str,
        code_id: str,
        *,
        coder: str,
        memo: str | None = None,
        source: str = "human",
        score: float | None = None,
        model_version: str | None = None,
        created: str | None = None,
        status: str = "ok",
    ) -> Coding:
        """Apply a code to a unit. Raises ConflictError if this coder already applied this code there."""
        memo = clean(memo) if memo is not None else None
        seg_id = self.resolve_segment(segment)
        self.require_code(code_id)
        with self.transaction():
            cid = self.coder_id(coder)
            existing = self.db.execute(
                "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?", (seg_id, code_id, cid)
            ).fetchone()
            if existing:
                raise ConflictError(
                    f"segment {segment} already has code '{code_id}' from {coder}", hint="nothing to do"
                )
            cur = self.db.execute(
                "INSERT INTO codings (segment_id, code_id, coder_id, created, memo, source, score, model_version,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seg_id, code_id, cid, created or now_iso(), memo, source, score, model_version, status),
            )
            state = self.coding_state(int(cur.lastrowid or 0))
            action = "coding.import" if source == "import" else "coding.add"
            self.log_event(action, "coding", state["id"] if state else None, coder=coder, after=state)
        assert state is not None
        return self.public_coding(state)

    def remove_coding(self, coding_id: int, *, coder: str) -> Coding:
        with self.transaction():
            state = self.coding_state(coding_id)
            if state is None:
                raise NotFoundError(f"no coding {coding_id}", hint="see 'qualcode codings list'")
            self.delete_coding(coding_id)
            self.log_event("coding.remove", "coding", coding_id, coder=coder, before=state)
        return self.public_coding(state)

    def find_coding(self, segment: int | str, code_id: str, coder: str | None = None) -> list[ListedCoding]:
        seg_id = self.resolve_segment(segment)
        return self.codings(segment=seg_id, code=code_id, coder=coder)

    def update_coding(self, coding_id: int, *, coder: str, **changes: Any) -> Coding:
        """Change a coding's memo or status (the event log keeps the before and after)."""
        allowed = {"memo", "status"}
        bad = set(changes) - allowed
        if bad:
            raise QualcodeError(f"cannot change {', '.join(sorted(bad))} of a coding")
        with self.transaction():
            before = self.coding_state(coding_id)
            if before is None:
                raise NotFoundError(f"no coding {coding_id}")
            if isinstance(changes.get("memo"), str):
                changes["memo"] = clean(changes["memo"])
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.db.execute(f"UPDATE codings SET {sets} WHERE id = ?", (*changes.values(), coding_id))
            after = self.coding_state(coding_id)
            self.log_event("coding.update", "coding", coding_id, coder=coder, before=before, after=after)
        assert after is not None
        return self.public_coding(after)

    @staticmethod
    def public_coding(state: CodingState) -> Coding:
        """A coding's logged state as actions return it (``segment`` and ``code`` rather than the column names)."""
        return {"id": state["id"], "segment": state["segment_id"], "code": state["code_id"], "coder": state["coder"],
                "created": state["created"], "memo": state["memo"], "source": state["source"],
                "score": state["score"], "model_version": state["model_version"], "status": state["status"]}

    def codings(
        self,
        *,
        segment: int | None = None,
        code: str | None = None,
        coder: str | None = None,
        transcript: str | None = None,
        current_only: bool = True,
    ) -> list[ListedCoding]:
        """Codings with their segment reference and code's criterion."""
        sql = """
            SELECT c.id, c.segment_id AS segment, c.code_id AS code, k.name AS coder, c.created, c.memo, c.source,
                   c.score, c.model_version, c.status, s.transcript_id AS transcript, s.idx,
                   cd.criterion_id AS criterion, cd.name AS code_name
            FROM codings c
            JOIN coders k ON k.id = c.coder_id
            JOIN segments s ON s.id = c.segment_id
            JOIN transcripts t ON t.id = s.transcript_id
            JOIN codes cd ON cd.id = c.code_id
            WHERE 1=1
        """
        args: list[Any] = []
        if current_only:
            sql += " AND s.version = t.current_version"
        if segment is not None:
            sql += " AND c.segment_id = ?"
            args.append(segment)
        if code is not None:
            sql += " AND c.code_id = ?"
            args.append(code)
        if coder is not None:
            sql += " AND k.name = ?"
            args.append(coder)
        if transcript is not None:
            sql += " AND s.transcript_id = ?"
            args.append(transcript)
        sql += " ORDER BY s.transcript_id, s.idx, c.id"
        out: list[ListedCoding] = []
        for r in self.db.execute(sql, args):
            d = dict(r)
            d["ref"] = f"{d['transcript']}:{d.pop('idx')}"
            out.append(cast(ListedCoding, d))
        return out

    def code_counts(self, *, coder: str | None = None, transcript: str | None = None) -> dict[str, int]:
        """Number of codings per code id (current transcript versions only), of one coder or everyone."""
        sql = ("SELECT c.code_id, count(*) FROM codings c JOIN segments s ON s.id = c.segment_id"
               " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version")
        args: list[Any] = []
        if coder is not None:
            sql += " JOIN coders k ON k.id = c.coder_id AND k.name = ?"
            args.append(coder)
        if transcript is not None:
            sql += " WHERE s.transcript_id = ?"
            args.append(transcript)
        return {row[0]: int(row[1]) for row in self.db.execute(sql + " GROUP BY c.code_id", args)}

    def coded_unit_counts(self, *, coder: str | None = None, informants_only: bool = False) -> dict[str, int]:
        """Per transcript, how many units of its current version carry a coding (``coder``'s, or anyone's);
        ``informants_only`` leaves out interviewer units."""
        sql = ("SELECT s.transcript_id, count(DISTINCT c.segment_id) FROM codings c JOIN segments s ON s.id ="
               " c.segment_id JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version")
        args: list[Any] = []
        if coder is not None:
            sql += " JOIN coders k ON k.id = c.coder_id AND k.name = ?"
            args.append(coder)
        if informants_only:
            sql += (" LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker"
                    " WHERE coalesce(sp.role, 'unknown') != 'interviewer'")
        return {row[0]: int(row[1]) for row in self.db.execute(sql + " GROUP BY s.transcript_id", args)}

    def segment_refs(self, segment_ids: Iterable[int]) -> dict[int, str]:
        """``TRANSCRIPT:N`` of each unit (of any version), by id."""
        ids = sorted({int(i) for i in segment_ids})
        out: dict[int, str] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            out.update({int(r[0]): f"{r[1]}:{r[2]}" for r in self.db.execute(
                f"SELECT id, transcript_id, idx FROM segments WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
        return out

    def neighbours(self, segment_id: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The units just before and after a unit in its transcript version (``idx``, ``speaker``, ``text``), or None
        at either end. Two indexed lookups, cheap enough for every key press."""
        seg = self.db.execute("SELECT transcript_id, version, idx FROM segments WHERE id = ?",
                              (segment_id,)).fetchone()
        if seg is None:
            return None, None
        rows = self.db.execute(
            "SELECT idx, speaker, text FROM segments WHERE transcript_id = ? AND version = ? AND idx IN (?, ?)",
            (seg["transcript_id"], seg["version"], seg["idx"] - 1, seg["idx"] + 1)).fetchall()
        found = {r["idx"]: dict(r) for r in rows}
        return found.get(seg["idx"] - 1), found.get(seg["idx"] + 1)

    # ------------------------------------------------------------------ suggestion decisions

    def record_decision(
        self,
        segment: int | str,
        code_id: str,
        *,
        coder: str,
        decision: str,
        score: float | None = None,
        model_version: str | None = None,
    ) -> Decision:
        """Record a coder's decision on a suggested code ("accepted" or "rejected") with the score and model seen."""
        if decision not in ("accepted", "rejected"):
            raise QualcodeError(f"decision must be 'accepted' or 'rejected', not '{decision}'")
        seg_id = self.resolve_segment(segment)
        with self.transaction():
            cid = self.coder_id(coder)
            created = now_iso()
            cur = self.db.execute(
                "INSERT INTO decisions (segment_id, code_id, coder_id, decision, score, model_version, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seg_id, code_id, cid, decision, score, model_version, created),
            )
            after = {
                "id": cur.lastrowid,
                "segment": seg_id,
                "code": code_id,
                "decision": decision,
                "score": score,
                "model_version": model_version,
                "coder": coder,
                "created": created,
            }
            self.log_event(
                f"suggestion.{decision[:-2] if decision.endswith('ed') else decision}",
                "decision",
                cur.lastrowid,
                coder=coder,
                after=after,
            )
        return cast(Decision, dict(after))

    def delete_decision(self, decision_id: int) -> None:
        """Delete a logged decision (inside a transaction; the caller logs it): undo of a rejection."""
        self.db.execute("DELETE FROM decisions WHERE id = ?", (decision_id,))

    def put_decision(self, state: dict[str, Any]) -> None:
        """Write a logged decision back as it was (undo of its removal, redo of a rejection)."""
        self.db.execute(
            "INSERT OR REPLACE INTO decisions (id, segment_id, code_id, coder_id, decision, score, model_version,"
            " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (state["id"], state["segment"], state["code"], self.coder_id(state["coder"]), state["decision"],
             state.get("score"), state.get("model_version"), state["created"]),
        )

    def decisions(self, *, segment: int | None = None, coder: str | None = None,
                  decision: str | None = None) -> list[Decision]:
        """Decisions on suggestions, oldest first: of one unit, one coder, of one kind ("accepted", "rejected")."""
        sql = (
            "SELECT d.id, d.segment_id AS segment, d.code_id AS code, k.name AS coder, d.decision, d.score,"
            " d.model_version, d.created FROM decisions d JOIN coders k ON k.id = d.coder_id"
        )
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("d.segment_id", segment), ("k.name", coder), ("d.decision", decision)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [cast(Decision, dict(r)) for r in self.db.execute(sql + " ORDER BY d.id", args)]

    # ------------------------------------------------------------------ memos

    def set_memo(self, target_type: str, target_id: str, text: str, *, coder: str) -> Memo | None:
        """Write (or with empty text, delete) this coder's memo on a target."""
        text = clean(text)  # typed or pasted text: no control character reaches an export or a terminal
        if target_type not in ("project", "transcript", "segment", "code", "coding", "case"):
            raise QualcodeError(f"cannot attach a memo to '{target_type}'")
        with self.transaction():
            cid = self.coder_id(coder)
            before = self.memo_state(target_type, str(target_id), cid)
            if text.strip():
                ts = now_iso()
                self.put_memo(target_type, str(target_id), cid, text, created=ts, updated=ts)
            else:
                self.delete_memo(target_type, str(target_id), cid)
            after = self.memo_state(target_type, str(target_id), cid)
            if before != after:
                self.log_event(
                    "memo.set", "memo", f"{target_type}/{target_id}", coder=coder, before=before, after=after
                )
        return after

    def put_memo(self, target_type: str, target_id: str, coder_id: int, text: str, *, created: str,
                 updated: str) -> None:
        """Write one coder's memo on a target as given, dates included (inside a transaction; the caller logs
        it). Setting, undoing, merging and importing memos all write through here; an existing memo keeps its
        creation date."""
        self.db.execute(
            "INSERT INTO memos (target_type, target_id, coder_id, text, created, updated) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(target_type, target_id, coder_id) DO UPDATE SET text = excluded.text,"
            " updated = excluded.updated",
            (target_type, target_id, coder_id, text, created, updated),
        )

    def memo_state(self, target_type: str, target_id: str, coder_id: int) -> Memo | None:
        """One coder's memo on a target (None when there is none), as the event log records it."""
        row = self.db.execute(
            "SELECT m.id, m.target_type, m.target_id, k.name AS coder, m.text, m.created, m.updated FROM memos m"
            " JOIN coders k ON k.id = m.coder_id WHERE m.target_type = ? AND m.target_id = ? AND m.coder_id = ?",
            (target_type, target_id, coder_id),
        ).fetchone()
        return cast(Memo, dict(row)) if row else None

    def memos(self, target_type: str | None = None, target_id: str | None = None) -> list[Memo]:
        sql = (
            "SELECT m.id, m.target_type, m.target_id, k.name AS coder, m.text, m.created, m.updated FROM memos m"
            " LEFT JOIN coders k ON k.id = m.coder_id WHERE 1=1"
        )
        args: list[Any] = []
        if target_type:
            sql += " AND m.target_type = ?"
            args.append(target_type)
        if target_id is not None:
            sql += " AND m.target_id = ?"
            args.append(str(target_id))
        return [cast(Memo, dict(r)) for r in self.db.execute(sql + " ORDER BY m.id", args)]

    # ------------------------------------------------------------------ history (what undo and redo read and write)

    def _undo_stacks(self, coder: str) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
        """Replay this coder's log into undo and redo stacks of action groups (a group = one user action).

        Only :data:`UNDOABLE` actions (and undo/redo of them) count: imports and merges are not the coder's own.
        """
        groups: list[list[dict[str, Any]]] = []
        for ev in self.events(coder=coder):
            action = ev["action"]
            if action == HISTORY_START:
                groups.clear()  # nothing before it is this coder's to take back
                continue
            key = _history_key(ev)
            if key is None:
                continue
            if groups and _history_key(groups[-1][0]) == key:
                groups[-1].append(ev)
            else:
                groups.append([ev])
        undo: list[list[dict[str, Any]]] = []
        redo: list[list[dict[str, Any]]] = []
        for group in groups:
            action = group[0]["action"]
            if action == "undo":
                if undo and {e["undo_of"] for e in group} & {e["id"] for e in undo[-1]}:
                    undo.pop()
                redo.append(group)
            elif action == "redo":
                if redo and {e["undo_of"] for e in group} & {e["id"] for e in redo[-1]}:
                    redo.pop()
                undo.append(group)
            else:
                undo.append(group)
                redo.clear()
        return undo, redo

    def start_history(self, coders: list[str]) -> None:
        """From now on, undo and redo of these coders do not go back past this point (used when the bundled
        example is built: its findings and codings are filed under its coders, but are not the user's actions)."""
        with self.transaction():
            for name in coders:
                self.log_event(HISTORY_START, "project", None, coder=name)

    def original_event(self, event_id: int) -> tuple[int, str]:
        """The id and action of the user's change behind an event: for an undo or redo event, the change it
        (eventually) reverses, so redoing a link says ``finding.link`` rather than ``undo``."""
        ev_id, action, undo_of = event_id, "undo", event_id
        while action in ("undo", "redo") and undo_of is not None:
            row = self.db.execute("SELECT id, action, undo_of FROM events WHERE id = ?", (undo_of,)).fetchone()
            if row is None:
                break
            ev_id, action, undo_of = int(row[0]), str(row[1]), row[2]
        return ev_id, action

    def put_coding(self, state: CodingState) -> None:
        """Write a coding exactly as a logged state holds it (id included; inside a transaction, the caller logs
        it). Undo and redo restore codings through here."""
        cid = self.coder_id(state["coder"])
        self.db.execute(
            "INSERT INTO codings (id, segment_id, code_id, coder_id, created, memo, source, score, model_version,"
            " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET memo = excluded.memo,"
            " status = excluded.status",
            (state["id"], state["segment_id"], state["code_id"], cid, state["created"], state["memo"],
             state["source"], state["score"], state["model_version"], state["status"]),
        )

    def delete_coding(self, coding_id: int) -> None:
        """Delete a coding row (inside a transaction; the caller logs it)."""
        self.db.execute("DELETE FROM codings WHERE id = ?", (coding_id,))

    def delete_memo(self, target_type: str, target_id: str, coder_id: int) -> None:
        """Delete one coder's memo on a target (inside a transaction; the caller logs it)."""
        self.db.execute("DELETE FROM memos WHERE target_type = ? AND target_id = ? AND coder_id = ?",
                        (target_type, target_id, coder_id))

    def put_speaker(self, transcript_id: str, label: str, state: dict[str, Any]) -> None:
        """Give a speaker label the role, informant, ``assigned_by`` and ``how`` a logged state holds (inside a
        transaction; the caller logs it). Undo and redo of a role set by hand restore speakers through here."""
        self.db.execute(
            "UPDATE speakers SET role = ?, case_id = ?, assigned_by = ?, how = ? WHERE transcript_id = ? AND label = ?",
            (state["role"], state["case_id"], state.get("assigned_by", "import"),
             # (states logged before 'how' was kept: a correction by hand says so, an import's reason is lost)
             state["how"] if "how" in state else "set by hand" if state.get("assigned_by") == "user" else None,
             transcript_id, label),
        )

    def put_record(self, transcript_id: str, record: str | None) -> None:
        """Set what kind of record a transcript is (verbatim or notes; None: as imported), inside a transaction; the
        caller logs it."""
        self.db.execute("UPDATE transcripts SET record = ? WHERE id = ?", (record, transcript_id))

    # ------------------------------------------------------------------ summary

    def review_count(self) -> int:
        """How many codings are flagged 'needs_review' (e.g. after a new transcript version moved their text)."""
        return int(self.db.execute("SELECT count(*) FROM codings WHERE status = 'needs_review'").fetchone()[0])

    def status(self, *, consensus: str | None = None, machine: Iterable[str] = ()) -> ProjectStatus:
        """The project's counts (current transcript versions only). ``coders`` counts the names with codings other
        than ``consensus`` (whose codings are ``agreed_codings``) and the ``machine`` names: which names those are
        is the teams layer's to say, see :func:`qualcode.teams.project_status`."""
        q = lambda sql: int(self.db.execute(sql).fetchone()[0])  # noqa: E731
        current = " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version"
        by_coder = {str(name): int(n) for name, n in self.db.execute(
            "SELECT k.name, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id JOIN segments s"
            " ON s.id = c.segment_id" + current + " GROUP BY k.name")}
        people = set(by_coder) - {consensus} - set(machine)
        return {
            "project": self.name,
            "path": str(self.path),
            "schema": self.schema_version(),
            "codebook": self.setting("codebook_name"),
            "transcripts": q("SELECT count(*) FROM transcripts WHERE kind != 'document'"),
            "documents": q("SELECT count(*) FROM transcripts WHERE kind = 'document'"),
            "segments": q("SELECT count(*) FROM segments s" + current),
            "codes": q("SELECT count(*) FROM codes WHERE active = 1"),
            "codings": q("SELECT count(*) FROM codings c JOIN segments s ON s.id = c.segment_id" + current),
            "coded_segments": q(
                "SELECT count(DISTINCT c.segment_id) FROM codings c JOIN segments s ON s.id = c.segment_id" + current
            ),
            "cases": q("SELECT count(*) FROM cases"),
            # people who coded: not the name agreed codings are filed under, not a program's name, not someone
            # who only imported files (their agreed codings are counted on their own line)
            "coders": len(people),
            "agreed_codings": by_coder.get(consensus, 0) if consensus else 0,
            "memos": q("SELECT count(*) FROM memos"),
            "events": q("SELECT count(*) FROM events"),
            "needs_review": self.review_count(),
        }

    # ------------------------------------------------------------------ marks: units a coder decided not to code

    def mark_state(self, segment_id: int, coder_id: int) -> dict[str, Any] | None:
        """One coder's mark on a unit (None when there is none), as the event log records it."""
        row = self.db.execute(
            "SELECT m.segment_id, k.name AS coder, m.mark, m.created FROM unit_marks m JOIN coders k"
            " ON k.id = m.coder_id WHERE m.segment_id = ? AND m.coder_id = ?", (segment_id, coder_id)).fetchone()
        return dict(row) if row else None

    def set_mark(self, segment: int | str, mark: str | None, *, coder: str) -> dict[str, Any] | None:
        """Mark a unit 'not_codable' or 'skipped' for ``coder`` (None clears the mark); logged and undoable.
        Returns the mark as stored (None once cleared)."""
        if mark is not None and mark not in MARKS:
            raise QualcodeError(f"unknown mark '{mark}'", hint=f"use one of {', '.join(MARKS)}")
        seg = self.resolve_segment(segment)
        with self.transaction():
            cid = self.coder_id(coder)
            before = self.mark_state(seg, cid)
            if mark is None:
                self.delete_mark(seg, cid)
            elif before is None or before["mark"] != mark:
                self.put_mark(seg, cid, mark, created=now_iso())
            after = self.mark_state(seg, cid)
            if before != after:
                self.log_event("mark.set", "mark", seg, coder=coder, before=before, after=after)
        return after

    def put_mark(self, segment_id: int, coder_id: int, mark: str, *, created: str) -> None:
        """Write one coder's mark on a unit as given (inside a transaction; the caller logs it)."""
        self.db.execute(
            "INSERT INTO unit_marks (segment_id, coder_id, mark, created) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(segment_id, coder_id) DO UPDATE SET mark = excluded.mark, created = excluded.created",
            (segment_id, coder_id, mark, created))

    def delete_mark(self, segment_id: int, coder_id: int) -> None:
        self.db.execute("DELETE FROM unit_marks WHERE segment_id = ? AND coder_id = ?", (segment_id, coder_id))

    def units_done(self, segment_ids: Iterable[int], *, coder: str) -> set[int]:
        """Which of these units ``coder`` has coded or marked not codable: one query per 400 units."""
        ids = [int(i) for i in segment_ids]
        out: set[int] = set()
        for start in range(0, len(ids), 400):
            chunk = ids[start:start + 400]
            marks = ",".join("?" * len(chunk))
            out.update(int(r[0]) for r in self.db.execute(
                "SELECT c.segment_id FROM codings c JOIN coders k ON k.id = c.coder_id AND k.name = ?"
                f" WHERE c.segment_id IN ({marks})"
                " UNION SELECT m.segment_id FROM unit_marks m JOIN coders k ON k.id = m.coder_id AND k.name = ?"
                f" WHERE m.mark = 'not_codable' AND m.segment_id IN ({marks})", [coder, *chunk, coder, *chunk]))
        return out

    def marks(self, *, transcript: str | None = None, coder: str | None = None, segment: int | None = None,
              mark: str | None = None) -> list[dict[str, Any]]:
        """Marks on units of current transcript versions: segment id, ``ref``, coder, mark and when it was set."""
        sql = ("SELECT m.segment_id AS segment, s.transcript_id || ':' || s.idx AS ref, s.transcript_id AS transcript,"
               " k.name AS coder, m.mark, m.created FROM unit_marks m JOIN coders k ON k.id = m.coder_id"
               " JOIN segments s ON s.id = m.segment_id"
               " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version WHERE 1=1")
        args: list[Any] = []
        for column, value in (("s.transcript_id", transcript), ("k.name", coder), ("m.segment_id", segment),
                              ("m.mark", mark)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY s.transcript_id, s.idx, k.name", args)]

    # ------------------------------------------------------------------ where each coder was in each transcript

    def set_position(self, transcript: str, segment_id: int, *, coder: str) -> None:
        """Remember the unit ``coder`` is on in ``transcript`` (not logged: moving changes nothing)."""
        row = self.db.execute("SELECT idx FROM segments WHERE id = ?", (segment_id,)).fetchone()
        if row is None:
            return
        with self.transaction():
            self.db.execute(
                "INSERT INTO coder_positions (transcript_id, coder_id, segment_id, idx, updated) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(transcript_id, coder_id) DO UPDATE SET segment_id = excluded.segment_id,"
                " idx = excluded.idx, updated = excluded.updated",
                (transcript, self.coder_id(coder), segment_id, int(row[0]), now_iso()))

    def position(self, transcript: str, *, coder: str) -> int | None:
        """The unit number (in the current version) ``coder`` was last on in ``transcript``, or None.

        When a new version replaced that unit, the same unit number, kept within the new version's units."""
        row = self.db.execute(
            "SELECT p.segment_id, p.idx FROM coder_positions p JOIN coders k ON k.id = p.coder_id"
            " WHERE p.transcript_id = ? AND k.name = ?", (transcript, coder)).fetchone()
        if row is None:
            return None
        found = self.db.execute(
            "SELECT s.idx FROM segments s JOIN transcripts t ON t.id = s.transcript_id"
            " AND t.current_version = s.version WHERE s.id = ?", (row[0],)).fetchone()
        if found is not None:
            return int(found[0])
        last = self.db.execute(
            "SELECT max(s.idx) FROM segments s JOIN transcripts t ON t.id = s.transcript_id"
            " AND t.current_version = s.version WHERE s.transcript_id = ?", (transcript,)).fetchone()[0]
        return min(int(row[1]), int(last)) if last else None

    # ------------------------------------------------------------------ the undo index
    #
    # A coder's undo and redo stacks are linked lists of action groups kept beside the log (history_state,
    # history_links) and updated as each event is appended, so undo reads the top group and the one below it
    # whatever the length of the history. _undo_stacks, the replay of the whole log, is the definition; the index
    # is rebuilt from it when it is missing or behind (a project from before the index, events logged without it).

    _HISTORY_ACTIONS = (*sorted(UNDOABLE), "undo", "redo", HISTORY_START)

    def _history_row(self, coder: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT undo_top, redo_top, last_key, through FROM history_state WHERE coder = ?",
                              (coder,)).fetchone()
        return dict(row) if row else None

    def _history_save(self, coder: str, state: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO history_state (coder, undo_top, redo_top, last_key, through) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(coder) DO UPDATE SET undo_top = excluded.undo_top, redo_top = excluded.redo_top,"
            " last_key = excluded.last_key, through = excluded.through",
            (coder, state["undo_top"], state["redo_top"], state["last_key"], state["through"]))

    def _history_below(self, key: int) -> int | None:
        row = self.db.execute("SELECT below FROM history_links WHERE group_key = ?", (key,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def _history_push(self, state: dict[str, Any], stack: str, key: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO history_links (group_key, below) VALUES (?, ?)",
                        (key, state[stack]))
        state[stack] = key

    def _history_group_of(self, event_id: int | None) -> int | None:
        if event_id is None:
            return None
        row = self.db.execute("SELECT id, action_group FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        return int(row[1]) if row[1] is not None else -int(row[0])

    def _history_step(self, state: dict[str, Any], ev: dict[str, Any]) -> None:
        """Take one appended event into a coder's stacks (the incremental form of :meth:`_undo_stacks`)."""
        state["through"] = max(int(state["through"]), int(ev["id"]))
        if ev["action"] == HISTORY_START:
            state.update(undo_top=None, redo_top=None, last_key=None)
            return
        key = _history_key(ev)
        if key is None or key == state["last_key"]:
            return  # not an undoable action, or the rest of a group already stacked
        state["last_key"] = key
        if ev["action"] == "undo":
            if state["undo_top"] is not None and self._history_group_of(ev["undo_of"]) == state["undo_top"]:
                state["undo_top"] = self._history_below(state["undo_top"])
            self._history_push(state, "redo_top", key)
        elif ev["action"] == "redo":
            if state["redo_top"] is not None and self._history_group_of(ev["undo_of"]) == state["redo_top"]:
                state["redo_top"] = self._history_below(state["redo_top"])
            self._history_push(state, "undo_top", key)
        else:
            self._history_push(state, "undo_top", key)
            state["redo_top"] = None

    def _history_follow(self, coder: str, ev: dict[str, Any]) -> None:
        """Keep the index in step with an event just appended (when the coder has an index that is up to date)."""
        state = self._history_row(coder)
        if state is None:
            return  # built from the log the first time it is needed
        if self.db.execute(
            f"SELECT 1 FROM events WHERE coder = ? AND id > ? AND id < ? AND action IN"
            f" ({','.join('?' * len(self._HISTORY_ACTIONS))}) LIMIT 1",
            (coder, state["through"], ev["id"], *self._HISTORY_ACTIONS),
        ).fetchone():
            self.db.execute("DELETE FROM history_state WHERE coder = ?", (coder,))  # behind: rebuilt when needed
            return
        self._history_step(state, ev)
        self._history_save(coder, state)

    def _history_rebuild(self, coder: str) -> dict[str, Any]:
        """Build a coder's index from the whole log (once per coder, or after it fell behind)."""
        undo, redo = self._undo_stacks(coder)
        state: dict[str, Any] = {"undo_top": None, "redo_top": None, "last_key": None, "through": 0}
        for stack, top in ((undo, "undo_top"), (redo, "redo_top")):
            for group in stack:
                self._history_push(state, top, int(_history_key(group[0]) or 0))
        last = self.db.execute("SELECT max(id) FROM events WHERE coder = ?", (coder,)).fetchone()[0]
        state["through"] = int(last or 0)
        for row in self.db.execute(
            f"SELECT id, action, action_group, undo_of, after, entity FROM events WHERE coder = ? AND action IN"
            f" ({','.join('?' * len(self._HISTORY_ACTIONS))}) ORDER BY id DESC LIMIT 1",
            (coder, *self._HISTORY_ACTIONS),
        ):
            ev = dict(row)
            ev["after"] = json.loads(ev["after"]) if ev["after"] else None
            state["last_key"] = None if ev["action"] == HISTORY_START else _history_key(ev)
        self._history_save(coder, state)
        return state

    def history_group(self, coder: str, kind: str) -> list[dict[str, Any]]:
        """The events of the action ``coder``'s next ``kind`` ('undo' or 'redo') would take back, oldest first
        (empty when there is nothing to undo or redo). Reads two rows of the index and the group's events."""
        state = self._history_row(coder)
        if state is None or self.db.execute(
            f"SELECT 1 FROM events WHERE coder = ? AND id > ? AND action IN"
            f" ({','.join('?' * len(self._HISTORY_ACTIONS))}) LIMIT 1",
            (coder, state["through"], *self._HISTORY_ACTIONS),
        ).fetchone():
            state = self._history_rebuild(coder)
        key = state["undo_top" if kind == "undo" else "redo_top"]
        if key is None:
            return []
        if key < 0:
            rows = self.db.execute("SELECT * FROM events WHERE id = ?", (-key,)).fetchall()
        else:
            rows = self.db.execute("SELECT * FROM events WHERE action_group = ? AND coder = ? ORDER BY id",
                                   (key, coder)).fetchall()
        out = []
        for row in rows:
            d = dict(row)
            d["before"] = json.loads(d["before"]) if d["before"] else None
            d["after"] = json.loads(d["after"]) if d["after"] else None
            if _history_key(d) == key:
                out.append(d)
        return out


def _history_key(ev: dict[str, Any]) -> int | None:
    """The undo/redo group an event belongs to (its action group, or minus its id when it has none), or None when
    the event is not a coder's own undoable action: imports and merges, and events logged before their kind could
    be undone (findings, suggestion decisions and marks logged without a group)."""
    action = ev["action"]
    if action not in UNDOABLE and action not in ("undo", "redo"):
        return None
    group = ev.get("action_group")
    if group is None and action.startswith(("finding.", "suggestion.", "mark.")):
        return None
    if action == "coding.add" and _legacy_import(ev):
        return None
    return int(group) if group is not None else -int(ev["id"])


def _legacy_import(ev: dict[str, Any]) -> bool:
    """An imported coding logged before imports had their own action (``coding.add`` with source "import").

    Kept as a check rather than rewritten by a migration: the event log is the audit trail, append-only by design
    (a trigger refuses UPDATE and DELETE), so what was written at the time stays as written. Only projects
    imported into before ``coding.import`` existed have such events.
    """
    return ev["action"] == "coding.add" and (ev["after"] or {}).get("source") == "import"


def source_type_of(kind: str | None, attrs: dict[str, Any]) -> str:
    """The data source a transcript or document is: "document" for a desk-review document, else the interview type
    its ``type`` attribute names (KII, FGD, ...; an interview without a type is a key-informant interview)."""
    if kind == "document":
        return "document"
    text = str(attrs.get("type") or "").strip()
    if not text:
        return "KII"
    from qualcode.speakers import is_group_type  # the test the import's guess of a conversation uses

    if is_group_type(text):
        return "FGD"
    low = text.lower()
    if low in ("kii", "interview", "key informant interview", "key-informant interview"):
        return "KII"
    return text


def is_interviewer_label(label: str) -> bool:
    """True for the interviewing side's usual labels ("Interviewer", "Q", "Researcher 1", "Entrevistador")."""
    from qualcode.speakers import is_interviewer_label as _is_interviewer

    return _is_interviewer(label)


def default_role(label: str, labels: Iterable[str] = ()) -> str:
    """The role a speaker label gets before any case sheet says more: a heading is context (like the
    interviewer's question), notes are the informant's, an interviewer label is the interviewer, and "B:" beside
    "I:" (``labels``: the transcript's others) the respondent, as f4/f5 transcripts label them."""
    from qualcode.speakers import HEADING_SPEAKER, NOTES_SPEAKER, f4_respondents, role_of_label

    if label == HEADING_SPEAKER:
        return "interviewer"
    if label == NOTES_SPEAKER or label in f4_respondents(labels):
        return "informant"
    return "interviewer" if role_of_label(label) == "interviewer" else "unknown"


def version_metadata(parsed: ParsedTranscript) -> dict[str, Any]:
    """What a transcript version stores besides its text: the file's metadata, what the import recognised (its
    record, the layout it detected, what it left out), so reports and ``doctor`` can say it later."""
    data = dict(parsed.metadata)
    if parsed.kind != "document":
        data["record"] = parsed.record
    if parsed.detected or parsed.warnings:
        data["import"] = {"detected": parsed.detected, "notes": list(parsed.warnings)}
    return data


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN ... END)."""
    statements: list[str] = []
    buf: list[str] = []
    in_trigger = False
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            in_trigger = True
        if in_trigger:
            if upper.endswith("END;"):
                statements.append("\n".join(buf))
                buf, in_trigger = [], False
        elif stripped.endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    if buf and "".join(buf).strip():
        statements.append("\n".join(buf))
    return statements
