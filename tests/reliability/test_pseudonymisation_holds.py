"""Pseudonymisation that holds: transcripts written to slip names past it (possessives, a name before a capitalised
word, upper and lower case, names in file names and speaker labels, names in memos, statements and notes), a name
list for people mentioned in passing, and every export and listing checked for every name."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.store import Project

INFORMANTS = ["Tran Van Phuc", "Vu Thi Lan", "Nguyễn Văn Hùng", "Do Thi Hang"]
THIRD = ["Khanh", "Le Minh Quan"]  # mentioned, never interviewed
# every form a reader could recognise; each must be gone from every export
LEAKS = ["Phuc", "PHUC", "phuc", "Lan", "Hùng", "Hung", "Hang", "Khanh", "Quan"]

PHUC = """Interviewer: Thank you for seeing us, Mr. Phuc.

Tran Van Phuc: Phuc's team joined the grievance training in 2022. I told Phuc Monday that PHUC would report.
Mr. Khanh from the chamber advised us on overtime, and Khanh's advice was the most useful part of the programme.
Ms. Lan at the other factory said the same thing about the training. Many workers come from Thanh Hoa province.
Le Minh Quan from the ministry visited twice. You can call me on 0912 345 678 or write to phuc@factory.vn.
"""

LAN = """Interviewer: Good morning, Ms. Lan.

Lan: Lan’s factory in Hai Phong used the grievance training well. phuc from the other factory called me about it.
The adviser, Khanh, was helpful. VU THI LAN is my name on the attendance sheet.
"""

FGD = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Facilitator: Welcome. Please introduce yourselves.

2
00:00:05.000 --> 00:00:09.000
Nguyễn Văn Hùng: I am a union official. Hùng's union did the bargaining training.

3
00:00:10.000 --> 00:00:14.000
Hang's iPhone: The training helped the women on the line. Hùng helped us too.
"""

