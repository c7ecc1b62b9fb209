"""The input-safety layer's own promises, checked on any input hypothesis can make up."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qualcode.errors import InputError
from qualcode.safeio import yaml as safe_yaml
from qualcode.safeio.archive import normalise
from qualcode.safeio.cleaning import bound_spans, clean, is_clean
from qualcode.safeio.escaping import FORMULA_STARTS, csv_cell, md_text, terminal_text

TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)


@given(TEXT)
def test_cleaned_text_is_clean_and_cleaning_twice_changes_nothing(text: str) -> None:
    once = clean(text)
    assert is_clean(once) and clean(once) == once
    # only what had to go went: every character left was in the text, in order
    it = iter(text.replace("\x0b", "\n").replace("\x0c", "\n"))
    assert all(ch in it for ch in once)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["word", "a", "longerword", ",", ".", ";", "\u3002", " ", "  ", "-", "x" * 40]),
                max_size=400), st.integers(min_value=5, max_value=60))
def test_bounded_spans_are_short_ordered_and_lose_nothing(pieces: list[str], bound: int) -> None:
    text = " ".join(pieces)
    pieces_out = bound_spans(text, [(0, len(text))], bound)
    last = 0
    for start, end in pieces_out:
        assert last <= start < end <= len(text) and end - start <= bound
        assert not text[start].isspace() and not text[end - 1].isspace()
        last = end
    assert "".join("".join(text[s:e].split()) for s, e in pieces_out) == "".join(text.split())


@given(st.one_of(TEXT, st.integers(), st.floats(allow_nan=False)))
def test_no_csv_cell_starts_a_formula(value: object) -> None:
    cell = csv_cell(value)
    if isinstance(value, str):
        assert not cell.startswith(FORMULA_STARTS) and cell.endswith(value)
    else:
        assert cell == value


@given(TEXT)
def test_markdown_text_has_no_tag_and_terminal_text_no_control(text: str) -> None:
    assert "<" not in md_text(text) and "](" not in md_text(text)
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in terminal_text(text))


@given(st.text(alphabet="ab./\\:C\x00", max_size=30))
@example("::")  # a drive-like prefix that is no letter
@example("./C:x")  # a drive once "./" is dropped
def test_a_normalised_entry_name_never_leaves_the_archive(name: str) -> None:
    norm = normalise(name)
    if norm is not None:
        parts = norm.split("/")
        assert ".." not in parts and "" not in parts and "." not in parts
        assert not norm.startswith("/") and "\\" not in norm and "\x00" not in norm
        assert not (len(norm) > 1 and norm[1] == ":")


def test_aliases_are_refused_outside_codebooks_and_bounded_in_them() -> None:
    shared = "kw: &kw [needs, priorities]\ncodes:\n  - {id: a, keywords: *kw}\n  - {id: b, keywords: *kw}\n"
    assert safe_yaml.load(shared, "cb.yaml", aliases="bounded")["codes"][1]["keywords"] == ["needs", "priorities"]
    with pytest.raises(InputError, match="alias"):
        safe_yaml.load(shared, "findings.yaml")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [{', '.join(['*' + chr(97 + k)] * 10)}]\n" for k in range(6))
    with pytest.raises(InputError, match="expand"):
        safe_yaml.load(laughs, "cb.yaml", aliases="bounded")


def test_yaml_is_dumped_without_aliases() -> None:
    shared = ["x", "y"]
    text = safe_yaml.dump({"a": shared, "b": shared})
    assert "&" not in text and "*" not in text
    assert safe_yaml.load(text, "t.yaml") == {"a": shared, "b": shared}
