"""Matrices of the coded evidence: what each cell counts, that gaps show, and that a cell leads to its quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project, unit_ref

from qualcode.errors import QualcodeError
from qualcode.synthesis.matrices import cell_evidence, cooccurrence, matrix, matrix_frame


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def _cell(data: dict, row: str, col: str) -> int:  # type: ignore[type-arg]
    i = [r["id"] for r in data["rows"]].index(row)
    return data["counts"][i][data["cols"].index(col)]


def test_criterion_by_group_counts_a_double_coded_passage_once(project) -> None:  # type: ignore[no-untyped-def]
    m = matrix(project, rows="criterion", cols="stakeholder_group", count="units")
    # Factory relevance passages: KII-02 "grievance training came" (coded by ana and ben), KII-02 toolkit, FGD P1
    assert _cell(m, "relevance", "Factory") == 3
    assert _cell(m, "relevance", "Workers' organisation") == 1
    assert _cell(m, "relevance", "Government") == 2
    assert _cell(m, "sustainability", "Government") == 0  # the ministry is silent on sustainability
    assert m["row_totals"][[r["id"] for r in m["rows"]].index("relevance")] == 8


def test_informant_and_transcript_counts(project) -> None:  # type: ignore[no-untyped-def]
    inf = matrix(project, rows="criterion", count="informants")
    assert _cell(inf, "relevance", "Factory") == 2  # the KII-02 HR manager and FGD participant P1
    tr = matrix(project, rows="criterion", count="transcripts")
    assert _cell(tr, "relevance", "Factory") == 2


def test_every_code_and_group_is_listed_so_gaps_show(project) -> None:  # type: ignore[no-untyped-def]
    m = matrix(project, rows="code")
    ids = [r["id"] for r in m["rows"]]
    assert "impact.policy" in ids and sum(m["counts"][ids.index("impact.policy")]) == 0
    assert set(m["cols"]) == {"ILO staff", "Factory", "Government", "Workers' organisation"}


def test_any_case_attribute_can_be_the_columns(project) -> None:  # type: ignore[no-untyped-def]
    m = matrix(project, rows="criterion", cols="location", count="informants")
    assert set(m["cols"]) == {"Ha Noi", "Hai Phong", "Bac Ninh"}
    assert _cell(m, "sustainability", "Bac Ninh") == 1
    by_type = matrix(project, rows="criterion", cols="type")
    assert set(by_type["cols"]) == {"KII", "FGD"}


def test_unknown_attribute_is_a_one_line_error(project) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QualcodeError, match="no passage has the attribute 'shoe_size'"):
        matrix(project, cols="shoe_size")


def test_a_cell_leads_to_its_passages_and_coders(project) -> None:  # type: ignore[no-untyped-def]
    m = matrix(project, rows="criterion")
    quotes = cell_evidence(project, m, "relevance", "Factory")
    refs = [q["ref"] for q in quotes]
    assert unit_ref(project, "KII-02", "The grievance training came") in refs
    double = next(q for q in quotes if q["text"].startswith("The grievance training came"))
    assert sorted(double["coders"]) == ["ana", "ben"]
    assert len(refs) == _cell(m, "relevance", "Factory")


def test_a_cell_of_one_coders_matrix_names_only_that_coder(project) -> None:  # type: ignore[no-untyped-def]
    from qualcode.synthesis.evidence import load_evidence

    m = matrix(project, rows="criterion", coders=["ben"])
    quotes = cell_evidence(project, m, "relevance", "Factory", coders=["ben"])
    double = next(q for q in quotes if q["text"].startswith("The grievance training came"))
    assert double["coders"] == ["ben"]  # the passage ana coded too, shown in ben's matrix
    assert {c for q in quotes for c in q["coders"]} == {"ben"}
    assert len(quotes) == _cell(m, "relevance", "Factory") < _cell(matrix(project, rows="criterion"), "relevance",
                                                                    "Factory")
    # the lean query and the full evidence rows count the same
    ben = load_evidence(project, coders=["ben"])
    assert matrix(project, rows="criterion", evidence=ben)["counts"] == m["counts"]
    assert matrix(project, rows="code", coders=[])["total"] == 0


def test_csv_frame_has_totals(project) -> None:  # type: ignore[no-untyped-def]
    df = matrix_frame(matrix(project))
    # Factory passages: four in KII-02, one from P1 and two from P3 in the focus group
    assert df.loc["Total", "Factory"] == 7
    assert df.loc["Total", "Total"] == 13  # 14 codings, one passage double-coded
    assert df.loc["relevance", "Total"] == 8


def test_cooccurrence_counts_passages_with_both_codes(project) -> None:  # type: ignore[no-untyped-def]
    ref = unit_ref(project, "KII-03", "The ministry asked")
    project.add_coding(ref, "relevance.needs_fit", coder="ana")
    co = cooccurrence(project, level="code")
    i, j = co["codes"].index("relevance.needs_fit"), co["codes"].index("relevance.constituent_priorities")
    assert co["counts"][i][j] == co["counts"][j][i] == 1
    assert co["counts"][j][j] == 1


def test_a_cells_quotes_hide_names_unless_asked(project) -> None:  # type: ignore[no-untyped-def]
    from qualcode.synthesis.matrices import cell_quotes

    ref = unit_ref(project, "KII-01", "Nguyen Thi Hoa is my")  # coded relevance.needs_fit by ana
    m = matrix(project, rows="criterion")
    group = next(c for c in m["cols"] if ref in m["refs"]["relevance"].get(c, []))
    hidden = next(q for q in cell_quotes(project, m, "relevance", group) if q["ref"] == ref)
    shown = next(q for q in cell_quotes(project, m, "relevance", group, show_names=True) if q["ref"] == ref)
    assert "Nguyen Thi Hoa" not in hidden["quote"] and "Nguyen" not in hidden["attribution"]
    assert shown["quote"].startswith("Nguyen Thi Hoa") and "Nguyen Thi Hoa" in shown["attribution"]
    assert hidden["coders"] == ["ana"]
