"""The import contract: the layers declared in pyproject.toml ([tool.qualcode.layers]) hold, and no module takes part
in an import cycle. Read from the source, so an import inside a function or under TYPE_CHECKING counts as much as
one at the top: such imports are how cycles hide."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qualcode"


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports() -> list[Import]:
    out = []
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # "from qualcode import workbench" imports the module qualcode.workbench
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
            for target in targets:
                while target and target not in MODULES and "." in target:
                    target = target.rpartition(".")[0]  # "import qualcode.nlp.project as x" -> the module itself
                if target in MODULES and target != name:
                    out.append(Import(name, target, line))
    return out


IMPORTS = _imports()


def _layers() -> list[tuple[str, list[str]]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [(layer["name"], layer["modules"]) for layer in config["tool"]["qualcode"]["layers"]]


LAYERS = _layers()


def layer_of(module: str) -> int | None:
    """The index of the module's layer: an exact entry wins over a package ("pkg.*"), a longer package over a
    shorter one."""
    best: tuple[int, int] | None = None  # (specificity, layer)
    for index, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            if entry.endswith(".*"):
                prefix = entry[:-2]
                if module == prefix or module.startswith(prefix + "."):
                    rank = len(prefix)
                else:
                    continue
            elif module == entry:
                rank = 10_000
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, index)
    return None if best is None else best[1]


def test_the_source_is_read() -> None:
    assert {"qualcode.store", "qualcode.cli", "qualcode.tui.app", "qualcode.actions.history"} <= set(MODULES)
    # an import inside a function is seen
    assert Import("qualcode.cli.workbench_commands", "qualcode.tui", 0).target in {
        i.target for i in IMPORTS if i.source == "qualcode.cli.workbench_commands"}


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) is None] == [], "add the module to [tool.qualcode.layers]"


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = [f"{i} — {LAYERS[layer_of(i.target) or 0][0].split(':')[0]} is above"
              f" {LAYERS[layer_of(i.source) or 0][0].split(':')[0]}"
              for i in IMPORTS if (layer_of(i.target) or 0) > (layer_of(i.source) or 0)]
    assert upward == []


def test_the_store_imports_only_the_foundation() -> None:
    store_layer = layer_of("qualcode.store")
    assert store_layer is not None
    assert [str(i) for i in IMPORTS if i.source == "qualcode.store" and layer_of(i.target) != 0] == []


def _cycles(edges: list[Import]) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for i in edges:
        graph.setdefault(i.source, set()).add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(IMPORTS) == []


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function() -> None:
    edges = [Import("a", "b", 1), Import("b", "c", 2), Import("c", "a", 3), Import("c", "d", 4)]
    assert _cycles(edges) == [["a", "b", "c"]]


@pytest.mark.parametrize("library", ["textual"])
def test_only_the_workbench_imports_textual(library: str) -> None:
    offenders = []
    for name, path in MODULES.items():
        if name.startswith("qualcode.tui"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == library for a in node.names):
                offenders.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == library:
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_the_workbench_does_not_import_the_command_line() -> None:
    assert [str(i) for i in IMPORTS if i.source.startswith("qualcode.tui") and i.target.startswith("qualcode.cli")] \
        == []


def test_no_two_modules_share_a_name() -> None:
    """A name says where a thing lives: two modules (or a module and a package) of the same name in different
    places make every traceback and every search ambiguous."""
    seen: dict[str, list[str]] = {}
    for module in MODULES:
        leaf = module.rpartition(".")[2]
        if module != "qualcode" and leaf not in ("__main__",):
            seen.setdefault(leaf, []).append(module)
    assert {leaf: mods for leaf, mods in seen.items() if len(mods) > 1} == {}


def _defined_in(package: str) -> set[str]:
    """The names a package's ``__init__`` defines at its top (what ``from package import name`` may take)."""
    tree = ast.parse(MODULES[package].read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def test_every_import_of_qualcode_names_a_module_that_exists() -> None:
    """A module moved or renamed leaves no import of its old name behind, in the package or the tests: an import
    inside a function would otherwise fail only when that function runs."""
    missing = []
    files = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                missing += [f"{where} {a.name}" for a in node.names
                            if a.name.split(".")[0] == "qualcode" and a.name not in MODULES]
            elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("qualcode"):
                module = node.module or ""
                if module.split(".")[0] != "qualcode":
                    continue
                if module not in MODULES:
                    missing.append(f"{where} {module}")
                elif MODULES[module].name == "__init__.py":
                    defined = _defined_in(module)
                    missing += [f"{where} {module}.{a.name}" for a in node.names
                                if f"{module}.{a.name}" not in MODULES and a.name not in defined and a.name != "*"]
    assert missing == []
