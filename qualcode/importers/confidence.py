"""Whether the speaker labels found in a text make it a conversation, and how to read it when they do not.

A transcript reader takes any ``Name: text`` line for a speaker. In an interview that is right; in a document that was
never a conversation (conference papers with ``Abstract:`` lines, a table of social-media comments whose video titles
read ``Topic: headline``) it invents speakers and glues whole pages to them. Sources from other tools (REFI-QDA
projects) are often such documents, so their importer asks :func:`speakers_confident` and reads the text with
:func:`plain_document` when the answer is no.
"""

from __future__ import annotations

import re
from statistics import median

from qualcode.importers.assemble import Drafts, assemble
from qualcode.model import ParsedTranscript
from qualcode.speakers import quoted_list

# Words that head sections of documents, not people: a label made of one of them means the text is not a dialogue.
_HEADINGS = re.compile(
    r"^(abstract|summary|keywords?|key words|introduction|background|method(s|ology)?|results?|findings?|discussion"
    r"|conclusions?|references|bibliography|acknowledge?ments?|appendix|e-?mail|url|doi|isbn|issn|title|subject"
    r"|date|source|note|notes|figure|fig\.?|table|chapter|section|part|step|rq|research questions?|hypothes[ie]s"
    r"|aim|aims|objectives?|purpose|implications?|limitations?)\s*[\dIVX.]*$",
    re.IGNORECASE,
)

#: Share of the units that may come before the first label in a transcript (a header, a consent note).
MAX_UNLABELLED_SHARE = 0.15
#: A conversation's turns are short: the median turn of the dialogues we know is 1-6 units, a long answer 30.
MAX_MEDIAN_TURN_UNITS = 20


def speakers_confident(parsed: ParsedTranscript) -> tuple[bool, str]:
    """Whether the labels in ``parsed`` are speakers of a conversation, with the reason when they are not.

    No labels at all is "not confident" too (there is nothing to trust). The tests are structural, so they hold for
    any language: most of the text lies inside labelled turns, turns are short, and no label is a section heading.
    """
    speakers = [t.speaker for t in parsed.turns if t.speaker]
    if not speakers or not parsed.units:
        return False, "no speaker labels"
    headings = sorted({s for s in speakers if _HEADINGS.match(s.strip())})
    if headings:
        return False, "labels that are section headings (" + quoted_list(headings, more=False) + ")"
    unlabelled = sum(1 for u in parsed.units if not u.speaker)
    if unlabelled > MAX_UNLABELLED_SHARE * len(parsed.units):
        return False, f"{unlabelled} of {len(parsed.units)} sentences come before or outside any labelled turn"
    per_turn: dict[int, int] = {}
    for u in parsed.units:
        if u.speaker:
            per_turn[u.turn] = per_turn.get(u.turn, 0) + 1
    typical = median(per_turn.values()) if per_turn else 0
    if typical > MAX_MEDIAN_TURN_UNITS:
        return False, f"a typical labelled turn runs {typical:g} sentences, as sections of a document do"
    return True, ""


def plain_document(text: str, name: str) -> ParsedTranscript:
    """A text read without speakers: every non-blank line is a paragraph of one turn, cut into sentence units.

    Lines are kept as they are (a table of comments keeps one field a line; wrapped lines of a paper stay lines),
    so quotes stay verbatim; a sentence wrapped over two lines becomes two units.
    """
    from qualcode.importers.text_reader import F4_TIME, F4Times

    drafts = Drafts()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # f4/f5 and MAXQDA stamps ("#00:01:02-4#") are times, not words, here as in a transcript
    f4 = F4Times() if any(F4_TIME.search(line) for line in lines) else None
    for line in lines:
        if not line.strip():
            continue
        if f4 is not None:
            f4.add(drafts, None, line, new_paragraph=True, t_start=None)
        else:
            drafts.add(None, line)
    notices = [F4Times.notice(f4.count)] if f4 is not None and f4.count else []
    return assemble(drafts, fmt="text", name=name, notices=notices)
