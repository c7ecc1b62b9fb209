"""A real ATLAS.ti Quotation Manager export (tests/fixtures/coded-segments, entry 1 of SOURCE.txt: a literature
review's 4,169 quotations of 110 papers) read by 'qualcode codings import'. The papers themselves are not public
data, so the one document here is built from its own quotations (each once, in the order ATLAS.ti numbered them,
a blank line apart), as a user would have imported the paper; the codebook holds six of the review's codes as a
team would have named them. What is checked is what the user sees: the layout recognised and the columns read,
each quotation's codes on its units with its author and date, and what could not be imported, named."""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook import parse_codebook
from qualcode.importing import import_files
from qualcode.project_io import import_codings_table
from qualcode.store import Project

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "coded-segments" / "atlas-ti-quotation-report-foodsecgov.xlsx"
CODES = [("software.anylogic", "AnyLogic"), ("model.abm", "ABM"),
         ("measure.campaign", "Campaign promoting walking to supermarket"),
         ("measure.transport", "Improved public transport"), ("commodity.vegetables", "vegetables"),
         ("agent.consumer", "consumer")]


def _project(folder: Path) -> Project:
    import openpyxl

    text = "name: Food security governance\ncodes:\n" + "".join(
        f"  - id: {i}\n    name: {n}\n    definition: Passages about {n}.\n" for i, n in CODES)
    codebook, problems = parse_codebook(text, "codebook.yaml")
    assert codebook is not None and not problems
    project = Project.create(folder / "p", codebook=codebook, name="Review")
    wb = openpyxl.load_workbook(REAL, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    quotes = dict.fromkeys(str(r[4]) for r in rows[1:] if r[2] == "Abel 2020" and r[4])
    paper = folder / "Abel 2020.txt"
    paper.write_text("\n\n".join(quotes), encoding="utf-8")
    import_files(project, [paper], coder="ana")
    return project


def test_a_real_atlas_ti_quotation_report_codes_the_quotations_of_the_paper_imported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    try:
        report = import_codings_table(project, REAL, default_coder="ana")
        warnings = report["warnings"]
        assert warnings[0] == (
            "read as ATLAS.ti's quotation export (columns Document as document, Codes as code, Quotation Content as"
            " text, Comment as memo, Created by as coder, Created as date): 12 segment(s) placed")
        # both spellings of the one person are coders, as the file has them
        assert warnings[1] == "coders from Created by: Aleid Teeuwen (11), TeeuwenAS (1)"
        # the other 109 papers are not in this project: named, with how many quotations each
        assert warnings[2].startswith("4122 segment(s) of documents with no transcript here, not imported:"
                                      " 'Schreinemachers 2007' (322); 'Wang 2013' (184);")
        # "group - subgroup: name" codes not in the codebook, from every row (those of the papers not here too, so
        # that one reading lists them all): the one near a code here first, then the most used
        assert warnings[3].startswith("codes not in the codebook, nothing written for them: 'food system - commodity:"
                                      " vegetable' (19; did you mean 'vegetables'?); 'per effect - direct?: no' (961);")
        assert "1 segment(s) not placed: 'Abel 2020': 1 (no text (a picture or media segment))" in warnings
        # "group - subgroup: name" codes whose group is no code here are read by their name alone, and said: a
        # target implementer "consumer" is taken for the agent "consumer"
        loose = next(w for w in warnings if w.startswith("code paths read by their last part only: "))
        assert ("'per measure - target implementer: consumer' as agent.consumer (consumer), per measure - target"
                " implementer being no code here") in loose
        # "AnyLogic" is written in three places of the paper: which one each of its three quotations marks, the
        # table does not say
        assert ("6 segment(s) found in more than one place, not coded (code the right one by hand): row 2 ('Abel"
                " 2020'): its text is in 3 places") in " ".join(warnings)
        by_code: dict[str, set[tuple[str, str, str]]] = {}
        for c in project.codings():
            by_code.setdefault(c["code"], set()).add((project.segment(c["segment"])["text"][:40], c["coder"],
                                                      c["created"]))
        assert "software.anylogic" not in by_code
        # quotation 32:34 has both measures among its four codes: its units have both, by its author, at its time
        multipliers = ("Measuring potential multipliers: The fna", "Aleid Teeuwen", "2021-01-15T17:41:13")
        assert multipliers in by_code["measure.campaign"] and multipliers in by_code["measure.transport"]
        # the other spelling of the same person is another coder, as the file says
        assert {coder for codings in by_code.values() for _, coder, _ in codings} == {"Aleid Teeuwen", "TeeuwenAS"}
        again = import_codings_table(project, REAL, default_coder="ana")
        assert again["added"] == 0 and again["skipped"] == report["added"] + report["skipped"]
    finally:
        project.close()
