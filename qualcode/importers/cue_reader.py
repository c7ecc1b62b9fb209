"""Subtitle transcripts: WebVTT (Zoom, Teams, YouTube, Whisper) and SubRip (.srt).

Zoom writes "Name: text" in the cue, Teams writes ``<v Name>text</v>`` (older Teams exports a name line above the
text), transcription tools put "Name:" on the first cue of a turn only, YouTube marks a change of speaker with
``>>`` and its automatic captions repeat each line in the next cue. Consecutive cues of one speaker become one turn
whose text is the cues joined by single spaces.

Cues are read as the WebVTT specification reads them: a timing line starts a cue even without a blank line before
it, cue settings after the timing are ignored, and NOTE, STYLE and REGION blocks and the header are never text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from qualcode.errors import InputError
from qualcode.importers.assemble import Drafts, assemble
from qualcode.importers.labels import (
    MOSTLY,
    NOT_SPEAKERS,
    TIME_RANGE_END,
    TIMESTAMP,
    VOICE_TAG,
    Label,
    accepted_keys,
    classify,
    find_label,
    label_key,
    parse_timestamp,
)
from qualcode.importers.marks import MarkTimes
from qualcode.importers.noscribe import is_pause_only
from qualcode.importers.overlaps import OVERLAP_NOTE, split_overlaps, voice_name
from qualcode.model import ParsedTranscript

_TIME = r"(\d+:)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(r"\s*(" + _TIME + r")\s*-->\s*(" + _TIME + r")(?:\s+.*)?")
# Something a person meant as a timing line, even if broken ("00:01.5 -> 00:02", "00:00:61,000 --> ...").
_TIMING_LIKE = re.compile(r"\s*\d[\d:.,]*\s*(?:-->|->|–>|—>|--|→)")
# Bounded repeats: an unclosed "<v " repeated through a huge file must not make matching quadratic.
# (a capital "V" or a colon after it, "<V Name>", "<v: Name>", as hand-edited files have them, names the voice too)
_VOICE = re.compile(r"<[vV](?:\.[^\s>:]{0,40})?(?:[\s:]+([^>\n]{0,80}))?>")
_TAGS = re.compile(
    r"</?(?:v|c|i|b|u|s|ruby|rt|lang|font|span)(?:[.\s][^>\n]{0,80})?>|<\d[\d:.]{0,20}>|\{\\[^}\n]{0,100}\}", re.I
)
_SKIP_BLOCKS = ("NOTE", "STYLE", "REGION")
# ">>" (or "&gt;&gt;") starts a new speaker in broadcast and YouTube captions; ">>>" a new topic.
_CHANGE = re.compile(r"\s*>>>?\s*")
_DASH_LINE = re.compile(r"-\s+")
# a dialogue dash without the space, or an en or em dash: "-Where were you?", "– Not yet." (not "-5", not "--")
_TIGHT_DASH = re.compile(r"[-–—]\s*(?=[^\s\d\-–—])")
# Google Meet's name of a voice, alone on its line: "(Dana Bettinger)"
_PAREN_LINE = re.compile(r"\(([^()\[\]<>\n]{1,40})\)")
# a voice tag whose ">" is lost, alone on its line: "<v Le Van Duc"
_UNCLOSED_VOICE = re.compile(r"<[vV](?:\.[\w-]+)*[\s:]+([^<>\n]{1,200})")
_MUSIC = re.compile(r"\[music\]|♪+", re.I)
# A caption's description of a sound, in brackets or parentheses: "[Music]", "[MUSIC PLAYING]", "(APPLAUSE)",
# "[BLANK_AUDIO]" and "(indistinct)" as Whisper writes them, "[DOOR CLOSING]"; never anyone's words, never a label.
_GROUP = re.compile(r"\s*[\[(]([^\[\]()\n]{1,40})[\])]\s*|\s*♪+\s*")
# Whole words only: a name or an organisation holding one ("Isabella", "Campbell", "McLaughlin", "Coughlan",
# "Ministry of Foreign Affairs") is no sound.
_SOUND_WORD = re.compile(
    r"\b(?:music(?:al)?|applause|laugh(?:s|ed|ing|ter)?|chuckl(?:e|es|ed|ing)|giggl(?:e|es|ed|ing)|inaudible"
    r"|indistinct|unintelligible|crosstalk|cross talk|silence|noises?|blank[_ ]audio|cheer(?:s|ed|ing)?"
    r"|cough(?:s|ed|ing)?|sigh(?:s|ed|ing)?|static|beep(?:s|ing)?|whistl(?:e|es|ed|ing)|chatter|no speech"
    r"|speaking in|bells?)\b", re.I)
# Whisper's "[FOREIGN]", "(foreign language)": the word alone, not inside a name
_FOREIGN = re.compile(r"(?:speaking (?:in )?a? ?)?foreign(?: language)?", re.I)


def _sound_words(inner: str) -> bool:
    """Whether a group's text names a sound by its words ("MUSIC PLAYING", "laughs", "bell rings"); a bell in a
    title-case name ("Tom Bell") is no sound."""
    m = _SOUND_WORD.search(inner)
    if m is not None and m.group().lower().startswith("bell") and inner.istitle():
        m = next((x for x in _SOUND_WORD.finditer(inner) if not x.group().lower().startswith("bell")), None)
    return m is not None or _FOREIGN.fullmatch(inner) is not None


def _is_sound(group: str, labels: frozenset[str] = frozenset()) -> bool:
    """Whether a bracketed group describes a sound; ``labels``: the groups the file uses as speakers' labels."""
    inner = group.strip().strip("[]()").strip()
    if not inner or inner.strip("♪") == "":
        return True
    if " ".join(inner.split()).casefold() in labels:
        return False
    words = inner.split()
    # "(clock ticking)", "( door closing )", "(whispering)" as broadcast captions write them in lower case; a one-word
    # capitalised "(Fleming)" is a name
    described = words[-1].lower().endswith("ing") and len(words) <= 4 and not any(w[:1].isupper() for w in words[1:]) \
        and (len(words) >= 2 or inner.islower())
    # "[DOOR CLOSING]", "[PHONE RINGING]" in upper case; not a name ending in "ing" ("[WANG PING]", "[LI MING]")
    shouted = inner.isupper() and words[-1].endswith("ING") and len(words[-1]) >= 6
    return len(words) <= 6 and (_sound_words(inner) or shouted or described)


