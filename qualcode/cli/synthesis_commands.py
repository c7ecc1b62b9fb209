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
    coder_option,
    coders_option,
    command,
    emit,
    force_option,
    group,
    json_option,
    names_option,
    open_project,
    parse_coders,
    progress_option,
    replace_prompt,
    table,
)
from qualcode.errors import AuditFailed, QualcodeError
from qualcode.safeio.escaping import csv_frame
from qualcode.store import Project
from qualcode.synthesis.evidence import shown_passage


def _count(n: int, word: str) -> str:
    """'1 group', '4 groups': theme lines are read aloud in team meetings, '1 groups' reads as a slip."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"

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
                help="group a criterion's or code's passages into themes, with stance by group; promote one to a"
                     " draft finding",
                description="Group the coded passages of a criterion (or code) by meaning (word vectors,"
                            " TF-IDF and each passage's context; the same seed gives the same themes). Each"
                            " theme has a readable label, key phrases, the stance of its passages towards the"
                            " programme, how each stakeholder group leans and whether groups diverge, one"
                            " representative quote per group and triangulation counts. --promote N --id F"
                            " turns theme N into a draft finding linked to its passages.",
                options=[coder_option, coders_option, names_option, json_option])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--criterion", metavar="ID")
    target.add_argument("--code", metavar="ID")
    p.add_argument("--k", type=int, metavar="N", help="number of themes (default: chosen from the data)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-share", type=float, default=0.4, metavar="X",
                   help="split any theme holding more than this share of the passages (default 0.4)")
    p.add_argument("--quotes", type=int, default=3, metavar="N", help="most central quotes per theme (default 3)")
    p.add_argument("--promote", type=int, metavar="N", help="turn theme N into a draft finding (needs --id)")
    p.add_argument("--id", metavar="FINDING", help="id of the finding --promote creates (e.g. F-EFF-4)")
    p.add_argument("--statement", metavar="TEXT", help="statement of the promoted finding (default: the theme's"
                                                       " label, to rewrite)")

    exports = group(commands, "export", help="export quote banks, the findings chapter and the report's annexes",
                    dest="export_command")
    exports.metavar = "WHAT"
    # other areas may add their own exports to this group
    commands._qualcode_export = exports  # type: ignore[attr-defined]
    p = command(exports, "quotes", cmd_export_quotes, help="quote bank per criterion, question and stakeholder group",
                description="Every coded quote, verbatim, per criterion, then question/code, then stakeholder"
                            " group, with an anonymous attribution and a reference (TRANSCRIPT:UNIT). Names"
                            " never appear unless --show-names.",
                options=[force_option, coders_option, names_option, progress_option, json_option])
    p.add_argument("--format", action="append", metavar="FMT",
                   help="docx, xlsx, csv, md or all; repeat or comma-separate (default: docx)")
    p.add_argument("--by", choices=["criterion", "group"], default="criterion",
                   help="criterion > question > group (default), or criterion > group > question")
    p.add_argument("--criterion", metavar="ID", help="only this criterion")
    p.add_argument("-o", "--out", metavar="DIR", default="outputs", help="folder for the files (default: ./outputs)")

    p = command(exports, "findings", cmd_export_findings,
                help="the findings chapter of the report (docx, md): per criterion, each finding with its evidence,"
                     " quotes and sources",
                description="The findings chapter: a heading per criterion in codebook order, each finding's"
                            " statement, evidence strength and what it rests on, the quotes chosen for it"
                            " (qualcode findings quotes) or the strongest distinct passages, divergent views"
                            " and sources. Word's own styles; names never appear unless --show-names.",
                options=[force_option, names_option, json_option])
    p.add_argument("--format", choices=["docx", "md"], help="default: from --out's suffix, else docx")
    p.add_argument("-o", "--out", metavar="FILE", help="file to write (default: outputs/findings.FORMAT)")
    p.add_argument("--quotes", type=int, default=3, metavar="N",
                   help="quotes per finding when none were chosen for it (default: 3)")

    p = command(exports, "matrix", cmd_export_matrix,
                help="the evaluation-matrix annex (docx, xlsx, csv): one row per evaluation question",
                description="One row per evaluation question: criterion, question, indicator (the codebook's"
                            " 'indicator' field), findings, evidence strength, interview sources by stakeholder"
                            " group, documents and silent groups.", options=[force_option, json_option])
    p.add_argument("--format", choices=["docx", "xlsx", "csv"], help="default: from --out's suffix, else docx")
    p.add_argument("-o", "--out", metavar="FILE", help="file to write (default: outputs/evaluation-matrix.FORMAT)")

    p = command(exports, "persons", cmd_export_persons,
                help="the persons-consulted annex (docx, xlsx, csv): by group and organisation, counted by sex and"
                     " method",
                description="Informants by stakeholder group and organisation, counted by sex and by method"
                            " (KII, FGD), with a chart in the Word version. Names only with --show-names.",
                options=[force_option, names_option, json_option])
    p.add_argument("--format", choices=["docx", "xlsx", "csv"], help="default: from --out's suffix, else docx")
    p.add_argument("-o", "--out", metavar="FILE", help="file to write (default: outputs/persons-consulted.FORMAT)")

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
    p = command(actions, "quotes", cmd_findings_quotes,
                help="choose the quotes the report chapter shows for a finding, or see them",
                description="Without references: the quotes 'export findings' will show for the finding"
                            " (those chosen, else the strongest distinct passages). With references"
                            " (TRANSCRIPT:N, among the finding's evidence): choose them, in that order."
                            " --clear goes back to the automatic choice.", options=[coder_option, names_option,
                                                                                     json_option])
    p.add_argument("finding", metavar="FINDING")
    p.add_argument("refs", nargs="*", metavar="REF", help="passages to quote, in order (e.g. KII-07:36)")
    p.add_argument("--clear", action="store_true", help="forget the chosen quotes (back to the automatic choice)")
    p = command(actions, "export", cmd_findings_export, help="write the findings to a readable YAML file",
                options=[force_option, names_option])
    p.add_argument("-o", "--out", metavar="FILE", help="YAML file (default: print)")
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
                            " coder. Exit status 1 when any problem is an error.",
                options=[names_option, json_option])
    p.add_argument("--finding", action="append", metavar="ID", help="only this finding (repeatable)")

    p = command(commands, "report", cmd_report, help="one self-contained HTML report for reviewers",
                description="Heatmap, evaluation matrix with coverage, every finding with its strength,"
                            " quotes in context, coders and dates, suggestion provenance and the audit, in"
                            " one HTML file with no external resources.",
                options=[force_option, coders_option, names_option, progress_option, json_option])
    p.add_argument("-o", "--out", required=True, metavar="FILE.html")


# ---------------------------------------------------------------------------- handlers


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def cmd_matrix(args: argparse.Namespace) -> int:
    from qualcode.synthesis.matrices import cell_quotes, cooccurrence, matrix, matrix_frame

    with open_project(args) as project:
        if args.cooccurrence:
            data = cooccurrence(project, level=args.rows)
            _review_note(project, args)
            if args.csv:
                import pandas as pd

                csv_frame(pd.DataFrame(data["counts"], index=data["codes"], columns=data["codes"])).to_csv(sys.stdout)
                return 0

            def human_co(d: dict[str, Any]) -> None:
                cols = [f"{i + 1}" for i in range(len(d["codes"]))]
                rows = [{"#": str(i + 1), args.rows: c, **dict(zip(cols, d["counts"][i], strict=True))}
                        for i, c in enumerate(d["codes"])]
                table(rows, ["#", args.rows, *cols], widths={args.rows: 36})

            return emit(args, data, human_co)
        coders = _coders(project, args)
        data = matrix(project, rows=args.rows, cols=args.cols, count=args.count, coders=coders)
        if args.cell:
            quotes = cell_quotes(project, data, args.cell[0], args.cell[1], coders=coders,
                                 show_names=args.show_names)
            _review_note(project, args)

            def human_cell(rows: list[dict[str, Any]]) -> None:
                for r in rows:
                    # interview notes are the note-taker's paraphrase: never shown as what the informant said
                    print(f"[{r['reference']}] {shown_passage(r['quote'], r['record'])}\n    \u2014 {r['attribution']}"
                          f" ({r['code']}; {', '.join(r['coders'])})")
                notes = sum(r["record"] == "notes" for r in rows)
                print(f"{len(rows)} passage(s)" + (f", {notes} of them from interview notes" if notes else ""))

            return emit(args, quotes, human_cell)
        _review_note(project, args)
        if args.csv:
            csv_frame(matrix_frame(data)).to_csv(sys.stdout)
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
    from qualcode.actions.drafting import set_triangulation_rule
    from qualcode.synthesis.triangulation import describe_event, rule_text, triangulation

    with open_project(args) as project:
        if args.set_rule or args.default_rule:
            rule = set_triangulation_rule(project, args.set_rule, coder=args.coder)
            return emit(args, rule.to_dict(), lambda _d: print("Rule installed:\n  " + "\n  ".join(rule.describe())))
        if args.show_rule:
            text = rule_text(project)
            if args.json:
                from qualcode.synthesis.triangulation import load_rule

                return emit(args, load_rule(project).to_dict())
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            return 0
        data = triangulation(project, level=args.level, coders=_coders(project, args))
        _review_note(project, args)

        def human(items: list[dict[str, Any]]) -> None:
            rows = [{args.level: x["id"], "strength": x["strength"], "units": x["units"], "events": x["events"],
                     "informants": x["informants"], "groups": len(x["groups"]), "transcripts": x["transcripts"],
                     "documents": x["documents"],
                     "sources": [*x["source_types"], *(["interviews only"] if x.get("interviews_only") else [])],
                     "silent groups": x["silent_groups"],
                     **({"divergent": x["divergent_groups"]} if args.level == "finding" else {})}
                    for x in items]
            cols = [args.level, "strength", "units", "events", "informants", "groups", "transcripts", "documents",
                    "sources", "silent groups"] + (["divergent"] if args.level == "finding" else [])
            table(rows, cols, widths={"silent groups": 50, args.level: 36})
            # a focus group counts once: say who stands behind an event of several voices
            if args.level == "finding":
                for x in items:
                    many = [describe_event(e) for e in x["event_list"] if e["participants"] > 1]
                    if many:
                        print(f"{x['id']}: {'; '.join(many)}")

        return emit(args, data, human)


def cmd_themes(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import promote_theme
    from qualcode.synthesis.themes import themes

    if (args.promote is None) != (args.id is None):
        raise QualcodeError("--promote N and --id FINDING go together",
                            hint="e.g. qualcode themes --criterion effectiveness --promote 2 --id F-EFF-4")
    if args.statement is not None and args.promote is None:
        raise QualcodeError("--statement is for --promote", hint="pass --promote N --id FINDING")
    with open_project(args) as project:
        if args.promote is not None:
            result = promote_theme(project, args.promote, finding_id=args.id, coder=args.coder,
                                   criterion=args.criterion, code=args.code, k=args.k, seed=args.seed,
                                   coders=_coders(project, args), statement=args.statement,
                                   max_share=args.max_share)
            _review_note(project, args)

            def promoted(r: dict[str, Any]) -> None:
                print(f"Added draft finding {r['finding']} [{r['criterion']}] from theme {r['theme']['theme']}:"
                      f" {r['statement']}")
                ps = r["passage_stances"]
                print(f"  {r['supporting']} supporting and {r['contradicting']} contradicting passage(s)"
                      f" ({r['links']} coding link(s)); theme leans {r['theme']['lean']}"
                      + (f"; {r['theme']['divergence']}" if r["theme"]["divergent"] else ""))
                print(f"  passages read as {ps['supports']} supporting the programme, {ps['criticises']} critical,"
                      f" {ps['mixed']} mixed, {ps['neutral']} neutral (each link's note says which)")
                if r["machine_codings_skipped"]:
                    print(f"  {r['machine_codings_skipped']} machine suggestion(s) no person accepted were not"
                          " linked")
                a = r["audit"] or {"problems": []}
                errors = [p for p in a["problems"] if p["severity"] == "error"]
                print(f"  audit: {'ok' if not errors else str(len(errors)) + ' error(s)'}"
                      f", strength {a.get('strength', '?')}")
                for prob in a["problems"]:
                    print(f"    {prob['severity']}: {prob['message']}")
                print(f"Rewrite the statement: qualcode findings edit {r['finding']} --statement \"...\"")

            return emit(args, result, promoted)
        data = themes(project, criterion=args.criterion, code=args.code, k=args.k, seed=args.seed,
                      top_quotes=args.quotes, show_names=args.show_names, coders=_coders(project, args),
                      max_share=args.max_share)
        _review_note(project, args)

        def human(d: dict[str, Any]) -> None:
            print(f"{d['passages']} passages coded to {d['target']} in {len(d['themes'])} themes (seed {d['seed']})")
            for s in d["split"]:
                print(f"  a theme held {s['passages']} passages ({s['share']:.0%}); split into"
                      f" {s['into'][0]} and {s['into'][1]}")
            for t in d["themes"]:
                st = t["stance"]
                tri = t["triangulation"]
                print(f"\nTheme {t['theme']}: {t['label']}")
                print(f"  {_count(t['size'], 'passage')} ({t['share']:.0%}), {_count(tri['informants'], 'informant')},"
                      f" {_count(len(tri['groups']), 'group')}, {_count(tri['transcripts'], 'transcript')},"
                      f" sources {', '.join(tri['source_types'])}; strength {tri.get('strength', '?')}")
                if t["key_phrases"]:
                    print(f"  key phrases: {', '.join(t['key_phrases'])}")
                print(f"  stance: {st['supports']} supports, {st['criticises']} criticises, {st['mixed']} mixed,"
                      f" {st['neutral']} neutral; leans {t['lean']}")
                leans = "; ".join(f"{g} {v['lean']} ({v['supports']}+/{v['criticises']}-)"
                                  for g, v in t["by_group"].items())
                print(f"  by group: {leans}")
                if t["divergent"]:
                    print(f"  DIVERGENT: {t['divergence']}")
                for q in t["representative"]:
                    # the words that decided the stance, so the reader can judge the reading
                    why = ", ".join(q["evidence"][:4]) or "no evaluative words"
                    shown = shown_passage(_short(q["text"], 160), q.get("record"))
                    print(f"  [{q['ref']}] ({q['stance']}: {why}) {shown} \u2014 {q['attribution']}")
            if d["other"]:
                print(f"\nOther: {_count(len(d['other']), 'passage')} fitting no theme (each on its own)")
                for o in d["other"]:
                    q = o["quote"]
                    why = ", ".join(q["evidence"][:4]) or "no evaluative words"
                    shown = shown_passage(_short(q["text"], 160), q.get("record"))
                    print(f"  [{q['ref']}] ({q['stance']}: {why}) {shown} \u2014 {q['attribution']}")
            print("\nPromote a theme to a draft finding: qualcode themes --criterion ID --promote N --id F-...")

        return emit(args, data, human)


def cmd_export_quotes(args: argparse.Namespace) -> int:
    from qualcode.cli.progress import progress_for
    from qualcode.exports.quotes import export_quotes, parse_formats

    formats = parse_formats(args.format or ["docx"])
    with open_project(args) as project, progress_for(args) as progress:
        result = export_quotes(project, Path(args.out), formats=formats, by=args.by, show_names=args.show_names,
                               criterion=args.criterion, progress=progress, coders=_coders(project, args),
                               force=args.force, confirm=replace_prompt())
        _review_note(project, args)

    def human(r: dict[str, Any]) -> None:
        print(f"Wrote {r['quotes']} quotes in {r['criteria']} criteria:")
        for f in r["files"]:
            print(f"  {f}")
        if r["show_names"]:
            print("These files show informants' names: keep them confidential.")

    return emit(args, result, human)


def cmd_export_findings(args: argparse.Namespace) -> int:
    from qualcode.exports.chapter import export_chapter

    with open_project(args) as project:
        r = export_chapter(project, args.out, fmt=args.format, show_names=args.show_names, quotes=args.quotes,
                           force=args.force, confirm=replace_prompt())
        _review_note(project)

    def human(d: dict[str, Any]) -> None:
        print(f"Wrote {d['file']}: {d['findings']} findings under {d['criteria']} criteria, {d['quotes']} quotes.")
        if d["show_names"]:
            print("This file shows informants' names: keep it confidential.")

    return emit(args, r, human)


def cmd_export_matrix(args: argparse.Namespace) -> int:
    from qualcode.exports.annexes import export_matrix

    with open_project(args) as project:
        r = export_matrix(project, args.out, fmt=args.format, force=args.force, confirm=replace_prompt())
        _review_note(project)
    return emit(args, r, lambda d: print(f"Wrote {d['file']}: {d['questions']} evaluation questions,"
                                         f" {d['findings']} findings."))


def cmd_export_persons(args: argparse.Namespace) -> int:
    from qualcode.exports.annexes import export_persons

    with open_project(args) as project:
        r = export_persons(project, args.out, fmt=args.format, show_names=args.show_names, force=args.force,
                           confirm=replace_prompt())

    def human(d: dict[str, Any]) -> None:
        print(f"Wrote {d['file']}: {d['persons']} persons in {d['groups']} stakeholder groups.")
        if d["show_names"]:
            print("This file lists informants by name: keep it confidential.")

    return emit(args, r, human)


def cmd_findings_quotes(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import choose_key_quotes
    from qualcode.exports.chapter import finding_quotes

    if args.clear and args.refs:
        raise QualcodeError("give references or --clear, not both")
    with open_project(args) as project:
        if args.refs or args.clear:
            choose_key_quotes(project, args.finding, [] if args.clear else args.refs, coder=args.coder)
        data = finding_quotes(project, args.finding, show_names=args.show_names)

    def human(d: dict[str, Any]) -> None:
        how = "chosen" if d["chosen"] else "chosen automatically (strongest distinct passages, one per group first)"
        print(f"{d['id']}: {len(d['quotes'])} quote(s), {how}.")
        for q in d["quotes"]:
            print(f"  [{q['reference']}] \u201c{_short(q['text'], 110)}\u201d")
            print(f"      \u2014 {q['attribution']}")

    return emit(args, data, human)


def _finding_line(f: dict[str, Any]) -> None:
    print(f"{f['id']} [{f['criterion']}] {f['statement']}")


def cmd_findings_add(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import add_finding

    with open_project(args) as project:
        f = add_finding(project, args.criterion, args.statement, coder=args.coder,
                        finding_id=args.id, question=args.question, documents=args.document)
    return emit(args, f, lambda d: print(f"Added finding {d['id']} to {d['criterion']}. Link evidence with"
                                         f" 'qualcode findings link {d['id']} --segment REF'."))


def cmd_findings_link(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import cite_document, link_evidence

    with open_project(args) as project:
        coder = args.coder
        if args.document:
            f = cite_document(project, args.finding, args.document, coder=coder)
            return emit(args, f, lambda d: print(f"{d['id']} now cites {len(d['documents'])} document(s)."))
        links = link_evidence(project, args.finding, coder=coder, coding=args.coding, segment=args.segment,
                              code=args.code, coded_by=args.coded_by, contradicts=args.contradicts, note=args.note)

    def human(rows: list[dict[str, Any]]) -> None:
        if not rows:
            print("Already linked; nothing changed.")
        for r in rows:
            verb = "Re-linked" if r.get("relinked") else "Linked"
            print(f"{verb} {r['ref']} ({r['code']}, coded by {r['coder']}) to {r['finding']} as {r['stance']}."
                  + (" The link now holds the passage as the transcript reads." if r.get("relinked") else ""))
        # a passage outside the reconciled view counts for nothing: say so now, not only in the audit
        why = {"omitted": "was decided --omit in adjudication: it supports nothing ('qualcode audit' fails until it"
                          " is unlinked)",
               "open": "is a disagreement of the agreement sample nobody has settled: it counts once it is settled"
                       " ('qualcode adjudicate list')",
               "machine": "is filed under a program's name, not a person's: it counts for nothing"}
        for ref, code, view in dict.fromkeys((r["ref"], r["code"], r.get("view")) for r in rows):
            if view in why:
                print(f"warning: {ref} {code} {why[view]}", file=sys.stderr)

    return emit(args, links, human)


def cmd_findings_unlink(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import cite_document, unlink_evidence

    with open_project(args) as project:
        coder = args.coder
        if args.document:
            f = cite_document(project, args.finding, args.document, coder=coder, remove=True)
            return emit(args, f, lambda d: print(f"{d['id']} now cites {len(d['documents'])} document(s)."))
        n = unlink_evidence(project, args.finding, coder=coder, coding=args.coding, segment=args.segment)
    return emit(args, {"finding": args.finding, "removed": n},
                lambda d: print(f"Removed {d['removed']} link(s) from {d['finding']}."))


def cmd_findings_edit(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import edit_finding

    if args.statement is None and args.criterion is None and args.question is None:
        raise QualcodeError("nothing to change", hint="pass --statement, --criterion or --question")
    with open_project(args) as project:
        f = edit_finding(project, args.finding, coder=args.coder, statement=args.statement,
                         criterion=args.criterion, question=args.question)
    return emit(args, f, _finding_line)


def cmd_findings_remove(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import remove_finding

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
    from qualcode.synthesis.triangulation import describe_event

    with open_project(args) as project:
        data = present_finding(project, args.finding, show_names=args.show_names)

    def human(d: dict[str, Any]) -> None:
        t = d["triangulation"]
        print(f"{d['id']} [{d['criterion']}{'/' + d['code'] if d['code'] else ''}] {d['statement']}")
        print(f"  strength: {t['strength']} ({t['events']} events, {t['informants']} informants,"
              f" groups: {', '.join(t['groups']) or '-'},"
              f" {t['transcripts']} transcripts, {t['documents']} documents ({t['document_units']} coded"
              f" passages), sources: {', '.join(t['source_types']) or '-'})")
        print(f"  silent groups: {', '.join(t['silent_groups']) or '-'}")
        if t["divergent_groups"]:
            print(f"  contradicted by: {', '.join(t['divergent_groups'])}")
        for doc in d["documents"]:
            print(f"  document: {doc}")
        if t.get("event_list"):
            print("  events: " + ", ".join(describe_event(e) for e in t["event_list"]))
        # a passage both coders coded is one piece of evidence: its quote once, then who coded it
        passages: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for link in d["evidence"]:
            passages.setdefault((link["reference"], link["stance"], link["code"]), []).append(link)
        marks = {"omitted": "  [OMITTED IN ADJUDICATION: not counted]",
                 "open": "  [CODERS DISAGREE: not counted until settled]", "removed": "  [CODING REMOVED]"}
        for (reference, stance, code), links in passages.items():
            first = links[0]
            mark = "+" if stance == "supports" else "-"
            state = "removed" if not any(x["coding_exists"] for x in links) else first.get("view", "in")
            print(f"  {mark} [{reference}] {shown_passage(first['quote'], first.get('record'))}{marks.get(state, '')}")
            who = "; ".join(f"{x['coder']} {x.get('created') or ''}".strip()
                            + (f" (suggestion {x.get('model_version')})" if x.get("source") == "suggestion" else "")
                            for x in links)
            print(f"      \u2014 {first['attribution'] or '?'}; {code} coded by {who}")

    return emit(args, data, human)


def cmd_findings_export(args: argparse.Namespace) -> int:
    from qualcode.synthesis.findings import export_findings

    with open_project(args) as project:
        text = export_findings(project, args.out, show_names=args.show_names, force=args.force,
                               confirm=replace_prompt())
    if args.out:
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_findings_import(args: argparse.Namespace) -> int:
    from qualcode.actions.drafting import import_findings

    with open_project(args) as project:
        r = import_findings(project, args.file, coder=args.coder, replace=args.replace)

    def human(d: dict[str, Any]) -> None:
        print(f"Imported {d['file']}: {d['created']} new, {d['updated']} updated, {d['links']} evidence links.")
        for w in d.get("warnings", []):
            print(f"warning: {w}")

    return emit(args, r, human)


def cmd_audit(args: argparse.Namespace) -> int:
    from qualcode.synthesis.audit import audit

    with open_project(args) as project:
        report = audit(project, finding_ids=args.finding, show_names=args.show_names)

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
    from qualcode.cli.progress import progress_for
    from qualcode.exports.report import write_report

    with open_project(args) as project, progress_for(args) as progress:
        r = write_report(project, Path(args.out), show_names=args.show_names, progress=progress,
                         coders=_coders(project, args), force=args.force, confirm=replace_prompt())
    return emit(args, r, lambda d: print(f"Wrote {d['file']} ({d['bytes'] // 1024} KB, {d['findings']} findings)."))


def _review_note(project: Project, args: argparse.Namespace | None = None) -> None:
    """What the view leaves out, said once on stderr (stdout stays clean): codings a re-import could not place, and
    (in the reconciled view) the agreement sample's disagreements nobody has settled yet."""
    n = project.review_count()
    if n:
        print(f"qualcode: note: {n} coding(s) wait for review after a re-import and are not counted here"
              " (see 'qualcode reanchor list')", file=sys.stderr)
    if args is None or _coders(project, args) is None:
        from qualcode.synthesis.reconciled import open_note, reconcile

        note = open_note(reconcile(project))
        if note:
            print(f"qualcode: note: {note}", file=sys.stderr)


def _coders(project: Project, args: argparse.Namespace) -> list[str] | None:
    """The coders named by --coders, checked against the project (a typo is an error, not an empty result); None
    for the reconciled view (no --coders, or the consensus coder)."""
    from qualcode.synthesis.reconciled import view_coders

    return view_coders(project, parse_coders(getattr(args, "coders", None)))
