"""Data is never read as markup: case attributes, coder names, transcript ids and titles, code names and memos with
square brackets (as Rich and Textual write markup) are shown as written, and the workbench opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable
from workbench_support import parsed

from qualcode.cases import CaseRow
from qualcode.project_io import apply_case_sheet
from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import CodePicker, MemoEditor, SpeakerRoles
from qualcode.tui.screens import ProjectScreen, TranscriptScreen

SIZE = (120, 30)
HOSTILE = "Hai Phong [/]"


def _poison(path: Path) -> None:
    with Project.open(path) as project:
        rows = [CaseRow(line=2, transcript_id="KII-01", file=None, speaker=None, case_id="KII-01", name="A",
                        attributes={"type": "KII [b]", "stakeholder_group": "[red]Factories", "location": HOSTILE})]
        apply_case_sheet(project, rows, coder="clara")
        seg = project.segments("KII-01", include_interviewer=False)[0]
        project.add_coding(seg["id"], "relevance", coder="[/]x")  # a user name that came with a .qdpx
        project.set_memo("segment", str(seg["id"]), "see [link=http://x]here[/link] [/]", coder="[/]x")
        # a case sheet's transcript_id is taken as written
        second = [("Interviewer", ["How did the [b]new[/] toolkit work for you?"]),
                  ("[i]Informant", ["It worked well for the line leaders [/] in our factory this year."])]
        project.add_transcript(parsed(second), "KII-02 [/]", title="[red]Second[/] interview", coder="clara")


async def test_the_project_screen_shows_bracketed_data_as_written(make: Callable[..., QualcodeApp],
                                                                  small_dir: Path) -> None:
    _poison(small_dir)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        assert isinstance(app.screen, ProjectScreen)
        table = app.screen.query_one("#transcripts", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        assert HOSTILE in cells and "[/]x" in ", ".join(cells) and "KII-02 [/]" in cells
        table.move_cursor(row=[str(table.get_row_at(n)[0]) for n in range(table.row_count)].index("KII-02 [/]"))
        await pilot.press("R")
        await app.settled()
        assert isinstance(app.screen, SpeakerRoles)
        await pilot.press("escape")
        await app.settled()
        await pilot.press("enter")
        await app.settled()
        assert isinstance(app.screen, TranscriptScreen)


async def test_the_transcript_its_dialogs_and_the_queue_open_with_bracketed_data(
        make: Callable[..., QualcodeApp], small_dir: Path) -> None:
    _poison(small_dir)
    app = make(transcript="KII-01", coder="[/]x")
    async with app.run_test(size=SIZE) as pilot:
        await app.settled()
        assert isinstance(app.screen, TranscriptScreen)
        assert "[/]x" in str(app.screen.query_one("#status").render())
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press("escape", "m")
        await app.settled()
        assert isinstance(app.screen, MemoEditor)
        await pilot.press("escape", "w")
        await app.settled()


async def test_removing_a_cited_coding_warns_with_bracketed_ids_as_written(make: Callable[..., QualcodeApp],
                                                                         small_dir: Path) -> None:
    # the warning names the unit by its transcript id, which a case sheet or a .qdpx gives as written
    from qualcode.synthesis.findings import add_finding, link_evidence

    with Project.open(small_dir) as project:
        second = [("Interviewer", ["How did the new toolkit work for you?"]),
                  ("Informant", ["It worked well for the line leaders in our factory this year."])]
        project.add_transcript(parsed(second), "KII-02 [/]", coder="clara")
        ref = project.segments("KII-02 [/]", include_interviewer=False)[0]["ref"]
        project.add_coding(ref, "relevance", coder="clara")
        add_finding(project, "relevance", "The toolkit fitted the factories' needs.", coder="clara")
        link_evidence(project, "F1", coder="clara", segment=ref)
    app = make(transcript="KII-02 [/]")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.settled()
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        for _ in range(3):
            if screen.view.current is not None and screen.view.current["ref"] == ref:
                break
            await pilot.press("j")
        assert screen.view.current is not None and screen.view.current["ref"] == ref
        await pilot.press("d")
        await app.settled()
        await pilot.pause(0.3)
        messages = [str(n.message) for n in app._notifications]
        assert any(ref in m and "F1" in m and "audit will report it" in m for m in messages), messages
        assert isinstance(app.screen, TranscriptScreen)
