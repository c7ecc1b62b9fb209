"""Suggestions without a project: a codebook file, units in JSONL, optional coded units in JSONL.

Used for benchmarking and scripting. Input lines are ``{"id", "text"}`` (units) and
``{"id", "text", "codes": [...]}`` (training units; ``"codes": []`` with no ``"rejected"`` is a unit read and left
uncoded, which teaches the model what is not worth coding), each optionally with ``"question"``: the interviewer's
question the unit answers, used as context; each output line is
``{"id", "suggestions": [{"code", "criterion", "score", "why"}, ...]}``, best first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.errors import InputError
from qualcode.model import Codebook
from qualcode.nlp.suggester import Example, Suggester


def read_jsonl(path: str | Path, *, need_codes: bool = False) -> list[dict[str, Any]]:
    """Read units from a JSONL file; every bad line raises :class:`InputError` with file and line."""
    from qualcode.safeio.cleaning import clean
    from qualcode.safeio.limits import limits

    p = Path(path)
    bound = limits().max_unit_chars
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for lineno, line in _lines(p):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON ({err.msg})", path=str(p), line=lineno,
                             hint='each line must be one JSON object like {"id": "u1", "text": "..."}') from None
        except RecursionError:
            raise InputError("nests too deeply to read", path=str(p), line=lineno) from None
        if not isinstance(obj, dict):
            raise InputError("a line must be a JSON object", path=str(p), line=lineno)
        if "id" not in obj or "text" not in obj:
            missing = "id" if "id" not in obj else "text"
            raise InputError(f"missing \"{missing}\"", path=str(p), line=lineno,
                             hint='each line needs "id" and "text"')
        if not isinstance(obj["text"], str):
            raise InputError('"text" must be a string', path=str(p), line=lineno)
        obj["text"] = clean(obj["text"])  # no control characters in what is printed and scored
        if len(obj["text"]) > bound:
            raise InputError(f'"text" is {len(obj["text"]):,} characters; a unit may have at most {bound:,}',
                             path=str(p), line=lineno, hint="split it into sentences, one unit per line")
        uid = str(obj["id"])
        if uid in seen:
            raise InputError(f"id '{uid}' already used on line {seen[uid]}", path=str(p), line=lineno,
                             hint="give every unit its own id")
        seen[uid] = lineno
        question = obj.get("question")
        if question is not None and not isinstance(question, str):
            raise InputError('"question" must be a string', path=str(p), line=lineno,
                             hint="the interviewer's question before the unit, or leave it out")
        row: dict[str, Any] = {"id": uid, "text": obj["text"], "line": lineno, "question": question or ""}
        if need_codes:
            codes = obj.get("codes")
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise InputError('"codes" must be a list of code ids', path=str(p), line=lineno)
            row["codes"] = codes
            rejected = obj.get("rejected", [])
            if not isinstance(rejected, list) or not all(isinstance(c, str) for c in rejected):
                raise InputError('"rejected" must be a list of code ids', path=str(p), line=lineno)
            row["rejected"] = rejected
        rows.append(row)
    return rows


def _lines(p: Path) -> Iterator[tuple[int, str]]:
    from qualcode.safeio.files import read_input

    data = read_input(p, what="JSONL file", hint="check the path")  # within the file-size bound; no pipes
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", path=str(p), hint="save the file as UTF-8") from None
    # lines as open() would give them (not str.splitlines, which also breaks at U+2028 inside a JSON string)
    yield from enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)


def examples_from_rows(rows: list[dict[str, Any]], codebook: Codebook, path: str) -> list[Example]:
    """Training rows as examples; a code the codebook does not have is an error, not silently dropped."""
    out = []
    for r in rows:
        for c in [*r["codes"], *r.get("rejected", [])]:
            if c not in codebook:
                raise InputError(f"code '{c}' is not in the codebook", path=path, line=r["line"],
                                 hint="use the code ids of the codebook file")
        out.append(Example(r["id"], r["text"], set(r["codes"]), set(r.get("rejected", []))))
    return out


def suggest_standalone(
    codebook: Codebook,
    segments: list[dict[str, Any]],
    train: list[Example] | None = None,
    *,
    top: int = 3,
    min_score: float = 0.0,
    explain: bool = True,
    train_questions: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Suggest codes for each segment; the IDF and self-training use the segments themselves.

    A segment's optional ``question`` (the interviewer's question before it) is used as context;
    ``train_questions`` gives the same for the training units, in their order.
    """
    suggester = Suggester(codebook)
    train_questions = [q or "" for q in (train_questions or [""] * len(train or []))]
    suggester.set_corpus([s["text"] for s in segments] + [e.text for e in train or []],
                         [s.get("question", "") for s in segments] + train_questions)
    suggester.update(train or [])
    results = suggester.suggest([(s["id"], s["text"]) for s in segments], top=top, min_score=min_score,
                                explain=explain, evidence=False)  # the lines printed carry no evidence
    version = suggester.model_version
    return [
        {"id": s["id"], "suggestions": [x.to_dict(evidence=False) for x in sugg], "model_version": version}
        for s, sugg in zip(segments, results, strict=True)
    ]
