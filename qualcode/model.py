"""Plain data objects shared by every part of qualcode (no I/O, no heavy imports).

The dataclasses describe what is read from files (codebooks, parsed transcripts); the typed dictionaries below
them name what crosses a layer at run time (what the store and the actions return, what the front ends render and
``--json`` prints), so that mypy checks every reader of a key against the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict


@dataclass
class Code:
    """One code of a codebook. Top-level codes are the evaluation criteria."""

    id: str
    name: str
    definition: str = ""
    questions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    #: what the evaluation matrix measures the question by ("% of factories with a written grievance procedure");
    #: optional, shown in the matrix annex
    indicators: list[str] = field(default_factory=list)
    color: str | None = None
    children: list[Code] = field(default_factory=list)
    parent_id: str | None = None
    criterion_id: str = ""
    depth: int = 0
    line: int | None = None  # where the code starts in its YAML file, for messages

    def walk(self) -> Iterator[Code]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self, *, children: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "definition": self.definition,
            "questions": list(self.questions),
            "keywords": list(self.keywords),
            "examples": list(self.examples),
            "include": list(self.include),
            "exclude": list(self.exclude),
            "indicators": list(self.indicators),
            "color": self.color,
            "parent": self.parent_id,
            "criterion": self.criterion_id,
        }
        if children:
            d["children"] = [c.to_dict() for c in self.children]
        return d

    def text_profile(self) -> str:
        """All the codebook text that describes this code (used by suggestions and search)."""
        parts = [self.name, self.definition, *self.questions, *self.keywords, *self.examples, *self.include]
        return "\n".join(p for p in parts if p)


@dataclass
class CodeGroup:
    """A named group of codes from anywhere in the tree (a code set in NVivo, MAXQDA and ATLAS.ti): a code can be in
    several groups, and a group changes nothing about coding."""

    name: str
    codes: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Codebook:
    """A tree of codes. ``roots`` are the criteria; ``groups`` name sets of codes across the tree."""

    roots: list[Code]
    name: str = "Codebook"
    description: str = ""
    version: str = "1"
    source: str | None = None
    groups: list[CodeGroup] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, Code] = {}
        self.reindex()

    def reindex(self) -> None:
        self._index = {}
        for root in self.roots:
            _assign_lineage(root, None, root.id, 0)
            for code in root.walk():
                self._index[code.id] = code

    def walk(self) -> Iterator[Code]:
        for root in self.roots:
            yield from root.walk()

    def __iter__(self) -> Iterator[Code]:
        return self.walk()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._index

    def get(self, code_id: str) -> Code | None:
        return self._index.get(code_id)

    def __getitem__(self, code_id: str) -> Code:
        return self._index[code_id]

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.walk()]

    def criterion_of(self, code_id: str) -> str:
        return self._index[code_id].criterion_id

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "codes": [r.to_dict() for r in self.roots],
        }
        if self.groups:  # only when there are some: a codebook without groups reads (and hashes) as before
            d["groups"] = [{"name": g.name, "description": g.description, "codes": list(g.codes)}
                           for g in self.groups]
        return d


def _assign_lineage(code: Code, parent: str | None, criterion: str, depth: int) -> None:
    code.parent_id = parent
    code.criterion_id = criterion
    code.depth = depth
    for child in code.children:
        _assign_lineage(child, code.id, criterion, depth + 1)


@dataclass
class Unit:
    """A coding unit produced by an importer: a sentence or short paragraph of one speaker turn.

    ``start``/``end`` are character (code point) offsets into the transcript's stored text, so
    ``text[start:end]`` is exactly the unit's text.
    """

    start: int
    end: int
    speaker: str | None
    turn: int
    t_start: float | None = None
    t_end: float | None = None
    # Documents only: the physical PDF page (1-based), the page number printed on it, and the heading path.
    page: int | None = None
    page_label: str | None = None
    heading: str | None = None


@dataclass
class Turn:
    """One speaker turn: consecutive speech of one speaker."""

    speaker: str | None
    start: int
    end: int
    t_start: float | None = None
    t_end: float | None = None


@dataclass
class ParsedTranscript:
    """What an importer returns: normalised text, its turns and coding units, and metadata."""

    text: str
    turns: list[Turn]
    units: list[Unit]
    format: str
    metadata: dict[str, Any] = field(default_factory=dict)
    source_name: str = ""
    #: "transcript" (an interview or focus group) or "document" (a desk-review document: no speakers, units with a
    #: page or heading path).
    kind: str = "transcript"
    #: how a transcript records the interview: "verbatim", or "notes" for an interviewer's notes (paraphrase, never
    #: presented as a verbatim quote)
    record: str = "verbatim"
    #: what the reader recognised, for the import report ("Microsoft Teams transcript (Word)")
    detected: str = ""
    #: what the import changed or left out that the user should know (removed control characters, split units,
    #: pages without text, a document title taken from the file name, header lines of the recording tool)
    warnings: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker:
                seen.setdefault(t.speaker, None)
        return list(seen)


# ---------------------------------------------------------------------------- shapes crossing the layers


class CodingState(TypedDict):
    """A coding as the event log records it and undo restores it."""

    id: int
    segment_id: int
    code_id: str
    coder: str
    created: str
    memo: str | None
    source: str  # "human", "suggestion", "import", "merge", "adjudication", ...
    score: float | None
    model_version: str | None
    status: str  # "ok" or "needs_review"


class Coding(TypedDict):
    """A coding as an action returns it."""

    id: int
    segment: int
    code: str
    coder: str
    created: str
    memo: str | None
    source: str
    score: float | None
    model_version: str | None
    status: str


class Citation(TypedDict):
    """A finding's evidence link to a coding: the finding, the passage (``TRANSCRIPT:N``) and the link's stance."""

    finding: str
    ref: str
    stance: str


class Removed(Coding):
    """A coding removed, with the findings it was evidence for (the audit reports each of them from now on)."""

    cited_by: list[Citation]


class ListedCoding(Coding):
    """A coding as listings return it: where it is (``ref`` = ``TRANSCRIPT:N``) and its code's criterion and name."""

    transcript: str
    ref: str
    criterion: str
    code_name: str


