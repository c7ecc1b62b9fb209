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
import json
import os
import re
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook import check_codebook
from qualcode.errors import InputError, QualcodeError
from qualcode.folding import fold
from qualcode.model import Code, Codebook, ParsedTranscript, Turn, Unit
from qualcode.project_io import ID_SAFE, safe_id
from qualcode.refi.common import EXTENSION_MEMBER, RGB, ShippedOffsets, guid, local, norm_guid, xsd_datetime
from qualcode.safeio.archive import Archive
from qualcode.safeio.files import check_size, read_input
from qualcode.safeio.limits import limits
from qualcode.safeio.text import clean, describe, is_clean
from qualcode.store import DB_NAME, Project, now_iso, text_hash

if TYPE_CHECKING:
    from lxml import etree


# ---------------------------------------------------------------------------- XML


def _parse_xml(data: bytes, name: str, removed: Counter[str] | None = None) -> etree._Element:
    from qualcode.safeio.xml import clean_tree, parse_xml

    root = parse_xml(data, name, hint="export it again from the other tool")
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


class _Codes:
    """Code GUIDs of a file mapped to code ids, and the Codebook they form."""

    def __init__(self, codes_el: Any, *, origin: str, known: Codebook | None, extension_yaml: str | None,
                 name: str = "") -> None:
        from qualcode.codebook import parse_codebook

        self.name = name
        self.by_guid: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}  # code id -> note guids
        self.new_ids: list[str] = []
        reference: dict[str, Code] = {}
        if extension_yaml:
            cb, _ = parse_codebook(extension_yaml, "<qualcode.json>")
            if cb is not None:
                self.extension = cb
                reference.update({norm_guid(guid("code", c.id)): c for c in cb.walk()})
        if known is not None:
            reference.update({norm_guid(guid("code", c.id)): c for c in known.walk()})
        self._taken = set(known.ids) if known is not None else set()
        self.roots: list[Code] = []
        if codes_el is not None:
            for el in _children(codes_el, "Code"):
                self.roots.append(self._code(el, None, reference, origin))
        ext = getattr(self, "extension", None)
        self.codebook = Codebook(roots=self.roots, name=self._name(known),
                                 version=ext.version if ext is not None else "1",
                                 description=ext.description if ext is not None else "")

    def _name(self, known: Codebook | None) -> str:
        if known is not None:
            return known.name
        ext = getattr(self, "extension", None)
        return ext.name if ext is not None else "Imported codebook"

    def _code(self, el: Any, parent: Code | None, reference: dict[str, Code], origin: str, depth: int = 0) -> Code:
        bound = limits().max_code_depth
        if depth > bound:
            # refused here, before anything is written: a deeper tree would break every later command
            raise InputError(f"nests codes more than {bound} levels below a criterion (code "
                             f"'{(el.get('name') or '').strip()[:40]}'); qualcode reads code trees up to {bound} "
                             "levels deep", path=self.name or None,
                             hint="flatten the code tree in the other tool and export it again")
        g = norm_guid(el.get("guid"))
        name = (el.get("name") or "").strip() or "Unnamed code"
        ref = reference.get(g)
        if ref is not None:
            code_id = ref.id
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
        description = _text_of(el, "Description").strip()
        color = el.get("color")
        code = Code(
            id=code_id,
            name=ref.name if ref is not None else name,
            definition=(ref.definition if ref is not None and ref.definition else description)
            or f"Imported from {origin or 'another tool'}.",
            color=color if color and RGB.match(color) else (ref.color if ref is not None else None),
        )
        if ref is not None:
            for key in ("questions", "keywords", "examples", "include", "exclude"):
                setattr(code, key, list(getattr(ref, key)))
        self.by_guid[g] = code_id
        self.notes[code_id] = [norm_guid(n.get("targetGUID")) for n in _children(el, "NoteRef")]
        code.children = [self._code(c, code, reference, origin, depth + 1) for c in _children(el, "Code")]
        return code


