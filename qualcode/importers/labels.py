"""Recognising speaker labels ("Interviewer:", "**Q:**", "[HR officer]", "P3 (union official, F):").

A colon at the start of a line is not enough: "The reason was simple: we had no budget." is
speech. A label is short, mostly capitalised (or a known role, title or participant code), and
labels recur through a transcript. So recognition has two steps: :func:`find_label` proposes a
candidate for one line, and :func:`accepted_keys` decides, over the whole file, which candidates
really are labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from qualcode.speakers import EMAIL, TITLES, role_of_label

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 5

# Strength of the evidence that a candidate is a label, from its shape alone.
STRONG = 3  # a role, title + name, participant code, markdown bold label
CAPITALISED = 2  # every word capitalised ("Nguyen Van Hai")
MOSTLY = 1  # at least half the words capitalised ("HR officer")
LOOSE = 0  # only the first word capitalised ("Người phỏng vấn")

ROLES = frozenset(
    """interviewer interviewers interviewee moderator facilitator co-facilitator respondent informant
    participant participants evaluator translator interpreter notetaker note-taker q a question answer
    all everyone group unknown hỏi đáp""".split()
) | frozenset(
    {
        "note taker",
        "several participants",
        "unidentified speaker",
        "unknown speaker",
        "người phỏng vấn",
        "phỏng vấn viên",
        "người trả lời",
        "người được phỏng vấn",
        "thư ký",
        "phiên dịch",
    }
)
# Words that start lines like labels in notes and speech but never name a speaker.
NOT_SPEAKERS = frozenset(
    """note notes nb ps example examples e.g reason problem result results summary conclusion topic
    subject date time location venue duration place re update remark remarks source translation
    tip warning important attention step goal aim objective outcome output indicator lesson lessons
    finding findings recommendation recommendations challenge challenges background context
    inaudible unclear crosstalk laughs laughter laughing pause silence music noise cough applause
    interruption overlapping break end start recording transcript translated""".split()
) | frozenset({"lesson learned", "lessons learned", "background noise", "end of recording", "end of transcript"})

# Words that begin sentences but not names: "And COVID: ..." is speech even though both words are capitalised.
SENTENCE_STARTERS = frozenset(
    """and but so or nor the a an in on at for with from to of by as we i our my their they he she it its
    this that these those there here then also yes no well because if when what how why who which after
    before during since although though however finally first second third one two some many most every
    each now today thank thanks please let just only even still actually really ok okay our your you""".split()
)
_CODE = re.compile(
    r"(?:[A-Z]{1,3}-?\d{1,3}|(?:speaker|spk|participant|respondent|informant|interviewer|person)[\s_]*\d{1,3})",
    re.I,
)
# "Jensen, Clara": Teams and Outlook write "Last, First" in many organisations.
_LAST_FIRST = re.compile(r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*)?, [^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,2}")
_NUMBERED_QA = re.compile(r"([QA])\d{1,3}")
# De-identified participant codes as research transcripts write them, often in lower case: "admin-1", "teacher_2",
# "p3", "r12". Taken as a label only when it recurs (like a capitalised name), so a one-off "covid-19:" stays speech.
_PSEUDONYM = re.compile(r"[^\W\d_]{1,20}[-_]?\d{1,3}")
#: a time as transcripts write it: "3:05", "01:02:03", "00:00:03.250", "0:03,5" (a regular expression)
TIMESTAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
#: the same with two-digit minutes ("00:19", "01:02:03", not "3:16"): a time a tool writes inside the speech, where a
#: looser shape would take a verse or a score for one
STRICT_TIMESTAMP = r"(?:\d{1,2}:)?\d{2}:\d{2}(?:[.,]\d{1,3})?"
_TIMESTAMP_RE = re.compile(TIMESTAMP)
# "[00:01:23]", "00:01:23 -", also a range as Whisper and diarisation scripts write it: "[00:00.000 --> 00:04.000]",
# "[00:00 - 00:12]" (the end is dropped: the next line's start says as much)
TIME_RANGE_END = r"(?:\s*(?:-->|→|[-–—])\s*" + TIMESTAMP + r")?"
_LEADING_TIME = re.compile(r"[\[(]?(" + TIMESTAMP + r")" + TIME_RANGE_END + r"[\])]?(?:\s*[-–—]\s*|\s+|$)")
# "**Ali** [00:00:00] text": a bold name, then the time in brackets, then the speech (Otter-derived Markdown)
_BRACKETED_TIME = re.compile(r"\s*[\[(]\s*(" + TIMESTAMP + r")" + TIME_RANGE_END + r"\s*[\])]\s*[:：]?")
_TIME_RANGE = re.compile(r"(" + TIMESTAMP + r")" + TIME_RANGE_END)
# "I [00:00:00]", "Clara (00:14):": a name, then its time in brackets, inside one emphasis
_NAME_THEN_TIME = re.compile(rf"([^\[\]()]{{1,{MAX_LABEL_CHARS}}}?)\s*[:：]?\s*[\[(]\s*(" + TIMESTAMP + r")"
                             + TIME_RANGE_END + r"\s*[\])]\s*[:：]?")
_TRAILING_NOTE = re.compile(r"(.+?)\s*[(\[]([^()\[\]]{1,60})[)\]]")
# "<v Clara Jensen>": a WebVTT voice tag (Teams), also in text files made from captions
VOICE_TAG = re.compile(rf"<v(?:\.[\w-]+)*\s+([^<>\n]{{1,{MAX_LABEL_CHARS}}})>")
_END_VOICE = re.compile(r"</v>")
# "<Elena> text", "<@suraeNoether> text": a chat's sender before each message (IRC logs, Slack and WhatsApp-like
# exports, some transcription tools); an operator's or a voiced user's mark (@, +, %, ~, &) is no part of the name
_CHAT = re.compile(rf"<[@+%~&]?([^<>\s/=][^<>\n=]{{0,{MAX_LABEL_CHARS - 1}}})>(?:[\s:]+|$)")
# tags a text made from a web page can start a line with: markup, not a sender
_HTML_TAGS = frozenset("""a b i u p s br hr em strong span div font sub sup small big li ul ol dl dt dd tt code pre
    h1 h2 h3 h4 h5 h6 table thead tbody tr td th html head body title section article header footer nav main aside
    blockquote center img label form meta link script style""".split())
# "[2018-03-26 10:58:00]", "2024-05-02 09:30", WhatsApp's "02/05/2024, 09:30 - " and "[02/05/2024, 09:30:12] ": the
# date and clock time of a chat message (no time in a recording)
_CLOCK = re.compile(r"[\[(]?(?:\d{4}-\d{2}-\d{2}[ T]|\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+)\d{1,2}:\d{2}(?::\d{2})?"
                    r"(?:[.,]\d{1,6})?(?:\s?[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?[\])]?(?:\s+-\s+|\s+|$)")
_STEM = re.compile(r"[\s_-]*\d{1,3}$")
# "Interviewer1" and "Interviewer 1" (or "Speaker_1") in one file are one speaker typed two ways
_NUMBER_SEPARATOR = re.compile(r"(?<=[^\W\d_])[\s_-]+(?=\d{1,3}$)")
# "Interviewer2 2", "Speaker 1 1": the number typed twice, with a gap between
_REPEATED_NUMBER = re.compile(r"(?<=[^\W\d_])([\s_-]*)(\d{1,3})[\s_-]+\2$")
_WORD_OK = re.compile(r"[\w.'’&/-]+")
# "UNICEF Viet Nam | Hoa Tran", "Hoa Tran – UNICEF Viet Nam": the bar, a middle dot or a spaced dash between a name and
# an organisation in a display name
_AFFILIATION = re.compile(r"\s*[|·•]\s*|\s+[-–—]\s+")
# a name or role written in Chinese, Japanese or Korean characters: no capitals tell it from a word, so only its
# length and the full-width colon after it ("王小明：", "インタビュアー：")
_UNCASED_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff・ー]{1,10}")
# what starts a line before a full-width colon in such texts and names nobody: time, place, date, note, topic, question
# (as a heading), remark, summary, content
_CJK_NOT_SPEAKERS = frozenset("""时间 時間 地点 地點 日期 注意 注 备注 備註 说明 說明 主题 主題 题目 題目
    内容 內容 总结 總結 摘要 场所 場所 日時 備考 テーマ 概要 まとめ 참고 주제 일시 장소 내용 요약 原因 理由
    结果 結果 建议 建議 提案 结论 結論 目标 目標 目的 背景 方法 效果 挑战 挑戰 課題 经验 經驗 教训 教訓 发现
    發現 例如 比如 例えば""".split())


@dataclass
class Label:
    """A label candidate found at the start of a line."""

    speaker: str
    rest: str  # the speech after the label on the same line ("" when the label stands alone)
    note: str | None = None  # "union official, F" in "P3 (union official, F):"
    t_start: float | None = None
    strength: int = LOOSE
    bracket: bool = False
    # "Nguyen Thi Hoa, head nurse:": a note in lower case is as often speech ("Bac Ninh, for example:"); such a label
    # counts only where the same name and note start lines more than once
    loose: bool = False
    # the label as the file wrote it, where it was read otherwise: "Dr. Nguyen, District Officer" (a name and its
    # description), "Interviewer2 2" (the number typed twice)
    written: str | None = None
    # a chat's sender ("<Elena> text"): a label only where the file is a chat (see :func:`chat_layout`)
    chat: bool = False
    # the date and clock time before the label ("02/05/2024, 09:30 - "): a label only where the file is a chat
    # export (see :func:`chat_clocks`)
    clock: str = ""
    # "*Name*:", "*Name:*": a label in italics, which is as often a word stressed before a colon ("*First*: the
    # budget", "*English:* the translation", "*Nota:*"); a label only where that is the file's layout
    italic: bool = False

    @property
    def key(self) -> str:
        return label_key(self.speaker)

    @property
    def words(self) -> int:
        return len(self.speaker.split())


def label_key(speaker: str) -> str:
    """What two spellings of one label share: case and the gap before a participant number do not count."""
    return _NUMBER_SEPARATOR.sub("", speaker.casefold())


def unify_repeated_numbers(labels: Iterable[Label]) -> None:
    """Read "Interviewer2 2" as the file's "Interviewer 2": a label whose number was typed twice is the speaker the
    file labels with that number once. Only where that label exists, so "Interviewer2 2" alone stays as written."""
    labels = list(labels)
    spelling: dict[str, str] = {}
    for label in labels:
        spelling.setdefault(label.key, label.speaker)
    for label in labels:
        once = _REPEATED_NUMBER.sub(r"\1\2", label.speaker)
        if once != label.speaker and label_key(once) in spelling and label_key(once) != label.key:
            label.written, label.speaker = label.speaker, spelling[label_key(once)]


def parse_timestamp(text: str) -> float | None:
    """Seconds for ``[h:]mm:ss[.mmm]``; None when it is not a plausible timestamp."""
    if not _TIMESTAMP_RE.fullmatch(text):
        return None
    main, _, frac = text.replace(",", ".").partition(".")
    fields = [int(f) for f in main.split(":")]
    if any(f >= 60 for f in fields[1:]):
        return None
    seconds = 0
    for f in fields:
        seconds = seconds * 60 + f
    return round(seconds + (float("0." + frac) if frac else 0.0), 3)


def strip_leading_timestamp(line: str) -> tuple[float | None, str]:
    """Split "[00:01:23] text" into (83.0, "text"); lines without a timestamp come back unchanged."""
    m = _LEADING_TIME.match(line)
    if not m:
        return None, line
    seconds = parse_timestamp(m.group(1))
    if seconds is None:
        return None, line
    return seconds, line[m.end() :]


def strip_clock(line: str) -> str:
    """A line without the date and clock time a chat writes before each message ("[2018-03-26 10:58:00] ...")."""
    m = _CLOCK.match(line)
    return line[m.end():] if m else line


def find_label(line: str) -> Label | None:
    """Propose the speaker label at the start of ``line`` (already stripped), or None."""
    t_start, body = strip_leading_timestamp(line)
    clock = ""
    if t_start is None:
        body = strip_clock(body)
        clock = line[:len(line) - len(body)]
    if not body:
        return None
    label: Label | None
    if body.startswith("<"):
        label = _voice(body) if body.startswith("<v") else None
        if label is None:
            label = _chat(body)
    elif body.startswith(("**", "__")):
        label = _bold(body, 2)
    elif body.startswith(("*", "_")) and body[1:2] not in ("", " ", "*", "_"):
        label = _bold(body, 1)  # "*Name*:", "*Name:*", "_Name_": a label in italics, as one in bold
    elif body.startswith("["):
        label = _bracket(body)
    else:
        label = _colon(body)
    if label is None:
        return None
    if label.t_start is None:
        label.t_start = t_start
    label.clock = clock
    return label


# the date and time a chat export writes before each message: WhatsApp's "02/05/2024, 09:30 - ", in brackets
# "[02/05/2024, 09:30:12] " or an IRC log's "[2018-03-26 10:58:00] "; not a log's "12/03/2024 09:00 "
_CHAT_CLOCK = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4},\s+\S+(?:\s?[AaPp]\.?[Mm]\.?)?\s+-\s+|\[.+\]\s*")


def chat_clocks(labels: Iterable[Label]) -> bool:
    """Whether the labels after a date and clock time are a chat export's senders: the chat's way of writing the
    time ("02/05/2024, 09:30 - Name:", "[2018-03-26 10:58:00] <Name>") starts three lines or more, for two senders
    or more, and most of the labels found after a time. A dated field log ("12/03/2024 09:00 Observation: ...")
    is none: its dates stay in its text."""
    clocked = [lab for lab in labels if lab.clock]
    chat = [lab for lab in clocked if _CHAT_CLOCK.fullmatch(lab.clock)]
    return len(chat) >= 3 and len({lab.key for lab in chat}) >= 2 and len(chat) * 2 > len(clocked)


def _voice(body: str) -> Label | None:
    m = VOICE_TAG.match(body)
    if m is None or not m.group(1).strip():
        return None
    rest = _END_VOICE.sub("", body[m.end():]).strip()
    return Label(speaker=" ".join(m.group(1).split()), rest=rest, strength=STRONG)


def _chat(body: str) -> Label | None:
    m = _CHAT.match(body)
    if m is None:
        return None
    name = " ".join(m.group(1).split())
    if len(name.split()) > MAX_LABEL_WORDS or "/" in name or ":" in name:
        return None  # "<br />", "<https://example.org>"
    if name.casefold() in _HTML_TAGS and (not name.isupper() or f"</{name.casefold()}>" in body.casefold()):
        # "<b> text", "<I>word</I>": markup. "<I> question" and "<R> answer" at the start of a line are the
        # interviewer's and the respondent's tags: a sender, as "<R>" is, so the file's senders read alike
        return None
    return Label(speaker=name, rest=body[m.end():].strip(), strength=LOOSE, chat=True)


def chat_like(body: str) -> bool:
    """A line that starts as a chat message does ("<...> text"), a sender or not."""
    return _CHAT.match(body) is not None


def chat_layout(labels: Iterable[Label], lines: int) -> set[str]:
    """The senders of a chat ("<Elena> text" before each message), when that is the file's layout: such labels start
    three lines or more and half the file's lines. Else none: a "<b>" or "<Name>" here and there is no chat."""
    chat = [lab for lab in labels if lab.chat]
    if len(chat) < 3 or len(chat) * 2 < lines:
        return set()
    return {lab.key for lab in chat}


