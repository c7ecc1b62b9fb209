"""After an import (or a transcript removed) the model saved for the earlier units is brought up to date instead of
fitted from scratch: the first suggestions for the new interview come in seconds, close to what a fit from scratch
gives; a removed transcript's units are never suggested from; a changed codebook, or units that moved too far from
the last fit from scratch, mean a fit from scratch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qualcode.nlp.project as nlp_project
import qualcode.nlp.suggester as suggester_mod
from qualcode.actions import views as wb
from qualcode.actions.projects import import_files, remove_transcript, set_codebook
from qualcode.codebook import dump_codebook
from qualcode.nlp import cache
from qualcode.nlp.features import Featurizer
from qualcode.nlp.suggester import Suggester
from qualcode.nlp.transduce import extend_links, knn_links
from qualcode.project_io import bundled_root
from qualcode.store import Project

# How close the incremental model's scores of the new interview's units must be to a fit from scratch's: its
# vocabulary, IDF and keyword weights are those of the 13 other interviews (a fit from scratch adds the new one's).
MAX_DIFF = 0.2
MEAN_DIFF = 0.01
TOP1_AGREEMENT = 0.9


def new_process() -> None:
    """Forget what this process knows of any project, as a fresh process would."""
    for name in ("_cache", "_saved", "_corpus_given", "_units_seen", "_examples_seen", "_informants_seen"):
        getattr(nlp_project, name).clear()


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_cache", "_saved", "_corpus_given", "_units_seen", "_examples_seen", "_informants_seen"):
        monkeypatch.setattr(nlp_project, name, {})


def refuse(name: str) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} was computed from scratch")
    return fail


def no_full_fit(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(Featurizer, "fit_transform", refuse("the vocabulary"))
    mp.setattr(suggester_mod, "knn_links", refuse("the unit graph"))


def from_scratch(project: Project) -> Suggester:
    s = Suggester(project.codebook(), codebook_hash=project.codebook_hash() or None)
    nlp_project.set_inputs(s, project)
    s.prepare()
    return s


def reimport(project: Project, transcript: str) -> str:
    """Remove a transcript with its codings, fit (the saved state knows the other 13), import its file again: the
    morning's new, uncoded interview. Returns its new id."""
    remove_transcript(project, transcript, coder="ana", with_codings=True)
    wb.fit_suggester(project)
    wb.refresh_suggester(project)
    new_process()
    before = {t["id"] for t in project.transcripts()}
    files: list[str | Path] = [p for p in (bundled_root() / "transcripts").iterdir()
                               if p.name.startswith(transcript + "_")]
    import_files(project, files, coder="ana")
    return next(t["id"] for t in project.transcripts() if t["id"] not in before)


def texts_of(project: Project, transcript: str) -> list[str]:
    return [u["text"] for u in project.segments(transcript, include_interviewer=False) if u["text"].strip()]


def assert_close(a: Any, b: Any) -> None:
    diff = np.abs(a - b)
    assert diff.max() <= MAX_DIFF and diff.mean() <= MEAN_DIFF, (diff.max(), diff.mean())
    assert (a.argmax(axis=1) == b.argmax(axis=1)).mean() >= TOP1_AGREEMENT


def test_after_an_import_the_new_interview_is_suggested_from_an_updated_model(example_project: Project) -> None:
    new = reimport(example_project, "KII-07")
    texts = texts_of(example_project, new)
    stamp = repr(nlp_project._units_fingerprint(example_project))
    assert not cache.units_known(example_project.path, stamp)  # so spaCy is imported while the project is read
    with pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        s = wb.fit_suggester(example_project)  # the workbench: scored at once, the spreading done when idle
        assert s.stale and 0 < s.drift < nlp_project.DRIFT_SHARE
        quick = s.score(texts)
        assert wb.refresh_suggester(example_project) and not s.stale
        assert cache.units_known(example_project.path, stamp)
        updated = s.score(texts)
    full = from_scratch(example_project)
    assert s.code_ids == full.code_ids
    assert_close(quick, full.score(texts))
    assert_close(updated, full.score(texts))
    # The updated state was saved: the next process restores it as it is.
    new_process()
    with pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        mp.setattr(Suggester, "extend_state", refuse("an incremental update"))
        again = wb.fit_suggester(example_project)
        assert not again.stale
        np.testing.assert_allclose(again.score(texts), updated, atol=1e-5)


