"""The reconciled view: agreed codings of the agreement sample + --apply - --omit + single-coded transcripts as
coded, read by every synthesis command, the quote bank, the report, findings and the audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.exports.quotes import quote_bank
from qualcode.exports.report import build_report
from qualcode.store import Project
from qualcode.synthesis.audit import audit
from qualcode.synthesis.evidence import load_evidence
from qualcode.synthesis.findings import add_finding, link_evidence, list_findings
from qualcode.synthesis.matrices import cell_quotes, matrix
from qualcode.synthesis.reconciled import add_to_sample, reconcile, remove_from_sample, sample_status
from qualcode.synthesis.triangulation import finding_triangulation, triangulation
from qualcode.teams.adjudicate import adjudicate, adjudication_queue
from qualcode.teams.agreement import agreement


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Project]:
    """KII-01 double-coded by clara and long (the agreement sample), FGD-01 coded by clara alone."""
    p = build_project(tmp_path / "p")
    both = unit(p, "KII-01", "Turnover")           # agreed
    applied = unit(p, "KII-01", "The grievance")   # clara only, then --apply
    omitted = unit(p, "KII-01", "Our line")        # clara only, then --omit
    left_open = unit(p, "KII-01", "We paid")       # long only, never settled
    for coder in ("clara", "long"):
        p.add_coding(both, "relevance.needs", coder=coder)
    p.add_coding(applied, "relevance.needs", coder="clara")
    p.add_coding(omitted, "relevance.needs", coder="clara")
    p.add_coding(left_open, "relevance.needs", coder="long")
    p.add_coding(unit(p, "FGD-01", "The gender"), "relevance.needs", coder="clara")
    adjudicate(p, applied, "relevance.needs", "apply", coder="minh", note="the need is explicit")
    adjudicate(p, omitted, "relevance.needs", "omit", coder="minh", note="about skills, not needs")
    yield p
    p.close()


def _refs(rows: list[dict]) -> set[str]:  # type: ignore[type-arg]
    return {r["ref"] for r in rows}


def test_the_view_is_agreed_plus_applied_minus_omitted_plus_single_coded_transcripts(team: Project) -> None:
    expected = {"KII-01:2", "KII-01:3", "FGD-01:2"}  # agreed, applied, the single-coded FGD
    assert {s["ref"] for s in team.segments("KII-01")} >= {"KII-01:2", "KII-01:3", "KII-01:4", "KII-01:5"}
    assert _refs(load_evidence(team)) == expected
    # --coders consensus names this view: the units both coders agreed on are in it, not only the adjudicated ones
    assert _refs(load_evidence(team, coders=["consensus"])) == expected
    # a raw coder selection is still there to compare evaluators
    assert _refs(load_evidence(team, coders=["clara"])) == {"KII-01:2", "KII-01:3", "KII-01:4", "FGD-01:2"}
    recon = reconcile(team)
    assert (recon.agreed, len(recon.applied), len(recon.omitted), len(recon.open)) == (1, 1, 1, 1)
    with pytest.raises(QualcodeError, match="cannot be combined"):
        load_evidence(team, coders=["consensus", "clara"])


def test_an_omitted_passage_leaves_the_matrix_quotes_report_and_findings(team: Project) -> None:
    omitted = "Our line leaders learned to listen."
    data = matrix(team, rows="code", count="units")
    cell = cell_quotes(team, data, "relevance.needs", "Factories")
    assert omitted not in " ".join(q["quote"] for q in cell)
    assert len(cell) == 3  # agreed, applied, FGD
    bank = quote_bank(team)
    quotes = " ".join(r["quote"] for c in bank["criteria"] for r in c["rows"])
    assert omitted not in quotes and "Turnover" in quotes
    assert "We paid" not in quotes  # an open disagreement is not agreed evidence yet
    report = build_report(team)
    assert omitted not in report and "reconciled view" in report
    assert "1 passage-code pair(s) on which the coders disagree" in report
    tri = {t["id"]: t for t in triangulation(team, level="code")}
    assert tri["relevance.needs"]["units"] == 3


def test_a_finding_citing_an_omitted_passage_does_not_count_it_and_the_audit_fails(team: Project) -> None:
    add_finding(team, "relevance", "Training answered a need.", coder="clara", finding_id="F1")
    link_evidence(team, "F1", coder="clara", segment="KII-01:4", code="relevance.needs")  # omitted
    tri = finding_triangulation(team, ["F1"])["F1"]
    assert tri["units"] == 0 and tri["groups"] == [] and tri["strength"] == "none"
    report = audit(team)
    assert report["ok"] is False
    problem = next(p for p in report["findings"][0]["problems"] if p["check"] == "adjudicated_out")
    assert problem["severity"] == "error" and "minh" in problem["message"] and "about skills" in problem["message"]
    link_evidence(team, "F1", coder="clara", segment="KII-01:5", code="relevance.needs")  # open disagreement
    checks = {p["check"]: p for p in audit(team)["findings"][0]["problems"]}
    assert checks["disagreement"]["severity"] == "warning" and "adjudicate decide" in checks["disagreement"]["message"]
    # linked, but neither passage is in the reconciled view: neither counts as support
    listed = list_findings(team)[0]
    assert (listed["supporting"], listed["not_counted"]) == (0, 2)


def test_linking_a_passage_outside_the_reconciled_view_says_so(team: Project, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    from qualcode.cli import main

    add_finding(team, "relevance", "Training answered a need.", coder="clara", finding_id="F1")
    folder = str(team.path)
    team.close()
    assert main(["findings", "link", "F1", "--segment", "KII-01:4", "--code", "relevance.needs", "-p", folder]) == 0
    err = capsys.readouterr().err
    assert "KII-01:4 relevance.needs was decided --omit in adjudication: it supports nothing" in err
    assert err.count("warning:") == 1  # once per passage, not once per coder's coding
    assert main(["findings", "link", "F1", "--segment", "KII-01:5", "--code", "relevance.needs", "-p", folder]) == 0
    assert "nobody has settled" in capsys.readouterr().err
    assert main(["findings", "link", "F1", "--segment", "KII-01:2", "--code", "relevance.needs", "-p", folder]) == 0
    assert "warning" not in capsys.readouterr().err


def test_only_the_agreement_sample_is_compared(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p", sample=False)
    for s in p.segments("KII-01", include_interviewer=False):
        p.add_coding(s["id"], "relevance.needs", coder="clara")
    # one accepted suggestion by a colleague does not make FGD-01 double-coded
    p.add_coding(unit(p, "FGD-01", "The gender"), "lessons", coder="clara")
    p.add_coding(unit(p, "FGD-01", "We now keep"), "lessons", coder="long")
    with pytest.raises(QualcodeError, match="no agreement sample") as err:
        agreement(p)
    assert "agreement sample add" in (err.value.hint or "")
    add_to_sample(p, "KII-01", coder="clara")
    with pytest.raises(QualcodeError, match="not both coded"):
        agreement(p)  # KII-01 is in the sample but only clara coded it
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="long")
    result = agreement(p)
    assert result["transcripts"] == ["KII-01"]
    assert {d["ref"][:6] for d in adjudication_queue(p)["items"]} == {"KII-01"}
    with pytest.raises(QualcodeError, match="FGD-01 is not in the agreement sample"):
        agreement(p, transcripts=["FGD-01"])
    # outside the sample, both coders' codings are evidence as coded
    assert {"FGD-01:2", "FGD-01:3"} <= _refs(load_evidence(p))
    status = {r["transcript"]: r for r in sample_status(p)}
    assert status["KII-01"]["double_coded"] and status["KII-01"]["compared"] == ["clara", "long"]
    assert status["KII-01"]["open"] == 6  # clara coded all seven informant units, long one
    remove_from_sample(p, "KII-01", coder="clara")
    with pytest.raises(NotFoundError):
        remove_from_sample(p, "KII-01", coder="clara")
    assert [e["action"] for e in p.events(entity="agreement_sample")] == ["sample.add", "sample.remove"]
    p.close()


def test_a_machine_name_is_no_coder_and_no_evidence(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p")
    seg = unit(p, "KII-01", "Turnover")
    p.add_coding(seg, "relevance.needs", coder="clara")
    p.add_coding(seg, "relevance.needs", coder="long")
    p.add_coding(unit(p, "KII-01", "Our line"), "lessons", coder="suggester", source="suggestion",
                 model_version="nb-3")
    assert agreement(p)["coders"] == ["clara", "long"]
    assert all(r["coder"] != "suggester" for r in load_evidence(p))
    assert reconcile(p).machine == {"suggester"}
    p.close()


def test_sample_coders_can_be_named_so_a_stray_coding_does_not_join_the_comparison(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p", sample=False)
    add_to_sample(p, "KII-01", coder="clara", coders=["clara", "long"])
    seg = unit(p, "KII-01", "Turnover")
    for coder in ("clara", "long", "minh"):
        p.add_coding(seg, "relevance.needs", coder=coder)
    assert agreement(p)["coders"] == ["clara", "long"]
    with pytest.raises(QualcodeError, match="two or more coders"):
        add_to_sample(p, "FGD-01", coder="clara", coders=["clara"])
    p.close()