def _bold(body: str, width: int) -> Label | None:
    """A label in Markdown emphasis, ``width`` 2 for bold ("**Name:**", "__Name__:") and 1 for italics ("*Name*:");
    a time before the name inside it ("**[02:14] SPEAKER_02:**", as WhisperX's Markdown writes it) is the label's."""
    marker = body[:width]
    close = body.find(marker, width, width + MAX_LABEL_CHARS + 64)
    if close < 0:
        return None
    inner = body[width:close].strip()
    after = body[close + width :]
    inner_time, inner = strip_leading_timestamp(inner) if inner[:1] in "[(0123456789" else (None, inner)
    inner = inner.strip()
    timed = _NAME_THEN_TIME.fullmatch(inner)
    if inner_time is None and timed and parse_timestamp(timed.group(2)) is not None:
        # "**I [00:00:00]** speech", "**Clara (00:14):**": the name and its time in one emphasis, the tool's header
        label = _make(timed.group(1), after.lstrip().removeprefix(":").removeprefix("："))
        if label is not None:
            label.t_start = parse_timestamp(timed.group(2))
            label.strength = STRONG
        return label
    if inner.endswith((":", "：")):
        head, rest, explicit = inner[:-1], after, True
    elif after.lstrip().startswith((":", "：")):
        head, rest, explicit = inner, after.lstrip()[1:], True
    elif not after.strip():
        head, rest, explicit = inner, "", False
    elif (timed := _BRACKETED_TIME.match(after)) and parse_timestamp(timed.group(1)) is not None:
        # the name in bold and a bracketed time are the tool's header, whatever follows on the line
        label = _make(inner.rstrip(":：").strip(), after[timed.end():])
        if label is not None:
            label.t_start = parse_timestamp(timed.group(1))
            label.strength = STRONG
        return label
    else:
        return None
    label = _make(head, rest)
    if label is not None and explicit and width == 1:
        label.italic = True  # strong only where the file writes its labels so (see text_reader.italic_labels)
    elif label is not None and explicit:
        label.strength = STRONG  # "**Name:**" is an unambiguous markdown convention
    if label is not None and label.t_start is None:
        label.t_start = inner_time
    return label


