"""Plain text and Markdown transcripts with speaker labels (also the engine behind .docx).

Readers turn their source into :class:`Block` s (a paragraph's lines, or a table row whose
speaker is known from its cell) and :func:`blocks_to_drafts` does the rest: header metadata,
label recognition over the whole file, and turns.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from qualcode.errors import InputError
from qualcode.importers.assemble import Drafts, DraftTurn, assemble
from qualcode.importers.labels import (
    CAPITALISED,
    NOT_SPEAKERS,
    SENTENCE_STARTERS,
    STRICT_TIMESTAMP,
    STRONG,
    TIMESTAMP,
    VOICE_TAG,
    Label,
    accepted_keys,
    chat_clocks,
    chat_layout,
    chat_like,
    classify,
    find_label,
    label_key,
    make_label,
    parse_timestamp,
    strip_clock,
    strip_leading_timestamp,
    unify_repeated_numbers,
)
from qualcode.importers.marks import MarkTimes
from qualcode.importers.page_furniture import drop_page_furniture
from qualcode.importers.preamble import (
    CREDIT_NOTICE,
    read_preamble,
    record_event,
    tool_credit_alone,
    transcription_event,
)
from qualcode.importers.service_reader import header as service_header
from qualcode.model import ParsedTranscript
from qualcode.speakers import (
    ASKING_KEYS,
    ASKING_ROLES,
    HEADING_SPEAKER,
    INITIALS,
    NOTES_SPEAKER,
    header_names,
    initials_fit,
    is_interviewer_label,
    quoted_list,
    role_of_label,
)

# how a sentence ends; a value ending so (or in ":", which leads into what follows) is speech, not a header entry
_SPEECH_ENDS = (".", "?", "!", "…")
_NOT_A_VALUE = (*_SPEECH_ENDS, ":")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_RULE = re.compile(r"(?:[-*_=]\s*){3,}")
_BULLET = re.compile(r"[-*+•▪◦‣–]\s+")
_NUMBERED = re.compile(r"\(?\d{1,2}[.)]\s+(?=\S)")
# A paragraph that is bold from end to end ("**Question 3: sustainability**") reads as a heading in notes.
_BOLD_LINE = re.compile(r"(\*\*|__)(?=\S)[^*_]{1,200}(?<=\S)\1")
_QUOTE = re.compile(r"(?:>\s?)+")
# "*in Vietnamese*", "it was *not* useful": Markdown italics, whose stars are no one's words ("5 * 3" and a lone "*"
# stay); in plain text the stars are the transcriber's and stay
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{0,300}?[^\s*])\*(?![\w*])")
# "*laughs*", "I was *sigh* so tired": a transcriber's note of an action, written as "[laughs]" is, never a word said
_STARRED_ACTION = re.compile(r"(?<![\w*])\*([^\W\d_]{3,20})\*(?![\w*])")
_ACTIONS = frozenset(
    """laugh laughs laughing laughter chuckle chuckles chuckling giggle giggles giggling sigh sighs sighing pause
    pauses paused cough coughs coughing cry cries crying sob sobs sobbing smile smiles smiling nod nods nodding shrug
    shrugs shrugging inaudible unclear crosstalk silence applause clapping gasps groans""".split()
)
# "__" pairs cannot contain "_", so a line of many unclosed "__" stays linear.
_UNDERSCORE_BOLD = re.compile(r"__(?=[^_\s])([^_\n]{0,300}[^_\s])__|__([^_\s])__")
# "[final report](http://www.parl.gc.ca/rep.pdf)": a Markdown link, whose words are the text; "<http://...>": an
# autolink
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]*\)){1,2000}(?:\s+\"[^\"\n]{0,200}\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]{1,2000})>")
_MD_TABLE_SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")
# a transcription timestamp as f4/f5 and MAXQDA write it, "#00:01:02-4#" (tenths after the '-'): the time a
# paragraph ends, written at its end (or where the transcriber pressed the key)
# (no surrounding \s*: searched in lines of any length, it must not backtrack over a run of spaces)
F4_TIME = re.compile(r"#((?:\d{1,2}:)?\d{1,2}:\d{2})(?:[-.,](\d{1,3}))?#")
# "... came back [00:19:00] every quarter": a time inside the speech, where the tool marks each minute (Descript) or
# the transcriber pressed a key; it is no one's words. Only "[mm:ss]" or "[hh:mm:ss]" in square brackets (two-digit
# minutes: STRICT_TIMESTAMP), and only where a file has several: "He read John [3:16]" and "The clinic opens (8:30)
# daily" are speech.
_INLINE_TIME = re.compile(r"(\s*)\[(" + STRICT_TIMESTAMP + r")\]")
# "(01:28)" or "[01:28]" ending a line: a turn's time where the file writes one so at the end of most turns
_TRAILING_TIME = re.compile(r"\s*[(\[](" + TIMESTAMP + r")[)\]]$")
# fewer such marks in a file are someone's words, not a tool's
_INLINE_TIMES_IN_A_FILE = 3
# a chat's line that is no message: "→ rex4539 joined (...)", "* nick has quit", "— Elena nods" (an action)
_CHAT_EVENT = re.compile(r"(→|←|⇐|⇒|-->|<--|-!-|\*{1,3}|—|–)\s*([^\s<>]{1,40})\s+(.*)")
_CHAT_NOTICE = re.compile(r"^(?:has\s+)?(?:joined|quit|left|parted|changed the topic|sets mode|set mode|is now known as"
                          r"|was kicked|kicked|is back|is away|changed nick)\b|^\(.*@", re.I)

# Keys of the "Date: ... / Location: ..." block many transcripts start with.
META_KEYS = frozenset(
    """id interview_id transcript_id case_id case interview date interview_date time location place venue
    province city duration length language languages organisation organization role position sex gender
    project projects title type mode recording recorded file transcribed_by transcriber group
    stakeholder_group subject format""".split()
)
META_ROLE_KEYS = frozenset(
    """interviewer interviewers informant interviewee respondent moderator facilitator participants
    participant translator interpreter note_taker notetaker""".split()
)
# a header's keys in the languages research teams write them, read as the keys above ("Interviewpartner: ...",
# "Datum: ...", "Entrevistada: ...")
HEADER_KEY_ALIASES = {
    **dict.fromkeys("""interviewpartner interviewpartnerin befragte befragter befragte_r befragte/r gesprächspartner
        gesprächspartnerin interviewte interviewter entrevistado entrevistada entrevistado_a enquêté enquêtée
        répondant répondante informante""".split(), "interviewee"),
    **dict.fromkeys("""interviewerin interviewer_in entrevistador entrevistadora enquêteur enquêtrice
        pesquisador pesquisadora""".split(), "interviewer"),
    **dict.fromkeys("datum fecha data ngày".split(), "date"),
    **dict.fromkeys("ort lugar lieu local địa_điểm".split(), "location"),
    **dict.fromkeys("dauer duración durée duração".split(), "duration"),
    **dict.fromkeys("tätigkeitsfeld funktion beruf cargo función fonction poste".split(), "role"),
    **dict.fromkeys("organisation organização organización institution institución instituição".split(),
                    "organisation"),
}
# "Durchgeführt durch Jann Intveen", "Interviewed by Clara Jensen": the interviewer named without a colon
_BY_LINE = re.compile(r"(?:durchgeführt\s+(?:durch|von)|interviewed\s+by|interview\s+by|conducted\s+by"
                      r"|realizad[ao]\s+por|réalisée?\s+par|entrevistad[oa]\s+por)\s+(.+)", re.I)
SPEAKER_HEADERS = frozenset({"speaker", "speakers", "name", "who", "participant", "person", "người nói"})
TEXT_HEADERS = frozenset(
    {"text", "transcript", "speech", "content", "statement", "response", "utterance", "what was said", "nội dung"}
)
TIME_HEADERS = frozenset({"time", "timestamp", "start", "thời gian"})


@dataclass
class Block:
    """A paragraph of source lines, or a table row whose speaker comes from a cell (``forced``)."""

    lines: list[str]
    speaker: str | None = None
    forced: bool = False
    t_start: float | None = None
    labels: list[Label | None] = field(default_factory=list)
    heading: int = 0  # 1-6 for a Markdown or Word heading, 9 for a line that is bold throughout; 0 for text
    bullet: bool = False
    legend: bool = False  # the key of the speaker labels above the speech ("I: Interviewer")


def meta_key(key: str) -> str:
    """Metadata keys are lower-cased with spaces as underscores: "Interview ID" -> "interview_id"."""
    return re.sub(r"[\s\-]+", "_", key.strip().rstrip(":：").strip().casefold())


def meta_value(value: Any) -> Any:
    """Keep metadata JSON-friendly: YAML dates become ISO strings."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): meta_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [meta_value(v) for v in value]
    return value


#: a metadata flag: the front matter was not YAML and was read line by line (taken out again by read_text, which
#: says so in the report)
FRONT_MATTER_AS_LINES = "_front_matter_as_lines"
_PLAIN_META_LINE = re.compile(r"([^\W\d][\w .'’/-]{0,40}?)\s*:(?:\s+(.*))?")


