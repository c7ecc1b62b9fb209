"""Team work: several coders on one project.

* :mod:`qualcode.teams.agreement`: inter-coder agreement (percent, Cohen's kappa, Krippendorff's alpha) counted on
  coding units, with the disagreements behind the numbers.
* :mod:`qualcode.teams.merge`: bring another coder's copy of the project into this one, idempotently.
* :mod:`qualcode.teams.adjudicate`: walk the disagreements and record the agreed coding.

Nothing here imports Textual; the CLI, the TUI and the tests call the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.store import Project

#: The coder that agreed (adjudicated) codings are filed under, unless the project sets ``consensus_coder``.
DEFAULT_CONSENSUS_CODER = "consensus"


def consensus_coder(project: Project) -> str:
    """The name agreed codings are stored under (setting ``consensus_coder``, default ``consensus``)."""
    return (project.setting("consensus_coder") or DEFAULT_CONSENSUS_CODER).strip() or DEFAULT_CONSENSUS_CODER
