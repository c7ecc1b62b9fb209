"""Coders are people: an accepted suggestion is the accepting person's coding (with the suggestion's model and
score), a program's name is refused as the one who accepts, and `qualcode coders` says which names are not people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from teams_support import build_project, unit

from qualcode.actions.coding import accept_suggestion, reject_suggestion
from qualcode.cli import main
from qualcode.errors import QualcodeError


def test_a_suggestion_is_credited_to_the_person_who_accepts_it(tmp_path: Path) -> None:
    p = build_project(tmp_path / "p")
    seg = unit(p, "KII-01", "Turnover")
    coding = accept_suggestion(p, seg, "relevance.needs", coder="clara", score=0.81, model_version="nb-7")
    assert (coding["coder"], coding["source"], coding["model_version"], coding["score"]) == \
        ("clara", "suggestion", "nb-7", 0.81)
    for machine in ("suggester", "model:nb-7", "nb-7", "qualcode-bot"):
        with pytest.raises(QualcodeError, match="names a program, not a person"):
            accept_suggestion(p, unit(p, "KII-01", "Our line"), "lessons", coder=machine, score=0.5,
                              model_version="nb-7")
        with pytest.raises(QualcodeError, match="names a program"):
            reject_suggestion(p, seg, "lessons", coder=machine, score=0.5, model_version="nb-7")
    assert {c["coder"] for c in p.codings()} == {"clara"}
    p.close()


def test_codings_list_shows_the_suggestion_provenance_and_coders_says_who_is_a_person(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = build_project(tmp_path / "p")
    accept_suggestion(p, unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara", score=0.81,
                      model_version="nb-7")
    p.add_coding(unit(p, "KII-01", "Our line"), "lessons", coder="suggester", source="suggestion")
    p.close()
    assert main(["codings", "list", "-p", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "suggestion (nb-7, 0.81)" in out and "clara" in out
    assert main(["coders", "-p", str(tmp_path / "p"), "--json"]) == 0
    kinds = {r["name"]: r["kind"] for r in json.loads(capsys.readouterr().out)}
    assert kinds["clara"] == "person" and kinds["suggester"] == "program (not a coder)"
    assert main(["coders", "-p", str(tmp_path / "p"), "--default", "suggester"]) == 2
    assert "not a person's name" in capsys.readouterr().err
