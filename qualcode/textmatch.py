"""Finding a passage in a text that was written a little differently: the one word-by-word alignment both importers
of other tools' codings use (REFI-QDA's selections; Taguette's highlights, through :mod:`qualcode.placing`)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
#: the share of a passage's words that must be found, in order, for it to be placed
ENOUGH = 0.9


def align_words(passage: str, text: str, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
    """Where ``passage`` lies in ``text[lo:hi]`` when it was not written there exactly: what an import took out
    ('00:01:30' of '[inaudible 00:01:30]', a transcriber's stars, a speaker label, markup) or wrote differently is
    stepped over by aligning the passage's words and numbers with the text's, in order (case aside). The span runs
    from the first to the last word aligned; None unless nine in ten of the passage's words are found together
    there."""
    from difflib import SequenceMatcher

    hi = len(text) if hi is None else hi
    mine = [w.casefold() for w in _WORD.findall(passage)]
    if not mine or hi <= lo:
        return None
    theirs = [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text, lo, hi)]
    if not theirs:
        return None
    matcher = SequenceMatcher(None, mine, [w for w, _, _ in theirs], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    # a stray match of a common word far from the rest is no part of the passage: the blocks must stay together
    while len(blocks) > 1 and blocks[1].b - (blocks[0].b + blocks[0].size) > max(8, len(mine)):
        blocks.pop(0)
    while len(blocks) > 1 and blocks[-1].b - (blocks[-2].b + blocks[-2].size) > max(8, len(mine)):
        blocks.pop()
    if sum(b.size for b in blocks) < ENOUGH * len(mine):
        return None
    first, last = blocks[0], blocks[-1]
    return theirs[first.b][1], theirs[last.b + last.size - 1][2]


def find_words(passage: str, text: str, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
    """Where ``passage`` lies anywhere in ``text[lo:hi]`` (see :func:`align_words`), around the longest run of its
    words found as written; None when nothing is near enough. One place only: where a passage may be in several,
    look again before and after the one found (:func:`qualcode.placing.places`)."""
    from difflib import SequenceMatcher

    mine = [w.casefold() for w in _WORD.findall(passage)]
    theirs = list(_WORD.finditer(text, lo, len(text) if hi is None else hi))
    if not mine or not theirs:
        return None
    anchor = SequenceMatcher(None, mine, [w.group().casefold() for w in theirs], autojunk=False).find_longest_match(
        0, len(mine), 0, len(theirs))
    if anchor.size == 0:
        return None
    first = max(0, anchor.b - anchor.a - 10)
    last = min(len(theirs), anchor.b + (len(mine) - anchor.a) + 10) - 1
    return align_words(passage, text, theirs[first].start(), theirs[last].end())
