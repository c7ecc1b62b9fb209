"""Keeping the work safe: backup, restore, doctor, redact (identifier check, pseudonymised copies), reanchor reviews."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from qualcode.cli._common import (
    Commands,
    coder_option,
    command,
    emit,
    force_option,
    group,
    json_option,
    open_project,
    project_dir,
    replace_prompt,
    table,
    unit_names_option,
)
from qualcode.model import ListedName


def register(commands: Commands) -> None:
    p = command(commands, "backup", cmd_backup,
                help="copy the project database while others keep working (SQLite backup API)",
                description="Write a consistent copy of the project database, checked for integrity, to"
                            " FILE or FOLDER (default: DIR/backups/qualcode-YYYYmmdd-HHMMSS.db). Safe while"
                            " other qualcode windows are coding.", options=[json_option])
    p.add_argument("dest", nargs="?", metavar="FILE_OR_FOLDER", help="a .db file, or a folder for a time-stamped file")
    p.add_argument("--force", action="store_true", help="overwrite an existing backup file")

    p = command(commands, "restore", cmd_restore, help="create a new project folder from a backup file",
                description="Check BACKUP and restore it into NEWDIR (an existing project is never"
                            " overwritten; compare, then swap folders yourself).", options=[json_option],
                project=False)
    p.add_argument("backup", metavar="BACKUP")
    p.add_argument("dir", metavar="NEWDIR")

    p = command(commands, "doctor", cmd_doctor,
                help="check the project: integrity, orphans, migrations, event log, reviews",
                description="Check the project's database (SQLite integrity, broken references, orphan"
                            " codings and memos, unit offsets, migration state, event log, codings waiting"
                            " for review, write-ahead log). Exit status 1 if an error was found.",
                options=[json_option])
    p.add_argument("--fix", action="store_true", help="apply pending migrations and checkpoint the write-ahead log")

    names = group(commands, "names", help="the name list: people mentioned in transcripts who are not informants",
                  description="People named in passing (an adviser, an official) are replaced in every export"
                              " by '[name]', or by the role given with --as. Informants' names come from the"
                              " case sheet and need no listing.", dest="names_command")
    p = command(names, "add", cmd_names_add, help="add people to the name list", options=[coder_option, json_option])
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--as", dest="shown_as", metavar="ROLE",
                   help="what exports show instead, e.g. \"the chamber's adviser\" (default: [name])")
    p = command(names, "import", cmd_names_import, help="add the people of a file: one per line, or CSV name,role",
                options=[coder_option, json_option])
    p.add_argument("file", metavar="FILE")
    p = command(names, "remove", cmd_names_remove, help="take people off the name list",
                options=[coder_option, json_option])
    p.add_argument("names", nargs="+", metavar="NAME")
    p = command(names, "list", cmd_names_list, help="the name list (names only with --show-names)",
                options=[json_option])
    p.add_argument("--show-names", action="store_true", help="show the names (confidential)")

    p = command(commands, "redact", cmd_redact,
                help="list identifiers still in transcripts (--check) or write pseudonymised copies",
                description="--check lists names (case sheet, speaker labels, interviewers, titled names"
                            " like 'Mr. Hung'), e-mail addresses and phone numbers still present in the"
                            " transcripts (exit status 1 if any); --out DIR writes each transcript with"
                            " pseudonyms instead, for sharing.", options=[force_option, json_option])
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="list identifiers present in the transcripts")
    mode.add_argument("-o", "--out", metavar="DIR", help="write pseudonymised transcripts (TRANSCRIPT.txt) to DIR")
    p.add_argument("--transcript", metavar="ID", help="only this transcript")

    actions = group(commands, "reanchor", help="review codings flagged when a corrected transcript was re-imported",
                    dest="reanchor_command")
    p = command(actions, "list", cmd_reanchor_list,
                help="flagged codings with their old passage and the best candidate unit",
                options=[unit_names_option, json_option])
    p.add_argument("--transcript", metavar="ID")
    p = command(actions, "place", cmd_reanchor_place, help="put a flagged coding on a unit of the current version",
                options=[coder_option, json_option])
    p.add_argument("coding", type=int, metavar="CODING", help="coding id (from 'qualcode reanchor list')")
    p.add_argument("--segment", required=True, metavar="REF", help="TRANSCRIPT:N in the current version")


def cmd_backup(args: argparse.Namespace) -> int:
    from qualcode.safety.backup import backup_project

    with open_project(args) as project:
        data = backup_project(project, args.dest, force=args.force)
    return emit(args, data, lambda d: print(
        f"backup written: {d['path']} ({d['bytes'] / 1_000_000:.1f} MB, integrity ok; {d['transcripts']} transcripts,"
        f" {d['codings']} codings, {d['events']} events)"))


def cmd_restore(args: argparse.Namespace) -> int:
    from qualcode.safety.backup import restore_backup

    data = restore_backup(args.backup, args.dir)
    return emit(args, data, lambda d: print(
        f"restored {d['from']} into {d['path']}: {d['transcripts']} transcripts, {d['codings']} codings"))


def cmd_doctor(args: argparse.Namespace) -> int:
    from qualcode.safety.doctor import run_doctor

    report = run_doctor(project_dir(args), fix=args.fix)

    def human(r: dict[str, Any]) -> None:
        marks = {"ok": "ok  ", "warning": "WARN", "error": "FAIL"}
        for c in r["checks"]:
            line = f"{marks[c['status']]}  {c['check']}: {c['detail']}"
            if c["status"] != "ok" and c.get("hint"):
                line += f" ({c['hint']})"
            print(line)
        print(f"{r['errors']} error(s), {r['warnings']} warning(s)")

    emit(args, report, human)
    return 1 if report["errors"] else 0


def _names_done(args: argparse.Namespace, data: list[ListedName]) -> int:
    return emit(args, {"names": len(data)}, lambda d: print(f"The name list holds {d['names']} name(s)."))


def cmd_names_add(args: argparse.Namespace) -> int:
    from qualcode.actions.confidentiality import add_names

    with open_project(args) as project:
        data = add_names(project, args.names, coder=args.coder, shown_as=args.shown_as)
    return _names_done(args, data)


def cmd_names_import(args: argparse.Namespace) -> int:
    from collections import Counter

    from qualcode.actions.confidentiality import import_names
    from qualcode.safeio.cleaning import describe

    removed: Counter[str] = Counter()
    name_like: list[int] = []
    with open_project(args) as project:
        data = import_names(project, args.file, coder=args.coder, removed=removed, name_like_roles=name_like)
    warning = describe(removed, "the name list file")
    if warning:
        print(f"qualcode: warning: {warning}", file=sys.stderr)
    if name_like:
        # the line numbers only: the names themselves stay off the screen
        more = f" and {len(name_like) - 10} more" if len(name_like) > 10 else ""
        lines = ", ".join(map(str, name_like[:10])) + more
        print(f"qualcode: warning: the second column of line(s) {lines} reads like part of a name, and exports show"
              " it in place of the name; if such a line is one person written 'Last, First', put it in quotes"
              " (\"Jensen, Clara\") and import the file again, then 'qualcode names remove' the wrong entries",
              file=sys.stderr)
    return _names_done(args, data)


def cmd_names_remove(args: argparse.Namespace) -> int:
    from qualcode.actions.confidentiality import remove_names

    with open_project(args) as project:
        data = remove_names(project, args.names, coder=args.coder)
    return _names_done(args, data)


def cmd_names_list(args: argparse.Namespace) -> int:
    from qualcode.actions.views import name_list

    with open_project(args) as project:
        rows = name_list(project, show_names=args.show_names)
    return emit(args, rows, lambda d: table(d, ["name", "shown_as"]))


def cmd_redact(args: argparse.Namespace) -> int:
    from qualcode.safety.redact import identifier_check, write_redacted

    with open_project(args) as project:
        if args.out:
            data = write_redacted(project, args.out, args.transcript, force=args.force, confirm=replace_prompt())
            return emit(args, data, lambda d: print(f"{len(d['files'])} pseudonymised transcript(s) in {d['folder']}"))
        data = identifier_check(project, args.transcript)

    def human(d: dict[str, Any]) -> None:
        table(d["hits"], ["ref", "where", "kind", "found", "replacement", "context"], widths={"context": 60})
        counts = ", ".join(f"{n} {k}" for k, n in sorted(d["counts"].items())) or "none"
        print(f"{len(d['hits'])} identifier(s) in {d['units']} units of {d['transcripts']} transcript(s) and the"
              f" project's memos, findings, ids and file names: {counts}")
        if any(h["replacement"] is None for h in d["hits"]):
            print("names in ids and file names, and paths of your machine, appear in every export as they are:"
                  " re-import with an id that holds no name (case sheet transcript_id / case_id)")

    emit(args, data, human)
    return 1 if data["hits"] else 0


def cmd_reanchor_list(args: argparse.Namespace) -> int:
    from qualcode.actions.views import flagged_codings

    with open_project(args) as project:
        rows = flagged_codings(project, args.transcript, show_names=args.show_names)
    return emit(args, rows, lambda d: table(d, ["coding", "code", "coder", "old_ref", "candidate", "similarity",
                                                "reason", "old_text"], widths={"old_text": 50, "reason": 40}))


def cmd_reanchor_place(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import place_flagged

    with open_project(args) as project:
        data = place_flagged(project, args.coding, args.segment, coder=args.coder)
    return emit(args, data, lambda d: print(f"coding {d['id']} ({d['code']}) placed on {d['ref']}"))