def _plain_front_matter(lines: list[str]) -> dict[str, Any] | None:
    """The front matter read as "key: value" lines, each split at its first colon, when every line is one (or
    blank) and no value starts as YAML's own syntax does (a list, a mapping, a quote: "date: [2024-03-20" is YAML
    gone wrong, to be corrected); None otherwise."""
    out: dict[str, Any] = {}
    for line in lines:
        if not line.strip():
            continue
        m = _PLAIN_META_LINE.fullmatch(line.rstrip())
        if m is None:
            return None
        value = (m.group(2) or "").strip()
        if value[:1] in tuple("[{\"'&*!|>%@`"):
            return None
        if value:
            out.setdefault(meta_key(m.group(1)), value)
    return out or None


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], list[str], int]:
    """Return (metadata, body lines, number of lines consumed) for optional YAML front matter."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].strip() != "---":
        return {}, lines, 0
    end = next((j for j in range(first + 1, min(len(lines), first + 500)) if lines[j].strip() in ("---", "...")), None)
    if end is None:
        return {}, lines, 0
    from qualcode.safeio import yaml as safe_yaml  # only transcripts with front matter pay for it

    try:
        data = safe_yaml.load("\n".join(lines[first + 1 : end]), name)
    except safe_yaml.YamlError as err:
        plain = _plain_front_matter(lines[first + 1 : end])
        if plain is not None:
            # "title: Memórias da Universidade: Entrevista com ...": a colon in a value, unquoted, as people write
            # front matter by hand; read each line by its first colon, and say so
            plain[FRONT_MATTER_AS_LINES] = True
            return plain, lines[end + 1 :], end + 1
        raise InputError(
            f"the front matter (between the '---' lines) {err.reason}",
            path=name,
            line=first + 1 + err.line_no if err.line_no is not None else first + 1,
            hint="write one 'key: value' per line, and quote values that contain a colon",
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            "the front matter (between the '---' lines) must be 'key: value' lines",
            path=name,
            line=first + 2,
        )
    metadata = {meta_key(str(k)): meta_value(v) for k, v in data.items()}
    return metadata, lines[end + 1 :], end + 1


def text_blocks(lines: list[str], metadata: dict[str, Any]) -> list[Block]:
    """Group plain-text/Markdown lines into blocks (blank lines, headings and bullets separate them)."""
    blocks: list[Block] = []
    current: list[str] = []
    current_bullet = False
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal current, table, current_bullet
        if current:
            blocks.append(Block(current, bullet=current_bullet))
            current = []
        current_bullet = False
        if table:
            blocks.extend(table_blocks(table, metadata, speech_started=_speech_started(blocks)))
            table = []

    for raw in lines:
        line = raw.strip()
        if line.startswith("|") and line.count("|") >= 2:
            if current:
                blocks.append(Block(current, bullet=current_bullet))
                current, current_bullet = [], False
            if not _MD_TABLE_SEPARATOR.fullmatch(line):
                table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            flush()
        if not line or _RULE.fullmatch(line):
            flush()
            continue
        if _HEADING.match(line):
            flush()
            level = len(line) - len(line.lstrip("#"))
            heading = clean_inline(line.lstrip("#").strip().rstrip("#").strip())
            if heading:
                blocks.append(Block([heading], heading=level))
            continue
        if line.startswith("<!--") and line.endswith("-->"):
            continue
        line = _QUOTE.sub("", line, count=1) if line.startswith(">") else line
        bullet = _BULLET.match(line)
        if (bullet or _NUMBERED.match(line)) and not line.startswith(("**", "__")):
            flush()
            current_bullet = True
            if bullet:
                line = line[bullet.end() :]
        elif _BOLD_LINE.fullmatch(line) and not line.rstrip("*_ ").endswith((":", "：")):
            flush()
            blocks.append(Block([clean_inline(line)], heading=9))
            continue
        if line:
            current.append(line)
    flush()
    return blocks


def _speech_started(blocks: list[Block]) -> bool:
    return any(b.lines for b in blocks)


def table_blocks(rows: list[list[str]], metadata: dict[str, Any], *, speech_started: bool) -> list[Block]:
    """Blocks for a table: a Speaker|Text table gives a turn per row; key|value before any speech is metadata."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip().rstrip(":").casefold() for c in rows[0]]
    speaker_col = next((i for i, c in enumerate(header) if c in SPEAKER_HEADERS), None)
    text_col = next((i for i, c in enumerate(header) if c in TEXT_HEADERS), None)
    time_col = next((i for i, c in enumerate(header) if c in TIME_HEADERS), None)
    body = rows
    if speaker_col is not None and text_col is not None:
        body = rows[1:]
    else:
        width = max(len(r) for r in rows)
        firsts = [r[0].strip().casefold() for r in rows if r]
        keys = [meta_key(f) for f in firsts]
        values = [r[1] for r in rows if len(r) > 1]
        # Metadata keys never repeat; speakers do. Short values or known keys tell the rest apart.
        looks_meta = (
            width == 2
            and len(set(firsts)) == len(firsts)
            and (
                sum(k in META_KEYS for k in keys) * 2 >= len(keys)
                or sum(len(v) for v in values) <= 60 * max(1, len(values))
            )
        )
        if looks_meta and not speech_started:
            for r in rows:
                if len(r) >= 2 and r[0].strip():
                    metadata.setdefault(meta_key(r[0]), " ".join(r[1].split()))
            return []
        if width >= 2 and len(set(firsts)) < len(firsts):
            speaker_col, text_col = 0, width - 1  # speakers repeat down the first column
        else:
            # Not a transcript table: keep its text as ordinary paragraphs so nothing is lost.
            return [Block([" ".join(c for c in r if c.strip())]) for r in rows]
    blocks: list[Block] = []
    for r in body:
        if text_col >= len(r):
            continue
        speaker = r[speaker_col].strip() if speaker_col < len(r) else ""
        speaker = speaker.strip("*_[] ").rstrip(":：").strip()
        t_start = None
        if time_col is not None and time_col < len(r):
            t_start, _ = strip_leading_timestamp(r[time_col].strip())
        paragraphs = [p for p in r[text_col].split("\n") if p.strip()]
        for k, para in enumerate(paragraphs):
            blocks.append(Block([para], speaker=speaker or None, forced=True, t_start=t_start if k == 0 else None))
    return blocks


def clean_inline(text: str, *, italics: bool = True) -> str:
    """Remove Markdown emphasis markers (**bold**, __bold__, and with ``italics`` *italic*) but keep their words; an
    action in stars ("*laughs*") is written as a transcriber's note, "[laughs]". With ``italics`` (Markdown), a link
    keeps its words ("a [video](https://...)" -> "a video") and an autolink its address."""
    if italics and ("](" in text or "<http" in text):
        text = _AUTOLINK.sub(r"\1", _MD_LINK.sub(r"\1", text))
    # "**" never occurs in speech, so every one of them is markup (even an unbalanced one).
    text = text.replace("**", "")
    if "*" in text:
        text = _STARRED_ACTION.sub(lambda m: f"[{m.group(1)}]" if m.group(1).casefold() in _ACTIONS else m.group(0),
                                   text)
        if italics:
            text = _ITALIC.sub(r"\1", text)
    if "__" not in text:
        return text
    return _UNDERSCORE_BOLD.sub(lambda m: m.group(1) or m.group(2), text)


def _is_meta_line(key: str, value: str) -> bool:
    if key in META_KEYS:
        return len(value) <= 120 and not value.endswith("?")
    # "Interviewer: Clara Jensen" is a header line, "Interviewer: Thank you for coming." is speech.
    return key in META_ROLE_KEYS and len(value) <= 200 and not value.endswith(_NOT_A_VALUE)


_PERSON_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _person_of(value: str) -> str:
    """The name before a description: "Professor Mário Farelo" of "Professor Mário Farelo - Departamento de
    História"."""
    return re.split(r"\s+[-–—|]\s+|\(", value, maxsplit=1)[0].strip()


def _names_a_person(value: str) -> bool:
    """"John Smith", "Professor Mário Farelo - Departamento de História", "Dr. Hoa Tran (UNICEF)": a person's name of
    two to five capitalised words (particles such as "de" between them), a description after a dash, bar or bracket;
    not "Good morning." nor "Thank you for coming"; not a list of names ("Elena Novak, Emil Nowak")."""
    words = _person_of(value).split()
    if "," in _person_of(value) or not 2 <= len(words) <= 5 or not all(_PERSON_WORD.fullmatch(w) for w in words):
        return False
    if words[0].casefold() in SENTENCE_STARTERS or words[0].casefold() in ("good", "hello", "hi", "thank", "thanks"):
        return False
    return all(w[0].isupper() or w in ("de", "da", "do", "dos", "das", "van", "von", "der", "del", "di", "la", "le",
                                       "bin", "binti") for w in words) and words[-1][0].isupper()


def _header_metadata(blocks: list[Block], metadata: dict[str, Any], left_out: list[str] | None = None) -> list[str]:
    """Move a leading "Date: ... / Location: ..." block into metadata (it is not speech). "key = value" lines (as
    research tools write their header: "Interviewer = S01", "date = 2026-01-12") are such a block too, also with the
    label first ("S01 = Interviewer"); returns those lines, for the report. "Respondent: Mai Tran, 34, HR manager" names
    the respondent; what it says of an informant beside the name could single them out and is kept nowhere: its key
    is added to ``left_out``, for the report."""
    found: list[tuple[int, int, str, str]] = []
    equals: list[str] = []
    for b_index, block in enumerate(blocks):
        if block.heading and not found:
            continue  # a title above the header lines
        if block.forced or block.heading:
            break
        stop = False
        for l_index, line in enumerate(block.lines):
            key, sep, value = line.partition(":")
            if "=" in key:
                key, sep, value = line.partition("=")
            by = _BY_LINE.fullmatch(clean_inline(line).strip().removesuffix("\\").strip())
            if by and not found and _names_a_person(by.group(1)):
                key, sep, value = "interviewer", ":", by.group(1)
            k = meta_key(clean_inline(key).strip("*_ "))
            k = HEADER_KEY_ALIASES.get(k, k)
            # "Interviewpartner: Prof. Dr. Stefan Bente\": a Markdown line break ends the line
            value = clean_inline(value).strip("*_ ").removesuffix("\\").strip()
            if sep == "=" and k not in META_KEYS | META_ROLE_KEYS and meta_key(value) in META_ROLE_KEYS \
                    and classify(key.strip()) is not None:
                k, value = meta_key(value), key.strip()  # "S01 = Interviewer"
            if not sep or not _is_meta_line(k, value):
                stop = True
                break
            found.append((b_index, l_index, k, value))
            if sep == "=":
                equals.append(" ".join(line.split()))
        if stop:
            break
    who_is_who = len(found) >= 2 and all(k in META_ROLE_KEYS and _names_a_person(v) for _, _, k, v in found)
    if not any(k in META_KEYS for _, _, k, _ in found) and not equals and not who_is_who:
        # "Interviewer: Clara Jensen / Respondent: John Smith - District Health Officer" is who is who, not a first
        # exchange, when every line names a person (and the lines name two people or more)
        return []
    from qualcode.speakers import ASKING_KEYS

    if who_is_who:  # quoted as far as the name: what follows an informant's name is not kept
        equals = [" ".join(blocks[b].lines[i].split()) if k in ASKING_KEYS else
                  " ".join(f"{blocks[b].lines[i].partition(':')[0]}: {_person_of(v)}".split())
                  for b, i, k, v in found]
    for _, _, k, v in found:
        if k in META_ROLE_KEYS and not k.endswith("s") and _names_a_person(v) and (person := _person_of(v)) != v:
            # "Daniella Cavalheiro - Estudante de Mestrado - Universidade do Minho": the person is the interviewer,
            # the rest says who she is (kept beside it); what it says of an informant could single them out
            if k in ASKING_KEYS:
                metadata.setdefault(f"{k}_description", v[len(person):].strip(" -–—|,("))
            elif left_out is not None:
                left_out.append(k)
            v = person
        elif k in META_ROLE_KEYS and not k.endswith("s") and "," in v and k not in metadata:
            people, said = _split_person(v)
            if said and _names_a_person(people[0]):
                if k in ASKING_KEYS:
                    metadata.setdefault(f"{k}_description", said)
                elif left_out is not None:
                    left_out.append(k)
                v = "; ".join(people)
        metadata.setdefault(k, v)
    consumed: dict[int, int] = {}
    for b_index, l_index, _, _ in found:
        consumed[b_index] = max(consumed.get(b_index, -1), l_index)
    for b_index, l_index in consumed.items():
        blocks[b_index].lines = blocks[b_index].lines[l_index + 1 :]
    return equals


_WHO_LINE = re.compile(r"\s*([^:：\n]{1,40}?)\s*[:：]\s*(.+?)\s*")
# where a name in a "who is who" line ends and what it says of the person starts: "Mai Tran, 34, HR manager"
_PERSON_END = re.compile(r"\s*[,;]\s*|\s+[-–—|]\s+|\s*\(")


