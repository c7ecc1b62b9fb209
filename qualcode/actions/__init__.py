"""What a user can do, one function per action, shared by every front end.

The command line, the workbench and the tests call these functions; none of them writes to the project any other
way. Each action takes typed arguments (the acting ``coder`` already resolved by the front end), runs as one
transaction, and returns one of the typed results of :mod:`qualcode.model`.

* :mod:`qualcode.actions.coding`: apply and remove codes, accept, reject and correct suggestions, memos.
* :mod:`qualcode.actions.history`: undo and redo, read from the event log.
* :mod:`qualcode.actions.projects`: create a project or the example, import transcripts, documents and sheets,
  correct a speaker's role, mark notes, remove a transcript, replace the codebook, set the default coder.
* :mod:`qualcode.actions.drafting`: findings, their evidence links and cited documents, theme promotion, the
  triangulation rule.
* :mod:`qualcode.actions.teamwork`: settle or reopen a disagreement, the agreement sample, merge.
* :mod:`qualcode.actions.views`: what the front ends show (lists, counts, search, queues); reads only.

Exports (quote banks, the report, REFI-QDA) and the safety commands (backup, doctor, redact) write files, not the
project; the front ends call them in :mod:`qualcode.exports`, :mod:`qualcode.refi` and :mod:`qualcode.safety`.
"""