def _label_groups(texts: list[str]) -> frozenset[str]:
    """The bracketed groups that start two or more captions followed by words ("[Isabella Campbell] Since 2015"),
    as labels do, and do not name a sound by their words: speakers' labels, whatever their shape."""
    counts: dict[str, int] = {}
    for text in texts:
        m = _GROUP.match(text)
        if m is None or not m.group().strip().startswith(("[", "(")) or not text[m.end():].strip():
            continue
        inner = " ".join(m.group().strip().strip("[]()").split())
        if inner and not _sound_words(inner):
            counts[inner.casefold()] = counts.get(inner.casefold(), 0) + 1
    return frozenset(k for k, c in counts.items() if c >= 2)


def sound_only(text: str) -> bool:
    """Whether a caption holds only descriptions of sounds ("[MUSIC PLAYING]", "(APPLAUSE)", "♪")."""
    pos = 0
    text = text.strip()
    if not text:
        return False
    while pos < len(text):
        m = _GROUP.match(text, pos)
        if m is None or m.end() == pos or not _is_sound(m.group()):
            return False
        pos = m.end()
    return True


def _after_sounds(text: str, labels: frozenset[str] = frozenset()) -> tuple[str, int]:
    """A caption's text after the sound descriptions it starts with ("[MUSIC PLAYING] MARK: Hi" -> "MARK: Hi")."""
    pos, n = 0, 0
    while True:
        m = _GROUP.match(text, pos)
        if m is None or m.end() == pos or not _is_sound(m.group(), labels) or m.end() >= len(text):
            return text[pos:].strip(), n
        pos, n = m.end(), n + 1

TIMING_HINT = (
    "a timing reads '00:01:02.500 --> 00:01:05.000', with a comma in SRT files; fix the line or export the file again"
)


@dataclass
class Cue:
    t_start: float
    t_end: float
    lines: list[str]
    line_no: int
    # a record's speaker and plain words (a table's row, a JSON segment): its text is no caption markup, so a "<b>"
    # or "<v Boss>" in it is words, and "&lt;" stays as written
    voice: str | None = None
    plain: bool = False


# The start of a cue whose own timing could not be read, until the cues around it are known (see settle_untimed).
UNTIMED = -1.0
_UNTIMED = UNTIMED
# Shown of a left-out line in a notice: this many lines, with their line numbers.
_SHOWN = 3


@dataclass
class CueDamage:
    """What a caption file held that could not be read as it should, each with its line number in the file: cues
    that end before they start (read with their end at their start), timing lines that could not be read, caption
    text without a timing line above it, and cue numbers whose timing line is missing. A broken or missing timing
    never becomes words: it is left out, the words under it are read with the caption before, and the report lists
    the lines."""

    reversed_ends: list[tuple[int, str]] = field(default_factory=list)
    broken: list[tuple[int, str]] = field(default_factory=list)
    untimed: list[int] = field(default_factory=list)
    numbers: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader guessed of the file, for the report
    first_error: InputError | None = None
    lines: bool = True  # the line numbers are the file's (not in a Word document, whose text is paragraphs)

    def notices(self) -> list[str]:
        out = list(self.notes)
        if self.reversed_ends:
            line_no, timing = self.reversed_ends[0]
            where = f"at line {line_no}: " if self.lines else ""
            out.append(f"{len(self.reversed_ends)} cue(s) end before they start (the first {where}'{timing}'): each"
                       " was read with its end at its start")
        if self.broken:
            out.append(f"{len(self.broken)} timing line(s) could not be read and were left out"
                       f" ({_lines(self.broken, self.lines)}): the words of each were kept, timed at the end of the"
                       " caption before")
        if self.numbers:
            out.append(f"{len(self.numbers)} cue number(s) or identifier(s) stand without a timing line under them"
                       f" ({_lines(self.numbers, self.lines)}): they were left out and the words of each were"
                       " kept, timed at the end of the caption before")
        if self.untimed:
            shown = ", ".join(str(n) for n in self.untimed[:_SHOWN]) + (", ..." if len(self.untimed) > _SHOWN else "")
            where = f" (line {shown})" if self.lines else ""
            out.append(f"{len(self.untimed)} caption(s) have no timing line above them{where}: their words were kept,"
                       " timed with the caption before")
        return out

    def check(self, timed: int) -> None:
        """Refuse a file more broken than not: as many broken timings as readable ones."""
        if self.first_error is not None and len(self.broken) >= timed:
            raise self.first_error


def _lines(found: list[tuple[int, str]], numbered: bool = True) -> str:
    shown = "; ".join(f"line {n}: '{text}'" if numbered else f"'{text}'" for n, text in found[:_SHOWN])
    return shown + ("; ..." if len(found) > _SHOWN else "")


def settle_untimed(cues: list[Cue]) -> list[Cue]:
    """A cue whose timing could not be read is timed at the end of the cue before it (the first cue: at the start of
    the cue after it); it stays a cue of its own, so a speaker label at its start is read."""
    before: float | None = None
    for cue in cues:
        if cue.t_start != _UNTIMED:
            before = cue.t_end
        elif before is not None:
            cue.t_start = cue.t_end = before
    after = 0.0
    for cue in reversed(cues):
        if cue.t_start == _UNTIMED:
            cue.t_start = cue.t_end = after
        else:
            after = cue.t_start
    return cues


def _seconds(match: re.Match[str], first_group: int) -> float | None:
    hours, minutes, seconds, millis = (match.group(first_group + k) for k in range(1, 5))
    m, s = int(minutes), int(seconds)
    if s >= 60 or (hours is not None and m >= 60):
        return None
    total = (int(hours[:-1]) * 3600 if hours else 0) + m * 60 + s
    return round(total + (int(millis.ljust(3, "0")) / 1000 if millis else 0.0), 3)


def parse_timing(line: str, name: str, line_no: int,
                 reversed_ends: list[tuple[int, str]] | None = None) -> tuple[float, float]:
    """Parse "start --> end"; raise InputError pointing at the line when it is broken.

    A cue that ends before it starts raises too, unless ``reversed_ends`` is given: then its end is taken as its start
    and (line number, timing) is added to the list, for the report (noScribe writes such a cue now and then; one bad
    cue must not cost the whole interview)."""
    m = _TIMING.fullmatch(line)
    start = _seconds(m, 1) if m else None
    end = _seconds(m, 6) if m else None
    if start is None or end is None:
        raise InputError(f"broken cue timing '{line.strip()[:60]}'", path=name, line=line_no, hint=TIMING_HINT)
    if end < start:
        if reversed_ends is None:
            raise InputError(
                f"cue ends before it starts ('{line.strip()[:60]}')", path=name, line=line_no, hint=TIMING_HINT
            )
        reversed_ends.append((line_no, line.strip()[:60]))
        end = start
    return start, end


