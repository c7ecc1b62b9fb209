"""'qualcode codings import' with another tool's table of coded segments, as the terminal shows it: the tool and the
columns read, the coders, what was left out and why; --json gives the same report; a page of tables none of which
is a coded-segments table is refused in one line. The table is laid out as MAXQDA's manual describes its
"Export coded segments" CSV (no public MAXQDA file was found: see tests/fixtures/coded-segments/SOURCE.txt)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_support import run_cli as _run

HEADER = ["Color", "Document group", "Document name", "Code", "Beginning", "End", "Weight score", "Segment", "Comment",
          "Created by", "Created", "Modified by", "Modified", "Area", "Coverage %"]
LOGBOOK = ("P1 (HR officer, F): Now we have a logbook and a rule that every complaint gets an answer within seven"
           " working days.")



def _table(folder: Path, encoding: str = "utf-8-sig", comment: str = "") -> Path:
    # MAXQDA's CSV as German Excel saves it: semicolons, the code path with a backslash
    table = folder / "Codierte Segmente.csv"
    with table.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADER)
        writer.writerow(["", "FGD", "FGD-01_hr-managers-bacninh", "Effectiveness\\Outputs leading to outcomes", "30",
                         "27", "0", LOGBOOK, comment, "Mai", "3/4/2024 2:05 PM", "Mai", "", "0", "1.2"])
        writer.writerow(["", "FGD", "FGD-01_hr-managers-bacninh", "Good practices", "27", "27", "0", LOGBOOK, "", "",
                         "", "", "", "0", "1.2"])
    return table


def test_the_terminal_says_which_tool_and_columns_were_read_and_who_coded(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    table = _table(example_project_dir)
    code, out, err = _run(capsys, "codings", "import", "-p", str(example_project_dir), str(table), "--coder", "ana",
                          "--transcript", "KII-01")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        f"{table}: 2 codings added, 0 already there",
        "warning: read as MAXQDA's coded segments export (columns Document name as document, Code as code, Segment as"
        " text, Comment as memo, Created by as coder, Created as date): 2 segment(s) placed",
        "warning: coders from Created by: Mai (1)",
        "warning: --transcript KII-01 not used: the table names each segment's document",
        "warning: 1 segment(s) without an author in Created by: those codings are ana's",
        "warning: dates such as 03/04/2021 in Created read as month/day/year (no date in the table settles it)",
    ]
    code, out, _ = _run(capsys, "codings", "list", "-p", str(example_project_dir), "--json")
    mine = [c for c in json.loads(out) if c["coder"] in ("Mai", "ana")]
    # both on the one unit the segment is, the answer without its speaker's label
    assert {c["ref"] for c in mine} == {"FGD-01:30"}
    assert {(c["code"], c["coder"]) for c in mine} == {("effectiveness.outcomes", "Mai"), ("good_practice", "ana")}
    assert next(c["created"] for c in mine if c["coder"] == "Mai") == "2024-03-04T14:05:00"


def test_a_table_saved_in_windows_own_encoding_is_read_and_a_quote_table_so_saved_refused(
    example_project_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    table = _table(example_project_dir, encoding="cp1252", comment="Réponse claire")  # not UTF-8: é is one byte
    with pytest.raises(UnicodeDecodeError):
        table.read_bytes().decode("utf-8")
    code, out, err = _run(capsys, "codings", "import", "-p", str(example_project_dir), str(table), "--coder", "ana")
    assert code == 0 and err == "" and out.splitlines()[0] == f"{table}: 2 codings added, 0 already there"
    code, out, _ = _run(capsys, "codings", "list", "-p", str(example_project_dir), "--json")
    assert any(c["coder"] == "Mai" and c.get("memo") == "Réponse claire" for c in json.loads(out)), out
    quotes = example_project_dir / "quotes.csv"
    quotes.write_bytes("quote,code\nLe café est bon.,relevance\n".encode("cp1252"))
    code, out, err = _run(capsys, "codings", "import", "-p", str(example_project_dir), str(quotes), "--coder", "ana")
    assert code == 2 and err.strip().startswith("qualcode: error:") and "is not UTF-8 text" in err


def test_json_gives_the_same_report(example_project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = _table(example_project_dir)
    code, out, _ = _run(capsys, "codings", "import", "-p", str(example_project_dir), str(table), "--coder", "ana",
                        "--json")
    report = json.loads(out)
    assert code == 0 and report["added"] == 2 and report["warnings"][0].startswith(
        "read as MAXQDA's coded segments export")


def test_a_page_of_other_tables_is_refused_in_one_line(example_project_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    page = example_project_dir / "budget.html"
    page.write_text("<html><body><table><tr><th>Item</th><th>Amount</th></tr><tr><td>Travel</td><td>12</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    code, out, err = _run(capsys, "codings", "import", "-p", str(example_project_dir), str(page), "--coder", "ana")
    assert code == 2 and out == "" and "is not a table of codings qualcode knows" in err
    assert len(err.strip().splitlines()) == 1
