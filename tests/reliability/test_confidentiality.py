"""No export or report names an informant, or carries their e-mail or phone number, unless names are asked for;
the HTML report escapes whatever a transcript contains."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.store import Project
from reliability.builders import make_project
from reliability.fuzz_support import run_cli

SECRETS = ("Nguyen Thi Lan", "Ms. Lan", "lan.nguyen@factory-a.vn", "0912 345 678")
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = make_project(tmp_path / "p", turns=[
        ("Interviewer", ["Thank you, Ms. Lan, for meeting us at the factory today."]),
        ("Ms. Lan", ["Nguyen Thi Lan here: write to lan.nguyen@factory-a.vn or call 0912 345 678 about the training.",
                     f"The grievance training changed how line leaders answer workers {HOSTILE} every week.",
                     "Without the brand we could not keep the quarterly seminars going after 2024."]),
    ])
    for ref, code in (("KII-01:2", "effectiveness"), ("KII-01:3", "effectiveness"), ("KII-01:4", "sustainability")):
        p.add_coding(ref, code, coder="ana")
    from qualcode.synthesis.findings import add_finding, link_evidence

    f = add_finding(p, "effectiveness", "Grievance training changed supervisors' practice.", coder="ana")
    link_evidence(p, f["id"], coder="ana", segment="KII-01:2", code="effectiveness")
    link_evidence(p, f["id"], coder="ana", segment="KII-01:3", code="effectiveness")
    yield p
    p.close()


def _text_of(path: Path) -> str:
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    if path.suffix in (".qdpx", ".zip"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8")


def _exports(project: Project, out: Path, capsys: pytest.CaptureFixture[str], *names: str) -> dict[str, str]:
    p = str(project.path)
    for argv in (["export", "quotes", "-p", p, "--format", "all", "--out", str(out / "quotes"), *names],
                 ["report", "-p", p, "--out", str(out / "report.html"), *names],
                 ["redact", "-p", p, "--out", str(out / "redacted")]):
        code, _o, err = run_cli(capsys, *argv)
        assert code == 0, (argv, err)
    return {str(f.relative_to(out)): _text_of(f) for f in sorted(out.rglob("*")) if f.is_file()}


def test_no_export_or_report_names_an_informant(project: Project, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    files = _exports(project, tmp_path / "out", capsys)
    assert any(name.endswith(".docx") for name in files) and "report.html" in files
    for name, text in files.items():
        assert "grievance training" in text.lower() or name.startswith("redacted"), f"{name} has no quotes"
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into {name}"


def test_names_appear_only_when_asked_for(project: Project, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    files = _exports(project, tmp_path / "out", capsys, "--show-names")
    quotes = "\n".join(t for n, t in files.items() if n.startswith("quotes"))
    assert "lan.nguyen@factory-a.vn" in quotes or "Nguyen Thi Lan" in quotes


def test_the_report_escapes_markup_from_transcripts(project: Project, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    html = _exports(project, tmp_path / "out", capsys)["report.html"]
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_refi_export_names_nobody_unless_asked(project: Project, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # cases are named by their id; transcripts, speaker labels and memos are pseudonymised (names withheld)
    out = tmp_path / "p.qdpx"
    code, _o, err = run_cli(capsys, "refi", "export", "-p", str(project.path), "-o", str(out))
    assert code == 0, err
    text = _text_of(out)
    assert "<Case" in text and "grievance training" in text.lower()
    assert [secret for secret in SECRETS if secret in text] == []
    code, _o, err = run_cli(capsys, "refi", "export", "-p", str(project.path), "-o", str(out), "--show-names",
                            "--force")
    assert code == 0, err
    assert [secret for secret in SECRETS if secret in _text_of(out)] == list(SECRETS)
