"""The README's Architecture section is true to the code: the layers its table names are the layers
pyproject.toml declares (and tests/test_architecture.py enforces), every module is found in it, every action module
and command module is listed, and every function, class and method it names exists. A new engineer follows that
section to find where to add something; when the code moves, this fails until the section moves with it."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from test_architecture import LAYERS, MODULES, PACKAGE, ROOT, layer_of


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Architecture\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:] if end == -1 else readme[start:end]


def _table() -> list[tuple[str, str, str]]:
    rows = []
    for line in _section().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("layer", "---"):
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def _path(token: str, folders: list[str]) -> Path | None:
    """A file or folder the table names: from the top (``qualcode/...``), in the package, or in a folder named
    before it in the same cell (``qualcode/actions/``: ``coding.py``)."""
    for base in [ROOT, PACKAGE, *(ROOT / f for f in reversed(folders))]:
        if (base / token).exists():
            return base / token
    return None


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _named(cell: str) -> list[tuple[str, Path | None]]:
    out: list[tuple[str, Path | None]] = []
    folders: list[str] = []
    for token in re.findall(r"`([^`]+)`", cell):
        if not token.endswith((".py", "/")):
            continue
        path = _path(token, folders)
        out.append((token, path))
        if path is not None and path.is_dir():
            folders.append(str(path.relative_to(ROOT)))
    return out


def test_the_table_has_one_row_per_declared_layer_in_order() -> None:
    assert [row[0] for row in _table()] == [name.split(":")[0] for name, _ in LAYERS]


def test_every_file_in_the_table_exists_and_sits_in_the_layer_of_its_row() -> None:
    wrong = []
    for index, (layer, where, _) in enumerate(_table()):
        for token, path in _named(where):
            if path is None:
                wrong.append(f"{token} ({layer}): no such file or folder")
            elif (path.suffix == ".py" or (path / "__init__.py").exists()) \
                    and layer_of(_module(path)) != index:
                wrong.append(f"{token} is listed under {layer}, pyproject.toml puts it in another layer")
    assert wrong == []


def test_every_module_is_found_in_the_table() -> None:
    listed: set[str] = set()
    for _, where, _ in _table():
        listed |= {_module(path) for _, path in _named(where) if path is not None}
    missing = [m for m in MODULES if m != "qualcode" and not any(m == n or m.startswith(n + ".") for n in listed)]
    assert missing == []


def test_every_action_module_is_listed() -> None:
    row = next(where for layer, where, _ in _table() if layer == "actions")
    listed = {path.name for _, path in _named(row) if path is not None and path.is_file()}
    assert listed == {p.name for p in (PACKAGE / "actions").glob("*.py")} - {"__init__.py"}


def test_every_command_module_is_listed_where_a_new_command_goes() -> None:
    section = _section()
    paragraph = section[section.index("**Where a new command goes.**"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    listed = set(re.findall(r"`(\w+_commands)`", paragraph))
    assert listed == {p.stem for p in (PACKAGE / "cli").glob("*_commands.py")}


@cache
def _definitions() -> tuple[set[str], dict[str, set[str]]]:
    """Every function, class and module-level name the package defines, and the members of each class."""
    names: set[str] = {m.rpartition(".")[2] for m in MODULES}  # a module named by itself (`project_commands`)
    members: dict[str, set[str]] = {}
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            if isinstance(node, ast.ClassDef):
                found = members.setdefault(node.name, set())
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        found.add(item.target.id)
        for stmt in tree.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] \
                if isinstance(stmt, ast.AnnAssign) else []
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names, members


def _code_names() -> list[str]:
    """The Python names the section writes as code: ``apply_code``, ``Host.write``, ``open_project(args)``,
    ``qualcode.actions.coding.apply_code(...)``, not file names, commands, keys or options."""
    out = []
    for token in re.findall(r"`([^`]+)`", _section()):
        head = token.split("(")[0].strip()
        if head.startswith("qualcode.") and head.rpartition(".")[0] in MODULES:
            out.append(head)
        elif re.fullmatch(r"[A-Za-z_]\w*(\.\w+)?", head) and ("_" in head or head[0].isupper()
                                                             or "(" in token or "." in head):
            out.append(head)
    return out


def test_every_name_the_section_gives_exists_in_the_code() -> None:
    names, members = _definitions()
    missing = []
    for name in _code_names():
        if name.startswith("qualcode."):
            module, _, attr = name.rpartition(".")
            if attr not in {n.name for n in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8")))
                            if isinstance(n, (ast.FunctionDef, ast.ClassDef))}:
                missing.append(name)
        elif "." in name:
            owner, _, member = name.partition(".")
            if owner in members and member not in members[owner]:
                missing.append(name)
            elif owner not in members and owner[0].isupper():
                missing.append(name)
        elif name not in names:
            missing.append(name)
    assert missing == []


def test_the_name_check_sees_the_names() -> None:
    found = _code_names()
    assert {"apply_code", "Host.write", "open_project", "Project.log_event", "WorkbenchScreen"} <= set(found)
    assert "qualcode codings add" not in found and "c" not in found
