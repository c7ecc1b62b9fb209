"""The qualcode command line: thin commands over core functions.

Each module named in COMMAND_MODULES defines ``register(subparsers)``; handlers take the parsed args and return an
exit status. Errors users can cause (QualcodeError) become one line on stderr and their exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from typing import NoReturn

from qualcode import __version__
from qualcode.errors import QualcodeError

COMMAND_MODULES = ["project_commands", "suggest_commands", "synthesis_commands", "team_commands", "safety_commands",
                   "workbench_commands"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every other bad input
        self.exit(2, f"qualcode: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="qualcode",
        description="Code evaluation interviews against criteria codebooks and synthesise the evidence.",
    )
    parser.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"qualcode.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    from qualcode.safeio.exports import TerminalStream

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
    from qualcode.safeio.exports import terminal_text

    return " ".join(terminal_text(text).split("\n"))
