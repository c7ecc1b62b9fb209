"""The adjudication view: walk the disagreements, settle them with a key, and see it in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teams_support import build_project, unit
from textual.pilot import Pilot

import qualcode.tui.app as app_module
from qualcode.store import Project
from qualcode.teams.adjudicate import adjudications
from qualcode.tui.adjudication_screen import AdjudicationScreen, DisagreementSettled
from qualcode.tui.app import QualcodeApp

SIZE = (100, 30)


class Host(QualcodeApp):
    """The workbench, noting the decisions the adjudication view reports (``A`` opens it, as a user would)."""

    CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")  # relative paths are read beside the subclass

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project.path, coder=coder, poll_seconds=0, suggestions=False)
        self.decisions: list[tuple[int, str, str | None]] = []

    def on_disagreement_settled(self, message: DisagreementSettled) -> None:
        self.decisions.append((message.segment, message.code, message.decision))


def _project(tmp_path: Path) -> Project:
    p = build_project(tmp_path / "p")
    p.add_coding(unit(p, "KII-01", "Turnover"), "relevance.needs", coder="clara", memo="the need")
    p.add_coding(unit(p, "KII-01", "The grievance"), "relevance.needs", coder="clara")
    p.add_coding(unit(p, "KII-01", "The grievance"), "relevance.needs", coder="long")
    p.add_coding(unit(p, "KII-01", "Our line"), "relevance.needs", coder="long")
    return p


async def _settle(app: Host, pilot: Pilot[None]) -> None:
    await app.settled()  # the writer committed the decision and the screen showed it
    await pilot.pause()


async def test_apply_and_omit_settle_the_disagreements_in_order(tmp_path: Path) -> None:
    project = _project(tmp_path)
    app = Host(project, "minh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        assert screen.current is not None and screen.current["text"].startswith("Turnover")
        assert "2 open · 0 settled of 2" in str(screen.query_one("#adj-progress").render())
        assert "clara applied it" in str(screen.query_one("#adj-who").render())

        await pilot.press("m")
        await pilot.press(*"explicit need")
        await pilot.press("enter")
        await pilot.press("a")
        await _settle(app, pilot)
        assert screen.current is not None and screen.current["text"].startswith("Our line")
        await pilot.press("o")
        await _settle(app, pilot)

        assert screen.current is None
        assert "nothing left to settle" in str(screen.query_one("#adj-progress").render())
    got = {(a["ref"], a["decision"], a["coder"], a["note"]) for a in adjudications(project)}
    assert got == {("KII-01:2", "apply", "minh", "explicit need"), ("KII-01:4", "omit", "minh", None)}
    assert [c["ref"] for c in project.codings(coder="consensus")] == ["KII-01:2"]
    assert [s[2] for s in app.decisions] == ["apply", "omit"]
    project.close()


async def test_settled_ones_can_be_shown_and_reopened(tmp_path: Path) -> None:
    project = _project(tmp_path)
    app = Host(project, "minh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        await pilot.press("a")
        await _settle(app, pilot)
        assert "1 open · 1 settled of 2" in str(screen.query_one("#adj-progress").render())
        await pilot.press("t")  # show settled ones too
        await pilot.press("k")
        assert screen.current is not None and screen.current["decision"] == "apply"
        assert "Settled: apply by minh" in str(screen.query_one("#adj-who").render())
        await pilot.press("r")
        await _settle(app, pilot)
        assert screen.current is not None and screen.current["decision"] is None
        assert "2 open · 0 settled of 2" in str(screen.query_one("#adj-progress").render())
        assert adjudications(project) == []
    project.close()


async def test_a_decision_does_not_recompute_the_queue(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import qualcode.tui.adjudication_screen as screen_mod

    project = _project(tmp_path)
    calls: list[int] = []
    real = screen_mod.adj.adjudication_queue

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(screen_mod.adj, "adjudication_queue", counted)
    app = Host(project, "minh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        await pilot.press("o")
        await _settle(app, pilot)
        await pilot.press("a")
        await _settle(app, pilot)
        assert "0 open · 2 settled of 2" in str(screen.query_one("#adj-progress").render())
        # what the screen shows is what a fresh queue says
        fresh = real(project, include_settled=True)
        assert (fresh["open"], fresh["settled"]) == (0, 2)
    assert len(calls) == 1  # when the screen opened only
    project.close()


async def test_no_common_transcripts_is_said_on_screen_not_a_crash(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p")
    project.add_coding(unit(project, "KII-01", "Turnover"), "lessons", coder="clara")
    app = Host(project, "minh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        assert "not both coded a transcript of the agreement sample" in str(screen.query_one("#adj-progress").render())
        await pilot.press("a")  # nothing to decide: nothing happens
        await _settle(app, pilot)
    assert adjudications(project) == []
    project.close()


async def test_inside_the_workbench_it_uses_the_app_project_coder_and_writer(tmp_path: Path) -> None:
    from qualcode.tui import make_app

    _project(tmp_path).close()
    app = make_app(tmp_path / "p", coder="minh", poll_seconds=0, suggestions=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = AdjudicationScreen()
        app.push_screen(screen)
        await pilot.pause()
        assert screen.current is not None and screen.current["text"].startswith("Turnover")
        await pilot.press("o")
        await app.settled()
        await pilot.pause()
        assert screen.current is not None and screen.current["text"].startswith("Our line")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AdjudicationScreen)
    with Project.open(tmp_path / "p") as store:
        assert [(a["ref"], a["decision"], a["coder"]) for a in adjudications(store)] == [("KII-01:2", "omit", "minh")]


async def test_at_80x24_every_key_of_the_adjudication_view_is_on_screen(tmp_path: Path) -> None:
    # Textual's footer cut the row at 80 columns: 't Show settl', and r (withdraw), Esc (leave), ? and q not shown
    from workbench_support import screen_lines

    from qualcode.tui import keymap

    app = Host(_project(tmp_path), "clara")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("A")
        await _settle(app, pilot)
        assert isinstance(app.screen, AdjudicationScreen)
        bottom = "\n".join(screen_lines(app)[-2:])
        for key in ("a", "o", "n", "p", "m", "r", "t", "esc", "?", "q"):
            assert f"{key} " in bottom, (key, bottom)
        shown = [k for k, *_ in keymap.key_bar("adjudication")]
        assert shown == ["a", "o", "n", "p", "m", "r", "t", "esc", "?", "q"]
