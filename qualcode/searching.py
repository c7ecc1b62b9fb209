"""Searching every unit of a project as the evaluator types: words in any order, or a "quoted phrase", ignoring case
and accents.

The units' folded text is read once into one string (with a separator no text contains) and kept while the
project's units do not change; a search then finds the first word with ``str.find`` over that string and checks the
other words only in the units it hit. At 200 transcripts (67,000 units, 1M words) a search takes milliseconds
instead of the second it took to read and fold every unit again.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.folding import fold

if TYPE_CHECKING:
    from qualcode.model import SearchHit
    from qualcode.store import Project

SEP = "\x00"


@dataclass
class UnitIndex:
    """The folded text of every unit of the current transcript versions, in reading order."""

    stamp: tuple[Any, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # the columns of _SQL, per unit
    folded: list[str] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)  # folding kept the length: offsets are the text's
    blob: str = ""
    starts: list[int] = field(default_factory=list)  # where each unit starts in blob
    # transcript -> (its first unit, past its last): a transcript's units follow each other in blob
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def search(self, query: str, *, transcript: str | None = None, limit: int = 200,
               include_interviewer: bool = True) -> list[SearchHit]:
        """Units holding every word of ``query`` (or the quoted phrase), in reading order, with the offsets of the
        first word's first match in ``match``."""
        query = query.strip()
        if not query:
            return []
        phrase = len(query) > 1 and query.startswith('"') and query.endswith('"')
        words = [fold(query.strip('"'))] if phrase else fold(query).split()
        words = [w for w in words if w and SEP not in w]
        if not words:
            return []
        first = max(words, key=len)  # the rarest word is most likely the longest: fewer candidates to check
        hits: list[SearchHit] = []
        seen: set[int] = set()  # a unit holding the word twice is checked once
        start, end = 0, len(self.blob)
        if transcript is not None:  # its units only: not every unit of the project holding a common word
            if transcript not in self.spans:
                return []
            a, b = self.spans[transcript]
            start, end = self.starts[a], (self.starts[b] if b < len(self.starts) else len(self.blob))
        pos = self.blob.find(first, start, end)
        while pos >= 0:
            i = bisect_right(self.starts, pos) - 1
            nxt = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.blob)
            if i not in seen:
                seen.add(i)
                hit = self._hit(i, words, transcript, include_interviewer)
                if hit is not None:
                    hits.append(hit)
                    if len(hits) >= limit:
                        break  # the blob is in reading order: these are the first ones
            pos = self.blob.find(first, nxt, end)
        return hits

    def _hit(self, i: int, words: list[str], transcript: str | None,
             include_interviewer: bool) -> SearchHit | None:
        (sid, tid, idx, speaker, text, kind, role, page, page_label, heading, attrs) = self.rows[i]
        if transcript is not None and tid != transcript:
            return None
        if not include_interviewer and role == "interviewer":
            return None
        hay = self.folded[i]
        if not all(w in hay for w in words):
            return None
        if self.exact[i]:
            at = hay.find(words[0])
            span = (at, at + len(words[0]))
        else:
            span = (0, 0)
        from qualcode.store import source_type_of

        return {"ref": f"{tid}:{idx}", "id": sid, "transcript": tid, "idx": idx, "speaker": speaker, "role": role,
                "text": text, "match": span, "kind": kind, "source_type": source_type_of(kind, attrs),
                "page": page, "page_label": page_label, "heading": heading}


_SQL = """
    SELECT s.id, s.transcript_id, s.idx, s.speaker, s.text, t.kind,
           CASE WHEN t.kind = 'document' THEN 'document' ELSE coalesce(sp.role, 'unknown') END,
           s.page, s.page_label, s.heading, t.attributes
    FROM segments s
    JOIN transcripts t ON t.id = s.transcript_id AND s.version = t.current_version
    LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker
    ORDER BY s.transcript_id, s.idx
"""


def units_stamp(project: Project) -> tuple[Any, ...]:
    """Changes whenever the units or their speakers' roles change (an import, a new version, a role set by hand)."""
    seg = project.db.execute("SELECT count(*), max(id) FROM segments").fetchone()
    versions = project.db.execute("SELECT group_concat(id || ':' || current_version, ',') FROM transcripts").fetchone()
    roles = project.db.execute(
        "SELECT group_concat(transcript_id || ':' || label || ':' || role, ',') FROM speakers").fetchone()
    return (*tuple(seg), *tuple(versions), *tuple(roles))


def build_index(project: Project) -> UnitIndex:
    """Read and fold every unit of the current versions (a second or so for a million words)."""
    import json

    index = UnitIndex(units_stamp(project))
    attrs_cache: dict[str, dict[str, Any]] = {}
    parts: list[str] = []
    offset = 0
    for row in project.db.execute(_SQL):
        attrs = attrs_cache.get(row[10])
        if attrs is None:
            attrs = attrs_cache[row[10]] = json.loads(row[10] or "{}")
        text = row[4]
        folded = fold(text).replace(SEP, " ")
        index.rows.append((*tuple(row[:10]), attrs))
        index.folded.append(folded)
        index.exact.append(len(folded) == len(text))
        index.starts.append(offset)
        first, _ = index.spans.get(row[1], (len(index.rows) - 1, 0))
        index.spans[row[1]] = (first, len(index.rows))
        parts.append(folded)
        offset += len(folded) + 1
    index.blob = SEP.join(parts)
    return index


_indexes: dict[str, UnitIndex] = {}
_lock = threading.Lock()


def project_index(project: Project) -> UnitIndex:
    """The project's index, read again only when its units changed since the last search (any process)."""
    key = str(project.path.resolve())
    stamp = units_stamp(project)
    with _lock:
        found = _indexes.get(key)
        if found is not None and found.stamp == stamp:
            return found
    index = build_index(project)
    with _lock:
        _indexes[key] = index
    return index
