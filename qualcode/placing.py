"""Placing quoted text on a transcript's units, and writing the codings that follow: the rules both imports of
codings by quotation share (a table of quotes, :func:`qualcode.project_io.import_codings_table`; Taguette's
highlights, :func:`qualcode.highlights.import_highlights`). Neither gives a position, only the words, so:

- **Where.** A quote is looked for in every place it is written, spacing aside (a line break or a double space in
  the quote is any run of spaces in the transcript). With ``approximate``, a quote written nowhere as such is looked
  for where its words are, in order (nine in ten of them: :func:`qualcode.textmatch.find_words`), again in every
  place. Only Taguette's highlights and another tool's coded segments are placed so
  (:meth:`Transcripts.place_copy`): those tools quote their own copy of the document, with the speaker labels, line
  ends and markup the import took out. A table of quotes is written from qualcode's own text ('qualcode
  segments'), so its quotes must be verbatim: a loose match there would hide a typing slip.
- **Said in more than one place.** Exact or approximate alike, a quote whose places do not all fall on the same
  units is ambiguous: it is coded nowhere, and its places are named. Coding the first would be a guess.
- **The interviewer's words.** The interviewer's units a quote covers are not coded (questions are context, as
  'qualcode codings add' and the workbench treat them); the informants' units of the same quote are, and the import
  says how many quotes reached into a question. A quote of the interviewer's words only codes nothing.

What is not placed is for the caller to report in its own way: a table of quotes is refused whole, at the line
(its user wrote it and can mend it); Taguette's highlights and another tool's coded segments
(:mod:`qualcode.coded_segments`) are listed by document, and the others imported.

Another tool names a document and a code its own way; both imports of another tool's codings find them here alike:
a document is the transcript whose id, title or file name it is (case, spacing, '_' and the extension aside); a code
is the code whose id or name it is, or, for a path of codes ("Effectiveness > Outcomes"), whose name is its last
part and which its parents put it under (a path whose parents name other codes, or nothing here, is read by its
last part only, and the import says so; one that fits several codes is coded with none). A quote
written from the tool's own copy of the document may hold the speaker labels and time stamps the import took out of
ours: :func:`without_labels` takes them out of the quote before it is placed.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import NamedTuple

from qualcode.model import Segment
from qualcode.store import Project
from qualcode.textmatch import find_words

Span = tuple[int, int]


def places(text: str, quote: str, *, approximate: bool = False) -> list[Span]:
    """Every place ``quote`` is written in ``text``, spacing aside; with ``approximate`` and none, every place its
    words are, in order (see the module's rules). In text order; empty when it is nowhere."""
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    if not pattern:
        return []
    found = [m.span() for m in re.finditer(pattern, text)]
    if found or not approximate:
        return found
    regions = [(0, len(text))]
    while regions:  # each place found leaves the text before it and after it to look in again
        lo, hi = regions.pop()
        span = find_words(quote, text, lo, hi)
        if span is not None:
            found.append(span)
            regions += [(lo, span[0]), (span[1], hi)]
    return sorted(found)


def units_over(units: Sequence[Segment], span: Span) -> list[Segment]:
    """The units a span of the transcript's text overlaps, in order."""
    start, end = span
    return [u for u in units if u["start"] < end and u["end"] > start]


class Placing(NamedTuple):
    """Where a quote landed. ``found``: how many places it is in (0: nowhere; text no unit holds is no place).
    ``units``: the units to code, those
    of its one place that are not the interviewer's. ``ambiguous``: when its places fall on different units, the
    references of them all, in text order (then ``units`` is empty). ``asked``: its place also covers the
    interviewer's words, which are left out of ``units``."""

    found: int
    units: list[Segment]
    ambiguous: list[str]
    asked: bool


def place(text: str, units: Sequence[Segment], quote: str, *, approximate: bool = False) -> Placing:
    """Place ``quote`` on the ``units`` of a transcript whose text is ``text``, by the module's rules."""
    over = [hit for span in places(text, quote, approximate=approximate) if (hit := units_over(units, span))]
    if len({tuple(u["id"] for u in hit) for hit in over}) > 1:
        return Placing(len(over), [], list(dict.fromkeys(u["ref"] for hit in over for u in hit)), False)
    hit = over[0] if over else []
    evidence = [u for u in hit if u["role"] != "interviewer"]
    return Placing(len(over), evidence, [], len(evidence) < len(hit))


class Transcripts:
    """Each transcript's text and units, read from the project once per import."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._read: dict[str, tuple[str, list[Segment]]] = {}
        self._labels: dict[str, re.Pattern[str] | None] = {}

    def __call__(self, tid: str) -> tuple[str, list[Segment]]:
        if tid not in self._read:
            self._read[tid] = (self._project.transcript_text(tid), self._project.segments(tid))
        return self._read[tid]

    def place_copy(self, tid: str, quote: str, *, stamps: bool = False) -> Placing:
        """Place ``quote``, taken from another tool's copy of transcript ``tid``, approximately, once the speaker
        labels (and, with ``stamps``, the time stamps) that copy holds are taken out of it."""
        if tid not in self._labels:
            self._labels[tid] = speaker_labels(self._project, tid)
        text, units = self(tid)
        return place(text, units, without_labels(quote, self._labels[tid], stamps=stamps), approximate=True)


def unplaced_summary(unplaced: dict[str, Counter[str]], most: int | None = None) -> str:
    """The report's words for what was not placed, by document: "'KII-03': 2 (why), 1 (why); ..." (the first
    ``most`` documents, when given)."""
    parts = [f"'{document}': " + ", ".join(f"{n} ({why})" for why, n in whys.most_common())
             for document, whys in unplaced.items()]
    if most is None or len(parts) <= most:
        return "; ".join(parts)
    return "; ".join(parts[:most]) + f"; and {len(parts) - most} more"


class Planned(NamedTuple):
    """A coding to write: its unit's id, its code, its coder, and what the source says of when and why."""

    unit: int
    code: str
    coder: str
    created: str | None = None
    memo: str | None = None


