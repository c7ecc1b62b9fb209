"""The workbench's keys are declared once (qualcode.tui.keymap): every screen and dialog takes its BINDINGS from
there, every bound action exists, and the key bar, the ? list and the palette only name keys that are bound."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

from qualcode.tui import keymap
from qualcode.tui.adjudication_screen import AdjudicationScreen
from qualcode.tui.app import QualcodeApp
from qualcode.tui.dialogs import CodePicker, HelpScreen, MemoEditor, SearchScreen, SpeakerRoles
from qualcode.tui.queue_screen import QueueScreen
from qualcode.tui.screens import ProjectScreen, TranscriptScreen

OWNERS: dict[str, list[type[DOMNode]]] = {
    "transcript": [TranscriptScreen],
    "project": [ProjectScreen],
    "queue": [QueueScreen],
    "adjudication": [AdjudicationScreen],
    "everywhere": [QualcodeApp],
    "picker": [CodePicker, SearchScreen],
    "memo": [MemoEditor],
    "speakers": [SpeakerRoles],
    "help": [HelpScreen],
}


def test_every_group_has_its_screens() -> None:
    assert set(OWNERS) == set(keymap.KEYMAP)


@pytest.mark.parametrize("group", sorted(keymap.KEYMAP))
def test_each_screen_binds_exactly_its_group(group: str) -> None:
    expected = [(b.key, b.action) for b in keymap.bindings(group) if isinstance(b, Binding)]
    for owner in OWNERS[group]:
        bound = [(b.key, b.action) for b in owner.BINDINGS if isinstance(b, Binding)]
        assert bound == expected, owner.__name__
        assert len(owner.BINDINGS) == len(expected), f"{owner.__name__} binds keys the keymap does not declare"


@pytest.mark.parametrize("group", sorted(keymap.KEYMAP))
def test_every_bound_action_exists(group: str) -> None:
    for owner in OWNERS[group]:
        for key in keymap.KEYMAP[group].keys:
            if not key.bind:
                continue
            name = key.action.split("(")[0]
            assert hasattr(owner, f"action_{name}"), f"{owner.__name__} has no action_{name} for {key.keys!r}"


@pytest.mark.parametrize("group", sorted(keymap.KEYMAP))
def test_no_key_is_bound_twice_in_a_group(group: str) -> None:
    names = [name for key in keymap.KEYMAP[group].keys if key.bind for name in key.keys.split(",")]
    assert len(names) == len(set(names)), names


def test_the_key_bar_names_bound_keys_with_their_text() -> None:
    for group, spec in keymap.KEYMAP.items():
        for shown, action, label, narrow in keymap.key_bar(group):
            assert shown and label and narrow, (group, action)
            assert len(narrow) <= len(label), (group, action)
        assert len(keymap.key_bar(group)) == len(spec.bar)


def test_the_help_list_and_the_palette_describe_every_screen() -> None:
    titles = [title for title, _ in keymap.help_groups("queue")]
    assert titles[0] == "Queue mode" and "Everywhere" in titles
    for group in keymap.HELP_ORDER:
        assert keymap.help_rows(group), group
    palette = [c.title for c in keymap.palette("transcript", lambda action: None)]
    assert "Apply a code" in palette and "Undo" in palette


def test_dialogs_say_their_keys_on_their_last_line() -> None:
    assert keymap.dialog_help("picker") == "↑/↓ choose · Enter apply · Esc cancel"
    assert keymap.dialog_help("memo") == "Ctrl+S save (empty text deletes) · Esc cancel"
