"""Triangulation: the documented default rule, a project's own rule, silent groups and divergence."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project

from qualcode.errors import InputError
from qualcode.synthesis.triangulation import DEFAULT_RULE, measure, parse_rule, set_rule, triangulation


def rows(*spec: tuple[str, str, str]) -> list[dict]:  # type: ignore[type-arg]
    """(informant, group, source type) -> evidence rows."""
    return [{"ref": f"T{i}:1", "informant": inf, "group": g, "transcript": f"T-{inf}", "source_type": st,
             "coder": "ana"} for i, (inf, g, st) in enumerate(spec)]


RULE = parse_rule(DEFAULT_RULE)


def fgd(*spec: tuple[str, str]) -> list[dict]:  # type: ignore[type-arg]
    """(participant, group) of one focus group -> evidence rows of that one discussion."""
    return [{"ref": f"FGD-01:{i}", "informant": inf, "group": g, "transcript": "FGD-01", "source_type": "FGD",
             "coder": "ana"} for i, (inf, g) in enumerate(spec, start=1)]


@pytest.mark.parametrize(("evidence", "documents", "expected"), [
    (rows(("a", "Factory", "KII"), ("b", "Union", "FGD"), ("c", "Ministry", "KII")), 0, "strong"),
    (rows(("a", "Factory", "KII"), ("b", "Union", "KII"), ("c", "Ministry", "KII")), 0, "strong"),
    # two interviews from two groups are moderate; with a desk-review document behind them they are strong,
    # whether a passage of it is coded or the finding cites it
    (rows(("a", "Factory", "KII"), ("b", "Union", "FGD")), 0, "moderate"),
    (rows(("a", "Factory", "KII"), ("b", "Union", "FGD"), ("document:PR", "(documents)", "document")), 0, "strong"),
    (rows(("a", "Factory", "KII"), ("b", "Union", "FGD")), 1, "strong"),
    (rows(("a", "Factory", "KII"), ("document:PR", "(documents)", "document")), 0, "single-source"),
    (rows(*[(f"i{n}", "Factory" if n % 2 else "Union", "KII") for n in range(5)]), 0, "moderate"),
    (rows(("a", "Factory", "KII"), ("b", "Union", "KII")), 0, "moderate"),
    (rows(("a", "Factory", "KII"), ("b", "Factory", "FGD")), 0, "weak"),
    (rows(("a", "Factory", "KII"), ("a", "Factory", "KII")), 0, "single-source"),
    ([], 1, "single-source"),
    ([], 0, "none"),
])
def test_default_rule_ratings(evidence: list, documents: int, expected: str) -> None:  # type: ignore[type-arg]
    assert measure(evidence, documents=documents, rule=RULE)["strength"] == expected


def test_documents_count_as_a_source_type() -> None:
    ev = rows(("a", "Factory", "KII"), ("b", "Union", "KII"))
    assert measure(ev, rule=RULE)["strength"] == "moderate"
    assert measure(ev, documents=1, rule=RULE)["strength"] == "strong"


def test_one_focus_group_is_one_event_however_many_speak() -> None:
    """Five participants of one discussion, from two groups, influence each other: the FGD counts once, so the
    evidence is weak, not strong (a KII from one more group makes it moderate... and the event list shows who)."""
    five = fgd(("p1", "Factory"), ("p2", "Factory"), ("p3", "Union"), ("p4", "Factory"), ("p5", "Factory"))
    m = measure(five, rule=RULE)
    assert (m["events"], m["informants"], len(m["groups"])) == (1, 5, 2)
    assert m["strength"] == "weak"
    assert m["event_list"] == [{"id": "FGD-01", "type": "FGD", "units": 5, "informants": 5, "participants": 5,
                                "groups": ["Factory", "Union"], "transcripts": ["FGD-01"]}]
    plus_kii = measure(five + rows(("m", "Ministry", "KII")), rule=RULE)
    # two events and three groups, from interviews only: moderate; a desk-review document behind them: strong
    assert plus_kii["events"] == 2 and plus_kii["strength"] == "moderate"
    plus_document = measure(five + rows(("m", "Ministry", "KII"), ("document:PR", "(documents)", "document")),
                            rule=RULE)
    assert plus_document["events"] == 2 and plus_document["documents"] == 1 and plus_document["strength"] == "strong"


def test_an_event_attribute_joins_two_recordings_of_one_meeting() -> None:
    ev = rows(("a", "Factory", "KII"), ("b", "Union", "KII"))
    for r in ev:
        r["attributes"] = {"event": "Workshop Hai Phong"}
    m = measure(ev, rule=RULE)
    assert m["events"] == 1 and m["transcripts"] == 2
    assert m["strength"] == "weak"


def test_silent_groups_are_the_case_sheet_groups_without_evidence() -> None:
    m = measure(rows(("a", "Factory", "KII")), all_groups=["Factory", "Union", "Ministry"])
    assert m["silent_groups"] == ["Ministry", "Union"]


def test_a_project_rule_changes_the_rating(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    before = {t["id"]: t["strength"] for t in triangulation(project)}
    assert before["relevance"] == "strong"  # 4 groups, KII and FGD
    rule = tmp_path / "rule.yaml"
    rule.write_text("levels:\n  - name: strong\n    any: [{groups: 5}]\n  - name: some\n    any: [{informants: 1}]\n"
                    "required: strong\nseverity: error\n", encoding="utf-8")
    set_rule(project, rule, coder="ana")
    after = {t["id"]: t for t in triangulation(project)}
    assert after["relevance"]["strength"] == "some"
    assert after["relevance"]["meets_rule"] is False
    assert after["impact"]["strength"] == "none"
    assert any(e["action"] == "setting.set" for e in project.events(entity="setting"))
    project.close()


@pytest.mark.parametrize("text", ["levels: []", "levels:\n  - name: a\n    any: [{friends: 2}]",
                                  "levels:\n  - name: a\nrequired: b", "levels: [", "levels:\n  - name: a\n"
                                  "severity: fatal"])
def test_a_bad_rule_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(InputError):
        parse_rule(text, "rule.yaml")


def test_code_level_includes_sub_codes_and_lists_silent_groups(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    tri = {t["id"]: t for t in triangulation(project, level="code")}
    assert tri["relevance"]["units"] == 8  # the criterion row of the code level rolls up its questions
    assert tri["sustainability.funding"]["groups"] == ["Factory", "ILO staff"]
    assert tri["sustainability.funding"]["silent_groups"] == ["Government", "Workers' organisation"]
    project.close()


def test_one_coders_triangulation_counts_only_their_codings(tmp_path: Path) -> None:
    from qualcode.synthesis.evidence import load_evidence

    project = build_project(tmp_path / "p")

    everyone = {t["id"]: t["units"] for t in triangulation(project)}
    ben = {t["id"]: t["units"] for t in triangulation(project, coders=["ben"])}
    assert sum(ben.values()) < sum(everyone.values()) and all(ben[k] <= everyone[k] for k in ben)
    assert triangulation(project, evidence=load_evidence(project, coders=["ben"])) == triangulation(
        project, coders=["ben"])
    with pytest.raises(InputError, match="--level criterion or code"):
        triangulation(project, level="finding", coders=["ben"])
    project.close()


def test_a_finding_resting_on_one_focus_group_is_weak_and_the_audit_says_why(tmp_path: Path) -> None:
    from synthesis_support import unit_ref

    from qualcode.synthesis.audit import audit
    from qualcode.synthesis.findings import add_finding, link_evidence

    project = build_project(tmp_path / "p")
    add_finding(project, "relevance", "Training met what factory staff and unions needed.", coder="ana",
                finding_id="F1")
    for start in ("The grievance training was exactly", "For the union the need"):
        link_evidence(project, "F1", segment=unit_ref(project, "FGD-01", start), code="relevance.needs_fit",
                      coder="ana")
    tri = triangulation(project, level="finding")[0]
    assert (tri["informants"], len(tri["groups"]), tri["events"]) == (2, 2, 1)
    assert tri["strength"] == "weak"  # two groups, but one discussion
    checks = {p["check"]: p for p in audit(project)["findings"][0]["problems"]}
    assert "FGD-01 (FGD, 2 of 3 participants: Factory, Workers' organisation)" in checks["one_event"]["message"]
    assert "heard each other" in checks["one_event"]["message"]
    assert checks["triangulation"]["strength"] == "weak"
    project.close()
