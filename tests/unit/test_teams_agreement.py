"""Inter-coder agreement: counted on units, matching scikit-learn and the krippendorff package."""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from teams_support import build_project, informant_refs, unit

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.store import Project
from qualcode.teams.agreement import agreement, cohen_kappa, krippendorff_alpha, percent_agreement

CODES = ["relevance.needs", "relevance.alignment", "sustainability.funding", "lessons"]


def _ref_kappa(a: list[int], b: list[int]) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = cohen_kappa_score(a, b)
    return None if math.isnan(k) else float(k)


def _ref_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = float(krippendorff.alpha(reliability_data=np.array(matrix, dtype=float),
                                         level_of_measurement="nominal"))
    except ValueError:  # "There has to be more than one value in the domain."
        return None
    return None if math.isnan(a) else a  # 0/0: only one value among the pairable ones


def _close(ours: float | None, ref: float | None) -> bool:
    if ours is None or ref is None:
        return ours is None and ref is None
    return abs(ours - ref) < 1e-9


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def _code_randomly(project: Project, coder: str, transcripts: list[str], seed: int, p: float = 0.35) -> None:
    rng = random.Random(seed)
    for t in transcripts:
        for seg in informant_refs(project, t):
            for code in CODES:
                if rng.random() < p:
                    project.add_coding(seg, code, coder=coder)


def _vectors(project: Project, coder: str, transcripts: list[str], match) -> list[int]:  # type: ignore[no-untyped-def]
    """Independent of the module under test: 1 where the coder applied a matching code to the unit."""
    out = []
    for t in transcripts:
        for seg in informant_refs(project, t):
            codes = {c["code"] for c in project.codings(segment=seg, coder=coder)}
            out.append(1 if any(match(c) for c in codes) else 0)
    return out


def test_per_code_kappa_and_alpha_match_sklearn_and_krippendorff(project: Project) -> None:
    both = ["FGD-01", "KII-01"]
    _code_randomly(project, "clara", both, seed=1)
    # long agrees with clara most of the time, so the values are neither trivial nor identical
    rng = random.Random(2)
    for c in project.codings(coder="clara"):
        if rng.random() < 0.8:
            project.add_coding(c["segment"], c["code"], coder="long")
    for seg in informant_refs(project, "KII-01")[:2]:
        if not project.codings(segment=seg, code="lessons", coder="long"):
            project.add_coding(seg, "lessons", coder="long")

    result = agreement(project, coders=["clara", "long"])
    assert result["coders"] == ["clara", "long"]
    assert result["units"] == len(informant_refs(project, "KII-01")) + len(informant_refs(project, "FGD-01"))
    assert {r["id"] for r in result["items"]} == {c["code"] for c in project.codings()}
    for row in result["items"]:
        a = _vectors(project, "clara", both, lambda c, i=row["id"]: c == i)
        b = _vectors(project, "long", both, lambda c, i=row["id"]: c == i)
        assert _close(row["kappa"], _ref_kappa(a, b)), row
        assert _close(row["alpha"], _ref_alpha([a, b])), row
        assert row["percent"] == pytest.approx(sum(x == y for x, y in zip(a, b, strict=True)) / len(a))
        assert row["disagree"] == sum(x != y for x, y in zip(a, b, strict=True))


def test_per_criterion_counts_a_unit_when_any_code_under_the_criterion_was_applied(project: Project) -> None:
    both = ["FGD-01", "KII-01"]
    _code_randomly(project, "clara", both, seed=3)
    _code_randomly(project, "long", both, seed=4)
    result = agreement(project, coders=["clara", "long"], by="criterion")
    ids = [r["id"] for r in result["items"]]
    assert set(ids) <= {"relevance", "sustainability", "lessons"}
    assert "relevance" in ids
    for row in result["items"]:
        match = lambda c, crit=row["id"]: c == crit or c.startswith(crit + ".")  # noqa: E731
        a = _vectors(project, "clara", both, match)
        b = _vectors(project, "long", both, match)
        assert _close(row["kappa"], _ref_kappa(a, b))
        assert _close(row["alpha"], _ref_alpha([a, b]))


