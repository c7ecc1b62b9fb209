"""The suggestions panel shows each suggestion's reason in full, wrapped to the panel, strongest evidence first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import OptionList
from workbench_support import use_fixed_suggestions

from qualcode.tui import QualcodeApp
from qualcode.tui.screens import TranscriptScreen

WHY = ("like KII-03:12, coded by ana: \u201cWe attended the grievance handling course in Bac Ninh and applied it "
       "the week after\u201d; codebook example: \u201cWithout money from the donor the chamber cannot hold the "
       "meetings\u201d; phrase \u201cline leaders\u201d; learned from 32 coded units")


@pytest.fixture
def long_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixed_suggestions(monkeypatch, [{"code": "sustainability.funding", "score": 0.71, "why": WHY,
                                         "model_version": "v"}])


async def test_the_reason_is_shown_in_full_wrapped_to_the_panel(make: Callable[..., QualcodeApp],
                                                                long_reasons: None) -> None:
    app = make(transcript="KII-01", suggestions=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.settled(timeout=60)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.view.current is not None and screen.view.current["ref"] == "KII-01:3"  # first informant unit
        assert not app.suggestion_note, app.suggestion_note  # the suggester ran to the end, nothing failed
        options = screen.query_one("#suggestion-list", OptionList)
        shown = str(options.get_option_at_index(0).prompt)
        lines = shown.splitlines()
        assert len(lines) >= 4  # the code's name, then the reason over several lines
        width = options.size.width
        assert all(len(line) <= width for line in lines[1:])  # wrapped, not cut
        assert " ".join(part.strip() for part in lines[1:]) == WHY  # every word of it, in order
        assert "\u2026" not in shown
