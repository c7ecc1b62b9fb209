"""The audit a reviewer runs before trusting the findings: for every finding, does each evidence link still resolve,
is each quote still verbatim in its transcript, does the triangulation meet the project's rule, is the evidence
more than one group's or one coder's, and was every machine suggestion accepted by a human coder?

Problems are listed per finding with a severity: ``error`` (the finding cannot be trusted as it stands; the audit
fails), ``warning`` (a reviewer should look) or ``info`` (worth saying in the report, e.g. divergent groups).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.teams import is_machine_coder, machine_coder_names

if TYPE_CHECKING:
    from qualcode.store import Project

__all__ = ["audit", "is_machine_coder"]


def _problem(severity: str, check: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"severity": severity, "check": check, "message": message, **extra}


def audit(project: Project, *, finding_ids: list[str] | None = None, show_names: bool = False) -> dict[str, Any]:
    """Check every finding (or those named). Returns ``{"ok", "errors", "warnings", "findings": [{"id", "problems"}],
    "rule"}``; ``ok`` is False when any problem is an error. Statements and quotes in the report are pseudonymised
    unless ``show_names``: ``audit --json`` is often pasted into a review."""
    from qualcode.safety.privacy import Pseudonymiser
    from qualcode.synthesis.findings import list_findings, require_finding
    from qualcode.synthesis.reconciled import reconcile
    from qualcode.synthesis.triangulation import describe_event, finding_triangulation, load_rule
    from qualcode.teams.adjudicate import adjudications

    pseudo = Pseudonymiser(project, enabled=not show_names)
    rule = load_rule(project)
    recon = reconcile(project)
    decisions = {(a["segment"], a["code"]): a for a in adjudications(project)} if recon.omitted else {}
    extra = machine_coder_names(project)
    if finding_ids is None:
        findings = list_findings(project)
    else:
        findings = [require_finding(project, f) for f in finding_ids]
    ids = [f["id"] for f in findings]
    tri = finding_triangulation(project, ids)
    codings = _codings(project)
    documents = [(t["id"], t["title"]) for t in project.transcripts() if t.get("kind") == "document"]
    texts: dict[tuple[str, int], str] = {}
    report = []
    for f in findings:
        problems: list[dict[str, Any]] = []
        links = [dict(r) for r in project.db.execute(
            "SELECT * FROM finding_evidence WHERE finding_id = ? ORDER BY id", (f["id"],))]
        if not links and not f["documents"]:
            problems.append(_problem("error", "no_evidence", "the finding has no evidence: link coded passages"
                                     f" (qualcode findings link {f['id']} --segment REF) or cite a document"))
        resolved = []
        for link in links:
            where = f"{link['segment_ref']} ({link['code_id']}, coded by {link['coder']})"
            c = codings.get(link["coding_id"])
            if c is None:
                problems.append(_problem("error", "unresolved", f"evidence {where} no longer resolves: coding"
                                         f" {link['coding_id']} was removed; re-link or unlink it",
                                         ref=link["segment_ref"], coding=link["coding_id"]))
                continue
            resolved.append((link, c))
            if not c["current"]:
                problems.append(_problem("error", "old_version", f"evidence {where} is on a superseded version of"
                                         f" {c['transcript']}; review the re-anchored coding and re-link it",
                                         ref=link["segment_ref"], coding=c["id"]))
            key = (c["transcript"], c["version"])
            if key not in texts:
                texts[key] = project.transcript_text(c["transcript"], c["version"])
            now = texts[key][c["start"]:c["end"]]
            if now != link["quote"] or now != c["text"]:
                problems.append(_problem("error", "quote_changed", f"the quote of {where} no longer matches its"
                                         " transcript verbatim; check the passage and re-link it (qualcode findings"
                                         f" link {f['id']} --coding {c['id']})",
                                         ref=link["segment_ref"], coding=c["id"],
                                         linked_quote=pseudo(link["quote"], c["transcript"]),
                                         transcript_text=pseudo(now, c["transcript"])))
            if c["status"] == "needs_review":
                problems.append(_problem("warning", "needs_review", f"evidence {where} was re-anchored and needs"
                                         " review", ref=c["ref"], coding=c["id"]))
            state = recon.state(c["segment"], c["code"])
            if state == "omitted":
                d = decisions.get((c["segment"], c["code"]), {})
                why = f": {pseudo(d['note'], c['transcript'])}" if d.get("note") else ""
                problems.append(_problem("error", "adjudicated_out", f"evidence {where} was decided --omit in"
                                         f" adjudication by {d.get('coder') or '?'}{why}; the passage does not carry"
                                         f" the code, so it supports nothing: unlink it (qualcode findings unlink"
                                         f" {f['id']} --coding {c['id']})", ref=c["ref"], coding=c["id"]))
            elif state == "open":
                who = ", ".join(recon.open.get((c["segment"], c["code"]), [])) or "?"
                problems.append(_problem("warning", "disagreement", f"evidence {where} is a disagreement of the"
                                         f" agreement sample (applied by {who} only) that nobody has settled, so it"
                                         " is not counted: qualcode adjudicate decide --segment"
                                         f" {c['ref']} --code {c['code']} --apply|--omit", ref=c["ref"],
                                         coding=c["id"]))
            if (c["source"] == "suggestion" or c["coder"] in recon.machine) and is_machine_coder(
                    c["coder"], model_version=c["model_version"], extra=extra):
                problems.append(_problem("error", "machine_coding", f"evidence {where} is a machine suggestion"
                                         f" (model {c['model_version'] or '?'}) that no human coder accepted;"
                                         " have a coder review it", ref=c["ref"], coding=c["id"]))
            if c["criterion"] != f["criterion"]:
                problems.append(_problem("warning", "other_criterion", f"evidence {where} is coded to criterion"
                                         f" '{c['criterion']}', the finding is about '{f['criterion']}'",
                                         ref=c["ref"], coding=c["id"]))
        t = tri[f["id"]]
        if links or f["documents"]:
            if not rule.meets(t["strength"]):
                problems.append(_problem(rule.severity, "triangulation", f"evidence strength is '{t['strength']}'"
                                         f" ({t['events']} event(s), {t['informants']} informant(s),"
                                         f" {len(t['groups'])} group(s), {t['documents']} document(s),"
                                         f" {len(t['source_types'])} source type(s)); the project's rule asks for"
                                         f" '{rule.required}': add evidence or say the finding is {t['strength']}",
                                         strength=t["strength"]))
            # what supports the finding is what the reconciled view keeps (an omitted passage supports nothing)
            support = [(lk, c) for lk, c in resolved if lk["stance"] == "supports"
                       and recon.keeps(c["segment"], c["code"], c["coder"])]
            if len(support) >= 1 and len(t["groups"]) == 1:
                problems.append(_problem("warning", "one_group", f"all supporting evidence comes from one"
                                         f" stakeholder group ({t['groups'][0]}); silent: "
                                         + (", ".join(t["silent_groups"]) or "none")))
            if len(support) >= 1 and t["events"] == 1:
                only = t["event_list"][0]
                why = (": its participants heard each other, so it counts once" if only["participants"] > 1
                       else "")
                problems.append(_problem("warning", "one_event", "all supporting evidence comes from one"
                                         f" data-collection event, {describe_event(only)}{why}; look for the same"
                                         " view in another interview or discussion", event=only["id"]))
            coders = {c["coder"] for _, c in support}
            if len(support) >= 1 and len(coders) == 1:
                problems.append(_problem("warning", "one_coder", f"all supporting evidence was coded by one coder"
                                         f" ({next(iter(coders))}); have another coder check it"))
            if t["divergent_groups"]:
                problems.append(_problem("info", "divergence", "contradicting evidence from "
                                         + ", ".join(t["divergent_groups"]) + ": report the divergence in the"
                                         " finding", groups=t["divergent_groups"]))
        for cited in f["documents"]:
            problems.append(_cited_not_coded(f["id"], cited, documents))
        report.append({"id": f["id"], "criterion": f["criterion"], "statement": pseudo(f["statement"]),
                       "strength": t["strength"], "problems": problems})
    errors = sum(1 for f in report for p in f["problems"] if p["severity"] == "error")
    warnings = sum(1 for f in report for p in f["problems"] if p["severity"] == "warning")
    return {"ok": errors == 0, "errors": errors, "warnings": warnings, "findings": report,
            "rule": rule.to_dict()}


def _cited_not_coded(finding: str, cited: str, documents: list[tuple[str, str]]) -> dict[str, Any]:
    """A document a finding names in free text: a reviewer cannot walk from the finding to the passage behind it."""
    from qualcode.folding import fold

    key = fold(cited)
    match = next((d for d, title in documents if (fold(title) and fold(title) in key) or key == fold(d)),
                 None)
    if match is not None:
        todo = (f"link the passages of {match} behind it (qualcode findings link {finding} --segment {match}:N)"
                " and unlink the citation")
    else:
        todo = "import the document (qualcode import --document FILE), code it and link its passages"
    return _problem("warning", "cited_not_coded", f"'{cited}' is cited, not coded: {todo}", document=cited,
                    **({"match": match} if match else {}))


def _codings(project: Project) -> dict[int, dict[str, Any]]:
    """Every coding (any transcript version) that a finding links, with its segment's position."""
    rows = project.db.execute(
        """
        SELECT c.id, c.segment_id AS segment, c.code_id AS code, cd.criterion_id AS criterion, k.name AS coder,
               c.created, c.source, c.score,
               c.model_version, c.status, s.transcript_id AS transcript, s.version, s.idx, s.start, s.end, s.text,
               (s.version = t.current_version) AS current
        FROM codings c
        JOIN finding_evidence e ON e.coding_id = c.id
        LEFT JOIN coders k ON k.id = c.coder_id
        JOIN segments s ON s.id = c.segment_id
        JOIN transcripts t ON t.id = s.transcript_id
        JOIN codes cd ON cd.id = c.code_id
        """
    )
    out = {}
    for r in rows:
        d = dict(r)
        d["ref"] = f"{d['transcript']}:{d['idx']}"
        d["current"] = bool(d["current"])
        out[d["id"]] = d
    return out
