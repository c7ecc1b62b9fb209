"""The reviewers' report: one self-contained HTML file (inline CSS, no scripts, no network, every text escaped).

It shows the criterion x stakeholder-group heatmap, the evaluation matrix with its coverage (which questions have
little evidence), and every finding with its evidence strength, its quotes in context (the surrounding turns), who
coded each passage and when, whether it came from a machine suggestion, and the audit's problems.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.model import ProgressFn

if TYPE_CHECKING:
    from qualcode.safeio.output import Confirm
    from qualcode.store import Project

LOW_INFORMANTS = 3  # a question resting on fewer informants than this is flagged as thin evidence
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;color:#222;
line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;
vertical-align:top}th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.heat td.n{min-width:3.5rem}.low{background:#fdecea}.ok{background:#eef7ee}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.8rem;font-weight:600;color:#fff}
.strong{background:#2e7d32}.moderate{background:#558b2f}.weak{background:#ef6c00}.single-source{background:#c62828}
.none{background:#757575}.finding{border:1px solid #ddd;border-radius:.4rem;padding:.8rem 1rem;margin:1rem 0}
.statement{font-size:1.05rem;font-weight:600}.quote{border-left:4px solid #1f77b4;padding:.2rem .8rem;margin:.6rem 0}
.quote.contradicts{border-left-color:#c62828}.ctx{color:#666;font-size:.88rem;margin:.1rem 0}
.focus{font-size:1rem;color:#111;background:#fff8d6}.meta{color:#555;font-size:.82rem}
.problems li.error{color:#b71c1c}.problems li.warning{color:#8a5a00}.problems li.info{color:#1a5276}
details summary{cursor:pointer;color:#1f4e79}.note{color:#555;font-size:.9rem}
.heat td.n a{color:inherit;text-decoration:none;display:block}.heat td.n a:hover{text-decoration:underline}
td.fl a{display:inline-block;margin:0 .3rem .1rem 0}figure{margin:1.2rem 0}figure svg{display:block}
figcaption{color:#555;font-size:.88rem;margin-top:.3rem}.charts{display:flex;flex-wrap:wrap;gap:1.5rem;
align-items:flex-start}.charts figure{flex:0 1 auto;max-width:100%}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def build_report(project: Project, *, show_names: bool = False, progress: ProgressFn | None = None,
                 coders: list[str] | None = None) -> str:
    """The report as an HTML string; ``coders`` limits the heatmap and the matrix's coverage to those coders'
    codings (e.g. ``["consensus"]`` after adjudication). Findings show the passages linked to them."""
    from qualcode.safety.privacy import Attributor, Pseudonymiser, speaker_label
    from qualcode.synthesis.audit import audit
    from qualcode.synthesis.evidence import load_evidence, reference, shown_passage
    from qualcode.synthesis.findings import show_finding
    from qualcode.synthesis.matrices import matrix
    from qualcode.synthesis.triangulation import load_rule, triangulation

    steps = 5
    if progress:
        progress("building report", 0, steps)
    ev = load_evidence(project, coders=coders)
    heat = matrix(project, rows="criterion", cols="stakeholder_group", count="units", evidence=ev, with_refs=False)
    heat_inf = matrix(project, rows="criterion", cols="stakeholder_group", count="informants", evidence=ev,
                      with_refs=False)
    coverage = triangulation(project, level="code", evidence=ev)
    if progress:
        progress("building report", 1, steps)
    rule = load_rule(project)
    audit_report = audit(project, show_names=show_names)
    problems = {f["id"]: f["problems"] for f in audit_report["findings"]}
    if progress:
        progress("building report", 2, steps)
    pseudo = Pseudonymiser(project, enabled=not show_names)
    attribute = Attributor(project, show_names=show_names)
    records = project.transcript_records()
    from qualcode.teams import project_status

    status = project_status(project)
    from qualcode.synthesis.reconciled import reconcile
    from qualcode.synthesis.triangulation import describe_event

    recon = reconcile(project)
    reconciliation_note = (f"{len(recon.open)} passage-code pair(s) on which the coders disagree are not counted until"
                           " settled") if recon.open else ""
    findings = ordered_findings(project)
    by_crit: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_crit.setdefault(f["criterion"], []).append(f)
    parents = {r["id"]: r["parent_id"] for r in project.code_rows(include_inactive=True)}
    parts: list[str] = []
    add = parts.append
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
    add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    add(f"<title>{_e('Evidence report: ' + project.name)}</title><style>{CSS}</style></head><body>")
    add(f"<h1>Evidence report: {_e(project.name)}</h1>")
    docs_note = f" and {status['documents']} documents" if status.get("documents") else ""
    add(f"<p class=\"note\">Generated {_e(generated)} from {status['transcripts']} transcripts{docs_note},"
        f" {status['codings']} codings by {status['coders']} coders"
        + (f" ({status['agreed_codings']} of them agreed in adjudication)" if status.get("agreed_codings") else "")
        + f"; codebook {_e(status['codebook'])}."
        " Quotes are verbatim; "
        + ("<strong>this report shows informants' names: do not circulate it.</strong>" if show_names else
           "informants and interviewers are pseudonymised and attributions are anonymous.")
        + " References (TRANSCRIPT:UNIT) identify each passage in the project."
        + (" Heatmap, evaluation matrix and findings count the reconciled view: the agreed codings of the agreement"
           " sample and the adjudicated ones, every other transcript as coded, nothing decided 'omit'"
           + (f" ({reconciliation_note})" if reconciliation_note else "") + "." if not coders else
           " Heatmap and evaluation matrix count the codings of " + _e(", ".join(coders))
           + " only; findings show the passages linked to them, whoever coded them.")
        + "</p>")
    if status.get("needs_review"):
        add(f"<p class=\"note\"><strong>{status['needs_review']} coding(s) are waiting for review after a transcript"
            " was re-imported and are not counted in this report</strong>: place them with"
            " <code>qualcode reanchor list</code> and <code>qualcode reanchor place</code>, then build it again.</p>")
    add("<nav><a href=\"#heatmap\">Heatmap</a> | <a href=\"#charts\">Charts</a> | <a href=\"#matrix\">Evaluation"
        " matrix</a> | <a href=\"#findings\">Findings</a> | <a href=\"#audit\">Audit</a> | <a href=\"#rule\">Rule</a>"
        "</nav>")

    # ------------------------------------------------------------------ heatmap
    add("<h2 id=\"heatmap\">Criterion \u00d7 stakeholder group</h2>")
    add("<p class=\"note\">Coded passages (and informants) per criterion and stakeholder group. Darker cells hold more"
        " evidence; empty cells are groups that are silent on a criterion.</p>")
    peak = max([v for row in heat["counts"] for v in row] or [1]) or 1
    add("<table class=\"heat\"><thead><tr><th>Criterion</th>")
    for col in heat["cols"]:
        add(f"<th>{_e(col)}</th>")
    add("<th>Total</th></tr></thead><tbody>")
    for i, row in enumerate(heat["rows"]):
        add(f"<tr><th>{_e(row['name'])}</th>")
        for j, v in enumerate(heat["counts"][i]):
            inf = heat_inf["counts"][i][j]
            alpha = 0.08 + 0.8 * v / peak if v else 0
            style = f" style=\"background:rgba(31,119,180,{alpha:.2f});color:{'#fff' if alpha > .5 else '#222'}\"" \
                if v else ""
            label = f"{v} ({inf})" if v else "\u2013"
            if v and by_crit.get(row["id"]):  # a cell leads to the findings written on its criterion
                label = f"<a href=\"#findings-{_e(row['id'])}\">{label}</a>"
            add(f"<td class=\"n\"{style} title=\"{v} passages from {inf} informants\">{label}</td>")
        add(f"<td class=\"n\">{heat['row_totals'][i]}</td></tr>")
    add("</tbody></table>")

    # ------------------------------------------------------------------ charts
    from qualcode.exports.annexes import persons_summary
    from qualcode.exports.charts import criterion_heatmap, informants_chart

    add("<h2 id=\"charts\">Charts</h2><p class=\"note\">Coded passages (and informants) per evaluation question and"
        " stakeholder group, and who was heard, by group and sex.</p><div class=\"charts\">")
    for chart in (criterion_heatmap(project, rows="code", evidence=ev, formats=("svg",)),
                  informants_chart(persons_summary(project), formats=("svg",))):
        # matplotlib's SVG: text kept as text, no script; labels are escaped by the SVG writer
        add(f"<figure aria-label=\"{_e(chart.alt)}\">{chart.svg}<figcaption>{_e(chart.title)}</figcaption></figure>")
    add("</div>")

    # ------------------------------------------------------------------ evaluation matrix with coverage
    add("<h2 id=\"matrix\">Evaluation matrix and coverage</h2>")
    add(f"<p class=\"note\">For each criterion and question: how much evidence there is and from whom. Rows with"
        f" fewer than {LOW_INFORMANTS} informants are marked as thin evidence; rows whose evidence comes from"
        " interviews and no desk-review document are marked <em>interviews only</em>.</p>")
    add("<table><thead><tr><th>Criterion / question</th><th>Passages</th><th>Informants</th><th>Groups</th>"
        "<th>Documents</th><th>Sources</th><th>Strength</th><th>Silent groups</th><th>Findings</th></tr></thead>"
        "<tbody>")
    crit_names = {r["id"]: r["name"] for r in heat["rows"]}
    questions = _questions(project)
    DASH = "\u2013"  # noqa: N806
    for t in coverage:
        is_crit = t["id"] == t["criterion"]
        low = t["informants"] < LOW_INFORMANTS
        name = crit_names.get(t["id"], t["name"]) if is_crit else t["name"]
        q = questions.get(t["id"])
        label = f"<strong>{_e(name)}</strong>" if is_crit else f"&nbsp;&nbsp;{_e(name)}"
        if q and not is_crit:
            label += f"<br><span class=\"meta\">&nbsp;&nbsp;{_e(q)}</span>"
        if low:
            label += " <span class=\"meta\">(little evidence)</span>"
        add(f"<tr class=\"{'low' if low else ''}\"><td>{label}</td><td class=\"n\">{t['units']}</td>"
            f"<td class=\"n\">{t['informants']}</td><td class=\"n\">{len(t['groups'])}</td>"
            f"<td class=\"n\" title=\"{t['document_units']} coded document passages\">"
            f"{t['documents'] or DASH}</td>"
            f"<td>{_e(', '.join(t['source_types']))}"
            + (" <span class=\"meta\">(interviews only)</span>" if t.get("interviews_only") else "") + "</td>"
            f"<td><span class=\"badge {_e(t['strength'])}\">{_e(t['strength'])}</span></td>"
            f"<td class=\"meta\">{_e(', '.join(t['silent_groups']))}</td>"
            f"<td class=\"fl\">{_finding_links(by_crit.get(t['criterion'], []), t['id'], is_crit, parents)}</td></tr>")
    add("</tbody></table>")
    if progress:
        progress("building report", 3, steps)

    # ------------------------------------------------------------------ findings
    add("<h2 id=\"findings\">Findings</h2>")
    if not findings:
        add("<p class=\"note\">No findings yet: add them with <code>qualcode findings add</code>.</p>")
    contexts: dict[str, Any] = {}
    current_crit = None
    for f in findings:
        full = show_finding(project, f["id"])
        if f["criterion"] != current_crit:
            current_crit = f["criterion"]
            add(f"<h3 id=\"findings-{_e(current_crit)}\">{_e(crit_names.get(current_crit, current_crit))}</h3>")
        t = full["triangulation"]
        add(f"<section class=\"finding\" id=\"finding-{_e(f['id'])}\">")
        add(f"<p class=\"statement\">{_e(f['id'])}. {_e(pseudo(f['statement']))} "
            f"<span class=\"badge {_e(t['strength'])}\">{_e(t['strength'])}</span></p>")
        add(f"<p class=\"meta\">Criterion: {_e(f['criterion'])}" + (f"; question: {_e(f['code'])}" if f["code"] else "")
            + f". Supported by {t['events']} data-collection event(s) ("
            + _e("; ".join(describe_event(e) for e in t["event_list"]) or "none")
            + f"), {t['informants']} informant(s) in {len(t['groups'])} group(s)"
            f" ({_e(', '.join(t['groups']) or 'none')}), {t['transcripts']} transcript(s),"
            f" {t['documents']} document(s) ({t['document_units']} coded passage(s)), sources:"
            f" {_e(', '.join(t['source_types']) or 'none')}."
            f" Silent groups: {_e(', '.join(t['silent_groups']) or 'none')}.</p>")
        if t["divergent_groups"]:
            add("<table><thead><tr><th>Group</th><th>Supporting informants</th><th>Contradicting informants</th>"
                "</tr></thead><tbody>")
            for d in t["divergence"]:
                add(f"<tr><td>{_e(d['group'])}</td><td class=\"n\">{d['supporting_informants']}</td>"
                    f"<td class=\"n\">{d['contradicting_informants']}</td></tr>")
            add("</tbody></table>")
        if full["documents"]:
            add("<p class=\"meta\">Documents cited:</p><ul>")
            for d in full["documents"]:
                add(f"<li>{_e(d)}</li>")
            add("</ul>")
        probs = problems.get(f["id"], [])
        if probs:
            add("<ul class=\"problems\">")
            for p in probs:
                add(f"<li class=\"{_e(p['severity'])}\"><strong>{_e(p['severity'])}</strong>: {_e(p['message'])}</li>")
            add("</ul>")
        seen_refs: set[tuple[str, str]] = set()
        for link in full["evidence"]:
            ref = link.get("current_ref") or link["ref"]
            linked = [x for x in full["evidence"] if (x.get("current_ref") or x["ref"]) == ref
                      and x["stance"] == link["stance"]]
            if (ref, link["stance"]) in seen_refs:  # one quote per passage; every coder of it is listed below
                continue
            seen_refs.add((ref, link["stance"]))
            add(f"<div class=\"quote {_e(link['stance'])}\">")
            tid = link["transcript"]
            seg = _context(project, contexts, tid, ref)
            if link["stance"] == "contradicts":
                add("<p class=\"meta\"><strong>Contradicts the finding</strong></p>")
            if seg is None:
                add(f"<p class=\"focus\">{_e(shown_passage(pseudo(link['quote'], tid).strip(), records.get(tid)))}</p>")
                add(f"<p class=\"meta\">[{_e(ref)}] passage no longer in the current transcript</p>")
            else:
                units, pos = seg
                focus = units[pos]
                before = [u for u in units[:pos] if u["turn"] >= focus["turn"] - 1][-6:]
                after = [u for u in units[pos + 1:] if u["turn"] <= focus["turn"] + 1][:6]
                for u in before:
                    add(f"<p class=\"ctx\"><strong>{_e(speaker_label(u, show_names=show_names))}:</strong>"
                        f" {_e(pseudo(u['text'], tid).strip())}</p>")
                add(f"<p class=\"ctx focus\"><strong>{_e(speaker_label(focus, show_names=show_names))}:</strong>"
                    f" {_e(shown_passage(pseudo(focus['text'], tid).strip(), records.get(tid)))}</p>")
                for u in after:
                    add(f"<p class=\"ctx\"><strong>{_e(speaker_label(u, show_names=show_names))}:</strong>"
                        f" {_e(pseudo(u['text'], tid).strip())}</p>")
                add(f"<p class=\"meta\">\u2014 {_e(attribute(focus))}"
                    f" [{_e(reference(focus['transcript'], focus['idx'], seconds=focus.get('t_start')))}]</p>")
            for c in linked:
                origin = "coded by hand"
                if c.get("source") == "suggestion":
                    score = f", score {c['score']:.2f}" if isinstance(c.get("score"), (int, float)) else ""
                    origin = (f"machine suggestion (model {c.get('model_version') or '?'}{score})"
                              f" accepted by {c['coder']}")
                elif c.get("source") == "import":
                    origin = "imported from a coded-quote table"
                elif c.get("source") == "merge":
                    origin = "merged from a team member's project"
                created = c.get("created") or "?"
                add(f"<p class=\"meta\">{_e(c['code'])}: {_e(c['coder'])}, {_e(created)} \u00b7 {_e(origin)}"
                    + ("" if c.get("coding_exists") else " \u00b7 <strong>coding removed</strong>") + "</p>")
            add("</div>")
        add("</section>")
    if progress:
        progress("building report", 4, steps)

    # ------------------------------------------------------------------ audit and rule
    add("<h2 id=\"audit\">Audit</h2>")
    verdict = "passed" if audit_report["ok"] else "failed"
    add(f"<p>The audit {verdict}: {audit_report['errors']} error(s), {audit_report['warnings']} warning(s) in"
        f" {len(audit_report['findings'])} finding(s).</p>")
    if any(f["problems"] for f in audit_report["findings"]):
        add("<table><thead><tr><th>Finding</th><th>Severity</th><th>Check</th><th>Problem</th></tr></thead><tbody>")
        for f in audit_report["findings"]:
            for p in f["problems"]:
                add(f"<tr><td><a href=\"#finding-{_e(f['id'])}\">{_e(f['id'])}</a></td><td>{_e(p['severity'])}</td>"
                    f"<td>{_e(p['check'])}</td><td>{_e(p['message'])}</td></tr>")
        add("</tbody></table>")
    add("<h2 id=\"rule\">Triangulation rule</h2><ul>")
    for line in rule.describe():
        add(f"<li>{_e(line)}</li>")
    add("</ul></body></html>\n")
    if progress:
        progress("building report", steps, steps)
    return "".join(parts)


def ordered_findings(project: Project) -> list[dict[str, Any]]:
    """The findings in the order of the evaluation matrix: by criterion and question as the codebook orders them,
    then in the order they were written (not the order they were written in alone, which puts whichever criterion
    the team drafted first at the top)."""
    from qualcode.synthesis.findings import list_findings

    pos = {r["id"]: n for n, r in enumerate(project.code_rows(include_inactive=True))}
    crit_pos = {r["id"]: pos[r["criterion_id"]] for r in project.code_rows(include_inactive=True)}
    end = len(pos)
    return sorted(list_findings(project), key=lambda f: (crit_pos.get(f["criterion"], end), f["criterion"],
                                                          pos.get(f["code"] or f["criterion"], end), f["position"]))


def _finding_links(findings: list[dict[str, Any]], code: str, is_criterion: bool, parents: dict[str, Any]) -> str:
    """Links to the findings that answer a row of the evaluation matrix: a criterion's row lists all of its
    findings, a question's row those filed under it (or under one of its sub-codes)."""
    out = []
    for f in findings:
        cur = f["code"]
        while cur and cur != code:
            cur = parents.get(cur)
        if is_criterion or cur == code:
            out.append(f"<a href=\"#finding-{_e(f['id'])}\" title=\"{_e(f['strength'])}\">{_e(f['id'])}</a>")
    return "".join(out) or "<span class=\"meta\">\u2013</span>"


