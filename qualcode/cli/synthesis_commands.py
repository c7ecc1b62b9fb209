"""Synthesis commands: matrix, triangulation, themes, export quotes, findings, audit, report.

Thin wrappers: the work is done by qualcode.synthesis (findings and the audit included) and qualcode.exports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    Commands,
    chosen_coders,
    coder_option,
    coders_option,
    command,
    emit,
    group,
    json_option,
    names_option,
    open_project,
    progress_option,
    table,
)
from qualcode.errors import AuditFailed, QualcodeError
from qualcode.store import Project


def register(commands: Commands) -> None:
    p = command(commands, "matrix", cmd_matrix,
                help="coded evidence as a crosstab: codes or criteria x stakeholder groups",
                description="Crosstab of the coded evidence: rows are codes or criteria, columns stakeholder"
                            " groups or any case attribute (location, sex, type, organisation_type, ...)."
                            " --cell ROW COL lists the quotes behind one cell; --cooccurrence counts"
                            " passages carrying two codes.", options=[coders_option, names_option, json_option])
    p.add_argument("--rows", choices=["code", "criterion"], default="criterion")
    p.add_argument("--cols", default="stakeholder_group", metavar="ATTRIBUTE",
                   help="stakeholder_group (default) or any case attribute")
    p.add_argument("--count", choices=["units", "informants", "transcripts"], default="units",
                   help="what a cell counts (default: coded units, a passage coded twice counts once)")
    p.add_argument("--cell", nargs=2, metavar=("ROW", "COL"), help="list the quotes behind one cell")
    p.add_argument("--cooccurrence", action="store_true", help="code co-occurrence matrix instead")
    p.add_argument("--csv", action="store_true", help="print CSV")

    p = command(commands, "triangulation", cmd_triangulation,
                help="informants, groups, transcripts and sources behind each criterion, code or finding, with an"
                     " evidence-strength rating",
                description="Triangulation per criterion, code or finding, rated by the project's rule."
                            " --show-rule prints the rule (YAML); --set-rule FILE installs one.",
                options=[coder_option, coders_option, json_option])
    p.add_argument("--level", choices=["criterion", "code", "finding"], default="criterion")
    p.add_argument("--show-rule", action="store_true", help="print the project's triangulation rule (YAML)")
    p.add_argument("--set-rule", metavar="FILE", help="install a triangulation rule from a YAML file")
    p.add_argument("--default-rule", action="store_true", help="restore the default rule")

    p = command(commands, "themes", cmd_themes,
                help="cluster a criterion's or code's quotes into themes to help draft findings",
                description="Cluster the coded quotes of a criterion (or code) into themes (TF-IDF and"
                            " k-means; the same seed gives the same themes): top terms, size, groups and the"
                            " most representative quotes.", options=[coders_option, names_option, json_option])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--criterion", metavar="ID")
    target.add_argument("--code", metavar="ID")
    p.add_argument("--k", type=int, metavar="N", help="number of themes (default: about sqrt(quotes/2), 2-8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quotes", type=int, default=3, metavar="N", help="representative quotes per theme")

    exports = group(commands, "export", help="export quote banks (docx, xlsx, csv, md)", dest="export_command")
    exports.metavar = "WHAT"
    # other areas may add their own exports to this group
    commands._qualcode_export = exports  # type: ignore[attr-defined]
    p = command(exports, "quotes", cmd_export_quotes, help="quote bank per criterion, question and stakeholder group",
                description="Every coded quote, verbatim, per criterion, then question/code, then stakeholder"
                            " group, with an anonymous attribution and a reference (TRANSCRIPT:UNIT). Names"
                            " never appear unless --show-names.",
                options=[coders_option, names_option, progress_option, json_option])
    p.add_argument("--format", action="append", metavar="FMT",
                   help="docx, xlsx, csv, md or all; repeat or comma-separate (default: docx)")
    p.add_argument("--by", choices=["criterion", "group"], default="criterion",
                   help="criterion > question > group (default), or criterion > group > question")
    p.add_argument("--criterion", metavar="ID", help="only this criterion")
    p.add_argument("--out", metavar="DIR", default="outputs", help="folder for the files (default: ./outputs)")

    actions = group(commands, "findings", help="write findings and link them to their evidence",
                    description="Findings per criterion, linked to coded passages (supporting or contradicting)"
                                " and documents cited.", dest="findings_command")
    p = command(actions, "add", cmd_findings_add, help="add a finding to a criterion",
                options=[coder_option, json_option])
    p.add_argument("--criterion", required=True, metavar="ID", help="criterion (or question) id")
    p.add_argument("--question", metavar="ID", help="the evaluation question (a child code) it answers")
    p.add_argument("--statement", required=True, metavar="TEXT")
    p.add_argument("--id", metavar="ID", help="finding id (default: F1, F2, ...)")
    p.add_argument("--document", action="append", metavar="TEXT", help="a document cited (repeatable)")
    p = command(actions, "link", cmd_findings_link, help="link evidence: a coding, a coded passage, or a document",
                options=[coder_option, json_option])
    p.add_argument("finding", metavar="FINDING")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--coding", type=int, metavar="N", help="coding id")
    what.add_argument("--segment", metavar="REF", help="a coded passage (TRANSCRIPT:N or segment id)")
    what.add_argument("--document", metavar="TEXT", help="cite a document (desk-review evidence)")
    p.add_argument("--code", metavar="ID", help="with --segment: which code's coding (default: the finding's"
                                                " criterion)")
    p.add_argument("--coded-by", metavar="NAME", help="with --segment: only this coder's coding")
    p.add_argument("--contradicts", action="store_true", help="the passage contradicts the finding")
    p.add_argument("--note", metavar="TEXT")
    p = command(actions, "unlink", cmd_findings_unlink, help="remove an evidence link or a document",
                options=[coder_option, json_option])
    p.add_argument("finding", metavar="FINDING")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--coding", type=int, metavar="N")
    what.add_argument("--segment", metavar="REF")
    what.add_argument("--document", metavar="TEXT")
    p = command(actions, "edit", cmd_findings_edit, help="change a finding's statement, criterion or question",
                options=[coder_option, json_option])
    p.add_argument("finding", metavar="FINDING")
    p.add_argument("--statement", metavar="TEXT")
    p.add_argument("--criterion", metavar="ID")
    p.add_argument("--question", metavar="ID")
    p = command(actions, "remove", cmd_findings_remove, help="delete a finding and its links (kept in the event log)",
                options=[coder_option, json_option])
    p.add_argument("finding", metavar="FINDING")
    p = command(actions, "list", cmd_findings_list, help="findings with evidence counts and strength",
                options=[names_option, json_option])
    p.add_argument("--criterion", metavar="ID")
    p = command(actions, "show", cmd_findings_show,
                help="a finding with its evidence, who coded it and when, and its triangulation",
                options=[names_option, json_option])
    p.add_argument("finding", metavar="FINDING")
    p = command(actions, "export", cmd_findings_export, help="write the findings to a readable YAML file",
                options=[names_option])
    p.add_argument("--out", metavar="FILE", help="YAML file (default: print)")
    p = command(actions, "import", cmd_findings_import,
                help="read findings from a YAML file (as written by 'findings export')",
                options=[coder_option, json_option])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--replace", action="store_true", help="update findings that already exist")

    p = command(commands, "audit", cmd_audit,
                help="check every finding's evidence; exit status 1 when any problem is an error",
                description="For every finding: evidence links resolve, quotes still match their transcript"
                            " verbatim, triangulation meets the project's rule, evidence is not all from one"
                            " group or one coder, and no machine suggestion was accepted without a human"
                            " coder. Exit status 1 when any problem is an error.", options=[json_option])
    p.add_argument("--finding", action="append", metavar="ID", help="only this finding (repeatable)")

    p = command(commands, "report", cmd_report, help="one self-contained HTML report for reviewers",
                description="Heatmap, evaluation matrix with coverage, every finding with its strength,"
                            " quotes in context, coders and dates, suggestion provenance and the audit, in"
                            " one HTML file with no external resources.",
                options=[coders_option, names_option, progress_option, json_option])
    p.add_argument("--out", required=True, metavar="FILE.html")


# ---------------------------------------------------------------------------- handlers


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def cmd_matrix(args: argparse.Namespace) -> int:
    from qualcode.synthesis.matrices import cell_quotes, cooccurrence, matrix, matrix_frame

    with open_project(args) as project:
        _review_note(project)
        if args.cooccurrence:
            data = cooccurrence(project, level=args.rows)
            if args.csv:
                import pandas as pd

                pd.DataFrame(data["counts"], index=data["codes"], columns=data["codes"]).to_csv(sys.stdout)
                return 0

            def human_co(d: dict[str, Any]) -> None:
                cols = [f"{i + 1}" for i in range(len(d["codes"]))]
                rows = [{"#": str(i + 1), args.rows: c, **dict(zip(cols, d["counts"][i], strict=True))}
                        for i, c in enumerate(d["codes"])]
                table(rows, ["#", args.rows, *cols], widths={args.rows: 36})

            return emit(args, data, human_co)
        coders = chosen_coders(project, args)
        data = matrix(project, rows=args.rows, cols=args.cols, count=args.count, coders=coders)
        if args.cell:
            quotes = cell_quotes(project, data, args.cell[0], args.cell[1], coders=coders,
                                 show_names=args.show_names)

            def human_cell(rows: list[dict[str, Any]]) -> None:
                for r in rows:
                    print(f"[{r['ref']}] {r['quote']}\n    \u2014 {r['attribution']} ({r['code']};"
                          f" {', '.join(r['coders'])})")
                print(f"{len(rows)} passage(s)")

            return emit(args, quotes, human_cell)
        if args.csv:
            matrix_frame(data).to_csv(sys.stdout)
            return 0

        def human(d: dict[str, Any]) -> None:
            rows = []
            for i, r in enumerate(d["rows"]):
                row = {d["rows_kind"]: _short(r["name"] if d["rows_kind"] == "criterion" else r["id"], 40)}
                row.update({c: d["counts"][i][j] for j, c in enumerate(d["cols"])})
                row["total"] = d["row_totals"][i]
                rows.append(row)
            rows.append({d["rows_kind"]: "Total", **dict(zip(d["cols"], d["col_totals"], strict=True)),
                         "total": d["total"]})
            table(rows, [d["rows_kind"], *d["cols"], "total"])
            print(f"(counting {d['count']}; see the passages behind a cell with --cell ROW COL)")

        return emit(args, data, human)


def cmd_triangulation(args: argparse.Namespace) -> int:
    from qualcode.synthesis.triangulation import rule_text, set_rule, triangulation

    with open_project(args) as project:
        if args.set_rule or args.default_rule:
            rule = set_rule(project, args.set_rule, coder=args.coder)
            return emit(args, rule.to_dict(), lambda _d: print("Rule installed:\n  " + "\n  ".join(rule.describe())))
        if args.show_rule:
            text = rule_text(project)
            if args.json:
                from qualcode.synthesis.triangulation import load_rule

                return emit(args, load_rule(project).to_dict())
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            return 0
        _review_note(project)
        data = triangulation(project, level=args.level, coders=chosen_coders(project, args))

        def human(items: list[dict[str, Any]]) -> None:
            rows = [{args.level: x["id"], "strength": x["strength"], "units": x["units"],
                     "informants": x["informants"], "groups": len(x["groups"]), "transcripts": x["transcripts"],
                     "sources": x["source_types"], "silent groups": x["silent_groups"],
                     **({"divergent": x["divergent_groups"]} if args.level == "finding" else {})}
                    for x in items]
            cols = [args.level, "strength", "units", "informants", "groups", "transcripts", "sources",
                    "silent groups"] + (["divergent"] if args.level == "finding" else [])
            table(rows, cols, widths={"silent groups": 50, args.level: 36})

        return emit(args, data, human)


def cmd_themes(args: argparse.Namespace) -> int:
    from qualcode.synthesis.themes import themes

    with open_project(args) as project:
        _review_note(project)
        data = themes(project, criterion=args.criterion, code=args.code, k=args.k, seed=args.seed,
                      top_quotes=args.quotes, show_names=args.show_names,
                      coders=chosen_coders(project, args))

        def human(d: dict[str, Any]) -> None:
            print(f"{d['passages']} passages coded to {d['target']} in {len(d['themes'])} themes (seed {d['seed']})")
            for t in d["themes"]:
                groups = ", ".join(f"{g} {n}" for g, n in t["groups"].items())
                print(f"\nTheme {t['theme']}: {t['label']}  ({t['size']} passages, {t['informants']} informants)")
                print(f"  terms: {', '.join(t['terms'])}")
                print(f"  groups: {groups}")
                for q in t["quotes"]:
                    print(f"  [{q['ref']}] \u201c{_short(q['text'], 160)}\u201d \u2014 {q['attribution']}")

        return emit(args, data, human)


def cmd_export_quotes(args: argparse.Namespace) -> int:
    from qualcode.exports.progress import make_progress
    from qualcode.exports.quotes import export_quotes, parse_formats

    formats = parse_formats(args.format or ["docx"])
    with open_project(args) as project:
        _review_note(project)
        result = export_quotes(project, Path(args.out), formats=formats, by=args.by, show_names=args.show_names,
                               criterion=args.criterion, progress=make_progress(args.progress),
                               coders=chosen_coders(project, args))

    def human(r: dict[str, Any]) -> None:
        print(f"Wrote {r['quotes']} quotes in {r['criteria']} criteria:")
        for f in r["files"]:
            print(f"  {f}")
        if r["show_names"]:
            print("These files show informants' names: keep them confidential.")

    return emit(args, result, human)


def _finding_line(f: dict[str, Any]) -> None:
    print(f"{f['id']} [{f['criterion']}] {f['statement']}")


def cmd_findings_add(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import add_finding

    with open_project(args) as project:
        f = add_finding(project, args.criterion, args.statement, coder=args.coder,
                        finding_id=args.id, code=args.question, documents=args.document)
    return emit(args, f, lambda d: print(f"Added finding {d['id']} to {d['criterion']}. Link evidence with"
                                         f" 'qualcode findings link {d['id']} --segment REF'."))


def cmd_findings_link(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import cite_document, link_evidence

    with open_project(args) as project:
        coder = args.coder
        if args.document:
            f = cite_document(project, args.finding, args.document, coder=coder)
            return emit(args, f, lambda d: print(f"{d['id']} now cites {len(d['documents'])} document(s)."))
        links = link_evidence(project, args.finding, coder=coder, coding=args.coding, segment=args.segment,
                              code=args.code, coded_by=args.coded_by,
                              stance="contradicts" if args.contradicts else "supports", note=args.note)

    def human(rows: list[dict[str, Any]]) -> None:
        if not rows:
            print("Already linked; nothing changed.")
        for r in rows:
            print(f"Linked {r['ref']} ({r['code']}, coded by {r['coder']}) to {r['finding']} as {r['stance']}.")

    return emit(args, links, human)


def cmd_findings_unlink(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import cite_document, unlink_evidence

    with open_project(args) as project:
        coder = args.coder
        if args.document:
            f = cite_document(project, args.finding, args.document, coder=coder, remove=True)
            return emit(args, f, lambda d: print(f"{d['id']} now cites {len(d['documents'])} document(s)."))
        n = unlink_evidence(project, args.finding, coder=coder, coding=args.coding, segment=args.segment)
    return emit(args, {"finding": args.finding, "removed": n},
                lambda d: print(f"Removed {d['removed']} link(s) from {d['finding']}."))


def cmd_findings_edit(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import edit_finding

    if args.statement is None and args.criterion is None and args.question is None:
        raise QualcodeError("nothing to change", hint="pass --statement, --criterion or --question")
    with open_project(args) as project:
        f = edit_finding(project, args.finding, coder=args.coder, statement=args.statement,
                         criterion=args.criterion, code=args.question)
    return emit(args, f, _finding_line)


def cmd_findings_remove(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import remove_finding

    with open_project(args) as project:
        f = remove_finding(project, args.finding, coder=args.coder)
    return emit(args, f, lambda d: print(f"Removed finding {d['id']} and its {len(d['evidence'])} link(s)."))


def cmd_findings_list(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import present_findings

    with open_project(args) as project:
        data = present_findings(project, criterion=args.criterion, show_names=args.show_names)
    return emit(args, data, lambda rows: table(rows, ["id", "criterion", "strength", "supporting", "contradicting",
                                                      "informants", "groups", "statement"],
                                               widths={"statement": 60, "groups": 40}))


def cmd_findings_show(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import present_finding

    with open_project(args) as project:
        data = present_finding(project, args.finding, show_names=args.show_names)

    def human(d: dict[str, Any]) -> None:
        t = d["triangulation"]
        print(f"{d['id']} [{d['criterion']}{'/' + d['code'] if d['code'] else ''}] {d['statement']}")
        print(f"  strength: {t['strength']} ({t['informants']} informants, groups: {', '.join(t['groups']) or '-'},"
              f" {t['transcripts']} transcripts, sources: {', '.join(t['source_types']) or '-'})")
        print(f"  silent groups: {', '.join(t['silent_groups']) or '-'}")
        if t["divergent_groups"]:
            print(f"  contradicted by: {', '.join(t['divergent_groups'])}")
        for doc in d["documents"]:
            print(f"  document: {doc}")
        for link in d["evidence"]:
            mark = "+" if link["stance"] == "supports" else "-"
            origin = f", suggestion {link.get('model_version')}" if link.get("source") == "suggestion" else ""
            gone = "" if link["coding_exists"] else "  [CODING REMOVED]"
            print(f"  {mark} [{link['ref']}] \u201c{link['quote']}\u201d{gone}")
            print(f"      \u2014 {link['attribution'] or '?'}; {link['code']} coded by {link['coder']}"
                  f" {link.get('created') or ''}{origin}")

    return emit(args, data, human)


def cmd_findings_export(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import export_findings

    with open_project(args) as project:
        text = export_findings(project, args.out, show_names=args.show_names)
    if args.out:
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_findings_import(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import import_findings

    with open_project(args) as project:
        r = import_findings(project, args.file, coder=args.coder, replace=args.replace)
    return emit(args, r, lambda d: print(f"Imported {d['file']}: {d['created']} new, {d['updated']} updated,"
                                         f" {d['links']} evidence links."))


def cmd_audit(args: argparse.Namespace) -> int:
    from qualcode.synthesis.audit import audit

    with open_project(args) as project:
        report = audit(project, finding_ids=args.finding)

    def human(r: dict[str, Any]) -> None:
        for f in r["findings"]:
            errors = sum(1 for p in f["problems"] if p["severity"] == "error")
            warns = sum(1 for p in f["problems"] if p["severity"] == "warning")
            status = "ERROR" if errors else ("check" if warns else "ok")
            print(f"{f['id']} [{f['criterion']}] {f['strength']}: {status}")
            for p in f["problems"]:
                print(f"  {p['severity']}: {p['message']}")
        if not r["findings"]:
            print("No findings to audit.")
        print(f"{r['errors']} error(s), {r['warnings']} warning(s) in {len(r['findings'])} finding(s).")

    emit(args, report, human)
    if not report["ok"]:
        raise AuditFailed(f"the audit found {report['errors']} error(s)", hint="fix them and run 'qualcode audit'"
                                                                              " again")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from qualcode.exports.progress import make_progress
    from qualcode.exports.report import write_report

    with open_project(args) as project:
        r = write_report(project, Path(args.out), show_names=args.show_names, progress=make_progress(args.progress),
                         coders=chosen_coders(project, args))
    return emit(args, r, lambda d: print(f"Wrote {d['file']} ({d['bytes'] // 1024} KB, {d['findings']} findings)."))


def _review_note(project: Project) -> None:
    """Codings a re-import could not place are counted nowhere: say so once, on stderr (stdout stays clean)."""
    n = project.review_count()
    if n:
        print(f"qualcode: note: {n} coding(s) wait for review after a re-import and are not counted here"
              " (see 'qualcode reanchor list')", file=sys.stderr)