# A "-->" after a short run of characters holding a digit: a timing with a typo ("0O:00:07,000 --> ..."); a cue's
# words may not hold "-->" (the WebVTT specification forbids it), so this is never speech.
_ARROW_LIKE = re.compile(r"\s*[^\s>]{0,12}\d[^\s>]{0,12}\s*-->")


def is_timing_line(line: str) -> bool:
    """A cue timing line ("00:01:02.500 --> 00:01:05.000 align:start"), possibly broken."""
    return "-->" in line and bool(_TIMING_LIKE.match(line) or _ARROW_LIKE.match(line))


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _id_shape(identifier: str) -> str:
    """What cue identifiers of one file share: "a2f4b0f3-...-0f5c2d1e3b4a/12-0" and "9c1d...-77ab/13-1" -> "G/0-0",
    "cue-12" -> "cue-0"."""
    return re.sub(r"\d+", "0", _GUID.sub("G", identifier))


def parse_cues(text: str, name: str, *, vtt: bool, damage: CueDamage | None = None) -> list[Cue]:
    """Split a VTT/SRT file into cues, skipping the header and NOTE/STYLE/REGION blocks.

    A timing line starts a cue wherever it is (the WebVTT specification does not need a blank line before it);
    the line just before it is the cue's identifier when it stands alone after a blank line, or is a number in SRT.
    Without ``damage`` a broken timing raises InputError naming its line; with it, the line is left out and noted
    there (see :class:`CueDamage`), and the file is refused only when as many timings are broken as not.
    """
    reversed_ends = damage.reversed_ends if damage is not None else None
    lines = text.split("\n")
    cues: list[Cue] = []
    current: Cue | None = None
    skipping = False  # inside the header or a NOTE/STYLE/REGION block: up to the next blank line
    block_start = True  # the line follows a blank line (or is the first)
    after_id = False  # the line follows a cue identifier, so it must be a timing
    last_number = 0  # the last cue number (SRT, and WebVTT files that number their cues)
    shapes: dict[str, int] = {}  # the shapes of the other cue identifiers, how many of each
    i = 0
    n = len(lines)
    if vtt:
        first = next((k for k, line in enumerate(lines) if line.strip()), n)
        if first < n and lines[first].strip().startswith("WEBVTT"):
            i, skipping = first + 1, True
    while i < n:
        raw = lines[i].rstrip()
        stripped = raw.strip()
        line_no = i + 1
        i += 1
        if not stripped:
            if current is not None and current.lines and current.lines[-1].strip() == "-":
                continue  # Google Meet: "-", a line holding a space, then the next voice of the same cue
            skipping, block_start = False, True
            if current is not None:
                cues.append(current)
                current = None
            continue
        if is_timing_line(raw) or (_TIMING_LIKE.match(raw) and (current is None or after_id)):
            try:
                start, end = parse_timing(raw, name, line_no, reversed_ends)
            except InputError as err:
                if damage is None:
                    raise
                # never words: the line is left out, the words under it go with the caption before
                damage.broken.append((line_no, stripped[:60]))
                damage.first_error = damage.first_error or err
                if current is not None:
                    cues.append(current)
                current, skipping, block_start, after_id = Cue(_UNTIMED, _UNTIMED, [], line_no), False, False, False
                continue
            if current is not None:
                cues.append(current)
            current, skipping, block_start, after_id = Cue(start, end, [], line_no), False, False, False
            continue
        after_id = False
        nxt = lines[i] if i < n else ""
        if skipping:
            continue
        if block_start and vtt and stripped.split(" ", 1)[0] in _SKIP_BLOCKS:
            skipping, block_start = True, False
            if current is not None:
                cues.append(current)
                current = None
            continue
        if (_TIMING_LIKE.match(nxt) or is_timing_line(nxt)) and (block_start or (not vtt and stripped.isdigit())):
            block_start, after_id = False, True  # a cue identifier (SRT: the cue number)
            if stripped.isdigit():
                last_number = int(stripped)
            else:
                shapes[_id_shape(stripped)] = shapes.get(_id_shape(stripped), 0) + 1
            if current is not None:
                cues.append(current)
                current = None
            continue
        numbered = stripped.isdigit() and last_number and int(stripped) == last_number + 1
        # an identifier shaped as the file's others are (Teams: "a2f4b0f3-...-0f5c2d1e3b4a/12-0"), however it is
        shaped = not stripped.isdigit() and " " not in stripped and shapes.get(_id_shape(stripped), 0) >= 2
        if damage is not None and block_start and (numbered or shaped) and nxt.strip() and not is_timing_line(nxt):
            # the next cue's number or identifier, its timing line missing: not words
            damage.numbers.append((line_no, stripped[:60]))
            if current is not None:
                cues.append(current)
            last_number = int(stripped) if numbered else last_number
            block_start, current = False, Cue(_UNTIMED, _UNTIMED, [], line_no)
            continue
        if current is None and cues and block_start and damage is not None:
            damage.untimed.append(line_no)
        block_start = False
        if current is not None:
            current.lines.append(raw)
        elif cues:
            # A blank line inside a cue's text: keep the words with the cue they belong to.
            cues[-1].lines.append(raw)
        else:
            raise InputError(
                f"text outside any cue: '{stripped[:60]}'",
                path=name,
                line=line_no,
                hint="each cue needs a timing line like '00:00:01.000 --> 00:00:04.000' before its text",
            )
    if current is not None:
        cues.append(current)
    if damage is not None:
        damage.check(sum(1 for c in cues if c.t_start != _UNTIMED))
    return settle_untimed(cues)


@dataclass
class _Span:
    voice: str | None
    text: str
    cue: Cue
    change: bool = False  # a new speaker starts here without a name (">>", a dialogue dash)
    dash: bool = False  # the change is a dialogue dash ("- " before the line), not ">>"
    overlap: bool = False  # "//S00: words //" inside another voice's cue (noScribe's overlapping speech)
    label: Label | None = None
    name_line: str | None = field(default=None)


def _clean(chunk: str) -> str:
    text = html.unescape(_TAGS.sub("", chunk)).replace("\u200e", "").replace("\u200f", "")
    return " ".join(text.split())


