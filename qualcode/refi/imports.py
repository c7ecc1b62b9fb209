"""Read REFI-QDA codebooks (.qdc) and projects (.qdpx) from qualcode or other tools.

Other tools' selections are character ranges; here they become codings of every unit the range overlaps. Each
source's text is parsed like any transcript (speaker labels recognised), and each unit is located in the shipped
text to translate offsets. Files written by qualcode carry ``qualcode.json`` and come back exactly (same text, units,
speakers). What other tools get wrong is tolerated where it can be: namespace typos, GUID case and braces, a
byte-order mark, CRLF line ends (counted as two positions, except from ATLAS.ti), ``Sources/`` or a differently named
``.qde``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from qualcode.codebook import check_codebook
from qualcode.errors import InputError, QualcodeError
from qualcode.folding import fold
from qualcode.importing import ID_SAFE, safe_id, tidy_id
from qualcode.model import Code, Codebook, CodeGroup, ParsedTranscript, ProgressFn, Turn, Unit
from qualcode.refi.common import (
    CASE_FOLDERS,
    EXTENSION_MEMBER,
    KIND_VARIABLE,
    PAGE_MARK,
    RGB,
    SPEAKERS_VARIABLE,
    ShippedOffsets,
    guid,
    local,
    marked_color,
    norm_guid,
    parse_speakers_value,
    split_id_marker,
    xsd_datetime,
)
from qualcode.refi.positions import CHARACTERS, UTF16, Choice, Convention, PositionMap, Selection, choose, summarise
from qualcode.safeio.archive import Archive
from qualcode.safeio.cleaning import clean, describe, is_clean
from qualcode.safeio.files import check_size, read_input
from qualcode.safeio.limits import limits
from qualcode.store import DB_NAME, Project, now_iso, source_type_of, text_hash
from qualcode.textmatch import align_words

if TYPE_CHECKING:
    from lxml import etree


# ---------------------------------------------------------------------------- XML


# elements whose content the schema types as plain text (xsd:string, no attributes): no markup can be inside them
_TEXT_ONLY = re.compile(rb"(<(PlainTextContent|Description)\s*>)(.*?)(</\2\s*>)", re.DOTALL)
_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _escape_text_only(data: bytes) -> tuple[bytes, int]:
    """``data`` with '&', '<' and '>' written as text where they stand bare inside a text-only element (QualCoder
    writes an annotation's memo into PlainTextContent unescaped, so 'P2 & P4 <below>' breaks the file), and how
    many elements needed it."""
    fixed = 0

    def escape(m: re.Match[bytes]) -> bytes:
        nonlocal fixed
        body = _BARE_AMP.sub(b"&amp;", m.group(3)).replace(b"<", b"&lt;").replace(b">", b"&gt;")
        fixed += body != m.group(3)
        return m.group(1) + body + m.group(4)

    return _TEXT_ONLY.sub(escape, data), fixed


def _parse_xml(data: bytes, name: str, removed: Counter[str] | None = None,
               warnings: list[str] | None = None) -> etree._Element:
    """Parse a REFI-QDA XML member. With ``warnings``, a file that is not well-formed only because a memo's text
    holds bare '&', '<' or '>' is read with them as text, and a warning says how many memos were read so."""
    from qualcode.safeio.xml import clean_tree, parse_xml

    hint = "export it again from the other tool"
    try:
        root = parse_xml(data, name, hint=hint)
    except InputError as err:
        if warnings is None or "is not valid XML" not in str(err):
            raise
        repaired, fixed = _escape_text_only(data)
        if not fixed:
            raise
        try:
            root = parse_xml(repaired, name, hint=hint)
        except InputError:
            raise err from None
        warnings.append(f"{fixed} memo text(s) in the file held bare '&', '<' or '>' (not written as XML text): "
                        "read as the characters they are")
    clean_tree(root, removed if removed is not None else Counter())
    return root


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str) and local(c.tag) == name]


def _child(el: Any, name: str) -> Any:
    found = _children(el, name)
    return found[0] if found else None


def _text_of(el: Any, name: str) -> str:
    c = _child(el, name)
    return (c.text or "") if c is not None else ""


# ---------------------------------------------------------------------------- codes


# the user QualCoder's speaker tool codes each speaker's turns as (under a category "📌 Speakers")
QUALCODER_SPEAKER_USER = "📌 Speaker coding"
SPEAKER_MARKS = "QualCoder speaker marks (turns its speaker tool coded; speakers are read from the text's labels)"


def _speaker_folder_codes(codes_el: Any) -> set[str]:
    """In a QualCoder codebook (no codings to tell by): the codes of the top-level category QualCoder's speaker tool
    makes, whose name it starts with a pin ('📌 Speakers', translated into the user's language)."""
    found: set[str] = set()
    for folder in _children(codes_el, "Code") if codes_el is not None else []:
        if folder.get("isCodable") == "false" and (folder.get("name") or "").startswith("📌"):
            found.update(norm_guid(c.get("guid")) for c in folder.iter() if c is not folder and isinstance(c.tag, str)
                         and local(c.tag) == "Code")
    return found


def _speaker_mark_codes(root: Any) -> set[str]:
    """GUIDs of the codes only QualCoder's speaker tool coded with: marks of who speaks, not codes of meaning."""
    users = _child(root, "Users")
    marker = {norm_guid(u.get("guid")) for u in (_children(users, "User") if users is not None else [])
              if (u.get("name") or "").strip() == QUALCODER_SPEAKER_USER}
    if not marker:
        return set()
    marks: set[str] = set()
    others: set[str] = set()
    for sel in root.iter():
        if not isinstance(sel.tag, str) or not local(sel.tag).endswith("Selection"):
            continue
        for coding in _children(sel, "Coding"):
            ref = _child(coding, "CodeRef")
            who = norm_guid(coding.get("creatingUser") or sel.get("creatingUser"))
            if ref is not None:
                (marks if who in marker else others).add(norm_guid(ref.get("targetGUID")))
    return marks - others


# attributes that say who an informant is: a difference there is another person, not a correction
_IDENTITY = frozenset({"stakeholder_group", "sex", "gender"})


class _Codes:
    """Code GUIDs of a file mapped to code ids, and the Codebook they form."""

    def __init__(self, codes_el: Any, *, origin: str, known: Codebook | None, extension_yaml: str | None,
                 guid_map: dict[str, str] | None = None, case_guids: set[str] | None = None,
                 name: str = "", speaker_marks: set[str] | None = None) -> None:
        from qualcode.codebook import parse_codebook

        self.name = name
        self.known = known
        self.guid_map = {norm_guid(k): v for k, v in (guid_map or {}).items()}
        self.case_guids = case_guids or set()
        self.speaker_marks = speaker_marks or set()
        self.speaker_codes_left_out = 0  # (a .qdc) codes of QualCoder's speaker tool left out
        self.case_codes: dict[str, str] = {}  # codes that stand for a case (NVivo, qualcode): guid -> name
        self.by_guid: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}  # code id -> note guids
        self.new_ids: list[str] = []
        self.empty_sets: list[str] = []  # sets of codes none of whose codes is in the codebook
        reference: dict[str, Code] = {}
        if extension_yaml:
            cb, _ = parse_codebook(extension_yaml, "<qualcode.json>")
            if cb is not None:
                self.extension = cb
                reference.update({norm_guid(guid("code", c.id)): c for c in cb.walk()})
        if known is not None:
            reference.update({norm_guid(guid("code", c.id)): c for c in known.walk()})
        self._taken = set(known.ids) if known is not None else set()
        self._taken_by_file: set[str] = set()
        self.roots: list[Code] = []
        # QualCoder lists a sub-code twice under one GUID: inside its parent code and again directly under the
        # category. One GUID is one code: it is read where it sits deepest (under its parent code), once.
        self._keep: dict[str, Any] = {}
        self.repeated: list[str] = []  # names of codes the file lists more than once with one GUID
        if codes_el is not None:
            depth_of: dict[str, int] = {}
            stack = [(c, 0) for c in reversed(_children(codes_el, "Code"))]
            while stack:
                el, depth = stack.pop()
                g = norm_guid(el.get("guid"))
                if g and depth > depth_of.get(g, -1):
                    depth_of[g] = depth
                    self._keep[g] = el
                stack.extend((c, depth + 1) for c in reversed(_children(el, "Code")))
        if codes_el is not None:
            for el in _children(codes_el, "Code"):
                code = self._code(el, None, reference, origin)
                if code is not None:
                    self.roots.append(code)
        ext = getattr(self, "extension", None)
        self.codebook = Codebook(roots=self.roots, name=self._name(known),
                                 version=ext.version if ext is not None else "1",
                                 description=ext.description if ext is not None else "")

    def read_sets(self, sets_el: Any) -> None:
        """The file's sets of codes as the codebook's groups (members by ``guid`` in a .qdc, ``targetGUID`` in a
        project; either is read); the names of sets none of whose codes is in the codebook go to ``empty_sets``."""
        empty: list[str] = []
        groups: dict[str, CodeGroup] = {}
        for st in _children(sets_el, "Set") if sets_el is not None else []:
            members = _children(st, "MemberCode")
            if not members:
                continue  # a set of sources only (read with the sources)
            name = (st.get("name") or "").strip() or "Unnamed set"
            ids = [self.by_guid[g] for g in (norm_guid(m.get("targetGUID") or m.get("guid")) for m in members)
                   if g in self.by_guid]
            if not ids:
                empty.append(name)
                continue
            group = groups.setdefault(name.casefold(), CodeGroup(name=name, description=_text_of(st, "Description")
                                                                 .strip()))
            group.codes.extend(i for i in ids if i not in group.codes)
        self.codebook.groups = list(groups.values())
        self.empty_sets = empty

    def _name(self, known: Codebook | None) -> str:
        if known is not None:
            return known.name
        ext = getattr(self, "extension", None)
        return ext.name if ext is not None else "Imported codebook"

    def _code(self, el: Any, parent: Code | None, reference: dict[str, Code], origin: str,
              depth: int = 0) -> Code | None:
        bound = limits().max_code_depth
        if depth > bound:
            # refused here, before anything is written: a deeper tree would break every later command
            raise InputError(f"nests codes more than {bound} levels below a criterion (code "
                             f"'{(el.get('name') or '').strip()[:40]}'); qualcode reads code trees up to {bound} "
                             "levels deep", path=self.name or None,
                             hint="flatten the code tree in the other tool and export it again")
        g = norm_guid(el.get("guid"))
        name = (el.get("name") or "").strip() or "Unnamed code"
        if g and self._keep.get(g, el) is not el:
            if name not in self.repeated:
                self.repeated.append(name)
            return None
        if g in self.speaker_marks:
            return None  # a speaker of QualCoder's speaker tool: its turns are read from the text's labels
        if g in self.case_guids:
            # NVivo and qualcode write each case also as a code with the case's GUID, coding the case's text
            self.case_codes[g] = name
            return None
        if parent is None and self.case_guids and el.get("isCodable") == "false" and name in CASE_FOLDERS \
                and not _children(el, "Code"):
            # the folder of case codes, emptied by a tool that kept the cases but not their codes (QualCoder keeps
            # the folder as an empty category): not a code
            return None
        # portableQDA writes a code's description as an attribute
        written = _text_of(el, "Description").strip() or (el.get("description") or "").strip()
        marked, description = split_id_marker(written)
        if marked in self._taken_by_file:
            marked = None  # a code copied in the other tool carries its original's id: only the first keeps it
        ref = reference.get(g)
        if ref is None and self.known is not None:
            # the same code as before: its GUID was seen by an earlier import, it carries the id of one of ours (in
            # its description), or it has the same name under the same parent
            mapped = self.guid_map.get(g)
            ref = self.known.get(mapped) if mapped and mapped in self.known else None
            if ref is None and marked and marked in self.known:
                ref = self.known.get(marked)
            if ref is None:
                parent_here = self.known.get(parent.id) if parent is not None and parent.id in self.known else None
                siblings = self.known.roots if parent is None else (parent_here.children if parent_here else [])
                ref = next((c for c in siblings if c.name.strip().casefold() == name.casefold()
                            and c.id not in self._taken_by_file), None)
        if ref is not None:
            code_id = ref.id
        elif marked and marked not in self._taken:
            # a qualcode code come back without its GUID (QualCoder writes new ones): its id as it was
            code_id = marked
            self.new_ids.append(code_id)
        else:
            # letters with no ASCII form (ø, ß, CJK) are dropped; lower() again for compatibility letters such as
            # '₨' that only become upper-case ASCII ('Rs') when folded
            ascii_name = fold(name).encode("ascii", "ignore").decode().lower()
            base = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_") or "code"
            code_id = f"{parent.id}.{base}" if parent else base
            n = 2
            while code_id in self._taken:
                code_id = f"{parent.id}.{base}_{n}" if parent else f"{base}_{n}"
                n += 1
            self.new_ids.append(code_id)
        self._taken.add(code_id)
        self._taken_by_file.add(code_id)
        color = el.get("color") if el.get("color") and RGB.match(el.get("color")) else None
        kept = marked_color(_text_of(el, "Description"))
        if kept and (color is None or origin.startswith("QualCoder") and _palette_snap(color, kept)):
            # the colour qualcode sent, which the tool dropped or replaced by the nearest of its palette
            color = kept
        code = Code(
            id=code_id,
            name=ref.name if ref is not None else name,
            definition=(ref.definition if ref is not None and ref.definition else description)
            or f"Imported from {origin or 'another tool'}.",
            color=color or (ref.color if ref is not None else None),
        )
        if ref is not None:
            for key in ("questions", "keywords", "examples", "include", "exclude"):
                setattr(code, key, list(getattr(ref, key)))
        self.by_guid[g] = code_id
        self.notes[code_id] = [norm_guid(n.get("targetGUID")) for n in _children(el, "NoteRef")]
        children = [self._code(c, code, reference, origin, depth + 1) for c in _children(el, "Code")]
        code.children = [c for c in children if c is not None]
        if children and not code.children and el.get("isCodable") == "false":
            # a folder holding only cases (as qualcode writes them) is not a code either
            self.by_guid.pop(g, None)
            self.notes.pop(code_id, None)
            if code_id in self.new_ids:
                self.new_ids.remove(code_id)
            self._taken.discard(code_id)
            return None
        return code


# QualCoder replaces a code's colour by the nearest colour of its palette (by the mean of the three channels'
# differences): up to 31 of 255 on the example project's ten colours. A colour further from the one qualcode sent was
# chosen in QualCoder and stands.
_PALETTE_SNAP = 40


def _palette_snap(color: str, sent: str) -> bool:
    """Whether ``color`` is within a palette's replacement of ``sent`` (both '#rrggbb')."""
    try:
        a = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
        b = [int(sent[i:i + 2], 16) for i in (1, 3, 5)]
    except ValueError:
        return False
    return len(color) == 7 and sum(abs(x - y) for x, y in zip(a, b, strict=True)) / 3 <= _PALETTE_SNAP


def read_qdc(path: str | Path, *, known: Codebook | None = None) -> Codebook:
    """Read a .qdc codebook. Codes whose GUID is a qualcode code's (``known`` or the shipped ids) keep its id."""
    return _read_qdc_codes(Path(path), known).codebook


def _read_qdc_codes(p: Path, known: Codebook | None) -> _Codes:
    data = read_input(p, what="REFI-QDA codebook")
    root = _parse_xml(data, str(p))
    if local(root.tag) != "CodeBook":
        raise InputError(f"is not a REFI-QDA codebook (its root is <{local(root.tag)}>)", path=str(p),
                         hint="a .qdc file starts with <CodeBook>")
    origin = root.get("origin") or ""
    marks = _speaker_folder_codes(_child(root, "Codes")) if origin.startswith("QualCoder") else set()
    codes = _Codes(_child(root, "Codes"), origin=origin, known=known, extension_yaml=None, name=str(p),
                   speaker_marks=marks)
    codes.speaker_codes_left_out = sum(1 for g in marks if g not in codes.by_guid)
    if not codes.roots:
        raise InputError("holds no codes", path=str(p))
    codes.read_sets(_child(root, "Sets"))
    return codes


def _repeated_codes_warning(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"{len(names)} code(s) listed more than once under one GUID ({shown}): each read once, where the file "
            "nests it deepest")


def _empty_sets_warning(names: list[str]) -> str:
    return f"{len(names)} sets of codes were left out (none of their codes is in the file): " + \
        ", ".join(f"'{n}'" for n in names)


def _merge_codebooks(ours: Codebook, theirs: Codebook) -> tuple[Codebook, list[str], list[str]]:
    """Our codebook plus their codes it lacks (under the same parent when we have it), and their groups: a group of
    the same name gets the codes it lacks, another is added. Returns the codebook, the codes added and the names of
    the groups added or extended."""
    import copy

    merged = copy.deepcopy(ours)
    added: list[str] = []
    grouped: list[str] = []

    def walk(code: Code, parent_id: str | None) -> None:
        if code.id not in merged:
            new = copy.deepcopy(code)
            new.children = []
            parent = merged.get(parent_id) if parent_id else None
            (parent.children if parent is not None else merged.roots).append(new)
            merged.reindex()
            added.append(code.id)
        for child in code.children:
            walk(child, code.id)

    for root in theirs.roots:
        walk(root, None)
    mine = {g.name.casefold(): g for g in merged.groups}
    for group in theirs.groups:
        here = mine.get(group.name.casefold())
        created = here is None
        if here is None:
            here = mine[group.name.casefold()] = CodeGroup(name=group.name, description=group.description)
            merged.groups.append(here)
        new = [c for c in group.codes if c not in here.codes and c in merged]
        if new or created:
            here.codes.extend(new)
            grouped.append(group.name)
    return merged, added, grouped


# ---------------------------------------------------------------------------- the import


def import_refi(project_dir: str | Path, path: str | Path, *, coder: str,
                progress: ProgressFn | None = None) -> dict[str, Any]:
    """Import a .qdpx or .qdc into the project in ``project_dir`` (created when the folder holds none).

    Everything is read and checked before the project is written; the write is one transaction.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=str(p))
    folder = Path(project_dir)
    suffix = p.suffix.lower()
    if suffix not in (".qdpx", ".qdc", ".qde"):
        raise InputError("is neither a .qdpx project nor a .qdc codebook", path=str(p),
                         hint="export a REFI-QDA project (.qdpx) or codebook (.qdc) from the other tool")
    created = not (folder / DB_NAME).exists()
    project: Project | None = None
    try:
        if suffix == ".qdc":
            qdc = _read_qdc_codes(p, None if created else _codebook_of(folder)[0])
            theirs = qdc.codebook
            check_codebook(theirs, path=str(p))
            project = Project.create(folder, codebook=theirs) if created else Project.open(folder)
            report = _import_codebook(project, theirs, coder, created=created)
            if qdc.repeated:
                report["warnings"].append(_repeated_codes_warning(qdc.repeated))
            if qdc.speaker_codes_left_out:
                report["warnings"].append(f"left out: {qdc.speaker_codes_left_out} speaker codes of QualCoder's "
                                          "speaker tool (who speaks, not what is said)")
            if qdc.empty_sets:
                report["warnings"].append(_empty_sets_warning(qdc.empty_sets))
            report.update({"file": str(p), "project": str(folder), "created": created})
            return report
        package = _Package(p)
        try:
            known, guid_map = (None, {}) if created else _codebook_of(folder)
            codes = _Codes(package.codes_el, origin=package.origin, known=known,
                           extension_yaml=package.extension.get("codebook_yaml"), guid_map=guid_map,
                           case_guids=_case_guids(package.root), name=str(p),
                           speaker_marks=_speaker_mark_codes(package.root))
            codes.read_sets(_child(package.root, "Sets"))
            codebook = codes.codebook
            if codebook.roots:
                check_codebook(codebook, path=str(p))
            if created:
                if not codebook.roots:
                    # a project with users and sources but no codebook (ATLAS.ti writes these): start from the
                    # shipped evaluation criteria, as 'qualcode init' does
                    from qualcode.codebook import default_codebook_path, load_codebook

                    codebook = load_codebook(default_codebook_path())
                project = Project.create(folder, codebook=codebook, name=package.root.get("name") or None)
            else:
                project = Project.open(folder)
            report = _Importer(project, package, codes, coder, progress).run()
            project.refresh_statistics()
            if codes.repeated:
                report["warnings"].append(_repeated_codes_warning(codes.repeated))
            if created:
                # the new project was made with the file's codebook (the merge found nothing to add to it)
                report["nothing_new"] = False
                report["counts"]["codes_added"] = len(codes.codebook) if codes.codebook.roots else 0
                report["counts"]["code_groups_added_or_extended"] = len(codes.codebook.groups)
                if not codes.codebook.roots:
                    report["warnings"].insert(0, "the file defines no codes: the new project starts from the "
                                                 "shipped evaluation criteria")
        finally:
            package.close()
        report.update({"file": str(p), "project": str(folder), "created": created})
        return report
    except BaseException as err:
        if created and project is not None:
            project.close()
            project = None
            for suffix_ in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    (folder / (DB_NAME + suffix_)).unlink()
        if isinstance(err, (zipfile.BadZipFile, zlib.error, EOFError, OSError)):
            # a damaged member is only noticed when it is read; the import transaction has rolled back by now
            raise InputError(f"is damaged ({err})", path=str(p), hint="export the project again as .qdpx") from None
        raise
    finally:
        if project is not None:
            project.close()


def _codebook_of(folder: Path) -> tuple[Codebook, dict[str, str]]:
    """The project's codebook and the code GUIDs earlier imports met (GUID -> code id)."""
    with Project.open(folder) as project:
        return project.codebook(), _stored_guids(project)["codes"]


def _case_guids(root: Any) -> set[str]:
    cases = _child(root, "Cases")
    return {norm_guid(c.get("guid")) for c in _children(cases, "Case")} if cases is not None else set()


def _import_codebook(project: Project, theirs: Codebook, coder: str, *, created: bool = False) -> dict[str, Any]:
    if created:
        # the new project was made with the file's codebook: every code and group of it was added
        added, grouped = [c.id for c in theirs.walk()], [g.name for g in theirs.groups]
    else:
        merged, added, grouped = _merge_codebooks(project.codebook(), theirs)
        if added or grouped:
            project.set_codebook(merged, coder=coder)
    return {"counts": {"codes_in_file": len(theirs), "codes_added": len(added),
                       "code_groups_in_file": len(theirs.groups), "code_groups_added_or_extended": len(grouped)},
            "codes_added": added, "warnings": [], "nothing_new": not created and not added and not grouped}


class _Package:
    """The members of a .qdpx: the .qde XML, the source files, qualcode's extension.

    Everything is read from inside the archive, by normalised entry name. A source the project file places on disk
    (relative:// or basePath) is read only from the archive's own folder (or below it), only as a regular .txt file
    of sane size, never through a symbolic link; absolute:// paths are never followed (only the same file name inside
    the archive is looked for). A crafted project must not pull a user's local files into a project that may be
    shared.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.removed: Counter[str] = Counter()
        # a .qdpx unpacked to look inside: its project.qde, with the texts in the sources/ folder beside it
        self.unpacked = path.suffix.lower() == ".qde"
        if self.unpacked:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as z:
                z.writestr("project.qde", read_input(path, what="REFI-QDA project"))
            source: Path | bytes = buffer.getvalue()
        else:
            source = path
        self.archive = Archive(source, str(path), what="REFI-QDA project",
                               hint="export the project again as REFI-QDA (.qdpx)",
                               unreadable="is not a .qdpx package (not a ZIP file)")
        names = self.archive.names()
        qde = [n for n in names if n.lower().endswith(".qde")]
        if not qde:
            raise InputError("holds no project.qde", path=str(path), hint="export the project again as .qdpx")
        # the spec says project.qde; ATLAS.ti 26 names it after the project
        qde.sort(key=lambda n: (n.lower() != "project.qde", n))
        self.root = _parse_xml(self.archive.read(qde[0]), f"{path}:{qde[0]}", self.removed, self.warnings)
        if local(self.root.tag) != "Project":
            raise InputError(f"is not a REFI-QDA project (its root is <{local(self.root.tag)}>)", path=str(path))
        self.origin = self.root.get("origin") or ""
        self.extension: dict[str, Any] = {}
        member = self.archive.find(EXTENSION_MEMBER)
        if member is not None:
            self.extension = _read_extension(self.archive.read(member, limit=limits().max_input), self.warnings)
        cb = _child(self.root, "CodeBook")
        self.codes_el = _child(cb, "Codes") if cb is not None else None
        self.folder = _real_folder(path)
        self.from_disk: list[str] = []
        self.refused: list[str] = []

    def close(self) -> None:
        self.archive.close()

    def read_path(self, ref: str, suffixes: tuple[str, ...] = (".txt",)) -> bytes | None:
        """The bytes behind a plainTextPath (internal://, relative:// or absolute://), or None. A file on disk (an
        unpacked project's sources/ folder, a relative path) is read only when its name ends in one of ``suffixes``:
        .txt for plain text, .docx for a richTextPath, .pdf for a PDF source."""
        ref = ref.strip()
        scheme, sep, rest = ref.partition("://")
        if not sep:
            scheme, rest = "relative", ref
        scheme = scheme.lower()
        rest = rest.lstrip("/") if scheme in ("internal", "absolute") else rest
        # inside the archive first: sources/NAME, then NAME (and for absolute paths only the file's own name)
        tail = rest.replace("\\", "/")
        wanted = [tail.rsplit("/", 1)[-1]] if scheme == "absolute" else [tail]
        for name in wanted:
            for folder in ("sources/", ""):
                for candidate in {folder + name, folder + _unquote(name)}:
                    member = self.archive.find(candidate)
                    if member is not None:
                        return self.archive.read(member, limit=limits().max_input)
        if scheme == "internal" and self.unpacked and self.folder is not None:
            for folder in ("sources", "Sources"):
                data = self._read_beside(self.folder / folder / tail, suffixes)
                if data is not None:
                    return data
        if scheme != "relative":
            if scheme == "absolute":
                self.refused.append(ref)
            return None
        if self.folder is None:
            return None
        base = self.root.get("basePath") or ""
        bases = [self.folder] + ([Path(base)] if base else [])
        for b in bases:
            data = self._read_beside(b / tail, suffixes)
            if data is not None:
                return data
        return None

    def _read_beside(self, candidate: Path, suffixes: tuple[str, ...]) -> bytes | None:
        """A file in the archive's folder (or below it): a regular file of one of ``suffixes``, no symbolic link on
        the way."""
        assert self.folder is not None
        try:
            real = Path(os.path.realpath(candidate))
            if not real.is_relative_to(self.folder) or real == self.folder:
                self.refused.append(str(candidate))
                return None
            # a link anywhere on the way could be swapped for one pointing elsewhere between check and read
            if any(p.is_symlink() for p in _steps(self.folder, Path(os.path.abspath(candidate)))):
                self.refused.append(str(candidate))
                return None
            if real.suffix.lower() not in suffixes or not real.is_file():
                return None
            data = read_input(real, what="source file")
        except (OSError, ValueError):
            return None
        except InputError as err:
            self.warnings.append(err.message)
            return None
        self.from_disk.append(real.name)
        return data


def _steps(folder: Path, target: Path) -> list[Path]:
    """Every path from ``folder`` (excluded) down to ``target``, when ``target`` lies below ``folder``."""
    try:
        parts = target.relative_to(folder).parts
    except ValueError:
        return [target]
    out, cur = [], folder
    for part in parts:
        cur = cur / part
        out.append(cur)
    return out


def _real_folder(path: Path) -> Path | None:
    try:
        return Path(os.path.realpath(path.parent))
    except (OSError, ValueError):
        return None


def _unquote(name: str) -> str:
    from urllib.parse import unquote

    return unquote(name)


def _read_extension(data: bytes, warnings: list[str]) -> dict[str, Any]:
    """qualcode.json as a dict, or {} (with a warning) when it is unreadable; its contents are checked per source
    before use (see :func:`_extension_fits`)."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        warnings.append(f"{EXTENSION_MEMBER} in the file is damaged and was ignored; transcripts were cut into units"
                        " afresh")
        return {}
    if not isinstance(value, dict):
        warnings.append(f"{EXTENSION_MEMBER} in the file is not what qualcode writes and was ignored")
        return {}
    for key, kind in (("transcripts", dict), ("codebook_yaml", str)):
        if key in value and not isinstance(value[key], kind):
            value.pop(key)
    return value


def _source_name(src: Any, guid: str) -> str:
    """A source's name; when the tool wrote none (the schema allows that), the file name its text came from
    ("board_2017" from plainTextPath="internal://board_2017.txt"), and only then its GUID, which says nothing."""
    name = (src.get("name") or "").strip()
    if name:
        return name
    for attr in ("plainTextPath", "path", "currentPath"):
        ref = (src.get(attr) or "").strip()
        stem = PurePosixPath(ref.split("://", 1)[-1].replace("\\", "/")).stem if ref else ""
        if stem:
            return stem
    return guid


# what tools append to a source's name when they name it after its file; any other dot is part of the name
# ("Interview 2.1", "KII 03.b")
_FILE_SUFFIXES = {".txt", ".rtf", ".doc", ".docx", ".odt", ".md", ".pdf", ".htm", ".html", ".csv", ".xlsx",
                  ".mp3", ".m4a", ".wav", ".ogg", ".mp4", ".mov", ".avi", ".wmv", ".vtt", ".srt"}


def _stem(name: str) -> str:
    """A source's name without the file extension a tool may keep in it ("KII-01.docx" -> "KII-01")."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix
    return name[: -len(suffix)] if suffix.lower() in _FILE_SUFFIXES and name != suffix else name


def _decode(data: bytes) -> str:
    """A source's text exactly as stored: line endings are kept, since the project's offsets count them (unlike
    :func:`qualcode.importers.decoding.decode_text`, which normalises a transcript being imported)."""
    from qualcode.importers.decoding import detect_encoding

    # UTF-16/32 only with a byte-order mark or NUL bytes where UTF-16 puts them: any even-length Windows-1252 text
    # also decodes as UTF-16, to garbage.
    encoding, body = detect_encoding(data)
    for enc in ([encoding] if encoding else []) + ["utf-8-sig"]:
        with contextlib.suppress(UnicodeDecodeError):
            return body.decode(enc).lstrip("\ufeff")  # a byte-order mark is not a character of the text
    return data.decode("cp1252", errors="replace")


class _Source:
    """One text source: its text, what its positions count, and where each of its units lies in the text.

    ``text`` is the file's text with CRLF read as LF (units are located in it); :meth:`to_text` turns a position the
    file states into an offset in ``text`` under the convention chosen for this source (see :mod:`.positions`).
    """

    def __init__(self, name: str, raw: str, ext: dict[str, Any] | None, choice: Choice) -> None:
        self.name = name
        self.text = raw.replace("\r\n", "\n")
        self.choice = choice
        self._pm = PositionMap(raw, choice.convention)
        self._crs = [m.start() for m in re.finditer("\r\n", raw)]
        self.ext = ext
        self.exact = False
        self.matched: str | None = None  # an existing transcript whose exported form this text is
        self.withheld = False  # matched in the form qualcode exports it with names withheld
        self.no_speakers = ""  # why speaker labels were not trusted, when they were not
        self.parsed: ParsedTranscript | None = None
        self.spans: list[tuple[int, int] | None] = []
        self._ends: list[int] = []
        self._order: list[int] = []
        self.ext_ignored = False
        self.from_word = False  # no plain text in the file: read from the source's Word document
        self._compact: tuple[str, list[int], str] | None = None  # see _compacted
        if ext is not None and not _extension_fits(ext):
            ext = self.ext = None
            self.ext_ignored = True
        if ext is not None:
            stored = self._strip_labels(self.text, ext["labels"])
            fits = stored is not None and text_hash(stored) == ext.get("sha256")
            if fits and stored is not None and not _units_fit(stored, ext["units"]):
                fits, self.ext_ignored = False, True
            if fits and stored is not None:
                self.exact = True
                self.parsed = _rebuild(stored, ext, name)
                to_raw = ShippedOffsets(ext["labels"])
                self.set_spans([(to_raw(u.start), to_raw(u.end, end=True)) for u in self.parsed.units])

    def parse(self, *, document: bool = False, interview: bool = False) -> None:
        """Cut another tool's text into units: as a transcript when its speaker labels are trusted, else (and for a
        desk-review document qualcode exported) line by line without speakers, as a desk-review document unless the
        file types it as an interview (``interview``)."""
        from qualcode.importers import parse_transcript
        from qualcode.importers.confidence import plain_document, speakers_confident
        from qualcode.speakers import HEADING_SPEAKER

        file_name = self.name if Path(self.name).suffix else self.name + ".txt"
        if document:
            # as qualcode writes a document: its title, then numbered headings and paragraphs, a blank line apart;
            # headings are read as headings again (the units' heading paths), not as units
            from qualcode.importers.doc_readers import read_text_document

            # the page marks qualcode writes ("[Page 3] ") are no text: read without them, then each unit takes the
            # page of the last mark before it
            marks = [(m.start(), int(m.group(1)), m.group(2) or m.group(1)) for m in PAGE_MARK.finditer(self.text)]
            text = PAGE_MARK.sub("", self.text) if marks else self.text
            try:
                parsed = read_text_document(text, file_name, title_line=True)
            except InputError:
                parsed = plain_document(text, file_name)
            parsed.kind = "document"
            if marks:
                self.parsed = parsed
                self.set_spans(_locate_in_raw(parsed, self.text))
                at = [m[0] for m in marks]
                for unit, span in zip(parsed.units, self.spans, strict=True):
                    k = bisect_right(at, span[0]) - 1 if span is not None else -1
                    unit.page, unit.page_label = (marks[k][1], marks[k][2]) if k >= 0 else (None, None)
                parsed.metadata.setdefault("pages", max(m[1] for m in marks))
                return
        else:
            # notes=False: a text without labels is not read as an interviewer's notes here (nothing says it is an
            # interview); as qualcode.importers.has_speaker_labels decides, headings are not speakers
            parsed = parse_transcript(self.text.encode("utf-8"), file_name, notes=False)
            if not any(t.speaker and t.speaker != HEADING_SPEAKER for t in parsed.turns):
                self.no_speakers = "no speaker labels"
                parsed = plain_document(self.text, file_name)
            else:
                confident, why = speakers_confident(parsed)
                if not confident:
                    self.no_speakers = why
                    parsed = plain_document(self.text, file_name)
            if self.no_speakers and not interview:
                # a text nobody speaks in (a report, papers, a table of comments) is no interview: a desk-review
                # document, so it is not counted as a key-informant interview where sources are compared
                parsed.kind = "document"
        self.parsed = parsed
        self.set_spans(_locate_in_raw(parsed, self.text))

    def set_spans(self, spans: list[tuple[int, int] | None]) -> None:
        self.spans = spans
        self._order = [i for i, s in enumerate(spans) if s is not None]
        self._ends = [spans[i][1] for i in self._order]  # type: ignore[index]

    @staticmethod
    def _strip_labels(raw: str, labels: list[list[Any]]) -> str | None:
        out, pos, shift = [], 0, 0
        for at, prefix in labels:
            at_raw = at + shift
            if raw[at_raw:at_raw + len(prefix)] != prefix:
                return None
            out.append(raw[pos:at_raw])
            pos = at_raw + len(prefix)
            shift += len(prefix)
        out.append(raw[pos:])
        return "".join(out)

    def to_text(self, position: int) -> int:
        """Offset in ``text`` of a position as the file states it."""
        at = self._pm(position)
        return at - bisect_left(self._crs, at)

    def why_unplaced(self, start: int, end: int) -> str:
        """The source, the positions as the file gives them and why a selection marks no unit."""
        a, b = sorted((self.to_text(start), self.to_text(end)))
        if a >= len(self.text):
            why = "beyond the end of its text"
        elif not any(ch.isalnum() for ch in self.text[a:max(b, a + 1)]):
            why = "marks no words"
        else:
            why = f"on no coding unit: {self.text[a:b][:40]!r}"
        return f"'{self.name}' {start}-{end} ({why})"

    def units_for(self, start: int, end: int) -> list[int]:
        """Indexes of the units a selection [start, end) marks: those whose words it covers, not those it only
        grazes (a selection ending one character into the next sentence does not code that sentence)."""
        return self.units_at(self.to_text(start), self.to_text(end))

    def find(self, quoted: str) -> tuple[int, int] | str:
        """Where a selection known only by its text lies in ``text`` (spacing aside: ATLAS.ti writes a PDF area's
        text with its line breaks dropped, "favoritos.Dificultad: MediaTiempo"), as offsets, or why it was not
        found."""
        wanted = "".join(quoted.split())
        if not wanted:
            return "marks no words"
        kept, compact = self._compacted()
        at = compact.find(wanted)
        if at < 0:
            return f"its text is not in the source: {' '.join(quoted.split())[:40]!r}"
        if compact.find(wanted, at + 1) >= 0:
            return f"its text is in more than one place: {' '.join(quoted.split())[:40]!r}"
        return kept[at], kept[at + len(wanted) - 1] + 1

    def _compacted(self) -> tuple[list[int], str]:
        """``text`` without its spaces, with where each of its characters is in ``text``: made once per source,
        not once per area placed (a thousand areas on a 300-page report)."""
        if self._compact is None or self._compact[0] is not self.text:
            kept = [i for i, ch in enumerate(self.text) if not ch.isspace()]
            self._compact = (self.text, kept, "".join(self.text[i] for i in kept))
        return self._compact[1], self._compact[2]

    def units_at(self, a: int, b: int) -> list[int]:
        """Indexes of the units that the stretch [a, b) of ``text`` covers (see :meth:`units_for`)."""
        if b <= a:
            b = a + 1
        k = bisect_right(self._ends, a)
        hits: list[tuple[int, int]] = []
        while k < len(self._order):
            i = self._order[k]
            s, e = self.spans[i]  # type: ignore[misc]
            if s >= b:
                break
            covered = sum(1 for ch in self.text[max(s, a):min(e, b)] if ch.isalnum())
            if covered:
                hits.append((i, covered))
            k += 1
        if len(hits) > 1:
            def grazed(i: int, covered: int) -> bool:
                s, e = self.spans[i]  # type: ignore[misc]
                words = sum(1 for ch in self.text[s:e] if ch.isalnum())
                return covered < 3 and covered < 0.2 * words

            while len(hits) > 1 and grazed(*hits[-1]):
                hits.pop()
            while len(hits) > 1 and grazed(*hits[0]):
                hits.pop(0)
        return [i for i, _ in hits]


def _area_text(selection: Any) -> str:
    """The text a PDF area selection carries (its Representation's plain text), or ""."""
    rep = _child(selection, "Representation")
    return _text_of(rep, "PlainTextContent") if rep is not None else ""


def _extension_fits(ext: Any) -> bool:
    """qualcode.json's entry for a source has the shape qualcode writes (so reading it cannot fail)."""
    if not isinstance(ext, dict):
        return False
    labels, units = ext.get("labels"), ext.get("units")
    if not isinstance(labels, list) or not isinstance(units, list) or not units:
        return False
    for item in labels:
        if not (isinstance(item, list) and len(item) == 2 and _is_int(item[0]) and item[0] >= 0
                and isinstance(item[1], str)):
            return False
    for u in units:
        if not (isinstance(u, list) and len(u) >= 6 and _is_int(u[0]) and _is_int(u[1]) and _is_int(u[3])
                and (u[2] is None or isinstance(u[2], str)) and all(t is None or _is_num(t) for t in u[4:6])):
            return False
    for key in ("id", "title", "format", "source_name", "sha256"):
        if ext.get(key) is not None and not isinstance(ext[key], str):
            return False
    attributes = ext.get("attributes")
    if attributes is not None and not (isinstance(attributes, dict) and all(
            isinstance(k, str) and isinstance(v, (str, int, float, type(None))) for k, v in attributes.items())):
        return False
    speakers = ext.get("speakers", [])
    return isinstance(speakers, list) and all(
        isinstance(sp, dict) and isinstance(sp.get("label"), str)
        and all(sp.get(k) is None or isinstance(sp[k], str) for k in ("role", "case")) for sp in speakers)


def _units_fit(stored: str, units: list[list[Any]]) -> bool:
    """Every unit lies inside the text, in order, without overlap, within the unit-length bound, and is clean."""
    bound = limits().max_unit_chars
    last_end = 0
    for u in units:
        start, end = u[0], u[1]
        if not (last_end <= start < end <= len(stored)) or end - start > bound or u[3] < 0:
            return False
        last_end = end
    return is_clean(stored)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) < 1e9


