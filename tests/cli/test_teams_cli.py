"""The team commands end to end: two coders code separately, merge, see agreement, adjudicate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from teams_support import coder_copies, unit

from qualcode.cli import main
from qualcode.store import Project


@pytest.fixture
def team(tmp_path: Path) -> tuple[Path, Path]:
    a, b = coder_copies(tmp_path)
    with Project.open(a) as p:
        for text in ("Turnover", "The grievance", "Without funding"):
            p.add_coding(unit(p, "KII-01", text), "relevance.needs" if text != "Without funding"
                         else "sustainability.funding", coder="clara")
    with Project.open(b) as p:
        for text, code in (("The grievance", "relevance.needs"), ("Our line", "relevance.needs"),
                           ("Without funding", "sustainability.funding")):
            p.add_coding(unit(p, "KII-01", text), code, coder="long")
    return a, b


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_merge_agreement_and_adjudication_from_the_command_line(team: tuple[Path, Path],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    a, b = team
    code, out, _ = _run(capsys, "merge", str(b), "-p", str(a), "--coder", "clara")
    assert code == 0
    assert "brought in 3 codings (long 3)" in out and "2 matched by content" in out

    code, out, _ = _run(capsys, "merge", str(b), "-p", str(a), "--json")
    assert json.loads(out)["totals"]["codings_added"] == 0

    code, out, _ = _run(capsys, "agreement", "-p", str(a), "--json")
    data = json.loads(out)
    assert data["coders"] == ["clara", "long"]
    needs = next(r for r in data["items"] if r["id"] == "relevance.needs")
    assert needs["flagged"] and needs["disagree"] == 2

    code, out, _ = _run(capsys, "agreement", "-p", str(a), "--by", "criterion", "--disagreements")
    assert code == 0
    assert "CRITERION" in out and "relevance" in out and "LOW" in out and "Turnover" in out

    code, out, _ = _run(capsys, "adjudicate", "list", "-p", str(a))
    assert "2 open, 0 settled of 2" in out and "KII-01:2" in out

    code, out, _ = _run(capsys, "adjudicate", "decide", "-p", str(a), "--segment", "KII-01:2",
                        "--code", "relevance.needs", "--apply", "--coder", "minh", "--note", "need is explicit")
    assert code == 0 and "apply (decided by minh; originals: clara applied, long did not apply)" in out

    code, out, _ = _run(capsys, "adjudicate", "list", "-p", str(a), "--json")
    assert json.loads(out)["open"] == 1

    code, out, _ = _run(capsys, "adjudicate", "reopen", "-p", str(a), "--segment", "KII-01:2",
                        "--code", "relevance.needs")
    assert code == 0 and "was apply" in out


def test_user_errors_are_one_line_with_what_to_do(team: tuple[Path, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = team
    code, out, err = _run(capsys, "agreement", "-p", str(a))
    assert code == 2 and "have not both coded a transcript of the agreement sample" in err and "qualcode merge" in err
    code, _, err = _run(capsys, "merge", str(tmp_path / "missing"), "-p", str(a))
    assert code == 2 and err.count("\n") == 1 and "no qualcode project" in err
    code, _, err = _run(capsys, "agreement", "-p", str(a), "--coders", "clara,nobody")
    assert code == 2 and "no coder 'nobody'" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["adjudicate", "decide", "-p", str(a), "--segment", "KII-01:2", "--code", "relevance.needs"])
    assert exit_info.value.code == 2 and "--apply --omit is required" in capsys.readouterr().err


def _only(project_dir: Path, coder: str) -> None:
    """Keep one coder's codings, as if the project had been coded by that coder alone: the others' codings and the
    team's adjudications are deleted from the database (never there, rather than removed by someone, which a merge
    would carry over as a removal)."""
    with Project.open(project_dir) as p, p.transaction():
        p.db.execute("DELETE FROM codings WHERE coder_id != ?", (p.coder_id(coder),))
        p.db.execute("DELETE FROM adjudications")


def test_two_coders_code_the_example_separately_then_merge_agree_adjudicate_and_hand_over_a_qdpx(
    example_project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lxml import etree

    clara, long_ = tmp_path / "clara", tmp_path / "long"
    shutil.copytree(example_project_path, clara)
    shutil.copytree(example_project_path, long_)
    _only(clara, "clara")
    _only(long_, "long")

    code, out, _ = _run(capsys, "merge", str(long_), "-p", str(clara), "--json")
    merged = json.loads(out)["merged"][0]
    assert merged["transcripts"]["conflicts"] == [] and merged["codings"]["not_placed"] == 0
    with Project.open(example_project_path) as original, Project.open(clara) as p:
        assert {(c["ref"], c["code"], c["coder"], c["created"]) for c in p.codings()} == \
               {(c["ref"], c["code"], c["coder"], c["created"]) for c in original.codings()
                if c["coder"] != "consensus"}

    code, out, _ = _run(capsys, "agreement", "-p", str(clara), "--by", "criterion", "--json")
    data = json.loads(out)
    assert data["coders"] == ["clara", "long"] and set(data["transcripts"]) == {"FGD-01", "KII-07"}
    assert {r["criterion"] for r in data["items"]} >= {"relevance", "effectiveness"}

    code, out, _ = _run(capsys, "adjudicate", "list", "-p", str(clara), "--json")
    items = json.loads(out)["items"]
    first = items[0]
    code, out, _ = _run(capsys, "adjudicate", "decide", "-p", str(clara), "--segment", first["ref"], "--code",
                        first["code"], "--omit", "--coder", "clara")
    assert code == 0
    code, out, _ = _run(capsys, "adjudicate", "list", "-p", str(clara), "--json")
    left = [(i["ref"], i["code"]) for i in json.loads(out)["items"]]
    assert (first["ref"], first["code"]) not in left
    assert left == [(i["ref"], i["code"]) for i in items[1:]]  # only the decided one is gone

    qdpx = tmp_path / "handover.qdpx"
    code, out, _ = _run(capsys, "refi", "export", "-p", str(clara), "-o", str(qdpx))
    assert code == 0 and "Wrote" in out and qdpx.exists()
    import zipfile

    xsd = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda"
                                          / "Project-mrt2019.xsd")))
    assert xsd.validate(etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde")))
    code, out, _ = _run(capsys, "refi", "export", "-p", str(clara), "-o", str(tmp_path / "codes.qdc"))
    assert code == 0 and (tmp_path / "codes.qdc").exists()

    code, out, _ = _run(capsys, "refi", "import", str(qdpx), "-p", str(tmp_path / "colleague"))
    assert code == 0 and "(new project)" in out and "selections mapped" in out
    with Project.open(tmp_path / "colleague") as q, Project.open(clara) as p:
        assert len(q.codings()) == len(p.codings())


def test_refi_export_refuses_an_unknown_extension(team: tuple[Path, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = team
    code, _, err = _run(capsys, "refi", "export", "-p", str(a), "-o", str(tmp_path / "x.nvp"))
    assert code == 2 and ".qdpx or .qdc" in err
    code, out, _ = _run(capsys, "refi", "export", "-p", str(a))
    assert code == 0 and (a / "outputs" / "Team-test.qdpx").exists()


