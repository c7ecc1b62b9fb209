"""``qualcode completion bash|zsh|fish``: a shell completion script generated from the parser itself, so a new
command or option completes as soon as it is declared."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass, field

from qualcode.cli._common import Commands, command

SHELLS = ("bash", "zsh", "fish")
# options whose value is a file or folder (completed as paths); other values are completed from their choices
PATH_METAVARS = {"DIR", "FILE", "NEWDIR", "BACKUP", "FILE.html", "CB.yaml", "IN.jsonl", "TRAIN.jsonl",
                 "FILE_OR_FOLDER", "OTHER_PROJECT"}


def register(commands: Commands) -> None:
    p = command(commands, "completion", cmd_completion, help="print a shell completion script (bash, zsh or fish)",
                description="Print the completion script for SHELL. Load it in your shell's start-up file:"
                            " bash: eval \"$(qualcode completion bash)\" in ~/.bashrc; zsh: eval \"$(qualcode"
                            " completion zsh)\" in ~/.zshrc; fish: qualcode completion fish >"
                            " ~/.config/fish/completions/qualcode.fish.", project=False)
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")


def cmd_completion(args: argparse.Namespace) -> int:
    from qualcode.cli import build_parser

    tree = command_tree(build_parser())
    sys.stdout.write({"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](tree))
    return 0


@dataclass
class Option:
    names: list[str]
    help: str
    takes_value: bool
    choices: list[str]
    paths: bool


@dataclass
class Node:
    """One command (the root is ``qualcode`` itself): its sub-commands and its options."""

    path: str
    help: str = ""
    commands: dict[str, Node] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    positional_paths: bool = False
    positional_choices: list[str] = field(default_factory=list)

    def walk(self) -> list[Node]:
        out = [self]
        for sub in self.commands.values():
            out.extend(sub.walk())
        return out


def command_tree(parser: argparse.ArgumentParser, path: str = "", help: str = "") -> Node:
    """The commands and options of ``parser`` as completion needs them."""
    node = Node(path, help)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                node.commands[name] = command_tree(sub, f"{path} {name}".strip(), helps.get(name, ""))
        elif action.option_strings:
            choices = [str(c) for c in action.choices] if action.choices else []
            node.options.append(Option(list(action.option_strings), " ".join((action.help or "").split()),
                                       action.nargs != 0, choices, str(action.metavar) in PATH_METAVARS))
        elif action.choices:
            node.positional_choices.extend(str(c) for c in action.choices)
        elif str(action.metavar) in PATH_METAVARS:
            node.positional_paths = True
    return node


def _words(items: list[str]) -> str:
    return " ".join(items)


def _bash_body(tree: Node) -> str:
    at_cases, choice_cases = [], []
    for node in tree.walk():
        takes = [n for o in node.options if o.takes_value for n in o.names]
        flags = [n for o in node.options for n in o.names]
        paths = [n for o in node.options if o.paths for n in o.names]
        label = shlex.quote(node.path) if node.path else '""'
        at_cases.append(f"        {label}) commands={shlex.quote(_words(list(node.commands)))};"
                        f" options={shlex.quote(_words(flags))}; takes={shlex.quote(_words(takes))};"
                        f" paths={shlex.quote(_words(paths))}; values={shlex.quote(_words(node.positional_choices))};"
                        f" files={int(node.positional_paths)} ;;")
        for o in node.options:
            for name in o.names if o.choices else []:
                key, words = shlex.quote(node.path + "|" + name), shlex.quote(_words(o.choices))
                choice_cases.append(f"        {key}) echo {words} ;;")
    return f"""_qualcode_at() {{
    case "$1" in
{chr(10).join(at_cases)}
        *) commands=""; options=""; takes=""; paths=""; values=""; files=1 ;;
    esac
}}

_qualcode_choices() {{
    case "$1|$2" in
{chr(10).join(choice_cases)}
    esac
}}