def _rebuild(stored: str, ext: dict[str, Any], name: str) -> ParsedTranscript:
    places = ext.get("places") if _places_fit(ext) else None
    units = [Unit(u[0], u[1], u[2], u[3], u[4], u[5], *(places[i] if places else (None, None, None)))
             for i, u in enumerate(ext["units"])]
    turns: dict[int, Turn] = {}
    for u in units:
        t = turns.get(u.turn)
        if t is None:
            turns[u.turn] = Turn(u.speaker, u.start, u.end)
        else:
            t.end = max(t.end, u.end)
    return ParsedTranscript(text=stored, turns=[turns[k] for k in sorted(turns)], units=units,
                            format=ext.get("format") or "text", source_name=ext.get("source_name") or name,
                            kind="document" if ext.get("kind") == "document" else "transcript",
                            metadata=_metadata_of(ext))


def _metadata_of(ext: dict[str, Any]) -> dict[str, Any]:
    """A document's metadata from qualcode.json (title, author, date, pages), when it has the shape qualcode writes."""
    meta = ext.get("metadata")
    if not isinstance(meta, dict) or len(meta) > 50:
        return {}
    return {str(k)[:100]: v for k, v in meta.items()
            if isinstance(v, (str, int, float)) and not isinstance(v, bool) and len(str(v)) <= 2000}


