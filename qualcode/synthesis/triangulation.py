"""Triangulation: how many data-collection events, informants, stakeholder groups, transcripts and source types
(KII, FGD, documents) support a criterion, a code or a finding, which groups are silent, and the evidence-strength
rating a documented, configurable rule gives it. Divergence is reported per group (who supports, who contradicts),
never averaged away.

An **event** is one interview or one focus-group discussion: the participants of a discussion hear and influence each
other, so five voices from one FGD are one event (listed with its participant count and groups), not five
independent sources. A transcript is its own event unless its ``event`` attribute names a shared one (one meeting
recorded in two files). The evidence counted is the reconciled view (:mod:`qualcode.synthesis.reconciled`).

The rule is stored in the project (setting ``triangulation_rule``, YAML) and defaults to :data:`DEFAULT_RULE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError, QualcodeError
from qualcode.synthesis.evidence import UNKNOWN, criteria, load_evidence, stakeholder_groups

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.synthesis.reconciled import Reconciliation

SETTING = "triangulation_rule"
MEASURES = ("events", "groups", "informants", "transcripts", "source_types", "documents", "document_units", "units")
NONE = "none"

DEFAULT_RULE = """\
# Evidence-strength rule. Levels are tried from the top; the first level one of whose alternatives holds wins.
# An alternative holds when every count it names is reached. Counts: events (data-collection events: an interview,
# or a focus group counted once however many took part), groups (stakeholder groups), informants, transcripts,
# source_types (KII, FGD, document), documents (desk-review documents with coded passages, plus documents a finding
# cites by name), document_units (coded document passages), units (coded passages).
# Evidence that meets no level is rated "none".
levels:
  - name: strong
    any:
      - {events: 3, groups: 3}
      - {events: 2, groups: 2, documents: 1}
  - name: moderate
    any:
      - {events: 2, groups: 2}
  - name: weak
    any:
      - {events: 2}
      - {informants: 2}
  - name: single-source
    any:
      - {informants: 1}
      - {documents: 1}
# 'qualcode audit' flags findings rated below this level ...
required: moderate
# ... as a warning, or as an error (which makes the audit fail).
severity: warning
"""


@dataclass
class Level:
    name: str
    alternatives: list[dict[str, int]]

    def holds(self, metrics: dict[str, Any]) -> bool:
        return any(all(_count(metrics, k) >= v for k, v in alt.items()) for alt in self.alternatives)


@dataclass
class TriangulationRule:
    """Ordered strength levels, the level a finding needs, and how the audit reports a shortfall."""

    levels: list[Level] = field(default_factory=list)
    required: str = "moderate"
    severity: str = "warning"

    def rate(self, metrics: dict[str, Any]) -> str:
        for level in self.levels:
            if level.holds(metrics):
                return level.name
        return NONE

    def rank(self, name: str) -> int:
        """0 for the strongest level; larger is weaker; 'none' is weakest."""
        names = [lv.name for lv in self.levels]
        return names.index(name) if name in names else len(names)

    def meets(self, strength: str) -> bool:
        return self.rank(strength) <= self.rank(self.required)

    def to_dict(self) -> dict[str, Any]:
        return {"levels": [{"name": lv.name, "any": lv.alternatives} for lv in self.levels],
                "required": self.required, "severity": self.severity}

    def describe(self) -> list[str]:
        out = []
        for lv in self.levels:
            alts = [" and ".join(f">= {v} {k.replace('_', ' ')}" for k, v in alt.items()) or "any evidence"
                    for alt in lv.alternatives]
            out.append(f"{lv.name}: " + " or ".join(alts))
        out.append(f"findings need at least '{self.required}' (else an audit {self.severity})")
        return out


def _count(metrics: dict[str, Any], key: str) -> int:
    value = metrics.get(key, 0)
    return len(value) if isinstance(value, (list, set, tuple)) else int(value or 0)


def parse_rule(text: str, source: str = "<rule>") -> TriangulationRule:
    """Read and check a rule (YAML). Raises InputError naming the problem."""
    from qualcode.safeio import yaml as safe_yaml

    data = safe_yaml.load(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("levels"), list) or not data["levels"]:
        raise InputError("the rule needs a non-empty 'levels:' list", path=source,
                         hint="see 'qualcode triangulation --show-rule' for the format")
    levels = []
    for item in data["levels"]:
        if not isinstance(item, dict) or not item.get("name"):
            raise InputError("each level needs a name and 'any:' alternatives", path=source)
        alts = item.get("any", [{}])
        if isinstance(alts, dict):
            alts = [alts]
        if not isinstance(alts, list):
            raise InputError(f"level '{item['name']}': 'any' must be a list of alternatives", path=source)
        clean = []
        for alt in alts:
            if not isinstance(alt, dict):
                raise InputError(f"level '{item['name']}': each alternative is a mapping like {{groups: 2}}",
                                 path=source)
            for k, v in alt.items():
                if k not in MEASURES:
                    raise InputError(f"level '{item['name']}': unknown count '{k}'", path=source,
                                     hint="use " + ", ".join(MEASURES))
                if not isinstance(v, int) or v < 0:
                    raise InputError(f"level '{item['name']}': '{k}' must be a whole number", path=source)
            clean.append({str(k): int(v) for k, v in alt.items()})
        levels.append(Level(str(item["name"]), clean))
    names = [lv.name for lv in levels]
    required = str(data.get("required") or names[min(1, len(names) - 1)])
    if required not in names:
        raise InputError(f"required level '{required}' is not one of the levels ({', '.join(names)})", path=source)
    severity = str(data.get("severity") or "warning")
    if severity not in ("warning", "error"):
        raise InputError("severity must be 'warning' or 'error'", path=source)
    return TriangulationRule(levels, required, severity)


def load_rule(project: Project) -> TriangulationRule:
    """The project's rule, or the default."""
    text = project.setting(SETTING)
    return parse_rule(text or DEFAULT_RULE, "<project triangulation rule>")


