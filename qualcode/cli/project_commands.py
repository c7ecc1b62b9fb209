"""Foundation commands: projects, import, codebooks, segments, codings, memos, the log, undo/redo, the example."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    Commands,
    coder_option,
    command,
    emit,
    group,
    json_option,
    open_project,
    progress_option,
    table,
    unit_names_option,
)
from qualcode.errors import CodebookError, QualcodeError

NEW_PROJECT_HELP = "the folder to create the project in (the same as DIR)"


def register(commands: Commands) -> None:
    p = command(commands, "init", cmd_init, help="create a new project folder",
                description="Create a project in DIR with the default evaluation-criteria codebook (or --codebook"
                            " FILE).", options=[json_option], project=NEW_PROJECT_HELP)
    p.add_argument("dir", metavar="DIR", nargs="?", help="the folder to create (or give it with -p)")
    p.add_argument("--codebook", metavar="FILE", help="codebook YAML (default: the shipped evaluation criteria)")
    p.add_argument("--name", help="project name (default: the folder name)")
    p.add_argument("--coder", metavar="NAME", help="default coder for this project")

    p = command(commands, "example", cmd_example, help="create a working copy of the bundled example project",
                description="Create DIR with the bundled example evaluation: 14 transcripts, 2 desk-review"
                            " documents, case sheet, codebook, the team's human codings and draft findings.",
                options=[json_option],
                project=NEW_PROJECT_HELP)
    p.add_argument("dir", metavar="DIR", nargs="?", help="the folder to create (or give it with -p)")
    p.add_argument("--force", action="store_true", help="replace a project already in DIR")

    p = command(commands, "import", cmd_import,
                help="import transcripts (txt, md, docx, vtt, srt, sbv), documents (pdf, docx, html, md, txt) and"
                     " sheets",
                description="Import transcript files and/or a case sheet (CSV or XLSX), and desk-review documents with"
                            " --document (a .pdf file is always a document, an .html file unless its paragraphs are"
                            " speakers' turns) and their documents sheet, and"
                            " print the import report: per file what was recognised, each speaker with its units,"
                            " role and case, the metadata found and warnings for what is likely wrong. Re-importing"
                            " a changed file creates a new version and re-anchors its codings; the same text under"
                            " another file name is recognised and not imported twice.",
                options=[coder_option, progress_option, json_option])
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="transcript files, or folders (the transcripts, documents and sheets in them); a spreadsheet"
                        " among them is the case sheet when --cases is not given")
    p.add_argument("--cases", metavar="FILE", help="case sheet mapping transcripts/speakers to informants")
    p.add_argument("--dry-run", action="store_true", help="print the import report and change nothing")
    p.add_argument("--document", nargs="+", action="extend", default=[], metavar="FILE",
                   help="desk-review documents: PDF (with a text layer), Word .docx, HTML, Markdown or text")
    p.add_argument("--document-sheet", metavar="FILE",
                   help="documents sheet (CSV or XLSX): file or document_id, title, type, organisation, year, ...")

    command(commands, "status", cmd_status, help="counts of transcripts, segments, codes, codings, cases, coders",
            options=[json_option])
    p = command(commands, "transcripts", cmd_transcripts,
                help="list transcripts; correct a speaker's role, mark notes, or remove a transcript",
                description="Without an action: every transcript with its type, record (verbatim or notes),"
                            " stakeholder groups, format, units and coding progress.", options=[json_option])
    p.add_argument("--show-names", action="store_true",
                   help="--json: speaker labels, titles and the files' header details as they are (confidential; by"
                        " default names show as in exports)")
    actions = p.add_subparsers(dest="transcripts_command", required=False)
    q = command(actions, "speakers", cmd_transcripts_speakers,
                help="a transcript's speakers with their units, role, case and warnings", options=[json_option])
    q.add_argument("transcript", metavar="TRANSCRIPT")
    q = command(actions, "set-role", cmd_transcripts_set_role,
                help="correct a speaker's role (kept by later imports; undoable)", options=[coder_option, json_option])
    q.add_argument("transcript", metavar="TRANSCRIPT")
    q.add_argument("speaker", metavar="SPEAKER", help="the speaker label as 'qualcode transcripts speakers' shows it")
    q.add_argument("role", choices=["interviewer", "informant", "unknown"])
    q.add_argument("--case", metavar="ID", help="the informant's case (default: the case it has)")
    q = command(actions, "set-record", cmd_transcripts_set_record,
                help="mark a transcript as verbatim or as interview notes (paraphrase)",
                options=[coder_option, json_option])
    q.add_argument("transcript", metavar="TRANSCRIPT")
    q.add_argument("record", choices=["verbatim", "notes"])
    q = command(actions, "remove", cmd_transcripts_remove,
                help="remove a transcript (refused while it has codings; logged, undoable)",
                options=[coder_option, json_option])
    q.add_argument("transcript", metavar="ID")
    q.add_argument("--with-codings", action="store_true", help="remove it even though it has codings (they go too)")
    q = command(actions, "done", cmd_transcripts_done,
                help="say your coding of transcripts is finished (two coders done: it joins the agreement sample)",
                description="Mark your coding of these transcripts done (--undo: not done after all). A transcript"
                            " two or more people marked done was coded by each of them: it joins the agreement"
                            " sample, comparing them, unless a coder took it out of the sample. Agreement on a"
                            " sample transcript is final once every coder compared there marked it done.",
                options=[coder_option, json_option])
    q.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT")
    q.add_argument("--undo", action="store_true", help="your coding of them is not finished after all")

    command(commands, "documents", cmd_documents,
            help="list desk-review documents with title, type, pages and coding progress", options=[json_option])

    p = command(commands, "cases", cmd_cases,
                help="list informants (cases), their attributes and how quotes attribute them",
                description="Informants with their attributes and the attribution their quotes get: the case"
                            " sheet's 'attribution' column verbatim, else the project's template. Template fields:"
                            " {role}, {organisation_type}, {group}, {location}, {sex}, {type} or any case-sheet"
                            " column; {a role} adds the article; text in [...] is left out when a field in it is"
                            " empty.", options=[coder_option, json_option])
    p.add_argument("--show-names", action="store_true", help="include informants' names (confidential)")
    p.add_argument("--attribution-template", metavar="TEMPLATE",
                   help="how interviews are attributed (default: 'Interview with {a role}[ of {a organisation_type}]"
                        "[, {location}]')")
    p.add_argument("--fgd-attribution-template", metavar="TEMPLATE",
                   help="how focus groups are attributed (default: 'FGD with {composition}[, {location}]')")
    p.add_argument("--attribution-k", type=int, metavar="K",
                   help="a focus-group participant's detail is shown only when K participants share it (default 2)")
    p.add_argument("--default-attribution", action="store_true", help="restore the default templates and k")

    p = command(commands, "segments", cmd_segments,
                help="list coding units with speaker, offsets, text and attributes",
                options=[unit_names_option, json_option])
    p.add_argument("--transcript", metavar="ID")
    p.add_argument("--informants-only", action="store_true", help="leave out interviewer turns")

    actions = group(commands, "codebook", help="validate, show or change the codebook", dest="codebook_command")
    p = command(actions, "validate", cmd_codebook_validate, help="check a codebook file and list every problem",
                options=[json_option], project=False)
    p.add_argument("file", metavar="FILE")
    p = command(actions, "show", cmd_codebook_show, help="the project's code tree with coding counts",
                options=[json_option])
    p.add_argument("--yaml", action="store_true", help="print the codebook as YAML")
    p = command(actions, "set", cmd_codebook_set,
                help="replace the project's codebook (codings are kept; codes matched by id)",
                options=[coder_option, json_option])
    p.add_argument("file", metavar="FILE")

    actions = group(commands, "codings", help="add, remove, list or import codings", dest="codings_command")
    p = command(actions, "add", cmd_codings_add, help="apply a code to a segment",
                options=[coder_option, json_option])
    p.add_argument("--segment", required=True, metavar="ID", help="segment id or TRANSCRIPT:N")
    p.add_argument("--code", required=True, metavar="ID")
    p.add_argument("--memo", metavar="TEXT")
    p.add_argument("--allow-interviewer", action="store_true",
                   help="code an interviewer's unit anyway (refused by default: questions are context, counted and"
                        " exported nowhere)")
    p = command(actions, "remove", cmd_codings_remove, help="remove a coding (by --id, or --segment and --code)",
                options=[coder_option, json_option])
    p.add_argument("--id", type=int, metavar="N", help="coding id")
    p.add_argument("--segment", metavar="ID")
    p.add_argument("--code", metavar="ID")
    p = command(actions, "list", cmd_codings_list, help="list codings", options=[json_option])
    p.add_argument("--transcript", metavar="ID")
    p.add_argument("--code", metavar="ID")
    p.add_argument("--coder", metavar="NAME", help="only this coder's codings")
    p.add_argument("--marks", action="store_true",
                   help="also the units marked not codable or skipped for now (code '-', source the mark)")
    p.add_argument("--show-names", action="store_true",
                   help="--json: coding memos as written (confidential; by default names show as in exports)")
    p = command(actions, "mark", cmd_codings_mark,
                help="mark a unit not codable (read, not worth coding: left out of progress) or skipped for now",
                options=[coder_option, json_option])
    p.add_argument("--segment", required=True, metavar="ID", help="segment id or TRANSCRIPT:N")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--not-codable", dest="mark", action="store_const", const="not_codable",
                       help="read, and not worth coding (greetings, consent, logistics)")
    which.add_argument("--skip", dest="mark", action="store_const", const="skipped",
                       help="left for later: the workbench's n comes back to it last")
    which.add_argument("--clear", dest="mark", action="store_const", const="", help="remove your mark")
    p = command(actions, "import", cmd_codings_import,
                help="import codings from a CSV of verbatim quotes (quote, code, coder, created), Taguette's"
                     " highlights export (CSV, .xlsx or .html), or the coded segments exported by MAXQDA, ATLAS.ti,"
                     " NVivo or QualCoder (.xlsx, CSV or .html)",
                options=[coder_option, json_option])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--transcript", metavar="ID",
                   help="transcript of rows without a 'transcript' column (default: the file name)")

    actions = group(commands, "memo", help="write or list memos on segments, codes, transcripts or the project",
                    dest="memo_command")
    p = command(actions, "set", cmd_memo_set, help="write a memo (empty text deletes it)",
                options=[coder_option, json_option])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--segment", metavar="ID")
    target.add_argument("--code", metavar="ID")
    target.add_argument("--transcript", metavar="ID")
    target.add_argument("--coding", metavar="N")
    target.add_argument("--project-memo", action="store_true", help="a memo on the whole project")
    p.add_argument("--text", required=True)
    p = command(actions, "list", cmd_memo_list, help="list memos", options=[json_option])
    p.add_argument("--show-names", action="store_true",
                   help="show memos as written (confidential; by default names show as in exports)")

    p = command(commands, "coders", cmd_coders, help="list coders, or set the project's default coder",
                options=[json_option])
    p.add_argument("--default", metavar="NAME", help="make NAME the project's default coder")

    p = command(commands, "log", cmd_log, help="the event log: every change, who, when, before and after",
                options=[json_option])
    p.add_argument("--limit", type=int, metavar="N", help="only the last N events")
    p.add_argument("--coder", metavar="NAME")
    p.add_argument("--entity", metavar="KIND", help="coding, memo, transcript, case, codebook, ...")
    p.add_argument("--show-names", action="store_true",
                   help="keep informants' names in the logged states (confidential; by default they are withheld"
                        " and texts pseudonymised)")

    command(commands, "undo", cmd_undo, help="undo your last coding, memo or findings action",
            options=[coder_option, json_option])
    command(commands, "redo", cmd_redo, help="redo what you last undid", options=[coder_option, json_option])


# ---------------------------------------------------------------------------- handlers


def new_project_dir(args: argparse.Namespace) -> Path:
    """Where ``init`` and ``example`` create the project: DIR, or the folder given with -p."""
    given = [str(x) for x in (args.dir, getattr(args, "project", None)) if x]
    if not given:
        raise QualcodeError("say where to create the project", hint=f"qualcode {args.command} DIR")
    if len(given) == 2 and Path(given[0]).resolve() != Path(given[1]).resolve():
        raise QualcodeError(f"two folders given: {given[0]} and {given[1]} (-p)", hint="give one of them")
    return Path(given[0])


def cmd_init(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import create_project

    data = create_project(new_project_dir(args), codebook_file=args.codebook, name=args.name,
                          default_coder=args.coder)
    return emit(
        args,
        data,
        lambda d: print(
            f"Created project '{d['project']}' in {d['path']} with codebook '{d['codebook']}' ({d['codes']} codes)."
        ),
    )


def cmd_example(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import create_example

    folder = new_project_dir(args)
    report = create_example(folder, force=args.force)

    def human(r: dict[str, Any]) -> None:
        s = r["status"]
        print(
            f"Example project ready in {s['path']}: {s['transcripts']} transcripts, {s['documents']} documents,"
            f" {s['segments']} units,"
            f" {s['cases']} informants, {s['codings']} codings by {s['coders']} coders"
            + (f" ({s['agreed_codings']} of them agreed in adjudication)" if s.get("agreed_codings") else "") + ","
            f" {r.get('findings', {}).get('created', 0)} draft findings."
        )
        print(f"Next: qualcode code -p {folder}   |   qualcode report -p {folder} --out report.html")

    return emit(args, report, human)


def cmd_import(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import import_files, update_suggestions
    from qualcode.cli.progress import progress_for

    with open_project(args) as project:
        with progress_for(args) as progress:
            report = import_files(project, args.files, cases=args.cases, coder=args.coder, documents=args.document,
                                  document_sheet=args.document_sheet, dry_run=args.dry_run, progress=progress)
        code = emit(args, report, lambda r: print("\n".join(import_report_lines(r))))
        if not args.dry_run:
            sys.stdout.flush()  # the report is read while the saved suggestion model is brought up to date
            update_suggestions(project)
    return code


def import_report_lines(r: dict[str, Any]) -> list[str]:
    """The import report as the terminal shows it."""
    out: list[str] = []
    if r.get("dry_run"):
        out.append("dry run: nothing was changed; this is what the import would do")
    statuses = {"new": "new", "new_version": "new version", "unchanged": "unchanged",
                "already_imported": "already in the project"}
    for t in r["transcripts"]:
        version = f" (version {t['version']})" if t.get("version") else ""
        notes = ", interview notes" if t["record"] == "notes" else ""
        out.append(f"{t['id']}  <- {Path(t['file']).name}: {statuses.get(t['status'], t['status'])}{version},"
                   f" {t['units']} units{notes}")
        out.append(f"  read as: {t['detected'] or t['format']}")
        if t["metadata"]:
            shown = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in t["metadata"].items() if k != "kind")
            if shown:
                out.append(f"  metadata: {shown}")
        width = max((len(s["label"]) for s in t["speakers"]), default=0)
        for k, s in enumerate(t["speakers"]):
            head = "  speakers: " if k == 0 else "            "
            who = s["role"] + (f" {s['case']}" if s["case"] else "")
            out.append(f"{head}{s['label'].ljust(width)}  {who:<24} {s['units']:>5} units  ({s['how']})")
        if t.get("unlabelled_units"):
            out.append(f"  {t['unlabelled_units']} unit(s) without a speaker")
        for n in t["notes"]:
            out.append(f"  note: {n}")
        if t.get("reanchor"):
            ra = t["reanchor"]
            out.append(f"  codings re-anchored {ra['moved']}, flagged for review {ra['needs_review']}")
        for w in t["warnings"]:
            out.append(f"  warning: {w}")
    for t in r.get("documents", []):
        pages = f", {t['pages']} pages" if t.get("pages") else ""
        version = f"version {t['version']}, " if t.get("version") else ""
        status = str(t.get("status") or "planned").replace("_", " ")
        out.append(f"{t['id']}: {status} (document '{t['title']}'{pages}, {version}{t['units']} units)")
        for w in t.get("warnings", []):
            out.append(f"  note: {w}")
        if t.get("reanchor"):
            # a corrected document's codings: those not moved with confidence wait for review, as a transcript's
            ra = t["reanchor"]
            out.append(f"  codings re-anchored {ra['moved']}, flagged for review {ra['needs_review']}")
    for o in r.get("case_sheet_transcripts", []):
        roles = ", ".join(f"{s['label']} = {s['role']}" + (f" {s['case']}" if s["case"] else "")
                          for s in o["speakers"])
        out.append(f"{o['id']} (already in the project): {roles}")
        for w in o["warnings"]:
            out.append(f"  warning: {w}")
    if r["cases"]:
        out.append(f"{r['cases']} case-sheet row(s) " + ("would be applied" if r.get("dry_run") else "applied"))
    if r.get("document_rows"):
        out.append(f"{r['document_rows']} documents sheet row(s) applied")
    for w in r["warnings"]:
        out.append(f"warning: {w}")
    n = r.get("warning_count", 0)
    files = len(r["transcripts"]) + len(r.get("documents", []))
    out.append(f"{files} file(s), {n} warning(s)" + (" (dry run)" if r.get("dry_run") else ""))
    return out


def cmd_status(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import project_status

    with open_project(args) as project:
        data = project_status(project)

    def human(d: dict[str, Any]) -> None:
        for k, v in d.items():
            print(f"{k:>15}: {v}")

    return emit(args, data, human)


def cmd_transcripts(args: argparse.Namespace) -> int:
    from qualcode.actions.views import transcript_list

    with open_project(args) as project:
        rows = transcript_list(project, show_names=args.show_names)
    return emit(
        args,
        rows,
        lambda d: table(
            d,
            ["id", "type", "record", "stakeholder_groups", "format", "units", "progress", "coders", "done_by"],
            widths={"stakeholder_groups": 40},
        ),
    )


def cmd_documents(args: argparse.Namespace) -> int:
    from qualcode.actions.views import transcript_list

    with open_project(args) as project:
        rows = transcript_list(project, documents=True)
    return emit(args, rows, lambda d: table(d, ["id", "title", "type", "format", "pages", "units", "progress",
                                                "coders"], widths={"title": 40}))


def cmd_transcripts_speakers(args: argparse.Namespace) -> int:
    from qualcode.actions.views import speakers

    with open_project(args) as project:
        data = speakers(project, args.transcript)

    def human(d: dict[str, Any]) -> None:
        table(d["speakers"], ["label", "role", "case", "units", "assigned_by"], widths={"label": 30})
        for w in d["warnings"]:
            print(f"warning: {w}")
        if d["pseudonymised_elsewhere"]:
            print(f"confidential: {d['pseudonymised_elsewhere']} label(s) are shown as in the file, so a role can be"
                  " corrected; other listings and exports show them as pseudonyms")

    return emit(args, data, human)


def cmd_transcripts_set_role(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import set_speaker_role

    with open_project(args) as project:
        data = set_speaker_role(project, args.transcript, args.speaker, args.role, case_id=args.case, coder=args.coder)

    def human(d: dict[str, Any]) -> None:
        case = f" (case {d['case']})" if d["case"] else ""
        print(f"{d['transcript']}: '{d['speaker']}' is now {d['role']}{case}; was {d['was']['role']}."
              " Later imports keep this; 'qualcode undo' takes it back.")

    return emit(args, data, human)


def cmd_transcripts_set_record(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import set_record

    with open_project(args) as project:
        data = set_record(project, args.transcript, args.record, coder=args.coder)

    def human(d: dict[str, Any]) -> None:
        what = "interview notes: quote banks and reports show its passages as notes, not quotes" \
            if d["record"] == "notes" else "verbatim: its passages are quoted as said"
        print(f"{d['id']} is {what}.")

    return emit(args, data, human)


def cmd_transcripts_remove(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import remove_transcript, update_suggestions

    with open_project(args) as project:
        data = remove_transcript(project, args.transcript, coder=args.coder, with_codings=args.with_codings)

        def human(d: dict[str, Any]) -> None:
            extra = f", {d['codings']} coding(s)" if d["codings"] else ""
            print(f"removed {d['id']}: {d['versions']} version(s), {d['units']} units{extra}."
                  " 'qualcode undo' brings it back.")

        code = emit(args, data, human)
        sys.stdout.flush()
        update_suggestions(project)
    return code


def cmd_transcripts_done(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import mark_done

    with open_project(args) as project:
        rows = mark_done(project, args.transcripts, coder=args.coder, done=not args.undo)

    def human(rs: list[dict[str, Any]]) -> None:
        for r in rs:
            state = "done" if r["done"] else "not done"
            line = (f"{r['transcript']}: {r['coder']}'s coding is {state}" if r["changed"]
                    else f"{r['transcript']}: {r['coder']}'s coding was already marked {state}")
            if r["done_by"]:
                line += f" (done: {', '.join(r['done_by'])})"
            print(line)
            if r["sample"] == "joined":
                print(f"  {r['transcript']} joins the agreement sample: {', '.join(r['done_by'])} each marked their"
                      " coding of it done")
            elif r["sample"] == "compared":
                print(f"  the agreement sample now compares {', '.join(r['done_by'])} on {r['transcript']}")
            elif r["sample"] == "removed_by_hand":
                print(f"  {r['transcript']} stays out of the agreement sample (a coder took it out); put it back"
                      f" with 'qualcode agreement sample add {r['transcript']}'")

    return emit(args, rows, human)


def cmd_cases(args: argparse.Namespace) -> int:
    from qualcode.actions.confidentiality import attribution, set_attribution
    from qualcode.actions.views import cases

    with open_project(args) as project:
        if (args.attribution_template is not None or args.fgd_attribution_template is not None
                or args.attribution_k is not None or args.default_attribution):
            set_attribution(project, coder=args.coder, kii=args.attribution_template,
                            fgd=args.fgd_attribution_template, k=args.attribution_k, default=args.default_attribution)
        rows = cases(project, show_names=args.show_names)
        current = attribution(project)
    cols = ["id", *(["name"] if args.show_names else []), "stakeholder_group", "role", "sex", "location", "transcripts",
            "attribution", "fits"]

    def human(d: list[dict[str, Any]]) -> None:
        table(d, cols, widths={"role": 24, "stakeholder_group": 22})
        alone = [r["id"] for r in d if r["fits"] == 1 and r["attribution_source"] == "template"]
        print(f"Interviews: {current['kii']}\nFocus groups: {current['fgd']} (participant detail when"
              f" {current['k']} share it)")
        if alone:
            print(f"{len(alone)} attribution(s) from the template fit one informant only ({', '.join(alone)}): check"
                  " they say no more than the informant agreed to, or give the wording in the case sheet's"
                  " 'attribution' column")

    return emit(args, rows, human)


def cmd_segments(args: argparse.Namespace) -> int:
    from qualcode.actions.views import segment_list

    with open_project(args) as project:
        rows = segment_list(project, args.transcript, informants_only=args.informants_only,
                            show_names=args.show_names)

    def human(d: list[dict[str, Any]]) -> None:
        for r in d:  # a document's unit is located by its page (or section), an interview's by its speaker
            r["speaker"] = r["speaker"] if r["kind"] != "document" else (
                f"p. {r['page_label']}" if r["page_label"] else r["heading"] or "")
        for r in d:  # "not codable (clara)": a coder read it and left it uncoded on purpose
            r["marked"] = ", ".join(f"{m['mark'].replace('_', ' ')} ({m['coder']})" for m in r["marks"])
        columns = ["id", "ref", "speaker", "role", "start", "end", "text"]
        table(d, columns + (["marked"] if any(r["marked"] for r in d) else []),
              widths={"text": 70, "speaker": 18, "marked": 24})

    return emit(args, rows, human)


def cmd_codebook_validate(args: argparse.Namespace) -> int:
    from qualcode.codebook import load_codebook, validate_codebook_file

    problems = validate_codebook_file(args.file)
    if args.json:
        data: dict[str, Any] = {"file": args.file, "valid": not problems, "problems": [p.to_dict() for p in problems]}
        if not problems:
            data["codes"] = len(load_codebook(args.file))
        emit(args, data)
        return 2 if problems else 0
    if problems:
        for p in problems:
            print(str(p))
        print(f"{len(problems)} problem(s) in {args.file}")
        return 2
    cb = load_codebook(args.file)
    print(f"{args.file}: valid, {len(cb)} codes in {len(cb.roots)} criteria")
    return 0


def cmd_codebook_show(args: argparse.Namespace) -> int:
    from qualcode.actions.views import codebook_tree
    from qualcode.codebook import dump_codebook

    with open_project(args) as project:
        if args.yaml:
            print(dump_codebook(project.codebook()), end="")
            return 0
        data = codebook_tree(project)

    def human(d: dict[str, Any]) -> None:
        print(f"{d['name']} (version {d['version']})")

        def show(code: dict[str, Any], depth: int) -> None:
            print(f"{'  ' * depth}{code['id']:<40} {code['name']}  [{code['codings']}]")
            for ch in code["children"]:
                show(ch, depth + 1)

        for r in d["codes"]:
            show(r, 0)
        for g in d["groups"]:
            print(f"group {g['name']}: {', '.join(g['codes'])}")

    return emit(args, data, human)


def cmd_codebook_set(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import set_codebook

    with open_project(args) as project:
        report = set_codebook(project, args.file, coder=args.coder)

    def human(r: dict[str, Any]) -> None:
        ch = r["change"]
        print(f"Codebook '{r['codebook']}' installed: {r['codes']} codes.")
        for key in ("added", "removed", "redefined"):
            if ch[key]:
                print(f"  {key}: {', '.join(ch[key])}")
        for item in ch["renamed"]:
            print(f"  renamed: {item['id']} '{item['old']}' -> '{item['new']}'")
        for item in ch["moved"]:
            print(f"  moved: {item['id']} from {item['old_parent']} to {item['new_parent']}")
        if r["codings_on_removed_codes"]:
            print(
                f"  {r['codings_on_removed_codes']} codings sit on removed codes; they are kept (restore the code"
                " to see them again)"
            )

    return emit(args, report, human)


def cmd_codings_add(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import apply_code

    with open_project(args) as project:
        coding = apply_code(project, [args.segment], args.code, coder=args.coder, memo=args.memo,
                            allow_interviewer=args.allow_interviewer)["added"][0]
    return emit(
        args, coding, lambda c: print(f"coding {c['id']}: {c['code']} on segment {c['segment']} by {c['coder']}")
    )


def cmd_codings_remove(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import remove_code, remove_coding

    with open_project(args) as project:
        if args.id is not None:
            removed = remove_coding(project, args.id, coder=args.coder)
        elif args.segment and args.code:
            # --coder names whose coding when several coders applied the code (and who removes it)
            removed = remove_code(project, args.segment, args.code, coder=args.coder, coded_by=args.coder_named)
        else:
            raise QualcodeError("say which coding to remove", hint="pass --id N, or --segment ID and --code ID")
    for c in removed["cited_by"]:  # on stderr, so a script reading the JSON still gets it whole
        print(f"qualcode: warning: coding {removed['id']} was evidence for finding {c['finding']} ({c['ref']},"
              f" {c['stance']}); the audit now reports it: link another passage, unlink it (qualcode findings"
              f" unlink {c['finding']} --coding {removed['id']}) or 'qualcode undo'", file=sys.stderr)
    return emit(args, removed, lambda c: print(f"removed coding {c['id']} ({c['code']} on segment {c['segment']})"))


def cmd_codings_list(args: argparse.Namespace) -> int:
    from qualcode.actions.views import coding_list

    with open_project(args) as project:
        rows = coding_list(project, transcript=args.transcript, code=args.code, coder=args.coder, marks=args.marks,
                           show_names=args.show_names)

    def human(d: list[dict[str, Any]]) -> None:
        # an accepted suggestion is the coder's coding; its model and score say where the idea came from
        table([{**r, "source": r["source"] + (f" ({r['model_version'] or '?'}"
                                               + (f", {r['score']:.2f}" if r["score"] is not None else "") + ")"
                                               if r["source"] == "suggestion" else "")} for r in d],
              ["id", "ref", "code", "coder", "source", "created", "status"])

    return emit(args, rows, human)


def cmd_codings_mark(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import mark_unit

    with open_project(args) as project:
        data = mark_unit(project, args.segment, args.mark or None, coder=args.coder)
    return emit(args, data, lambda d: print(
        f"{d['ref']}: {d['mark'].replace('_', ' ')} for {d['coder']}" if d["mark"]
        else f"{d['ref']}: no mark for {d['coder']}"))


def cmd_codings_import(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import import_codings

    with open_project(args) as project:
        report = import_codings(project, args.file, transcript=args.transcript, coder=args.coder)
    def human(r: dict[str, Any]) -> None:
        print(f"{r['file']}: {r['added']} codings added, {r['skipped']} already there")
        for w in r.get("warnings", []):
            print(f"warning: {w}")

    return emit(args, report, human)


def cmd_memo_set(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import MemoTarget, set_memo

    targets: list[tuple[MemoTarget, str | None]] = [
        ("segment", args.segment), ("code", args.code), ("transcript", args.transcript), ("coding", args.coding),
        ("project", "project")]
    kind, target = next((k, t) for k, t in targets if t)
    with open_project(args) as project:
        memo = set_memo(project, kind, target, args.text, coder=args.coder)
    return emit(
        args,
        memo or {"deleted": True},
        lambda m: print("memo deleted" if m.get("deleted") else f"memo saved on {m['target_type']} {m['target_id']}"),
    )


def cmd_memo_list(args: argparse.Namespace) -> int:
    from qualcode.actions.views import memo_list

    with open_project(args) as project:
        rows = memo_list(project, show_names=args.show_names)
    return emit(
        args,
        rows,
        lambda d: table(d, ["id", "target_type", "target_id", "coder", "updated", "text"], widths={"text": 60}),
    )


def cmd_coders(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import set_default_coder
    from qualcode.actions.views import coders

    with open_project(args) as project:
        if args.default:
            set_default_coder(project, args.default)
        rows = coders(project)
    return emit(args, rows, lambda d: table(d, ["name", "codings", "created", "default", "kind"]))


def cmd_log(args: argparse.Namespace) -> int:
    from qualcode.actions.views import event_log

    with open_project(args) as project:
        rows = event_log(project, limit=args.limit, coder=args.coder, entity=args.entity, show_names=args.show_names)

    def human(d: list[dict[str, Any]]) -> None:
        for e in d:
            print(
                f"{e['id']:>6} {e['ts']} {e['coder'] or '-':<10} {e['action']:<20} {e['entity']} {e['entity_id'] or ''}"
            )

    return emit(args, rows, human)


def _reverse(args: argparse.Namespace, kind: str) -> int:
    from qualcode.actions.history import redo, undo
    from qualcode.actions.views import describe_reversal

    with open_project(args) as project:
        coder = args.coder
        result = undo(project, coder=coder) if kind == "undo" else redo(project, coder=coder)
        words = describe_reversal(project, result, kind) if result is not None else ""
    if result is None:
        if args.json:
            return emit(args, {"done": False})
        print(f"nothing to {kind} for {coder}")
        return 0
    return emit(args, {"done": True, **result, "said": words}, lambda r: print(r["said"]))


def cmd_undo(args: argparse.Namespace) -> int:
    return _reverse(args, "undo")


def cmd_redo(args: argparse.Namespace) -> int:
    return _reverse(args, "redo")


__all__ = ["register", "CodebookError"]
