"""Team work: several coders on one project.

* :mod:`qualcode.teams.agreement`: inter-coder agreement (percent, Cohen's kappa, Krippendorff's alpha) counted on
  coding units, with the disagreements behind the numbers.
* :mod:`qualcode.teams.merge`: bring another coder's copy of the project into this one, idempotently.
* :mod:`qualcode.teams.adjudicate`: walk the disagreements and record the agreed coding.

Nothing here imports Textual; the CLI, the TUI and the tests call the same functions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.model import ProjectStatus
    from qualcode.store import Project

#: The coder that agreed (adjudicated) codings are filed under, unless the project sets ``consensus_coder``.
DEFAULT_CONSENSUS_CODER = "consensus"


def consensus_coder(project: Project) -> str:
    """The name agreed codings are stored under (setting ``consensus_coder``, default ``consensus``)."""
    return (project.setting("consensus_coder") or DEFAULT_CONSENSUS_CODER).strip() or DEFAULT_CONSENSUS_CODER


MACHINE_NAMES = {"model", "machine", "auto", "automatic", "autocoder", "suggester", "suggestion", "suggestions",
                 "qualcode", "bot", "ai", "classifier", "nlp", "system", "computer"}
MACHINE_PATTERN = re.compile(r"^(?:model|qualcode|auto|suggest\w*|bot|ai)[-_:/]|[-_:\[](?:bot|ai|model)\]?$",
                             re.IGNORECASE)


def is_machine_coder(name: str | None, *, model_version: str | None = None, extra: set[str] | None = None) -> bool:
    """True when a coder name is empty or names a program rather than a person ("suggester", "model:v3",
    "nvivo-autocode-bot", or a name listed in the project setting ``machine_coders``)."""
    name = (name or "").strip()
    if not name:
        return True
    low = name.lower()
    if low in MACHINE_NAMES or (extra and low in extra):
        return True
    if model_version and low == str(model_version).strip().lower():
        return True
    return bool(MACHINE_PATTERN.search(name))


def machine_coder_names(project: Project) -> set[str]:
    """The project's own additions to the machine names (setting ``machine_coders``, comma-separated), lower case."""
    return {x.strip().lower() for x in (project.setting("machine_coders") or "").split(",") if x.strip()}


def machine_coders(project: Project) -> set[str]:
    """The coders of this project whose name is a program's, not a person's: their codings are nobody's judgement,
    so agreement does not count them as a coder and the reconciled view leaves them out."""
    extra = machine_coder_names(project)
    return {c["name"] for c in project.coders() if is_machine_coder(c["name"], extra=extra)}


def project_status(project: Project) -> ProjectStatus:
    """The project's counts as ``qualcode status`` shows them: ``coders`` are the people who coded (not the consensus
    coder, not a program's name), the consensus coder's codings are ``agreed_codings``."""
    return project.status(consensus=consensus_coder(project), machine=machine_coders(project))
