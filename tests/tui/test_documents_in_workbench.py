"""A desk-review document in the workbench: listed as DOC in the project view, opened with its pages and sections,
coded with the same keys, undone with u, and the coding is in the store at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pdf_support import report_pdf
from textual.widgets import DataTable

from qualcode.project_io import import_files
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import CodePicker
from qualcode.tui.screens import ProjectScreen, TranscriptScreen

SIZE = (100, 30)


def _add_document(small_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "Final progress report 2024.pdf"
    pdf.write_bytes(report_pdf("Final progress report 2024", [
        ("1. Results", ["The chamber hosted seven quarterly consultation meetings with the unions and employers.",
                        "Funding for the meetings ends with the project in December, and no budget line replaces it."]),
        ("2. Sustainability", ["The chamber has asked two donors to fund the meetings for another two years."]),
    ], footer="Final progress report 2024", first_page_number=12))
    sheet = tmp_path / "documents.csv"
    sheet.write_text("file,document_id,type\nFinal progress report 2024.pdf,PR-2024,progress report\n")
    with Project.open(small_dir) as project:
        import_files(project, [], documents=[pdf], document_sheet=sheet, coder="clara")


async def test_a_document_is_listed_as_doc_and_coded_like_a_transcript(
        make: Callable[..., QualcodeApp], small_dir: Path, tmp_path: Path, store: Project) -> None:
    _add_document(small_dir, tmp_path)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()  # the transcripts' progress is read in the background
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        table = screen.query_one("#transcripts", DataTable)
        rows = {str(table.get_row_at(n)[0]): table.get_row_at(n) for n in range(table.row_count)}
        assert rows["PR-2024"][1] == "DOC" and rows["PR-2024"][3] == "progress report"
        assert rows["KII-01"][1] != "DOC"
        # the status bar counts interviews and documents apart, and what the filter leaves of each
        assert "2 of 2 transcripts · 1 of 1 document " in str(screen.query_one("#status").render())
        await pilot.press("slash", *"KII")
        await app.settled()
        assert "1 of 2 transcripts · 0 of 1 document " in str(screen.query_one("#status").render())
        await pilot.press("escape")
        await app.settled()
        table.focus()
        table.move_cursor(row=[str(table.get_row_at(n)[0]) for n in range(table.row_count)].index("PR-2024"))
        await pilot.press("enter")
        await app.settled()
        view_screen = app.screen
        assert isinstance(view_screen, TranscriptScreen)
        unit = view_screen.view.current
        assert unit is not None
        assert unit["ref"] == "PR-2024:1" and unit["page_label"] == "12" and unit["heading"] == "1. Results"
        # the header line of the section names the page and the heading, not a speaker
        assert view_screen.view._lines[0][0] == ("speaker", "p. 12 · 1. Results", None)
        await pilot.press("j", "c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"sustainability", "enter")
        await app.settled()
        coded = [(c["ref"], c["code"], c["coder"]) for c in store.codings(transcript="PR-2024")]
        assert coded == [("PR-2024:2", "sustainability", "clara")]
        await pilot.press("u")
        await app.settled()
        assert store.codings(transcript="PR-2024") == []