def _who_is_who(blocks: list[Block], metadata: dict[str, Any]) -> tuple[list[str], int]:
    """A first paragraph whose every line names the person behind a label ("Interviewer: Clara Jensen",
    "Respondent: Mai Tran, 34, HR manager, Factory A", a focus group's "Participant 1: Mai Tran" / "P2: Hoa Le, 29,
    quality control"), each label a role or one that speaks below: who is who, not a first exchange. The names
    become the transcript's metadata (a role's under its key, the others under ``participants``), so they are
    withheld as the header's names are; what a line says of an informant beside the name (age, job, employer) could
    single them out and is kept nowhere. Returns the lines as read (the names only) and how many descriptions were
    left out; ([], 0) and nothing changed when the first paragraph is not such a list."""
    speech = [b for b in blocks if b.lines]
    start = 0
    while start < len(speech) and speech[start].heading:
        start += 1
    if start + 1 >= len(speech) or speech[start].forced or len(speech[start].lines) < 2:
        return [], 0
    below = {label_key(clean_inline(m.group(1)).strip("*_ ")) for b in speech[start + 1:] if not b.forced
             for line in b.lines if (m := _WHO_LINE.fullmatch(line))}
    read: list[tuple[str, str, str, str]] = []  # (label, metadata key, person, what is said of them)
    for line in speech[start].lines:
        m = _WHO_LINE.fullmatch(clean_inline(line))
        if m is None:
            return [], 0
        label, value = m.group(1).strip("*_ "), m.group(2).strip("*_ ").removesuffix("\\").strip()
        people, said = _split_person(value)
        person = "; ".join(people)
        key = HEADER_KEY_ALIASES.get(meta_key(label), meta_key(label))
        if not _names_a_person(people[0]) or value.endswith(_NOT_A_VALUE) \
                or key not in META_ROLE_KEYS and label_key(label) not in below:
            return [], 0
        read.append((label, key, person, said))
    if len({label_key(lab) for lab, _, _, _ in read}) < len(read) or not any(label_key(lab) in below
                                                                             for lab, _, _, _ in read):
        return [], 0
    from qualcode.speakers import ASKING_KEYS, split_names

    left_out = 0
    others: list[str] = []
    for _, key, person, said in read:
        if key in META_ROLE_KEYS and key not in metadata:
            metadata[key] = person
        else:
            others.append(person)
        if said and key in ASKING_KEYS:
            metadata.setdefault(f"{key}_description", said)
        elif said:
            left_out += 1
    if others:
        metadata["participants"] = "; ".join([*split_names(metadata.get("participants")), *others])
    speech[start].lines = []
    return [f"{label}: {person}" for label, _, person, _ in read], left_out


def _split_person(value: str) -> tuple[list[str], str]:
    """"Mai Tran, 34, HR manager" -> (["Mai Tran"], "34, HR manager"); a list of names is people, not one person
    and a description: "Mai Tran, Hoa Le" -> (["Mai Tran", "Hoa Le"], "")."""
    pieces = [p.strip() for p in re.split(r"[,;]", value)]
    if len(pieces) >= 2 and all(_names_a_person(p) for p in pieces):
        return pieces, ""
    m = _PERSON_END.search(value)
    if m is None:
        return [value], ""
    return [value[:m.start()].strip()], value[m.end():].strip(" )-–—|,;")


# keys of the cover page an oral history or research interview starts with ("Interviewed by: / Al Kossow",
# "Narrator: ...", "Recorded: September 11, 2008"): one of the first three says the lines above the first speaker
# label are such a page, not speech; their values are kept under the name after the arrow
_COVER_MARKS = {"interviewed_by": "interviewer", "interviewee": "interviewee", "narrator": "interviewee"}
_COVER_KEYS = {**{k: k for k in META_KEYS | META_ROLE_KEYS}, **_COVER_MARKS}



def _cover_value(key: str, value: str) -> bool:
    """Whether ``value`` reads as a cover page's entry under ``key`` ("Interviewed by: Al Kossow", "Recorded: March
    3, 2009"), not as someone's words ("Interviewer: Can you tell me about your role?")."""
    if key in META_KEYS:
        return _is_meta_line(key, value)
    return len(value) <= 200 and not value.endswith(_NOT_A_VALUE)


def _cover_page(blocks: list[Block], metadata: dict[str, Any]) -> int:
    """Take the cover page above the first speaker label into metadata ("Interviewed by:" names the interviewer, a
    line of its own at the top is the title, the rest is kept as the preamble), when it has an interview's cover
    keys; how many lines were taken."""
    accepted = accepted_keys([lab for b in blocks for lab in b.labels if lab is not None])
    lead: list[tuple[Block, int]] = []
    for block in blocks:
        if block.forced or block.heading and lead:
            break
        if block.heading:
            continue  # a title above the cover
        at = next((i for i, lab in enumerate(block.labels) if lab is not None and lab.key in accepted
                   and meta_key(lab.speaker) not in _COVER_KEYS), None)
        lead.extend((block, i) for i in range(len(block.lines) if at is None else at))
        if at is not None or len(lead) > 40:
            break
    else:
        return 0  # no speaker label below: nothing tells a cover from the text
    if len(lead) > 40:
        return 0
    lines = [" ".join(block.lines[i].split()) for block, i in lead]
    found: dict[str, str] = {}
    free: list[str] = []
    marked = False
    k = 0
    while k < len(lines):
        key, sep, value = lines[k].partition(":")
        key = meta_key(clean_inline(key).strip("*_ "))
        value = clean_inline(value).strip("*_ ").strip()
        if sep and key in _COVER_KEYS:
            if not value and k + 1 < len(lines) and ":" not in lines[k + 1] and len(lines[k + 1]) <= 80:
                if not _cover_value(key, lines[k + 1]):
                    break  # "Interviewer:" above what they say: a turn, the cover (if any) ends above it
                k += 1
                value = lines[k]  # "Interviewed by:" above "Al Kossow"
            if value and not _cover_value(key, value):
                break  # "Interviewer: Thank you for meeting us today.": speech, not a cover line
            if value:
                found.setdefault(_COVER_KEYS[key], value)
            marked = marked or key in _COVER_MARKS
        elif len(lines[k]) > 120 or lines[k].endswith(_SPEECH_ENDS):
            break  # a sentence or a question: speech, where any cover page has ended
        else:
            free.append(lines[k])
        k += 1
    if not marked:
        return 0
    lead = lead[:k]
    for key, value in found.items():
        metadata.setdefault(key, value)
    if free and lines[0] == free[0] and len(free[0]) <= 120:
        metadata.setdefault("title", free.pop(0))
    if free:
        metadata.setdefault("preamble", "\n".join(free))
    taken: dict[int, set[int]] = {}
    for block, i in lead:
        taken.setdefault(id(block), set()).add(i)
    for block in blocks:
        if id(block) in taken:
            block.lines = [line for i, line in enumerate(block.lines) if i not in taken[id(block)]]
            block.labels = [lab for i, lab in enumerate(block.labels) if i not in taken[id(block)]]
    return len(lead)


def _service_headers(blocks: list[Block]) -> int:
    """Take "Clara Jensen  0:03" lines as labels when they recur (Teams and Otter exports saved as .docx).
    Returns how many were found."""
    found: list[tuple[Block, int, str, float]] = []
    for block in blocks:
        if block.forced or block.heading:
            continue
        for i, line in enumerate(block.lines):
            current = block.labels[i]
            if current is None or current.rest.strip() and _only_time(current.rest):
                head = service_header(line)
                # the name must look like a label: "We met at 10:30" alone on a line is speech
                if head is not None and classify(head[0]) is not None:
                    found.append((block, i, head[0], head[1]))
    if len(found) < 2:
        return 0
    for block, i, speaker, seconds in found:
        block.labels[i] = Label(speaker=speaker, rest="", t_start=seconds, strength=STRONG)
    return len(found)


def _italic_labels(blocks: list[Block]) -> None:
    """"*Name*:" and "*Name:*" are speaker labels where the file writes its labels so: two names or more in italics,
    each starting turns more than once, and no fewer italic labels than labels written otherwise. Elsewhere ("*First*:
    the budget" inside an answer, "*English:*" under each bold-labelled turn, "*Nota:*", italic topic leads in
    notes) the words stay the text they are in."""
    italic = [lab for block in blocks for lab in block.labels if lab is not None and lab.italic]
    if not italic:
        return
    others = sum(1 for block in blocks for lab in block.labels if lab is not None and not lab.italic and lab.rest)
    counts = Counter(lab.key for lab in italic)
    layout = (sum(1 for n in counts.values() if n >= 2) >= 2 and len(italic) >= others
              and not any(w.strip(".").casefold() in NOT_SPEAKERS for key in counts for w in key.split()))
    for block in blocks:
        for i, lab in enumerate(block.labels):
            if lab is not None and lab.italic:
                if layout:
                    lab.strength = STRONG
                else:
                    block.labels[i] = None


def _emphasised_names_alone(blocks: list[Block]) -> None:
    """"*Adam*" alone on its line above each turn: a speaker header where that is the file's layout, i.e. where the
    name recurs so, or, once two names do, for a name so written once; elsewhere ("*Audio cuts out*") it is text."""
    alone = [(block, i, lab) for block in blocks for i, (line, lab) in enumerate(zip(block.lines, block.labels,
                                                                                       strict=True))
             if lab is not None and not lab.rest and line[:1] in "*_" and line[1:2] not in "*_"]
    if not alone:
        return
    counts = Counter(lab.key for _, _, lab in alone)
    recurring = {key for key, n in counts.items() if n >= 2}
    elsewhere = {lab.key for block in blocks for lab in block.labels if lab is not None and lab.rest}
    for block, i, label in alone:
        if any(w.strip(".").casefold() in NOT_SPEAKERS or w.casefold() in _ACTIONS for w in label.speaker.split()):
            block.labels[i] = None  # "*Music playing*", "*Phone rings, laughter*": a transcriber's note
            continue
        if label.key in recurring or label.key in elsewhere:
            continue
        if len(recurring) >= 2 and label.strength >= CAPITALISED:
            continue
        block.labels[i] = None


_ABOUT_TRANSCRIPT = re.compile(r"\b(?:transcripts?|transcribed|transcription)\b|\]\(https?://|<https?://", re.I)


# what a line about an interview (not in it) says: "Interview with S1 and S2 - Anonymized German transcript",
# "Entrevista realizada por ..., em 03/04/2024 com ...", "Entretien avec ...", "Transkript des Interviews mit ..."
_ABOUT_INTERVIEW = re.compile(r"\b(?:interview(?:s|ed)?\s+(?:with|by|conducted|of|on)"
                              r"|(?:entrevista|entretien|interview)\s+(?:com|con|avec|mit|realizada|réalisé|conduct)|transkript"
                              r"|transcri(?:pt|ção|pción|ption))\b|^\s*(?:访谈|采访|訪談|インタビュー)", re.I)


