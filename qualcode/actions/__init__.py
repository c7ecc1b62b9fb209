"""What a user can do, one function per action, shared by every front end.

The command line, the workbench and the tests call these functions; none of them writes to the project any other
way. Each action takes typed arguments (the acting ``coder`` already resolved by the front end), runs as one
transaction, and returns one of the typed results of :mod:`qualcode.model`.

* :mod:`qualcode.actions.coding`: apply and remove codes, accept, reject and correct suggestions, mark units not
  codable or skipped, place a coding flagged for review, memos, where a coder is.
* :mod:`qualcode.actions.history`: undo and redo, read from the event log.
* :mod:`qualcode.actions.projects`: create a project or the example, import transcripts, documents, sheets and
  REFI-QDA projects, correct a speaker's role, mark notes, remove a transcript, replace the codebook, set the
  default coder.
* :mod:`qualcode.actions.drafting`: findings, their evidence links, cited documents and key quotes, theme
  promotion, the triangulation rule.
* :mod:`qualcode.actions.teamwork`: settle or reopen a disagreement, the agreement sample, merge.
* :mod:`qualcode.actions.confidentiality`: how quotes attribute informants, the name list.
* :mod:`qualcode.actions.views`: what the front ends show (lists, counts, search, queues); reads only.
* :mod:`qualcode.actions.suggestion_service`: the workbench's suggestions, fitted and scored in a process of its
  own (or a thread); reads only.

Exports (quote banks, the report, REFI-QDA export) and the safety commands (backup, restore, redact) write files, not
the project, and analyses (matrices, triangulation, themes, agreement, the audit) only read it; the front ends call
them in :mod:`qualcode.exports`, :mod:`qualcode.refi`, :mod:`qualcode.synthesis`, :mod:`qualcode.teams` and
:mod:`qualcode.safety`. ``doctor --fix`` upgrades the database itself (migrations), below any action.
"""