def _bracket(body: str) -> Label | None:
    close = body.find("]", 1, MAX_LABEL_CHARS + 2)
    if close < 0:
        return None
    rest = body[close + 1 :].lstrip()
    if rest.startswith((":", "：")):
        rest = rest[1:]
    inner = body[1:close]
    label = _make(inner, rest)
    if label is None and _CODE.fullmatch(inner.strip()):
        # "[id1]", "[p2]": a participant code in brackets is a label even in lower case (QualCoder's examples)
        label = Label(speaker=inner.strip(), rest=rest.strip(), strength=STRONG)
    if label is not None:
        label.bracket = True
    return label


def _colon(body: str) -> Label | None:
    depth = 0
    for i, ch in enumerate(body[: MAX_LABEL_CHARS + 64]):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in ":：" and depth == 0:
            after = body[i + 1 :]
            if after and not after[0].isspace() and not (ch == "：" or _UNCASED_NAME.match(after[0])
                                                        and _UNCASED_NAME.fullmatch(body[:i].strip())) \
                    and not (after[0].isalpha() and role_of_label(body[:i]) is not None and body[:1].isupper()):
                # "10:30", "http://"; Chinese and Japanese write no space after a colon ("王小明：我", "王小明:我"),
                # nor a typist always after a role ("Pergunta:Onde você nasceu?")
                return None
            return _make(body[:i], after)
    return None


