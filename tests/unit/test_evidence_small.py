"""The smaller breaks in the chain from a finding to its evidence: passages counted once, a double-coded quote shown
once, re-linking a changed quote, a warning when a cited coding goes, agreement percentages that do not round up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from synthesis_support import build_project, unit_ref

from qualcode.actions.coding import remove_code
from qualcode.cli import main
from qualcode.cli.team_commands import percent
from qualcode.store import Project
from qualcode.synthesis.audit import audit
from qualcode.synthesis.findings import add_finding, link_evidence


@pytest.fixture
def path(tmp_path: Path) -> Path:
    with build_project(tmp_path / "p") as p:
        add_finding(p, "relevance", "Grievance training met a need.", coder="ana", finding_id="F1")
        for tid, start in (("KII-01", "Factories needed"), ("KII-02", "The grievance training came")):
            link_evidence(p, "F1", segment=unit_ref(p, tid, start), code="relevance.needs_fit", coder="ana")
    return tmp_path / "p"


def test_findings_show_prints_a_double_coded_quote_once_with_both_coders(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["findings", "show", "-p", str(path), "F1"]) == 0
    out = capsys.readouterr().out
    assert out.count("The grievance training came at the right time") == 1
    assert re.search(r"coded by (ana|ben) [^\n]*; (ana|ben) ", out)


def test_a_changed_quote_can_be_linked_again_and_the_audit_is_satisfied(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(path) as p, p.transaction():
        # the passage as it was linked differs from the transcript now (as after a corrected re-import)
        p.db.execute("UPDATE finding_evidence SET quote = 'Factories needed training.' WHERE segment_ref LIKE"
                     " 'KII-01:%'")
    with Project.open(path) as p:
        problem = next(x for x in audit(p)["findings"][0]["problems"] if x["check"] == "quote_changed")
        coding = problem["coding"]
        assert f"--coding {coding}" in problem["message"]
    assert main(["findings", "link", "-p", str(path), "F1", "--coding", str(coding)]) == 0
    assert "Re-linked" in capsys.readouterr().out
    with Project.open(path) as p:
        assert not [x for x in audit(p)["findings"][0]["problems"] if x["check"] == "quote_changed"]
        assert [e["action"] for e in p.events(entity="finding")][-2:] == ["finding.unlink", "finding.link"]


def test_removing_a_cited_coding_warns_in_the_cli_and_the_workbench(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(path) as p:
        ref = unit_ref(p, "KII-01", "Factories needed")
    assert main(["codings", "remove", "-p", str(path), "--segment", ref, "--code", "relevance.needs_fit"]) == 0
    err = capsys.readouterr().err
    assert "was evidence for finding F1" in err and "findings unlink F1" in err
    with Project.open(path) as p:
        result = remove_code(p, unit_ref(p, "KII-02", "The grievance training came"), "relevance.needs_fit",
                             coder="ben", coded_by="ben")
        assert [c["finding"] for c in result["cited_by"]] == ["F1"]


@pytest.mark.parametrize(("share", "shown"), [(1.0, "100%"), (0.9996, "99.9%"), (0.995, "99.5%"), (0.0, "0%"),
                                             (0.0004, "0.1%"), (2 / 3, "66.6%")])
def test_agreement_percentages_never_round_up_to_full_agreement(share: float, shown: str) -> None:
    assert percent(share) == shown


def test_the_readme_states_the_example_quote_count(example_project: Project) -> None:
    from qualcode.exports.quotes import quote_bank

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    said = re.search(r"writes the ([\d,]+) quotes of the example", readme)
    assert said is not None
    assert int(said.group(1).replace(",", "")) == quote_bank(example_project)["quotes"]