def _places_fit(ext: dict[str, Any]) -> bool:
    """A document's unit places in qualcode.json: one [page, printed page, heading path] per unit."""
    places, units = ext.get("places"), ext.get("units")
    return isinstance(places, list) and isinstance(units, list) and len(places) == len(units) and all(
        isinstance(p, list) and len(p) == 3 and (p[0] is None or (_is_int(p[0]) and 0 < p[0] < 1_000_000))
        and all(x is None or (isinstance(x, str) and len(x) <= 500) for x in p[1:]) for p in places)


def _locate_in_raw(parsed: ParsedTranscript, raw: str, *, strict: bool = False) -> list[tuple[int, int] | None]:
    """:func:`_locate_units` for a file text that still holds the control characters the import removed: searched
    without them, offsets mapped back to the file's."""
    if is_clean(raw):
        return _locate_units(parsed, raw, strict=strict)
    keep = [i for i, ch in enumerate(raw) if clean(ch) != ""]
    spans = _locate_units(parsed, "".join(raw[i] for i in keep), strict=strict)
    # a located span is never empty: it holds at least one word
    return [None if span is None else (keep[span[0]], keep[span[1] - 1] + 1) for span in spans]


def _locate_units(parsed: ParsedTranscript, raw: str, *, strict: bool = False) -> list[tuple[int, int] | None]:
    """Where each unit's text sits in the file's text (labels and spacing may differ), searching forward. Unless
    ``strict``, a unit may also match with one extra token between two of its words (what a reader drops), and a unit
    whose text the reader changed otherwise is aligned word by word between its neighbours
    (:func:`qualcode.textmatch.align_words`)."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for u in parsed.units:
        words = parsed.text[u.start:u.end].split()
        if not words:
            spans.append(None)
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        m = pattern.search(raw, cursor)
        if m is None and not strict:
            # the reader dropped something between two words (a timestamp at the start of a wrapped line, markup):
            # allow one such token between words, still searching forward only
            m = re.compile(r"\s+(?:\S{1,24}\s+)?".join(re.escape(w) for w in words)).search(raw, cursor)
        if m is None:
            spans.append(None)
            continue
        spans.append((m.start(), m.end()))
        cursor = m.end()
    if strict or all(span is not None for span in spans):
        return spans
    # second pass: each unit not found as written lies after the unit before it and before the unit after it
    nxt = len(raw)
    after: list[int] = [0] * len(spans)
    for i in range(len(spans) - 1, -1, -1):
        after[i] = nxt
        span = spans[i]
        if span is not None:
            nxt = span[0]
    cursor = 0
    for i, u in enumerate(parsed.units):
        span = spans[i]
        if span is None:
            text = parsed.text[u.start:u.end]
            # what the reader took out of a unit is short (a time, a credit, markup): the unit starts near the cursor
            span = spans[i] = align_words(text, raw, cursor, min(after[i], cursor + 3 * len(text) + 2000))
        if span is not None:
            cursor = span[1]
    return spans


def _read_as(source: _Source) -> str:
    """How a source's text was read, for the summary: what qualcode found or guessed."""
    from qualcode.speakers import HEADING_SPEAKER

    word = ", its text from its Word document" if source.from_word else ""
    if source.exact:
        return "qualcode's own export (its units from qualcode.json)"
    if source.matched:
        return f"transcript {source.matched}, already in the project (the same text)"
    parsed = source.parsed
    if source.no_speakers:
        kind = ", as a desk-review document" if parsed is not None and parsed.kind == "document" else \
            ", as the interview the file says it is"
        return f"a text without speakers ({source.no_speakers}){kind}" + word
    if parsed is not None and parsed.kind == "document":
        return "a desk-review document qualcode exported, one unit per line"
    labels = list(dict.fromkeys(t.speaker for t in (parsed.turns if parsed is not None else [])
                                if t.speaker and t.speaker != HEADING_SPEAKER))
    shown = ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
    return f"a conversation: {len(labels)} speaker label(s) recognised ({shown})" + word


