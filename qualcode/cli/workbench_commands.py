"""The ``code`` command: open the coding workbench (Textual is imported only when it runs)."""

from __future__ import annotations

import argparse

from qualcode.cli._common import Commands, command


def register(commands: Commands) -> None:
    p = command(commands, "code", cmd_code, help="open the coding workbench (terminal UI)",
                description="Code transcripts with the keyboard, helped by suggestions. With no -p and no project in"
                            " the current folder, opens a working copy of the bundled example project (kept in"
                            " $QUALCODE_HOME or ~/.local/share/qualcode/example). Press ? inside for the keys.",
                project="project folder (default: the current folder if it holds a project, else the example)")
    p.add_argument("--transcript", metavar="ID", help="open this transcript directly (e.g. KII-07)")
    p.add_argument("--coder", metavar="NAME", help="who is coding (default: the project's coder, $QUALCODE_CODER,"
                                                  " or your login name)")
    p.add_argument("--queue", action="store_true", help="start in queue mode: uncoded units with suggestions")
    p.add_argument("--no-suggestions", action="store_true", help="do not fit the suggestion model")


def cmd_code(args: argparse.Namespace) -> int:
    from qualcode.actions.projects import resolve_workbench_project

    path, is_example = resolve_workbench_project(args.project)
    if is_example:
        print(f"No project here: opening the example working copy in {path}")
    from qualcode.tui import make_app

    app = make_app(path, transcript=args.transcript, coder=args.coder, queue_mode=args.queue,
                   suggestions=not args.no_suggestions)
    app.run()
    return int(app.return_code or 0)