def _make(head: str, rest: str) -> Label | None:
    head = " ".join(head.split())
    note: str | None = None
    t_start: float | None = None
    m = _TRAILING_NOTE.fullmatch(head)
    if m:
        head, inside = m.group(1), m.group(2).strip()
        ranged = _TIME_RANGE.fullmatch(inside)  # "Speaker 1 (00:00 - 00:15):", as FunASR writes it: the start
        seconds = parse_timestamp(ranged.group(1) if ranged else inside)
        if seconds is not None:
            t_start = seconds
        elif inside:
            note = inside
    loose = False
    written: str | None = None
    if note is None and "," in head:
        described = _described(head)
        if described is not None:
            written, (head, note) = head, described
            loose = note[0].islower() and role_of_label(note) is None
    m2 = _NUMBERED_QA.fullmatch(head)
    if m2:
        head = m2.group(1)  # "Q1:", "Q2:" are all the interviewer's questions
    strength = classify(head)
    if strength is None:
        return None
    rest = rest.strip()
    if rest[:1] in "[(0123456789":
        seconds, after = strip_leading_timestamp(rest)
        if seconds is not None:  # "Speaker 1: [00:00:03] text" (Sonix, Rev)
            rest, t_start = after.strip(), t_start if t_start is not None else seconds
    return Label(speaker=head, rest=rest, note=note, t_start=t_start, strength=strength, loose=loose, written=written)


