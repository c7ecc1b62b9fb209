"""Taguette's highlights as codings. Its "all highlights" export (CSV or Excel, columns ``id, document, tag,
content``, or the HTML page of the same export: each highlight's text, then its document and tags) names each
highlight's document, its tag's full path and its text, and nothing else (no position, no coder, no date). Each
highlight is placed by its text on the units of the transcript whose name is the document's (by the rules of
:mod:`qualcode.placing`), coded with the code its tag names; what cannot be placed is reported by document, with
why. Everything is checked before anything is written.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from qualcode.errors import InputError
from qualcode.model import ImportedCodings
from qualcode.placing import (
    CodeNames,
    Planned,
    Transcripts,
    name_key,
    transcripts_by_name,
    unplaced_summary,
    write_codings,
)
from qualcode.safeio.cleaning import describe
from qualcode.store import Project

#: the columns of Taguette's highlights export, in its order
TAGUETTE_COLUMNS = ("id", "document", "tag", "content")


def is_highlights_table(header: list[str]) -> bool:
    """Whether a table's first row is Taguette's highlights header."""
    return tuple(h.strip().lower() for h in header[:4]) == TAGUETTE_COLUMNS


def _code_for(tag: str, codes: CodeNames) -> tuple[str | None, str]:
    """The code a tag names: by id or name, or, for a dotted name ("Effectiveness.Outcomes achieved"), the code
    whose name is its last part (in a project whose codebook nests it)."""
    found = codes.find(tag)
    if len(found) == 1:
        return next(iter(found)), ""
    if found:
        return None, f"tag '{tag}' fits {len(found)} codes"
    return None, f"tag '{tag}' is not a code here"


def import_highlights(project: Project, path: str | Path, rows: list[list[str]], removed: Counter[str], *,
                      coder: str) -> ImportedCodings:
    """Import Taguette's highlights table (``rows``, its header first) as codings by ``coder``. Each highlight is
    placed by :mod:`qualcode.placing`'s rules, approximately where need be (Taguette quotes its own copy of the
    document); one that cannot be placed is listed by document, with why, and the others are imported."""
    p = Path(path)
    header = [h.strip().lower() for h in rows[0]]
    col = {name: header.index(name) for name in TAGUETTE_COLUMNS}
    transcripts = transcripts_by_name(project)
    codes = CodeNames(project, separators=(".",))
    read = Transcripts(project)
    planned: list[Planned] = []
    unplaced: dict[str, Counter[str]] = {}
    placed_highlights: set[tuple[str, str]] = set()
    asked: set[tuple[str, str]] = set()  # highlights that also marked the interviewer's words
    rows_read = 0
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        rows_read += 1
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in col.items()}
        document = cell["document"] or "(no document)"

        def miss(why: str, document: str = document) -> None:
            unplaced.setdefault(document, Counter())[why] += 1

        if not cell["document"]:
            miss("no document named with it")
            continue
        tids = transcripts.get(name_key(cell["document"]), set())
        if len(tids) != 1:
            miss("no transcript of that name" if not tids else f"{len(tids)} transcripts have that name")
            continue
        tid = next(iter(tids))
        if not cell["tag"]:
            miss("a highlight without a tag")
            continue
        code, why = _code_for(cell["tag"], codes)
        if code is None:
            miss(why)
            continue
        placing = read.place_copy(tid, cell["content"])
        if not placing.found:
            miss(f"its text is not in transcript {tid}")
        elif placing.ambiguous:
            # "Yes, very much." said twice: Taguette does not say which one was highlighted, so neither is coded
            miss(f"its text is in {placing.found} places ({', '.join(placing.ambiguous)}): code the right one by hand")
        elif not placing.units:
            miss("it marks only the interviewer's words")
        else:
            planned.extend(Planned(u["id"], code, coder) for u in placing.units)
            placed_highlights.add((cell["id"], tid))
            if placing.asked:
                asked.add((cell["id"], tid))
    if not rows_read:
        raise InputError("holds no highlights: only the header of Taguette's export", path=str(p),
                         hint="highlight passages in Taguette, then export 'all highlights' again")
    if not planned:
        raise InputError("no highlight could be placed: " + unplaced_summary(unplaced), path=str(p),
                         hint="import the documents as transcripts under the names Taguette shows (or their file"
                              " names) and Taguette's codebook (qualcode refi import codebook.qdc) first")
    added, skipped = write_codings(project, planned)
    warnings = [f"read as Taguette's highlights export (id, document, tag, content): {len(placed_highlights)}"
                f" highlight(s) placed; Taguette writes no coder, so the codings are {coder}'s"]
    loose = codes.loose_note()
    if loose:
        warnings.append(loose.replace("code paths", "dotted tags", 1))
    if unplaced:
        warnings.append(f"{sum(sum(c.values()) for c in unplaced.values())} highlight row(s) not placed: "
                        + unplaced_summary(unplaced))
    if asked:
        warnings.append(f"{len(asked)} highlight(s) also marked the interviewer's words: only the informants' units"
                        " are coded")
    note = describe(removed, "the table")
    if note:
        warnings.append(note)
    return {"file": str(p), "added": added, "skipped": skipped, "warnings": warnings}


def read_highlights_table(path: Path) -> tuple[list[list[str]], Counter[str]]:
    """The rows of Taguette's highlights export (CSV, or Excel, which only this export gives here)."""
    from qualcode.cases import read_table

    rows, removed = read_table(path, what="highlights table")
    if not rows or not is_highlights_table(rows[0]):
        raise InputError("is not a table of codings: a workbook needs the columns of Taguette's highlights export"
                         " (id, document, tag, content)", path=str(path),
                         hint="or save a table of quotes as CSV with the columns quote and code")
    return rows, removed