_NON_TEXT = {"PictureSource": "pictures", "AudioSource": "audio sources",
             "VideoSource": "video sources"}
_MEDIA_PARTS = {"PictureSource": "areas of pictures", "AudioSource": "stretches of audio recordings",
                "VideoSource": "stretches of video recordings"}
_MEDIA_SELECTIONS = ("PictureSelection", "AudioSelection", "VideoSelection")
# 'gender: male', 'region::North'; not 'Time 2:30' or a web address
_SET_ATTRIBUTE = re.compile(r"\s*([^:]{1,40}?)\s*(?:::\s*|:\s+)([^:\s].{0,200})", re.S)


def _transcript_source(media: Any, transcript: Any, index: int) -> Any:
    """A recording's ``Transcript`` as the ``TextSource`` it amounts to: its text, its selections (placed by the
    positions of the sync points they run between), the recording's name, variables and notes."""
    import copy

    from lxml import etree

    ns = transcript.tag[:transcript.tag.index("}") + 1] if transcript.tag.startswith("{") else ""
    el = etree.Element(ns + "TextSource")
    g = transcript.get("guid") or f"{norm_guid(media.get('guid'))}-transcript-{index + 1}"
    el.set("guid", g)
    for attr in ("plainTextPath", "richTextPath", "creatingUser", "creationDateTime", "modifyingUser",
                 "modifiedDateTime"):
        if transcript.get(attr):
            el.set(attr, transcript.get(attr))
    # the recording names the interview ("KII-01.m4a"); ATLAS.ti leaves it empty and names the transcript
    media_name = PurePosixPath((media.get("name") or "").strip()).stem
    own = PurePosixPath((transcript.get("name") or "").strip()).stem
    # a second transcript of one recording (ATLAS.ti: one of the sound, one of the picture) goes by its own name
    name = (own or f"{media_name} ({index + 1})") if index else (media_name or own)
    if name:
        el.set("name", name)
    description = _text_of(transcript, "Description").strip() or _text_of(media, "Description").strip()
    if description:
        etree.SubElement(el, ns + "Description").text = description
    content = _child(transcript, "PlainTextContent")
    if content is not None:
        el.append(copy.deepcopy(content))
    for part in [*_children(media, "VariableValue"), *_children(media, "NoteRef"), *_children(transcript, "NoteRef")]:
        el.append(copy.deepcopy(part))
    sync = {norm_guid(sp.get("guid")): _int(sp.get("position"), -1) for sp in _children(transcript, "SyncPoint")}
    for ts in _children(transcript, "TranscriptSelection"):
        sel = etree.SubElement(el, ns + "PlainTextSelection")
        for attr in ("guid", "creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime"):
            if ts.get(attr):
                sel.set(attr, ts.get(attr))
        a = sync.get(norm_guid(ts.get("fromSyncPoint")), -1)
        b = sync.get(norm_guid(ts.get("toSyncPoint")), -1)
        if a >= 0 and b >= 0:  # else not placed (and counted so)
            sel.set("startPosition", str(min(a, b)))
            sel.set("endPosition", str(max(a, b)))
        for part in ts:
            if isinstance(part.tag, str) and local(part.tag) in ("Description", "Coding", "NoteRef"):
                sel.append(copy.deepcopy(part))
    return el


def _timed_selections(media: Any, transcript: Any, done: set[Any]) -> list[tuple[Any, Any]]:
    """The coded or commented stretches of a recording (``AudioSelection``/``VideoSelection``, in milliseconds) as
    text selections of its transcript, when the transcript's sync points give a text position at or before the
    stretch's start and at or after its end: the passage from the one to the other is what was said then. Returns
    (stretch, selection) pairs; stretches in ``done`` (placed on an earlier transcript) are passed over."""
    import copy

    from lxml import etree

    points = sorted((_int(sp.get("timeStamp"), -1), _int(sp.get("position"), -1))
                    for sp in _children(transcript, "SyncPoint"))
    points = [(t, pos) for t, pos in points if t >= 0 and pos >= 0]
    if len(points) < 2:
        return []
    ns = transcript.tag[:transcript.tag.index("}") + 1] if transcript.tag.startswith("{") else ""
    out = []
    for stretch in media:
        if not isinstance(stretch.tag, str) or local(stretch.tag) not in ("AudioSelection", "VideoSelection") \
                or stretch in done:
            continue
        if not _children(stretch, "Coding") and not _text_of(stretch, "Description").strip():
            continue
        begin, end = _int(stretch.get("begin"), -1), _int(stretch.get("end"), -1)
        before = [pos for t, pos in points if t <= begin]
        after = [pos for t, pos in points if t >= end]
        if begin < 0 or end < begin or not before or not after or after[0] <= before[-1]:
            continue
        sel = etree.Element(ns + "PlainTextSelection")
        for attr in ("guid", "creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime"):
            if stretch.get(attr):
                sel.set(attr, stretch.get(attr))
        sel.set("startPosition", str(before[-1]))
        sel.set("endPosition", str(after[0]))
        for part in stretch:
            if isinstance(part.tag, str) and local(part.tag) in ("Description", "Coding", "NoteRef"):
                sel.append(copy.deepcopy(part))
        out.append((stretch, sel))
    return out


def _path_key(ref: str | None) -> str:
    """A source path as a key: the same file however the scheme and case are written."""
    return (ref or "").split("://", 1)[-1].replace("\\", "/").lstrip("/").lower()