def _questions(project: Project) -> dict[str, str]:
    from qualcode.synthesis.evidence import criteria

    return {code["id"]: "; ".join(code["questions"]) for c in criteria(project) for code in c["codes"]}


def _context(project: Project, cache: dict[str, Any], transcript: str, ref: str
             ) -> tuple[list[dict[str, Any]], int] | None:
    """The transcript's units and the position of ``ref`` among them (each transcript is read once)."""
    if transcript not in cache:
        try:
            units = project.segments(transcript)
        except QualcodeError:
            units = []
        cache[transcript] = (units, {u["ref"]: i for i, u in enumerate(units)})
    units, index = cache[transcript]
    pos = index.get(ref)
    return None if pos is None else (units, pos)


def write_report(project: Project, out: str | Path, *, show_names: bool = False,
                 progress: ProgressFn | None = None, coders: list[str] | None = None, force: bool = False,
                 confirm: Confirm | None = None) -> dict[str, Any]:
    """Write the report to ``out`` (an .html file), whole or not at all; an existing file is replaced only with
    ``force`` (or when ``confirm`` agrees). Returns the path and what it holds."""
    from qualcode.safeio.output import claim_output, write_text

    path = Path(out)
    if path.suffix.lower() not in (".html", ".htm"):
        raise QualcodeError(f"{path} is not an .html file name", hint="use --out FILE.html")
    claim_output(path, force=force, confirm=confirm, what="report")
    text = build_report(project, show_names=show_names, progress=progress, coders=coders)
    write_text(path, text, what="report (.html)")
    n_findings = int(project.db.execute("SELECT count(*) FROM findings").fetchone()[0])
    return {"file": str(path), "bytes": len(text.encode("utf-8")), "findings": n_findings,
            "show_names": show_names, "coders": coders}
