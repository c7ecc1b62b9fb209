"""The codebook validator reports every problem with its line and what to do."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.codebook import diff_codebooks, dump_codebook, load_codebook, parse_codebook, validate_codebook_file
from qualcode.errors import CodebookError

GOOD = textwrap.dedent(
    """\
    name: Test codebook
    codes:
      - id: relevance
        name: Relevance
        definition: Fit with needs.
        color: "#1f77b4"
        keywords: [needs, priorities]
        exclude: Use efficiency for budget matters.
        children:
          - id: relevance.needs
            name: Needs of factories
            definition: Fit with the needs of factories.
            questions: ["Did the projects fit factory needs?"]
      - id: efficiency
        name: Efficiency
        definition: Use of resources.
    """
)


def problems_of(text: str) -> list[str]:
    cb, problems = parse_codebook(textwrap.dedent(text), "cb.yaml")
    return [str(p) for p in problems]


def test_valid_codebook_builds_tree_with_criteria() -> None:
    cb, problems = parse_codebook(GOOD, "cb.yaml")
    assert problems == []
    assert cb is not None
    assert cb.ids == ["relevance", "relevance.needs", "efficiency"]
    assert cb["relevance.needs"].criterion_id == "relevance"
    assert cb["relevance.needs"].parent_id == "relevance"
    assert cb["relevance"].exclude == ["Use efficiency for budget matters."]
    assert cb["relevance"].color == "#1f77b4"


def test_duplicate_id_names_both_lines() -> None:
    msgs = problems_of(
        """\
        codes:
          - id: a
            name: A
            definition: x
          - id: a
            name: B
            definition: y
        """
    )
    assert msgs == ["cb.yaml:5: duplicate code id 'a' (first defined on line 2); give each code its own id"]


def test_missing_fields_are_all_reported() -> None:
    msgs = problems_of(
        """\
        codes:
          - id: a
          - name: No id
            definition: x
        """
    )
    assert "cb.yaml:2: code 'a' has no 'name'; add a short label" in msgs
    assert "cb.yaml:2: code 'a' has no 'definition'; say what passages belong to it" in msgs
    assert any("cb.yaml:3: code has no 'id'" in m for m in msgs)


def test_bad_colour_says_the_expected_form() -> None:
    msgs = problems_of(
        """\
        codes:
          - id: a
            name: A
            definition: x
            color: rgb(1,2,3)
        """
    )
    assert msgs == ["cb.yaml:5: code 'a' has colour 'rgb(1,2,3)'; use '#RRGGBB' (e.g. '#1f77b4')"]


def test_unknown_key_suggests_the_right_one() -> None:
    msgs = problems_of(
        """\
        codes:
          - id: a
            name: A
            definiton: x
            keywrods: [y]
        """
    )
    assert "cb.yaml:4: unknown key 'definiton' at a code; did you mean 'definition'?" in msgs
    assert "cb.yaml:5: unknown key 'keywrods' at a code; did you mean 'keywords'?" in msgs


def test_parent_cycle_is_detected() -> None:
    msgs = problems_of(
        """\
        codes:
          - {id: a, name: A, definition: x, parent: b}
          - {id: b, name: B, definition: y, parent: a}
        """
    )
    assert any("cycle" in m for m in msgs)


def test_alias_cycle_is_detected_without_recursing_forever() -> None:
    msgs = problems_of(
        """\
        codes:
          - &loop
            id: a
            name: A
            definition: x
            children:
              - *loop
        """
    )
    assert any("cycle" in m for m in msgs)


def test_flat_list_with_parent_builds_the_tree() -> None:
    cb, problems = parse_codebook(
        "codes:\n  - {id: a, name: A, definition: x}\n  - {id: a.1, name: A1, definition: y, parent: a}\n", "f.yaml"
    )
    assert problems == []
    assert cb is not None and cb["a.1"].criterion_id == "a" and [r.id for r in cb.roots] == ["a"]


def test_unknown_parent_suggests_close_id() -> None:
    msgs = problems_of(
        "codes:\n  - {id: relevance, name: R, definition: x}\n"
        "  - {id: r1, name: R1, definition: y, parent: relevanse}\n"
    )
    assert msgs == ["cb.yaml:3: code 'r1' has unknown parent 'relevanse'; did you mean 'relevance'?"]


def test_yaml_syntax_error_has_a_line() -> None:
    msgs = problems_of("codes:\n  - id: a\n    name: [unclosed\n")
    assert len(msgs) == 1 and msgs[0].startswith("cb.yaml:") and "YAML syntax error" in msgs[0]


def test_load_raises_with_first_problem_and_count(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("codes:\n  - id: a\n", encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(f)
    assert str(f) in str(err.value) and "and 1 more problem" in str(err.value)


def test_binary_file_is_rejected_cleanly(tmp_path: Path) -> None:
    f = tmp_path / "cb.yaml"
    f.write_bytes(b"\x00\x01\x02binary")
    assert "binary" in str(validate_codebook_file(f)[0])


def test_dump_round_trips() -> None:
    cb, _ = parse_codebook(GOOD, "cb.yaml")
    assert cb is not None
    again, problems = parse_codebook(dump_codebook(cb), "again.yaml")
    assert problems == [] and again is not None
    assert again.to_dict() == cb.to_dict()


def test_diff_reports_renamed_removed_added() -> None:
    old, _ = parse_codebook(GOOD, "a.yaml")
    new, _ = parse_codebook(
        GOOD.replace("Needs of factories", "Needs of enterprises").replace(
            "  - id: efficiency\n    name: Efficiency\n    definition: Use of resources.\n",
            "  - id: impact\n    name: Impact\n    definition: Change.\n",
        ),
        "b.yaml",
    )
    assert old is not None and new is not None
    change = diff_codebooks(old, new)
    assert change.renamed == [("relevance.needs", "Needs of factories", "Needs of enterprises")]
    assert change.removed == ["efficiency"] and change.added == ["impact"]


def test_shipped_codebook_is_valid_and_complete() -> None:
    root = Path(__file__).resolve().parents[2]
    cb = load_codebook(root / "codebooks" / "evaluation-criteria.yaml")
    criteria = [r.id for r in cb.roots]
    assert criteria[:8] == [
        "relevance",
        "validity_of_design",
        "coherence",
        "effectiveness",
        "efficiency",
        "impact",
        "sustainability",
        "gender_equality",
    ]
    assert {"lessons_learned", "good_practice"} <= set(criteria)
    for code in cb.walk():
        assert code.definition and code.keywords and code.examples, code.id