def rule_text(project: Project) -> str:
    return project.setting(SETTING) or DEFAULT_RULE


def set_rule(project: Project, path: str | Path | None, *, coder: str) -> TriangulationRule:
    """Install a rule from a YAML file (checked first); ``None`` restores the default."""
    if path is None:
        text = DEFAULT_RULE
    else:
        from qualcode.textfile import read_user_text

        text = read_user_text(path)
    rule = parse_rule(text, str(path or "<default>"))
    project.set_setting(SETTING, text, coder=coder)
    return rule


# ---------------------------------------------------------------------------------------------- measuring


def event_of(row: dict[str, Any]) -> str:
    """The data-collection event of an evidence row: its transcript's ``event`` attribute, else the transcript."""
    event = str((row.get("attributes") or {}).get("event") or "").strip()
    return event or str(row["transcript"])


def event_sizes(project: Project) -> dict[str, dict[str, Any]]:
    """Every event of the project with its participants (informants in the case sheet) and their groups, so a
    measure can say "3 of the FGD's 5 participants"."""
    import json

    t_attrs = {tid: json.loads(a or "{}") for tid, a in project.db.execute("SELECT id, attributes FROM transcripts")}
    c_attrs = {cid: json.loads(a or "{}") for cid, a in project.db.execute("SELECT id, attributes FROM cases")}
    out: dict[str, dict[str, Any]] = {}
    for tid, attrs in t_attrs.items():
        event = str(attrs.get("event") or "").strip() or tid
        out.setdefault(event, {"participants": set(), "groups": set(), "transcripts": set()})["transcripts"].add(tid)
    for tid, case in project.db.execute("SELECT transcript_id, case_id FROM speakers WHERE role != 'interviewer'"
                                        " AND case_id IS NOT NULL"):
        attrs = t_attrs.get(tid)
        if attrs is None:
            continue
        event = str(attrs.get("event") or "").strip() or tid
        entry = out[event]
        entry["participants"].add(case)
        group = c_attrs.get(case, {}).get("stakeholder_group")
        if group:
            entry["groups"].add(str(group))
    return {e: {"participants": len(v["participants"]), "groups": sorted(v["groups"]),
                "transcripts": sorted(v["transcripts"])} for e, v in out.items()}


