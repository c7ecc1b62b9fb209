"""Drafting findings: add, edit and remove a finding, link and unlink its evidence, cite documents, choose its key
quotes, import findings, turn a theme into a draft finding, and set the triangulation rule findings are rated by.

Each is one transaction, logged, and (for findings and their evidence) undone by :mod:`qualcode.actions.history`.
The work is done by :mod:`qualcode.synthesis.findings` (and themes, triangulation); the front ends call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qualcode.model import EvidenceLink, Finding, RemovedFinding
from qualcode.store import Project

if TYPE_CHECKING:
    from qualcode.synthesis.triangulation import TriangulationRule


def add_finding(project: Project, criterion: str, statement: str, *, coder: str, finding_id: str | None = None,
                question: str | None = None, documents: list[str] | None = None) -> Finding:
    """A new finding on a criterion (or on one of its evaluation questions), optionally citing documents."""
    from qualcode.synthesis.findings import add_finding as add

    return cast(Finding, add(project, criterion, statement, coder=coder, finding_id=finding_id, code=question,
                             documents=documents))


def edit_finding(project: Project, finding_id: str, *, coder: str, statement: str | None = None,
                 criterion: str | None = None, question: str | None = None) -> Finding:
    """Change a finding's statement, criterion or question (what is not given stays)."""
    from qualcode.synthesis.findings import edit_finding as edit

    return cast(Finding, edit(project, finding_id, coder=coder, statement=statement, criterion=criterion,
                              code=question))


def remove_finding(project: Project, finding_id: str, *, coder: str) -> RemovedFinding:
    """Delete a finding and its evidence links (the event log keeps them; undo brings them back)."""
    from qualcode.synthesis.findings import remove_finding as remove

    return cast(RemovedFinding, remove(project, finding_id, coder=coder))


def link_evidence(project: Project, finding_id: str, *, coder: str, coding: int | None = None,
                  segment: str | None = None, code: str | None = None, coded_by: str | None = None,
                  contradicts: bool = False, note: str | None = None) -> list[EvidenceLink]:
    """Link coded passages to a finding as supporting (or contradicting) evidence: one coding by id, or a passage
    (``TRANSCRIPT:N``) with every matching coding of it (of ``code``, by ``coded_by``). Linking what is already
    linked changes nothing and returns no link."""
    from qualcode.synthesis.findings import link_evidence as link

    return cast(list[EvidenceLink], link(project, finding_id, coder=coder, coding=coding, segment=segment, code=code,
                                         coded_by=coded_by, stance="contradicts" if contradicts else "supports",
                                         note=note))


def unlink_evidence(project: Project, finding_id: str, *, coder: str, coding: int | None = None,
                    segment: str | None = None) -> int:
    """Remove evidence links from a finding (one coding's, or every link to a passage); returns how many went."""
    from qualcode.synthesis.findings import unlink_evidence as unlink

    return unlink(project, finding_id, coder=coder, coding=coding, segment=segment)


def cite_document(project: Project, finding_id: str, document: str, *, coder: str,
                  remove: bool = False) -> Finding:
    """Cite a document as desk-review evidence of a finding (``remove``: withdraw the citation)."""
    from qualcode.synthesis.findings import cite_document as cite

    return cast(Finding, cite(project, finding_id, document, coder=coder, remove=remove))


def choose_key_quotes(project: Project, finding_id: str, refs: list[str], *, coder: str) -> Finding:
    """Choose the quotes the report chapter shows for a finding, in order, among its evidence (``KII-07:36``; a
    range or a reference with its time, as exports print them, is read too); an empty list goes back to the
    automatic choice. Logged and undoable like any change to a finding."""
    from qualcode.synthesis.findings import set_key_quotes

    return cast(Finding, set_key_quotes(project, finding_id, refs, coder=coder))


def import_findings(project: Project, path: str | Path, *, coder: str, replace: bool = False) -> dict[str, Any]:
    """Read findings from a YAML file (as ``qualcode findings export`` writes it); ``replace`` updates findings
    that already exist."""
    from qualcode.synthesis.findings import import_findings as read

    return read(project, path, coder=coder, replace=replace)


def promote_theme(project: Project, theme: int, *, finding_id: str, coder: str, criterion: str | None = None,
                  code: str | None = None, k: int | None = None, seed: int = 0,
                  coders: Iterable[str] | None = None, statement: str | None = None,
                  max_share: float | None = None) -> dict[str, Any]:
    """Turn theme ``theme`` (numbered as ``qualcode themes`` numbers it with the same arguments) into a draft finding
    linked to the theme's passages."""
    from qualcode.synthesis.themes import MAX_SHARE
    from qualcode.synthesis.themes import promote_theme as promote

    return promote(project, theme, finding_id=finding_id, coder=coder, criterion=criterion, code=code, k=k,
                   seed=seed, coders=coders, statement=statement,
                   max_share=MAX_SHARE if max_share is None else max_share)


def set_triangulation_rule(project: Project, rule_file: str | Path | None, *, coder: str) -> TriangulationRule:
    """Install the rule findings, criteria and codes are rated by, from a YAML file (None: the default rule)."""
    from qualcode.synthesis.triangulation import set_rule

    return set_rule(project, rule_file, coder=coder)


def restore_finding(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of a finding added, edited or removed and of an evidence link made or taken away: make the
    store hold the logged state ``target`` where it held ``current`` (None = absent), inside the undo's
    transaction. A removed finding's state carries its evidence, so undoing the removal restores the links too."""
    from qualcode.synthesis.findings import apply_finding_state

    apply_finding_state(project, current, target)