def write_codings(project: Project, planned: Iterable[Planned]) -> tuple[int, int]:
    """Write the planned codings in one transaction, as imported; one a unit already has from the same coder is
    skipped (a second import of the same table adds nothing). Returns (added, skipped)."""
    added = skipped = 0
    with project.transaction():
        existing = {(c["segment"], c["code"], c["coder"]) for c in project.codings()}
        for p in planned:
            if (p.unit, p.code, p.coder) in existing:
                skipped += 1
                continue
            project.add_coding(p.unit, p.code, coder=p.coder, created=p.created, memo=p.memo, source="import")
            existing.add((p.unit, p.code, p.coder))
            added += 1
    return added, skipped


# ---------------------------------------------------------------------------- documents and codes by name

# extensions a document's name keeps when another tool named it after the imported file
_EXTENSIONS = frozenset(".txt .md .docx .doc .odt .rtf .pdf .html .htm .epub .vtt .srt".split())


def name_key(name: str) -> str:
    """A document or transcript name as it is compared: case, spacing, '_' for a space and the extension aside."""
    name = name.strip()
    if PurePath(name).suffix.lower() in _EXTENSIONS:
        name = name[: -len(PurePath(name).suffix)]
    return " ".join(name.replace("_", " ").casefold().split())


def transcripts_by_name(project: Project) -> dict[str, set[str]]:
    """The project's transcripts by each name another tool may give them (:func:`name_key` of the id, the title
    and the imported file's name)."""
    names: dict[str, set[str]] = {}
    for t in project.transcripts():
        for name in (t["id"], t.get("title") or "", t.get("source_name") or ""):
            if name:
                names.setdefault(name_key(str(name)), set()).add(str(t["id"]))
    return names


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _as_written(name: str, folded: str) -> str:
    """The part of ``name`` that folds to ``folded``, as written (``folded`` itself when it is not found)."""
    words = folded.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, name, re.I) if words else None
    return m.group(0) if m else folded


# the root folder a tool writes before its code paths ("Nodes\\\\Effectiveness\\\\Outputs"): no parent
_ROOTS = frozenset({"nodes", "codes", "knoten"})


