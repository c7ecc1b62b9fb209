"""What a user can do, one function per action, shared by every front end.

The command line, the workbench and the tests call these functions; none of them writes to the project any other
way. Each action takes typed arguments (the acting ``coder`` already resolved by the front end), runs as one
transaction, and returns one of the typed results of :mod:`qualcode.model`.

* :mod:`qualcode.actions.history`: undo and redo, read from the event log.
"""