def docx_text(data: bytes) -> str | None:
    """The text of a Word document as QDA tools derive their plain text: each paragraph (in tables too) a line,
    CRLF between them (read as one position or two, whichever the selections fit), tabs and line breaks kept. None
    when the data is not a readable Word document."""
    from qualcode.safeio.xml import parse_xml

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with Archive(data, "Word document", what="Word document") as archive:
            member = archive.find("word/document.xml")
            if member is None:
                return None
            root = parse_xml(archive.read(member, limit=limits().max_input), "word/document.xml",
                             remove_blank_text=False)  # a space of its own is part of the text
    except (InputError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    lines = []
    for p in root.iter(w + "p"):
        parts = []
        for el in p.iter(w + "t", w + "tab", w + "br", w + "cr"):
            if next(el.iterancestors(w + "p"), None) is not p:
                continue  # a paragraph inside a text box in this one: a line of its own
            parts.append(el.text or "" if el.tag == w + "t" else "\t" if el.tag == w + "tab" else "\n")
        lines.append("".join(parts))
    return "\r\n".join(lines)
GUID_SETTING = "refi.guids"  # JSON: {"codes": {guid: code id}, "sources": {guid: transcript id}}


class _Importer:
    def __init__(self, project: Project, package: _Package, codes: _Codes, coder: str,
                 progress: ProgressFn | None = None) -> None:
        self.project = project
        self.progress = progress
        self.pkg = package
        self.codes = codes
        self.coder = coder
        self.warnings: list[str] = []
        self.skipped: dict[str, int] = {}
        self.read_as: dict[str, str] = {}  # source name -> how its text was read (what the import guessed)
        self._unplaced: list[str] = []  # coded selections placed on no unit, named for the summary
        self._coded_now: set[tuple[int, str, int]] = set()  # (unit, code, coder) coded by this import's selections
        self.counts = {"codes_in_file": len(codes.by_guid), "codes_added": 0,
                       "code_groups_in_file": len(codes.codebook.groups), "code_groups_added_or_extended": 0,
                       "sources": 0, "transcripts_added": 0,
                       "transcripts_already_here": 0, "transcripts_in_conflict": 0, "selections": 0,
                       "selections_mapped": 0, "selections_not_mapped": 0, "codings_added": 0,
                       "codings_already_here": 0, "codings_repeated_in_file": 0, "cases": 0, "cases_added": 0,
                       "cases_differ": 0, "case_links": 0, "memos": 0, "memos_already_here": 0, "memos_kept_ours": 0,
                       "attributes_set": 0}
        root = package.root
        self.users: dict[str, str] = {}
        users = _child(root, "Users")
        for u in _children(users, "User") if users is not None else []:
            self.users[norm_guid(u.get("guid"))] = (u.get("name") or u.get("id") or "").strip() or \
                f"user-{norm_guid(u.get('guid'))[:8]}"
        self.variables: dict[str, str] = {}
        variables = _child(root, "Variables")
        for v in _children(variables, "Variable") if variables is not None else []:
            self.variables[norm_guid(v.get("guid"))] = _attr_key(v.get("name") or "")
        self.notes: dict[str, dict[str, Any]] = {}
        notes = _child(root, "Notes")
        for n in _children(notes, "Note") if notes is not None else []:
            text = _text_of(n, "PlainTextContent")
            if not text.strip() and n.get("plainTextPath"):
                data = package.read_path(n.get("plainTextPath"))
                text = clean(_decode(data), package.removed) if data else ""
            if not text.strip() and n.get("richTextPath"):
                # a memo written only as a Word document, as a text source can be
                data = package.read_path(n.get("richTextPath"), (".docx",))
                word = docx_text(data) if data else None
                text = clean(word.replace("\r\n", "\n"), package.removed) if word else ""
            if not text.strip():
                text = _text_of(n, "Description")
            self.notes[norm_guid(n.get("guid"))] = {
                "text": text.strip(), "name": (n.get("name") or "").strip(),
                # None: the file names no author (QualCoder leaves a note's user empty when its author coded
                # nothing); such a note is not told apart from the same text by a named author
                "coder": self._known_user(n.get("creatingUser") or n.get("modifyingUser")),
                "created": n.get("creationDateTime") or n.get("modifiedDateTime"),
                "updated": n.get("modifiedDateTime") or n.get("creationDateTime"),
                "selection": _child(n, "PlainTextSelection"), "used": False,
            }
        self.source_ids: dict[str, str] = {}  # source guid -> transcript id
        self.unit_ids: dict[str, list[int]] = {}  # source guid -> segment ids in unit order
        self.sources: dict[str, _Source] = {}
        self.memo_targets: list[tuple[str, str, str]] = []  # (target_type, target_id, note guid)
        self.inline_memos: list[tuple[str, str, str, str | None, str | None]] = []  # type, id, text, coder, date
        self.case_units: dict[str, list[tuple[str, int]]] = {}  # case guid -> (source guid, unit index)
        self.selection_units: dict[str, tuple[str, list[int]]] = {}  # selection guid -> (source guid, unit indexes)
        self._selection_notes: dict[str, str] = {}  # selection guid -> segment id (notes linked to selections)
        # transcript -> (label, role, case) from the speakers variable qualcode writes; and whether the transcript is
        # new here (its roles are then the file's; an existing transcript keeps the roles this project gave)
        self.speaker_roles: dict[str, tuple[list[tuple[str, str, str | None]], bool]] = {}
        # the case texts qualcode's speakers variable names in each transcript: the file's links of cases to
        # transcripts when its cases carry no SourceRefs (QualCoder's export)
        self.speaker_cases: dict[str, set[str]] = {}
        self.conversations_added: dict[str, str] = {}  # another tool's conversations this import added: id -> name
        self._pseudo: Any = None  # the project's pseudonymiser, made when a memo is compared with its withheld form
        self.stored = _stored_guids(project)
        self.withheld = False  # a file qualcode exported with names withheld (set once its sources are read)
        self._exported_guids: dict[str, str] | None = None
        self.aliases: dict[str, str] = {}  # audio or video source guid -> the guid of its (first) transcript
        self.media: list[Any] = []  # audio, video and picture sources
        self.by_time = 0  # stretches of recordings placed on their transcripts by the sync points' times
        self.keys: dict[Any, str] = {}  # source element -> its key (see _key)
        self._keys_taken: set[str] = set()
        self.changed = False
        # NVivo writes the exporting user on each Coding and the person who coded on the selection; so does any
        # tool whose codings all carry one user while its selections name several
        coding_users = {c.get("creatingUser") for c in root.iter() if isinstance(c.tag, str)
                        and local(c.tag) == "Coding" and c.get("creatingUser")}
        selection_users = {s.get("creatingUser") for s in root.iter() if isinstance(s.tag, str)
                           and local(s.tag) == "PlainTextSelection" and s.get("creatingUser")}
        self.selection_first = "nvivo" in package.origin.lower() or (
            len(coding_users) == 1 and bool(selection_users) and selection_users != coding_users)

    def _key(self, src: Any) -> str:
        """The key a source goes by in this import: its GUID, made unique when a tool wrote none or the same twice."""
        key = self.keys.get(src)
        if key is None:
            g = norm_guid(src.get("guid"))
            key = g if g and g not in self._keys_taken else f"{g or 'source'}#{len(self.keys) + 1}"
            self.keys[src] = key
            self._keys_taken.add(key)
        return key

    def _user(self, g: str | None) -> str:
        return self.users.get(norm_guid(g), self.coder) if g else self.coder

    def _known_user(self, g: str | None) -> str | None:
        return self.users.get(norm_guid(g)) if g else None

    def _skip(self, what: str, n: int = 1) -> None:
        if n:
            self.skipped[what] = self.skipped.get(what, 0) + n

    def run(self) -> dict[str, Any]:
        project = self.project
        sources_el = _child(self.pkg.root, "Sources")
        text_sources = _children(sources_el, "TextSource") if sources_el is not None else []
        pdf_sources = _children(sources_el, "PDFSource") if sources_el is not None else []
        if sources_el is not None:
            # ATLAS.ti lists a recording's transcript also as a text source of the same file (coded there)
            files = {_path_key(t.get("plainTextPath")): t for t in text_sources if t.get("plainTextPath")}
            for c in sources_el:
                if isinstance(c.tag, str) and local(c.tag) not in ("TextSource", "PDFSource"):
                    text_sources.extend(self._media(c, files))
        # read every source first, so a damaged one fails before anything is written
        ext_sources = self.pkg.extension.get("transcripts", {})
        shipped: _ShippedIndex | None = None
        for done, src in enumerate(text_sources):
            if self.progress:
                self.progress("reading sources", done, len(text_sources))
            g = self._key(src)
            name = _source_name(src, g)
            text = None
            if src.get("plainTextPath"):
                data = self.pkg.read_path(src.get("plainTextPath"))
                text = _decode(data) if data is not None else None
            if text is None or not text.strip():
                text = _text_of(src, "PlainTextContent") or text
            from_word = False
            if (text is None or not text.strip()) and src.get("richTextPath"):
                # no plain text in the file (the standard asks for one, not every tool writes it): the text of its
                # Word document, one paragraph a line, as the tools derive their plain text
                data = self.pkg.read_path(src.get("richTextPath"), (".docx",))
                word = docx_text(data) if data is not None else None
                if word is not None and word.strip():
                    text, from_word = word, True
            if text is not None:
                try:
                    check_size(text, name, what="source text")
                except InputError as err:
                    self.warnings.append(f"source '{name}' was left out: {err.message}")
                    self._skip("text sources too large")
                    self._skip_codings(src)
                    continue
            if not text or not text.strip():
                self.warnings.append(f"source '{name}' has no plain text and was left out")
                self._skip("text sources without text")
                self._skip_codings(src)
                continue
            ext = next((v for k, v in ext_sources.items() if norm_guid(k) == g), None)
            selections = [Selection(*_span(s), s.get("name") or "")
                          for s in _children(src, "PlainTextSelection")
                          if s.get("startPosition") is not None and s.get("endPosition") is not None]
            choice = self._convention(text, selections, ext)
            source = _Source(name, text, ext, choice)
            source.from_word = from_word
            if from_word:
                fit = max(choice.fits.values(), default=None)
                said = f" ({fit} of {len(selections)} selections start and end on word boundaries in it)" \
                    if fit is not None else ""
                self.warnings.append(f"source '{name}' has no plain text in the file: its text was read from its "
                                     f"Word document{said}")
            if source.exact and source.ext is not None and source.parsed is not None and \
                    isinstance(source.ext.get("verbatim_sha256"), str):
                # qualcode's export with names withheld: the transcript it was made from is found by its text's hash
                # and keeps its text, unit for unit (the file's text is the pseudonymised one)
                here = project.transcript_with_text(source.ext["verbatim_sha256"])
                if here is not None and len(project.segments(here)) == len(source.parsed.units):
                    source.matched, source.withheld = here, True
            if not source.exact:
                if shipped is None:
                    shipped = _ShippedIndex(project)
                found = shipped.find(source.text)
                if found is not None:
                    tid, spans, parsed, withheld = found
                    source.matched, source.parsed, source.withheld = tid, parsed, withheld
                    source.set_spans(spans)
                else:
                    values = self._values(src)
                    document = values.get(_attr_key(KIND_VARIABLE)) == "document"
                    # a source the file types as an interview or focus group stays one, speakers or not
                    interview = source_type_of(None, {"type": values.get("type")}) in ("KII", "FGD") and \
                        bool(str(values.get("type") or "").strip())
                    try:
                        source.parse(document=document, interview=interview)
                    except InputError as err:
                        self.warnings.append(f"source '{name}' could not be read ({err.message}) and was left out")
                        self._skip("text sources that could not be read")
                        self._skip_codings(src)
                        continue
            as_what = "a desk-review document" if source.parsed is not None and source.parsed.kind == "document" \
                else "the interview its 'type' says it is"
            if source.no_speakers == "no speaker labels":
                self.warnings.append(f"source '{name}' has no speaker labels: it was imported without speakers, as"
                                     f" {as_what}")
            elif source.no_speakers:
                self.warnings.append(f"source '{name}' was imported without speakers, as {as_what}: its 'Name:' lines"
                                     f" do not read as a conversation ({source.no_speakers})")
            self.sources[g] = source
            if name in self.read_as:
                # sources of the same name (MAXQDA writes them): each is said apart, as its transcript is named apart
                name = source.name = next(f"{name} ({n})" for n in range(2, len(text_sources) + 3)
                                          if f"{name} ({n})" not in self.read_as)
            self.read_as[name] = _read_as(source)
            self.warnings.extend(f"source '{name}': {w}" for w in getattr(source.parsed, "warnings", []) or [])
            if source.ext_ignored:
                self.warnings.append(f"{EXTENSION_MEMBER} does not fit source '{name}' (offsets outside its text or"
                                     " units too long); its text was cut into units afresh")
        for src in pdf_sources:
            pdf = self._pdf_source(src, ext_sources)
            if pdf is not None:
                self.sources[self._key(src)] = pdf
                self.read_as[pdf.name] = "a PDF document, its selections placed by their text"
        # a file qualcode exported with names withheld shows this project's values pseudonymised
        self.withheld = self.pkg.extension.get("names") == "withheld" or any(x.withheld for x in self.sources.values())
        self._count_media()
        if self.by_time:
            self.warnings.append(f"{self.by_time} coded or commented stretch(es) of recordings were placed on the "
                                 "transcript passage between the sync points around them (what was said then)")
        self.warnings.extend(self.pkg.warnings)
        if self.pkg.refused:
            shown = ", ".join(self.pkg.refused[:3]) + (", ..." if len(self.pkg.refused) > 3 else "")
            self.warnings.append(f"{len(self.pkg.refused)} source path(s) outside the archive and its folder were "
                                 f"not read ({shown})")
        if self.pkg.from_disk:
            read = ", ".join(sorted(set(self.pkg.from_disk)))
            if self.pkg.unpacked:  # a project.qde beside its sources/ folder: there is no archive
                self.warnings.append(f"read {len(self.pkg.from_disk)} source file(s) from the folder of "
                                     f"{self.pkg.path.name} (a project unpacked from its .qdpx): {read}")
            else:
                self.warnings.append(f"read {len(self.pkg.from_disk)} source text(s) from files beside the archive,"
                                     f" not inside it: {read}")
        removed = describe(self.pkg.removed, "names, notes and descriptions in the file")
        if removed:
            self.warnings.append(removed)
        with project.transaction():
            ours = project.codebook()
            merged, added, grouped = _merge_codebooks(ours, self.codes.codebook)
            if added or grouped:
                project.set_codebook(merged, coder=self.coder)
                self.changed = True
            self.counts["codes_added"] = len(added)
            self.counts["code_groups_added_or_extended"] = len(grouped)
            sources = [*text_sources, *pdf_sources]
            for done, src in enumerate(sources):
                if self.progress:
                    self.progress("importing sources", done, len(sources))
                g = self._key(src)
                if g in self.sources:
                    self._import_source(src, g)
            for media, transcript in self.aliases.items():
                # a recording stands for its transcript where cases, sets and links name it
                if transcript in self.source_ids:
                    self.source_ids[media] = self.source_ids[transcript]
                    self.unit_ids[media] = self.unit_ids[transcript]
                    self.sources[media] = self.sources[transcript]
            self._import_cases()
            self._import_sets()
            self._collect_memo_refs(text_sources)
            self._write_memos()
            self._remember_guids()
            self._count_left_out()
            if self.changed:
                project.log_event("refi.import", "project", str(self.pkg.path), coder=self.coder,
                                  after={"counts": self.counts})
        if self.counts["selections_not_mapped"]:
            # named, so they can be found in the other tool: source, positions as the file gives them, and why
            shown = "; ".join(self._unplaced[:10]) + ("; ..." if len(self._unplaced) > 10 else "")
            self.warnings.append(f"{self.counts['selections_not_mapped']} selections could not be placed on a"
                                 f" coding unit: {shown}")
        if self.skipped:
            self.warnings.append("left out: " + ", ".join(f"{n} {what}" for what, n in self.skipped.items()))
        return {"counts": self.counts, "warnings": self.warnings, "skipped": self.skipped, "read_as": self.read_as,
                "positions": summarise((s.name, s.choice) for g, s in self.sources.items() if g not in self.aliases),
                "nothing_new": not self.changed}

    def _media(self, el: Any, files: dict[str, Any]) -> list[Any]:
        """An audio, video or picture source. qualcode codes text, so the media is not kept, but the transcripts of a
        recording (what an interview is coded on in NVivo, MAXQDA, ATLAS.ti and QualCoder) are returned as text
        sources of their own, unless a text source of the file already holds the same text file (``files``: path ->
        source). A coded stretch of a recording whose transcript has timed sync points around it codes the
        transcript's passage between them (what was said then). Other codings and comments on the media itself (a
        stretch of time, an area of a picture) are counted as left out; the media itself once the transcripts have
        been read (see :meth:`_count_media`)."""
        kind = local(el.tag)
        transcripts: list[Any] = []
        stands_for: list[str] = []
        timed: set[Any] = set()  # stretches of the recording placed on a transcript by time
        for i, t in enumerate(_children(el, "Transcript") if kind in ("AudioSource", "VideoSource") else []):
            same = files.get(_path_key(t.get("plainTextPath"))) if t.get("plainTextPath") else None
            holder = same if same is not None else _transcript_source(el, t, i)
            if same is None:
                transcripts.append(holder)
            stands_for.append(self._key(holder))
            for stretch, selection in _timed_selections(el, t, timed):
                holder.append(selection)
                timed.add(stretch)
        if timed:
            self.by_time += len(timed)
        if stands_for:
            self.aliases[norm_guid(el.get("guid"))] = stands_for[0]
        self.media.append(el)
        what = _MEDIA_PARTS.get(kind)
        if what is not None:
            on_media = [c for c in el if isinstance(c.tag, str) and local(c.tag) in _MEDIA_SELECTIONS
                        and c not in timed]
            self._skip(f"codings of {what}", sum(len(_children(x, "Coding")) for x in on_media))
            self._skip(f"comments on {what}", sum(1 for x in on_media if _text_of(x, "Description").strip()))
        return transcripts

    def _pdf_source(self, src: Any, ext_sources: dict[str, Any]) -> _Source | None:
        """A PDFSource as a desk-review document: the PDF read from the archive like an imported PDF; the text
        selections of its Representation (the PDF's text as the other tool extracted it) placed on the units by
        their text. Area selections (a page and a rectangle) carry no text and are counted as left out."""
        from qualcode.importers.documents import parse_document

        g = self._key(src)
        name = _source_name(src, g)
        # an area selection that carries its text (ATLAS.ti writes it as the area's Representation) is placed by
        # that text, after the source is read; one without text has nothing to place
        areas = sum(1 for x in _children(src, "PDFSelection") if not _area_text(x).strip())
        if areas:
            self._skip("PDF area selections (a rectangle on a page, no text to place)", areas)
        rep = _child(src, "Representation")
        text: str | None = None
        if rep is not None:
            if rep.get("plainTextPath"):
                raw = self.pkg.read_path(rep.get("plainTextPath"))
                text = _decode(raw) if raw is not None else None
            if not text or not text.strip():
                text = _text_of(rep, "PlainTextContent") or None
        ext = next((v for k, v in ext_sources.items() if norm_guid(k) == g), None)
        selections = [Selection(*_span(x), x.get("name") or "")
                      for x in (_children(rep, "PlainTextSelection") if rep is not None else [])
                      if x.get("startPosition") is not None and x.get("endPosition") is not None]
        ref = src.get("path") or src.get("currentPath")
        data = self.pkg.read_path(ref, (".pdf",)) if ref else None
        parsed: ParsedTranscript | None = None
        problem = "its PDF file is not in the archive"
        if data is not None:
            try:
                parsed = parse_document(data, name if name.lower().endswith(".pdf") else f"{name}.pdf")
            except InputError as err:
                problem = f"its PDF could not be read ({err.message})"
        if parsed is None:
            if text and text.strip():
                # the other tool's text of the PDF is in the file: the document is read from it (without pages)
                self.warnings.append(f"PDF source '{name}': {problem}, so it was read from the other tool's text of "
                                     "it (without page numbers)")
                source = _Source(name, text, ext, self._convention(text, selections, ext))
                if not source.exact:
                    try:
                        source.parse(document=True)
                    except InputError as err:
                        self.warnings.append(f"PDF source '{name}' could not be read ({err.message}) and was left out")
                        self._skip("PDF sources that could not be read")
                        self._skip_codings(rep, src)
                        return None
                return source
            self.warnings.append(f"PDF source '{name}': {problem}, so it was left out")
            self._skip("PDF sources without their file" if data is None else "PDF sources that could not be read")
            self._skip_codings(rep, src)
            return None
        shown = text if text and text.strip() else parsed.text
        source = _Source(name, shown, ext, self._convention(shown, selections, ext))
        if not source.exact:
            source.parsed = parsed
            source.set_spans(_locate_in_raw(parsed, source.text))
        self.warnings.extend(f"source '{name}': {w}" for w in parsed.warnings)
        return source

    def _count_media(self) -> None:
        left_out = []
        for el in self.media:
            kind = local(el.tag)
            if self.aliases.get(norm_guid(el.get("guid"))) in self.sources:
                self._skip(_NON_TEXT[kind].replace("sources", "recordings") + " (their transcripts were imported)")
            else:
                self._skip(_NON_TEXT.get(kind, f"{kind} elements"))
                what = _NON_TEXT.get(kind, kind).removesuffix("s").replace(" source", "")
                left_out.append(f"{what} '{el.get('name') or el.get('path') or el.get('guid')}'")
        if left_out:
            # named, so the user knows which recording to transcribe or which picture to describe
            shown = ", ".join(left_out[:10]) + (f" and {len(left_out) - 10} more" if len(left_out) > 10 else "")
            self.warnings.append(f"left out, as only text is coded here and the file holds no transcript of them: "
                                 f"{shown}")

    def _skip_codings(self, src: Any, pdf: Any = None) -> None:
        """The codings on a source that was left out, counted so the summary names what they were (of a PDF source,
        ``pdf``, those of its areas that carry their text too)."""
        if src is not None:
            self._skip("codings on sources left out", sum(len(_children(x, "Coding"))
                                                         for x in _children(src, "PlainTextSelection")))
        if pdf is not None:
            self._skip("codings on sources left out", sum(len(_children(x, "Coding"))
                                                         for x in _children(pdf, "PDFSelection")
                                                         if _area_text(x).strip()))

    def _convention(self, text: str, selections: list[Selection], ext: dict[str, Any] | None) -> Choice:
        stated = (ext or {}).get("positions") or self.pkg.extension.get("positions")
        if stated in (CHARACTERS, UTF16):
            return Choice(Convention(str(stated), 2), {}, len(selections), by_origin=True)
        return choose(text, selections, self.pkg.origin)

    def _import_source(self, src: Any, g: str) -> None:
        project = self.project
        s = self.sources[g]
        assert s.parsed is not None
        self.counts["sources"] += 1
        ext = s.ext if s.exact else None
        name = (ext or {}).get("id") or _source_name(src, g)
        sha = text_hash(s.parsed.text)
        here = s.matched or project.transcript_with_text(sha)
        attrs = {**((ext or {}).get("attributes") or {}), **self._values(src)}
        speakers_value = attrs.pop(_attr_key(SPEAKERS_VARIABLE), None)
        attrs.pop(_attr_key(KIND_VARIABLE), None)  # read with the text (a desk-review document qualcode exported)
        known = self.stored["sources"].get(g)
        ours = self._exported().get(g) if not known and here is None else None
        conflict = False
        if here is None and (known or ours) and project.db.execute("SELECT 1 FROM transcripts WHERE id = ?",
                                                                  (known or ours,)).fetchone():
            # the same source as imported before, with a different text: as 'merge' does, codings on sentences
            # both texts share are placed, the rest are counted as not placed
            tid, conflict = str(known or ours), True
            self.counts["transcripts_in_conflict"] += 1
            if known:
                self.warnings.append(f"source '{name}' differs from transcript {tid} imported from it before; codings"
                                     " on unchanged sentences were placed (import the new text with 'qualcode import'"
                                     " as a new version to place the rest)")
            else:
                # this project's own export (its source GUID), whose text is no longer one this project exports:
                # edited in the other tool, or names withheld differently since (a name added to the name list);
                # as for a file with names withheld, this project's speakers and attributes stand
                s.withheld = True
                self.warnings.append(f"source '{name}' is transcript {tid} as this project exported it, but its text"
                                     " differs (edited in the other tool, or names withheld differently since the"
                                     " export); codings on unchanged sentences were placed (send the file back with"
                                     f" its {EXTENSION_MEMBER}, or export again, to place the rest)")
            s.set_spans(_locate_in_raw(_as_parsed(project, tid), s.text, strict=True))
        elif here is not None:
            tid = here
            self.counts["transcripts_already_here"] += 1
        else:
            # qualcode's own export carries the id as it was; another tool's source is named like an imported file
            # (never a dot name such as '..': an id becomes a file name in exports)
            tid = (tidy_id(name) if ext else safe_id(_stem(name))) or "source"
            base, n = tid, 2
            while project.db.execute("SELECT 1 FROM transcripts WHERE id = ?", (tid,)).fetchone():
                tid = f"{base}-{n}"
                n += 1
            # a document's title is its first line (as qualcode exports one), which the reader took as its title
            title = (ext or {}).get("title") or (s.parsed.metadata.get("title") if s.parsed.kind == "document"
                                                 else None) or name
            project.add_transcript(s.parsed, tid, title=title, attributes=attrs, coder=self.coder)
            self.counts["transcripts_added"] += 1
            if not s.exact and s.parsed.kind != "document":
                self.conversations_added[tid] = name
            self.changed = True
        if attrs and s.withheld:
            # the file shows this project's values pseudonymised: only an attribute added in the other tool is new
            mine = json.loads(project.require_transcript(tid)["attributes"])
            attrs = {k: v for k, v in attrs.items() if k not in mine}
        if attrs:
            before = project.require_transcript(tid)["attributes"]
            if {**json.loads(before), **attrs} != json.loads(before):
                project.set_transcript_attributes(tid, attrs, coder=self.coder)
                self.counts["attributes_set"] += 1
                self.changed = True
        self.source_ids[g] = tid
        if speakers_value is not None:
            self.speaker_cases[tid] = {c for _, _, c in parse_speakers_value(str(speakers_value)) or [] if c}
        if speakers_value is not None and not s.exact and not s.withheld:
            entries = parse_speakers_value(str(speakers_value))
            if entries is None:
                # edited in the other tool into something else: kept as the attribute it now is, nothing guessed
                self.warnings.append(f"source '{name}': its variable '{SPEAKERS_VARIABLE}' is not in the form qualcode"
                                     " writes, so speaker roles and cases were not read from it (kept as an"
                                     " attribute)")
                project.set_transcript_attributes(tid, {_attr_key(SPEAKERS_VARIABLE): speakers_value},
                                                  coder=self.coder)
            else:
                self.speaker_roles[tid] = (entries, here is None and not conflict)
        segs = project.segments(tid)
        self.unit_ids[g] = [x["id"] for x in segs]
        if s.matched is None and not conflict and len(segs) != len(s.parsed.units):
            # same text already here but cut into units differently: locate our units in the file instead
            s.set_spans(_locate_in_raw(_as_parsed(project, tid), s.text))
        description = _text_of(src, "Description").strip()
        if description and description != (ext or {}).get("title") and description != name:
            # a description names no author (the source's creator need not have written it; QualCoder names its
            # placeholder user "default"): it is the importing coder's, unless some coder's memo here holds it
            self.inline_memos.append(("transcript", tid, description, None, src.get("creationDateTime")))
        # a PDF's text selections live in its Representation (the text of the PDF)
        holder = _child(src, "Representation") if local(src.tag) == "PDFSource" else src
        for sel in _children(holder, "PlainTextSelection") if holder is not None else []:
            self._import_selection(sel, g)
        for sel in _children(src, "PDFSelection") if local(src.tag) == "PDFSource" else []:
            if _area_text(sel).strip():
                self._import_selection(sel, g, quoted=_area_text(sel))
        direct = _children(src, "Coding")
        if direct:
            self._skip("codings of whole sources", len(direct))
            self.warnings.append(f"{len(direct)} codings of the whole source '{name}' were left out"
                                 " (only passages are coded here)")

    def _exported(self) -> dict[str, str]:
        """The GUID each transcript of this project has in its own exports -> the transcript."""
        if self._exported_guids is None:
            self._exported_guids = {norm_guid(guid("source", f"{t['id']}:{t['sha256']}")): t["id"]
                                    for t in self.project.transcripts()}
        return self._exported_guids

    def _import_selection(self, sel: Any, g: str, quoted: str | None = None) -> None:
        """Codings, comments and case codes of a text selection (by its positions) or of a PDF area whose text the
        file gives (``quoted``, placed by that text)."""
        codings = _children(sel, "Coding")
        if quoted is not None:
            found = self.sources[g].find(quoted)
            if isinstance(found, str):
                if codings:
                    self.counts["selections"] += 1
                    self.counts["selections_not_mapped"] += 1
                    self._unplaced.append(f"'{self.sources[g].name}' PDF area on page {sel.get('page') or '?'}"
                                          f" ({found})")
                return
            hits = self.sources[g].units_at(*found)
        else:
            start, end = _span(sel, -1)
            if start < 0 or end < 0:
                if codings:
                    self.counts["selections"] += 1
                    self.counts["selections_not_mapped"] += 1
                    self._unplaced.append(f"'{self.sources[g].name}' (no positions)")
                return
            hits = self.sources[g].units_for(start, end)
        seg_ids = [self.unit_ids[g][i] for i in hits if i < len(self.unit_ids[g])]
        memo = _text_of(sel, "Description").strip() or None
        sel_user = sel.get("creatingUser") or sel.get("modifyingUser")
        case_codings = [c for c in codings if self._code_ref(c) in self.codes.case_codes]
        for c in case_codings:
            self.case_units.setdefault(self._code_ref(c), []).extend((g, i) for i in hits)
        self.selection_units[norm_guid(sel.get("guid"))] = (g, hits)
        codings = [c for c in codings if c not in case_codings]
        marks = [c for c in codings if self._code_ref(c) in self.codes.speaker_marks]
        if marks:
            self._skip(SPEAKER_MARKS, len(marks))
            codings = [c for c in codings if c not in marks]
        if codings:
            self.counts["selections"] += 1
            self.counts["selections_mapped" if seg_ids else "selections_not_mapped"] += 1
            if not seg_ids:
                self._unplaced.append(self.sources[g].why_unplaced(*_span(sel, -1)) if quoted is None else
                                      f"'{self.sources[g].name}' PDF area on page {sel.get('page') or '?'} (on no"
                                      " coding unit)")
        elif not case_codings and memo and seg_ids:
            # a selection without a code but with a comment (MAXQDA, QualCoder annotations): a memo on the unit
            self.inline_memos.append(("segment", str(seg_ids[0]), memo, self._user(sel_user),
                                      sel.get("creationDateTime")))
        for c in codings:
            ref = self._code_ref(c)
            code_id = self.codes.by_guid.get(ref)
            noted = {self.notes[n]["text"] for n in (norm_guid(x.get("targetGUID")) for x in _children(c, "NoteRef"))
                     if n in self.notes}
            coding_memo = memo
            if memo and noted:
                # the description repeats the coding's notes for QualCoder's sake; the notes stay memos of their own
                coding_memo = "\n\n".join(p for p in memo.split("\n\n") if p.strip() not in noted) or None
            if code_id is None:
                self._skip("codings of codes the file does not define")
                continue
            user = (sel_user or c.get("creatingUser")) if self.selection_first else \
                (c.get("creatingUser") or sel_user)
            coder = self._user(user)
            created = xsd_datetime(c.get("creationDateTime") or sel.get("creationDateTime"), now_iso())
            cid = self.project.coder_id(coder)
            for seg_id in seg_ids:
                existing = self.project.db.execute(
                    "SELECT id FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?",
                    (seg_id, code_id, cid)).fetchone()
                # overlapping selections of one code by one coder mark some units twice: one coding, and not one
                # this project already had
                repeated = (seg_id, code_id, cid) in self._coded_now
                self._coded_now.add((seg_id, code_id, cid))
                if existing and repeated:
                    self.counts["codings_repeated_in_file"] += 1
                    coding_id = int(existing[0])
                elif existing:
                    self.counts["codings_already_here"] += 1
                    coding_id = int(existing[0])
                else:
                    added = self.project.add_coding(seg_id, code_id, coder=coder, memo=coding_memo, source="import",
                                                    created=created)
                    self.counts["codings_added"] += 1
                    self.changed = True
                    coding_id = int(added["id"])
                for n in _children(c, "NoteRef"):
                    self.memo_targets.append(("coding", str(coding_id), norm_guid(n.get("targetGUID"))))
        if seg_ids:
            for n in _children(sel, "NoteRef"):
                self.memo_targets.append(("segment", str(seg_ids[0]), norm_guid(n.get("targetGUID"))))
            self._selection_notes[norm_guid(sel.get("guid"))] = str(seg_ids[0])

    @staticmethod
    def _code_ref(coding: Any) -> str:
        ref = _child(coding, "CodeRef")
        return norm_guid(ref.get("targetGUID")) if ref is not None else ""

    def _values(self, el: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for vv in _children(el, "VariableValue"):
            ref = _child(vv, "VariableRef")
            key = self.variables.get(norm_guid(ref.get("targetGUID"))) if ref is not None else None
            if not key:
                continue
            value = next((c.text for c in vv if local(c.tag) != "VariableRef"), None)
            if value is not None and value.strip() != "":
                out[key] = value.strip()
        return out

    def _import_cases(self) -> None:
        project = self.project
        cases_el = _child(self.pkg.root, "Cases")
        self.case_ids: dict[str, str] = {}
        links: list[tuple[str, str, str]] = []  # (transcript, speaker label, case id)
        exact_speakers = []
        existing = {c["id"]: c for c in project.cases()}
        for case in _children(cases_el, "Case") if cases_el is not None else []:
            attrs = self._values(case)
            refs = [norm_guid(r.get("targetGUID")) for r in _children(case, "SourceRef")]
            tids = [self.source_ids[r] for r in refs if r in self.source_ids]
            name = (case.get("name") or "").strip()
            if not name:
                # MAXQDA and Quirkos write a source's attributes as an unnamed case with one SourceRef
                for tid in tids:
                    before = json.loads(project.require_transcript(tid)["attributes"])
                    if {**before, **attrs} != before:
                        project.set_transcript_attributes(tid, attrs, coder=self.coder)
                        self.counts["attributes_set"] += 1
                        self.changed = True
                continue
            g = norm_guid(case.get("guid"))
            case_id = tidy_id(name) or g[:8]
            earlier = ID_SAFE.sub("-", name).strip("-")
            if case_id not in existing and earlier in existing:
                case_id = earlier  # imported before runs of separators were collapsed ("P-2---Teacher")
            case_id = self._same_case(case_id, name, attrs, tids, existing)
            self.case_ids[g] = case_id
            self.counts["cases"] += 1
            mine = existing.get(case_id)
            if mine is None:
                project.upsert_case(case_id, None, attrs, coder=self.coder)
                self.counts["cases_added"] += 1
                self.changed = True
            elif attrs and {**mine["attributes"], **attrs} != mine["attributes"] and not (
                    self.withheld and all(k in mine["attributes"] for k in attrs)):
                # (a file with names withheld shows this project's values pseudonymised: not a difference)
                # as 'merge' does: this project's case sheet is the reference; the difference is reported
                self.counts["cases_differ"] += 1
            description = _text_of(case, "Description").strip()
            if description:
                self.inline_memos.append(("case", case_id, description, None, None))
            for r, tid in zip([r for r in refs if r in self.source_ids], tids, strict=True):
                s = self.sources[r]
                if s.withheld:
                    continue  # this project's own transcript: its speakers are placed here already
                if s.exact and s.ext is not None:
                    exact_speakers.append((tid, s.ext))
                    continue
                labels = [sp["label"] for sp in project.speakers(tid)]
                speaker = _speaker_for(name, case_id, labels) or _sole_informant(project, tid)
                if speaker is None or self._linked(tid, speaker, case_id):
                    continue
                links.append((tid, speaker, case_id))
            # the case's passages: selections coded with the case's code (NVivo, qualcode) or named by the case
            passages = list(self.case_units.get(g, []))
            for ref in _children(case, "SelectionRef"):
                source_guid, hits = self.selection_units.get(norm_guid(ref.get("targetGUID")), ("", []))
                passages.extend((source_guid, i) for i in hits)
            for source_guid, index in passages:
                segs = self.unit_ids.get(source_guid, [])
                if source_guid not in self.source_ids or index >= len(segs):
                    continue
                tid = self.source_ids[source_guid]
                speaker = project.db.execute("SELECT speaker FROM segments WHERE id = ?", (segs[index],)).fetchone()
                if speaker and speaker[0] and not self._linked(tid, speaker[0], case_id) and \
                        (tid, speaker[0]) not in {(t, sp) for t, sp, _ in links}:
                    links.append((tid, speaker[0], case_id))
        for tid, label, case_id in links:
            # the informant's turns: the speaker is an informant and stands for the case
            project.set_speaker(tid, label, role="informant", case_id=case_id, coder=self.coder)
            self.counts["case_links"] += 1
            self.changed = True
        for tid, (entries, new) in self.speaker_roles.items():
            self._apply_speaker_roles(tid, entries, new)
        for tid, source_name in self.conversations_added.items():
            if tid not in self.speaker_roles:
                self._guess_roles(tid, source_name)
        for tid, ext in exact_speakers:
            for sp in ext.get("speakers", []):
                speaker_case: str | None = sp.get("case")
                if speaker_case and not project.has_case(speaker_case):
                    speaker_case = None
                role = sp.get("role") or "unknown"
                row = project.db.execute("SELECT role, case_id FROM speakers WHERE transcript_id = ? AND label = ?",
                                         (tid, sp["label"])).fetchone()
                if row is None or (row["role"], row["case_id"]) != (role, speaker_case):
                    project.set_speaker(tid, sp["label"], role=role, case_id=speaker_case, coder=self.coder)
                    self.changed = True

    def _same_case(self, case_id: str, name: str, attrs: dict[str, Any], tids: list[str],
                   existing: dict[str, dict[str, Any]]) -> str:
        """The id under which the file's case ``name`` is kept. An informant here with the same id is the same person
        only when something corroborates it: the file links the case to one of the same transcripts (a SourceRef, or
        qualcode's speakers variable naming it), or, when the file links it to none, its name is the id exactly (as
        qualcode writes it) and no attribute that says who someone is (stakeholder group, sex, gender) contradicts,
        or its attributes all agree (an informant here not yet placed in any transcript, whose attributes do not
        contradict the file's). Another project's "FGD-01 P4" is otherwise someone else than this project's
        FGD-01-P4: it becomes a new case (FGD-01-P4-2) and a warning names the pair, once (a re-import that lands on
        that case says nothing again). A file qualcode exported with names withheld shows this project's own cases
        (attributes pseudonymised): its ids are trusted."""
        if self.withheld:
            return case_id
        linked = set(tids) | {tid for tid, cases in self.speaker_cases.items()
                              if name in cases or case_id in cases or any(tidy_id(c) == case_id for c in cases)}
        n = 1
        candidate = case_id
        reason = ""
        while True:
            mine = existing.get(candidate)
            if mine is None:
                break
            here = {str(k): str(v).strip().casefold() for k, v in mine["attributes"].items() if str(v).strip()}
            there = {str(k): str(v).strip().casefold() for k, v in attrs.items()}
            common = [k for k in there if k in here]
            agree = all(here[k] == there[k] for k in common)
            if set(mine["transcripts"]) & linked or (agree and (common or not mine["transcripts"])):
                break
            if not linked and name == candidate:
                # qualcode's own id come back without links: the same person unless who they are differs
                clash = [k for k in common if here[k] != there[k] and
                         _attr_key(k).casefold().replace(" ", "_") in _IDENTITY]
                if not clash:
                    break
                reason = ", ".join(f"its {k} differs" for k in clash)
            elif n == 1:
                reason = ("the file links it to no transcript" if not linked else
                          "it speaks in none of that informant's transcripts") + " and its attributes do not match"
            n += 1
            candidate = f"{case_id}-{n}"
        if candidate != case_id and candidate not in existing:
            self.warnings.append(
                f"case '{name}' has the id of this project's informant {case_id}, but {reason}: kept apart as"
                f" {candidate} (if they are one person, name {case_id} for its speaker in a case sheet)")
        return candidate

    def _guess_roles(self, tid: str, name: str) -> None:
        """Another tool's conversation, added by this import with no roles in the file: its roles and type guessed
        from its speakers as 'qualcode import' guesses them (:func:`qualcode.speakers.guess_conversation`), each
        guess named in a warning with how to correct it."""
        from qualcode.importing import SpeakerStats
        from qualcode.speakers import guess_conversation

        project = self.project
        stats = SpeakerStats.from_store(project.db, tid)
        order = {label: i for i, label in enumerate(stats.labels)}  # as they first speak, as 'qualcode import' says
        speakers = sorted(((sp["label"], sp["role"], sp["case_id"]) for sp in project.speakers(tid)),
                          key=lambda sp: order.get(sp[0], len(order)))
        attributes = json.loads(project.require_transcript(tid)["attributes"])
        guess = guess_conversation(tid, speakers, dict(stats.units), dict(stats.questions),
                                   typed=str(attributes.get("type") or ""), names=(name, tid))
        for label, (role, how) in guess.roles.items():
            project.set_speaker(tid, label, role=role, case_id=None, coder=self.coder, how=how)
            self.changed = True
        if guess.type:
            project.set_transcript_attributes(tid, {"type": guess.type}, coder=self.coder)
            self.changed = True
        said = guess.warning()
        if said:
            self.warnings.append(f"transcript {tid}: {said}")

    def _apply_speaker_roles(self, tid: str, entries: list[tuple[str, str, str | None]], new: bool) -> None:
        """Speakers' roles and cases as qualcode exported them (the speakers variable). On a transcript this import
        added they are the file's; on one already here only a speaker this project has not placed (role unknown, no
        case) takes them."""
        project = self.project
        here = {sp["label"]: sp for sp in project.speakers(tid)}
        missing = [label for label, _, _ in entries if label not in here]
        if missing:
            self.warnings.append(f"transcript {tid}: {len(missing)} speaker(s) named in '{SPEAKERS_VARIABLE}' were not"
                                 f" found in its text ({', '.join(missing[:3])}); their roles were not set")
        for label, role, case_id in entries:
            sp = here.get(label)
            if sp is None:
                continue
            if case_id and not project.has_case(case_id):
                case_id = None
            if (sp["role"], sp["case_id"]) == (role, case_id):
                continue
            if not new and (sp["role"] != "unknown" or sp["case_id"]):
                continue
            project.set_speaker(tid, label, role=role, case_id=case_id, coder=self.coder)
            if case_id and sp["case_id"] != case_id:
                self.counts["case_links"] += 1
            self.changed = True

    def _linked(self, tid: str, label: str, case_id: str) -> bool:
        row = self.project.db.execute("SELECT case_id FROM speakers WHERE transcript_id = ? AND label = ?",
                                      (tid, label)).fetchone()
        return row is not None and row[0] == case_id

    def _import_sets(self) -> None:
        """Sets of sources become a transcript attribute 'set' (as QualCoder reads them); sets of codes were read
        into the codebook's groups (see _Codes.read_sets)."""
        sets_el = _child(self.pkg.root, "Sets")
        member_of: dict[str, list[str]] = {}
        for st in _children(sets_el, "Set") if sets_el is not None else []:
            name = (st.get("name") or "").strip() or "unnamed set"
            sources = [self.source_ids[norm_guid(m.get("targetGUID"))] for m in _children(st, "MemberSource")
                       if norm_guid(m.get("targetGUID")) in self.source_ids]
            for tid in sources:
                member_of.setdefault(tid, []).append(name)
            if not sources and _children(st, "MemberNote") and not _children(st, "MemberCode"):
                self._skip("sets of notes")  # memos are kept, not their grouping
            elif not sources and not _children(st, "MemberCode"):
                self._skip("sets of sources not imported")
        read_as_attributes: set[str] = set()
        for tid, names in member_of.items():
            wanted: dict[str, str] = {"set": "; ".join(sorted(set(names)))}
            # ATLAS.ti has no document variables: its users name document groups 'gender: male' (or 'gender::male',
            # how ATLAS.ti itself exports groups as variables); such a set also gives the attribute it names
            pairs: dict[str, set[str]] = {}
            for name in names:
                m = _SET_ATTRIBUTE.fullmatch(name)
                if m is not None and _attr_key(m.group(1)) not in ("set", ""):
                    pairs.setdefault(_attr_key(m.group(1)), set()).add(m.group(2).strip())
                    read_as_attributes.add(name)
            wanted.update({k: "; ".join(sorted(v)) for k, v in pairs.items()})
            before = json.loads(self.project.require_transcript(tid)["attributes"])
            if {**before, **wanted} != before:
                self.project.set_transcript_attributes(tid, wanted, coder=self.coder)
                self.counts["attributes_set"] += 1
                self.changed = True
        if read_as_attributes:
            shown = sorted(read_as_attributes)
            self.warnings.append(f"{len(shown)} set(s) of sources named 'attribute: value' were also read as that "
                                 "transcript attribute: " + ", ".join(f"'{n}'" for n in shown[:5])
                                 + (", ..." if len(shown) > 5 else ""))
        if self.codes.empty_sets:
            self._skip("sets of codes with none of their codes in the file", len(self.codes.empty_sets))
            self.warnings.append(_empty_sets_warning(self.codes.empty_sets))

    def _collect_memo_refs(self, text_sources: list[Any]) -> None:
        root = self.pkg.root
        for n in _children(root, "NoteRef"):
            self.memo_targets.append(("project", "project", norm_guid(n.get("targetGUID"))))
        description = _text_of(root, "Description").strip()
        if description:
            self.inline_memos.append(("project", "project", description, None, None))
        for code_id, refs in self.codes.notes.items():
            for ref in refs:
                self.memo_targets.append(("code", code_id, ref))
        for src in text_sources:
            g = self._key(src)
            if g not in self.source_ids:
                continue
            for n in _children(src, "NoteRef"):
                ref = norm_guid(n.get("targetGUID"))
                note = self.notes.get(ref)
                sel = note.get("selection") if note else None
                if sel is not None and sel.get("startPosition") is not None:
                    # QualCoder's annotation: a note holding the selection it comments on
                    hits = self.sources[g].units_for(*_span(sel))
                    if hits and hits[0] < len(self.unit_ids[g]):
                        self.memo_targets.append(("segment", str(self.unit_ids[g][hits[0]]), ref))
                        continue
                self.memo_targets.append(("transcript", self.source_ids[g], ref))
        links = _child(root, "Links")
        for link in _children(links, "Link") if links is not None else []:
            origin, target = norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))
            if origin not in self.notes:
                origin, target = target, origin  # some tools link from the object to the note
            if origin not in self.notes:
                self._skip("links between objects")
            elif target in self.case_ids:
                self.memo_targets.append(("case", self.case_ids[target], origin))
            elif target in self.source_ids:
                self.memo_targets.append(("transcript", self.source_ids[target], origin))
            elif target in self.codes.by_guid:
                self.memo_targets.append(("code", self.codes.by_guid[target], origin))
            elif target in self._selection_notes:
                self.memo_targets.append(("segment", self._selection_notes[target], origin))
            else:
                self._skip("links between objects")

    def _write_memos(self) -> None:
        wanted: dict[tuple[str, str, str], dict[str, Any]] = {}  # (type, id, coder) -> text parts and dates

        def add(target_type: str, target_id: str, coder: str, text: str, created: str | None,
                updated: str | None) -> None:
            entry = wanted.setdefault((target_type, target_id, coder), {"parts": [], "created": created,
                                                                         "updated": updated})
            if not any(text in p for p in entry["parts"]):
                entry["parts"] = [p for p in entry["parts"] if p not in text] + [text]
            entry["updated"] = max(filter(None, [entry["updated"], updated]), default=None)

        inline = list(self.inline_memos)
        for target_type, target_id, note_guid in self.memo_targets:
            note = self.notes.get(note_guid)
            if note is None or not note["text"]:
                continue
            note["used"] = True
            if note["coder"] is None:
                inline.append((target_type, target_id, note["text"], None, note["created"]))
            else:
                add(target_type, target_id, note["coder"], note["text"], note["created"], note["updated"])
        journals = [n for n in self.notes.values() if not n["used"] and n["text"] and n["selection"] is None]
        for note in journals:
            found = self._named_target(note["name"])
            if found is not None:
                # a memo qualcode exported that came back as a journal entry (QualCoder keeps notes so)
                note["used"] = True
                add(found[0], found[1], found[2], note["text"], note["created"], note["updated"])
        for target_type, target_id, text, coder, created in inline:
            parts = [p for (t, i, _), e in wanted.items() if (t, i) == (target_type, target_id) for p in e["parts"]]
            if coder is None:
                # a description names no author: it is already here if some coder's memo on the object holds it
                parts += [m["text"] for m in self.project.memos(target_type, target_id)]
            if parts and all(any(chunk.strip() in p for p in parts) for chunk in text.split("\n\n")):
                continue  # the same memos as the notes of this object (qualcode writes both, for other tools' sake)
            add(target_type, target_id, coder or self.coder, text, created, created)
        for note in journals:
            if not note["used"]:
                # a note attached to nothing (a journal): kept as its author's memo on the project, under its name
                text = f"{note['name']}\n{note['text']}" if note["name"] else note["text"]
                add("project", "project", note["coder"] or self.coder, text, note["created"], note["updated"])
        orphans = [n for n in self.notes.values() if not n["used"] and n["text"] and n["selection"] is not None]
        if orphans:
            placed = [p for e in wanted.values() for p in e["parts"]] + [m["text"] for m in self.project.memos()]
            orphans = [n for n in orphans if not any(n["text"] in p for p in placed)]
        if orphans:
            # QualCoder refers only to the first annotation of each source from the source; the others name a
            # passage but not the source it is in
            self._skip("annotations that name no source", len(orphans))
            self.warnings.append(f"{len(orphans)} annotation(s) name a passage but not the source it is in, so they"
                                 " were left out: " + ", ".join(f"'{n['text'][:40]}'" for n in orphans[:3]))
        project = self.project
        kept: list[str] = []
        for (target_type, target_id, coder), entry in wanted.items():
            text = "\n\n".join(entry["parts"])
            cid = project.coder_id(coder)
            mine = project.memo_state(target_type, target_id, cid)
            if mine is not None and (mine["text"] == text or text in mine["text"]
                                     or self._withheld_form(target_type, target_id, mine["text"]) == text):
                # (also this project's memo as its export withholds names in it: the same memo)
                self.counts["memos_already_here"] += 1
                continue
            updated = xsd_datetime(entry["updated"], "") or None
            if mine is not None and (updated is None or (mine["updated"] or "") >= updated):
                self.counts["memos_kept_ours"] += 1  # as 'merge' does: the more recently edited memo stands
                kept.append(f"{target_type} {target_id} ({coder})")
                continue
            created = xsd_datetime(entry["created"], "") or now_iso()
            project.put_memo(target_type, target_id, cid, text, created=created, updated=updated or created)
            project.log_event("memo.import", "memo", f"{target_type}/{target_id}", coder=self.coder, before=mine,
                              after=project.memo_state(target_type, target_id, cid))
            self.counts["memos"] += 1
            self.changed = True

        if kept:
            self.warnings.append(
                f"{len(kept)} memo(s) in the file differ from the same coder's memo here, which was edited here at or"
                " after the file's date (or the file gives none): this project's text was kept, the file's was not"
                " imported (" + ", ".join(kept[:5]) + (", ..." if len(kept) > 5 else "") + ")")

    def _withheld_form(self, target_type: str, target_id: str, text: str) -> str:
        """``text`` as this project's export ships it with names withheld (pseudonymised for its transcript)."""
        from qualcode.safety.privacy import Pseudonymiser

        if self._pseudo is None:
            self._pseudo = Pseudonymiser(self.project)
        tid: str | None = None
        if target_type == "transcript":
            tid = target_id
        elif target_type in ("segment", "coding") and target_id.isdigit():
            sql = "SELECT transcript_id FROM segments WHERE id = ?" if target_type == "segment" else \
                "SELECT s.transcript_id FROM codings c JOIN segments s ON s.id = c.segment_id WHERE c.id = ?"
            row = self.project.db.execute(sql, (int(target_id),)).fetchone()
            tid = row[0] if row is not None else None
        return str(self._pseudo(text, tid))

    def _named_target(self, name: str) -> tuple[str, str, str] | None:
        """The object a note named as qualcode names memo notes ('Memo on code Relevance (clara)') is about."""
        m = re.fullmatch(r"Memo on (the project|code|transcript|case|unit|coding) ?(.*) \(([^()]+)\)", name)
        if m is None:
            return None
        kind, label, coder = m.group(1), m.group(2).strip(), m.group(3)
        project = self.project
        if kind == "the project":
            return ("project", "project", coder)
        if kind == "code":
            code = next((c for c in project.codebook().walk() if c.name == label or c.id == label), None)
            return ("code", code.id, coder) if code is not None else None
        if kind in ("transcript", "case"):
            table = "transcripts" if kind == "transcript" else "cases"
            row = project.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (label,)).fetchone()  # noqa: S608
            return (kind, label, coder) if row else None
        if kind == "unit":
            seg = next((x for x in project.segments(label.rsplit(":", 1)[0]) if x["ref"] == label), None) \
                if ":" in label and project.db.execute("SELECT 1 FROM transcripts WHERE id = ?",
                                                       (label.rsplit(":", 1)[0],)).fetchone() else None
            return ("segment", str(seg["id"]), coder) if seg is not None else None
        return None

    def _remember_guids(self) -> None:
        """Keep the file's code and source GUIDs, so the next import of a changed file matches them even when a
        code was renamed or a text corrected."""
        stored = self.stored
        codes = {**stored["codes"], **self.codes.by_guid}
        sources = {**stored["sources"], **self.source_ids}
        if codes != stored["codes"] or sources != stored["sources"]:
            self.project._set_setting(GUID_SETTING, json.dumps({"codes": codes, "sources": sources}))

    def _count_left_out(self) -> None:
        root = self.pkg.root
        graphs = _child(root, "Graphs")
        if graphs is not None:
            self._skip("graphs", len(_children(graphs, "Graph")) or 1)
        unused = sum(1 for n in self.notes.values() if not n["used"] and not n["text"])
        self._skip("empty notes", unused)


