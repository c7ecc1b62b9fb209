"""Helpers of the suggestion tests (``test_nlp_suggester``, ``test_nlp_vectors``, ``test_nlp_passed``,
``test_suggest_cli``): codebooks built from rows of data, JSONL input files, and where a code ranks for a text.

Each test file keeps its own codebook data (their wording differs, and the assertions depend on it); what they share
is how that data becomes a codebook or a file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from qualcode.codebook import parse_codebook
from qualcode.model import Code, Codebook
from qualcode.nlp import Suggester


def make_codes(rows: Iterable[Sequence[Any]]) -> list[Code]:
    """A fresh ``Code`` for each row of (id, name, definition[, keywords[, examples]])."""
    codes = []
    for code_id, name, definition, *rest in rows:
        keywords = list(rest[0]) if rest else []
        examples = list(rest[1]) if len(rest) > 1 else []
        codes.append(Code(id=code_id, name=name, definition=definition, keywords=keywords, examples=examples))
    return codes


def codebook_of(codes: list[Code], criteria: dict[str, str] | None = None) -> Codebook:
    """The codes as a flat codebook or, given ``criteria`` (id -> name, in order), each code under the criterion its id
    starts with (``"gender.inclusion"`` under ``"gender"``); a criterion has only a name."""
    if criteria is None:
        return Codebook(roots=codes)
    return Codebook(roots=[Code(id=cid, name=name, children=[c for c in codes if c.id.split(".")[0] == cid])
                           for cid, name in criteria.items()])


def parse_yaml_codebook(text: str) -> Codebook:
    """A codebook from YAML text, which must have no problems."""
    cb, problems = parse_codebook(text, "<test>")
    assert cb is not None, problems
    return cb


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """One JSON object a line, each line ending in a newline; returns ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def top_code(s: Suggester, text: str) -> str:
    return s.suggest([("u", text)], top=1)[0][0].code


def rank_of(s: Suggester, text: str, code: str) -> int:
    """Where ``code`` stands among all the suggester's codes for ``text`` (0: first)."""
    found = [x.code for x in s.suggest([("u", text)], top=len(s.code_ids))[0]]
    return found.index(code)