class Placed(Coding):
    """A coding flagged for review after a corrected transcript came, placed by the reviewer on ``ref``."""

    ref: str


class Applied(TypedDict):
    """What applying a code to units did: the codings added, and the units that already carried it."""

    added: list[Coding]
    skipped: list[int]


class Marked(TypedDict):
    """A unit's mark by one coder after marking it: 'not_codable', 'skipped' (for now), or None once cleared."""

    segment: int
    ref: str
    coder: str
    mark: str | None


class Decision(TypedDict):
    """A coder's decision on a suggested code (accepted or rejected), with the score and model they saw."""

    id: int
    segment: int
    code: str
    coder: str
    decision: str
    score: float | None
    model_version: str | None
    created: str


class Memo(TypedDict):
    """One coder's memo on a target (``target_type``: project, transcript, segment, code, coding or case)."""

    id: int
    target_type: str
    target_id: str
    coder: str | None
    text: str
    created: str
    updated: str


class Reversal(TypedDict):
    """What undo or redo did: the event it logged, the user's action it took back or put back, and how many changes
    that action made at once. ``segment`` is the unit the change was on (a coding, a memo on a unit, a mark, a
    decision; else None).
    ``state`` and ``previous`` are the logged states (left out for findings, whose states carry evidence quotes
    verbatim)."""

    event: int
    reversed: int
    entity: str
    entity_id: str | None
    segment: int | None
    state: NotRequired[dict[str, Any] | None]
    previous: NotRequired[dict[str, Any] | None]
    action: str
    count: int
    changes: list[dict[str, Any]]  # each change, in the user's order: entity, its state from and to, its unit
    segments: list[int]  # the units the action changed


class Segment(TypedDict):
    """A coding unit with its speaker, offsets into the stored text, and attributes (its transcript's and its
    informant's). ``ref`` is ``TRANSCRIPT:N``, N the unit's number in its version. A desk-review document's units
    have the role "document" and carry their page and heading."""

    id: int
    ref: str
    transcript: str
    version: int
    idx: int
    turn: int
    speaker: str | None
    role: str  # "informant", "interviewer", "unknown" or "document"
    case: str | None
    start: int
    end: int
    t_start: float | None
    t_end: float | None
    text: str
    attributes: dict[str, Any]
    kind: str  # "transcript" or "document"
    source_type: str  # KII, FGD, document, ...
    page: int | None
    page_label: str | None
    heading: str | None
    source_title: str


class CodedUnit(Segment):
    """A unit as the workbench shows it: with every coder's codings, memos (``{coder: text}``) and marks."""

    codings: list[ListedCoding]
    memos: dict[str, str]
    marks: dict[str, str]  # {coder: "not_codable" | "skipped"}


class QueuedUnit(Segment):
    """An uncoded unit in the queue, with why it is there (``reason``) when the suggester ordered it."""

    reason: NotRequired[str | None]


class SearchHit(TypedDict):
    """A unit found by a search, with the character offsets of the first matched word in its text (``match``)."""

    ref: str
    id: int
    transcript: str
    idx: int
    speaker: str | None
    role: str
    text: str
    match: tuple[int, int]
    kind: str
    source_type: str
    page: int | None
    page_label: str | None
    heading: str | None


class TranscriptRow(TypedDict):
    """A transcript (or desk-review document) in the workbench's project view: attributes, progress and coders.
    ``coded`` counts informant units coded by anyone, ``mine`` units coded by the viewing coder."""

    id: str
    title: str
    kind: str
    type: str
    groups: list[str]
    location: str
    date: str
    units: int
    total: int
    coded: int
    mine: int
    progress: float
    coders: list[str]
    sample: bool
    done_by: list[str]  # the coders who marked their coding of it done