def _preface(blocks: list[Block], accepted: set[str]) -> list[Block]:
    """The paragraphs a published transcript starts with above its first heading ("This is a transcript of ... Here
    is a [video](...)"), in a file with speaker labels below: when they speak of the transcript or link to its
    sources, they are its editor's, not speech. Also, with no heading before it, above the first label: a title and
    a note about the interview ("Interview with S1 and S2 - Anonymized German transcript", "Entrevista realizada por
    ... com ..."), up to four paragraphs. [] otherwise."""
    lead: list[Block] = []
    labelled_first = False
    for block in blocks:
        if block.heading:
            break
        if block.forced or any(lab is not None and lab.key in accepted for lab in block.labels):
            labelled_first = not block.forced
            break
        lead.append(block)
    else:
        return []
    if not lead or len(lead) > (4 if labelled_first else 8) or not any(
            lab is not None and lab.key in accepted for b in blocks for lab in b.labels):
        return []
    about = _ABOUT_INTERVIEW if labelled_first else _ABOUT_TRANSCRIPT
    return lead if any(about.search(line) for b in lead for line in b.lines) else []


def _trailing_times(blocks: list[Block], accepted: set[str]) -> int:
    """"Speaker 1: It is an initiative. (01:28)": where most turns end in a time (as LATACA writes them), it is the
    turn's time, not its words. Takes it out of the text, gives it to the turn's label, and returns how many were
    read (0 where a time at the end of a line is someone's words: "The clinic opens (8:30)")."""
    found: list[tuple[Block, int, Label | None, re.Match[str]]] = []
    labelled = 0
    for block in blocks:
        if block.heading or block.forced:
            continue
        for i, (line, lab) in enumerate(zip(block.lines, block.labels, strict=True)):
            own = lab is not None and lab.key in accepted
            labelled += own
            if not labelled:
                continue  # above the first labelled turn (or a file without labels): a time there is words
            text = lab.rest if own and lab is not None else line
            if text[-1:] in ")]" and (m := _TRAILING_TIME.search(text)) and parse_timestamp(m.group(1)) is not None:
                found.append((block, i, lab if own else None, m))
    if labelled < 2 or len(found) < 2 or len(found) * 2 < labelled:
        return 0
    where = {(id(block), i): (lab, m) for block, i, lab, m in found}
    turn: Label | None = None
    for block in blocks:
        if block.heading or block.forced:
            continue
        for i, lab in enumerate(block.labels):
            if lab is not None and lab.key in accepted:
                turn = lab
            hit = where.get((id(block), i))
            if hit is None:
                continue
            label, m = hit
            seconds = parse_timestamp(m.group(1))
            if label is not None:
                label.rest = label.rest[:m.start()]
            else:
                block.lines[i] = block.lines[i][:m.start()]
            if turn is not None and turn.t_start is None:
                turn.t_start = seconds  # the time of the turn whose last line it ends
    return len(found)


def _only_time(text: str) -> bool:
    seconds, rest = strip_leading_timestamp(text.strip())
    return seconds is not None and not rest.strip()


def _heading_labels(blocks: list[Block]) -> dict[int, Label]:
    """Headings that name speakers ("### Clara Jensen" above each turn), by block index; {} when the headings are
    titles, sections or questions."""
    heads = [(k, b) for k, b in enumerate(blocks) if b.heading]
    labels = [(k, _heading_label(b.lines[0])) for k, b in heads]
    if labels and labels[0][0] == 0 and labels[0][1] is None:
        labels = labels[1:]  # the document's title
    if len(labels) < 2 or any(lab is None for _, lab in labels):
        return {}
    found = {k: lab for k, lab in labels if lab is not None}
    keys = {lab.key for lab in found.values()}
    if len(keys) * 2 > len(found) and not all(lab.strength == STRONG for lab in found.values()):
        return {}  # names that do not recur are section titles ("Background", "Next steps"), not speakers
    # a speaker heading has the speech below it
    if any(k + 1 >= len(blocks) or blocks[k + 1].heading for k in found):
        return {}
    return found


def _heading_label(text: str) -> Label | None:
    head = service_header(text)
    if head is not None and classify(head[0]) is not None:
        return Label(speaker=head[0], rest="", t_start=head[1], strength=STRONG)
    text = text.strip().rstrip(":：").strip()
    return make_label(text) if text else None


_NOTES_WORDS = re.compile(
    r"(?<![^\W_])(?:notes?|minutes|ghi chép|ghi chep|biên bản|bien ban|notas?|compte[- ]rendu|notizen|catatan)"
    r"(?![^\W_])",
    re.I,
)
_VERBATIM = frozenset({"verbatim", "transcript", "transcription", "full transcript"})
_NOTES = frozenset({"notes", "note", "interview notes", "summary", "paraphrase", "minutes"})


def declared_record(metadata: dict[str, Any], name: str) -> str | None:
    """"notes" or "verbatim" when the file says what it is: a 'record:' (or 'kind:') line, or a title or file name
    with "notes" ("KII-07 interview notes.docx", "Ghi chép phỏng vấn"); None when it does not say."""
    for key in ("record", "kind", "transcript_kind", "transcript_type"):
        value = str(metadata.get(key) or "").strip().casefold()
        if value in _NOTES:
            return "notes"
        if value in _VERBATIM:
            return "verbatim"
    for text in (str(metadata.get("title") or ""), PurePath(name).stem.replace("_", " ")):
        if _NOTES_WORDS.search(text):
            return "notes"
    return None


@dataclass
class Reading:
    """What :func:`blocks_to_drafts` recognised, for the reader's description and the import report."""

    record: str = "verbatim"
    labelled: bool = False
    timed: bool = False
    heading_speakers: bool = False
    service_headers: int = 0
    headings: int = 0
    bullets: int = 0
    notices: list[str] = field(default_factory=list)
    chat: bool = False  # a chat's layout: "<Name> text" before each message
    unlabelled_speech: bool = False  # no labels, but it reads as a conversation (a transcription tool's text)
    chat_events: int = 0
    chat_unsent: int = 0  # lines starting "<...>" in a chat whose tag is no sender

    def describe(self) -> str:
        parts = []
        if self.record == "notes":
            parts.append("interview notes (paraphrase)")
        elif self.unlabelled_speech:
            parts.append("speech without speaker labels, a turn at each paragraph and after each question")
        if self.chat:
            parts.append("a chat ('<Name> text' before each message)")
        elif self.heading_speakers:
            parts.append("headings as speaker labels")
        elif self.service_headers:
            parts.append("'Name  0:03' speaker headers")
        elif self.labelled:
            parts.append("speaker labels")
        elif self.record != "notes" and not self.unlabelled_speech:
            parts.append("no speaker labels")
        if self.headings and not self.heading_speakers:
            parts.append(f"{self.headings} heading(s) kept as questions")
        if self.bullets:
            parts.append(f"{self.bullets} bullet point(s)")
        return ", ".join(parts)


# the first and second person, and fillers, in the languages evaluation interviews are held in (English, French,
# Spanish, Portuguese, German)
_FIRST_PERSON = frozenset(
    """i i'm i've i'd i'll me my myself we we're we've our us je j' moi nous mon notre nos yo nosotros nosotras mi
    mis conmigo nuestro nuestra eu nós meu minha meus minhas mim comigo nosso nossa connosco conosco ich mich mir
    mein meine meinen meinem meiner wir uns unser unsere""".split())
_SECOND_PERSON = frozenset("""you you're you've your yours vous tu toi ton ta tes votre vos usted ustedes tus ti
    contigo vos você vocês teu tua teus tuas du dich dir dein deine ihr euch""".split())
_FILLERS = frozenset("um umm uh uhm erm hmm mm yeah yep okay ok euh bah ben eh pues bueno pronto tipo né hum ahn äh ähm"
                     .split())
_SPOKEN_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_THIRD_PERSON = frozenset("she he her his him hers herself himself elle il lui ella él ela ele dele dela er ihm ihn"
                          .split())
# "she said", "the headteacher explained", "they think": someone's words reported, as notes write them
_REPORTED = re.compile(r"\b(?:she|he|they|the\s+[^\W\d_]+)\s+(?:said|says|explained|explains|thinks|thought|told|"
                       r"tells|mentioned|mentions|noted|notes|stressed|added|described|reported|felt|feels|believes|"
                       r"believed|confirmed|agreed|suggested|complained)\b", re.I)
# "KII with head teacher, ...", "Interview notes, 3 May": a title line above notes
_NOTES_TITLE = re.compile(r"(?:kii|idi|fgd|interview|interviews|notes?|meeting|visit|discussion)\b[^.?!]*", re.I)


def _sounds_spoken(blocks: list[Block]) -> bool:
    """Whether unlabelled text reads as a recorded conversation rather than notes: no headings or bullets, no title
    line that names an interview or notes ("KII with ..."), at least 60 words, three first-person words or more
    making, with the second person, three in a hundred words, more first-person words than "she", "he", "her",
    "his", fewer than two reported sayings ("she said", "the director explained"), and someone asks (a
    question to "you") or the talk hesitates ("um", "yeah") as speech does."""
    if any(b.heading or b.bullet for b in blocks):
        return False
    spoken = [b for b in blocks if not b.forced]
    if spoken and len(spoken[0].lines) == 1 and _NOTES_TITLE.fullmatch(spoken[0].lines[0].strip()):
        return False
    lines = [line for b in spoken for line in b.lines]
    words = [w.casefold().replace("’", "'") for line in lines for w in _SPOKEN_WORDS.findall(line)]
    if len(words) < 60:
        return False
    first = sum(w in _FIRST_PERSON for w in words)
    second = sum(w in _SECOND_PERSON for w in words)
    third = sum(w in _THIRD_PERSON for w in words)
    reported = sum(len(_REPORTED.findall(line)) for line in lines)
    fillers = sum(w in _FILLERS for w in words)
    asked = sum(line.count("?") for b in blocks for line in b.lines)
    return (first >= 3 and (first + second) * 100 >= 3 * len(words) and first > third and reported < 2
            and (second >= 1 and asked >= 1 or fillers >= 3))


def _take_preamble(blocks: list[Block], metadata: dict[str, Any]) -> int:
    """Move what a tool wrote above the speech (Teams: title, date, duration; Otter: date, keywords, speakers) from
    the leading blocks into metadata. A title at the very top stays for the caller. Returns how many lines were
    taken."""
    first = 1 if blocks and blocks[0].heading else 0
    lead: list[tuple[Block, int]] = []
    for block in blocks[first:]:
        if block.forced:
            break
        lead.extend((block, i) for i in range(len(block.lines)))
        if len(lead) > 40:
            break
    lines = [b.lines[i] for b, i in lead]
    left = read_preamble(lines, metadata, strict=True)
    taken = len(lines) - len(left)
    drop: dict[int, set[int]] = {}
    for block, i in lead[:taken]:
        drop.setdefault(id(block), set()).add(i)
    for block in blocks:
        if id(block) in drop:
            block.lines = [line for i, line in enumerate(block.lines) if i not in drop[id(block)]]
            if block.heading and not block.lines:
                block.heading = 0
    return taken


