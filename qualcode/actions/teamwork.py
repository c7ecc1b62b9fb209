"""Team actions: settle a disagreement between coders (or reopen it), choose the agreement sample, say a transcript's
coding is done, and merge a colleague's copy of the project. Each is one transaction and logged. The work is done
by :mod:`qualcode.teams` and :mod:`qualcode.synthesis.reconciled`; the command line and the workbench's adjudication
view call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from qualcode.model import Adjudication, ProgressFn, SampleEntry, Settlement
from qualcode.store import Project


def settle(project: Project, segment: int | str, code: str, decision: str, *, coder: str,
           note: str | None = None) -> Settlement:
    """Record the agreed coding of ``code`` on a unit: ``apply`` or ``omit`` (filed under the consensus coder; the
    coders' own codings stay). Deciding again replaces the earlier decision."""
    from qualcode.teams.adjudicate import adjudicate

    return cast(Settlement, adjudicate(project, segment, code, decision, coder=coder, note=note))


def reopen(project: Project, segment: int | str, code: str, *, coder: str) -> Adjudication:
    """Withdraw a decision: the disagreement is open again and the agreed coding goes."""
    from qualcode.teams.adjudicate import reopen as withdraw

    return cast(Adjudication, withdraw(project, segment, code, coder=coder))


def add_to_sample(project: Project, transcripts: Iterable[str], *, coder: str,
                  coders: Iterable[str] | None = None) -> list[SampleEntry]:
    """Put transcripts in the agreement sample (optionally naming the coders compared there), in one transaction."""
    from qualcode.synthesis.reconciled import add_to_sample as add

    wanted = None if coders is None else list(coders)
    with project.transaction():
        return [cast(SampleEntry, add(project, t, coder=coder, coders=wanted)) for t in transcripts]


def remove_from_sample(project: Project, transcripts: Iterable[str], *, coder: str) -> list[SampleEntry]:
    """Take transcripts out of the agreement sample (their codings stay), in one transaction."""
    from qualcode.synthesis.reconciled import remove_from_sample as remove

    with project.transaction():
        return [cast(SampleEntry, remove(project, t, coder=coder)) for t in transcripts]


def mark_done(project: Project, transcripts: Iterable[str], *, coder: str, done: bool = True
              ) -> list[dict[str, Any]]:
    """Say that ``coder``'s coding of these transcripts is finished (``done`` False: not yet), in one transaction. A
    transcript two or more people marked done joins the agreement sample, comparing them."""
    from qualcode.synthesis.reconciled import mark_done as mark

    with project.transaction():
        # a transcript named twice is marked, and reported, once
        return [mark(project, t, coder=coder, done=done) for t in dict.fromkeys(transcripts)]


def toggle_done(project: Project, transcript: str, *, coder: str) -> dict[str, Any]:
    """Mark ``coder``'s coding of a transcript done, or not done when it already is (the workbench's D): what
    :func:`mark_done` returns for it."""
    from qualcode.synthesis.reconciled import done_marks

    tid = project.require_transcript(transcript)["id"]
    return mark_done(project, [tid], coder=coder, done=coder not in done_marks(project).get(tid, []))[0]


def restore_done(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of a transcript marked done: make the store hold the logged ``target`` state (None: not done)
    where it holds ``current``."""
    from qualcode.synthesis.reconciled import restore_done as restore

    restore(project, current, target)


def restore_sample(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of a transcript's place in the agreement sample: make the store hold the logged ``target`` state
    (None: not in it) where it holds ``current``."""
    from qualcode.synthesis.reconciled import restore_sample as restore

    restore(project, current, target)


def done_words(result: dict[str, Any]) -> str:
    """What a done mark did, in words for the status line ("KII-01: your coding is marked done; it joins the
    agreement sample, comparing ana, clara")."""
    tid = result["transcript"]
    if not result["done"]:
        return f"{tid}: your coding is no longer marked done"
    words = f"{tid}: your coding is marked done"
    if result["sample"] == "joined":
        words += f"; it joins the agreement sample, comparing {', '.join(result['done_by'])}"
    elif result["sample"] == "compared":
        words += f"; the agreement sample now compares {', '.join(result['done_by'])} on it"
    elif result["sample"] == "removed_by_hand":
        words += "; it stays out of the agreement sample (a coder took it out)"
    return words


def merge(project: Project, others: list[str | Path], *, coder: str, dry_run: bool = False,
          progress: ProgressFn | None = None) -> dict[str, Any]:
    """Bring other coders' copies of the project into this one (one transaction for all of them); with ``dry_run``
    only report what would come in."""
    from qualcode.teams.merge import merge_projects

    return merge_projects(project, others, coder=coder, dry_run=dry_run, progress=progress)