def _described(head: str) -> tuple[str, str] | None:
    """("Sandra Salinas", "Entrevistadora") for "Sandra Salinas, Entrevistadora" and ("Fabiola Pineda", "Administradora
    de A255") for the name and role research transcripts write before the first words of each speaker; None for
    "Jensen, Clara" (a name written last name first) and for anything that is not a name and a short description.
    A description in lower case ("head nurse") is returned too: :func:`accepted_keys` takes it only where it recurs."""

    name, _, description = head.partition(",")
    name, description = name.strip(), description.strip()
    words = description.split()
    if not words or len(words) > 8 or description[-1] in ".?!…;" or not all(_WORD_OK.fullmatch(w) for w in words):
        return None
    last_first = _LAST_FIRST.fullmatch(head) and all(w[0].isupper() for w in head.replace(",", " ").split())
    if last_first and role_of_label(description) is None and not _describes(name, description) \
            and not _acronym_beside(name, description):
        return None  # "Jensen, Clara", "Tran, Thi Thu"; not "Hoa Tran, UNICEF"
    strength = classify(name)
    if strength == STRONG or strength == CAPITALISED and (len(name.split()) >= 2 or _describes(name, description)):
        return name, description
    return None


# Words of a job or position: after a comma they describe the speaker ("Dr. Nguyen, District Officer",
# "Hoang, Programme Manager"), where given names would make a name written last name first ("Tran, Thi Thu").
ROLE_WORDS = frozenset(
    """officer officers official manager director coordinator head chief specialist representative member worker
    leader deputy vice president chair chairman chairwoman chairperson secretary treasurer assistant adviser advisor
    staff employee volunteer expert consultant analyst engineer inspector supervisor administrator accountant
    teacher principal nurse doctor midwife trainer farmer owner agent commissioner minister mayor governor
    director-general ceo founder lead""".split()
)