def _drop_transcription_lines(blocks: list[Block], metadata: dict[str, Any]) -> int:
    """Take the transcription tool's start and stop lines into metadata and leave out its credits; how many credits."""
    # the text again as lines, a blank line between blocks: a credit counts only where it stands alone
    lines: list[str] = []
    where: list[tuple[Block, int] | None] = []
    for block in blocks:
        lines.append("")
        where.append(None)
        for i, line in enumerate(block.lines):
            lines.append("" if block.forced or block.heading else line)
            where.append((block, i))
    credits: dict[int, set[int]] = {}
    for k, spot in enumerate(where):
        if spot is not None and lines[k] and tool_credit_alone(lines, k):
            credits.setdefault(id(spot[0]), set()).add(spot[1])
    for block in blocks:
        if block.forced:
            continue
        kept = []
        for i, line in enumerate(block.lines):
            event = transcription_event(line) if len(line) < 200 else None
            if event is not None:
                record_event(metadata, event)
            elif i not in credits.get(id(block), ()):
                kept.append(line)
        block.lines = kept
    return sum(len(found) for found in credits.values())


def blocks_to_drafts(
    blocks: list[Block], metadata: dict[str, Any], *, name: str = "", notes: bool = True, markdown: bool = True
) -> tuple[Drafts, Reading]:
    """Recognise labels over all blocks and build the speaker turns.

    Headings that recur as names label the speech below them; any other heading is kept as a turn of its own
    (:data:`HEADING_SPEAKER`), the question or section the speech below it answers, except a title at the top,
    which goes to metadata. With ``notes``, a text without speaker labels or timestamps is read as interview notes:
    its lines are the informant's (:data:`NOTES_SPEAKER`) and the transcript is marked as notes. Italics lose their
    stars only in ``markdown``.
    """

    mark_times = MarkTimes()

    def speech(text: str) -> str:
        return mark_times.drop(clean_inline(text, italics=markdown))

    reading = Reading()
    MarkTimes.unwrap([b.lines for b in blocks])
    taken = _take_preamble(blocks, metadata)
    credits = _drop_transcription_lines(blocks, metadata)
    details_left_out: list[str] = []
    keyed = _header_metadata(blocks, metadata, details_left_out)
    if details_left_out:
        reading.notices.append(f"what the header says beside the name of the {quoted_list(details_left_out, None)}"
                               " (age, job, employer) could single them out and was left out of the project: give"
                               " it in the case sheet")
    if keyed:
        reading.notices.append(f"the header line(s) {quoted_list(keyed, None)} above the speech were read as metadata,"
                               " not as speech")
    else:
        keyed, left_out = _who_is_who(blocks, metadata)
        if keyed:
            reading.notices.append(f"the lines {quoted_list(keyed, None)} above the speech say who is who: read as"
                                   " the speakers' names (withheld as a header's names are), not as speech"
                                   + (f"; what {left_out} of them say of the person beside the name (age, job,"
                                      " employer) could single them out and was left out of the project: give it"
                                      " in the case sheet" if left_out else ""))
    blocks = [b for b in blocks if b.lines]
    for block in blocks:
        block.labels = [None if block.forced or block.heading else find_label(line) for line in block.lines]
        if block.bullet and block.labels[0] is not None and block.lines[0][:1] in "*_":
            block.labels[0] = None  # "- **Key point:** ...": a bullet's lead in emphasis is a note's, no speaker
    clocked = [lab.clock.strip() for b in blocks for lab in b.labels if lab is not None and lab.clock]
    if not chat_clocks(lab for b in blocks for lab in b.labels if lab is not None):
        # a date before a label is a chat export's; elsewhere ("12/03/2024 09:00 Observation: ...") it is text
        for block in blocks:
            block.labels = [None if lab is not None and lab.clock else lab for lab in block.labels]
    elif clocked:
        reading.notices.append(f"{len(clocked)} date(s) and time(s) a chat export writes before each message were"
                               f" left out of the text (the first: '{clocked[0]}')")
    _italic_labels(blocks)
    _emphasised_names_alone(blocks)
    cover = _cover_page(blocks, metadata)
    if cover:
        blocks = [b for b in blocks if b.lines]
        said = "; ".join(f"{key}: {metadata[key]}" for key in ("interviewer", "interviewee", "recorded")
                         if key in metadata)
        reading.notices.append(f"{cover} line(s) above the first speaker label, an interview's cover page"
                               f"{f' ({said})' if said else ''}, were kept as metadata, not as speech")
    reading.service_headers = _service_headers(blocks)
    heading_labels = _heading_labels(blocks)
    for k, heading_label in heading_labels.items():
        blocks[k].heading = 0
        blocks[k].labels = [heading_label]
    reading.heading_speakers = bool(heading_labels)
    if blocks and blocks[0].heading and 0 not in heading_labels:
        metadata.setdefault("title", " ".join(blocks[0].lines))
        blocks = blocks[1:]
    candidates = [lab for block in blocks for lab in block.labels if lab is not None]
    unify_repeated_numbers(candidates)
    accepted = accepted_keys(candidates) | {lab.key for lab in heading_labels.values()}
    if reading.service_headers:
        accepted |= {lab.key for lab in candidates if lab.strength == STRONG and not lab.rest and lab.t_start
                     is not None}
    if accepted:
        # "CJ: And now?" once, in a transcript that names Clara Jensen: her initials, a label like her name
        given = _names_given(list(dict.fromkeys(lab.speaker for lab in candidates if lab.key in accepted)), metadata)
        accepted |= {lab.key for lab in candidates if lab.key not in accepted and lab.rest
                     and len(initials_fit(lab.speaker, given)) == 1}
    chat = chat_layout(candidates, sum(len(b.lines) for b in blocks if not b.heading and not b.forced))
    accepted |= chat
    reading.chat = bool(chat)
    # the key of the labels on one line first: a preface above the speech ends where it stands
    key_line = _key_on_one_line(blocks, accepted, candidates)
    blocks = [b for b in blocks if b.lines]
    preface = _preface(blocks, accepted)
    if preface:
        metadata.setdefault("preamble", "\n".join(line for b in preface for line in b.lines))
        blocks = [b for b in blocks if all(b is not p for p in preface)]
        reading.notices.append(f"{len(preface)} paragraph(s) above the first heading or label, a title or preface"
                               " about the interview or its transcript, were kept as metadata, not as speech")
    trailing = _trailing_times(blocks, accepted)
    if trailing:
        reading.notices.append(f"{trailing} time(s) written at the end of the turns ('Speaker 1: text (00:28)') were"
                               " read as the turns' times and left out of the text")
    forced = any(b.forced and b.speaker for b in blocks)
    reading.labelled = forced or any(lab.key in accepted for lab in candidates)
    reading.timed = any(lab.t_start is not None for lab in candidates) or any(
        b.t_start is not None for b in blocks) or any(
        strip_leading_timestamp(line)[0] is not None for b in blocks for line in b.lines if not b.heading)
    # counted in what would be speech: a file whose labels carry "[00:01:02]" says nothing of the times inside speech
    inline_times = _InlineTimes([
        lab.rest if lab is not None and lab.key in accepted else strip_leading_timestamp(line)[1]
        for b in blocks if not b.heading and not b.forced for line, lab in zip(b.lines, b.labels, strict=True)])
    declared = declared_record(metadata, name)
    # a transcription tool's text without speaker labels (Whisper, Good Tape): the questions and answers of a
    # conversation, in the first and second person, are speech, not an interviewer's notes
    reading.unlabelled_speech = not reading.labelled and not reading.timed and _sounds_spoken(blocks)
    # times a tool marked inside the speech (inline_times) make a recording's transcript, not notes
    reading.record = declared or ("notes" if notes and not reading.labelled and not reading.timed
                                  and not inline_times.active and not reading.unlabelled_speech else "verbatim")
    default_speaker = NOTES_SPEAKER if reading.record == "notes" and not reading.labelled else None
    if taken:
        reading.notices.append(f"{taken} header line(s) written by the recording tool were taken as metadata")
    if credits:
        reading.notices.append(f"{credits} {CREDIT_NOTICE}")
    display: dict[str, str] = {}
    speaker_notes: dict[str, str] = {}
    legend = _legend(blocks, accepted)
    if legend:
        for entry in legend:
            speaker_notes.setdefault(display.setdefault(entry.key, entry.speaker), entry.rest.strip())
        keys = ", ".join(f"'{lab.speaker}: {lab.rest.strip()}'" for lab in legend)
        reading.notices.append(f"the key above the speech ({keys}) was read as what the labels stand for, not as"
                               " speech")
        blocks = [b for b in blocks if not b.legend]
    if key_line:
        written, pairs = key_line
        for short, meaning in pairs:
            for lab in candidates:
                if lab.key in accepted and (lab.key == label_key(short) or _STEM_NUMBER.sub("", lab.key)
                                            == label_key(short)):
                    speaker_notes.setdefault(display.setdefault(lab.key, lab.speaker), meaning)
        reading.notices.append(f"the key of the labels on one line above the speech ('{written}') was read as what"
                               " the labels stand for, not as speech")
    drafts = Drafts()
    other = _unlabelled_voice(blocks, accepted, display)
    spoken = False  # the current turn has words
    asked = False  # the line before ends in a question
    speaker: str | None = default_speaker
    pending_time: float | None = None
    turn_time: float | None = None
    bare_times = 0
    turns_inside: dict[str, int] = {}  # a label after a sentence's end inside a line -> how many turns it started
    merged: dict[str, str] = {}  # a label typed another way ("Interviewer 1") -> the speaker it was read as
    # "Dr. Nguyen, District Officer" -> ("Dr. Nguyen", "District Officer"); "Jensen, Clara" stays one name
    described: dict[str, tuple[str, str]] = {}
    last_first: dict[str, None] = {}
    f4 = F4Times(markdown) if any(F4_TIME.search(line) for b in blocks if not b.heading for line in b.lines) else None
    if f4 is not None:
        reading.timed = True
    for block in blocks:
        if block.heading and len(block.lines) == 1 and \
                label_key(name := clean_inline(block.lines[0]).strip().rstrip(":：").strip()) in accepted:
            # "**Emma**" alone above a paragraph, in a file whose speakers are labelled so: a speaker, not a heading
            speaker = display.setdefault(label_key(name), name)
            pending_time = turn_time = None
            continue
        if block.heading:
            reading.headings += 1
            drafts.add(HEADING_SPEAKER, clean_inline(" ".join(block.lines)), new_turn=True)
            continue
        if block.bullet:
            reading.bullets += 1
        if block.forced:
            speaker = block.speaker
            if speaker:
                m = re.fullmatch(r"(.+?)\s*\(([^()]{1,60})\)", speaker)
                if m:
                    speaker = m.group(1)
                    speaker_notes.setdefault(speaker, m.group(2).strip())
            drafts.add(speaker, speech(" ".join(block.lines)), t_start=block.t_start)
            continue
        new_paragraph = True
        for line_no, (line, found) in enumerate(zip(block.lines, block.labels, strict=True)):
            label = found
            if label is not None and label.key in accepted:
                speaker = display.setdefault(label.key, label.speaker)
                if label.note and label.written:
                    described.setdefault(label.written, (speaker, label.note))
                elif (label.written or label.speaker).casefold() != speaker.casefold():
                    merged.setdefault(label.written or label.speaker, speaker)
                if "," in speaker:
                    last_first.setdefault(speaker)
                if label.note:
                    speaker_notes.setdefault(speaker, label.note)
                if f4 is not None:
                    f4.add(drafts, speaker, label.rest, new_paragraph=True, t_start=label.t_start)
                else:
                    own = speaker
                    for k, (voice, words) in enumerate(_turns_inside(label.rest, own, accepted, display)
                                                       if not reading.chat else [(own, label.rest)]):
                        if voice != speaker:
                            speaker = voice
                            if voice != own:
                                turns_inside[voice] = turns_inside.get(voice, 0) + 1
                        drafts.add(speaker, inline_times.drop(speech(words)), t_start=label.t_start if not k else None)
                new_paragraph = not label.rest
                asked = label.rest.rstrip().endswith(("?", "？"))
                spoken = bool(label.rest.strip())
                # "Interviewer (00:03):" alone on its line: its time belongs to the speech below
                pending_time = None if label.rest else label.t_start
                turn_time = label.t_start
                continue
            t_start, body = strip_leading_timestamp(line)
            if reading.chat:
                stripped = strip_clock(body)
                own_time = stripped != body or t_start is not None
                body = stripped
                event = _CHAT_EVENT.fullmatch(body)
                if event is not None:
                    mark, first, rest = event.groups()
                    sender = display.get(label_key(first))
                    if mark == "-!-" or _CHAT_NOTICE.search(rest):
                        reading.chat_events += 1  # "→ rex4539 joined", "* nick has quit (Ping timeout)"
                        continue
                    if sender is not None and (mark.startswith("*") or own_time):
                        # "* Elena nods" (IRC's /me), "[11:24:06] — suraeNoether waggles eyebrows" (a line of its own
                        # in a timed log): what the sender did, a note in her turn
                        drafts.add(sender, f"[{rest.strip()}]", t_start=t_start)
                        speaker = sender
                        continue
                    # "— Marta would say the same": text of the message it follows, as written
                if chat_like(body):
                    # "<b> ..." or "<https://...>" where a sender would stand: nobody's message, so not glued into
                    # the turn before as that sender's words
                    drafts.add(None, inline_times.drop(speech(body)), new_turn=True, t_start=t_start)
                    speaker = None
                    reading.chat_unsent += 1
                    continue
            if f4 is not None:
                if f4.add(drafts, speaker, body, new_paragraph=new_paragraph, t_start=t_start):
                    new_paragraph = False
                continue
            if not body.strip():
                bare_times += 1
                continue  # a bare timestamp line
            if t_start is None:
                # a later paragraph of a timed turn starts, at the latest, when the turn did
                t_start, pending_time = (pending_time if pending_time is not None else turn_time), None
            else:
                turn_time = t_start
            # unlabelled speech: each paragraph may be another voice, and so may the line after a question (Whisper
            # writes a line per stretch of speech, without blank lines), so each starts a turn of its own
            unknown = reading.unlabelled_speech and reading.record == "verbatim"
            if other is not None and speaker != other.voice and (
                    other.asks and (id(block) in other.questions and new_paragraph
                                    or (id(block), line_no) in other.question_lines)
                    or not other.asks and speaker == other.label and spoken and (new_paragraph or asked)):
                speaker = other.voice  # the voice the file leaves unlabelled, answering or asking the labelled one
                other.turns += 1
            before = speaker
            parts = _turns_inside(body, before, accepted, display) if before and not reading.chat else [("", body)]
            drafts.add(speaker, inline_times.drop(speech(parts[0][1])), new_paragraph=new_paragraph, t_start=t_start,
                       new_turn=unknown and (new_paragraph or asked))
            for voice, words in parts[1:]:
                if voice != before:
                    turns_inside[voice] = turns_inside.get(voice, 0) + 1
                speaker = voice
                drafts.add(speaker, inline_times.drop(speech(words)))
            asked = body.rstrip().endswith(("?", "？"))
            spoken = True
            new_paragraph = False
    if bare_times:
        reading.notices.append(f"{bare_times} line(s) holding only a timestamp were left out of the text")
    if turns_inside:
        said = ", ".join(f"'{speaker}' ({n})" for speaker, n in turns_inside.items())
        reading.notices.append(f"{sum(turns_inside.values())} speaker label(s) inside a line, after a sentence's end,"
                               f" were read as the start of that speaker's turn: {said} (a line break was probably"
                               " lost); a question so put ends there, the words after it are the answer of the"
                               " speaker it interrupted: check them in the file")
    if other is not None and other.turns:
        said = ("the questions without a label before the answers labelled" if other.asks else
                "the words without a label after the turns labelled")
        reading.notices.append(f"{said} '{other.label}' were read as another voice, '{other.voice}' ({other.turns}"
                               " turn(s)): the file labels one side of the conversation only")
    if reading.chat:
        senders = list(dict.fromkeys(display[lab.key] for lab in candidates if lab.key in chat and lab.key in display))
        reading.notices.append(f"read as a chat: the sender before each message ('<Name> text') is its speaker"
                               f" ({quoted_list(senders, 5)})"
                               + (f"; {reading.chat_events} line(s) of people joining, leaving or renamed (or other"
                                  " notices of the chat server) were left out" if reading.chat_events else "")
                               + (f"; {reading.chat_unsent} line(s) starting with a tag that names no sender were"
                                  " kept as turns of no speaker" if reading.chat_unsent else ""))
    if f4 is not None:
        reading.notices.append(F4Times.notice(f4.count))
    for variant, speaker in merged.items():
        reading.notices.append(f"'{variant}' was read as the speaker '{speaker}' (one label typed two ways)")
    if described:
        said = ", ".join(f"'{written}' as the speaker '{speaker}', described as '{note}'"
                         for written, (speaker, note) in described.items())
        reading.notices.append(f"labels with a description after a comma were read as a name and a description: {said}")
    if last_first:
        said = quoted_list(list(last_first), None)
        reading.notices.append(f"{said} {'was' if len(last_first) == 1 else 'were'} read as one name written last name"
                               " first, not as a name and a description")
    if inline_times.count:
        reading.notices.append(f"{inline_times.count} timestamp(s) inside the speech, as Descript marks each minute,"
                               f" were left out of the text (the first: '{inline_times.example}')")
    if mark_times.count:
        reading.notices.append(mark_times.notice())
    _initials_as_names(drafts, metadata, speaker_notes, reading)
    _f4_roles_notice(display, reading)
    if speaker_notes:
        metadata["speaker_notes"] = speaker_notes
        voices = {t.speaker for t in drafts.turns if t.speaker and t.speaker not in (HEADING_SPEAKER, NOTES_SPEAKER)}
        _interviewers_from_notes(speaker_notes, voices, metadata, reading)
    if reading.record == "notes" and not declared:
        reading.notices.append("no speaker labels and no timestamps: read as interview notes, the informant's")
    elif reading.unlabelled_speech and reading.record == "verbatim":
        reading.notices.append(
            "no speaker labels were found: read as verbatim speech (its questions and its first- and second-person"
            " answers read as a conversation), each paragraph, and each line after a question, a turn whose speaker"
            " is unknown; to name the speakers,"
            " put a label ('Interviewer:', 'Elena Novak:') at the start of each turn and import the file again; if"
            " the text is interview notes, mark it so with 'qualcode transcripts set-record TRANSCRIPT notes'")
    return drafts, reading