def test_the_command_line_uses_the_same_updated_model(example_project: Project) -> None:
    new = reimport(example_project, "KII-12")
    with pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        found = nlp_project.suggest_for_project(example_project, transcript=new, top=3)
    assert found and {f["transcript"] for f in found} == {new}
    s = nlp_project.get_suggester(example_project)
    assert not s.stale and s.drift > 0  # complete (its spreading done) before the command answered, and saved
    full = from_scratch(example_project)
    # the coding records which model suggested it: the updated one is not called by the fresh fit's name
    versions = {sg["model_version"] for f in found for sg in f["suggestions"]}
    assert versions == {s.model_version} and s.model_version.startswith(full.model_version + "+u")
    texts = [f["text"] for f in found]
    assert_close(s.score(texts), full.score(texts))
    top1 = [f["suggestions"][0]["code"] for f in found if f["suggestions"]]
    full_top1 = [full.code_ids[int(r.argmax())] for r in full.score(texts)]
    assert np.mean([a == b for a, b in zip(top1, full_top1, strict=True)]) >= TOP1_AGREEMENT


def test_a_removed_transcripts_units_are_never_suggested_from(example_project: Project) -> None:
    wb.fit_suggester(example_project)
    others = {t for x in example_project.transcripts() if x["id"] != "KII-03"
              for t in texts_of(example_project, x["id"])}
    gone = [t for t in texts_of(example_project, "KII-03") if t not in others]
    gone_refs = {u["ref"] for u in example_project.segments("KII-03")}
    new_process()
    remove_transcript(example_project, "KII-03", coder="ana", with_codings=True)
    with pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        s = wb.fit_suggester(example_project)
        # A removal is spread over the graph at once: no score spread from a removed unit is served meanwhile.
        assert not s.stale and s.drift > 0
        assert len(gone) > 50 and not set(gone) & set(s._corpus) and (s._rows(gone) == -1).all()
        assert s._C is not None and s._G.shape[0] == s._links.shape[0] == s._C.X.shape[0] == len(s._corpus)
        found = nlp_project.suggest_for_project(example_project, top=5)
    blob = json.dumps(found)
    assert not any(ref in blob for ref in gone_refs)
    assert not any(len(t) > 40 and t[:40] in blob for t in gone)  # never quoted as a similar coded unit
    full = from_scratch(example_project)
    texts = texts_of(example_project, "KII-04")
    assert_close(s.score(texts), full.score(texts))


def test_a_changed_codebook_means_a_fit_from_scratch(example_project: Project, tmp_path: Path) -> None:
    reimport(example_project, "KII-07")
    codebook = example_project.codebook()
    code = next(c for c in codebook.walk() if not c.children)
    code.keywords = [*code.keywords, "grievance hotline"]
    path = tmp_path / "codebook.yaml"
    path.write_text(dump_codebook(codebook), encoding="utf-8")
    set_codebook(example_project, path, coder="ana")
    calls: list[int] = []
    real = Featurizer.fit_transform

    def counted(self: Featurizer, texts: list[str]) -> Any:
        calls.append(len(texts))
        return real(self, texts)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Featurizer, "fit_transform", counted)
        mp.setattr(Suggester, "extend_state", refuse("an incremental update"))
        s = wb.fit_suggester(example_project)
    assert calls and s.drift == 0 and "grievance hotline" in s.codes[s.code_ids.index(code.id)].keywords