def _describes(name: str, description: str) -> bool:
    """True when the words after a comma are the speaker's description, not given names: after a title ("Dr.
    Nguyen, District Officer"), or naming a job ("Hoang, Manager")."""
    if name.split()[0].casefold().rstrip(".") in TITLES:
        return True
    return any(w.casefold().strip(".'’") in ROLE_WORDS for w in description.replace("/", " ").split())


def _acronym_beside(name: str, description: str) -> bool:
    """True for an organisation's acronym after a name not itself in capitals ("Hoa Tran, UNICEF", "Lan, MOLISA"):
    an affiliation, never a given name."""
    words = description.split()
    return not name.isupper() and any(len(w) > 1 and w.isupper() and w.isalpha() for w in words)


def make_label(head: str, rest: str = "") -> Label | None:
    """The label a piece of text would be if it stood before a colon ("Mr. Hung (00:03)" -> Mr. Hung at 3 s)."""
    return _make(head, rest)


def classify(speaker: str) -> int | None:
    """How much a label's shape alone says it names a speaker; None when it cannot be one."""
    if not speaker or len(speaker) > MAX_LABEL_CHARS:
        return None
    parts = _AFFILIATION.split(speaker)
    if len(parts) == 2:
        # "UNICEF Viet Nam | Hoa Tran", "Clara Jensen | ILO": a call tool's display name with the organisation; a label
        # when both sides could be one, and as strong as the stronger
        sides = [classify(part) for part in parts]
        return None if None in sides else max(side for side in sides if side is not None)
    words = speaker.split()
    if len(words) > MAX_LABEL_WORDS:
        return None
    low = speaker.casefold()
    if low in NOT_SPEAKERS or low.rstrip(".") in NOT_SPEAKERS or low in _CJK_NOT_SPEAKERS:
        return None
    if len(words) > 1 and words[0].isdigit():
        return None  # "2 Speakers: Speaker1 mba, ...": a count above the speech, not a speaker
    if len(words) == 1 and _UNCASED_NAME.fullmatch(speaker):
        # "王小明", "田中", "采访者": a name in a script without capitals, as strong as a capitalised one
        return STRONG if role_of_label(speaker) is not None else CAPITALISED
    if "," in speaker:
        # only a "Last, First" name, every part capitalised; any other comma is speech
        if _LAST_FIRST.fullmatch(speaker) and all(w[0].isupper() for w in words) \
                and words[0].casefold() not in SENTENCE_STARTERS:
            return CAPITALISED
        return None
    if len(words) == 1 and "@" in speaker and EMAIL.fullmatch(speaker):
        return CAPITALISED  # Zoom labels who set no display name by their e-mail address
    if not all(_WORD_OK.fullmatch(w) for w in words):
        return None  # sentence punctuation, quotes, commas: speech, not a label
    if low in ROLES or _CODE.fullmatch(speaker) and not speaker[0].islower():
        return STRONG
    if not speaker[0].isdigit() and role_of_label(speaker) is not None and (speaker[0].isupper() or len(words) > 1):
        return STRONG  # "Researcher 1", "Entrevistador", "Phỏng vấn viên", "SPEAKER_00"
    if len(words) == 1 and _PSEUDONYM.fullmatch(speaker):
        return CAPITALISED
    if not (speaker[0].isupper() or speaker[0].isdigit()) or speaker[0].isdigit() and len(words) == 1:
        return None
    if len(words) > 1 and words[0].casefold() in SENTENCE_STARTERS:
        return None
    if words[0].casefold().rstrip(".") in TITLES and len(words) > 1 and all(w[0].isupper() for w in words[1:]):
        return STRONG
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    if capitalised == len(words):
        return CAPITALISED
    if capitalised * 2 >= len(words):
        return MOSTLY
    return LOOSE