def _details(paragraph: list[tuple[int | None, str]]) -> tuple[str, str] | None:
    """The document and the tags of a highlight's details paragraph ("<strong>Document:</strong> name
    <strong>Tags:</strong> tags"): a paragraph that starts with a bold word, the text after its last two bold words.
    None for a paragraph of the highlight itself."""
    first = next(((run, t) for run, t in paragraph if t.strip()), None)
    runs = sorted({run for run, _ in paragraph if run is not None})
    if first is None or first[0] is None or len(runs) < 2:
        return None
    after: dict[int, list[str]] = {}
    current = 0
    for run, t in paragraph:
        if run is not None:
            current = run
        else:
            after.setdefault(current, []).append(t)
    return "".join(after.get(runs[-2], [])), "".join(after.get(runs[-1], []))


def read_highlights_page(path: Path, page: str) -> tuple[list[list[str]], Counter[str]]:
    """The highlights of Taguette's HTML export as the rows of its table: each highlight's text (its bold words
    kept), then a paragraph that starts with a bold word, whose last two bold words ("Document:", "Tags:", in the
    user's language) come before its document and its tags (one per line, a comma after each but the last);
    highlights are set apart by a rule. A highlight without that paragraph is a row without a document, which the
    import reports as not placed. ``page`` is the text of the file ``path``."""
    from html.parser import HTMLParser

    from qualcode.safeio.cleaning import clean_line

    # per highlight (the rules set them apart): its paragraphs, each a list of (bold run or None, text) pieces
    sections: list[list[list[tuple[int | None, str]]]] = [[]]

    class Page(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.in_body = self.in_title = False
            self.paragraph: list[tuple[int | None, str]] = []
            self.runs = 0  # bold runs begun in this paragraph
            self.strong = 0  # depth of <strong>/<b> here

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "body":
                self.in_body = True
            elif tag == "h1":
                self.in_title = True
            elif tag == "hr" and self.in_body:
                self.flush()
                sections.append([])
            elif tag in ("strong", "b"):
                if not self.strong:
                    self.runs += 1
                self.strong += 1
            elif tag in ("p", "div", "br", "li") and self.in_body:
                self.flush()

        def handle_endtag(self, tag: str) -> None:
            if tag == "h1":
                self.in_title = False
            elif tag in ("strong", "b"):
                self.strong = max(0, self.strong - 1)
            elif tag in ("p", "div", "li", "body"):
                self.flush()

        def handle_data(self, data: str) -> None:
            if self.in_body and not self.in_title:
                self.paragraph.append((self.runs if self.strong else None, data))

        def flush(self) -> None:
            if "".join(t for _, t in self.paragraph).strip():
                sections[-1].append(self.paragraph)
            self.paragraph, self.runs, self.strong = [], 0, 0

    parser = Page()
    parser.feed(page)
    parser.close()
    removed: Counter[str] = Counter()
    rows = [list(TAGUETTE_COLUMNS)]
    for n, paragraphs in enumerate((p for p in sections if p), start=1):
        details = _details(paragraphs[-1])
        # the highlight's own words, bold ones too, in order
        text = [" ".join("".join(t for _, t in p).split()) for p in (paragraphs[:-1] if details else paragraphs)]
        content = clean_line(" ".join(t for t in text if t), removed)
        if details is None:
            rows.append([str(n), "", "", content])  # reported as not placed: no document named with it
            continue
        document = clean_line(" ".join(details[0].split()), removed)
        tags = [" ".join(t.split()) for t in re.split(r",\s*\n", details[1])]
        for tag in tags or [""]:
            rows.append([str(n), document, clean_line(tag, removed), content])
    if not any(row[1] for row in rows[1:]):
        raise InputError("is not Taguette's highlights export: no highlight followed by its document and tags",
                         path=str(path), hint="export 'all highlights' from Taguette as .csv, .xlsx or .html")
    return rows, removed
