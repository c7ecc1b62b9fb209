"""The qualcode command line: thin commands over core functions.

Each module named in COMMAND_MODULES defines ``register(commands)``, which declares its commands with
:func:`qualcode.cli._common.command`; a handler takes the parsed args, calls one function of the core and prints
what it returns, and returns an exit status. Errors users can cause (QualcodeError) become one line on stderr and
their exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from qualcode import __version__
from qualcode.cli._common import PROJECT_HELP, Parser, finish
from qualcode.errors import QualcodeError

COMMAND_MODULES = ["project_commands", "suggest_commands", "synthesis_commands", "team_commands", "safety_commands",
                   "workbench_commands", "completion_commands"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="qualcode",
        description="Code evaluation interviews against criteria codebooks and synthesise the evidence.",
        epilog="-p/--project DIR is accepted before the command and after it. Shell completion: see"
               " 'qualcode completion --help'.",
    )
    parser.add_argument("--version", action="version", version=f"qualcode {__version__}")
    parser.add_argument("-p", "--project", metavar="DIR", default=None,
                        help=PROJECT_HELP + "; also accepted after the command")
    parser.set_defaults(json=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"qualcode.cli.{name}").register(commands)
    finish(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    from qualcode.safeio.escaping import TerminalStream

    stdout = sys.stdout
    # data (a speaker label, a memo, an attribute) must never drive the terminal: every control character a command
    # prints is made visible as U+FFFD; the workbench draws on the terminal itself and escapes its own text
    if getattr(func, "__module__", "") != "qualcode.cli.workbench_commands":
        sys.stdout = TerminalStream(stdout)
    try:
        return int(func(args) or 0)
    except QualcodeError as err:
        print(f"qualcode: error: {_one_line(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("qualcode: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # a bug, not bad input: one line unless debugging
        if os.environ.get("QUALCODE_DEBUG"):
            raise
        print(
            f"qualcode: internal error: {type(err).__name__}: {_one_line(str(err))} (set QUALCODE_DEBUG=1 for "
            "details and please report it)",
            file=sys.stderr,
        )
        return 1
    finally:
        if isinstance(sys.stdout, TerminalStream):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe
                sys.stdout.flush()
        sys.stdout = stdout


def _one_line(text: str) -> str:
    from qualcode.safeio.escaping import terminal_text

    return " ".join(terminal_text(text).split("\n"))