class ProjectStatus(TypedDict):
    """A project's counts, as ``qualcode status`` shows them and ``init`` returns them."""

    project: str
    path: str
    schema: int
    codebook: str | None
    transcripts: int
    documents: int
    segments: int
    codes: int
    codings: int
    coded_segments: int
    cases: int
    coders: int  # people who coded (not the consensus coder, not a program's name)
    agreed_codings: int  # codings filed under the consensus coder by adjudication
    memos: int
    events: int
    needs_review: int  # codings flagged when a corrected transcript came


class CodebookReport(TypedDict):
    """A codebook installed: its name, how many codes, what changed (``added``, ``removed``, ``renamed``, ``moved``,
    ``redefined``, codes matched by id) and how many codings now sit on removed codes (kept)."""

    codebook: str
    codes: int
    change: dict[str, Any]
    codings_on_removed_codes: int


class ImportedCodings(TypedDict):
    """A table of verbatim quotes imported as codings: how many were added, how many were already there."""

    file: str
    added: int
    skipped: int
    warnings: NotRequired[list[str]]


class PreviousRole(TypedDict):
    role: str | None
    case: str | None


class RoleChange(TypedDict):
    """A speaker's role corrected by hand (kept by later imports; undoable), and what it was."""

    transcript: str
    speaker: str
    role: str
    case: str | None
    was: PreviousRole


class RecordChange(TypedDict):
    """A transcript marked verbatim or interview notes; ``changed`` is False when it already was."""

    id: str
    record: str
    was: str
    changed: bool


class RemovedTranscript(TypedDict):
    """A transcript removed with everything on it (undo brings it back): how much went."""

    id: str
    removed: bool
    versions: int
    units: int
    codings: int
    memos: int


class Finding(TypedDict):
    """A finding as the drafting actions return it: its criterion (and evaluation question ``code``), statement,
    cited documents and chosen key quotes (passage references; empty: chosen automatically)."""

    id: str
    criterion: str
    code: str | None
    statement: str
    documents: list[str]
    key_quotes: list[str]
    position: int
    created: str
    created_by: str | None
    updated: str


class RemovedFinding(Finding):
    """A finding removed, as it was: with its evidence and triangulation (undo brings them back)."""

    evidence: list[dict[str, Any]]
    triangulation: dict[str, Any]


class EvidenceLink(TypedDict):
    """A coded passage linked to a finding: the coding, its passage (``ref``) and the quote kept for the audit.
    ``relinked``: the passage had changed and was linked again as it reads now (``was``: the quote before);
    ``view``: where the coding stands in the reconciled view (``in``, ``applied``, ``omitted``, ``open``,
    ``machine``)."""

    id: int
    finding: str
    coding: int
    ref: str
    transcript: str
    code: str
    coder: str
    stance: str  # "supports" or "contradicts"
    quote: str
    note: str | None
    linked: str
    linked_by: str | None
    relinked: bool
    was: str | None
    view: str


class SampleEntry(TypedDict):
    """A transcript of the agreement sample: the coders compared there (None: every person who codes it)."""

    transcript: str
    coders: list[str] | None
    added: str
    added_by: str | None


class Adjudication(TypedDict):
    """The agreed coding of a code on a unit: ``apply`` or ``omit``, who decided and why."""

    segment: int
    code: str
    decision: str
    coder: str
    note: str | None
    created: str


class OriginalCoding(TypedDict):
    """What one coder had done on a disagreement's unit before it was settled."""

    coder: str
    applied: bool
    coding: int | None
    created: str | None
    memo: str | None


class Settlement(Adjudication):
    """A disagreement settled: the agreed coding (filed under the consensus coder; None for 'omit') and each
    coder's original."""

    agreed_coding: int | None
    ref: str
    originals: list[OriginalCoding]


class AttributionTemplates(TypedDict):
    """How quotes attribute informants: the interviews' template, the focus groups' template, and how many
    participants must share a detail before a focus-group quote shows it."""

    kii: str
    fgd: str
    k: int


#: A person on the name list (mentioned in transcripts, not an informant) and what exports show instead ("as"; when
#: absent, "[name]").
ListedName = TypedDict("ListedName", {"name": str, "as": NotRequired[str]})


class SeenSuggestion(TypedDict):
    """A suggested code as the evaluator saw it: the score and model version are what a decision records."""

    code: str
    score: float | None
    model_version: str | None


class Suggestion(SeenSuggestion):
    """A suggested code for a unit, with why it is suggested (and, on screen, the code's name and colour)."""

    why: str
    name: NotRequired[str]
    color: NotRequired[str | None]


#: Progress of a long operation: ``progress(label, done, total)``; front ends draw it, the core only calls it.
ProgressFn = Callable[[str, int, int], None]
