"""qualcode -> QualCoder -> qualcode: what QualCoder's own REFI-QDA import keeps of a qualcode export, written back
the way its export writes it (new GUIDs, no qualcode.json), must come back without losing codes, codings, memos,
cases or roles, into the project it came from and into a new one.

QualCoder's rules are modelled in tests/qualcoder_rules.py, written from its refi.py; nothing of qualcode is used
there.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from qualcoder_rules import QualCoderProject, qualcoder_export, qualcoder_import
from refi_support import MEMOS, add_memo_of_every_kind

from qualcode.refi import export_qdpx, import_refi
from qualcode.store import Project


@pytest.fixture
def through_qualcoder(example_project: Project, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The example project with a memo of every kind, sent to QualCoder and back; what QualCoder held on the way.
    Exported with names withheld (the default) unless the test asks for "shown"."""
    p = example_project
    add_memo_of_every_kind(p)
    export_qdpx(p, tmp_path / "to-qualcoder.qdpx",
                show_names=getattr(request, "param", "withheld") == "shown")
    held = qualcoder_import(tmp_path / "to-qualcoder.qdpx")
    qualcoder_export(held, tmp_path / "from-qualcoder.qdpx")
    return {"project": p, "held": held, "file": tmp_path / "from-qualcoder.qdpx", "tmp": tmp_path}


def _codings(p: Project) -> Counter[tuple[str, str, str, str, str]]:
    """Every coding as (transcript, unit text, code id, coder, memo)."""
    text = {s["id"]: s["text"] for s in p.segments()}
    return Counter((c["transcript"], text[c["segment"]], c["code"], c["coder"], c["memo"] or "")
                   for c in p.codings())


def _memo_texts(p: Project) -> str:
    return "\n".join([m["text"] for m in p.memos()] + [c["memo"] for c in p.codings() if c["memo"]])


def test_qualcoder_shows_every_coding_memo_case_and_informant_turn(through_qualcoder: dict[str, Any]) -> None:
    p, held = through_qualcoder["project"], through_qualcoder["held"]
    assert isinstance(held, QualCoderProject)
    assert len(held.code_text) == len(p.codings())
    assert {c["name"] for c in held.cases} == {c["id"] for c in p.cases()}
    assert {held.case_named(ct["caseid"]) for ct in held.case_text} == \
        {sp["case_id"] for sp in p.speakers() if sp["case_id"]}
    shown = [held.project_memo] + [s["memo"] or "" for s in held.sources] + [j["jentry"] for j in held.journals] + \
        [a["memo"] for a in held.annotations] + [c["memo"] for c in held.cases] + [ct["memo"] for ct in held.code_text]
    assert [k for k, text in MEMOS.items() if not any(text in s for s in shown)] == []
    # transcript and case attributes as QualCoder's file and case attributes
    assert {a["name"] for a in held.attributes if a["attr_type"] == "case"} >= {"stakeholder group", "sex"}
    assert {a["name"] for a in held.attributes if a["attr_type"] == "file"} >= {"interviewer", "location"}


def test_a_project_comes_back_from_qualcoder_into_its_own_project_without_doubling(
    through_qualcoder: dict[str, Any],
) -> None:
    p = through_qualcoder["project"]
    before = {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts", "speakers")}
    report = import_refi(p.path, through_qualcoder["file"], coder="tester")
    assert {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts", "speakers")} == before
    assert report["counts"]["transcripts_already_here"] == before["transcripts"]
    assert report["counts"]["codings_added"] == 0
    assert report["counts"]["codes_added"] == 0


# the exact text into a new project: names shown (withheld, the text a colleague gets is the pseudonymised one)
@pytest.mark.parametrize("through_qualcoder", ["shown"], indirect=True)
def test_a_project_comes_back_from_qualcoder_into_a_new_project_without_loss(
    through_qualcoder: dict[str, Any],
) -> None:
    p, tmp = through_qualcoder["project"], through_qualcoder["tmp"]
    report = import_refi(tmp / "fresh", through_qualcoder["file"], coder="tester")
    with Project.open(tmp / "fresh") as q:
        # codes: the same ids (carried in their descriptions), names, parents and definitions
        ours = {c.id: (c.name, c.parent_id, c.definition.strip(), c.color) for c in p.codebook().walk()}
        theirs = {c.id: (c.name, c.parent_id, c.definition.strip(), c.color) for c in q.codebook().walk()}
        assert theirs == ours
        # transcripts cut into the same units, every coding on the same unit by the same coder with its memo
        assert {t["id"]: t["kind"] for t in q.transcripts()} == {t["id"]: t["kind"] for t in p.transcripts()}
        for t in p.transcripts():
            units = [s["text"] for s in p.segments(t["id"])]
            if t["kind"] == "transcript":
                assert [s["text"] for s in q.segments(t["id"])] == units
            else:
                # a document is read line by line: its headings become units of their own, the rest is the same
                back = iter(s["text"] for s in q.segments(t["id"]))
                assert all(u in back for u in units)
        ours_c, theirs_c = _codings(p), _codings(q)
        coding_memo = next(c for c in p.codings() if c["id"] == int(next(
            m["target_id"] for m in p.memos() if m["target_type"] == "coding")))
        # a memo on a coding comes back as the coding's memo (QualCoder holds one memo per coded passage)
        moved = next(k for k in ours_c if k[2] == coding_memo["code"] and k[3] == coding_memo["coder"]
                     and k[0] == coding_memo["transcript"] and k[4] == (coding_memo["memo"] or ""))
        ours_c[moved] -= 1
        ours_c[(*moved[:4], MEMOS["coding"])] += 1
        assert +ours_c == +theirs_c
        # every memo, with its author where QualCoder keeps one
        texts = _memo_texts(q)
        assert [k for k, text in MEMOS.items() if text not in texts] == []
        by_kind = {(m["target_type"], m["coder"]) for m in q.memos()}
        assert {("project", "clara"), ("case", "long"), ("code", "clara"), ("segment", "long"),
                ("segment", "clara"), ("segment", "minh"), ("transcript", "clara")} <= by_kind
        unit_memos = {m["text"]: int(m["target_id"]) for m in q.memos() if m["target_type"] == "segment"}
        fgd = [s["id"] for s in q.segments("FGD-01", include_interviewer=False)]
        assert unit_memos == {MEMOS["segment"]: fgd[3], MEMOS["segment2"]: fgd[9], MEMOS["segment3"]: fgd[12]}
        # cases with their attributes and their informants' turns; every speaker's role
        assert {c["id"]: c["attributes"] for c in q.cases()} == {c["id"]: c["attributes"] for c in p.cases()}
        role = {(sp["transcript_id"], sp["label"]): (sp["role"], sp["case_id"]) for sp in p.speakers()}
        assert {(sp["transcript_id"], sp["label"]): (sp["role"], sp["case_id"]) for sp in q.speakers()} == role
        attributes = {t["id"]: t["attributes"] for t in p.transcripts()}
        assert {t["id"]: t["attributes"] for t in q.transcripts()} == attributes
    assert report["skipped"] == {}
    # and a second import of the same file adds nothing
    again = import_refi(tmp / "fresh", through_qualcoder["file"], coder="tester")
    assert again["nothing_new"] is True and again["counts"]["codings_added"] == 0
