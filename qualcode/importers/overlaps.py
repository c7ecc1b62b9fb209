"""Overlapping speech written inside another speaker's turn, as noScribe writes it.

noScribe marks speech that overlaps the current speaker with ``//``: ``S01: [00:00:12] We start now. //S00: Yes. //
So tell me about it.`` is S01 speaking, S00 saying "Yes." over it, and S01 going on. In its WebVTT the cue of an
overlapping voice is ``<v //S00>``. Read as they stand, the interjection is coded as the words of the speaker around
it, and ``//S00`` becomes a speaker of its own; here each interjection becomes a turn of its speaker.
"""

from __future__ import annotations

import re

# "//S00: " (the label as noScribe writes it: S00, SPEAKER_01, a name of up to four words), or a closing "//"
_MARK = re.compile(r"(?<![:/\w])//\s*([A-Za-zÀ-ÿ][\w.'\-]*(?: [\w.'\-]+){0,3}):\s+|(?<![:/\w])//(?!/)")
# "S01: " at the start of a line (after a Markdown bullet or bold at most)
_LINE_LABEL = re.compile(r"^\s*\**([A-Za-zÀ-ÿ][\w.'\-]*(?: [\w.'\-]+){0,3})\**:\s")

OVERLAP_NOTE = ("{n} overlapping utterance(s) written inside another speaker's turn ('//{label}: ... //', as noScribe"
                " marks overlapping speech) were read as turns of their own speaker")


def voice_name(name: str) -> str:
    """noScribe's voice tag of an overlapping cue, ``<v //S00>``, names the speaker S00."""
    return name.lstrip("/").strip() or name


def split_overlaps(text: str, speaker: str | None, known: set[str] | None = None) -> list[tuple[str | None, str]]:
    """``text`` of ``speaker`` as (speaker, words) pieces: each ``//LABEL: words //`` is LABEL's, the rest the
    speaker's. ``known``: when given, only these labels are read as interjections."""
    if "//" not in text or not any(m.group(1) and (known is None or m.group(1) in known) for m in _MARK.finditer(text)):
        return [(speaker, text)]  # no "//LABEL:": a "//" in speech is speech
    pieces: list[tuple[str | None, str]] = []
    current, pos = speaker, 0
    for m in _MARK.finditer(text):
        label = m.group(1)
        if label is not None and known is not None and label not in known:
            continue
        pieces.append((current, text[pos:m.start()]))
        current, pos = (label, m.end()) if label is not None else (speaker, m.end())
    pieces.append((current, text[pos:]))
    out: list[tuple[str | None, str]] = []
    for who, words in pieces:
        words = " ".join(words.split())
        if not words:
            continue
        if out and out[-1][0] == who:
            out[-1] = (who, out[-1][1] + " " + words)
        else:
            out.append((who, words))
    return out


def _shape(label: str) -> str:
    return re.sub(r"\d+", "#", label)


def count_interjections(pieces: list[tuple[str | None, str]], speaker: str | None) -> int:
    return sum(1 for who, _ in pieces if who != speaker)


def overlaps_as_turns(text: str) -> tuple[str, int, str]:
    """Plain text (noScribe's .txt, or its HTML's paragraphs) with each ``//LABEL: words //`` moved to a paragraph
    of its own, ``LABEL: words``, and the words after it to a new paragraph of the speaker around it. Only labels
    that also start a line are read so (a URL's ``//`` is not a mark). Returns (text, interjections, first label)."""
    if "//" not in text:
        return text, 0, ""
    lines = text.split("\n")
    known = {m.group(1) for line in lines if (m := _LINE_LABEL.match(line))}
    # a third voice may speak only over others ("//S02: ..."): a label shaped as the others (S02 beside S00) is known
    shapes = {_shape(k) for k in known}
    known |= {m.group(1) for line in lines for m in _MARK.finditer(line) if m.group(1) and _shape(m.group(1)) in shapes
              and any(c.isdigit() for c in m.group(1))}
    if not known:
        return text, 0, ""
    out: list[str] = []
    count, first, speaker = 0, "", None
    for line in lines:
        m = _LINE_LABEL.match(line)
        if m:
            speaker = m.group(1)
        if "//" not in line:
            out.append(line)
            continue
        head, body = (line[: m.end()], line[m.end():]) if m else ("", line)
        pieces = split_overlaps(body, speaker, known)
        if len(pieces) == 1 and pieces[0][0] == speaker:
            out.append(line)
            continue
        parts: list[str] = []
        for k, (who, words) in enumerate(pieces):
            if who != speaker:
                count += 1
                first = first or str(who)
            if k == 0 and who == speaker and head:
                parts.append(head + words)
            else:
                parts.append(f"{who}: {words}" if who else words)
        out.append("\n\n".join(parts))
    return "\n".join(out), count, first
