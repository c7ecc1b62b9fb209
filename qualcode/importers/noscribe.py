"""noScribe's header, and pause marks standing alone on a line.

noScribe (an open-source transcription tool for qualitative research) starts its HTML and text output with a header:
the audio file's name as a title, a credit line "Transcribed with noScribe vers. 0.7" (in the interface's language:
"Transkribiert mit noScribe Vers. 0.7", "Transcrito com noScribe versão 0.7", ...), "Audio file: ./interview.mp3"
and the transcription settings in parentheses, "(Language: English (en) | Speaker detection: auto | ... | Mark pause:
1)". None of it is speech. It marks a pause as "(..)" (a mark a second) and, from ten seconds, "(12 seconds pause)",
"(2 minutes pause)"; a pause before the first words stands alone on its line, as do pause marks in other transcripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# the credit line in any of noScribe's languages: "noScribe", then its version within a few words
_CREDIT = re.compile(r"(?<![A-Za-z])noScribe(?![A-Za-z])\D{0,24}?(\d+(?:\.\d+)+(?:[a-z]+\d*)?)")
# the settings: "(Language: English (en) | Speaker detection: auto | ... )", at the end of the header
_SETTINGS = re.compile(r"\([^\n]*\|[^\n]*\)\s*$")
# "Audio file: ./name.mp3", "Audiodatei: ...", "音声ファイル：..."
_AUDIO = re.compile(r"^[^:：\n]{1,30}[:：]\s*(.+)$")
# a pause mark: "(.)", "(..)", "(...)", "(…)", "(12 seconds pause)", "(2 minute[s] pause)", "(12 Sekunden Pause)",
# "(12 segundos de pausa)", "(12 секунд паузы)", "(12秒休止)", "(4 Sek.)", "(3 s)"
PAUSE_MARK = r"\(\s*(?:[.…·]\s*){1,12}\)|\(\s*\d+(?:[.,]\d+)?\s*(?:[^\W\d_][\w\[\].]{0,14}\s*){0,3}\)"
_PAUSE_WORDS = re.compile(r"paus|пауз|休止|暂停|sek|sec|seg|min|^\(\s*\d+(?:[.,]\d+)?\s*s?\.?\s*\)$", re.I)
_PAUSE_ONLY = re.compile(rf"\s*(?:(?:{PAUSE_MARK})\s*)+")
_ONE_PAUSE = re.compile(PAUSE_MARK)


def is_pause_only(text: str) -> bool:
    """Whether a line or caption holds nothing but pause marks ("(..)", "(12 seconds pause)")."""
    if not text.strip() or not _PAUSE_ONLY.fullmatch(text):
        return False
    # "(2)" or "(4 Sek.)" is a pause; "(2 workers)" is not
    return all(any(dot in m.group() for dot in ".…·") or _PAUSE_WORDS.search(m.group())
               for m in _ONE_PAUSE.finditer(text))


@dataclass
class Cleaned:
    """A transcript's text without noScribe's header and its pause-only lines, and what the report says of them."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def without_header_and_pauses(text: str) -> Cleaned:
    """Leave out noScribe's header (kept as metadata: the title, the audio file, the version) and the pause marks
    alone on a line before the first words; a pause mark alone on a line after them is joined to the line before it,
    in the turn it falls in. Any other text is returned as it is."""
    lines = text.split("\n")
    metadata: dict[str, str] = {}
    notices: list[str] = []
    start = _header_end(lines, metadata)
    if start:
        notices.append(f"noScribe's header ({_said(metadata)}) was left out of the text: {_count(lines[:start])}"
                       " line(s), kept as the transcript's metadata")
    kept: list[str] = []
    before = attached = 0
    for line in lines[start:]:
        if not is_pause_only(line):
            kept.append(line)
            continue
        last = next((k for k in range(len(kept) - 1, -1, -1) if kept[k].strip()), None)
        if last is None:
            before += 1
            continue
        kept[last] = kept[last].rstrip() + " " + line.strip()
        attached += 1
    if before:
        notices.append(f"{before} pause mark(s) alone on their line before the first words (such as"
                       f" '{_first_pause(lines[start:])}') were left out")
    if attached:
        notices.append(f"{attached} pause mark(s) alone on their line were joined to the line before them, in the"
                       " turn they fall in")
    if not start and not before and not attached:
        return Cleaned(text)
    return Cleaned("\n".join(kept), metadata, notices)


def _header_end(lines: list[str], metadata: dict[str, str]) -> int:
    """The index of the first line after noScribe's header, 0 when the text does not start with one."""
    filled = [k for k, line in enumerate(lines) if line.strip()][:4]
    found = next(((k, m) for k in filled[:2] if len(lines[k]) <= 600 and (m := _CREDIT.search(lines[k]))), None)
    if found is None:
        return 0
    credit, m = found
    end = next((k for k in filled if k >= credit and _SETTINGS.search(lines[k])), None)
    if end is None:
        return 0
    metadata["transcribed_with"] = f"noScribe {m.group(1)}"
    if filled[0] < credit:
        metadata["title"] = lines[filled[0]].strip()
    for k in range(credit, end + 1):
        # a header read out of HTML may hold the audio file on the credit line, after the version
        rest = lines[k][m.end():] if k == credit else lines[k]
        audio = _AUDIO.match(rest.strip())
        if audio and not _SETTINGS.fullmatch(rest.strip()):
            # the file's name without its folders, which name the account of the machine it was transcribed on
            path = _SETTINGS.sub("", audio.group(1)).strip()
            metadata["audio_file"] = re.split(r"[\\/]", path)[-1] or path
            break
    return end + 1


def _said(metadata: dict[str, str]) -> str:
    parts = []
    if "title" in metadata:
        parts.append("its title")
    parts.append(f"the {metadata['transcribed_with']} credit line")
    if "audio_file" in metadata:
        parts.append("the audio file")
    return ", ".join(parts) + " and the transcription settings"


def _count(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())


def _first_pause(lines: list[str]) -> str:
    return next(line.strip() for line in lines if is_pause_only(line))[:40]