# a speaker's label after a sentence's end inside a line: "... forty workers. Clara Jensen: How many stayed?"
_LABEL_AFTER_SENTENCE = re.compile(r"(?<=[.?!…])[\"”’')\]]*\s+\**(?P<name>[^\W\d][^:：.?!\[\]()\n]{0,38}?)\**"
                                   r"[:：]\s+(?=\S)")


def _turns_inside(text: str, own: str, accepted: set[str], display: dict[str, str]) -> list[tuple[str, str]]:
    """Where a line's words hold another turn after a sentence's end, as a typist writes when a line break was lost
    ("Since 2012. We trained forty workers. Clara Jensen: How many stayed? Most of them stayed."): [(``own``, the
    words before), (the speaker, the words after), ...]; [(own, text)] when there is none. A question so put is
    answered by the speaker it interrupted: the words after its question mark are theirs again. Only the file's own
    labels of two characters or more, before words that start as a sentence does, count: "Option A: ...", "The
    answer is simple: ..." and "... Interviewer: said the trainer" stay words."""
    out: list[tuple[str, str]] = []
    speaker, start = own, 0
    for m in _LABEL_AFTER_SENTENCE.finditer(text):
        key = label_key(m.group("name").strip("*_ "))
        if len(key) < 2 or key not in accepted or text[m.end()].islower():
            continue  # "... we agreed. Interviewer: said the trainer": a turn starts as a sentence does
        out.append((speaker, text[start:m.start()]))
        speaker, start = display.get(key) or m.group("name").strip("*_ "), m.end()
    out.append((speaker, text[start:]))
    answered: list[tuple[str, str]] = []
    for k, (speaker, words) in enumerate(out):
        asked = _ASKED_THEN_MORE.fullmatch(words) if k and speaker != out[k - 1][0] else None
        if asked is None:
            answered.append((speaker, words))
        else:
            answered += [(speaker, asked.group(1)), (out[k - 1][0], asked.group(2))]
    return answered


# a question, then more words on the same line
_ASKED_THEN_MORE = re.compile(r"(.*?[?？][\"”’')\]]*)\s+(\S.*)", re.S)


@dataclass
class _OtherVoice:
    label: str  # the one voice the file labels
    asks: bool  # the unlabelled voice asks (its questions stand before the labelled answers); else it answers
    questions: set[int] = field(default_factory=set)  # ids of the unlabelled blocks that are its questions
    question_lines: set[tuple[int, int]] = field(default_factory=set)  # (block id, line) of its questions' lines
    turns: int = 0

    @property
    def voice(self) -> str:
        """The label the unlabelled turns are given: what they are, the questions or the answers."""
        return "Interviewer" if self.asks else "Respondent"