class CodeNames:
    """The project's codes by the names another tool gives them: a code's id or name (case and spacing aside), or,
    for a path of codes written with one of ``separators`` ("Effectiveness > Outcomes achieved"), the code whose id
    or name is its last part and under whose codes (or in whose code group) its parents put it. A path whose
    parents fit no code of its last part's name (they name other codes, or nothing here) is read by its last part
    only, and :meth:`loose_note` says so; one whose last part is the name of several codes none of which its
    parents settle fits them all."""

    def __init__(self, project: Project, separators: Sequence[str]) -> None:
        self.separators = tuple(separators)
        self.exact: dict[str, set[str]] = {}  # by id and by name
        self._shown: dict[str, str] = {}
        self._names: dict[str, str] = {}  # a code's name by its id
        self._ancestors: dict[str, set[str]] = {}
        book = project.codebook()
        for code in book.walk():
            self._names[code.id] = code.name
            self._ancestors[code.id] = (self._ancestors.get(code.parent_id, set()) | {code.parent_id}
                                        if code.parent_id else set())
            for key in (code.id, code.name):
                self.exact.setdefault(_fold(key), set()).add(code.id)
                self._shown.setdefault(_fold(key), key)
        self._groups: dict[str, set[str]] = {}
        for group in book.groups:
            self._groups.setdefault(_fold(group.name), set()).update(group.codes)
        #: paths read by their last part only, as the report says them: the path -> why
        self.loose: dict[str, str] = {}

    def last_parts(self, name: str) -> list[str]:
        """The last part of ``name`` after each separator it holds, in the separators' order ("Impact > Policy/legal
        framework": "policy/legal framework", then "legal framework"); empty for a name that is no path."""
        key = _fold(name)
        return list(dict.fromkeys(key.rsplit(sep, 1)[-1].strip() for sep in self.separators if sep in key))

    def _parents(self, prefix: str, sep: str) -> tuple[list[str], list[str]]:
        """The parts of a path before its last (split at ``sep``, then, for a part that names nothing, at the other
        separators): those that name a code or a code group here, and those that name nothing."""
        named: list[str] = []
        unknown: list[str] = []
        parts = [x.strip() for x in prefix.split(sep) if x.strip()]
        if parts and parts[0] in _ROOTS:
            parts = parts[1:]
        for part in parts:
            if part in self.exact or part in self._groups:
                named.append(part)
                continue
            pieces = [x.strip() for x in re.split("|".join(map(re.escape, self.separators)), part) if x.strip()]
            for piece in pieces:
                (named if piece in self.exact or piece in self._groups else unknown).append(piece)
        return named, unknown

    def _under(self, code: str, parent: str) -> bool:
        return bool(self.exact.get(parent, set()) & self._ancestors.get(code, set())) \
            or code in self._groups.get(parent, set())

    def find(self, name: str, *, note: bool = True) -> set[str]:
        """The codes ``name`` can be: by id or name, else, for a path, by its last part and its parents (see the
        class); a path taken for one code by its last part only is noted in :attr:`loose` (unless ``note`` is
        false: a name only tried)."""
        key = _fold(name)
        found = self.exact.get(key)
        if found:
            return found
        for sep in self.separators:
            if sep not in key:
                continue
            prefix, last = key.rsplit(sep, 1)
            found = self.exact.get(last.strip())
            if not found:
                continue
            named, unknown = self._parents(prefix, sep)
            if not named and not unknown:  # "Nodes\\\\Lessons learned"
                return found
            fits = {code for code in found if all(self._under(code, parent) for parent in named)}
            if named and fits:
                return fits
            if len(found) > 1:  # which of them the parents do not settle
                return found
            code = next(iter(found))
            said = f"{code} ({self._names[code]})"
            if named:
                said += ", not under " + " or ".join(_as_written(name, p) for p in named if not self._under(code, p))
            if unknown:
                said += ", " + ", ".join(_as_written(name, u) for u in unknown) + (
                    " being no code here" if len(unknown) == 1 else " being no codes here")
            if note:
                self.loose[name.strip()] = said
            return found
        return set()

    def loose_note(self, most: int = 8) -> str | None:
        """The report's line on the paths read by their last part only (the first ``most`` of them), or None."""
        if not self.loose:
            return None
        said = [f"'{path}' as {why}" for path, why in self.loose.items()]
        more = f"; and {len(said) - most} more" if len(said) > most else ""
        return "code paths read by their last part only: " + "; ".join(said[:most]) + more

    def close(self, name: str) -> str | None:
        """The code name (or id) nearest ``name`` (or its last part), for a did-you-mean."""
        key = next(iter(self.last_parts(name)), _fold(name))
        close = difflib.get_close_matches(key, list(self.exact), n=1, cutoff=0.8)
        return self._shown[close[0]] if close else None


# ---------------------------------------------------------------------------- the tool's copy of the document

# time stamps as transcription and analysis tools write them into a transcript: "#00:01:23-4#" (MAXQDA's),
# "[00:01:23]", "(01:23)", "00:01:23.456", "[01:23.4]"
_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,-]\d+)?"
_STAMP = re.compile(rf"#{_TIME}#|\[{_TIME}\]|\({_TIME}\)|(?:(?<=\s)|^){_TIME}(?=\s|$)")


def speaker_labels(project: Project, tid: str) -> re.Pattern[str] | None:
    """The speaker labels of transcript ``tid`` as another tool's copy of it writes them before a turn ("P3: Yes,
    many."), which the import took out of ours; None when it has none."""
    spoken = sorted((str(sp["label"]) for sp in project.speakers(tid)), key=len, reverse=True)
    if not spoken:
        return None
    # the label as the import read it, and what the import read as part of it: a role in brackets ("P1 (HR officer,
    # F):"), an organisation after a dash, a bar or a middle dot ("Hoa Tran – UNICEF:")
    return re.compile(r"(?:^|(?<=\s))(?:" + "|".join(re.escape(x) for x in spoken)
                      + r")(?!\w)(?:\s*\([^()\n]{0,80}\))?(?:\s+[–—|·-]\s+[^:\n]{1,60}?)?\s*:\s", re.I)


def without_labels(quote: str, labels: re.Pattern[str] | None, *, stamps: bool = False) -> str:
    """``quote`` without the speaker labels ``labels`` finds (and, with ``stamps``, without time stamps): the
    words of the turns alone, as our text holds them."""
    if stamps:
        quote = _STAMP.sub(" ", quote)
    return labels.sub(" ", quote) if labels is not None else quote
