"""The command line's listings of units (segments, suggest, queue, the disagreements of agreement and adjudicate,
transcripts) and of memos (memo list, codings list) show names as the exports do unless --show-names: speaker labels
that are names and the names the project knows inside the text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.store import Project
from reliability.builders import make_project
from reliability.fuzz_support import run_cli

TURNS = [
    ("Interviewer", ["Thank you, Ms. Lan, for meeting us at the factory today."]),
    ("Ms. Lan", ["Nguyen Thi Lan here: write to lan.nguyen@factory-a.vn or call 0912 345 678 about the training.",
                 "Mr. Khanh from the chamber advised our grievance training team every month.",
                 "Without the brand we could not keep the quarterly seminars going after 2024.",
                 "Mr. Khanh came back in 2023 to advise the new line leaders."]),
]
# the informant (case sheet and speaker label), her e-mail and phone, and a third party on the name list
SECRETS = ("Nguyen Thi Lan", "Ms. Lan", "lan.nguyen@factory-a.vn", "0912 345 678", "Khanh")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    from qualcode.actions.confidentiality import add_names
    from qualcode.synthesis.reconciled import add_to_sample

    p = make_project(tmp_path / "p", turns=TURNS)
    add_names(p, ["Khanh"], coder="ana", shown_as="the chamber's adviser")
    p.add_coding("KII-01:2", "effectiveness", coder="ana")
    p.add_coding("KII-01:3", "effectiveness", coder="ben", memo="Mr. Khanh again")  # a disagreement on KII-01:3
    add_to_sample(p, "KII-01", coder="ana", coders=["ana", "ben"])
    p.set_memo("segment", str(p.segment("KII-01:3")["id"]), "ask Ms. Lan about Mr. Khanh", coder="ana")
    yield p
    p.close()


LISTINGS = [["segments"], ["segments", "--json"], ["queue"], ["queue", "--json"], ["suggest"], ["suggest", "--json"],
            ["agreement", "--disagreements"], ["agreement", "--disagreements", "--json"], ["adjudicate", "list"],
            ["adjudicate", "list", "--json"], ["transcripts", "--json"], ["memo", "list"], ["memo", "list", "--json"],
            ["codings", "list", "--json"]]


@pytest.mark.parametrize("argv", LISTINGS, ids=" ".join)
def test_a_listing_of_units_hides_names_unless_asked(project: Project, capsys: pytest.CaptureFixture[str],
                                                    argv: list[str]) -> None:
    code, out, err = run_cli(capsys, *argv, "-p", str(project.path))
    assert code == 0, err
    for secret in SECRETS:
        assert secret not in out, f"{secret!r} shown by {' '.join(argv)}"
    if argv[0] != "transcripts":  # the unit's text is there, with placeholders where the names were
        assert "[the chamber's adviser]" in out
    code, out, err = run_cli(capsys, *argv, "-p", str(project.path), "--show-names")
    assert code == 0, err
    assert ("Ms. Lan" if argv[0] == "transcripts" else "Mr. Khanh") in out


def test_segments_show_an_informant_by_her_pseudonym_in_her_own_interview(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "segments", "-p", str(project.path), "--json")
    assert code == 0, err
    rows = {r["ref"]: r for r in json.loads(out)}
    assert rows["KII-01:1"]["text"] == "Thank you, [informant KII-01], for meeting us at the factory today."
    assert rows["KII-01:2"]["speaker"] == "[informant KII-01]"
    assert rows["KII-01:2"]["text"].startswith("[informant KII-01] here: write to [email] or call [phone]")


def test_suggestions_quote_other_units_with_their_names_hidden(project: Project) -> None:
    from qualcode.actions.views import unit_suggestions

    [row] = unit_suggestions(project, segment="KII-01:5", top=3)
    assert row["text"] == "[the chamber's adviser] came back in 2023 to advise the new line leaders."
    [coded] = [s for s in row["suggestions"] if (s["evidence"].get("coded") or {}).get("ref") == "KII-01:3"]
    said = "[the chamber's adviser] from the chamber advised our grievance training team every month."
    assert coded["evidence"]["coded"]["text"] == said and f"\u201c{said}\u201d" in coded["why"]
    assert "Khanh" not in json.dumps(row)
    [row] = unit_suggestions(project, segment="KII-01:5", top=3, show_names=True)
    assert "Mr. Khanh from the chamber" in json.dumps(row, ensure_ascii=False)


def test_adjudication_notes_and_coding_memos_are_hidden_too(project: Project) -> None:
    from qualcode.actions.teamwork import settle
    from qualcode.actions.views import disagreement_list

    settle(project, "KII-01:3", "effectiveness", "apply", coder="ana", note="Mr. Khanh is the chamber's man")
    shown = json.dumps(disagreement_list(project, include_settled=True))
    assert "Khanh" not in shown and "[the chamber's adviser] again" in shown
    assert "Khanh is the chamber" in json.dumps(disagreement_list(project, include_settled=True, show_names=True))


def test_the_bundled_example_segments_name_no_informant(example_project_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = Project.open(example_project_path)
    try:
        names = [c["name"] for c in project.cases() if c.get("name")]
    finally:
        project.close()
    assert len(names) > 20
    code, out, err = run_cli(capsys, "segments", "-p", str(example_project_path), "--json")
    assert code == 0, err
    shown = "\n".join(f"{r['speaker']}: {r['text']}" for r in json.loads(out))
    assert [n for n in names if n in shown] == []
    for said in ("Ms. Lan", "Mr. Anh", "Ms. Thu", "Mr. Duc"):  # in the informants' own interviews
        assert said not in shown
    assert "Thank you for seeing me, [informant KII-07]." in shown
    code, out, err = run_cli(capsys, "segments", "-p", str(example_project_path), "--json", "--show-names")
    verbatim = "\n".join(f"{r['speaker']}: {r['text']}" for r in json.loads(out))
    assert "Thank you for seeing me, Ms. Lan." in verbatim and "Sarah Whitfield:" in verbatim


def test_the_speakers_listing_keeps_labels_and_says_it_is_confidential(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "transcripts", "speakers", "KII-01", "-p", str(project.path))
    assert code == 0, err
    assert "Ms. Lan" in out and "confidential: 1 label(s) are shown as in the file" in out


def test_codings_flagged_by_a_reimport_are_listed_with_names_hidden(project: Project,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from qualcode.reanchor import store_transcript
    from reliability.builders import transcript

    project.add_coding("KII-01:5", "sustainability", coder="ana")
    edited = [(s, list(u)) for s, u in TURNS]
    edited[1][1][3] = "Mr. Khanh returned in the spring, this time for the union and the new line leaders together."
    assert store_transcript(project, transcript(edited), "KII-01", coder="ana")["reanchor"]["needs_review"] == 1
    code, out, err = run_cli(capsys, "reanchor", "list", "-p", str(project.path), "--json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["old_text"] == "[the chamber's adviser] came back in 2023 to advise the new line leaders."
    assert "Khanh" not in out
    code, out, err = run_cli(capsys, "reanchor", "list", "-p", str(project.path), "--json", "--show-names")
    assert json.loads(out)[0]["old_text"].startswith("Mr. Khanh came back")