def _unlabelled_voice(blocks: list[Block], accepted: set[str], display: dict[str, str]) -> _OtherVoice | None:
    """The other voice of a transcript that labels one side of the conversation only: the interviewer's questions
    ("Interviewer: ...", "Q: ...") with the answers below them unlabelled, or the answers ("J: ...") with the
    questions above them unlabelled. Only where that one label starts three turns or more and the file alternates
    so: two thirds of its labelled turns followed by unlabelled words where another voice would start (a new
    paragraph, or the line after one ending in a question: "Q: Why?" / "Because ..." without a blank line between
    them), or three unlabelled paragraphs or more ending in a question right above a labelled one (questions), or,
    where the labels start lines inside paragraphs, three unlabelled lines ending in a question right above a
    labelled line. None
    elsewhere: a transcript whose turns run on over several paragraphs."""
    from qualcode.speakers import role_of_label

    speech = [b for b in blocks if not b.heading and not b.forced and b.lines]

    def own(lab: Label | None) -> Label | None:
        return lab if lab is not None and lab.key in accepted else None

    keys = {lab.key for b in speech for lab in map(own, b.labels) if lab is not None}
    if len(keys) != 1:
        return None
    [key] = keys
    label = display.get(key) or next(lab.speaker for b in speech for lab in map(own, b.labels) if lab is not None)
    if role_of_label(label) == "interviewer":
        # each line as the reading loop meets it: (its label, starts a paragraph, its words)
        lines = [(own(lab), k == 0, lab.rest if own(lab) is not None and lab is not None else line)
                 for b in speech for k, (line, lab) in enumerate(zip(b.lines, b.labels, strict=True))]
        starts = [k for k, (lab, _, _) in enumerate(lines) if lab is not None]
        if len(starts) < 3:
            return None
        answered = 0
        for k in starts:
            words = lines[k][2]
            spoken, asked = bool(words.strip()), words.rstrip().endswith(("?", "？"))
            for lab, paragraph, words in lines[k + 1:]:
                if lab is not None:
                    break
                if spoken and (paragraph or asked):
                    answered += 1
                    break
                spoken, asked = spoken or bool(words.strip()), words.rstrip().endswith(("?", "？"))
        return _OtherVoice(label, asks=False) if answered * 3 >= len(starts) * 2 else None
    if any(own(lab) is not None for b in speech for lab in b.labels[1:]):
        # the answers labelled on lines of their own, each question on the line above without a blank line
        placed = [(b, k, own(lab)) for b in speech for k, lab in enumerate(b.labels)]
        if sum(1 for _, _, lab in placed if lab is not None) < 3:
            return None
        put = {(id(b), k) for n, (b, k, lab) in enumerate(placed[:-1]) if lab is None and placed[n + 1][2] is not None
               and b.lines[k].rstrip().endswith(("?", "？"))}
        return _OtherVoice(label, asks=True, question_lines=put) if len(put) >= 3 else None
    opening = [own(b.labels[0]) if b.labels else None for b in speech]
    if sum(1 for lab in opening if lab is not None) < 3:
        return None
    questions = {id(speech[k]) for k in range(len(speech) - 1) if opening[k] is None and opening[k + 1] is not None
                 and speech[k].lines[-1].rstrip().endswith(("?", "？"))}
    return _OtherVoice(label, asks=True, questions=questions) if len(questions) >= 3 else None


def _interviewers_from_notes(speaker_notes: dict[str, str], voices: set[str], metadata: dict[str, Any],
                             reading: Reading) -> None:
    """"Clara Jensen (evaluator):", "Sandra Salinas, Entrevistadora:", a key's "I: Interviewer": the file itself says
    who interviews. Unless the file names its interviewer otherwise, they become its ``interviewer`` metadata, which
    the import reads as it reads an ``interviewer:`` line. Never every voice of the file (``voices``): then the notes
    are not read as roles, and the report says so."""
    from qualcode.speakers import is_collective_label, label_words, role_of_label

    asking = [speaker for speaker, note in speaker_notes.items()
              if label_words(note) in ASKING_ROLES]
    if not asking or metadata.get("interviewer"):
        return
    said = ", ".join(f"'{speaker}' ({speaker_notes[speaker]})" for speaker in asking)
    if not any(v not in asking and role_of_label(v) != "interviewer" and not is_collective_label(v) for v in voices):
        reading.notices.append(f"the notes beside the labels ({said}) would make every speaker the interviewer, so no"
                               " role was read from them; set the roles with 'qualcode transcripts set-role'")
        return
    metadata["interviewer"] = "; ".join(asking)
    reading.notices.append(f"the interviewer was read from the labels: {said}")


def _legend(blocks: list[Block], accepted: set[str]) -> list[Label]:
    """The key many research transcripts put above the speech ("I: Interviewer", "P1: union official", one label a
    line, often as bullets), which names what each label stands for; [] when the first labelled lines are speech.

    Marks the key's blocks (``Block.legend``). It is a key when its labels differ, each explains itself in a few
    words that neither end nor start as a sentence does, two of them speak below, one of its labels abbreviates what
    it stands for ("I: Interviewer", "P1: Participant 1"), and it says so: one of its entries names a role
    ("Interviewer", "Befragte"), or the speech below is timed and the key is not. "I: and your position in the group"
    / "R: facilitator" is an opening exchange, not a key."""
    from qualcode.speakers import role_of_label

    start = next((k for k, b in enumerate(blocks) if not b.heading and not b.forced
                  and any(lab is not None and lab.key in accepted for lab in b.labels)), None)
    if start is None:
        return []
    run: list[int] = []
    for k in range(start, len(blocks)):
        block = blocks[k]
        if block.heading or block.forced or not all(
                lab is not None and lab.key in accepted and _legend_value(lab.rest) for lab in block.labels):
            break
        run.append(k)
        if not block.bullet:
            break
    labels = [lab for k in run for lab in blocks[k].labels if lab is not None]
    if len(labels) < 2 or len({lab.key for lab in labels}) < len(labels):
        return []
    below = [lab for b in blocks[run[-1] + 1 :] for lab in b.labels if lab is not None and lab.key in accepted]
    if len({lab.key for lab in below} & {lab.key for lab in labels}) < 2:
        return []
    names_a_role = any(role_of_label(lab.rest.strip()) for lab in labels)
    timed_below = any(lab.t_start is not None for lab in below) and all(lab.t_start is None for lab in labels)
    if not (names_a_role or timed_below) or not any(_abbreviates(lab.speaker, lab.rest) for lab in labels):
        return []
    for k in run:
        blocks[k].legend = True
    return labels


# "I = Interviewer / B = Befragte", "(S = Student; I = Interviewer)", "I: Interviewer, B: Befragter": the key of a
# transcript's labels written on one line, pairs of a short label and what it stands for
_KEY_PAIR = re.compile(r"\s*([^\W_][\w.]{0,5}(?: ?\d{1,2})?)\s*(?:=|:|：|–|—)\s*([^=:：;,/|()\[\]]{1,40}?)\s*")
_KEY_SEPARATOR = re.compile(r"[;,/|]")
_STEM_NUMBER = re.compile(r"[\s_-]*\d{1,3}$")


def _key_on_one_line(blocks: list[Block], accepted: set[str],
                     candidates: list[Label]) -> tuple[str, list[tuple[str, str]]] | None:
    """The key of the labels written on one line above the speech (or as the first labelled line): two pairs or
    more of a short label and what it stands for, separated by ``/``, ``;``, ``,`` or ``|``, maybe in brackets, of
    which a label of the file (or the stem of its numbered labels: ``S`` of ``S1``, ``S2``) and one naming a role
    ("Interviewer", "Befragte") or one its label abbreviates. Takes the line out of its block and returns it with its
    pairs; None when there is no such line."""
    from qualcode.speakers import role_of_label

    stems = {_STEM_NUMBER.sub("", lab.key) for lab in candidates if lab.key in accepted} | accepted
    for block in blocks:
        if block.heading or block.forced:
            continue
        for i, line in enumerate(block.lines):
            written = line.strip()
            inner = written[1:-1] if written[:1] + written[-1:] in ("()", "[]") else written
            pieces = [p.strip() for p in _KEY_SEPARATOR.split(inner)] if len(written) <= 200 else []
            pairs = [m.groups() for m in (_KEY_PAIR.fullmatch(p) for p in pieces) if m]
            if len(pieces) >= 2 and len(pairs) == len(pieces) \
                    and len({label_key(short) for short, _ in pairs}) == len(pairs) \
                    and any(label_key(short) in stems for short, _ in pairs) \
                    and all(_legend_value(meaning) for _, meaning in pairs) \
                    and any(role_of_label(meaning) or _abbreviates(short, meaning) for short, meaning in pairs):
                del block.lines[i]
                del block.labels[i]
                return written, [(short, meaning.strip()) for short, meaning in pairs]
            label = block.labels[i] if i < len(block.labels) else None
            if label is not None and label.key in accepted:
                return None  # the speech has started
    return None


def _legend_value(rest: str) -> bool:
    rest = rest.strip()
    return bool(rest) and len(rest.split()) <= 6 and not rest.endswith(_NOT_A_VALUE) \
        and rest.split()[0].casefold() not in SENTENCE_STARTERS


def _abbreviates(label: str, value: str) -> bool:
    """"I" for "Interviewer", "P1" for "Participant 1", "FG" for "Focus Group": the label is the value shortened."""
    from qualcode.folding import fold

    letters = "".join(ch for ch in fold(label) if ch.isalpha())
    words = fold(value).split()
    initials = "".join(w[0] for w in words)
    return bool(letters and words) and (words[0].startswith(letters) or initials.startswith(letters))


class _InlineTimes:
    """Takes the times written inside speech out of it, where the file's ``lines`` hold several, and counts them for
    the report."""

    def __init__(self, lines: list[str]) -> None:
        self.count = 0
        self.example = ""
        found = sum(1 for line in lines if "[" in line for m in _INLINE_TIME.finditer(line)
                    if parse_timestamp(m.group(2)) is not None)
        self.active = found >= _INLINE_TIMES_IN_A_FILE

    def drop(self, text: str) -> str:
        if not self.active or "[" not in text:
            return text
        return _INLINE_TIME.sub(lambda m: self._drop(m, text), text)

    def _drop(self, m: re.Match[str], text: str) -> str:
        if parse_timestamp(m.group(2)) is None:
            return m.group(0)
        self.count += 1
        if not self.example:
            self.example = text[m.start(2) - 1:m.end(2) + 1]
        # "late [00:19:00]. We" -> "late. We"; a mark between two words leaves them apart
        joined = m.start() > 0 and text[m.end():m.end() + 1].isalnum()
        return " " if joined else ""


