"""Team commands: merge a colleague's project, inter-coder agreement, adjudication, REFI-QDA exchange."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    Commands,
    acting_coder,
    coder_option,
    command,
    emit,
    force_option,
    group,
    json_option,
    open_project,
    parse_coders,
    progress_option,
    project_dir,
    replace_prompt,
    table,
    unit_names_option,
)
from qualcode.cli.progress import progress_for
from qualcode.errors import QualcodeError

COMPARE_HELP = "coders to compare (default: everyone who shares a transcript)"


def register(commands: Commands) -> None:
    p = command(commands, "merge", cmd_merge, help="bring other coders' copies of the project into this one",
                description="Merge the codings, memos, suggestion decisions and settled disagreements of"
                            " OTHER_PROJECT folders into this project. Transcripts are matched by content, codes by"
                            " id, coders by name; merging twice adds nothing. Prints what came in and what differs.",
                options=[coder_option, progress_option, json_option])
    p.add_argument("others", nargs="+", metavar="OTHER_PROJECT", help="project folder(s) to merge from")
    p.add_argument("--dry-run", action="store_true", help="report what would come in without writing anything")

    p = command(commands, "agreement", cmd_agreement,
                help="inter-coder agreement per code or criterion (percent, kappa, alpha)",
                description="Agreement between coders on the informant units of the transcripts they all coded:"
                            " percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha (nominal),"
                            " counted on coding units. Codes under the threshold are flagged and the disagreements"
                            " listed.", options=[unit_names_option, json_option])
    p.add_argument("--coders", metavar="A,B", help=COMPARE_HELP)
    p.add_argument("--by", choices=["code", "criterion"], default="code",
                   help="one row per code (default) or per criterion")
    p.add_argument("--transcript", action="append", metavar="ID", help="only this transcript (repeatable)")
    p.add_argument("--threshold", type=float, default=0.667, metavar="X", help="flag alpha below X (default 0.667)")
    p.add_argument("--disagreements", action="store_true", help="list every disagreement, not just the count")
    acts = p.add_subparsers(dest="agreement_command", metavar="[sample]", required=False)
    sample = group(acts, "sample", help="the agreement sample: the transcripts the team double-codes",
                   description="Agreement and adjudication compare only the transcripts of the agreement"
                               " sample. A transcript joins it when a coder adds it, never because a second"
                               " name appears on one of its codings.", dest="sample_command")
    q = command(sample, "add", cmd_sample_add, help="put transcripts in the agreement sample",
                options=[coder_option, json_option])
    q.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT")
    q.add_argument("--coders", metavar="A,B", help="the coders to compare there (default: every person who codes it)")
    q = command(sample, "remove", cmd_sample_remove,
                help="take transcripts out of the agreement sample (their codings stay)",
                options=[coder_option, json_option])
    q.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT")
    command(sample, "list", cmd_sample_list, help="the agreement sample with its coders and open disagreements",
            options=[json_option])

    actions = group(commands, "adjudicate", help="list the disagreements and record the agreed coding",
                    description="Walk the coders' disagreements and settle each: apply the code or omit it."
                                " The coders' own codings stay as they were; the agreed coding is filed under"
                                " the consensus coder and the log keeps both originals.", dest="adjudicate_command")
    p = command(actions, "list", cmd_adjudicate_list, help="the open disagreements (with --all, the settled ones too)",
                options=[unit_names_option, json_option])
    p.add_argument("--coders", metavar="A,B", help=COMPARE_HELP)
    p.add_argument("--code", metavar="ID", help="only this code")
    p.add_argument("--transcript", action="append", metavar="ID", help="only this transcript (repeatable)")
    p.add_argument("--all", action="store_true", help="include settled disagreements")
    p = command(actions, "decide", cmd_adjudicate_decide,
                help="settle one disagreement: --apply or --omit the code on the unit",
                options=[coder_option, json_option])
    p.add_argument("--segment", required=True, metavar="ID", help="segment id or TRANSCRIPT:N")
    p.add_argument("--code", required=True, metavar="ID")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--apply", dest="decision", action="store_const", const="apply",
                        help="the unit carries the code")
    choice.add_argument("--omit", dest="decision", action="store_const", const="omit",
                        help="the unit does not carry the code")
    p.add_argument("--note", metavar="TEXT", help="why (kept with the decision)")
    p = command(actions, "reopen", cmd_adjudicate_reopen, help="withdraw a decision so the disagreement is open again",
                options=[coder_option, json_option])
    p.add_argument("--segment", required=True, metavar="ID", help="segment id or TRANSCRIPT:N")
    p.add_argument("--code", required=True, metavar="ID")

    actions = group(commands, "refi", help="exchange codebooks (.qdc) and projects (.qdpx) with NVivo, ATLAS.ti,"
                                           " MAXQDA, QualCoder (REFI-QDA)",
                    description="Export and import the REFI-QDA exchange formats understood by NVivo, ATLAS.ti,"
                                " MAXQDA and QualCoder.", dest="refi_command")
    p = command(actions, "export", cmd_refi_export, help="write the codebook (.qdc) or the whole project (.qdpx)",
                description="Write the project as FILE.qdpx (codes, transcripts, codings with coder and"
                            " date, cases with their attributes, memos) or the codebook as FILE.qdc. The"
                            " format follows the extension. Names are withheld unless --show-names: speaker"
                            " labels that are names become the informant's case or a pseudonym, and the"
                            " transcripts, memos and attributes are pseudonymised as quotes are.",
                options=[force_option, progress_option, json_option])
    p.add_argument("-o", "--output", "--out", dest="output", metavar="FILE",
                   help="FILE.qdpx or FILE.qdc (default: outputs/<project>.qdpx in the project folder)")
    p.add_argument("--coders", metavar="A,B", help="only these coders' codings and memos")
    p.add_argument("--positions", choices=["utf16", "characters"], default="utf16",
                   help="what selection positions count: utf16 (default; NVivo, QualCoder, ATLAS.ti, MAXQDA) or"
                        " characters (the standard's wording; qc); they differ only after emoji and other"
                        " characters outside the Basic Multilingual Plane")
    p.add_argument("--line-ends", choices=["lf", "crlf"], default="lf",
                   help="how the texts end their lines: lf (default) or crlf, each line end counted as one position,"
                        " as MAXQDA reads a text (NVivo counts a CRLF as two: keep lf for NVivo)")
    p.add_argument("--show-names", action="store_true",
                   help="export transcripts, speaker labels, memos and attributes verbatim (confidential; by"
                        " default names in them are pseudonymised like quotes)")
    p = command(actions, "import", cmd_refi_import, help="read a .qdpx or .qdc made by qualcode or another tool",
                description="Import FILE.qdpx (codes, text sources, codings, cases, memos), FILE.qdc"
                            " (codes) or the project.qde of an unpacked .qdpx (its texts read from the"
                            " sources/ folder beside it) into the project; a folder without a project gets a"
                            " new one. Codes"
                            " missing from the codebook are added; selections code every unit they"
                            " overlap.", options=[coder_option, progress_option, json_option])
    p.add_argument("file", metavar="FILE")


# ---------------------------------------------------------------------------- handlers


def cmd_merge(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import merge

    with open_project(args) as project:
        with progress_for(args) as progress:
            report = merge(project, args.others, coder=args.coder, dry_run=args.dry_run, progress=progress)

    def human(data: dict[str, Any]) -> None:
        verb = "would bring" if data["dry_run"] else "brought"
        for r in data["merged"]:
            t, c, m = r["transcripts"], r["codings"], r["memos"]
            adj, dec = r["adjudications"], r["decisions"]
            print(f"{r['project']} ({r['name']}): {verb} in {c['added']} codings"
                  + (f" ({', '.join(f'{k} {v}' for k, v in sorted(c['by_coder'].items()))})" if c["by_coder"] else "")
                  + f", {m['added'] + m['updated']} memos; {c['already_here']} codings were already here.")
            print(f"  transcripts: {len(t['matched'])} matched by content, {len(t['added'])} added"
                  + (f" ({', '.join(t['added'])})" if t["added"] else ""))
            for x in t["matched"]:
                if x["theirs"] != x["ours"]:
                    print(f"  {x['theirs']} there is {x['ours']} here (same text)")
            for x in t["older_version_here"]:
                print(f"  {x['theirs']}: same text as version {x['our_version']} of {x['ours']} here; codings placed"
                      " on the current version by unit text")
            for x in t["conflicts"]:
                print(f"  {x['id']}: {x['reason']}")
            if c["not_placed"]:
                print(f"  {c['not_placed']} codings sit on units this project does not have (not merged)")
            if r["coders"]["new"]:
                print(f"  new coders: {', '.join(r['coders']['new'])}")
            if r["cases"]["added"]:
                print(f"  cases added: {', '.join(r['cases']['added'])}")
            if r["cases"]["differ"]:
                print(f"  cases whose attributes differ (this project's kept): {', '.join(r['cases']['differ'])}")
            cb = r["codebook"]
            if not cb["same"] and cb["change"]:
                ch = cb["change"]
                parts = [f"{k} {', '.join(x if isinstance(x, str) else x['id'] for x in ch[k])}"
                         for k in ("added", "removed", "renamed", "moved", "redefined") if ch.get(k)]
                print(f"  codebooks differ: {'; '.join(parts)} (there vs here)")
            if cb["codes_brought_in"]:
                print(f"  codes not in this codebook (their codings kept, add the codes to see them):"
                      f" {', '.join(cb['codes_brought_in'])}")
            if m["kept_ours"]:
                print(f"  {m['kept_ours']} memos edited more recently here were kept")
            for n, what in ((c["removed"], f"codings removed {_by_whom(c['removed_by'], 'removed')}"),
                            (c["removed_here"], "codings removed here stay removed (that copy still has them)"),
                            (c["kept_changed_here"], "codings removed in that copy were kept: coded or edited here"
                                                     " since"),
                            (m["removed"], "memos deleted in that copy were deleted here"),
                            (m["removed_here"], "memos deleted here stay deleted"),
                            (adj["reopened"], "settled disagreements reopened"
                                              f" {_by_whom(adj['reopened_by'], 'reopened')}"),
                            (adj["reopened_here"], "settled disagreements reopened here stay open"),
                            (adj["replaced"], "settlements replaced by a later decision made in that copy"),
                            (adj["differ"], "settlements decided differently, and later, here were kept"),
                            (dec["removed"], "suggestion decisions taken back in that copy were taken back here"),
                            (dec["removed_here"], "suggestion decisions taken back here stay taken back")):
                if n:
                    print(f"  {n} {what}")
            if r["done"]["marked"] or r["done"]["unmarked"]:
                print(f"  done marks: {r['done']['marked']} brought in, {r['done']['unmarked']} taken back")
            if r["sample"]["joined_when_done"]:
                print(f"  agreement sample: {', '.join(r['sample']['joined_when_done'])} joined (two or more coders"
                      " marked it done)")
            sample = r["sample"]
            if sample["added"] or sample["removed"]:
                print("  agreement sample:" + (f" added {', '.join(sample['added'])}" if sample["added"] else "")
                      + (f" removed {', '.join(sample['removed'])}" if sample["removed"] else ""))
        if data["dry_run"]:
            print("dry run: nothing was written")

    return emit(args, report, human)


def _by_whom(by: dict[str, int], verb: str) -> str:
    """'by ana (removed in that copy)', or '(2 by ana, 1 by ben: removed in that copy)' when several did it."""
    if len(by) > 1:
        return f"({', '.join(f'{n} by {k}' for k, n in sorted(by.items()))}: {verb} in that copy)"
    return f"by {''.join(by)} ({verb} in that copy)"


def percent(x: float) -> str:
    """A share as a percentage that never rounds to a value it did not reach: 99.96 % agreement is '99.9%', not
    '100%' (which, next to an alpha of 0.000, would say the coders never disagreed)."""
    if x >= 1:
        return "100%"
    if x <= 0:
        return "0%"
    text = f"{math.floor(x * 1000) / 10:.1f}%"
    return "0.1%" if text == "0.0%" else text


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "n/a"
    if not pct:
        return f"{x:.3f}"
    return percent(x)


def cmd_agreement(args: argparse.Namespace) -> int:
    from qualcode.actions.views import agreement_report

    if getattr(args, "agreement_command", None) == "sample":
        raise QualcodeError("say what to do with the sample", hint="qualcode agreement sample add|remove|list")

    with open_project(args) as project:
        data = agreement_report(project, coders=parse_coders(args.coders), by=args.by, transcripts=args.transcript,
                                threshold=args.threshold, show_names=args.show_names)

    def human(d: dict[str, Any]) -> None:
        print(f"Agreement of {', '.join(d['coders'])} on {d['units']} informant units of"
              f" {len(d['transcripts'])} transcripts ({', '.join(d['transcripts'])}), by {d['by']}:")
        rows = []
        for r in d["items"]:
            row = {d["by"]: r["id"], "units": r["units"], **{f"n_{c}": r["applied"][c] for c in d["coders"]},
                   "agree": _fmt(r["percent"], pct=True), "alpha": _fmt(r["alpha"]),
                   "flag": "LOW" if r["flagged"] else ""}
            if len(d["coders"]) == 2:
                row["kappa"] = _fmt(r["kappa"])
            rows.append(row)
        cols = [d["by"], "units", *[f"n_{c}" for c in d["coders"]], "agree",
                *(["kappa"] if len(d["coders"]) == 2 else []), "alpha", "flag"]
        table(rows, cols)
        o = d["overall"]
        what = "criteria" if d["by"] == "criterion" else "codes"
        print(f"All {what} pooled ({o['items']} unit-{d['by']} decisions): agreement {_fmt(o['percent'], True)},"
              + (f" kappa {_fmt(o['kappa'])}," if len(d["coders"]) == 2 else "") + f" alpha {_fmt(o['alpha'])}")
        if d["flagged"]:
            print(f"Under {d['threshold']}: {', '.join(d['flagged'])}")
        if args.disagreements:
            print()
            table(d["disagreements"], ["ref", "item", "applied_by", "not_applied_by", "text"],
                  widths={"text": 60})
        elif d["disagreements"]:
            print(f"{len(d['disagreements'])} disagreements (list them with --disagreements; settle them with"
                  " 'qualcode adjudicate list')")
        if d.get("provisional"):
            waiting = "; ".join(f"{p['transcript']} ({', '.join(p['waiting_for'])})" for p in d["provisional"][:8])
            more = f" and {len(d['provisional']) - 8} more" if len(d["provisional"]) > 8 else ""
            print(f"Provisional: not every coder has marked their coding done on {len(d['provisional'])} of"
                  f" {len(d['transcripts'])} transcripts: {waiting}{more}. When finished:"
                  " 'qualcode transcripts done TRANSCRIPT'.")

    return emit(args, data, human)


def cmd_adjudicate_list(args: argparse.Namespace) -> int:
    from qualcode.actions.views import disagreement_list

    with open_project(args) as project:
        data = disagreement_list(project, coders=parse_coders(args.coders), code=args.code,
                                 transcripts=args.transcript, include_settled=args.all, show_names=args.show_names)

    def human(d: dict[str, Any]) -> None:
        print(f"{d['open']} open, {d['settled']} settled of {d['total']} disagreements between"
              f" {', '.join(d['coders'])}")
        table(d["items"], ["ref", "code", "applied_by", "not_applied_by", *(["decision"] if args.all else []),
                           "text"], widths={"text": 60})
        if d["open"]:
            first = next((i for i in d["items"] if i["decision"] is None), None)
            if first:
                print(f"Settle one: qualcode adjudicate decide --segment {first['ref']} --code {first['code']}"
                      " --apply|--omit")

    return emit(args, data, human)


def cmd_adjudicate_decide(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import settle

    with open_project(args) as project:
        result = settle(project, args.segment, args.code, args.decision, coder=args.coder, note=args.note)
    return emit(args, result, lambda r: print(
        f"{r['ref']} {r['code']}: {r['decision']} (decided by {r['coder']}; originals: "
        + ", ".join(f"{o['coder']} {'applied' if o['applied'] else 'did not apply'}" for o in r["originals"]) + ")"))


def cmd_adjudicate_reopen(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import reopen

    with open_project(args) as project:
        previous = reopen(project, args.segment, args.code, coder=args.coder)
    return emit(args, previous, lambda r: print(f"reopened: {args.segment} {r['code']} (was {r['decision']})"))


def cmd_sample_add(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import add_to_sample

    with open_project(args) as project:
        rows = add_to_sample(project, args.transcripts, coder=args.coder, coders=parse_coders(args.coders))
    return emit(args, rows, lambda rs: print("\n".join(
        f"{r['transcript']} is in the agreement sample"
        + (f" (comparing {', '.join(r['coders'])})" if r["coders"] else "") for r in rs)))


def cmd_sample_remove(args: argparse.Namespace) -> int:
    from qualcode.actions.teamwork import remove_from_sample

    with open_project(args) as project:
        rows = remove_from_sample(project, args.transcripts, coder=args.coder)
    return emit(args, rows, lambda rs: print("\n".join(
        f"{r['transcript']} left the agreement sample (its codings stay)" for r in rs)))


def cmd_sample_list(args: argparse.Namespace) -> int:
    from qualcode.synthesis.reconciled import sample_status

    with open_project(args) as project:
        rows = sample_status(project)

    def human(rs: list[dict[str, Any]]) -> None:
        if not rs:
            print("No agreement sample yet: add the transcripts the team double-codes with"
                  " 'qualcode agreement sample add TRANSCRIPT'.")
            return
        def state(r: dict[str, Any]) -> str:
            if not r["double_coded"]:
                return "waiting for a second coder"
            if r["final"]:
                return "final (all done)"
            return "coding: " + ", ".join(r["waiting_for"]) + " not done"

        table([{**r, "compared": ", ".join(r["compared"]) or "-", "state": state(r)} for r in rs],
              ["transcript", "compared", "state", "open", "settled", "added_by", "added"])

    return emit(args, rows, human)



def cmd_refi_export(args: argparse.Namespace) -> int:
    from qualcode.refi import export_refi

    with open_project(args) as project:
        with progress_for(args) as progress:
            report = export_refi(project, args.output, coders=parse_coders(args.coders), positions=args.positions,
                                 line_ends=args.line_ends, show_names=args.show_names, force=args.force,
                                 confirm=replace_prompt(), progress=progress)

    def human(r: dict[str, Any]) -> None:
        counts = ", ".join(f"{v} {k}" for k, v in r["counts"].items())
        print(f"Wrote {r['file']} ({counts})")
        part = r.get("positions_part") or {}
        if part.get("codings"):
            fits, other = (("UTF-16 units (NVivo, ATLAS.ti, MAXQDA, QualCoder's coding window)",
                             "characters (qc, the quoted text QualCoder stores): --positions characters")
                            if r["positions"] == "utf16" else
                            ("characters (qc, the quoted text QualCoder stores)",
                             "UTF-16 units (NVivo, ATLAS.ti, MAXQDA, QualCoder's coding window): --positions utf16"))
            print(f"  positions: {part['sources']} source(s) hold emoji or other characters outside the Basic "
                  f"Multilingual Plane; {part['codings']} coding(s) after them are placed for tools that count "
                  f"{fits}; for tools that count {other}")
        hidden = r.get("withheld") or {}
        if r.get("names") == "withheld":
            print(f"  names withheld: {hidden.get('speaker_labels', 0)} speaker label(s) shown as the informant's case"
                  f" or a pseudonym, {hidden.get('names_in_text', 0)} name(s), e-mail address(es) and phone number(s)"
                  f" replaced in the transcripts, {hidden.get('file_names', 0)} file name(s) withheld"
                  + (f", {hidden['coders']} coder(s) who are also informants or named people shown as 'Coder N'"
                     if hidden.get("coders") else "")
                  + "; memos and attributes pseudonymised, coders named. --show-names exports the transcripts"
                    " verbatim (confidential)")
        elif r.get("names") == "shown":
            print("  names shown: transcripts, speaker labels, memos and attributes are verbatim (confidential)")

    return emit(args, report, human)


def cmd_refi_import(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import import_refi

    with progress_for(args) as progress:
        report = import_refi(project_dir(args), Path(args.file), coder=acting_coder(args), progress=progress)

    def human(r: dict[str, Any]) -> None:
        print(f"Imported {r['file']} into {r['project']}" + (" (new project)" if r["created"] else ""))
        if r.get("nothing_new"):
            print("  nothing new: everything in the file is already in the project")
        for key, value in r["counts"].items():
            print(f"  {key.replace('_', ' ')}: {value}")
        read_as = (r.get("positions") or {}).get("read_as") or []
        if read_as:
            print(f"  positions read as: {'; '.join(read_as)}")
        for name, how in (r.get("read_as") or {}).items():
            print(f"  source '{name}' read as {how}")
        for w in r["warnings"]:
            print(f"warning: {w}")

    return emit(args, report, human)

