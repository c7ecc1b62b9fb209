"""The code picker's ranking: what a person types finds the code they mean, first, with the reason it matched."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from qualcode.actions.views import fuzzy_codes
from qualcode.codebook import default_codebook_path, load_codebook
from qualcode.codematch import rank_codes
from qualcode.model import Codebook
from qualcode.refi.imports import read_qdc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def shipped() -> Codebook:
    return load_codebook(default_codebook_path())


@pytest.fixture(scope="module")
def matrix60() -> Codebook:
    codebook = load_codebook(FIXTURES / "codebooks" / "evaluation-matrix-60.yaml")
    assert len(list(codebook.walk())) == 60
    return codebook


@pytest.fixture(scope="module")
def qualcoder(tmp_path_factory: pytest.TempPathFactory) -> Codebook:
    """The 262-code codebook of a real QualCoder 1.3.2 export (snake_case names, the same name under several
    parents), read as a .qdc."""
    qde = zipfile.ZipFile(FIXTURES / "refi-qda" / "real" / "qc-1.3.2-interviews.qdpx").read("project.qde").decode()
    found = re.search(r"<CodeBook>.*</CodeBook>", qde, re.S)
    assert found is not None
    qdc = tmp_path_factory.mktemp("qdc") / "codebook.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                   + found.group().replace("<CodeBook>", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">', 1))
    return read_qdc(qdc)


def first(codebook: Codebook, query: str) -> str:
    found = rank_codes(codebook, query, limit=1)
    assert found, f"nothing matched {query!r}"
    return found[0].code.id


@pytest.mark.parametrize(("query", "meant"), [
    ("outc", "effectiveness.outcomes"),  # not "Logic and coherence of objectives, outcomes and theory of change"
    ("outp", "effectiveness.outputs"),
    ("eff outp", "effectiveness.outputs"),
    ("fund", "sustainability.funding"),
    ("fundng", "sustainability.funding"),  # a typo
    ("sust fund", "sustainability.funding"),
    ("coh ext", "coherence.external"),
    ("gender data", "gender_equality.data"),
    ("data", "gender_equality.data"),
    ("monit", "validity_of_design.monitoring"),
    ("theory", "validity_of_design.logic"),
    ("budget", "efficiency.resources"),
    ("capac", "sustainability.capacity"),
    ("own", "sustainability.ownership"),
    ("dialog", "impact.social_dialogue"),
    ("foa", "impact.foa_cb"),
    ("women", "gender_equality.inclusion"),
    ("lesson", "lessons_learned"),
    ("good", "good_practice"),
    ("impact", "impact"),
])
def test_the_shipped_codebook_puts_the_code_meant_first(shipped: Codebook, query: str, meant: str) -> None:
    assert first(shipped, query) == meant


@pytest.mark.parametrize(("query", "meant"), [
    ("outc ind", "design.outcome_indicators"),
    ("outp ind", "design.output_indicators"),
    ("emp out", "effectiveness.employment_outcomes"),
    ("pol infl", "impact.policy_influence"),
    ("fund", "sustainability.funding"),
    ("budg", "efficiency.budget"),
    ("cost", "efficiency.cost_per_graduate"),
    ("online", "covid.online_training"),
    ("social dia", "human_rights.social_dialogue"),
    ("harass", "gender.gbv"),
    ("disab", "gender.disability"),
    ("exit", "sustainability.exit_strategy"),
    ("scale", "sustainability.replication"),
    ("income", "effectiveness.income"),
])
def test_a_60_code_matrix_puts_the_code_meant_first(matrix60: Codebook, query: str, meant: str) -> None:
    assert first(matrix60, query) == meant


def test_a_word_start_in_a_codes_own_name_beats_any_mention_in_its_parent_keywords_or_definition(
        shipped: Codebook, matrix60: Codebook) -> None:
    for codebook in (shipped, matrix60):
        for query in ("fund", "outc", "outp", "budget", "women", "policy", "data", "capac"):
            ranked = rank_codes(codebook, query)
            own = [m for m in ranked if m.why.startswith("name") or m.why == "id"]
            other = [m for m in ranked if not (m.why.startswith("name") or m.why == "id")]
            assert own, query
            assert min(m.score for m in own) > max((m.score for m in other), default=0), query


def test_every_match_says_why_and_where_in_the_name(shipped: Codebook) -> None:
    funding = rank_codes(shipped, "fund")
    assert funding[0].why == "name and id"
    name = funding[0].code.name
    assert [name[a:b] for a, b in funding[0].spans] == ["Fund"]
    assert any(m.why.startswith("keyword") for m in funding[1:])  # efficiency.resources: keyword 'funds'
    eff = rank_codes(shipped, "eff outp")[0]
    assert eff.why == "under Effectiveness · name and id"
    typo = rank_codes(shipped, "fundng")[0]
    assert "close spelling" in typo.why


def test_every_typed_word_must_match_and_nonsense_matches_nothing(shipped: Codebook) -> None:
    assert rank_codes(shipped, "fund zzqx") == []
    assert rank_codes(shipped, "qqqq") == []


def test_an_empty_query_lists_the_codebook_in_order(shipped: Codebook) -> None:
    assert [m.code.id for m in rank_codes(shipped, "  ")] == [c.id for c in shipped.walk()]


def test_only_restricts_the_candidates(shipped: Codebook) -> None:
    found = fuzzy_codes(shipped, "out", only=["effectiveness.outcomes", "relevance"])
    assert [c.id for c, _ in found] == ["effectiveness.outcomes"]


def test_a_real_qualcoder_codebook_with_snake_case_and_repeated_names(qualcoder: Codebook) -> None:
    assert len(list(qualcoder.walk())) == 262
    assert qualcoder[first(qualcoder, "cs lit")].name == "cs_literacy"
    assert qualcoder[first(qualcoder, "comp think")].name == "computational_thinking"
    assert qualcoder[first(qualcoder, "debug")].name == "debugging"
    ranked = rank_codes(qualcoder, "citizenship")
    exact = [m for m in ranked if m.code.name == "citizenship"]
    assert len(exact) == 3
    assert {m.code.name for m in ranked[:3]} == {"citizenship"}  # the three codes of that name, then the rest
    assert ranked[3].code.name == "digital_citizenship"
