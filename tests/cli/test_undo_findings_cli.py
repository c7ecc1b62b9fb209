"""``qualcode undo`` / ``qualcode redo`` on findings, as a user runs them: each command says what it took back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def qc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True, text=True,
                          env={"QUALCODE_CODER": "tester", "PATH": "/usr/bin:/bin"}, cwd=ROOT)


def test_undo_and_redo_of_a_link_say_what_they_did_and_change_the_finding(example_project_dir: Path) -> None:
    p = str(example_project_dir)
    coding = json.loads(qc("codings", "list", "-p", p, "--json").stdout)[0]["id"]
    fid = json.loads(qc("findings", "add", "-p", p, "--criterion", "relevance", "--statement", "It fitted.",
                        "--coder", "eva", "--json").stdout)["id"]
    assert qc("findings", "link", "-p", p, fid, "--coding", str(coding), "--coder", "eva").returncode == 0

    undone = qc("undo", "-p", p, "--coder", "eva")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.strip() == f"undo: finding.link of finding {fid}"
    assert json.loads(qc("findings", "show", "-p", p, fid, "--json").stdout)["evidence"] == []

    redone = qc("redo", "-p", p, "--coder", "eva")
    assert redone.stdout.strip() == f"redo: finding.link of finding {fid}"
    evidence = json.loads(qc("findings", "show", "-p", p, fid, "--json").stdout)["evidence"]
    assert [e["coding"] for e in evidence] == [coding]


def test_undoing_a_findings_remove_brings_it_back_with_its_evidence(example_project_dir: Path) -> None:
    p = str(example_project_dir)
    before = json.loads(qc("findings", "show", "-p", p, "F-REL-1", "--json").stdout)
    assert qc("findings", "remove", "-p", p, "F-REL-1", "--coder", "eva").returncode == 0

    undone = qc("undo", "-p", p, "--coder", "eva")

    assert undone.stdout.strip() == "undo: finding.remove of finding F-REL-1"
    after = json.loads(qc("findings", "show", "-p", p, "F-REL-1", "--json").stdout)
    assert after["statement"] == before["statement"]
    assert [e["ref"] for e in after["evidence"]] == [e["ref"] for e in before["evidence"]]


def test_undo_json_of_a_finding_does_not_print_its_verbatim_quotes(example_project_dir: Path) -> None:
    p = str(example_project_dir)
    assert qc("findings", "remove", "-p", p, "F-REL-1", "--coder", "eva").returncode == 0

    undone = json.loads(qc("undo", "-p", p, "--coder", "eva", "--json").stdout)

    assert undone["done"] and undone["action"] == "finding.remove" and undone["entity_id"] == "F-REL-1"
    assert "state" not in undone and "previous" not in undone  # the removed evidence quotes, names and all