def _drop_resent(cues: list[Cue]) -> tuple[list[Cue], int, int]:
    """Leave out the cues a live transcriber sent again: a cue with the same times, voice and words as an earlier one
    (WhisperLive re-sends its last segments with every update), and a cue that the next one of the same voice repeats
    and extends from the same start (a caption growing word by word), where the file shows re-sending (a repeated
    cue, or two grown ones): a Teams "Yes" of one speaker beside another's "Yes, so ..." at the same start, or a
    hand-made subtitle's two cues at one start, are both kept. Returns (cues kept, repeated, grown)."""
    seen: set[tuple[float, float, str, str]] = set()
    words = [" ".join(_clean(" ".join(c.lines)).split()) for c in cues]
    voices = [_cue_voice(c) for c in cues]
    repeated: set[int] = set()
    for k, cue in enumerate(cues):
        key = (cue.t_start, cue.t_end, voices[k], words[k])
        if words[k] and key in seen:
            repeated.add(k)
            continue
        seen.add(key)
    resent = len(repeated)
    growing: set[int] = set()
    for k, cue in enumerate(cues):
        if k in repeated or k + 1 >= len(cues):
            continue
        nxt = cues[k + 1]
        if (words[k] and nxt.t_start == cue.t_start and voices[k + 1] == voices[k]
                and len(words[k + 1]) > len(words[k]) and words[k + 1].startswith(words[k])):
            growing.add(k)
    if not resent and len(growing) < 2:
        growing = set()
    kept = [cue for k, cue in enumerate(cues) if k not in repeated and k not in growing]
    return kept, resent, len(growing)


def _cue_voice(cue: Cue) -> str:
    """Who a cue's words are of, as far as the cue says: its voice tag ("<v Clara Jensen>") or the label at its
    start ("Clara Jensen: ..."); "" for none."""
    first = next((line.strip() for line in cue.lines if line.strip()), "")
    m = VOICE_TAG.search(first)
    if m is not None:
        return " ".join(m.group(1).split()).casefold()
    label = find_label(_clean(first))
    return label.key if label is not None and label.rest else ""


def _rolling(cues: list[Cue]) -> bool:
    """YouTube's automatic captions repeat the previous cue's last line at the top of the next one."""
    repeats = 0
    previous: list[str] = []
    for cue in cues:
        lines = [c for c in (_clean(x) for x in cue.lines) if c]
        if previous and lines and lines[0] == previous[-1]:
            repeats += 1
        previous = lines or previous
    return len(cues) >= 4 and repeats * 3 >= len(cues)


def _paren_name(line: str) -> str | None:
    """The name of a line "(Dana Bettinger)" standing alone, as Google Meet writes each voice of a cue; None for a
    sound ("(APPLAUSE)") or anything that is not a name's shape."""
    m = _PAREN_LINE.fullmatch(_clean(line))
    if m is None or _is_sound(m.group()):
        return None
    name = " ".join(m.group(1).split())
    return name if classify(name) is not None else None


def _paren_names(cues: list[Cue]) -> set[str]:
    """Google Meet's WebVTT puts each speaker's name in parentheses alone on a line above their words, and a cue
    holding two voices separates them with a line "-": the names when most cues start so and a name comes back."""
    firsts: dict[str, int] = {}
    starting = 0
    for cue in cues:
        lines = [x for x in cue.lines if x.strip()]
        first = _paren_name(lines[0]) if lines else None
        if first is not None:
            starting += 1
        for k, line in enumerate(lines):
            name = _paren_name(line)
            if name is not None and (k == 0 or lines[k - 1].strip() == "-"):
                firsts[name] = firsts.get(name, 0) + 1
    if starting * 2 < len(cues) or not any(c >= 2 for c in firsts.values()):
        return set()
    return set(firsts)


@dataclass
class _Unclosed:
    """Voice tags that lost their ">" ("<v Le Van Duc"): the names read, and the lines kept as words (a name that
    cannot be told from the words after it)."""

    known: set[str] = field(default_factory=set)  # the names of the file's other voice tags
    read: int = 0
    kept: list[int] = field(default_factory=list)

    def split(self, body: str, more: bool) -> tuple[str | None, str]:
        """(the name, the words after it) of an unclosed tag's text; ``more``: words follow on the cue's next lines.
        The name is a known voice's at the start of the text, or the whole text alone on its line above words."""
        body = " ".join(body.split())
        name = next((v for v in sorted(self.known, key=len, reverse=True)
                     if body == v or body.startswith(v + " ")), None)
        if name is None and more and len(body) <= 40 and classify(body) is not None:
            name = body
        if name is None:
            return None, body
        self.read += 1
        return name, body[len(name):].strip()


def _voice_names(cues: list[Cue]) -> set[str]:
    """The names the file's voice tags give."""
    found: set[str] = set()
    for cue in cues:
        for line in cue.lines:
            for m in _VOICE.finditer(line):
                voice = voice_name(" ".join(html.unescape(m.group(1) or "").split()))
                if voice:
                    found.add(voice)
    return found


