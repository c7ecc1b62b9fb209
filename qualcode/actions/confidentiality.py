"""Confidentiality settings: how quotes attribute informants (the attribution templates and k), and the name list
of people mentioned in transcripts who are not informants. Each is one transaction, logged (the log hides the
names). The work is done by :mod:`qualcode.safety.attribution` and :mod:`qualcode.safety.privacy`; the command line
(``cases --attribution-template``, ``names add|import|remove``) calls these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from qualcode.model import AttributionTemplates, ListedName
from qualcode.store import Project


def set_attribution(project: Project, *, coder: str, kii: str | None = None, fgd: str | None = None,
                    k: int | None = None, default: bool = False) -> AttributionTemplates:
    """Change how quotes attribute informants: the interviews' template ``kii``, the focus groups' ``fgd`` and the
    number ``k`` of participants who must share a detail before it is shown (what is not given stays; ``default``
    restores the defaults first). A template naming a field no case or transcript has is refused. Returns the
    templates now in force."""
    from qualcode.safety.attribution import set_templates

    return cast(AttributionTemplates, set_templates(project, coder=coder, kii=kii, fgd=fgd, k=k, default=default))


def attribution(project: Project) -> AttributionTemplates:
    """The attribution templates and k in force."""
    from qualcode.safety.attribution import templates

    return cast(AttributionTemplates, templates(project))


def add_names(project: Project, names: Iterable[str], *, coder: str, shown_as: str | None = None) -> list[ListedName]:
    """Put people on the name list: exports show each as ``[name]``, or as ``shown_as`` ("the chamber's adviser").
    A name listed again gets the new placeholder. Returns the whole list."""
    from qualcode.safety.privacy import set_third_parties

    with project.transaction():
        return cast(list[ListedName], set_third_parties(project, coder=coder, add=list(names), shown_as=shown_as))


def import_names(project: Project, file: str | Path, *, coder: str, removed: Counter[str] | None = None,
                 name_like_roles: list[int] | None = None) -> list[ListedName]:
    """Put the people of a file on the name list: one per line, or CSV ``name,role`` (the role is what exports show
    instead). The file is read whole before anything changes; then one logged change. Control characters removed
    from the file are counted in ``removed``; the lines whose role reads like the rest of a name ('Jensen, Clara')
    are added to ``name_like_roles``. Returns the whole list."""
    from qualcode.safety.privacy import read_name_file, set_third_parties, third_parties

    rows = read_name_file(str(file), removed, name_like_roles)
    with project.transaction():
        set_third_parties(project, coder=coder, entries_shown=rows)
        return cast(list[ListedName], third_parties(project))


def remove_names(project: Project, names: Iterable[str], *, coder: str) -> list[ListedName]:
    """Take people off the name list (a name not on it changes nothing and says so). Returns the whole list."""
    from qualcode.safety.privacy import set_third_parties

    with project.transaction():
        return cast(list[ListedName], set_third_parties(project, coder=coder, remove=list(names)))
