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


# ---------------------------------------------------------------------------- the front ends write through actions

_WRITE_SQL = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _sql(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _sql(node.left)
    return ""


def _writes_sql(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Attribute) and call.func.attr in ("execute", "executemany") and bool(call.args)
            and _sql(call.args[0]).lstrip().upper().startswith(_WRITE_SQL))


def _names_imported(module: str) -> dict[str, tuple[str, str | None]]:
    """What each name imported anywhere in a module refers to: (module, None) for a module, (module, name) for a
    name taken from one."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for a in node.names:
                full = f"{base}.{a.name}"
                out[a.asname or a.name] = (full, None) if full in MODULES else (base, a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                out[(a.asname or a.name).split(".")[0]] = (a.name, None)
    return out


def _functions() -> dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method of the package: (module, "name") or (module, "Class.name")."""
    found: dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[(module, node.name)] = node
            elif isinstance(node, ast.ClassDef):
                for f in node.body:
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found[(module, f"{node.name}.{f.name}")] = f
    return found


def _store_writers(functions: dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef]) -> set[str]:
    """The Project methods that change the database: they run writing SQL, or call one that does."""
    methods = {name.split(".")[1]: f for (m, name), f in functions.items()
               if m == "qualcode.store" and name.startswith("Project.")}
    writers: set[str] = set()
    while True:
        more = {name for name, f in methods.items() if name not in writers and any(
            isinstance(n, ast.Call) and (_writes_sql(n) or (
                isinstance(n.func, ast.Attribute) and n.func.attr in writers
                and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"))
            for n in ast.walk(f))}
        if not more:
            return writers
        writers |= more


class _Writes:
    """Which calls change a project: a Project method that writes (on anything but an action module; a name that
    another class of the package also defines counts only on a receiver named for a project), writing SQL, or a
    function of the package that does either, found by following imports (re-exports included) to a fixed point."""

    def __init__(self) -> None:
        self.functions = _functions()
        self.store = _store_writers(self.functions)
        others = {name.split(".")[1] for (m, name) in self.functions if "." in name and m != "qualcode.store"}
        self.ambiguous = self.store & others
        self.imports = {m: _names_imported(m) for m in MODULES}
        self.writers: set[tuple[str, str]] = set()
        while True:
            more = {key for key, f in self.functions.items() if key[0] != "qualcode.store"
                    and key not in self.writers and any(self.why(key[0], n) for n in ast.walk(f))}
            if not more:
                break
            self.writers |= more

    def resolve(self, module: str, name: str) -> tuple[str, str]:
        for _ in range(5):  # a name re-exported by a package's __init__
            if (module, name) in self.functions or name not in self.imports.get(module, {}):
                break
            target, attr = self.imports[module][name]
            if attr is None:
                break
            module, name = target, attr
        return module, name

    def why(self, module: str, node: ast.AST) -> str | None:
        """What makes this call a write to the project, if it is one."""
        if not isinstance(node, ast.Call):
            return None
        if _writes_sql(node):
            return "writing SQL"
        imports = self.imports[module]
        func = node.func
        if isinstance(func, ast.Name) and (func.id in imports or (module, func.id) in self.functions):
            origin = imports[func.id] if func.id in imports else (module, func.id)
            if origin[1] is not None:
                found = self.resolve(origin[0], origin[1])
                if found in self.writers and not found[0].startswith("qualcode.actions"):
                    return f"{'.'.join(found)}()"
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if isinstance(receiver, ast.Name) and receiver.id in imports and imports[receiver.id][1] is None:
                target = imports[receiver.id][0]
                if target.startswith("qualcode.actions"):
                    return None  # an action: the one way in
                if self.resolve(target, func.attr) in self.writers:
                    return f"{target}.{func.attr}()"
                return None
            if func.attr in self.store:
                named = ast.unparse(receiver)
                if func.attr not in self.ambiguous or "project" in named or named in ("p", "store"):
                    return f"Project.{func.attr}() on {named}"
        return None


def test_the_front_ends_change_a_project_only_through_actions() -> None:
    """A command or a screen that wrote through the store or a core function would be a second path for a user
    action, with its own rules; every write goes through :mod:`qualcode.actions`."""
    writes = _Writes()
    found = []
    for (module, name), f in writes.functions.items():
        if module.startswith(("qualcode.cli", "qualcode.tui")):
            found += [f"{module}:{getattr(n, 'lineno', 0)} {name} calls {why}" for n in ast.walk(f)
                      if (why := writes.why(module, n)) is not None]
    assert found == []


def test_the_write_check_finds_the_ways_around_the_actions() -> None:
    writes = _Writes()
    assert {"add_coding", "set_setting", "log_event", "set_position", "set_codebook"} <= writes.store
    assert {("qualcode.synthesis.findings", "set_key_quotes"), ("qualcode.safety.privacy", "set_third_parties"),
            ("qualcode.refi.imports", "import_refi"), ("qualcode.reanchor", "place_flagged")} <= writes.writers
    assert ("qualcode.nlp.project", "suggest_for_project") not in writes.writers  # a suggester's set_codebook
    assert ("qualcode.synthesis.matrices", "matrix") not in writes.writers  # reads only
    call = ast.parse("project.set_position('KII-01', 3, coder='ana')").body[0]
    assert isinstance(call, ast.Expr) and writes.why("qualcode.tui.screens", call.value) is not None
    call = ast.parse("coding.remember_position(p, 'KII-01', 3, coder='ana')").body[0]
    assert isinstance(call, ast.Expr) and writes.why("qualcode.tui.screens", call.value) is None