def _spans(cue: Cue, shown: list[str] | None, paren: set[str] | None = None,
           unclosed_tags: _Unclosed | None = None) -> list[_Span]:
    """Split a cue's payload by voice tag and speaker-change marks and strip every tag and entity.

    ``shown``: with rolling captions, the lines already shown by the previous cue (dropped here). ``paren``: the
    names Google Meet writes in parentheses alone on a line, each starting a voice. ``unclosed_tags``: where voice
    tags that lost their ">" are read and counted."""
    if cue.plain:
        words = " ".join(" ".join(cue.lines).split())
        return [_Span(cue.voice, words, cue)] if words else []
    unclosed_tags = unclosed_tags if unclosed_tags is not None else _Unclosed()
    spans: list[_Span] = []
    voice: str | None = None
    lines = cue.lines
    if shown is not None:
        cleaned = [_clean(x) for x in lines]
        keep = [k for k, c in enumerate(cleaned) if c]
        while keep and shown and cleaned[keep[0]] == shown[-1]:
            keep = keep[1:]
        lines = [lines[k] for k in keep]
    pending = False  # a lone "-" or a name line: the next words start a turn
    dialogue = sum(1 for raw in lines if _TIGHT_DASH.match(_clean(raw))) >= 2
    lone_dash = False  # a lone "-" that no name follows: someone else speaks, the file does not say who
    for index, raw in enumerate(lines):
        if raw.strip() == "-":
            # a dash with nothing after it: another voice follows (Google Meet names it), never words
            pending, lone_dash = True, not paren
            continue
        if paren and _paren_name(raw) in paren:
            voice, pending = _paren_name(raw), True
            continue
        unclosed = _UNCLOSED_VOICE.fullmatch(raw.strip())
        if unclosed is not None:
            # "<v Le Van Duc" (alone on a line, or before the words), its ">" lost: a name, never words
            more = any(line.strip() for line in lines[index + 1:])
            name, rest = unclosed_tags.split(unclosed.group(1), more)
            if name is None:
                unclosed_tags.kept.append(cue.line_no + 1 + index)  # the line under the timing, as a rule
            else:
                voice, pending = name, True
            if not rest:
                continue
            raw = rest
        pieces: list[tuple[str | None, str]] = []
        pos = 0
        for m in _VOICE.finditer(raw):
            pieces.append((voice, raw[pos : m.start()]))
            # the annotation is cue text too: Teams writes accented names as references ("Far&#237;as")
            voice = voice_name(" ".join(html.unescape(m.group(1) or "").split())) or None
            pos = m.end()
        pieces.append((voice, raw[pos:]))
        # "- " before a caption line is the subtitle convention for "another person speaks"; so is "-Yes." or
        # "– Yes." where two lines of the cue start so (one alone may be a minus or a dash that continues a sentence)
        line_change = bool(_DASH_LINE.match(_clean(raw))) or (dialogue and bool(_TIGHT_DASH.match(_clean(raw))))
        dash = line_change or lone_dash
        for v, chunk in pieces:
            clean = _clean(chunk)
            if line_change and clean[:1] in "-–—":
                clean = clean[1:].strip()
            for k, part in enumerate(_CHANGE.split(clean) if ">>" in clean else [clean]):
                part = part.strip()
                change = line_change or lone_dash or (k > 0) or (k == 0 and clean.startswith(">>"))
                line_change = lone_dash = False
                if not part:
                    if change:
                        spans.append(_Span(v, "", cue, change=True, dash=dash))
                    continue
                for who, words in split_overlaps(part, v) if v is not None else [(v, part)]:
                    if spans and spans[-1].voice == who and not change and not pending:
                        spans[-1].text += " " + words
                    else:
                        spans.append(_Span(who, words, cue, change=change, overlap=who != v, dash=dash))
                    change = pending = dash = False
        if "</v>" in raw or "</V>" in raw:
            voice = None
    return spans


def _name_lines(cues: list[Cue]) -> set[str]:
    """Older Teams Word exports, saved as text, put the speaker's name alone on the line above the cue's text."""
    firsts: dict[str, int] = {}
    candidates = 0
    for cue in cues:
        lines = [x.strip() for x in cue.lines if x.strip()]
        if len(lines) >= 2 and "<v" not in lines[0] and ":" not in lines[0]:
            head = _clean(lines[0])
            if head and head[-1] not in ".?!,;…" and classify(head) is not None:
                firsts[head] = firsts.get(head, 0) + 1
                candidates += 1
    if candidates * 2 < len(cues) or not any(c >= 2 for c in firsts.values()):
        return set()
    return set(firsts)


def read_cues(text: str, name: str, *, fmt: str, detected: str = "") -> ParsedTranscript:
    """Parse WebVTT (``fmt="vtt"``) or SRT (``fmt="srt"``) text into turns with timings."""
    damage = CueDamage(lines=fmt != "docx")  # a Word document's text is paragraphs joined here: no line of the file
    cues = parse_cues(text, name, vtt=fmt != "srt", damage=damage)
    return cues_as_transcript(cues, name, fmt=fmt, detected=detected, damage=damage)


