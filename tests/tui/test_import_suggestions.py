"""The morning's new interview: imported, then opened in the workbench. Its first suggestions come from the model
saved for the other transcripts, brought up to date (not fitted from scratch), are those a fit from scratch would
rank near the top, and the updated model is saved for the next opening."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from workbench_support import eventually, transcript_screen

from qualcode.actions.projects import import_files, remove_transcript
from qualcode.nlp import cache
from qualcode.nlp import project as nlp_project
from qualcode.nlp.suggester import Suggester
from qualcode.project_io import bundled_root
from qualcode.store import Project
from qualcode.tui import make_app
from qualcode.tui.widgets.panels import SuggestionsPanel


def saved_states(folder: Path) -> list[dict[str, int]]:
    """Per saved corpus part: its units, and how many were added or removed since its last fit from scratch."""
    out = []
    for path in folder.glob("corpus-*"):
        try:
            plain = json.loads((path / "header.json").read_text(encoding="utf-8"))["plain"]
        except (OSError, ValueError, KeyError):
            continue
        out.append({"units": int(plain["n_corpus"]), "changed": int(plain.get("fit_changed") or 0)})
    return out


async def test_a_newly_imported_interview_is_suggested_from_the_saved_model_brought_up_to_date(
        example_project_dir: Path) -> None:
    with Project.open(example_project_dir) as project:
        remove_transcript(project, "KII-07", coder="ana", with_codings=True)
        nlp_project.get_suggester(project)  # yesterday's model: the 13 other transcripts, saved
        before = {t["id"] for t in project.transcripts()}
        import_files(project, [p for p in (bundled_root() / "transcripts").iterdir() if p.name.startswith("KII-07_")],
                     coder="ana")
        new = next(t["id"] for t in project.transcripts() if t["id"] not in before)
        full = Suggester(project.codebook(), codebook_hash=project.codebook_hash() or None)
        nlp_project.set_inputs(full, project)
        full.prepare()
    folder = cache.models_dir(example_project_dir)
    assert [s["changed"] for s in saved_states(folder)] == [0]
    app = make_app(example_project_dir, transcript=new, coder="ana", poll_seconds=0, suggestions=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = transcript_screen(app)
        panel = screen.query_one(SuggestionsPanel)
        at = screen.view.cursor
        first = next(u for u in screen.units[at:] if u["role"] != "interviewer" and u["text"].strip())
        await eventually(pilot, lambda: bool(app.suggestions_known(first["id"])), timeout=120)
        shown = app.suggestions_for(first) or []
        assert shown, "no suggestions for the new interview's first unit"
        best = np.argsort(-full.score([first["text"]])[0])[:3]
        assert shown[0]["code"] in {full.code_ids[int(j)] for j in best}
        if panel.shown_unit == first["id"]:
            assert panel.shown_count > 0
        # While the evaluator reads, the model process completes the update and saves it: brought up to date from
        # yesterday's model (units added since its fit from scratch), not fitted again.
        n_units = len(full._corpus)
        await eventually(pilot, lambda: any(s["units"] == n_units for s in saved_states(folder)), timeout=120)
    [updated] = [s for s in saved_states(folder) if s["units"] == n_units]
    [yesterday] = [s for s in saved_states(folder) if s["units"] != n_units]
    assert updated["changed"] == n_units - yesterday["units"] > 0