def read_qdc(path: str | Path, *, known: Codebook | None = None) -> Codebook:
    """Read a .qdc codebook. Codes whose GUID is a qualcode code's (``known`` or the shipped ids) keep its id."""
    p = Path(path)
    data = read_input(p, what="REFI-QDA codebook")
    root = _parse_xml(data, str(p))
    if local(root.tag) != "CodeBook":
        raise InputError(f"is not a REFI-QDA codebook (its root is <{local(root.tag)}>)", path=str(p),
                         hint="a .qdc file starts with <CodeBook>")
    codes = _Codes(_child(root, "Codes"), origin=root.get("origin") or "", known=known, extension_yaml=None,
                   name=str(p))
    if not codes.roots:
        raise InputError("holds no codes", path=str(p))
    return codes.codebook


def _merge_codebooks(ours: Codebook, theirs: Codebook) -> tuple[Codebook, list[str]]:
    """Our codebook plus their codes it lacks (under the same parent when we have it)."""
    import copy

    merged = copy.deepcopy(ours)
    added: list[str] = []

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
    return merged, added


# ---------------------------------------------------------------------------- the import


def import_refi(project_dir: str | Path, path: str | Path, *, coder: str) -> dict[str, Any]:
    """Import a .qdpx or .qdc into the project in ``project_dir`` (created when the folder holds none).

    Everything is read and checked before the project is written; the write is one transaction.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=str(p))
    folder = Path(project_dir)
    suffix = p.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise InputError("is neither a .qdpx project nor a .qdc codebook", path=str(p),
                         hint="export a REFI-QDA project (.qdpx) or codebook (.qdc) from the other tool")
    created = not (folder / DB_NAME).exists()
    project: Project | None = None
    try:
        if suffix == ".qdc":
            theirs = read_qdc(p, known=None if created else _codebook_of(folder))
            check_codebook(theirs, path=str(p))
            project = Project.create(folder, codebook=theirs) if created else Project.open(folder)
            report = _import_codebook(project, theirs, coder)
            report.update({"file": str(p), "project": str(folder), "created": created})
            return report
        package = _Package(p)
        try:
            known = None if created else _codebook_of(folder)
            codes = _Codes(package.codes_el, origin=package.origin, known=known,
                           extension_yaml=package.extension.get("codebook_yaml"), name=str(p))
            check_codebook(codes.codebook, path=str(p))
            if created:
                project = Project.create(folder, codebook=codes.codebook, name=package.root.get("name") or None)
            else:
                project = Project.open(folder)
            report = _Importer(project, package, codes, coder).run()
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


def _codebook_of(folder: Path) -> Codebook:
    with Project.open(folder) as project:
        return project.codebook()


def _import_codebook(project: Project, theirs: Codebook, coder: str) -> dict[str, Any]:
    merged, added = _merge_codebooks(project.codebook(), theirs)
    if added:
        project.set_codebook(merged, coder=coder)
    return {"counts": {"codes_in_file": len(theirs), "codes_added": len(added)}, "codes_added": added,
            "warnings": []}


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
        self.archive = Archive(path, str(path), what="REFI-QDA project",
                               hint="export the project again as REFI-QDA (.qdpx)",
                               unreadable="is not a .qdpx package (not a ZIP file)")
        names = self.archive.names()
        qde = [n for n in names if n.lower().endswith(".qde")]
        if not qde:
            raise InputError("holds no project.qde", path=str(path), hint="export the project again as .qdpx")
        # the spec says project.qde; ATLAS.ti 26 names it after the project
        qde.sort(key=lambda n: (n.lower() != "project.qde", n))
        self.root = _parse_xml(self.archive.read(qde[0]), f"{path}:{qde[0]}", self.removed)
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

    def read_path(self, ref: str) -> bytes | None:
        """The bytes behind a plainTextPath (internal://, relative:// or absolute://), or None."""
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
        if scheme != "relative":
            if scheme == "absolute":
                self.refused.append(ref)
            return None
        if self.folder is None:
            return None
        base = self.root.get("basePath") or ""
        bases = [self.folder] + ([Path(base)] if base else [])
        for b in bases:
            data = self._read_beside(b / tail)
            if data is not None:
                return data
        return None

    def _read_beside(self, candidate: Path) -> bytes | None:
        """A file in the archive's folder (or below it): a regular .txt file, no symbolic link on the way."""
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
            if real.suffix.lower() != ".txt" or not real.is_file():
                return None
            data = read_input(real, what="source text")
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
    """One text source: the parsed transcript and a map from the file's offsets to its units."""

    def __init__(self, name: str, text: str, ext: dict[str, Any] | None, crlf_as_one: bool) -> None:
        from qualcode.importers import parse_transcript

        self.raw = text.replace("\r\n", "\n") if crlf_as_one else text
        self.ext = ext
        self.exact = False
        self.ext_ignored = False
        self.spans: list[tuple[int, int] | None]
        if ext is not None and not _extension_fits(ext):
            ext = self.ext = None
            self.ext_ignored = True
        if ext is not None:
            stored = self._strip_labels(self.raw, ext["labels"])
            fits = stored is not None and text_hash(stored) == ext.get("sha256")
            if fits and stored is not None and not _units_fit(stored, ext["units"]):
                fits, self.ext_ignored = False, True
            if fits and stored is not None:
                self.exact = True
                self.parsed = _rebuild(stored, ext, name)
                to_raw = ShippedOffsets(ext["labels"])
                self.spans = [(to_raw(u.start), to_raw(u.end, end=True)) for u in self.parsed.units]
                return
        file_name = name if Path(name).suffix else name + ".txt"
        self.parsed = parse_transcript(self.raw.replace("\r\n", "\n").encode("utf-8"), file_name)
        self.spans = _locate_in_raw(self.parsed, self.raw)

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

    def units_for(self, start: int, end: int) -> list[int]:
        """Indexes of the units a selection [start, end) overlaps (an empty selection counts its position)."""
        if end <= start:
            end = start + 1
        return [i for i, span in enumerate(self.spans) if span is not None and span[0] < end and span[1] > start]


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
    units = [Unit(u[0], u[1], u[2], u[3], u[4], u[5]) for u in ext["units"]]
    turns: dict[int, Turn] = {}
    for u in units:
        t = turns.get(u.turn)
        if t is None:
            turns[u.turn] = Turn(u.speaker, u.start, u.end)
        else:
            t.end = max(t.end, u.end)
    return ParsedTranscript(text=stored, turns=[turns[k] for k in sorted(turns)], units=units,
                            format=ext.get("format") or "text", source_name=ext.get("source_name") or name)


def _locate_in_raw(parsed: ParsedTranscript, raw: str) -> list[tuple[int, int] | None]:
    """:func:`_locate_units` for a file text that still holds the control characters the import removed: searched
    without them, offsets mapped back to the file's."""
    if is_clean(raw):
        return _locate_units(parsed, raw)
    keep = [i for i, ch in enumerate(raw) if clean(ch) != ""]
    spans = _locate_units(parsed, "".join(raw[i] for i in keep))
    # a located span is never empty: it holds at least one word
    return [None if span is None else (keep[span[0]], keep[span[1] - 1] + 1) for span in spans]


def _locate_units(parsed: ParsedTranscript, raw: str) -> list[tuple[int, int] | None]:
    """Where each unit's text sits in the file's text (labels and spacing may differ), searching forward."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for u in parsed.units:
        words = parsed.text[u.start:u.end].split()
        if not words:
            spans.append(None)
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        m = pattern.search(raw, cursor)
        if m is None:
            spans.append(None)
            continue
        spans.append((m.start(), m.end()))
        cursor = m.end()
    return spans


class _Importer:
    def __init__(self, project: Project, package: _Package, codes: _Codes, coder: str) -> None:
        self.project = project
        self.pkg = package
        self.codes = codes
        self.coder = coder
        self.warnings: list[str] = []
        self.counts = {"codes_in_file": len(codes.by_guid), "codes_added": 0, "sources": 0, "transcripts_added": 0,
                       "transcripts_already_here": 0, "selections": 0, "selections_mapped": 0,
                       "selections_not_mapped": 0, "codings_added": 0, "codings_already_here": 0, "cases": 0,
                       "memos": 0}
        self.users: dict[str, str] = {}
        users = _child(package.root, "Users")
        for u in _children(users, "User") if users is not None else []:
            self.users[norm_guid(u.get("guid"))] = (u.get("name") or u.get("id") or "").strip() or \
                f"user-{norm_guid(u.get('guid'))[:8]}"
        self.variables: dict[str, str] = {}
        variables = _child(package.root, "Variables")
        for v in _children(variables, "Variable") if variables is not None else []:
            self.variables[norm_guid(v.get("guid"))] = _attr_key(v.get("name") or "")
        self.notes: dict[str, dict[str, Any]] = {}
        notes = _child(package.root, "Notes")
        for n in _children(notes, "Note") if notes is not None else []:
            text = _text_of(n, "PlainTextContent")
            if not text and n.get("plainTextPath"):
                data = package.read_path(n.get("plainTextPath"))
                text = clean(_decode(data), package.removed) if data else ""
            self.notes[norm_guid(n.get("guid"))] = {
                "text": text, "coder": self._user(n.get("creatingUser")),
                "created": n.get("creationDateTime"), "updated": n.get("modifiedDateTime") or n.get("creationDateTime"),
            }
        self.source_ids: dict[str, str] = {}  # source guid -> transcript id
        self.unit_ids: dict[str, list[int]] = {}  # source guid -> segment ids in unit order
        self.sources: dict[str, _Source] = {}
        self.memo_targets: list[tuple[str, str, str]] = []  # (target_type, target_id, note guid)

    def _user(self, g: str | None) -> str:
        return self.users.get(norm_guid(g), self.coder) if g else self.coder

    def run(self) -> dict[str, Any]:
        project = self.project
        sources_el = _child(self.pkg.root, "Sources")
        text_sources = _children(sources_el, "TextSource") if sources_el is not None else []
        others = [local(c.tag) for c in sources_el if local(c.tag) != "TextSource"] if sources_el is not None else []
        if others:
            self.warnings.append(f"{len(others)} non-text sources (pictures, PDF, audio, video) were left out")
        # read every source first, so a damaged one fails before anything is written
        ext_sources = self.pkg.extension.get("transcripts", {})
        crlf_as_one = "atlas" in self.pkg.origin.lower()
        for src in text_sources:
            g = norm_guid(src.get("guid"))
            name = src.get("name") or g
            text = None
            if src.get("plainTextPath"):
                data = self.pkg.read_path(src.get("plainTextPath"))
                text = _decode(data) if data is not None else None
            if text is None:
                text = _text_of(src, "PlainTextContent") or None
            if text is not None:
                try:
                    check_size(text, name, what="source text")
                except InputError as err:
                    self.warnings.append(f"source '{name}' was left out: {err.message}")
                    continue
            if not text or not text.strip():
                self.warnings.append(f"source '{name}' has no plain text and was left out")
                continue
            ext = next((v for k, v in ext_sources.items() if norm_guid(k) == g), None)
            try:
                self.sources[g] = _Source(name, text, ext, crlf_as_one)
            except InputError as err:
                self.warnings.append(f"source '{name}' could not be read ({err.message}) and was left out")
                continue
            self.warnings.extend(f"source '{name}': {w}" for w in self.sources[g].parsed.warnings)
            if self.sources[g].ext_ignored:
                self.warnings.append(f"{EXTENSION_MEMBER} does not fit source '{name}' (offsets outside its text or"
                                     " units too long); its text was cut into units afresh")
        self.warnings.extend(self.pkg.warnings)
        if self.pkg.refused:
            shown = ", ".join(self.pkg.refused[:3]) + (", ..." if len(self.pkg.refused) > 3 else "")
            self.warnings.append(f"{len(self.pkg.refused)} source path(s) outside the archive and its folder were "
                                 f"not read ({shown})")
        if self.pkg.from_disk:
            self.warnings.append(f"read {len(self.pkg.from_disk)} source text(s) from files beside the archive, not "
                                 f"inside it: {', '.join(sorted(set(self.pkg.from_disk)))}")
        removed = describe(self.pkg.removed, "names, notes and descriptions in the file")
        if removed:
            self.warnings.append(removed)
        with project.transaction():
            ours = project.codebook()
            merged, added = _merge_codebooks(ours, self.codes.codebook)
            if added:
                project.set_codebook(merged, coder=self.coder)
            self.counts["codes_added"] = len(added)
            for src in text_sources:
                g = norm_guid(src.get("guid"))
                if g in self.sources:
                    self._import_source(src, g)
            self._import_cases()
            self._collect_memo_refs(text_sources)
            self._write_memos()
            project.log_event("refi.import", "project", str(self.pkg.path), coder=self.coder,
                              after={"counts": self.counts})
        if self.counts["selections_not_mapped"]:
            self.warnings.append(f"{self.counts['selections_not_mapped']} selections could not be placed on a"
                                 " coding unit (text not found)")
        return {"counts": self.counts, "warnings": self.warnings}

    def _import_source(self, src: Any, g: str) -> None:
        project = self.project
        s = self.sources[g]
        self.counts["sources"] += 1
        ext = s.ext if s.exact else None
        name = (ext or {}).get("id") or src.get("name") or g
        sha = text_hash(s.parsed.text)
        here = project.transcript_with_text(sha)
        attrs = {**((ext or {}).get("attributes") or {}), **self._values(src)}
        if here is not None:
            tid = here
            self.counts["transcripts_already_here"] += 1
        else:
            # qualcode's own export carries the id as it was; another tool's source is named like an imported file
            tid = (ID_SAFE.sub("-", name).strip("-") if ext else safe_id(Path(name).stem)) or "source"
            base, n = tid, 2
            while project.db.execute("SELECT 1 FROM transcripts WHERE id = ?", (tid,)).fetchone():
                tid = f"{base}-{n}"
                n += 1
            title = (ext or {}).get("title") or _text_of(src, "Description").strip() or name
            project.add_transcript(s.parsed, tid, title=title, attributes=attrs, coder=self.coder)
            self.counts["transcripts_added"] += 1
        if attrs:
            project.set_transcript_attributes(tid, attrs, coder=self.coder)
        self.source_ids[g] = tid
        segs = project.segments(tid)
        self.unit_ids[g] = [x["id"] for x in segs]
        if len(segs) != len(s.parsed.units):
            # same text already here but cut into units differently: locate our units in the file instead
            s.spans = _locate_units(_as_parsed(project, tid), s.raw)
        for sel in _children(src, "PlainTextSelection"):
            self._import_selection(sel, g)
        direct = _children(src, "Coding")
        if direct:
            self.warnings.append(f"{len(direct)} codings of the whole source '{name}' were left out"
                                 " (only passages are coded here)")

    def _import_selection(self, sel: Any, g: str) -> None:
        codings = _children(sel, "Coding")
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            self.counts["selections_not_mapped"] += 1
            return
        hits = self.sources[g].units_for(start, end)
        seg_ids = [self.unit_ids[g][i] for i in hits if i < len(self.unit_ids[g])]
        if codings:
            self.counts["selections"] += 1
            self.counts["selections_mapped" if seg_ids else "selections_not_mapped"] += 1
        memo = _text_of(sel, "Description").strip() or None
        for c in codings:
            ref = _child(c, "CodeRef")
            code_id = self.codes.by_guid.get(norm_guid(ref.get("targetGUID"))) if ref is not None else None
            if code_id is None:
                self.warnings.append("a coding points at a code that is not in the file; left out")
                continue
            coder = self._user(c.get("creatingUser") or sel.get("creatingUser"))
            created = xsd_datetime(c.get("creationDateTime") or sel.get("creationDateTime"), now_iso())
            for seg_id in seg_ids:
                cid = self.project.coder_id(coder)
                if self.project.db.execute(
                    "SELECT 1 FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?",
                    (seg_id, code_id, cid)).fetchone():
                    self.counts["codings_already_here"] += 1
                    continue
                added = self.project.add_coding(seg_id, code_id, coder=coder, memo=memo, source="import",
                                                created=created)
                self.counts["codings_added"] += 1
                for n in _children(c, "NoteRef"):
                    self.memo_targets.append(("coding", str(added["id"]), norm_guid(n.get("targetGUID"))))
        if seg_ids:
            for n in _children(sel, "NoteRef"):
                self.memo_targets.append(("segment", str(seg_ids[0]), norm_guid(n.get("targetGUID"))))

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
        from qualcode.cases import CaseRow
        from qualcode.project_io import apply_case_sheet

        project = self.project
        cases_el = _child(self.pkg.root, "Cases")
        self.case_ids: dict[str, str] = {}
        rows: list[CaseRow] = []
        exact_speakers = []
        for case in _children(cases_el, "Case") if cases_el is not None else []:
            attrs = self._values(case)
            refs = [norm_guid(r.get("targetGUID")) for r in _children(case, "SourceRef")]
            tids = [self.source_ids[r] for r in refs if r in self.source_ids]
            name = (case.get("name") or "").strip()
            if not name:
                # MAXQDA and Quirkos write a source's attributes as an unnamed case with one SourceRef
                for tid in tids:
                    project.set_transcript_attributes(tid, attrs, coder=self.coder)
                continue
            case_id = ID_SAFE.sub("-", name).strip("-") or norm_guid(case.get("guid"))[:8]
            self.case_ids[norm_guid(case.get("guid"))] = case_id
            project.upsert_case(case_id, None, attrs, coder=self.coder)
            self.counts["cases"] += 1
            for r, tid in zip([r for r in refs if r in self.source_ids], tids, strict=True):
                s = self.sources[r]
                if s.exact and s.ext is not None:
                    exact_speakers.append((tid, s.ext))
                    continue
                labels = [sp["label"] for sp in project.speakers(tid)]
                speaker = _speaker_for(name, case_id, labels)
                rows.append(CaseRow(0, tid, None, speaker, case_id, None, attrs))
        if rows:
            _, warnings = apply_case_sheet(project, rows, coder=self.coder)
            self.warnings.extend(w.replace("case sheet line 0: ", "") for w in warnings)
        for tid, ext in exact_speakers:
            for sp in ext.get("speakers", []):
                speaker_case: str | None = sp.get("case")
                if speaker_case and not project.db.execute("SELECT 1 FROM cases WHERE id = ?",
                                                           (speaker_case,)).fetchone():
                    speaker_case = None
                project.set_speaker(tid, sp["label"], role=sp.get("role") or "unknown", case_id=speaker_case,
                                    coder=self.coder)

    def _collect_memo_refs(self, text_sources: list[Any]) -> None:
        root = self.pkg.root
        for n in _children(root, "NoteRef"):
            self.memo_targets.append(("project", "project", norm_guid(n.get("targetGUID"))))
        for code_id, refs in self.codes.notes.items():
            for ref in refs:
                self.memo_targets.append(("code", code_id, ref))
        for src in text_sources:
            g = norm_guid(src.get("guid"))
            if g in self.source_ids:
                for n in _children(src, "NoteRef"):
                    self.memo_targets.append(("transcript", self.source_ids[g], norm_guid(n.get("targetGUID"))))
        links = _child(root, "Links")
        for link in _children(links, "Link") if links is not None else []:
            origin, target = norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))
            if origin in self.notes and target in self.case_ids:
                self.memo_targets.append(("case", self.case_ids[target], origin))
            elif origin in self.notes and target in self.source_ids:
                self.memo_targets.append(("transcript", self.source_ids[target], origin))
            elif origin in self.notes and target in self.codes.by_guid:
                self.memo_targets.append(("code", self.codes.by_guid[target], origin))

    def _write_memos(self) -> None:
        project = self.project
        done: set[tuple[str, str, str]] = set()
        for target_type, target_id, note_guid in self.memo_targets:
            note = self.notes.get(note_guid)
            if note is None or not note["text"].strip() or (target_type, target_id, note_guid) in done:
                continue
            done.add((target_type, target_id, note_guid))
            cid = project.coder_id(note["coder"])
            before = project.memo_state(target_type, target_id, cid)
            text = note["text"]
            if before is not None:
                if text in before["text"]:
                    continue
                text = before["text"] + "\n\n" + text  # two notes of one person on one object: keep both
            created = note["created"] or now_iso()
            project.put_memo(target_type, target_id, cid, text, created=created, updated=note["updated"] or created)
            project.log_event("memo.import", "memo", f"{target_type}/{target_id}", coder=self.coder, before=before,
                              after=project.memo_state(target_type, target_id, cid))
            self.counts["memos"] += 1


def _speaker_for(name: str, case_id: str, labels: list[str]) -> str | None:
    """The speaker label a case stands for: its name ('Ms Lan') or the end of its id ('FGD-01-P2' -> 'P2')."""
    for label in labels:
        low = label.lower()
        if low == name.lower() or case_id.lower().endswith("-" + ID_SAFE.sub("-", low).strip("-")):
            return label
    return None


def _attr_key(name: str) -> str:
    from qualcode.cases import _norm_col

    return _norm_col(name) or name.strip()


def _as_parsed(project: Project, tid: str) -> ParsedTranscript:
    segs = project.segments(tid)
    return ParsedTranscript(text=project.transcript_text(tid), turns=[],
                            units=[Unit(s["start"], s["end"], s["speaker"], s["turn"]) for s in segs], format="text")


__all__ = ["import_refi", "read_qdc", "QualcodeError"]
