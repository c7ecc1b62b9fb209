"""The layout at the smallest terminal evaluators use (80x24) and at a wide one (200x50), checked on what the
screen shows with long code names and long reasons (the snapshots use short ones): at 80x24 the unit, at least
three suggestions and every key of the key bar; at 200x50 the suggestions' names and reasons in full; and every
character of a transcript whose lines reach the view's last column, with its scroll bar or without."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from workbench_support import eventually, parsed, screen_lines, transcript_screen, use_fixed_suggestions

from qualcode.store import Project
from qualcode.tui import QualcodeApp
from qualcode.tui.dialogs import SearchScreen
from qualcode.tui.widgets.panels import KeyBar, _fit_names
from qualcode.tui.widgets.unit_view import GUTTER

LONG = [  # the codebook's longest names, each with a reason of several lines
    ("validity_of_design.logic", "Logic and coherence of objectives, outcomes and theory of change"),
    ("efficiency.coordination", "Coordination, management and communication of the partnership"),
    ("coherence.context", "New actors, policies or local initiatives that helped or hindered"),
    ("relevance.needs_fit", "Fit with the needs of enterprises, workers and the sector"),
    ("gender_equality.inclusion", "Benefits for women, migrants and people with disabilities"),
]
WHY = ("keywords: funding, continue, donors; like KII-09:79, coded by clara: \u201cThe chamber asked two donors to "
       "fund the meetings for another two years\u201d; shares with the definition: funding, continue; learned from "
       "28 coded units")


@pytest.fixture
def long_suggestions(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixed_suggestions(monkeypatch, [{"code": code, "score": 0.9 - n / 10, "why": WHY, "model_version": "fixed"}
                                        for n, (code, _) in enumerate(LONG)])


def numbered(lines: list[str]) -> list[int]:
    """The suggestion numbers whose line (number, colour square, name) is on screen."""
    return sorted({int(m.group(1)) for line in lines for m in re.finditer(r"(?:^|[\s\u258f])(\d) \u25a0", line)})


def keys_shown(app: QualcodeApp, lines: list[str]) -> list[str]:
    """The keys of the screen's key bar that are not on the screen's last lines."""
    bar = app.screen.query_one(KeyBar)
    bottom = "\n".join(lines[-2:])
    return [key for key, *_ in bar.keys if f"{key} " not in bottom]


@pytest.mark.parametrize("queue_mode", [False, True], ids=["transcript view", "queue"])
async def test_at_80x24_the_unit_three_suggestions_and_every_key_are_on_screen(
        make: Callable[..., QualcodeApp], store: Project, long_suggestions: None, queue_mode: bool) -> None:
    app = make(transcript="KII-01", suggestions=True, queue_mode=queue_mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.settled(timeout=60)
        await pilot.pause()
        lines = screen_lines(app)
        unit = app.screen.current_unit()  # type: ignore[attr-defined]
        assert unit is not None
        first_words = " ".join(unit["text"].split()[:3])
        assert any(first_words in line for line in lines), "\n".join(lines)
        assert numbered(lines)[:3] == [1, 2, 3], "\n".join(lines)
        assert keys_shown(app, lines) == [], "\n".join(lines)


@pytest.mark.parametrize("queue_mode", [False, True], ids=["transcript view", "queue"])
async def test_at_200x50_the_suggestions_names_and_reasons_are_in_full(
        make: Callable[..., QualcodeApp], store: Project, long_suggestions: None, queue_mode: bool) -> None:
    app = make(transcript="KII-01", suggestions=True, queue_mode=queue_mode)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.settled(timeout=60)
        await pilot.pause()
        lines = screen_lines(app)
        # the side panel's column (right of its border) when there is one, so that wrapped lines join up
        text = " ".join(" ".join(line.rsplit("\u258f", 1)[-1] for line in lines).split())
        for _, name in LONG[:3]:
            assert name in text, "\n".join(lines)
        assert WHY in text, "\n".join(lines)  # the reason of suggestion 1 (and Enter) unwrapped, word for word
        assert keys_shown(app, lines) == []


def test_a_long_name_with_an_apostrophe_loses_its_middle_and_keeps_where_it_was() -> None:
    # "Workers' organisation" holds an apostrophe: read as the end of the quoted name, the wrong words were elided
    name = "Support to workers' organisations in collective bargaining"
    message = f"undo: removed '{name}' from KII-01:12"
    fitted = _fit_names(message, 60)
    assert fitted.startswith("undo: removed 'Support to")
    assert fitted.endswith("bargaining' from KII-01:12")
    assert "…" in fitted and len(fitted) <= 60
    # a short name next to a long one is left whole, whatever apostrophes the long one holds
    role = "undo: 'P1' of KII-01 is now informant"
    assert _fit_names(role, 30) == role

    # a message of another shape: the name before a comma or another word loses its middle too
    long = "Synergies and overlaps between the programme's own projects and partners"
    for said in (f"2 coders applied '{long}' there", f"coded '{long}', KII-01:3"):
        fitted = _fit_names(said, 60)
        assert len(fitted) <= 60 and "…" in fitted and fitted.startswith(said.split("'")[0] + "'Synergies")


def read_out_addresses(units: int) -> list[tuple[str, list[str]]]:
    """An informant reading out web addresses: each unit holds a long one, which the view breaks at exactly its width
    (a word longer than a line fills the line to its last column), whatever that width is."""
    chars = string.ascii_lowercase + string.digits
    return [("Informant", [f"The report for district {n} is at https://example.org/{n:02d}/"
                           + "".join(chars[(n * 7 + k) % len(chars)] for k in range(260)) + " as I said."
                           for n in range(1, units + 1)])]


async def transcript_as_shown(app: QualcodeApp, pilot: Pilot[None]) -> str:
    """Every line of the transcript view as the screen shows it, scrolled through a page at a time, without the
    units' gutter (their numbers) and the scroll bar."""
    view = transcript_screen(app).view
    shown: dict[int, str] = {}
    while True:
        top = int(view.scroll_offset.y)
        lines = screen_lines(app)
        text = view.scrollable_content_region
        for row in range(text.height):
            shown[top + row] = lines[text.y + row][text.x + GUTTER: text.right]
        if top + text.height >= view.virtual_size.height:
            return "\n".join(shown[y] for y in sorted(shown))
        view.scroll_to(y=top + text.height, animate=False, immediate=True)
        await pilot.pause()


