"""What every command shares: how it is declared, its option bundles, opening the project, printing the result.

A command is one call to :func:`command` in its module's ``register``: the name, the handler, the help, and the
option bundles it takes (:func:`json_option`, :func:`coder_option`, :func:`coders_option`, :func:`names_option`,
:func:`progress_option`, :func:`force_option`), which are added after the command's own arguments so every
command's help reads the same way. ``-p/--project DIR`` is not a bundle: every command accepts it before and after
its name (``qualcode -p DIR status`` and ``qualcode status -p DIR``), as ``git -C`` does.

The acting coder (``--coder``) is resolved once, here, when the handler opens the project (:func:`open_project`):
handlers and the functions they call get a name, never None.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

from qualcode.store import DB_NAME, Project, default_coder

Handler = Callable[[argparse.Namespace], int]
Bundle = Callable[[argparse.ArgumentParser], None]

PROJECT_HELP = "project folder (default: current folder)"


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit status 2, like every other bad input, and whose
    sub-commands all accept ``-p/--project``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"qualcode: error: {message} (see '{self.prog} --help')\n")

    def add_subparsers(self, **kwargs: Any) -> Commands:  # type: ignore[override]
        kwargs.setdefault("parser_class", Parser)
        kwargs.setdefault("action", Commands)
        kwargs.setdefault("metavar", "ACTION")
        return super().add_subparsers(**kwargs)  # type: ignore[return-value]


class Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The sub-commands of a parser. Each gets ``-p/--project`` (``project=False``: a command that reads no project,
    such as ``codebook validate FILE``; a string: the option's help for this command)."""

    def add_parser(self, name: str, *, project: bool | str = True, **kwargs: Any) -> Parser:
        parser: Parser = super().add_parser(name, **kwargs)
        if project:
            add_project_option(parser, help=project if isinstance(project, str) else PROJECT_HELP)
        return parser


def add_project_option(parser: argparse.ArgumentParser, *, help: str = PROJECT_HELP) -> None:
    """``-p/--project DIR``. Absent, it leaves alone what was given before the command's name (the top-level
    parser's default is None: the current folder)."""
    parser.add_argument("-p", "--project", metavar="DIR", default=argparse.SUPPRESS, help=help)


def command(commands: Commands, name: str, handler: Handler, *, help: str, description: str | None = None,
            options: Iterable[Bundle] = (), project: bool | str = True) -> Parser:
    """Declare a command: ``qualcode NAME`` runs ``handler(args)``. Add the command's own arguments to the parser
    returned; the option ``bundles`` come after them (see :func:`finish`)."""
    parser = commands.add_parser(name, help=help, description=description or _sentence(help), project=project)
    parser.set_defaults(func=handler)
    parser._qualcode_bundles = list(options)  # type: ignore[attr-defined]
    return parser


def group(commands: Commands, name: str, *, help: str, description: str | None = None, dest: str,
          required: bool = True, project: bool | str = True) -> Commands:
    """Declare a command with actions (``qualcode codings add``): returns the actions to declare with
    :func:`command`."""
    parser = commands.add_parser(name, help=help, description=description or _sentence(help), project=project)
    return parser.add_subparsers(dest=dest, required=required)


def finish(parser: argparse.ArgumentParser) -> None:
    """Add every command's option bundles after its own arguments (called once the parser is complete)."""
    for bundle in getattr(parser, "_qualcode_bundles", ()):
        bundle(parser)
    parser._qualcode_bundles = []  # type: ignore[attr-defined]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                finish(sub)


def _sentence(help: str) -> str:
    return help[:1].upper() + help[1:] + ("" if help.endswith(".") else ".")


# ---------------------------------------------------------------------------- option bundles