def cues_as_transcript(cues: list[Cue], name: str, *, fmt: str, detected: str = "",
                       damage: CueDamage | None = None, voices: str = "") -> ParsedTranscript:
    """Cues, each with its line number in the file, as turns with timings; ``damage`` goes into the report;
    ``voices``: where the cues' own speakers come from, for the report ("the 'speaker' column")."""
    notices: list[str] = damage.notices() if damage is not None else []
    cues, resent, grown = _drop_resent(cues)
    if resent or grown:
        said = []
        if resent:
            said.append(f"{resent} cue(s) repeated an earlier cue (the same times and words)")
        if grown:
            said.append(f"{grown} cue(s) were an earlier, shorter version of the next cue (the same start)")
        notices.append(" and ".join(said) + ", as live transcription re-sends its captions: they were left out, so"
                       f" {len(cues)} cue(s) remain")
    back = [c for p, c in zip(cues, cues[1:], strict=False) if c.t_start < p.t_start]
    if back:
        first = back[0]
        where = f"at line {first.line_no}" if damage is None or damage.lines else \
            f"starting at {int(first.t_start // 3600)}:{int(first.t_start // 60 % 60):02d}:{first.t_start % 60:06.3f}"
        notices.append(f"{len(back)} cue(s) start before the cue before them (the first {where}):"
                       " the file may hold the same speech more than once, or out of order; they were read in the"
                       " file's order")
    rolling = _rolling(cues)
    paren = _paren_names(cues)
    unclosed_tags = _Unclosed(known=_voice_names(cues))
    names = set() if paren else _name_lines(cues)
    spans: list[_Span] = []
    shown: list[str] = []
    for cue in cues:
        if names:
            lines = [x for x in cue.lines if x.strip()]
            head = _clean(lines[0]) if lines else ""
            if head in names:
                cue = Cue(cue.t_start, cue.t_end, lines[1:], cue.line_no)
                for span in _spans(cue, None):
                    span.voice = span.voice or head
                    spans.append(span)
                continue
        spans.extend(_spans(cue, shown if rolling else None, paren, unclosed_tags))
        if rolling:
            cleaned = [c for c in (_clean(x) for x in cue.lines) if c]
            shown = cleaned or shown
    if rolling:
        notices.append("automatic captions: lines repeated from the previous caption were left out")
    if unclosed_tags.read:
        notices.append(f"{unclosed_tags.read} voice tag(s) without their closing '>' ('<v Name' before the words)"
                       " were read as the speaker of the words")
    if unclosed_tags.kept:
        notices.append(f"{len(unclosed_tags.kept)} voice tag(s) without their closing '>' could not be told from the"
                       f" words after them (the first at line {unclosed_tags.kept[0]}): kept as words;"
                       " check the name there")
    if paren:
        dashes = sum(1 for c in cues for line in c.lines if line.strip() == "-")
        notices.append(f"each name in parentheses alone on a line ({len(paren)} speaker(s)) was read as the speaker"
                       " of the words under it" + (f"; {dashes} line(s) holding only '-' between two voices of one"
                                                   " caption were left out" if dashes else ""))
    overlaps = [s for s in spans if s.overlap]
    if overlaps:
        notices.append(OVERLAP_NOTE.format(n=len(overlaps), label=overlaps[0].voice))
    leading = 0
    bracketed = _label_groups([s.text.lstrip() for s in spans if s.voice is None and s.text])
    for span in spans:
        if sound_only(span.text):
            continue  # "[MUSIC PLAYING]" alone is no speaker's label
        if span.voice is None and span.text:
            if span.text.lstrip()[:1] in ("[", "(", "♪"):
                # "[MUSIC PLAYING] MARK: Hi": the label after the sound
                span.text, n = _after_sounds(span.text, bracketed)
                leading += n
            span.label = find_label(span.text)
    labels = [s.label for s in spans if s.label is not None]
    accepted = accepted_keys(labels)
    unvoiced = sum(1 for s in spans if s.voice is None and s.text)
    strong_enough = [lab for lab in labels if lab.strength >= MOSTLY]
    if unvoiced and (len(strong_enough) * 2 >= unvoiced or (len(strong_enough) >= 2 and accepted)):
        # A label at the start of a cue is rarely speech: where cues carry labels (Zoom prefixes nearly every cue,
        # transcription services the first cue of each turn), a name that speaks once is a label too.
        accepted |= {lab.key for lab in strong_enough}
    handles = _handle_labels(spans, accepted)
    accepted |= handles
    _known_in_parentheses(spans, accepted)
    drafts = Drafts()
    display: dict[str, str] = {}
    notes: dict[str, str] = {}
    speaker: str | None = None
    sounds = music = pauses = 0
    spoken = False
    mark_times = MarkTimes()
    for span in spans:
        body = span.text
        new_turn = False
        if span.voice is not None:
            speaker = span.voice
        elif span.label is not None and span.label.key in accepted:
            speaker = display.setdefault(span.label.key, span.label.speaker)
            if span.label.note:
                notes.setdefault(speaker, span.label.note)
            body = span.label.rest
        elif span.change:
            speaker, new_turn = None, True  # someone else speaks; the file does not say who
        # else: a continuation cue keeps the previous speaker
        if sound_only(body):
            sounds += 1
            body = ""
        elif "[" in body or "♪" in body:
            body, n = _MUSIC.subn(" ", body)  # "um [Music] and then": music is no one's words, wherever it is
            music += n
        if not spoken and is_pause_only(body):
            pauses, body = pauses + 1, ""  # noScribe's "(12 seconds pause)" before the first words
        spoken = spoken or bool(body.strip())
        drafts.add(speaker, mark_times.drop(body), new_paragraph=False, new_turn=new_turn, t_start=span.cue.t_start,
                   t_end=span.cue.t_end)
    if mark_times.count:
        notices.append(mark_times.notice())
    if pauses:
        notices.append(f"{pauses} caption(s) holding only a pause mark ('(12 seconds pause)', '(..)') before the first"
                       " words were left out")
    if sounds:
        notices.append(f"{sounds} caption(s) holding only a sound ([Music], [Applause], (LAUGHTER)) were left out")
    if leading:
        notices.append(f"{leading} description(s) of a sound at the start of a caption ('[MUSIC PLAYING] ...') were"
                       " left out of the text")
    if music:
        notices.append(f"{music} mark(s) of music ([Music], ♪) inside the captions were left out of the text")
    metadata: dict[str, object] = {"speaker_notes": notes} if notes else {}
    if not detected:
        detected = _describe(fmt, spans, names, rolling, accepted, paren, voices)
    return assemble(drafts, fmt=fmt, name=name, metadata=metadata, detected=detected, notices=notices)


# a display name as people type it into a meeting app: one word, perhaps lower case, with dots, digits or a dash
# ("nguyen.hai", "jsmith", "hai_2") before the colon that starts a cue
_HANDLE = re.compile(r"([^\W\d_][\w.'’-]{0,29}(?: [^\W\d_][\w.'’-]{0,29}){0,2}):[ \t]+(\S.*)", re.S)


def _handle_labels(spans: list[_Span], accepted: set[str]) -> set[str]:
    """Where a label starts (nearly) every caption, as Zoom writes each speaker's display name before the words, a
    display name in lower case ("nguyen.hai: I joined late", "mai tran: yes") is a label too, when it starts two
    captions or more or has a user name's shape (a dot, a digit, an underscore); where every name is in lower case,
    two of them must come back. Its label is set on the span; returns the keys."""
    unvoiced = [s for s in spans if s.voice is None and s.text]
    labelled = sum(1 for s in unvoiced if s.label is not None and s.label.key in accepted)
    found: dict[str, list[_Span]] = {}
    for span in unvoiced:
        if span.label is not None and span.label.key in accepted:
            continue
        m = _HANDLE.fullmatch(span.text)
        if m is not None and m.group(1).casefold() not in NOT_SPEAKERS:
            found.setdefault(m.group(1), []).append(span)
    if (labelled + sum(len(where) for where in found.values())) * 10 < len(unvoiced) * 9:
        return set()  # captions without a label here and there: a word before a colon there is words
    if labelled * 2 < len(unvoiced) and sum(1 for where in found.values() if len(where) >= 2) < 2:
        return set()  # every name in lower case: two of them at least, each starting captions again and again
    keys: set[str] = set()
    for handle, where in found.items():
        if len(where) < 2 and not re.search(r"[._\d]", handle):
            continue
        for span in where:
            span.label = Label(speaker=handle, rest=span.text[len(handle) + 1:].strip())
        keys.add(label_key(handle))
    return keys


_PAREN_START = re.compile(r"\(([^()\[\]<>\n]{1,40})\)\s*(.*)", re.S)


def _known_in_parentheses(spans: list[_Span], accepted: set[str]) -> None:
    """A speaker the file names elsewhere, in parentheses at a caption's start ("(John) OK then."), is the speaker
    of the caption, not words of it (the label is set on the span)."""
    for span in spans:
        if span.voice is not None or not span.text or span.label is not None and span.label.key in accepted:
            continue
        m = _PAREN_START.fullmatch(span.text)
        if m is not None and label_key(m.group(1)) in accepted:
            span.label = Label(speaker=" ".join(m.group(1).split()), rest=m.group(2).strip())