class _ShippedIndex:
    """This project's transcripts as qualcode exports them (speaker labels before each turn), by text hash: another
    tool sends qualcode's export back without its qualcode.json, and its texts must still match."""

    def __init__(self, project: Project) -> None:
        from qualcode.refi.export import shipped_text

        self.project = project
        self.by_sha: dict[str, tuple[str, list[tuple[int, str]]]] = {}
        self.withheld: dict[str, tuple[str, list[tuple[int, int] | None]]] = {}
        for t in project.transcripts():
            stored, segs = project.transcript_text(t["id"]), project.segments(t["id"])
            # the forms earlier versions wrote (a label before each turn only; no page marks), then today's
            for every_paragraph, pages in ((False, False), (True, False), (True, True)):
                text, inserts = shipped_text(stored, segs, every_paragraph=every_paragraph, pages=pages)
                self.by_sha[text_hash(text)] = (t["id"], inserts)

    def find(self, text: str) -> tuple[str, list[tuple[int, int] | None], ParsedTranscript, bool] | None:
        """The transcript whose exported text this is, where its units lie in it, and whether it is the form with
        names withheld (looked for only when the verbatim forms do not match)."""
        found = self._lookup(text)
        withheld = False
        if found is None:
            self._index_withheld()
            found = self._lookup(text, withheld=True)
            withheld = found is not None
        if found is None:
            return None
        tid, spans = found
        return tid, spans, _as_parsed(self.project, tid), withheld

    def _lookup(self, text: str, *, withheld: bool = False) -> tuple[str, list[tuple[int, int] | None]] | None:
        keys = (text_hash(text), text_hash(text.rstrip("\n")))
        if withheld:
            return next((self.withheld[k] for k in keys if k in self.withheld), None)
        found = next((self.by_sha[k] for k in keys if k in self.by_sha), None)
        if found is None:
            return None
        tid, inserts = found
        pos = ShippedOffsets(inserts)
        return tid, [(pos(u.start), pos(u.end, end=True)) for u in _as_parsed(self.project, tid).units]

    def _index_withheld(self) -> None:
        if self.withheld:
            return
        from qualcode.refi.withheld import withheld_shipped
        from qualcode.safety.privacy import Pseudonymiser

        pseudo = Pseudonymiser(self.project)
        speakers: dict[str, list[dict[str, Any]]] = {}
        for sp in self.project.speakers():
            speakers.setdefault(sp["transcript_id"], []).append(sp)
        for t in self.project.transcripts():
            tid = t["id"]
            text, spans = withheld_shipped(pseudo, tid, self.project.transcript_text(tid), self.project.segments(tid),
                                           speakers.get(tid, []))
            self.withheld[text_hash(text)] = (tid, list[tuple[int, int] | None](spans))