def json_option(parser: argparse.ArgumentParser) -> None:
    """``--json``: print JSON instead of a table. Absent, it leaves a value given before a sub-action alone (the
    top-level default is False), so ``suggest --json accept`` and ``suggest accept --json`` both work."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of a table")


class _Coder(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        namespace.coder = namespace.coder_named = values


def coder_option(parser: argparse.ArgumentParser) -> None:
    """``--coder NAME``: who is acting. :func:`open_project` resolves it to a name (the project's default coder,
    $QUALCODE_CODER or the login name when not given); ``args.coder_named`` keeps what was typed (None)."""
    parser.add_argument("--coder", metavar="NAME", action=_Coder,
                        help="who is acting (default: the project's coder, $QUALCODE_CODER, or your login name)")
    parser.set_defaults(coder=None, coder_named=None)


def coders_option(parser: argparse.ArgumentParser) -> None:
    """``--coders A,B``: the synthesis commands' choice of coders (read by their own ``_coders``)."""
    parser.add_argument("--coders", metavar="A,B", help="only these coders' raw codings, to compare evaluators;"
                                                        " default (or 'consensus'): the reconciled view")


def names_option(parser: argparse.ArgumentParser) -> None:
    """``--show-names``: informants' names in the output (confidential; pseudonymised by default)."""
    parser.add_argument("--show-names", action="store_true",
                        help="show informants' names (confidential; by default quotes are pseudonymised)")


def unit_names_option(parser: argparse.ArgumentParser) -> None:
    """``--show-names`` on the listings of units: their text and speaker labels as spoken (confidential)."""
    parser.add_argument("--show-names", action="store_true",
                        help="show the units as spoken (confidential; by default speaker labels that are names and"
                             " the names the project knows inside the text show as in exports: '[informant"
                             " KII-03]', '[name]')")


def progress_option(parser: argparse.ArgumentParser) -> None:
    """``--progress``: a progress bar on stderr even when it is not a terminal."""
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr even when it is not a terminal")


def force_option(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace existing output files without asking (see :func:`replace_prompt`)."""
    parser.add_argument("--force", action="store_true",
                        help="replace existing files without asking (in a terminal you are asked; elsewhere the"
                             " command stops with exit status 2)")


def replace_prompt() -> Callable[[Path], bool] | None:
    """In a terminal, a question before an existing file is replaced; elsewhere None, so the core refuses (exit 2)
    unless --force was given: a script must never overwrite a file by accident, nor hang on a question."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None

    def ask(path: Path) -> bool:
        sys.stderr.write(f"{path} exists. Replace it? [y/N] ")
        sys.stderr.flush()
        try:
            answer = sys.stdin.readline()
        except (OSError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")

    return ask


# ---------------------------------------------------------------------------- the project and the coder


def project_dir(args: argparse.Namespace) -> Path:
    """The folder given with -p (before or after the command), else the current folder."""
    return Path(getattr(args, "project", None) or ".")


def open_project(args: argparse.Namespace) -> Project:
    """Open the project of ``-p`` and resolve the acting coder once: after this, ``args.coder`` is a name."""
    project = Project.open(project_dir(args))
    if hasattr(args, "coder_named"):
        args.coder = project.resolve_coder(args.coder_named)
    return project


def acting_coder(args: argparse.Namespace) -> str:
    """The acting coder for a command that may create its project: the name given, else the project's default
    coder when the project exists, else $QUALCODE_CODER or the login name."""
    named = getattr(args, "coder_named", None)
    if named and named.strip():
        return str(named).strip()
    folder = project_dir(args)
    if (folder / DB_NAME).exists():
        with Project.open(folder) as project:
            return project.resolve_coder(None)
    return default_coder()


def parse_coders(text: str | None) -> list[str] | None:
    """``--coders A,B`` as a list of names; None when not given (everyone)."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    return names or None


# ---------------------------------------------------------------------------- output


def emit(args: argparse.Namespace, data: Any, human: Callable[[Any], None] | None = None) -> int:
    """Print ``data`` as JSON when --json was given, else in human form."""
    if getattr(args, "json", False) or human is None:
        # One write: json.dump writes each token separately, and every write goes through stdout's wrapper (a
        # second for the suggestions of one long transcript).
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human(data)
    return 0


def table(rows: list[dict[str, Any]], columns: list[str], *, widths: dict[str, int] | None = None) -> None:
    """A plain aligned table (no colour, so it pipes cleanly)."""
    widths = widths or {}
    if not rows:
        print("(none)")
        return
    cells = [[_cell(r.get(c), widths.get(c)) for c in columns] for r in rows]
    w = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w[i]) for i, c in enumerate(columns)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w[i]) for i, v in enumerate(row)).rstrip())


def _cell(value: Any, width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text
