"""The synthesis commands on the bundled example project, as a user runs them: outputs opened and checked,
--json, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def qc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True, text=True,
                          env={"QUALCODE_CODER": "tester", "PATH": "/usr/bin:/bin"}, cwd=ROOT)


def case_sheet_names() -> list[str]:
    with open(ROOT / "transcripts" / "cases.csv", encoding="utf-8-sig", newline="") as fh:
        return [r["name"] for r in csv.DictReader(fh) if r.get("name")]


def leaked_names(text: str) -> list[str]:
    """Case-sheet names, and name parts used as a name: after a title, or on their own (not inside another proper
    noun such as 'Hai Phong' or 'Thanh Hoa')."""
    leaks = []
    for name in case_sheet_names():
        if name in text:
            leaks.append(name)
        for part in name.split():
            for m in re.finditer(rf"\b{re.escape(part)}\b", text):
                before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 3]
                if re.search(r"\b(Mr|Ms|Mrs|Dr)\.? $", before):
                    leaks.append(f"{before.strip()} {part}")
                elif len(part) >= 3 and not re.match(r" [A-Z]", after) and not re.search(r"[A-Z]\w+ $", before):
                    leaks.append(part)
    return leaks


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_matrix_on_the_example(example_project_path: Path) -> None:
    p = str(example_project_path)
    data = json.loads(qc("matrix", "-p", p, "--json").stdout)
    assert [r["id"] for r in data["rows"]][:2] == ["relevance", "validity_of_design"]
    assert {"Factory", "Government", "Workers' organisation", "ILO staff", "Donor"} <= set(data["cols"])
    assert data["total"] > 300
    i = [r["id"] for r in data["rows"]].index("impact")
    j = data["cols"].index("Workers' organisation")
    assert data["counts"][i][j] == len(data["refs"]["impact"]["Workers' organisation"])
    table = list(csv.reader(io.StringIO(qc("matrix", "-p", p, "--csv", "--count", "informants").stdout)))
    assert table[0][0] == "criterion" and table[-1][0] == "Total"
    cell = json.loads(qc("matrix", "-p", p, "--cell", "impact", "Workers' organisation", "--json").stdout)
    assert len(cell) == data["counts"][i][j]
    assert all(c["attribution"].startswith(("Interview", "FGD")) for c in cell)
    human = qc("matrix", "-p", p, "--rows", "code", "--cols", "location")
    assert human.returncode == 0 and "HAI PHONG" in human.stdout  # column headers are upper-cased
    co = json.loads(qc("matrix", "-p", p, "--cooccurrence", "--rows", "criterion", "--json").stdout)
    assert co["codes"][0] == "relevance"


def test_quote_bank_exports_have_no_informant_names(example_project_path: Path, tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    out = tmp_path / "quotes"
    proc = qc("export", "quotes", "-p", str(example_project_path), "--format", "all", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert sorted(Path(f).name for f in result["files"]) == ["quotes.csv", "quotes.docx", "quotes.md", "quotes.xlsx"]
    docx_text = "\n".join(p.text for p in Document(str(out / "quotes.docx")).paragraphs)
    wb = load_workbook(out / "quotes.xlsx")
    xlsx_text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    texts = {"docx": docx_text, "xlsx": xlsx_text, "md": (out / "quotes.md").read_text(encoding="utf-8"),
             "csv": (out / "quotes.csv").read_text(encoding="utf-8-sig")}
    placeholders = {}
    for fmt, text in texts.items():
        assert leaked_names(text) == [], fmt
        assert "Interview with an HR manager of a factory located in Hai Phong" in text, fmt  # as consented
        # a focus-group participant named in a quote ("Vo Thi Yen") is replaced by their case id
        assert "[informant FGD-02-P5]" in text, fmt
        placeholders[fmt] = set(re.findall(r"\[informant [^\]]+\]", text))
    assert all(found == placeholders["md"] for found in placeholders.values()), placeholders
    assert "Relevance" in wb.sheetnames and len(wb.sheetnames) == 10


def test_findings_audit_and_report_walkthrough(example_project_dir: Path, tmp_path: Path) -> None:
    p = str(example_project_dir)
    seg = json.loads(qc("codings", "list", "-p", p, "--code", "sustainability.funding", "--json").stdout)
    refs: list[str] = []
    for c in seg:  # one passage per transcript, for a well-triangulated finding
        if c["transcript"] not in {r.split(":")[0] for r in refs}:
            refs.append(c["ref"])
    added = qc("findings", "add", "-p", p, "--criterion", "sustainability", "--question", "sustainability.funding",
               "--statement", "Sectoral meetings are unlikely to continue without funding.", "--json")
    assert added.returncode == 0, added.stderr
    fid = json.loads(added.stdout)["id"]
    for ref in refs[:6]:
        linked = qc("findings", "link", "-p", p, fid, "--segment", ref, "--code", "sustainability.funding")
        assert linked.returncode == 0, linked.stderr
    assert qc("findings", "link", "-p", p, fid, "--document", "Project final progress report, p. 12").returncode == 0
    shown = json.loads(qc("findings", "show", "-p", p, fid, "--json").stdout)
    assert shown["triangulation"]["strength"] == "strong"
    assert all(e["attribution"] and e["created"] for e in shown["evidence"])
    listing = qc("findings", "list", "-p", p)
    assert fid in listing.stdout and "strong" in listing.stdout
    ok = qc("audit", "-p", p, "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["errors"] == 0
    report = tmp_path / "report.html"
    made = qc("report", "-p", p, "--out", str(report))
    assert made.returncode == 0, made.stderr
    html = report.read_text(encoding="utf-8")
    assert "Sectoral meetings are unlikely to continue without funding." in html
    assert "Project final progress report, p. 12" in html
    assert leaked_names(re.sub(r"<[^>]+>", " ", html)) == []
    # remove the coding behind one link: the audit now fails, with one line on stderr and the report on stdout
    coding = shown["evidence"][0]["coding"]
    assert qc("codings", "remove", "-p", p, "--id", str(coding)).returncode == 0
    failed = qc("audit", "-p", p)
    line = assert_one_line_error(failed, code=1)
    assert "the audit found 1 error(s)" in line
    assert "no longer resolves" in failed.stdout


def test_findings_yaml_round_trip_through_the_cli(example_project_dir: Path, tmp_path: Path) -> None:
    p = str(example_project_dir)
    ref = json.loads(qc("codings", "list", "-p", p, "--code", "gender_equality.data", "--json").stdout)[0]["ref"]
    assert qc("findings", "add", "-p", p, "--criterion", "gender_equality", "--id", "GEN-1",
              "--statement", "Projects lacked sex-disaggregated data.").returncode == 0
    assert qc("findings", "link", "-p", p, "GEN-1", "--segment", ref, "--code", "gender_equality.data").returncode == 0
    out = tmp_path / "findings.yaml"
    assert qc("findings", "export", "-p", p, "--out", str(out)).returncode == 0
    assert "GEN-1" in out.read_text(encoding="utf-8")
    again = qc("findings", "import", "-p", p, str(out))
    assert "already exists" in assert_one_line_error(again)
    def evidence() -> list[tuple[str, str, str]]:
        shown = json.loads(qc("findings", "show", "-p", p, "GEN-1", "--json").stdout)
        return sorted((e["ref"], e["code"], e["coder"]) for e in shown["evidence"])

    linked = evidence()
    assert linked and {r for r, _, _ in linked} == {ref}
    replaced = qc("findings", "import", "-p", p, str(out), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert evidence() == linked
    out2 = tmp_path / "findings-again.yaml"
    assert qc("findings", "export", "-p", p, "--out", str(out2)).returncode == 0
    assert out2.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_user_mistakes_are_one_line_errors(example_project_path: Path, tmp_path: Path) -> None:
    p = str(example_project_path)
    assert "shoe_size" in assert_one_line_error(qc("matrix", "-p", p, "--cols", "shoe_size"))
    assert "no finding 'F99'" in assert_one_line_error(qc("findings", "show", "-p", p, "F99"))
    assert "html" in assert_one_line_error(qc("report", "-p", p, "--out", str(tmp_path / "r.pdf")))
    assert "unknown format" in assert_one_line_error(qc("export", "quotes", "-p", p, "--format", "pdf"))
    assert "no code" in assert_one_line_error(qc("themes", "-p", p, "--criterion", "relevanse"))


def test_themes_and_triangulation_on_the_example(example_project_path: Path) -> None:
    p = str(example_project_path)
    a = json.loads(qc("themes", "-p", p, "--criterion", "sustainability", "--seed", "3", "--json").stdout)
    b = json.loads(qc("themes", "-p", p, "--criterion", "sustainability", "--seed", "3", "--json").stdout)
    assert a == b and len(a["themes"]) >= 2
    for t in a["themes"]:
        assert t["label"] and " / " not in t["label"] and t["share"] <= 0.4
        assert set(t["stance"]) == {"supports", "criticises", "mixed", "neutral"} and "divergent" in t
        assert t["representative"] and t["refs"] and all(v["lean"] for v in t["by_group"].values())
    tri = json.loads(qc("triangulation", "-p", p, "--level", "code", "--json").stdout)
    strengths = [t["strength"] for t in tri]
    assert strengths and set(strengths) <= {"strong", "moderate", "weak", "single-source", "none"}
    assert "strong" in strengths
    rule = qc("triangulation", "-p", p, "--show-rule")
    assert "levels:" in rule.stdout and "required:" in rule.stdout


def test_theme_counts_read_as_words_in_the_singular_and_plural(example_project_path: Path) -> None:
    p = str(example_project_path)
    args = ("themes", "-p", p, "--criterion", "efficiency", "--seed", "0")
    data = json.loads(qc(*args, "--json").stdout)
    text = qc(*args).stdout
    counts = [(t["size"], t["triangulation"]["informants"], len(t["triangulation"]["groups"]),
               t["triangulation"]["transcripts"]) for t in data["themes"]]
    assert any(1 in c for c in counts), "the example should hold a theme with a single group or informant"
    for size, informants, groups, transcripts in counts:
        words = [f"{n} {w}{'' if n == 1 else 's'}" for n, w in
                 ((size, "passage"), (informants, "informant"), (groups, "group"), (transcripts, "transcript"))]
        assert f"{words[0]} (" in text and ", ".join(words[1:]) in text
    assert re.search(r"\b1 (passages|informants|groups|transcripts)\b", text) is None
    # no theme of one passage: the outlier is shown under "Other", with its quote, and is not a theme
    assert all(t["size"] >= 2 for t in data["themes"]) and data["other"]
    assert f"Other: {len(data['other'])} passage" in text
    assert all(f"[{o['ref']}]" in text.split("Other:")[1] for o in data["other"])


def test_views_and_exports_filter_by_coder(example_project_path: Path, tmp_path: Path) -> None:
    import csv as _csv

    p = str(example_project_path)
    everyone = json.loads(qc("matrix", "-p", p, "--count", "informants", "--json").stdout)
    long_only = json.loads(qc("matrix", "-p", p, "--count", "informants", "--coders", "long", "--json").stdout)
    assert everyone != long_only
    out = tmp_path / "q"
    assert qc("export", "quotes", "-p", p, "--format", "csv", "--coders", "clara", "--out", str(out)).returncode == 0
    with open(out / "quotes.csv", encoding="utf-8-sig", newline="") as fh:
        coders = {row["coders"] for row in _csv.DictReader(fh)}
    assert coders == {"clara"}
    bad = qc("matrix", "-p", p, "--coders", "clra")
    assert bad.returncode == 2 and "no coder 'clra'" in bad.stderr


def test_triangulation_and_report_filter_by_coder(example_project_path: Path, tmp_path: Path) -> None:
    p = str(example_project_path)
    everyone = {t["id"]: t for t in json.loads(qc("triangulation", "-p", p, "--json").stdout)}
    clara = {t["id"]: t for t in json.loads(qc("triangulation", "-p", p, "--coders", "clara", "--json").stdout)}
    # Fewer units and informants behind each criterion when only one coder's codings count, never more.
    assert all(clara[c]["units"] <= everyone[c]["units"] for c in clara)
    assert sum(t["units"] for t in clara.values()) < sum(t["units"] for t in everyone.values())
    assert any(clara[c]["informants"] < everyone[c]["informants"] for c in clara)
    assert "--level criterion or code" in assert_one_line_error(
        qc("triangulation", "-p", p, "--level", "finding", "--coders", "clara"))
    assert "no coder 'nobody'" in assert_one_line_error(qc("triangulation", "-p", p, "--coders", "nobody"))
    both, one = tmp_path / "all.html", tmp_path / "long.html"
    assert qc("report", "-p", p, "--out", str(both)).returncode == 0
    r = json.loads(qc("report", "-p", p, "--out", str(one), "--coders", "long", "--json").stdout)
    assert r["coders"] == ["long"]
    html_all, html_long = both.read_text(encoding="utf-8"), one.read_text(encoding="utf-8")
    assert "count the codings of long only" in html_long and "count the codings of" not in html_all
    assert html_long.split('id="heatmap"')[1].split("</table>")[0] != html_all.split('id="heatmap"')[1].split(
        "</table>")[0]


def test_views_say_when_codings_wait_for_review(tmp_path: Path) -> None:
    from qualcode.project_io import build_example

    p = tmp_path / "ex"
    build_example(p)
    quiet = qc("matrix", "-p", str(p), "--json")
    assert quiet.returncode == 0 and "review" not in quiet.stderr
    # KII-01 re-imported with none of its sentences: its codings wait for a coder to place them.
    edited = tmp_path / "KII-01.txt"
    edited.write_text("Interviewer: Shall we start?\n\nMs. Lan: Only the weather in spring, nothing from before.\n",
                      encoding="utf-8")
    assert qc("import", "-p", str(p), str(edited)).returncode == 0
    for args in (("matrix",), ("triangulation",), ("themes", "--criterion", "relevance"),
                 ("export", "quotes", "--format", "md", "--out", str(tmp_path / "q"))):
        proc = qc(*args, "-p", str(p), "--json")
        assert proc.returncode == 0, proc.stderr
        assert "wait for review" in proc.stderr and "qualcode reanchor list" in proc.stderr
        json.loads(proc.stdout)  # stdout stays clean JSON


def test_promoting_a_theme_makes_a_finding_that_passes_the_audit(example_project_dir: Path) -> None:
    p = str(example_project_dir)
    out = qc("themes", "-p", p, "--criterion", "effectiveness", "--promote", "2", "--id", "F-EFF-T2", "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["finding"] == "F-EFF-T2" and r["audit_ok"] and r["supporting"] >= 1
    shown = json.loads(qc("findings", "show", "-p", p, "F-EFF-T2", "--json").stdout)
    assert len({e["ref"] for e in shown["evidence"]}) == r["supporting"] + r["contradicting"] == r["passages"]
    assert qc("audit", "-p", p, "--finding", "F-EFF-T2").returncode == 0
    assert "--id" in assert_one_line_error(qc("themes", "-p", p, "--criterion", "effectiveness", "--promote", "1"))