def _stored_guids(project: Project) -> dict[str, dict[str, str]]:
    raw = project.setting(GUID_SETTING)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        value = {}
    out: dict[str, dict[str, str]] = {"codes": {}, "sources": {}}
    if isinstance(value, dict):
        for key in out:
            part = value.get(key)
            if isinstance(part, dict):
                out[key] = {str(k): str(v) for k, v in part.items()}
    return out


def _span(sel: Any, default: int = 0) -> tuple[int, int]:
    """A selection's start and end positions, in order (a tool that wrote them the other way round still means the
    passage between them)."""
    a, b = _int(sel.get("startPosition"), default), _int(sel.get("endPosition"), default)
    return (a, b) if a <= b or min(a, b) < 0 else (b, a)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _speaker_for(name: str, case_id: str, labels: list[str]) -> str | None:
    """The speaker label a case stands for: its name ('Ms Lan') or the end of its id ('FGD-01-P2' -> 'P2')."""
    for label in labels:
        low = label.lower()
        if low == name.lower() or case_id.lower().endswith("-" + tidy_id(low)):
            return label
    return None


def _sole_informant(project: Project, tid: str) -> str | None:
    """The one speaker of a transcript who is not an interviewer (a KII's informant), else None."""
    informants = [sp["label"] for sp in project.speakers(tid) if sp["role"] != "interviewer"]
    return informants[0] if len(informants) == 1 else None


def _attr_key(name: str) -> str:
    from qualcode.cases import _norm_col

    return _norm_col(name) or name.strip()


def _as_parsed(project: Project, tid: str) -> ParsedTranscript:
    segs = project.segments(tid)
    return ParsedTranscript(text=project.transcript_text(tid), turns=[],
                            units=[Unit(s["start"], s["end"], s["speaker"], s["turn"]) for s in segs], format="text")


__all__ = ["import_refi", "read_qdc", "QualcodeError"]