def test_three_coders_alpha_treats_unseen_transcripts_as_missing(project: Project) -> None:
    _code_randomly(project, "clara", ["KII-01", "FGD-01"], seed=5)
    _code_randomly(project, "long", ["KII-01", "FGD-01"], seed=6)
    _code_randomly(project, "minh", ["KII-01"], seed=7, p=0.5)  # minh never opened the FGD
    result = agreement(project)
    assert result["coders"] == ["clara", "long", "minh"]
    for row in result["items"]:
        assert row["kappa"] is None  # kappa is a two-coder statistic
        matrix: list[list[float]] = []
        for coder in result["coders"]:
            vec: list[float] = []
            for t in ["FGD-01", "KII-01"]:
                seen = bool(project.codings(coder=coder, transcript=t))
                for seg in informant_refs(project, t):
                    has = bool(project.codings(segment=seg, code=row["id"], coder=coder))
                    vec.append((1.0 if has else 0.0) if seen else np.nan)
            matrix.append(vec)
        assert _close(row["alpha"], _ref_alpha(matrix)), row


def test_small_case_reports_the_disagreements_and_flags_the_code(project: Project) -> None:
    a1 = unit(project, "KII-01", "Turnover")
    a2 = unit(project, "KII-01", "The grievance")
    a3 = unit(project, "KII-01", "Our line")
    project.add_coding(a1, "relevance.needs", coder="clara")
    project.add_coding(a2, "relevance.needs", coder="clara")
    project.add_coding(a2, "relevance.needs", coder="long")
    project.add_coding(a3, "relevance.needs", coder="long")
    result = agreement(project, coders=["clara", "long"])
    assert result["transcripts"] == ["KII-01"]  # nobody coded the FGD
    row = next(r for r in result["items"] if r["id"] == "relevance.needs")
    assert row["units"] == 7
    assert row["percent"] == pytest.approx(5 / 7)
    assert row["applied"] == {"clara": 2, "long": 2}
    assert row["flagged"] and "relevance.needs" in result["flagged"]
    got = {(d["segment"], tuple(d["applied_by"]), tuple(d["not_applied_by"])) for d in result["disagreements"]}
    assert got == {(a1, ("clara",), ("long",)), (a3, ("long",), ("clara",))}


def test_perfect_agreement_is_not_flagged(project: Project) -> None:
    for seg in informant_refs(project, "KII-01")[:3]:
        for coder in ("clara", "long"):
            project.add_coding(seg, "sustainability.funding", coder=coder)
    result = agreement(project, coders=["clara", "long"])
    row = result["items"][0]
    assert row["kappa"] == pytest.approx(1.0) and row["alpha"] == pytest.approx(1.0)
    assert result["flagged"] == [] and result["disagreements"] == []


def test_agreed_codings_of_the_consensus_coder_are_not_a_coder(project: Project) -> None:
    seg = unit(project, "KII-01", "Turnover")
    project.add_coding(seg, "relevance.needs", coder="clara")
    project.add_coding(seg, "relevance.needs", coder="consensus")
    with pytest.raises(QualcodeError, match="not both coded a transcript of the agreement sample"):
        agreement(project)


def test_unknown_coder_and_no_overlap_are_errors_users_can_act_on(project: Project) -> None:
    project.add_coding(unit(project, "KII-01", "Turnover"), "lessons", coder="clara")
    project.add_coding(unit(project, "FGD-01", "The toolkit"), "lessons", coder="long")
    with pytest.raises(NotFoundError, match="no coder 'lon'"):
        agreement(project, coders=["clara", "lon"])
    with pytest.raises(QualcodeError, match="clara and long have not both coded a transcript of the agreement sample"):
        agreement(project, coders=["clara", "long"])
    with pytest.raises(QualcodeError, match="--by"):
        agreement(project, by="speaker")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=40))
def test_statistics_match_the_reference_implementations(pairs: list[tuple[int, int]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    assert _close(cohen_kappa(a, b), _ref_kappa(a, b))
    assert _close(krippendorff_alpha(zip(a, b, strict=True)), _ref_alpha([a, b]))
    assert percent_agreement(a, b) == pytest.approx(sum(x == y for x, y in pairs) / len(pairs))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=3, max_size=3), min_size=2, max_size=30))
def test_alpha_with_missing_values_matches_krippendorff(units: list[list[float]]) -> None:
    ours = krippendorff_alpha([[None if math.isnan(v) else int(v) for v in u] for u in units])
    matrix = np.array(units).T  # coders x units
    pairable = sum(1 for u in units if sum(not math.isnan(v) for v in u) >= 2)
    ref = _ref_alpha(matrix.tolist()) if pairable else None
    assert _close(ours, ref)
