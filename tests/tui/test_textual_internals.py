"""The workbench reaches into a few of Textual's private methods and attributes to draw a key in one frame (the
dialog's dimmed picture of the screen below, the steady scroll bars, the kept drawings of the picker's rows). A
Textual release that renames or drops one must fail here, naming it, rather than draw wrongly or a frame late."""

from __future__ import annotations

import inspect

import pytest
from textual._compositor import Compositor
from textual.app import App
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Input, OptionList

METHODS = [
    (Compositor, "_render_chops", ["crop", "is_rendered_line"]),  # the changed lines of the screen below
    (Widget, "_set_dirty", []),  # the dialog's lines to draw again
    (ScrollView, "_scroll_update", ["virtual_size"]),  # scroll bars drawn again only when they change
    (Widget, "_size_updated", ["size", "virtual_size", "container_size", "layout"]),
    (OptionList, "_update_lines", []),  # what the option list keeps of its options' drawings
    (OptionList, "_clear_caches", []),
]


@pytest.mark.parametrize(("owner", "name", "parameters"), METHODS, ids=[f"{o.__name__}.{n}" for o, n, _ in METHODS])
def test_the_private_methods_the_workbench_uses_are_there(owner: type, name: str, parameters: list[str]) -> None:
    method = getattr(owner, name, None)
    assert callable(method), f"Textual's {owner.__name__}.{name} is gone"
    assert list(inspect.signature(method).parameters)[1:len(parameters) + 1] == parameters


async def test_the_private_attributes_the_workbench_reads_are_there() -> None:
    class Probe(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Input()

    app = Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app._css_update_count, int)  # the theme changed: the dimmed colours are taken again
        assert isinstance(app.screen._compositor, Compositor)
        assert hasattr(app.screen, "_layout_cache")
        assert isinstance(app.query_one(Input)._cursor_visible, bool)


def test_esc_and_a_digit_are_known_to_textual_as_the_option_character() -> None:
    """'Esc 1' read at once is taken back from the character Textual makes of it ('¡'): a Textual without that table
    would leave the workbench with nothing to take back, and 'Esc 1' dropped again."""
    from qualcode.tui.typeahead import OPTION_CHARACTERS

    assert OPTION_CHARACTERS["¡"] == "1" and OPTION_CHARACTERS["–"] == "-"