def accepted_keys(labels: Iterable[Label]) -> set[str]:
    """Decide, over one whole transcript, which label candidates really are speaker labels."""
    counts: Counter[str] = Counter()
    strength: dict[str, int] = {}
    words: dict[str, int] = {}
    rests: dict[str, list[str]] = {}
    loose: Counter[tuple[str, str | None]] = Counter()
    firm: set[str] = set()
    for label in labels:
        if label.chat:
            continue  # a chat's senders are decided over the file's layout (chat_layout)
        if label.loose:
            loose[label.key, label.note] += 1
        else:
            firm.add(label.key)
        counts[label.key] += 1
        strength[label.key] = max(strength.get(label.key, LOOSE), label.strength)
        words[label.key] = label.words
        rests.setdefault(label.key, []).append(label.rest)
    accepted = {
        key
        for key, n in counts.items()
        if strength[key] == STRONG
        or (strength[key] in (CAPITALISED, MOSTLY) and n >= 2)
        or (strength[key] == LOOSE and n >= 3 and words[key] <= 3)
    }
    # Numbered labels of one kind ("HR officer 1", "HR officer 2", "Woman 3") are a focus group's participants even
    # when each speaks once; so is "HR officer (female)" beside "HR officer 2".
    stems: dict[str, set[str]] = {}
    for key in counts:
        stems.setdefault(_STEM.sub("", key), set()).add(key)
    accepted |= {k for family in stems.values() if len(family) >= 2 and any(_STEM.search(f) for f in family)
                 for k in family if words[k] <= MAX_LABEL_WORDS and strength[k] >= MOSTLY}
    if accepted:
        # A name that speaks once ("Nguyen Van Hai: ...") is a label when the file has other labels;
        # a single capitalised word ("Budget: ...") is too weak on its own.
        accepted |= {k for k, n in counts.items() if strength[k] == CAPITALISED and n == 1 and words[k] >= 2}
        # When the file itself names speakers by one capitalised word ("Lan:", "Hoa:", as focus-group notes
        # often do), a participant who speaks once under such a name is a speaker too.
        first_names = [k for k in accepted if strength[k] == CAPITALISED and words[k] == 1 and counts[k] >= 2]
        # Where the speakers' words start as sentences do, "Budget: the factory cut it" is a note inside a turn;
        # in a file written in lower case throughout, that says nothing.
        if len(first_names) >= 2:
            spoken = [r for k in first_names for r in rests[k] if r]
            lower_file = sum(r[0].islower() for r in spoken) * 2 > len(spoken)
            accepted |= {k for k, n in counts.items()
                         if strength[k] == CAPITALISED and n == 1 and words[k] == 1 and k not in SENTENCE_STARTERS
                         and (lower_file or not rests[k][0] or not rests[k][0][:1].islower())}
    # "Bac Ninh, for example: ..." once is speech; "Nguyen Thi Hoa, head nurse:" before each answer is a label
    recurring = {key for (key, _), n in loose.items() if n >= 2}
    unsure = {key for key, _ in loose} - firm - recurring
    return accepted - unsure