async def assert_every_character_shown(app: QualcodeApp, pilot: Pilot[None]) -> None:
    screen = transcript_screen(app)
    shown = "".join((await transcript_as_shown(app, pilot)).split())
    cut = [u["ref"] for u in screen.units if "".join(u["text"].split()) not in shown]
    assert cut == [], f"units cut at the edge: {cut}"


@pytest.mark.parametrize("opened", ["directly", "from a transcript without a scroll bar"])
@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_a_transcript_whose_lines_reach_the_edge_shows_every_character_beside_its_scroll_bar(
        make: Callable[..., QualcodeApp], store: Project, size: tuple[int, int], opened: str) -> None:
    # the units were wrapped at the view's width before its scroll bar took a column of it: the last character of
    # every full line was under the scroll bar
    store.add_transcript(parsed(read_out_addresses(30)), "KII-02", title="Addresses", coder="clara")
    if opened == "directly":
        app = make(transcript="KII-02")
    else:
        store.add_transcript(parsed([("Informant", ["Short.", "Answers."])]), "KII-03", title="Short", coder="clara")
        app = make(transcript="KII-03")
    async with app.run_test(size=size) as pilot:
        await app.settled()
        if opened != "directly":
            assert not transcript_screen(app).view.show_vertical_scrollbar
            await pilot.press("slash", *"district 1 is", "enter")
            await eventually(pilot, lambda: isinstance(app.screen, SearchScreen) and bool(app.screen.hits))
            await pilot.press("enter")
            await app.settled()
            await pilot.pause()
        screen = transcript_screen(app)
        assert screen.transcript == "KII-02" and screen.view.show_vertical_scrollbar
        await assert_every_character_shown(app, pilot)


