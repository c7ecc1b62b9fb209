"""qualcode -> QualCoder -> qualcode with QualCoder's own code: qualcode's export of the example project (with a memo
of every kind) as it went to QualCoder, and what QualCoder's REFI-QDA import and export made of it (QualCoder 4.0 Beta
run headless; tests/fixtures/refi-qda/real/SOURCE.txt, entries 8 and 9). What QualCoder sends back must come back
without losing codes, codings, memos, cases or speakers' roles, and must add nothing to the project it came from."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from qualcode.refi import import_refi
from qualcode.store import Project

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda" / "real"
SENT = REAL / "qualcode-example-to-qualcoder.qdpx"
BACK = REAL / "qualcoder-4.0-from-qualcode-example.qdpx"
MEMOS = ["Validation workshop on 2 April.", "HR manager, asked not to be quoted on wages.", "Echoes KII-07.",
         "Same worry as P2 & P4 <below>.", "Laughter here.", "Relevance to factories first.",
         "Borderline with effectiveness.", "Two participants left early."]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file as sent, imported into a new project (the project as it was), and QualCoder's file into another."""
    tmp = tmp_path_factory.mktemp("through-qualcoder")
    sent = import_refi(tmp / "sent", SENT, coder="tester")
    back = import_refi(tmp / "back", BACK, coder="tester")
    again = import_refi(tmp / "back", BACK, coder="tester")
    return {"tmp": tmp, "sent": sent, "back": back, "again": again}


def _codings(p: Project) -> Counter[tuple[str, str, str, str]]:
    text = {s["id"]: s["text"] for s in p.segments()}
    return Counter((c["transcript"], text[c["segment"]], c["code"], c["coder"]) for c in p.codings())


def test_every_code_coding_case_and_role_comes_back_from_real_qualcoder(both: dict[str, Any]) -> None:
    assert both["back"]["skipped"] == {}
    with Project.open(both["tmp"] / "sent") as p, Project.open(both["tmp"] / "back") as q:
        assert len(p.codings()) == 792
        # codes: ids and colours (carried in the descriptions: QualCoder gives codes new GUIDs and the nearest
        # colour of its palette), names, parents, definitions
        assert {c.id: (c.name, c.parent_id, c.definition, c.color) for c in q.codebook().walk()} == \
            {c.id: (c.name, c.parent_id, c.definition, c.color) for c in p.codebook().walk()}
        assert _codings(q) == _codings(p)
        assert {c["id"]: c["attributes"] for c in q.cases()} == {c["id"]: c["attributes"] for c in p.cases()}
        assert {(s["transcript_id"], s["label"]): (s["role"], s["case_id"]) for s in q.speakers()} == \
            {(s["transcript_id"], s["label"]): (s["role"], s["case_id"]) for s in p.speakers()}
        attributes = {t["id"]: t["attributes"] for t in p.transcripts()}
        assert {t["id"]: t["attributes"] for t in q.transcripts()} == attributes
        texts = [m["text"] for m in q.memos()] + [c["memo"] for c in q.codings() if c["memo"]]
        assert [m for m in MEMOS if not any(m in t for t in texts)] == []
        # the authors QualCoder keeps: of journals (project, code, case and transcript memos) and annotations (unit
        # memos); every memo comes back once, with its author, on what it was written on
        assert {("project", "clara"), ("case", "long"), ("code", "clara"), ("segment", "long"), ("segment", "clara"),
                ("segment", "minh"), ("transcript", "clara")} <= {(m["target_type"], m["coder"]) for m in q.memos()}
        assert sorted((m["target_type"], m["target_id"], m["coder"], m["text"]) for m in q.memos()) == \
            sorted((m["target_type"], m["target_id"], m["coder"], m["text"]) for m in p.memos()
                   if m["target_type"] != "coding")  # a coding memo comes back as the coding's memo


def test_qualcoders_unescaped_annotation_is_read_as_text_and_the_summary_says_so(both: dict[str, Any]) -> None:
    # QualCoder writes an annotation's text into the XML unescaped: "P2 & P4 <below>" makes the file ill-formed
    with Project.open(both["tmp"] / "back") as q:
        assert "Same worry as P2 & P4 <below>." in [m["text"] for m in q.memos("segment")]
    assert any("held bare '&', '<' or '>'" in w for w in both["back"]["warnings"])


def test_what_real_qualcoder_sends_back_adds_nothing_to_a_project_that_has_it(both: dict[str, Any]) -> None:
    assert both["again"]["nothing_new"] is True and both["again"]["counts"]["codings_added"] == 0
    own = both["tmp"] / "own"
    shutil.copytree(both["tmp"] / "sent", own)
    with Project.open(own) as p:
        before = {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts", "speakers")}
    report = import_refi(own, BACK, coder="tester")
    with Project.open(own) as p:
        assert {t: len(getattr(p, t)()) for t in ("codings", "memos", "cases", "transcripts", "speakers")} == before
    assert report["nothing_new"] is True and report["counts"]["transcripts_already_here"] == 16


def test_the_export_says_how_many_codings_qualcoder_and_nvivo_would_read_apart(tmp_path: Path) -> None:
    """In QualCoder itself, the quoted text it stored for 21 of the 33 codings of this project (emoji in two of its
    texts) was shifted when exported with UTF-16 positions, while its coding window counts UTF-16 units: the summary
    names the sources and codings where the two readings part."""
    from qualcode.refi import export_qdpx

    import_refi(tmp_path / "p", REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    with Project.open(tmp_path / "p") as p:
        utf16 = export_qdpx(p, tmp_path / "a.qdpx", positions="utf16")
        chars = export_qdpx(p, tmp_path / "b.qdpx", positions="characters")
    assert utf16["positions_part"] == chars["positions_part"]
    assert utf16["positions_part"]["sources"] == 2  # the report has no emoji
    assert 21 <= utf16["positions_part"]["codings"] < 33