def test_units_far_from_the_last_fit_from_scratch_are_fitted_again(example_project: Project,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    reimport(example_project, "KII-07")
    monkeypatch.setattr(nlp_project, "DRIFT_SHARE", 0.01)
    s = nlp_project.get_suggester(example_project)  # the command line: fitted from scratch at once
    assert s.drift == 0 and not s.stale
    corpus = [p for p in cache.models_dir(example_project.path).glob("corpus-*")
              if json.loads((p / "meta.json").read_text())["key"] == s.state_keys()[0]]
    assert len(corpus) == 1 and json.loads((corpus[0] / "header.json").read_text())["plain"]["fit_changed"] == 0


def test_the_command_line_fits_from_scratch_a_saved_update_that_drifted_too_far(
        example_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    reimport(example_project, "KII-07")
    monkeypatch.setattr(nlp_project, "DRIFT_SHARE", 0.01)
    s = wb.fit_suggester(example_project)  # the workbench updates, saves the update once idle, then quits
    assert wb.refresh_suggester(example_project) and s.drift > 0.01
    new_process()
    again = nlp_project.get_suggester(example_project)
    assert again.drift == 0 and not again.stale


def test_extended_links_keep_the_old_ones_and_find_the_new_rows_neighbours() -> None:
    from scipy.sparse import random as sparse_random

    from qualcode.nlp.tfidf import l2_rows

    W = l2_rows(sparse_random(300, 80, density=0.08, random_state=3, format="csr", dtype=np.float32))
    whole, _ = knn_links(W)
    old, _ = knn_links(W[:250])
    source = np.r_[np.arange(250), np.full(50, -1)]
    grown = extend_links(old, source, W)
    # Links among the old rows stay as they were; each new row is linked to its 10 most similar rows, as in a
    # full build.
    np.testing.assert_allclose(grown[:250, :250].toarray(), old.toarray())
    S = (W @ W.T).toarray()
    np.fill_diagonal(S, -1)
    for i in range(250, 300):
        nearest = {int(j) for j in np.argsort(-S[i], kind="stable")[:10] if S[i, j] > 0}
        assert nearest <= set(grown[i].indices.tolist()) and nearest <= set(whole[i].indices.tolist())
    # Rows removed take their links with them.
    keep = np.r_[np.arange(0, 100), np.arange(150, 250)]
    shrunk = extend_links(old, keep, W[keep])
    np.testing.assert_allclose(shrunk.toarray(), old[keep][:, keep].toarray())


def test_the_workbench_fits_from_scratch_in_the_background_when_the_units_drifted(
        example_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    new = reimport(example_project, "KII-07")
    monkeypatch.setattr(nlp_project, "DRIFT_SHARE", 0.01)
    texts = texts_of(example_project, new)
    s = wb.fit_suggester(example_project)  # at once, incrementally, although far from the last fit from scratch
    assert s.drift > 0.01 and s.score(texts).shape == (len(texts), len(s.code_ids))
    assert wb.refresh_suggester(example_project)
    assert wb.take_full_fit(example_project) is False  # nothing started yet
    done: list[bool] = []
    assert wb.refit_if_drifted(example_project, lambda: done.append(True))
    assert wb.refit_if_drifted(example_project) is False  # one at a time
    nlp_project._full_fits[str(example_project.path)].thread.join(120)
    assert done and wb.take_full_fit(example_project)
    replaced = wb.fit_suggester(example_project)
    assert replaced is not s and replaced.drift == 0 and not replaced.stale
    np.testing.assert_allclose(replaced.score(texts), from_scratch(example_project).score(texts), atol=1e-5)
    # saved in place of the incremental state: the next process restores the fit from scratch
    new_process()
    with pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        assert wb.fit_suggester(example_project).drift == 0


def test_the_model_process_replaces_the_incremental_model_silently(example_project: Project,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from qualcode.actions.suggestion_service import SuggestionLoop

    new = reimport(example_project, "KII-07")
    monkeypatch.setattr(nlp_project, "DRIFT_SHARE", 0.01)
    answers: list[tuple[Any, ...]] = []
    loop = SuggestionLoop(example_project.path, answers.append)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        units = [{"id": u["id"], "text": u["text"], "role": u["role"]}
                 for u in example_project.segments(new, include_interviewer=False)[:3]]
        loop.want(1, units)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
                any(a[0] == "ready" for a in answers) and loop._engine is not None and loop._engine.drift == 0):
            time.sleep(0.05)
        assert [a for a in answers if a[0] == "failed"] == []
        assert any(a[0] == "ready" and a[2] for a in answers)
        assert loop._engine.drift == 0 and not loop._engine.stale  # the fit from scratch took over
        loop.want(2, units)
        while time.monotonic() < deadline and not any(a[0] == "ready" and a[1] == 2 for a in answers):
            time.sleep(0.05)
        assert any(a[0] == "ready" and a[1] == 2 and a[2] for a in answers)
    finally:
        loop.close()
        thread.join(30)


def test_qualcode_import_brings_the_saved_model_up_to_date_for_the_first_opening(
        example_project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qualcode.cli import main

    with Project.open(example_project_dir) as project:
        remove_transcript(project, "KII-07", coder="ana", with_codings=True)
        nlp_project.get_suggester(project)  # yesterday's model, saved
    new_process()
    files = [str(p) for p in (bundled_root() / "transcripts").iterdir() if p.name.startswith("KII-07_")]
    assert main(["import", *files, "-p", str(example_project_dir), "--coder", "ana"]) == 0
    assert "KII-07" in capsys.readouterr().out  # the report, as before
    new_process()
    with Project.open(example_project_dir) as project, pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        mp.setattr(Suggester, "extend_state", refuse("an update at the opening"))
        s = wb.fit_suggester(project)  # the morning's first opening: restored as a reopening is
        assert not s.stale and s.drift > 0
    # A dry run changes nothing, the saved model included.
    saved = sorted(p.name for p in cache.models_dir(example_project_dir).iterdir())
    assert main(["import", *files, "-p", str(example_project_dir), "--coder", "ana", "--dry-run"]) == 0
    assert sorted(p.name for p in cache.models_dir(example_project_dir).iterdir()) == saved


def test_removing_a_transcript_updates_the_saved_model_without_loading_the_language_pipeline(
        example_project_dir: Path) -> None:
    # Nothing new is tokenised after a removal: importing spaCy (a second or two) would only slow the command down.
    import subprocess
    import sys

    with Project.open(example_project_dir) as project:
        nlp_project.get_suggester(project)  # the model saved before the removal
    # spaCy is imported in a process of its own when units are to be tokenised: no process may be started either
    code = (
        "import subprocess, sys\nstarted = []\nPopen = subprocess.Popen\n"
        "class Counted(Popen):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        started.append(args)\n"
        "        super().__init__(*args, **kwargs)\n"
        "subprocess.Popen = Counted\n"
        "from qualcode.cli import main\n"
        f"code = main(['transcripts', 'remove', 'KII-03', '--with-codings', '-p', {str(example_project_dir)!r}])\n"
        "print('--PROCESSES--', len(started))\n"
        "print('--MODULES--', code)\nprint('\\n'.join(sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out, _, modules = proc.stdout.partition("--MODULES--")
    assert "removed KII-03" in out and modules.split()[0] == "0"
    assert "spacy" not in modules.split()
    assert "--PROCESSES-- 0" in out
    new_process()
    with Project.open(example_project_dir) as project, pytest.MonkeyPatch.context() as mp:
        no_full_fit(mp)
        mp.setattr(Suggester, "extend_state", refuse("an update at the opening"))
        s = wb.fit_suggester(project)  # the update was saved: restored as a reopening is
        assert not s.stale and s.drift > 0


def test_units_tokenised_in_a_process_of_their_own_read_as_they_do_here(example_project: Project) -> None:
    from qualcode.nlp.text import TextPipeline

    texts = texts_of(example_project, "KII-02") + ["We couldn't get there — the road wasn't built.", "Nurses' pay"]
    apart = TextPipeline()
    apart.load_apart()
    try:
        assert apart.normalise_many(texts) == TextPipeline().normalise_many(texts)
        assert apart._nlp is None  # answered by the other process: spaCy was not loaded here
    finally:
        apart.close_apart()
    assert apart.normalise_many(texts[:3]) == TextPipeline().normalise_many(texts[:3])  # then here, as before


def test_texts_are_still_tokenised_when_the_process_for_it_ended(example_project: Project) -> None:
    from qualcode.nlp.text import TextPipeline

    texts = texts_of(example_project, "KII-05")[:20]
    pipeline = TextPipeline()
    pipeline.load_apart()
    assert pipeline._apart is not None and pipeline._apart.proc is not None
    pipeline._apart.proc.kill()
    pipeline._apart.proc.wait()
    assert pipeline.normalise_many(texts) == TextPipeline().normalise_many(texts)  # spaCy loaded here instead
    assert pipeline._apart is None


def test_the_process_for_tokenising_is_gone_once_closed(example_project: Project) -> None:
    # Not left as a zombie ('defunct' in ps) until the next process is started: it has ended and been waited for.
    from qualcode.nlp.text import TextPipeline

    texts = texts_of(example_project, "KII-02")[:5]
    pipeline = TextPipeline()
    pipeline.load_apart()
    assert pipeline._apart is not None and pipeline._apart.proc is not None
    proc = pipeline._apart.proc
    assert pipeline.normalise_many(texts) == TextPipeline().normalise_many(texts)
    pipeline.close_apart()
    assert proc.returncode is not None
    assert proc.stdout is not None and proc.stdout.closed
    # closed at once, before spaCy was even imported
    pipeline = TextPipeline()
    pipeline.load_apart()
    assert pipeline._apart is not None and pipeline._apart.proc is not None
    proc = pipeline._apart.proc
    pipeline.close_apart()
    assert proc.returncode is not None


def test_a_large_import_is_tokenised_apart_however_long_it_takes_in_all(example_project: Project,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The process has a limited time for each part of the texts, not for all of them: a large first import on a busy
    # machine is not cut off half way and tokenised a second time here.
    import qualcode.nlp.text as text_mod
    from qualcode import child_process
    from qualcode.nlp.text import TextPipeline

    monkeypatch.setattr(text_mod, "APART_CHUNK", 7)
    watched: list[float] = []
    after = child_process.after

    def watch(seconds: float, action: Any) -> Any:
        watched.append(seconds)
        return after(seconds, action)

    monkeypatch.setattr(child_process, "after", watch)
    texts = texts_of(example_project, "KII-02")[:30]
    pipeline = TextPipeline()
    pipeline.load_apart()
    try:
        assert pipeline.normalise_many(texts) == TextPipeline().normalise_many(texts)
        assert pipeline._nlp is None  # answered by the other process
    finally:
        pipeline.close_apart()
    assert watched == [text_mod.APART_PATIENCE] * 5  # 30 texts, 7 at a time, each part with the whole limit


def test_texts_are_tokenised_here_when_the_process_for_it_never_answers(example_project: Project,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.nlp.text as text_mod
    from qualcode.nlp.text import TextPipeline

    monkeypatch.setattr(text_mod, "_APART_CODE", "import sys; sys.stdin.buffer.read()")  # reads, never answers
    monkeypatch.setattr(text_mod, "APART_PATIENCE", 0.5)
    texts = texts_of(example_project, "KII-05")[:20]
    pipeline = TextPipeline()
    pipeline.load_apart()
    assert pipeline._apart is not None and pipeline._apart.proc is not None
    proc = pipeline._apart.proc
    assert pipeline.normalise_many(texts) == TextPipeline().normalise_many(texts)  # spaCy loaded here instead
    assert pipeline._apart is None and proc.returncode is not None
