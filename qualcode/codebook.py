"""Codebooks: load a YAML code tree, validate it with precise messages, compare two versions.

A codebook file is either a mapping with ``codes:`` (plus optional ``name``, ``description``, ``version``) or a
bare list of codes. Codes nest with ``children:``; a flat list may instead give each code a ``parent:`` id (as
spreadsheets export them). Every problem is reported with file, line and what to do, not just the first one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import CodebookError, CodebookProblem, InputError
from qualcode.model import Code, Codebook, CodeGroup

TOP_KEYS = {"name", "description", "version", "codes", "groups"}
GROUP_KEYS = {"name", "description", "codes"}
CODE_KEYS = {
    "id",
    "name",
    "definition",
    "questions",
    "keywords",
    "examples",
    "include",
    "exclude",
    "indicator",
    "color",
    "children",
    "parent",
}
LIST_KEYS = ("questions", "keywords", "examples", "include", "exclude", "indicator")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
MAX_DEPTH = 32  # levels of codes below a criterion; the same bound as qualcode.safeio.limits.Limits.max_code_depth


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise :class:`CodebookError` listing every problem."""
    p = Path(path)
    text = _read_text(p)
    codebook, problems = parse_codebook(text, str(p))
    if problems or codebook is None:
        raise CodebookError(problems or [CodebookProblem("empty codebook", path=str(p))], path=None)
    codebook.source = str(p)
    return codebook


def validate_codebook_file(path: str | Path) -> list[CodebookProblem]:
    """Every problem of a codebook file (empty list when it is valid)."""
    p = Path(path)
    try:
        text = _read_text(p)
    except InputError as err:
        return [CodebookProblem(err.message.split(": ", 1)[-1], path=str(p))]
    return parse_codebook(text, str(p))[1]


def _read_text(p: Path) -> str:
    from qualcode.safeio.files import read_input

    data = read_input(p, what="codebook file", hint="check the path to the codebook")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is a binary file, not a YAML codebook", path=str(p))
    for enc in ("utf-8-sig", "utf-16"):
        try:
            if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("is not UTF-8 text", path=str(p), hint="save the codebook as UTF-8")


def parse_codebook(text: str, path: str = "<codebook>") -> tuple[Codebook | None, list[CodebookProblem]]:
    """Parse codebook YAML text. Returns the codebook (None if unusable) and all problems found."""
    import yaml

    from qualcode.safeio import yaml as safe_yaml

    problems: list[CodebookProblem] = []

    def problem(msg: str, node: Any = None, line: int | None = None) -> None:
        if line is None and node is not None:
            line = node.start_mark.line + 1
        problems.append(CodebookProblem(msg, path=path, line=line))

    try:
        # aliases are allowed in codebooks (a shared keyword list), as long as they do not expand to a bomb
        root = safe_yaml.compose(text, path, aliases="bounded")
    except safe_yaml.YamlError as err:
        reason = err.reason
        if reason.startswith("is not valid YAML: "):
            reason = f"YAML syntax error: {reason.removeprefix('is not valid YAML: ')}; fix the indentation or " \
                     "quoting there"
        problem(reason, line=err.line)
        return None, problems
    if root is None:
        problem("the codebook is empty; add a 'codes:' list", line=1)
        return None, problems

    meta: dict[str, str] = {}
    codes_node: Any
    groups_node: Any = None
    if isinstance(root, yaml.SequenceNode):
        codes_node = root
    elif isinstance(root, yaml.MappingNode):
        codes_node = None
        for key_node, value_node in _mapping_items(root, problem):
            key = key_node.value
            if key not in TOP_KEYS:
                problem(_unknown_key_msg(key, TOP_KEYS, "top level"), key_node)
                continue
            if key == "codes":
                codes_node = value_node
            elif key == "groups":
                groups_node = value_node
            else:
                if not isinstance(value_node, yaml.ScalarNode):
                    problem(f"'{key}' must be text", value_node)
                else:
                    meta[key] = str(value_node.value)
        if codes_node is None:
            problem("no 'codes:' list; the codebook needs at least one code", root)
            return None, problems
    else:
        problem("a codebook must be a mapping with 'codes:' or a list of codes", root)
        return None, problems

    if not isinstance(codes_node, yaml.SequenceNode) or not codes_node.value:
        problem("'codes' must be a non-empty list of codes (each starting with '- id: ...')", codes_node)
        return None, problems

    builder = _Builder(problem)
    roots = [c for c in (builder.code(n, depth=0, stack=()) for n in codes_node.value) if c is not None]
    roots = builder.resolve_parents(roots)
    if not problems:
        _check_depth(roots, problem)
    groups = _groups(groups_node, {c.id for r in roots for c in r.walk()}, problem) if groups_node else []
    if problems:
        return None, problems
    cb = Codebook(
        roots=roots,
        name=meta.get("name", "Codebook"),
        description=meta.get("description", ""),
        version=meta.get("version", "1"),
        groups=groups,
    )
    return cb, problems