class F4Times:
    """Speech with f4/f5 timestamps: each stamp ends the text before it and starts the text after it; text with no
    stamp of its own starts where the last one was (the end of the paragraph before)."""

    def __init__(self, markdown: bool = True) -> None:
        self.last: float | None = None
        self.count = 0
        self.markdown = markdown

    @staticmethod
    def notice(count: int) -> str:
        """What the import report says of the stamps it read."""
        return (f"{count} transcription timestamp(s) written as f4/f5 and MAXQDA write them ('#00:01:02-4#') were"
                " read as the units' times and left out of their text")

    def add(self, drafts: Drafts, speaker: str | None, text: str, *, new_paragraph: bool,
            t_start: float | None) -> bool:
        """Add ``text`` without its stamps; whether any speech was added."""
        added, pos = False, 0
        start = t_start if t_start is not None else self.last
        for m in F4_TIME.finditer(text):
            stamp = _f4_seconds(m)
            if stamp is None:
                continue
            chunk = clean_inline(text[pos:m.start()], italics=self.markdown)
            if chunk.strip():
                drafts.add(speaker, chunk, new_paragraph=new_paragraph and not added, t_start=start, t_end=stamp)
                added = True
            self.count += 1
            self.last = start = stamp
            pos = m.end()
        tail = clean_inline(text[pos:], italics=self.markdown)
        if tail.strip():
            drafts.add(speaker, tail, new_paragraph=new_paragraph and not added, t_start=start)
            added = True
        return added


def _f4_seconds(m: re.Match[str]) -> float | None:
    from qualcode.importers.labels import parse_timestamp

    seconds = parse_timestamp(m.group(1))
    if seconds is None:
        return None
    frac = m.group(2)
    return round(seconds + (int(frac) / 10 ** len(frac) if frac else 0.0), 3)


def _names_given(speakers: list[str], metadata: dict[str, Any]) -> list[str]:
    """The people a transcript names: its speakers' labels and the names in its header ("Participants: ...")."""
    return list(dict.fromkeys([*speakers, *header_names(metadata)]))


def _asking_names(metadata: dict[str, Any]) -> set[str]:
    """The names a header gives the interviewing side."""
    return set(_names_given([], {k: v for k, v in metadata.items() if k in ASKING_KEYS}))


def _initials_as_names(drafts: Drafts, metadata: dict[str, Any], speaker_notes: dict[str, str],
                       reading: Reading) -> None:
    """"EN:" in a transcript that introduces Elena Novak (a header, a list of participants, or her own label earlier)
    is Elena Novak: the turns become hers, and the report says so. Only when the initials fit one name alone and
    that name is not itself a speaker's initials. Never the header's interviewer when another label already asks
    ("I:" and "NH:" under "Interviewer: Nadia Haddad": NH is someone else), and never a reading that leaves the
    transcript with nobody but the interviewing side."""
    speakers = list(dict.fromkeys(t.speaker for t in drafts.turns if t.speaker))
    short = [sp for sp in speakers if INITIALS.fullmatch(sp) and role_of_label(sp) is None]
    if not short:
        return
    names = _names_given([sp for sp in speakers if sp not in short], metadata)
    asking = _asking_names(metadata)
    labelled_asking = [sp for sp in speakers if is_interviewer_label(sp)]
    renamed: dict[str, str] = {}
    for sp in short:
        fits = initials_fit(sp, names)
        if len(fits) > 1:
            reading.notices.append(f"'{sp}' could stand for {quoted_list(fits, None)}: left as written (rename the"
                                   " speaker if you know who it is)")
        elif fits and fits[0] in asking and labelled_asking:
            reading.notices.append(
                f"'{sp}' has the initials of '{fits[0]}', whom the header names as the interviewer, but"
                f" {quoted_list(labelled_asking, None)} already asks the questions: left as written (rename the"
                " speaker if you know who it is)")
        elif fits:
            renamed[sp] = fits[0]
    after = {renamed.get(sp, sp) for sp in speakers}
    if renamed and after and all(sp in asking or is_interviewer_label(sp) for sp in after) and not all(
            sp in asking or is_interviewer_label(sp) for sp in speakers):
        said = ", ".join(f"'{initials}' as '{name}'" for initials, name in renamed.items())
        reading.notices.append(f"did not read {said}: it would leave nobody but the interviewer speaking (rename"
                               " the speaker if you know who it is)")
        return
    if not renamed:
        return
    turns: list[DraftTurn] = []
    for turn in drafts.turns:
        turn.speaker = renamed.get(turn.speaker or "", turn.speaker)
        if turns and turns[-1].speaker == turn.speaker and turn.speaker is not None:
            turns[-1].paragraphs.extend(turn.paragraphs)
        else:
            turns.append(turn)
    drafts.turns = turns
    for initials, name in renamed.items():
        if initials in speaker_notes:
            speaker_notes.setdefault(name, speaker_notes.pop(initials))
    said = ", ".join(f"'{initials}' as '{name}'" for initials, name in renamed.items())
    reading.notices.append(f"read {said} (the initials of a name the transcript gives; if wrong, rename the speaker)")


def _f4_roles_notice(display: dict[str, str], reading: Reading) -> None:
    from qualcode.speakers import f4_respondents, label_words

    respondents = f4_respondents(display.values())
    if respondents:
        asking = [lab for lab in display.values() if label_words(lab) == "i"]
        reading.notices.append(f"speaker label(s) {', '.join(respondents)} read as the respondent and "
                               f"{', '.join(asking)} as the interviewer, as f4/f5 and MAXQDA transcripts label them"
                               " (B: Befragte/r, IP: Interviewpartner/in, TN: Teilnehmer/in); change a role with"
                               " 'qualcode transcripts set-role' if not")


def _voice_lines(lines: list[str]) -> list[str]:
    """Captions saved as text keep their voice tags, several on a line when cues were joined ("00:09:06 <v Ann>But
    right now I <v Bo>could see it"): each tag starts a line of its own, so each becomes a label."""
    out: list[str] = []
    for line in lines:
        starts = [m.start() for m in VOICE_TAG.finditer(line)]
        if not starts:
            out.append(line)
            continue
        cuts = [0] + [k for k in starts if line[:k].strip() and strip_leading_timestamp(line[:k].strip())[1]]
        out.extend(line[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(line)], strict=True))
    return out


# a Zoom chat's message: "00:01:12\tFrom  Hoa Tran  to  Everyone:" with the message on the next line (tab-indented),
# or "09:01:12 From Hoa Tran : text", "... From Le Lan to Hoa Tran(Direct Message) : text" on one line
_ZOOM_MESSAGE = re.compile(r"\s*(\d{1,2}:\d{2}:\d{2})\s+From\s+(.+?)(?:\s+to\s+(.+?))?\s*:(?:\s+(.*))?")
_ZOOM_PRIVATE = re.compile(r"\(\s*(?:direct message|privately|privé|privado|en privé)\s*\)", re.I)


def zoom_chat_lines(lines: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    """A Zoom chat export as labelled, timed lines ("[00:01:12] Hoa Tran: Good morning"), a blank line between
    messages, with how many messages and how many of them were private; the lines unchanged and None when the file
    is no Zoom chat (three messages or more, two senders or more, and half its lines or more start one)."""
    content = [line for line in lines if line.strip()]
    found = [(i, m) for i, line in enumerate(lines) if (m := _ZOOM_MESSAGE.fullmatch(line.rstrip()))]
    senders = {" ".join(m.group(2).split()) for _, m in found}
    if len(found) < 3 or len(senders) < 2 or len(found) * 2 < len(content) - len(found):
        return lines, None
    starts = dict(found)
    out: list[str] = []
    private = 0
    current: list[str] = []

    def flush() -> None:
        if current:
            out.extend([current[0] + " " + " ".join(current[1:]) if len(current) > 1 else current[0], ""])
            current.clear()

    for i, line in enumerate(lines):
        m = starts.get(i)
        if m is None:
            if line.strip() and current:
                current.append(line.strip())
            elif line.strip():
                out.append(line)
            continue
        flush()
        to = " ".join((m.group(3) or "").split())
        secret = bool(_ZOOM_PRIVATE.search(to)) or bool(to) and not to.casefold().startswith(("everyone", "tout"))
        private += secret
        current.append(f"[{m.group(1)}] {' '.join(m.group(2).split())}:" + (" (privately)" if secret else ""))
        if m.group(4):
            current.append(m.group(4).strip())
    flush()
    return out, (len(found), private)


_LINE_NUMBER = re.compile(r"\s*(\d{1,5})(?:\t|\s+)(?=\S)")


def drop_line_numbers(lines: list[str]) -> tuple[list[str], int]:
    """The lines without the number an analysis tool (MAXQDA, ATLAS.ti) or a typist wrote before each paragraph or
    line ("5 Participant: Yeah.", "6 Dan: And do you..."), and how many carried one. A number counts where it goes on
    from the one before (by one to five: a paragraph's wrapped lines carry none), and only where a third of the lines of
    text or more (five or more) start so; "2 Speakers: ..." or "10 years ago we..." here and there stay as written."""
    content = 0
    found: dict[int, re.Match[str]] = {}
    last: int | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        content += 1
        m = _LINE_NUMBER.match(line)
        if m and (last is None or last < int(m.group(1)) <= last + 5):
            found[i] = m
            last = int(m.group(1))
    if len(found) < 5 or len(found) * 3 < content:
        return lines, 0
    return [line[found[i].end():] if i in found else line for i, line in enumerate(lines)], len(found)


def read_text(text: str, name: str, *, notes: bool = True) -> ParsedTranscript:
    """Parse a plain-text or Markdown transcript (already decoded)."""
    metadata, lines, _ = split_front_matter(text, name)
    as_lines = bool(metadata.pop(FRONT_MATTER_AS_LINES, False))
    lines, furniture, first_furniture = drop_page_furniture(lines)
    lines, numbered = drop_line_numbers(lines)
    lines, zoom = zoom_chat_lines(lines)
    voiced = "<v" in text and any(VOICE_TAG.search(line) for line in lines)
    if voiced:
        lines = _voice_lines(lines)
    markdown = PurePath(name).suffix.lower() in (".md", ".markdown") or any(
        line.lstrip().startswith(("#", "**", "- ")) for line in lines[:200])
    blocks = text_blocks(lines, metadata)
    drafts, reading = blocks_to_drafts(blocks, metadata, name=name, notes=notes, markdown=markdown)
    if voiced:
        reading.notices.append("WebVTT voice tags ('<v Name>') were read as speaker labels")
    if zoom is not None:
        messages, private = zoom
        reading.notices.append(f"read as a Zoom chat: {messages} message(s), each with its sender and time ('00:01:12"
                               " From Name to Everyone:'); the sender is the message's speaker"
                               + (f"; {private} of them sent privately to one person, kept and marked"
                                  " '(privately)' in the text" if private else ""))
    if as_lines:
        reading.notices.append("the front matter (between the '---' lines) is not valid YAML (a value holds a colon"
                               " and is not quoted): each of its lines was read as 'key: value' at its first colon")
    if numbered:
        reading.notices.append(f"the number before each of {numbered} line(s) ('12 Interviewer: ...'), as analysis"
                               " tools number the paragraphs of a transcript they export, was left out of the text")
    if furniture:
        reading.notices.append(f"{furniture} line(s) repeated at the page breaks, a running page header or footer as"
                               f" text copied out of a PDF keeps it (the first: '{first_furniture}'), were left out of"
                               " the text; the speech runs on across each page break")
    base = "Markdown" if markdown else "plain text"
    return assemble(drafts, fmt="text", name=name, metadata=metadata, record=reading.record,
                    detected=f"{base}: {reading.describe()}", notices=reading.notices)