def measure(rows: Iterable[dict[str, Any]], *, all_groups: Iterable[str] = (), documents: int = 0,
            rule: TriangulationRule | None = None, events: dict[str, dict[str, Any]] | None = None
            ) -> dict[str, Any]:
    """Counts for one body of evidence (rows of :func:`load_evidence`) and its rating under ``rule``.

    ``events`` (from :func:`event_sizes`) adds each event's full size to ``event_list``. The counts: ``units``
    (distinct passages), ``events`` (an FGD once), ``informants``, ``groups`` (names), ``transcripts``,
    ``source_types`` (names), ``documents`` (documents with coded passages, plus ``documents`` cited by name),
    ``document_units`` (coded document passages), ``documents_cited``, ``document_list``, ``interviews_only``
    (evidence from interviews and no document), ``coders``, ``silent_groups``, ``per_group`` and ``event_list``
    (one entry per interview event: id, type, informants whose words are in the evidence, its participants, their
    groups). Document passages count as passages and documents, never as informants, groups or events.
    """
    rows = list(rows)
    # desk-review documents are a data source of their own: they are not informants, groups or events
    documents_coded: dict[str, set[str]] = {}
    for r in rows:
        if r["source_type"] == "document":
            documents_coded.setdefault(r["transcript"], set()).add(r["ref"])
    spoken = [r for r in rows if r["source_type"] != "document"]
    per_group: dict[str, dict[str, set[str]]] = {}
    per_event: dict[str, dict[str, Any]] = {}
    for r in spoken:
        g = per_group.setdefault(r["group"], {"units": set(), "informants": set()})
        g["units"].add(r["ref"])
        g["informants"].add(r["informant"])
        e = per_event.setdefault(event_of(r), {"type": r["source_type"], "informants": set(), "groups": set(),
                                               "transcripts": set(), "units": set()})
        e["informants"].add(r["informant"])
        e["transcripts"].add(r["transcript"])
        e["units"].add(r["ref"])
        if r["group"] != UNKNOWN:
            e["groups"].add(r["group"])
    groups = sorted(g for g in per_group if g != UNKNOWN)
    source_types = sorted({r["source_type"] for r in rows} | ({"document"} if documents else set()))
    event_list = []
    for eid, e in sorted(per_event.items()):
        size = (events or {}).get(eid, {})
        event_list.append({"id": eid, "type": e["type"], "units": len(e["units"]), "informants": len(e["informants"]),
                           "participants": max(size.get("participants", 0), len(e["informants"])),
                           "groups": sorted(e["groups"]), "transcripts": sorted(e["transcripts"])})
    metrics: dict[str, Any] = {
        "units": len({r["ref"] for r in rows}),
        "events": len(per_event),
        "informants": len({r["informant"] for r in spoken}),
        "groups": groups,
        "transcripts": len({r["transcript"] for r in spoken}),
        "source_types": source_types,
        "documents": len(documents_coded) + documents,
        "document_units": sum(len(v) for v in documents_coded.values()),
        "documents_cited": documents,
        "document_list": [{"id": d, "units": len(v)} for d, v in sorted(documents_coded.items())],
        "interviews_only": bool(spoken) and not documents_coded and not documents,
        "coders": sorted({r["coder"] for r in rows}),
        "silent_groups": sorted(set(all_groups) - set(groups)),
        "per_group": {g: {"units": len(v["units"]), "informants": len(v["informants"])}
                      for g, v in sorted(per_group.items())},
        "event_list": event_list,
    }
    if rule is not None:
        metrics["strength"] = rule.rate(metrics)
        metrics["meets_rule"] = rule.meets(metrics["strength"])
    return metrics


def describe_event(event: dict[str, Any]) -> str:
    """'FGD-01 (FGD, 3 of 5 participants: Factory, Workers' organisation)' or 'KII-07 (KII)'."""
    parts = [event["type"]]
    if event["participants"] > 1 or event["informants"] > 1:
        parts.append(f"{event['informants']} of {event['participants']} participants")
    text = ", ".join(parts)
    if len(event["groups"]) > 1 or event["participants"] > 1:
        text += ": " + ", ".join(event["groups"]) if event["groups"] else ""
    return f"{event['id']} ({text})"