def _groups(node: Any, ids: set[str], problem: Any) -> list[CodeGroup]:
    """The codebook's ``groups:``: each a name, an optional description and the ids of its codes."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        problem("'groups' must be a list of groups (each '- name: ...' with 'codes: [code ids]')", node)
        return []
    groups: list[CodeGroup] = []
    seen: set[str] = set()
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            problem("each group must be a mapping with 'name' and 'codes'", item)
            continue
        fields: dict[str, Any] = {}
        for key_node, value_node in _mapping_items(item, problem):
            if key_node.value not in GROUP_KEYS:
                problem(_unknown_key_msg(key_node.value, GROUP_KEYS, "a group"), key_node)
                continue
            fields[key_node.value] = value_node
        name_node = fields.get("name")
        name = str(name_node.value).strip() if isinstance(name_node, yaml.ScalarNode) else ""
        if not name:
            problem("a group needs a 'name'", item)
            continue
        if name.casefold() in seen:
            problem(f"group '{name}' appears twice; merge the two lists of codes", item)
            continue
        seen.add(name.casefold())
        codes_node = fields.get("codes")
        members: list[str] = []
        if codes_node is not None:
            if not isinstance(codes_node, yaml.SequenceNode):
                problem(f"group '{name}': 'codes' must be a list of code ids", codes_node)
                continue
            for c in codes_node.value:
                if not isinstance(c, yaml.ScalarNode):
                    problem(f"group '{name}': each of its 'codes' must be one code id, not a list or mapping", c)
                    continue
                code_id = str(c.value).strip()
                if code_id not in ids:
                    problem(f"group '{name}' lists '{code_id}', which is not a code of this codebook; use a code's"
                            " id", c)
                elif code_id not in members:
                    members.append(code_id)
        desc_node = fields.get("description")
        if desc_node is not None and not isinstance(desc_node, yaml.ScalarNode):
            problem(f"group '{name}': 'description' must be text, not a list or mapping", desc_node)
        description = str(desc_node.value).strip() if isinstance(desc_node, yaml.ScalarNode) else ""
        groups.append(CodeGroup(name=name, codes=members, description=description))
    return groups


def _mapping_items(node: Any, problem: Any) -> list[tuple[Any, Any]]:
    import yaml

    seen: dict[str, int] = {}
    items = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problem("keys must be plain words", key_node)
            continue
        key = str(key_node.value)
        if key in seen:
            problem(f"key '{key}' appears twice in the same code (first on line {seen[key]}); keep one", key_node)
            continue
        seen[key] = key_node.start_mark.line + 1
        items.append((key_node, value_node))
    return items


def _unknown_key_msg(key: str, allowed: set[str], where: str) -> str:
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(sorted(allowed))
    return f"unknown key '{key}' at {where}; {hint}"


class _Builder:
    def __init__(self, problem: Any) -> None:
        self.problem = problem
        self.ids: dict[str, int] = {}
        self.parent_refs: list[tuple[Code, str, Any]] = []

    def code(self, node: Any, depth: int, stack: tuple[int, ...]) -> Code | None:
        import yaml

        if id(node) in stack:
            self.problem("the code tree contains a cycle (a code is its own ancestor); remove the alias", node)
            return None
        if depth > MAX_DEPTH:
            self.problem(_too_deep(depth), node)
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem("each code must be a mapping with at least 'id', 'name' and 'definition'", node)
            return None
        fields: dict[str, Any] = {}
        for key_node, value_node in _mapping_items(node, self.problem):
            key = key_node.value
            if key not in CODE_KEYS:
                self.problem(_unknown_key_msg(key, CODE_KEYS, "a code"), key_node)
                continue
            fields[key] = value_node
        line = node.start_mark.line + 1
        code_id = self._scalar(fields.get("id"), "id")
        label = f"code '{code_id}'" if code_id else "a code"
        if not code_id:
            if "id" not in fields:
                self.problem("code has no 'id'; add a unique id such as 'relevance.needs'", node)
        elif not ID_RE.match(code_id):
            self.problem(f"code id '{code_id}' may use only letters, digits, '_', '.', '-' (no spaces)", fields["id"])
        elif code_id in self.ids:
            self.problem(
                f"duplicate code id '{code_id}' (first defined on line {self.ids[code_id]}); give each code its own id",
                fields["id"],
            )
        else:
            self.ids[code_id] = line
        name = self._scalar(fields.get("name"), "name")
        if not name:
            self.problem(f"{label} has no 'name'; add a short label", node)
        definition = self._scalar(fields.get("definition"), "definition")
        if not definition:
            self.problem(f"{label} has no 'definition'; say what passages belong to it", node)
        lists = {k: self._strings(fields.get(k), k, label) for k in LIST_KEYS}
        color = self._scalar(fields.get("color"), "color")
        if color and not COLOR_RE.match(color):
            self.problem(f"{label} has colour '{color}'; use '#RRGGBB' (e.g. '#1f77b4')", fields["color"])
            color = None
        children: list[Code] = []
        if "children" in fields:
            cnode = fields["children"]
            if isinstance(cnode, yaml.ScalarNode) and cnode.value in ("", "~", "null"):
                pass
            elif not isinstance(cnode, yaml.SequenceNode):
                self.problem(f"'children' of {label} must be a list of codes", cnode)
            else:
                for child in cnode.value:
                    c = self.code(child, depth + 1, (*stack, id(node)))
                    if c is not None:
                        children.append(c)
        code = Code(
            id=code_id or f"?line{line}",
            name=name or "",
            definition=definition or "",
            color=color.lower() if color else None,
            children=children,
            line=line,
            questions=lists["questions"],
            keywords=lists["keywords"],
            examples=lists["examples"],
            include=lists["include"],
            exclude=lists["exclude"],
            indicators=lists["indicator"],
        )
        parent = self._scalar(fields.get("parent"), "parent")
        if parent:
            if depth > 0:
                self.problem(f"{label} has both a nesting parent and 'parent: {parent}'; use one", fields["parent"])
            else:
                self.parent_refs.append((code, parent, fields["parent"]))
        return code

    def _scalar(self, node: Any, key: str) -> str | None:
        import yaml

        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(f"'{key}' must be a single value, not a list or mapping", node)
            return None
        value = str(node.value).strip()
        return value or None

    def _strings(self, node: Any, key: str, label: str) -> list[str]:
        import yaml

        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            value = str(node.value).strip()
            return [value] if value and value not in ("~", "null") else []
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                if isinstance(item, yaml.ScalarNode):
                    if str(item.value).strip():
                        out.append(str(item.value).strip())
                else:
                    self.problem(f"'{key}' of {label} must be a list of texts", item)
            return out
        self.problem(f"'{key}' of {label} must be a text or a list of texts", node)
        return []

    def resolve_parents(self, roots: list[Code]) -> list[Code]:
        """Attach codes given with ``parent:`` (flat lists) under their parent, detecting cycles."""
        if not self.parent_refs:
            return roots
        by_id: dict[str, Code] = {}
        for r in roots:
            for c in r.walk():
                by_id[c.id] = c
        parent_of = {code.id: parent for code, parent, _ in self.parent_refs}
        for code, parent, node in self.parent_refs:
            if parent not in by_id:
                close = difflib.get_close_matches(parent, list(by_id), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(f"code '{code.id}' has unknown parent '{parent}'{hint}", node)
                continue
            seen = {code.id}
            cur: str | None = parent
            while cur is not None:
                if cur in seen:
                    self.problem(f"codes form a cycle through 'parent:' ({code.id} -> {parent} -> ...)", node)
                    break
                seen.add(cur)
                cur = parent_of.get(cur)
        attached = {code.id for code, parent, _ in self.parent_refs if parent in by_id}
        for code, parent, _ in self.parent_refs:
            if code.id in attached and parent in by_id:
                by_id[parent].children.append(code)
        return [r for r in roots if r.id not in attached]


def _too_deep(depth: int, code_id: str | None = None) -> str:
    which = f"code '{code_id}'" if code_id else "this code"
    return (f"{which} is nested {depth} levels below its criterion; qualcode reads code trees up to {MAX_DEPTH} "
            "levels deep, so move it (or its parent) up")


def _check_depth(roots: list[Code], problem: Any) -> None:
    """Codes attached with 'parent:' can build a tree deeper than the nesting check saw; walked without recursion."""
    stack = [(r, 0) for r in roots]
    while stack:
        code, depth = stack.pop()
        if depth > MAX_DEPTH:
            problem(_too_deep(depth, code.id), line=code.line)
            return
        stack.extend((c, depth + 1) for c in code.children)


def check_codebook(codebook: Codebook, *, path: str | None = None) -> None:
    """Refuse, before anything is written, a codebook that the project could not read back (too deep, duplicate
    ids, empty names...): it is stored as YAML and re-read by every command, so it must pass the same checks as a
    codebook file."""
    _cb, problems = parse_codebook(dump_codebook(codebook), path or "<codebook>")
    if problems:
        first = problems[0]
        raise CodebookError([CodebookProblem(first.message, path=path)] + problems[1:], path=path)


# ---------------------------------------------------------------------------- comparing codebooks


@dataclass
class CodebookChange:
    """What changes when a project moves from one codebook to another (codes matched by id)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # id, old name, new name
    moved: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # id, old parent, new parent
    redefined: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.moved or self.redefined)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "renamed": [{"id": i, "old": o, "new": n} for i, o, n in self.renamed],
            "moved": [{"id": i, "old_parent": o, "new_parent": n} for i, o, n in self.moved],
            "redefined": self.redefined,
        }


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookChange:
    change = CodebookChange()
    old_ids, new_ids = set(old.ids), set(new.ids)
    change.added = [i for i in new.ids if i not in old_ids]
    change.removed = [i for i in old.ids if i not in new_ids]
    for code in new.walk():
        before = old.get(code.id)
        if before is None:
            continue
        if before.name != code.name:
            change.renamed.append((code.id, before.name, code.name))
        if before.parent_id != code.parent_id:
            change.moved.append((code.id, before.parent_id, code.parent_id))
        if before.definition != code.definition:
            change.redefined.append(code.id)
    return change


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """A YAML-ready dict in the same format :func:`parse_codebook` reads."""

    def code_dict(c: Code) -> dict[str, Any]:
        d: dict[str, Any] = {"id": c.id, "name": c.name, "definition": c.definition}
        for key in ("questions", "keywords", "examples"):
            if getattr(c, key):
                d[key] = list(getattr(c, key))
        for key in ("include", "exclude"):
            values = getattr(c, key)
            if values:
                d[key] = values[0] if len(values) == 1 else list(values)
        if c.indicators:
            d["indicator"] = c.indicators[0] if len(c.indicators) == 1 else list(c.indicators)
        if c.color:
            d["color"] = c.color
        if c.children:
            d["children"] = [code_dict(ch) for ch in c.children]
        return d

    d: dict[str, Any] = {
        "name": codebook.name,
        "version": codebook.version,
        "description": codebook.description,
        "codes": [code_dict(r) for r in codebook.roots],
    }
    if codebook.groups:
        d["groups"] = [{"name": g.name, **({"description": g.description} if g.description else {}),
                        "codes": list(g.codes)} for g in codebook.groups]
    return d


def dump_codebook(codebook: Codebook) -> str:
    from qualcode.safeio import yaml as safe_yaml

    return safe_yaml.dump(codebook_to_dict(codebook), width=100)


def default_codebook_path() -> Path:
    """The shipped evaluation-criteria codebook (inside the package when installed, else the repo copy)."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "data" / "evaluation-criteria.yaml",
        here.parent / "codebooks" / "evaluation-criteria.yaml",
    ):
        if candidate.exists():
            return candidate
    raise InputError("the default codebook is missing from this installation", hint="pass --codebook FILE")