def _describe(fmt: str, spans: list[_Span], names: set[str], rolling: bool, accepted: set[str],
              paren: set[str] | None = None, voices: str = "") -> str:
    kind = "WebVTT" if fmt == "vtt" else "SubRip (SRT)"
    if rolling:
        return f"{kind}: YouTube automatic captions"
    if paren:
        return f"{kind}: Google Meet (each speaker's name in parentheses above their words)"
    if names:
        return f"{kind}: names above the text (Otter, older Microsoft Teams exports)"
    if any(s.overlap for s in spans):
        return f"{kind}: voice tags with '//' overlapping speech (noScribe)"
    if any(s.voice for s in spans):
        return f"{kind}: {voices or 'voice tags (Microsoft Teams)'}"
    labelled = any(s.label is not None and s.label.key in accepted for s in spans)
    arrows = any(s.change and not s.dash for s in spans)
    if arrows:
        return f"{kind}: captions with '>>' speaker changes" + (
            " and names ('>> NAME:', broadcast and live captions)" if labelled else
            " (the captions do not name the speakers)")
    if any(s.change for s in spans):
        return f"{kind}: captions with '- ' dialogue dashes" + (
            " and 'Name:' labels" if labelled else
            " marking a change of speaker (the captions do not name the speakers)")
    if labelled:
        bracketed = sum(1 for s in spans if s.label is not None and s.label.key in accepted and s.label.bracket)
        if bracketed * 2 > sum(1 for s in spans if s.label is not None and s.label.key in accepted):
            return f"{kind}: '[Name]' labels at the start of captions"
        return f"{kind}: 'Name:' labels (Zoom, transcription services)"
    return f"{kind}: captions without speaker labels"


# "00:00:05 text", "[00:05] - text": the time before a caption line (a dash after it is the caption's own mark)
_LINE_TIME = re.compile(r"[\[(]?(" + TIMESTAMP + r")" + TIME_RANGE_END + r"[\])]?(?:\s+|$)")
# Otter's average-speech estimate, for the end of the last caption, which a line's time does not give
_WORDS_PER_SECOND = 2.5
TIMED_LINES_NOTICE = ("every line started with a time (or had one alone on the line above it, as YouTube's transcript"
                      " copied does), as captions saved as text do: each line was read as a caption, so a sentence"
                      " that runs on to the next line stays one unit")


# a line's time that cannot be read: in brackets, starting with a digit and holding a colon ("[00:0x.000 -->
# 00:12.000]"), or a "-->" range without brackets ("00:08.000 --> 00:1.2000"); a year or a count is no time
_BROKEN_LINE_TIME = re.compile(r"\s*(?:\[\s*\d[^\]\n]{0,40}:[^\]\n]{0,40}\]|\d[\d:.,]{2,12}\s*-->\s*\S{1,14})\s+")


# What openai-whisper prints above its captions when it guesses the language, kept when its output is saved as text
# ("whisper audio.mp3 > interview.txt"): the tool talking, never anyone's words.
_CONSOLE_LINE = re.compile(
    r"Detecting language using up to (?:the )?first \d+ seconds\.?(?:\s*Use `?--language`? to specify the"
    r" language\.?)?|Detected language:\s*(?P<language>[^\n]{1,40})", re.I)


@dataclass
class ConsoleLines:
    """The transcription tool's console lines above a text's first timed line, blanked (the line numbers kept)."""

    text: str
    count: int
    language: str | None
    first: str

    def notice(self) -> str:
        shown = self.first.split(". ")[0][:60]
        return (f"{self.count} line(s) the transcription tool printed above the captions ('{shown} ...') were"
                " left out" + (f"; the language it detected, {self.language}, is kept with the transcript"
                               if self.language else ""))


def console_lines(text: str) -> ConsoleLines | None:
    """Whisper's console lines ("Detecting language using up to the first 30 seconds. ...", "Detected language:
    English") at the top of a text, above its first timed line; None when it has none."""
    lines = text.split("\n")
    count, language, first = 0, None, ""
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        m = _CONSOLE_LINE.fullmatch(line)
        if m is None:
            break
        count, first = count + 1, first or line
        language = m.group("language").strip() if m.group("language") else language
        lines[k] = ""
    if not count:
        return None
    return ConsoleLines("\n".join(lines), count, language, first)


def timed_lines_cues(text: str, damage: CueDamage | None = None) -> list[Cue] | None:
    """Captions saved as text, a time before each caption ("00:00:05 <v Brian Okken>This is episode 481,", "00:00:04
    your earbuds. This is episode 150"), as cues with their line numbers; None for any other text. A line whose
    time cannot be read ("[00:0x.000 --> 00:12.000]  text") keeps its words, timed at the end of the line before,
    and is noted in ``damage``: its time is never read as words.

    Lines that carry "Name:" labels are left to the text reader, which keeps each line a paragraph of its own; so is a
    file with a line of text before the first time (a title), whose place a cue would not keep."""
    entries: list[tuple[float, list[str], int]] = []
    broken: list[tuple[int, str]] = []
    content = 0
    above = False  # the line before was a time alone, whose caption this line is
    # YouTube's transcript panel, copied: the time alone on the line above each caption ("0:04", then the words),
    # with no blank line anywhere (a time above each paragraph of a transcript is left to the text reader)
    stacked = not re.search(r"\S\s*\n\s*\n\s*\S", text)
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _LINE_TIME.match(line)
        seconds = parse_timestamp(m.group(1)) if m else None
        rest = line[m.end():] if m else ""
        if above and seconds is None:
            entries[-1][1].append(line)
            above = False
            continue
        content += 1
        if seconds is not None and not rest.strip() and stacked and m is not None and m.group().strip() == line:
            entries.append((seconds, [], line_no))
            above = True
            continue
        if seconds is not None and rest.strip() and not rest.lstrip().startswith(("-->", "->")):
            entries.append((seconds, [rest.strip()], line_no))
            continue
        bad = _BROKEN_LINE_TIME.match(line)
        if bad is not None and line[bad.end():].strip():
            broken.append((line_no, bad.group().strip()[:60]))
            entries.append((UNTIMED, [line[bad.end():].strip()], line_no))
        elif seconds is None and entries:
            entries[-1][1].append(line)
        else:
            return None
    entries = [e for e in entries if e[1]]  # a time with no caption under it, at the end
    if content < 4 or len(entries) * 10 < content * 9 or len(broken) * 2 >= len(entries):
        return None
    if "<v" not in text:
        labels = [find_label(lines[0]) for _, lines, _ in entries]
        if accepted_keys(lab for lab in labels if lab is not None):
            return None
    if damage is not None:
        damage.broken.extend(broken)
    cues = []
    for k, (start, lines, line_no) in enumerate(entries):
        following = next((e[0] for e in entries[k + 1:] if e[0] != UNTIMED), None)
        if start == UNTIMED:
            end = UNTIMED
        elif following is not None:
            end = max(start, following)
        else:
            end = round(start + len(" ".join(lines).split()) / _WORDS_PER_SECOND, 3)
        cues.append(Cue(start, end, lines, line_no))
    return settle_untimed(cues)