_qualcode() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" path="" skip=0 i w
    local commands options takes paths values files choices
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if ((skip)); then skip=0; continue; fi
        _qualcode_at "$path"
        case " $takes " in *" $w "*) skip=1; continue ;; esac
        case " $commands " in *" $w "*) path="${{path:+$path }}$w" ;; esac
    done
    _qualcode_at "$path"
    COMPREPLY=()
    case " $takes " in
        *" $prev "*)
            choices="$(_qualcode_choices "$path" "$prev")"
            if [[ -n "$choices" ]]; then
                COMPREPLY=($(compgen -W "$choices" -- "$cur"))
            elif [[ " $paths " == *" $prev "* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return 0 ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ -n "$commands" ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ -n "$values" ]]; then
        COMPREPLY=($(compgen -W "$values" -- "$cur"))
    elif ((files)); then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}}
"""


def bash_script(tree: Node) -> str:
    return ("# qualcode completion for bash. Load it with: eval \"$(qualcode completion bash)\"\n"
            + _bash_body(tree) + "complete -o filenames -o bashdefault -F _qualcode qualcode\n")


def zsh_script(tree: Node) -> str:
    # zsh runs bash completion functions through bashcompinit, which ships with zsh
    return ("# qualcode completion for zsh. Load it with: eval \"$(qualcode completion zsh)\"\n"
            "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
            + _bash_body(tree) + "complete -o filenames -F _qualcode qualcode\n")


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(tree: Node) -> str:
    lines = ["# qualcode completion for fish. Install it with:",
             "#   qualcode completion fish > ~/.config/fish/completions/qualcode.fish",
             "function __qualcode_commands", "    switch \"$argv[1]\""]
    for node in tree.walk():
        if node.commands:
            lines.append(f"        case {_fish_quote(node.path)}")
            lines.append(f"            printf '%s\\n' {' '.join(_fish_quote(c) for c in node.commands)}")
    lines += ["    end", "end", "", "function __qualcode_takes", "    switch \"$argv[1]\""]
    for node in tree.walk():
        takes = [n for o in node.options if o.takes_value for n in o.names]
        if takes:
            lines.append(f"        case {_fish_quote(node.path)}")
            lines.append(f"            printf '%s\\n' {' '.join(_fish_quote(t) for t in takes)}")
    lines += ["    end", "end", "",
              "function __qualcode_path",
              "    set -l words (commandline -opc)",
              "    set -e words[1]",
              "    set -l path ''",
              "    set -l skip 0",
              "    for w in $words",
              "        if test $skip = 1",
              "            set skip 0",
              "            continue",
              "        end",
              "        if contains -- $w (__qualcode_takes \"$path\")",
              "            set skip 1",
              "            continue",
              "        end",
              "        if contains -- $w (__qualcode_commands \"$path\")",
              "            set path (string trim -- \"$path $w\")",
              "        end",
              "    end",
              "    echo $path",
              "end", "",
              "complete -c qualcode -f"]
    for node in tree.walk():
        cond = f"-n {_fish_quote('test (__qualcode_path) = ' + _fish_quote(node.path))}"
        for name, sub in node.commands.items():
            lines.append(f"complete -c qualcode {cond} -a {_fish_quote(name)} -d {_fish_quote(sub.help)}")
        for o in node.options:
            spec = " ".join(f"-s {n[1:]}" if len(n) == 2 else f"-l {n[2:]}" for n in o.names)
            extra = ""
            if o.takes_value:
                extra = f" -x -a {_fish_quote(' '.join(o.choices))}" if o.choices else (" -r -F" if o.paths else " -x")
            lines.append(f"complete -c qualcode {cond} {spec}{extra} -d {_fish_quote(o.help)}")
        if node.positional_choices:
            lines.append(f"complete -c qualcode {cond} -a {_fish_quote(' '.join(node.positional_choices))}")
        elif node.positional_paths:
            lines.append(f"complete -c qualcode {cond} -F")
    return "\n".join(lines) + "\n"