def triangulation(project: Project, *, level: str = "criterion", evidence: list[dict[str, Any]] | None = None,
                  coders: list[str] | None = None) -> list[dict[str, Any]]:
    """Triangulation of every criterion, every code, or every finding (``level``). ``coders`` counts only those
    coders' codings (criterion and code levels; ``evidence``, rows of :func:`load_evidence`, replaces the
    project's codings altogether)."""
    if coders is not None and level == "finding":
        raise InputError("--coders applies to --level criterion or code",
                         hint="a finding's evidence is the passages linked to it, whoever coded them")
    if level == "finding":
        # in the order findings are listed (findings.list_findings builds on this module, not the other way round)
        ids = [str(r[0]) for r in project.db.execute("SELECT id FROM findings ORDER BY position, id")]
        tri = finding_triangulation(project, ids)
        return [tri[i] for i in ids]
    if level not in ("criterion", "code"):
        raise QualcodeError(f"cannot triangulate '{level}'", hint="use criterion, code or finding")
    rule = load_rule(project)
    groups = stakeholder_groups(project)
    sizes = event_sizes(project)
    ev = load_evidence(project, coders=coders) if evidence is None else evidence
    by_key: dict[str, list[dict[str, Any]]] = {}
    parents = {r["id"]: r["parent_id"] for r in project.code_rows(include_inactive=True)}
    for r in ev:
        if level == "criterion":
            by_key.setdefault(r["criterion"], []).append(r)
        else:
            # a question's evidence includes what is coded to its sub-codes
            code: str | None = r["code"]
            while code:
                by_key.setdefault(code, []).append(r)
                code = parents.get(code)
    out = []
    for crit in criteria(project):
        items = [crit] if level == "criterion" else crit["codes"]
        for item in items:
            m = measure(by_key.get(item["id"], []), all_groups=groups, rule=rule, events=sizes)
            out.append({"id": item["id"], "name": item["name"], "criterion": crit["id"], **m})
    return out


def finding_triangulation(project: Project, finding_ids: list[str], *, recon: Reconciliation | None = None
                          ) -> dict[str, dict[str, Any]]:
    """Triangulation of findings from their supporting evidence (and documents cited), with divergence: the
    groups whose informants contradict the finding, side by side with those who support it. A linked coding counts
    only while it is in the reconciled view (a passage adjudicated ``--omit`` supports nothing); ``recon``: that view
    when the caller has computed it already."""
    import json

    rule = load_rule(project)
    groups = stakeholder_groups(project)
    if not finding_ids:
        return {}
    sizes = event_sizes(project)
    links: dict[str, list[tuple[int, str]]] = {}
    docs: dict[str, int] = {}
    for fid in finding_ids:
        row = project.db.execute("SELECT documents FROM findings WHERE id = ?", (fid,)).fetchone()
        docs[fid] = len(json.loads(row[0])) if row else 0
        links[fid] = [(int(r[0]), str(r[1])) for r in project.db.execute(
            "SELECT coding_id, stance FROM finding_evidence WHERE finding_id = ?", (fid,))]
    all_ids = {c for v in links.values() for c, _ in v}
    rows = {r["coding"]: r for r in load_evidence(project, coding_ids=all_ids, reconciliation=recon)} if all_ids else {}
    out = {}
    for fid in finding_ids:
        support = [rows[c] for c, s in links[fid] if s == "supports" and c in rows]
        against = [rows[c] for c, s in links[fid] if s == "contradicts" and c in rows]
        m = measure(support, all_groups=groups, documents=docs[fid], rule=rule, events=sizes)
        contra = measure(against)
        divergence = []
        for g in sorted(set(m["per_group"]) | set(contra["per_group"])):
            s = m["per_group"].get(g, {"informants": 0})["informants"]
            c = contra["per_group"].get(g, {"informants": 0})["informants"]
            divergence.append({"group": g, "supporting_informants": s, "contradicting_informants": c})
        m["contradicting"] = {"units": contra["units"], "informants": contra["informants"], "groups": contra["groups"],
                              "events": contra["events"]}
        # a group that contradicts the finding has spoken: it is divergent, not silent
        m["silent_groups"] = [g for g in m["silent_groups"] if g not in contra["groups"]]
        m["divergence"] = divergence
        # a group that only contradicts, or is split, is a finding in itself: surface it
        m["divergent_groups"] = [d["group"] for d in divergence if d["contradicting_informants"]]
        m["id"] = fid
        out[fid] = m
    return out