# YouTube's SubViewer captions (.sbv): "0:00:03.900,0:00:08.460" alone on the line above each caption's text
_SBV_TIMING = re.compile(r"\s*(\d{1,2}:\d{2}:\d{2}\.\d{1,3}),(\d{1,2}:\d{2}:\d{2}\.\d{1,3})\s*")
# a SubViewer timing with a typo or cut short ("0:00:01.000,0:00:0x.000", "0:00:01.000,", "0:00:01.000"): a time's
# shape, at most two characters that are not a time's, nothing a sentence has (a space inside, a word)
_SBV_LIKE = re.compile(r"\s*\d{1,2}:[\w:.]{1,14}(?:,[\w:.]{0,16})?\s*")
_TIME_CHARS = frozenset("0123456789:.,")


def _sbv_like(line: str) -> bool:
    """A line meant as a SubViewer timing, readable or not."""
    return bool(_SBV_LIKE.fullmatch(line)) and sum(ch not in _TIME_CHARS for ch in line.strip()) <= 2 \
        and line.count(":") >= 2


def _seconds_sbv(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)


def sbv_cues(text: str, name: str, damage: CueDamage) -> list[Cue] | None:
    """SubViewer captions (YouTube Studio's .sbv download) as cues with their line numbers; None for any other text.

    The file starts with a timing line (readable or not), and each caption is a timing line, its text and a blank
    line. A timing line that cannot be read is left out and noted in ``damage``, its words read with the caption
    before; so are words after a blank line with no timing line above them."""
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if not (_SBV_TIMING.fullmatch(first) or _sbv_like(first)):
        return None
    cues: list[Cue] = []
    current: Cue | None = None
    for line_no, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            if current is not None and current.lines and current.lines[-1].strip() == "-":
                continue  # Google Meet: "-", a line holding a space, then the next voice of the same caption
            if current is not None:
                cues.append(current)
                current = None
            continue
        m = _SBV_TIMING.fullmatch(line)
        if m:
            if current is not None:
                cues.append(current)
            start, end = _seconds_sbv(m.group(1)), _seconds_sbv(m.group(2))
            if end < start:
                damage.reversed_ends.append((line_no, line.strip()[:60]))
                end = start
            current = Cue(start, end, [], line_no)
            continue
        if _TIMING_LIKE.match(line) and "-->" in line:
            return None  # a "-->" timing: WebVTT or SubRip, not SubViewer
        if _sbv_like(line):
            damage.broken.append((line_no, line.strip()[:60]))
            damage.first_error = damage.first_error or InputError(
                f"broken caption timing '{line.strip()[:60]}'", path=name, line=line_no,
                hint="a SubViewer timing reads '0:00:03.900,0:00:08.460'; fix the line or download the captions again")
            if current is not None:
                cues.append(current)
            current = Cue(_UNTIMED, _UNTIMED, [], line_no)
            continue
        if current is None:
            damage.untimed.append(line_no)
            current = Cue(_UNTIMED, _UNTIMED, [], line_no)
        current.lines.append(line)
    if current is not None:
        cues.append(current)
    timed = sum(1 for c in cues if c.t_start != _UNTIMED)
    if not timed or len(damage.broken) >= timed and not all("," in shown for _, shown in damage.broken):
        return None  # no SubViewer timing at all, or times alone on their lines ("0:01:05"): a text file's stamps
    damage.check(timed)
    return settle_untimed(cues)


# Whisper's .tsv output: a "start<TAB>end<TAB>text" header, then a line per segment with its times in milliseconds
_TSV_HEADER = re.compile(r"\ufeff?start\tend\ttext\s*", re.I)
# Whisper writes whole milliseconds; other tools write the same header with seconds ("0.000<TAB>1.200<TAB>text")
_TSV_LINE = re.compile(r"(\d{1,9}(?:\.\d{1,6})?)\t(\d{1,9}(?:\.\d{1,6})?)\t(.*)")
TSV_SECONDS_NOTICE = "the times have decimals, so they were read as seconds (Whisper writes whole milliseconds)"


def is_whisper_tsv(text: str) -> bool:
    """Whether a text is Whisper's .tsv output (its first line is the header "start<TAB>end<TAB>text")."""
    return bool(_TSV_HEADER.fullmatch(text.split("\n", 1)[0].rstrip("\r")))


def whisper_tsv_cues(text: str, name: str, damage: CueDamage) -> list[Cue]:
    """Whisper's .tsv output as cues with their line numbers. A row whose times cannot be read keeps its text, read
    with the segment before, and is noted in ``damage``; a line without tabs is text of the segment before. Raises
    InputError naming the first broken row when as many rows are broken as not."""
    cues: list[Cue] = []
    rows = text.split("\n")[1:]
    matched = [m for m in (_TSV_LINE.fullmatch(r.rstrip("\r")) for r in rows) if m is not None]
    scale = 1 if any("." in m.group(1) + m.group(2) for m in matched) else 1000
    if scale == 1:
        damage.notes.append(TSV_SECONDS_NOTICE)
    for line_no, raw in enumerate(rows, start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        m = _TSV_LINE.fullmatch(line)
        if m is not None:
            start, end = round(float(m.group(1)) / scale, 3), round(float(m.group(2)) / scale, 3)
            if end < start:
                damage.reversed_ends.append((line_no, "\t".join(line.split("\t")[:2])))
                end = start
            cues.append(Cue(start, end, [m.group(3).replace("\t", " ")], line_no))
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            damage.broken.append((line_no, " ".join(fields[:2]).strip()[:60]))
            damage.first_error = damage.first_error or InputError(
                f"not a line of Whisper's .tsv output: '{line.strip()[:60]}'", path=name, line=line_no,
                hint="each line holds the start and end in milliseconds and the text, separated by tabs")
            words = " ".join(fields[2:])
        else:
            damage.untimed.append(line_no)
            words = line.replace("\t", " ")
        if cues and len(fields) < 3:
            cues[-1].lines.append(words)  # a line break inside a segment's text
        else:
            cues.append(Cue(_UNTIMED, _UNTIMED, [words], line_no))
    damage.check(sum(1 for c in cues if c.t_start != _UNTIMED))
    return settle_untimed(cues)