@pytest.mark.parametrize("change", ["another coder's codings", "the terminal shrinking"])
async def test_the_scroll_bar_coming_after_the_transcript_fitted_leaves_every_character_on_screen(
        make: Callable[..., QualcodeApp], store: Project, change: str) -> None:
    store.add_transcript(parsed(read_out_addresses(8)), "KII-02", title="Addresses", coder="clara")
    app = make(transcript="KII-02")
    async with app.run_test(size=(200, 50)) as pilot:
        await app.settled()
        view = transcript_screen(app).view
        assert not view.show_vertical_scrollbar  # it fits
        if change == "another coder's codings":
            codes = [c.id for c in store.codebook().walk()]
            for n in (1, 2):
                for code in codes:
                    store.add_coding(f"KII-02:{n}", code, coder="long")
            app.check_store()  # what the store watcher does every second
        else:
            await pilot.resize_terminal(200, 24)
        await app.settled()
        await pilot.pause()
        assert view.show_vertical_scrollbar
        await assert_every_character_shown(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_in_the_list_of_keys_a_description_that_wraps_stays_beside_its_key(
        make: Callable[..., QualcodeApp], size: tuple[int, int]) -> None:
    # at 80 columns 'accept the Nth suggestion for the' went on at the box's left edge, under the keys: 'current unit'
    # read as a key of its own
    from qualcode.tui import keymap
    from qualcode.tui.dialogs import HelpScreen

    groups = keymap.help_groups("transcript")
    keys = {key for _, rows in groups for key, _ in rows}
    titles = {title for title, _ in groups}
    app = make(transcript="KII-01")
    async with app.run_test(size=size) as pilot:
        await app.settled()
        await pilot.press("question_mark")
        await app.settled()
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-keys").content_region
        described, continued = set(), 0
        for line in screen_lines(app)[box.y:min(box.bottom, app.screen.query_one("#help").content_region.bottom)]:
            inner = line[box.x:box.right].rstrip(" ▁▂▃▄▅▆▇█▊▎▌▐")
            text = inner.strip()
            if not text or text in titles:
                continue
            key = next((k for k in keys if inner.startswith(k + "  ")), None)
            if key is not None:
                described.add(len(inner) - len(inner[len(key):].lstrip()))
            else:
                continued += 1
                assert len(inner) - len(inner.lstrip()) in described, inner
        assert len(described) == 1  # one column of descriptions
        if size == (80, 24):
            assert continued  # some descriptions do wrap there
        # the list scrolls to its last key, and the box's last line says how to close it (at 80x24 the list was
        # taller than the box: the keys of every screen, q among them, and that line were cut off)
        await pilot.press("end")
        await app.settled()
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "quit (everything is already saved)" in shown and "Esc or ? closes" in shown


async def test_at_80_columns_the_pickers_long_names_lose_their_middle_and_keep_their_count_beside_them(
        make: Callable[..., QualcodeApp], store: Project) -> None:
    # 'Coordination, management and communication of the partnership' wrapped, its count '3' alone on the next row
    from textual.widgets import OptionList, Static

    long_code = "efficiency.coordination"
    name = store.codebook()[long_code].name
    for ref in ("KII-01:3", "KII-01:5", "FGD-01:2"):
        store.add_coding(ref, long_code, coder="ana")
    app = make(transcript="KII-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.settled()
        for typed in ((), tuple("coordination")):  # the whole codebook, then the codes matching
            await pilot.press("c", *typed)
            await pilot.pause()
            options = app.screen.query_one("#picker-list", OptionList)
            options.highlighted = next(i for i in range(options.option_count)
                                       if options.get_option_at_index(i).id == long_code)
            await pilot.pause()
            region = options.content_region
            rows = [line[region.x:region.right].strip() for line in screen_lines(app)[region.y:region.bottom]]
            row = next((r for r in rows if r.lstrip("■ ").startswith(name[:10])), None)
            assert row is not None, rows
            assert "…" in row and row.endswith(" 3"), row  # elided, its count on its own row
            assert row[:-2].rstrip().endswith(name.split()[-1]), row  # the end of the name kept
            assert all(r.startswith("■") for r in rows if r), rows  # every row a code of its own: none wrapped
            full = app.screen.query_one("#picker-full", Static)
            assert full.display and name in " ".join(str(full.render()).split()), str(full.render())
            await pilot.press("escape")
            await pilot.pause()
        # wider, the rows are made again for the list's new width: the name whole, the same code highlighted
        await pilot.press("c", *"coordination")
        await pilot.pause()
        options = app.screen.query_one("#picker-list", OptionList)
        options.highlighted = next(i for i in range(options.option_count)
                                   if options.get_option_at_index(i).id == long_code)
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert options.highlighted is not None
        highlighted = options.get_option_at_index(options.highlighted)
        assert highlighted.id == long_code and name in str(highlighted.prompt)
        assert not app.screen.query_one("#picker-full", Static).display


async def test_at_80_columns_a_long_message_is_fitted_with_a_mark_where_it_is_cut(
        make: Callable[..., QualcodeApp]) -> None:
    # 'coded KII-12:8: Participation of' ended at the terminal's edge: cut mid-name, nothing said it went on
    app = make(transcript="KII-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.settled()
        ref = transcript_screen(app).view.current["ref"]  # type: ignore[index]
        await pilot.press("c", *"coordination", "enter")
        await app.settled()
        status = app.screen.query_one("#status")
        line = screen_lines(app)[status.region.y].rstrip()
        assert f"coded {ref}: Coordination" in line, line
        assert line.endswith("…"), line  # the end of the name left out, and marked
        assert "saved ✓" in line


async def test_at_80x24_the_speakers_dialog_shows_every_column(make: Callable[..., QualcodeApp]) -> None:
    # its last column, who decided each speaker's role, was cut at 'case sheet spea' and reachable only by scrolling
    from textual.widgets import DataTable

    from qualcode.tui.dialogs import SpeakerRoles

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.settled()
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, SpeakerRoles)
        table = app.screen.query_one("#speaker-table", DataTable)
        region = table.content_region
        lines = [line[region.x:region.right] for line in screen_lines(app)[region.y:region.bottom]]
        assert "decided by" in lines[0], lines
        assert table.virtual_size.width <= region.width  # nothing to scroll to sideways
        decided = [line.split()[-1] for line in lines[1:] if line.strip()]
        assert decided and all(d.endswith("…") or d in ("label", "column", "hand") for d in decided), lines
        assert any("case sheet" in line for line in lines), lines  # cut with a mark, its start kept