CASES = """transcript_id,file,speaker,name,type,stakeholder_group,organisation_type,role,sex,location,interviewer
,Tran-Van-Phuc-interview.txt,,Tran Van Phuc,KII,Factory,Factory (FDI),HR manager,M,Bac Ninh,Clara Jensen
KII-02,KII-02.txt,,Vu Thi Lan,KII,Factory,Factory (FDI),HR manager,F,Hai Phong,Clara Jensen
FGD-01,FGD-01.vtt,Nguyễn Văn Hùng,Nguyễn Văn Hùng,FGD,Union,Trade union,Union official,M,Hai Phong,Clara Jensen
FGD-01,FGD-01.vtt,Hang's iPhone,Do Thi Hang,FGD,Factory,Factory (FDI),Line leader,F,Hai Phong,Clara Jensen
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    return out.out


def _leaks(text: str) -> list[str]:
    """Names (any listed form) that a text still shows, as whole words (possessives included)."""
    found = []
    for name in LEAKS + INFORMANTS + THIRD:
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
            found.append(name)
    return found


@pytest.fixture
def hostile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    src = tmp_path / "files"
    src.mkdir()
    (src / "Tran-Van-Phuc-interview.txt").write_text(PHUC, encoding="utf-8")
    (src / "KII-02.txt").write_text(LAN, encoding="utf-8")
    (src / "FGD-01.vtt").write_text(FGD, encoding="utf-8")
    (src / "cases.csv").write_text(CASES, encoding="utf-8")
    (src / "names.csv").write_text("name,role\nKhanh,the chamber's adviser\nLe Minh Quan,\n", encoding="utf-8")
    p = str(tmp_path / "p")
    _run(capsys, "init", p)
    out = _run(capsys, "import", "-p", p, "--cases", str(src / "cases.csv"), str(src / "Tran-Van-Phuc-interview.txt"),
               str(src / "KII-02.txt"), str(src / "FGD-01.vtt"))
    assert "Tran-Van-Phuc-interview" not in out.replace("Tran-Van-Phuc-interview.txt", "")
    assert "holds a person's name" in out and "warning:" in out
    _run(capsys, "names", "import", "-p", p, str(src / "names.csv"))
    with Project.open(tmp_path / "p") as project:
        kii = next(t["id"] for t in project.transcripts() if t["id"] not in ("KII-02", "FGD-01"))
        for seg in project.segments(include_interviewer=False):
            project.add_coding(seg["id"], "relevance", coder="clara", memo="Phuc's point, checked with Ms. Lan")
        first = project.segments(kii, include_interviewer=False)[0]
        project.set_memo("segment", str(first["id"]), "Ask Khanh whether Phuc's figures hold", coder="clara")
        project.set_memo("project", "project", "Hùng and Hang were frank", coder="clara")
    _run(capsys, "findings", "add", "-p", p, "--criterion", "relevance", "--id", "F1",
         "--statement", "Phuc's factory and Lan’s factory both found the grievance training relevant.")
    _run(capsys, "findings", "link", "-p", p, "F1", "--segment", f"{kii}:2", "--code", "relevance",
         "--note", "Khanh confirmed it")
    return tmp_path / "p"


def test_no_export_or_listing_shows_a_name(hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = str(hostile)
    out_dir = tmp_path / "out"
    _run(capsys, "export", "quotes", "-p", p, "--format", "md,csv", "--out", str(out_dir))
    texts = {f.name: f.read_text(encoding="utf-8-sig") for f in out_dir.iterdir()}
    _run(capsys, "report", "-p", p, "--out", str(tmp_path / "report.html"))
    texts["report"] = (tmp_path / "report.html").read_text(encoding="utf-8")
    _run(capsys, "export", "findings", "-p", p, "--out", str(tmp_path / "chapter.md"))
    texts["export findings"] = (tmp_path / "chapter.md").read_text(encoding="utf-8")
    _run(capsys, "export", "persons", "-p", p, "--out", str(tmp_path / "persons.csv"))
    texts["export persons"] = (tmp_path / "persons.csv").read_text(encoding="utf-8-sig")
    texts["findings export"] = _run(capsys, "findings", "export", "-p", p)
    texts["findings show"] = _run(capsys, "findings", "show", "-p", p, "F1", "--json")
    texts["audit --json"] = _run(capsys, "audit", "-p", p, "--json")
    texts["log --json"] = _run(capsys, "log", "-p", p, "--json")
    texts["segments"] = "\n".join(line.split("  ")[2] if len(line.split("  ")) > 2 else "" for line in
                                  _run(capsys, "segments", "-p", p).splitlines())
    texts["segments --json speakers"] = json.dumps([r["speaker"] for r in json.loads(
        _run(capsys, "segments", "-p", p, "--json"))], ensure_ascii=False)
    texts["cases"] = _run(capsys, "cases", "-p", p)
    texts["matrix --cell"] = _run(capsys, "matrix", "-p", p, "--cell", "relevance", "Factory")
    texts["names list"] = _run(capsys, "names", "list", "-p", p)
    _run(capsys, "refi", "export", "-p", p, "-o", str(tmp_path / "h.qdpx"))
    with zipfile.ZipFile(tmp_path / "h.qdpx") as z:
        qde = z.read("project.qde").decode("utf-8")
        extension = z.read("qualcode.json").decode("utf-8")
    # the sources travel verbatim (other tools need the exact text); memos, notes and paths do not
    texts["qdpx notes"] = " ".join(re.findall(r"<(?:PlainTextContent|Description)>(.*?)</", qde, re.DOTALL))
    texts["qdpx metadata"] = json.dumps({k: v for k, v in json.loads(extension).items() if k != "transcripts"},
                                        ensure_ascii=False)
    texts["qdpx cases"] = " ".join(re.findall(r"<Case [^>]*>", qde))
    for what, text in texts.items():
        assert _leaks(text) == [], what
    assert "/" + tmp_path.name not in qde + extension  # no path of this machine
    # a name mentioned in another informant's interview is never that informant's id
    md = texts["quotes.md"]
    assert "[informant KII-02]" not in "".join(
        line for line in md.splitlines() if "KII-02:" not in line and "FGD-01:" not in line)
    # in his own interview Phuc is his pseudonym, possessive and all; Lan, named there, is nobody's id
    assert "[informant interview]'s team" in md and "told [informant interview] Monday" in md
    assert "[name] at the other factory" in md and "[the chamber's adviser]'s advice" in md
    assert "Thanh Hoa province" in md and "Hai Phong" in md  # places are not names
    assert "Interview with an HR manager" in md


def test_ids_made_from_names_are_replaced(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(hostile) as project:
        ids = [t["id"] for t in project.transcripts()] + [c["id"] for c in project.cases()]
    assert ids and _leaks(" ".join(re.sub(r"[-_]", " ", i) for i in ids)) == []
    assert {"FGD-01-P1", "FGD-01-P2"} <= set(ids)  # not "FGD-01-Nguyễn Văn Hùng", "FGD-01-Hang's iPhone"


def test_redact_check_reports_names_everywhere_an_export_could_carry_them(
        hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_run(capsys, "redact", "--check", "-p", str(hostile), "--json"))
    where = {h["where"] for h in data["hits"]}
    assert {"transcript", "speaker label", "memo by clara", "finding statement", "evidence note"} <= where
    assert any(w.startswith("memo of coding") for w in where)
    kinds = {(h["kind"], h["found"]) for h in data["hits"]}
    assert ("third party", "Khanh") in kinds and ("unknown name", "Mr. Khanh") not in kinds
    assert any(f.startswith("Phuc") for k, f in kinds if k == "informant name")
    assert ("informant name", "phuc") in kinds and ("informant name", "VU THI LAN") in kinds
    assert not any("Thanh Hoa" in f or "Hai Phong" in f for _, f in kinds)
    assert main(["redact", "--check", "-p", str(hostile)]) == 1
