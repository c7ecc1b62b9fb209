"""A fast, rule-based sentence splitter for coding units (pure Python, no model).

It works token by token (runs of non-space characters), so its cost is linear in the
text length whatever the input looks like.
"""

from __future__ import annotations

import re

MIN_UNIT_WORDS = 5

# Runs of non-space characters; Chinese and Japanese write no space after a sentence, so a full stop, question or
# exclamation mark of theirs ("。", "？", "！") ends a token too, with any closing quote or bracket after it
_CJK_END = "。！？"
_TOKEN = re.compile(rf"[^\s{_CJK_END}]*[{_CJK_END}]+[」』”’）)]*|[^\s{_CJK_END}]+")
_TERMINATORS = ".!?…" + _CJK_END
# a character of a script written without spaces: two of them count as a word when sentences are weighed
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
# Lower-cased, without the final dot. Vietnamese: TP. (city), TS./ThS. (doctor/master), GS./PGS. (professor).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt messrs mme mlle rev hon gen col capt lt sgt
    vs cf al approx ca dept govt gov inc ltd co corp bros assoc est fig figs vol vols art arts
    jan feb mar apr jun jul aug sep sept oct nov dec
    tp ts ths gs pgs bs""".split()
)
# Abbreviations that only hold before a number ("No. 5", "p. 12"); "I said no. Then" ends a sentence.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "nr", "p", "pp", "para", "ch", "sec", "tel"})
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # e.g / i.e / U.S
# a transcriber's pause mark, "(.)", "(..)", "(...)" (German research transcripts, noScribe, GAT): it never ends a
# sentence, and stays with the sentence before it rather than start the next unit
_PAUSE = re.compile(r"\((?:\.{1,3}|…)\)[,;]?")


def _ends_sentence(token: str, next_token: str) -> bool:
    core = token.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINATORS:
        return False
    nxt = next_token.lstrip(_OPENERS)
    first = nxt[0] if nxt else next_token[0]
    if core[-1] in _CJK_END:
        return True  # "。" ends a sentence whatever follows it
    if first.islower() or first in ",;:":
        # "e.g. the union", "…and then. but" and '"Why?" she asked' continue the sentence.
        return False
    if core[-1] == "." and not core.endswith(".."):
        word = core[:-1].lstrip(_OPENERS).lower()
        if word in _ABBREVIATIONS:
            return False
        if word in _NUMBER_ABBREVIATIONS and first.isdigit():
            return False
        if len(word) == 1 and core[-2].isupper():
            return False  # an initial: "Nguyen V. Hai" (Vietnamese "ý." ends a sentence)
        if _DOTTED.fullmatch(word):
            return False
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text`` (one paragraph, no newlines).

    Spans are stripped: ``text[start:end]`` never begins or ends with whitespace.
    """
    return _spans(text, merge=False)


def unit_spans(text: str) -> list[tuple[int, int]]:
    """Coding-unit spans of one paragraph: its sentences, a fragment under five words merged into a neighbour."""
    return _spans(text, merge=True)


def _pause_tokens(text: str, tokens: list[tuple[int, int]]) -> set[int]:
    """The tokens that are pause marks or part of one: "(..)", and noScribe's "(12 seconds pause)" over three."""
    marks = [(s, e) for s, e in tokens if "(" in text[s:e] and _PAUSE.fullmatch(text[s:e])]
    if "(" in text and ")" in text:
        from qualcode.importers.noscribe import PAUSE_MARK, is_pause_only

        marks += [m.span() for m in re.finditer(PAUSE_MARK, text) if " " in m.group() and is_pause_only(m.group())]
    if not marks:
        return set()
    return {k for k, (s, e) in enumerate(tokens) if any(a <= s and e <= b + 1 for a, b in marks)}


def _spans(text: str, *, merge: bool) -> list[tuple[int, int]]:
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not tokens:
        return []
    spans: list[tuple[int, int]] = []
    first = 0
    pauses = _pause_tokens(text, tokens)
    for i in range(len(tokens) - 1):
        s, e = tokens[i]
        if i in pauses:
            continue  # decided with the word before it
        j = i + 1  # the next word, past any pause marks
        while j < len(tokens) and j in pauses:
            j += 1
        if j < len(tokens) and _ends_sentence(text[s:e], text[tokens[j][0]:tokens[j][1]]):
            spans.append((first, j - 1))
            first = j
    spans.append((first, len(tokens) - 1))
    if merge:
        spans = _merge_short(spans, _word_counts(text, tokens))
    return [(tokens[a][0], tokens[b][1]) for a, b in spans]


def _word_counts(text: str, tokens: list[tuple[int, int]]) -> list[int]:
    """Running count of words before each token (``out[i]`` words in tokens[:i]), a bracketed group of up to four
    tokens counting as one word: "[informant KII-01]", which stands for a name ("Thao", "Clara") in a text whose
    names were withheld, or a transcriber's "[inaudible 00:12]". So a sentence is merged into its neighbour or not
    whether its names are shown or withheld."""
    out = [0]
    i = 0
    while i < len(tokens):
        tok = text[tokens[i][0]:tokens[i][1]].lstrip(_OPENERS[:-1])
        width = 1
        if tok.startswith("[") and "]" not in tok:
            for k in range(i + 1, min(i + 4, len(tokens))):
                if "]" in text[tokens[k][0]:tokens[k][1]]:
                    width = k - i + 1
                    break
        # "我们先在三个乡镇试点，然后扩大到全县。": one token, a word for every two characters
        weight = max(1, len(_UNSPACED.findall(tok)) // 2) if width == 1 and not tok.isascii() else 1
        out.extend([out[-1] + weight] + [out[-1] + weight] * (width - 1))
        i += width
    return out


def _merge_short(spans: list[tuple[int, int]], words: list[int]) -> list[tuple[int, int]]:
    """Merge sentences under MIN_UNIT_WORDS words into a neighbour ("Yes." joins what follows); ``words`` is the
    running word count of :func:`_word_counts`."""

    def short(span: tuple[int, int]) -> bool:
        return words[span[1] + 1] - words[span[0]] < MIN_UNIT_WORDS

    merged: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for span in spans:
        if current is None:
            current = span
        elif short(current):
            current = (current[0], span[1])
        else:
            merged.append(current)
            current = span
    if current is not None:
        if short(current) and merged:
            merged[-1] = (merged[-1][0], current[1])
        else:
            merged.append(current)
    return merged
