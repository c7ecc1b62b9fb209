"""Who is speaking: speaker labels to roles (interviewer or informant) and to the case sheet's informants.

Transcripts name people the way the recording tool saw them: "Jensen, Clara" (Teams in many organisations),
"Long Tran" (Otter), "Mr. Long" (a typist), "Hang's iPhone" (a phone that joined a call), "Phỏng vấn viên"
(a Vietnamese transcript). Case sheets name them as the evaluator wrote them: "Tran Bao Long", "Nguyen Thi Hang".
Everything here compares names as sets of words with accents, case, honorifics and punctuation removed, so the
order of the names, the diacritics and a "Mr." do not matter, and knows the common interviewer and informant labels
in several languages.

Pure functions, no I/O: the import, its dry run, the import report and ``doctor`` all decide the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualcode.folding import fold

# The label qualcode gives the lines of interview notes (paraphrase, no speaker labels): they are the informant's.
NOTES_SPEAKER = "Notes"
# The label of a heading kept in a transcript (a question or section of the interview guide): context, not coded.
HEADING_SPEAKER = "Heading"
# speaker labels that are placeholders, not names (P1, Participant 2, Speaker 3, R1, A, B)
# "Speaker" in the words of Chinese, Japanese and Korean tools ("说话人1", iFlytek's)
_CJK_SPEAKER_WORDS = "说话人|发言人|發言人|话者|話者|発言者|화자"
GENERIC_LABEL = re.compile(r"^(?:p|participant|speaker|spk|s|r|respondent|informant|voice|person|unknown|"
                           + _CJK_SPEAKER_WORDS + r")?"
                           r"\s*[-_ ]?\s*\d*[a-z]?$", re.IGNORECASE)

# Labels for the interviewing side, compared folded ("Phỏng vấn viên" -> "phong van vien") with any trailing number
# or bracketed note removed ("Researcher 1", "Interviewer (Clara)").
def _phrases(text: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()) for p in text.split(",") if p.strip())


INTERVIEWER_LABELS = _phrases(
    """interviewer, interviewers, int, iv, i, q, question, questions, questioner, researcher, researchers, evaluator,
    evaluators, evaluation team, facilitator, facilitators, co-facilitator, co facilitator, cofacilitator, moderator,
    moderators, note-taker, note taker, notetaker, enumerator, enumerators, fieldworker, field worker,
    research assistant, consultant, lead interviewer, assistant interviewer, team,
    enqueteur, enqueteuse, enquetrice, intervieweur, intervieweuse, animateur, animatrice, moderateur, moderatrice,
    evaluateur, evaluatrice, chercheur, chercheuse, facilitateur, facilitatrice,
    entrevistador, entrevistadora, moderador, moderadora, facilitador, facilitadora, evaluador, evaluadora,
    investigador, investigadora, encuestador, encuestadora, pesquisador, pesquisadora, avaliador, avaliadora,
    pregunta, pergunta, interviewerin, moderatorin, forscher, forscherin, pewawancara, peneliti, fasilitator,
    mhojaji, mtafiti, nguoi phong van, phong van vien, pvv, npv, dieu tra vien, dtv, nghien cuu vien, ncv, thu ky,
    hoi, experimenter, experimenters, experimentor, experimentator, experimentatorin, versuchsleiter,
    versuchsleiterin"""
)
# the same in Chinese, Japanese and Korean, compared folded as every label is
INTERVIEWER_LABELS |= frozenset(fold(w) for w in """采访者 采访人 访谈者 访谈人 访问者 访员 主持人
    提问者 问 问题 提问 採訪者 訪談者 訪問者 訪員 提問者 問 問題 インタビュアー 聞き手 質問者 質問 司会 司会者 面接者
    인터뷰어 면담자 면접자 진행자 질문자 질문""".split())
# Interviewer labels that, written beside a name ("Nguyen Thi Hoa, Facilitator:", "Clara Jensen (researcher):"),
# say nothing of who asks: roles the person interviewed holds as often (a savings-group facilitator or moderator, a
# health-centre secretary, a consultant or researcher interviewed on their work, an enumerator), a team, and the
# words for a question itself.
AMBIGUOUS_ASKERS = _phrases(
    """facilitator, facilitators, co-facilitator, co facilitator, cofacilitator, facilitateur, facilitatrice,
    facilitador, facilitadora, fasilitator, moderator, moderators, moderatorin, moderateur, moderatrice, moderador,
    moderadora, animateur, animatrice, note-taker, note taker, notetaker, thu ky, researcher, researchers,
    research assistant, chercheur, chercheuse, investigador, investigadora, pesquisador, pesquisadora, forscher,
    forscherin, peneliti, mtafiti, nghien cuu vien, ncv, consultant, enumerator, enumerators, fieldworker,
    field worker, dieu tra vien, dtv, team, evaluation team, question, questions, pregunta, pergunta, hoi"""
)
#: the notes beside a name that make its speaker the interviewer: the interviewing role itself
ASKING_ROLES = INTERVIEWER_LABELS - AMBIGUOUS_ASKERS
INFORMANT_LABELS = _phrases(
    """interviewee, interviewees, respondent, respondents, informant, informants, key informant, ki, participant,
    participants, answer, a, r, resp, guest, entrevistado, entrevistada, encuestado, encuestada, participante,
    informante, repondant, repondante, enquete, enquetee, interviewe, befragte, befragter, teilnehmer,
    teilnehmerin, narasumber, responden, peserta, mhojiwa, nguoi tra loi, ntl, nguoi duoc phong van, dap,
    thanh vien, notes, resposta, respuesta, reponse, antwort, tra loi"""
)
INFORMANT_LABELS |= frozenset(fold(w) for w in """受访者 被访者 受访人 被访人 回答者 答 受訪者 被訪者
    受訪人 回答 インタビュイー 話し手 対象者 응답자 피면담자 면담대상자 답""".split())
#: how an unnamed pair's interviewer was found
ASKER_GUESS = "guessed: asks the questions"
#: labels a transcription tool writes for speech it could not attribute to anyone
UNATTRIBUTED_LABELS = frozenset({"unknown", "unknown speaker", "unidentified speaker", "inaudible speaker"})
UNKNOWN_LABELS = UNATTRIBUTED_LABELS | frozenset({"speaker", "spk", "voice", "multiple speakers",
                                                  "several participants", "all", "everyone", "group", "crosstalk"})

HONORIFICS = frozenset(
    """mr mrs ms miss mx mister madam madame mme mlle dr doctor prof professor sir dame lady lord hon rev fr sr sra
    srta don dona dr herr frau pak bu ibu bapak ong ba anh chi co chu bac thay em""".split()
)
# Words of a device name a call tool shows instead of a person ("Hang's iPhone", "Galaxy A52s", "DESKTOP-7Q2").
DEVICE_WORDS = frozenset(
    """iphone ipad ipod android galaxy samsung pixel huawei xiaomi redmi oppo vivo nokia motorola oneplus realme
    phone mobile smartphone tablet laptop notebook macbook imac desktop pc computer zoom room conference
    boardroom meeting""".split()
)
_POSSESSIVE = re.compile(r"['’]s\b", re.I)
# After a device word: "iPhone của Hằng", "iPhone de María", "iPhone von Anna", "iPhone di Luca".
_OF_WORDS = frozenset({"cua", "de", "von", "di", "da", "do", "of"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TRAILING_NUMBER = re.compile(r"[\s_-]*(?:#\s*)?\d{1,3}[a-z]?$", re.I)
_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")


def label_words(label: str) -> str:
    """A label reduced to the words that say what it is: folded, without a bracketed note, a trailing number or
    punctuation ("Researcher 1:" -> "researcher", "Phỏng vấn viên (PVV)" -> "phong van vien", "SPEAKER_00" ->
    "speaker")."""
    text = _BRACKETS.sub(" ", label.replace("_", " "))
    text = text.strip().strip("[]*:：.").strip()
    text = _TRAILING_NUMBER.sub("", text)
    return " ".join(_WORD.findall(fold(text)))


def role_of_label(label: str) -> str | None:
    """"interviewer", "informant" or "unknown" when the label itself says so; None for a name."""
    words = label_words(label)
    if not words:
        bare = fold(label).strip("[]*:：. ")
        return "unknown" if bare.isdigit() else None
    # "Interviewer2 2": a number typed twice leaves one behind; the role word before it still says the role
    words = _TRAILING_NUMBER.sub("", words) or words
    if words in INTERVIEWER_LABELS:
        return "interviewer"
    if words in INFORMANT_LABELS:
        return "informant"
    if words in UNKNOWN_LABELS or _NUMBERED_VOICE.fullmatch(words):
        return "unknown"
    article = _ARTICLE.match(words)
    if article and words[article.end():]:
        # "L'ANIMATRICE", "La moderadora", "The interviewer": the role after an article
        return role_of_label(words[article.end():])
    return None


# "Speaker 1", "Voice 2", "说话人1": a numbered voice, its words those of GENERIC_LABEL
_NUMBERED_VOICE = re.compile(r"(?:speaker|spk|s|voice|person|" + _CJK_SPEAKER_WORDS + r")\s*\d*")
# an article before a role in a label ("L'ANIMATRICE :", "El entrevistador:"), as label_words leaves it
_ARTICLE = re.compile(r"(?:the|l|le|la|les|un|une|el|los|las|o|os|as|um|uma|der|die|das|ein|eine)\s+")


def f4_respondents(labels: Iterable[str]) -> list[str]:
    """The labels that are respondents by the f4/f5 transcription convention (also MAXQDA's and German-speaking
    teams'): "I:" the interviewer, "B:" (Befragte/r; "B1:", "B2:" in a group), "IP:" (Interviewpartner/in) or "TN1:"
    (Teilnehmer/in) the people asked. Only when the file has an "I" label too, since "A:" and "B:" elsewhere are two
    voices of any role."""
    labels = list(labels)
    if not any(label_words(lab) == "i" for lab in labels):
        return []
    return [lab for lab in labels if label_words(lab) in _F4_RESPONDENTS]


_F4_RESPONDENTS = frozenset({"b", "ip", "tn"})
# informant labels that only say the words are an answer: an answer to someone's question
_ANSWER_LABELS = frozenset({"a", "answer", "dap", "resposta", "respuesta", "reponse", "antwort", "tra loi",
                            "答", "回答", "답"})


def is_interviewer_label(label: str) -> bool:
    """True for the interviewing side's usual labels in several languages ("Interviewer", "Q", "Researcher 1",
    "Entrevistador", "Phỏng vấn viên")."""
    return role_of_label(label) == "interviewer"


def is_placeholder_label(label: str) -> bool:
    """True for labels that name no one ("Speaker 2", "Unknown Speaker", "P3", "Interviewee")."""
    role = role_of_label(label)
    if role is not None:
        return True
    return bool(re.fullmatch(r"[a-z]{1,3}\s*-?\s*\d{1,3}", fold(label).strip("[]*:：. ")))


def is_collective_label(label: str) -> bool:
    """True for a label that stands for no one person: several at once ("All", "Everyone", "Group", "Crosstalk") or
    speech a tool could not attribute ("Unknown Speaker"). Such a line is no informant's and no extra voice."""
    return fold(label).strip("[]*:：. ") in UNKNOWN_LABELS


# The interview type a file or source name gives: "KII-20 ministry.txt", "fgd_savings_groups", "IDI 3 (teacher)",
# "Focus group Hue". The abbreviations stand alone (not inside a word), and the number after them may be joined.
_NAME_TYPES = (("FGD", re.compile(r"(?<![a-z])(?:fgds?|focus[\s_-]*groups?)(?![a-z])")),
               ("KII", re.compile(r"(?<![a-z])(?:kiis?|key[\s_-]*informants?)(?![a-z])")),
               ("IDI", re.compile(r"(?<![a-z])(?:idis?|in[\s_-]*depth[\s_-]*interviews?)(?![a-z])")))


def type_from_name(name: str) -> str | None:
    """"KII", "IDI" or "FGD" when a transcript's name says which it is (one type only), else None."""
    text = fold(name)
    found = {kind for kind, pattern in _NAME_TYPES if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def is_group_type(value: str) -> bool:
    """True when a transcript's 'type' names a focus group ("FGD", "Focus group", "group discussion", "Thảo luận
    nhóm")."""
    text = str(value or "").casefold()
    return any(word in text for word in ("fgd", "focus", "group", "nhóm", "grupo", "groupe", "gruppe", "座谈", "焦点"))


def is_device_label(label: str) -> bool:
    """True when the label is a device a call tool named, not a person ("Hang's iPhone", "Galaxy A52s 5G")."""
    words = _WORD.findall(fold(label))
    return any(w in DEVICE_WORDS for w in words)


# The words of a label that describes a role, not a person ("HR officer 2", "Woman 1", "Union rep", "Factory manager"):
# the one-word interviewing and answering labels, and the people an evaluation interviews, by what they do. (Not the
# words of the vocabularies' phrases: "thu" of "thu ky" and "van" of "phong van vien" are also Vietnamese names.)
ROLE_WORDS = frozenset(p for p in INTERVIEWER_LABELS | INFORMANT_LABELS | UNKNOWN_LABELS if " " not in p) \
    | frozenset("""officer officers manager managers director directors head deputy assistant staff member members
    leader leaders lead chair chairperson president secretary treasurer representative rep official officials employer
    employee employees worker workers supervisor coordinator specialist adviser advisor expert technical trainer
    trainee student teacher nurse farmer trader owner parent mother father youth elder volunteer host panelist
    panellist audience observer translator interpreter beneficiary patient caregiver client partner donor agent admin
    administrator ceo hr union factory company enterprise ministry government ngo community village district province
    provincial national local field project programme program health social line production quality senior junior
    general team group committee cooperative woman women female male boy girl ip tn gender finance
    monitoring evaluation policy research communications operations legal human resources labour labor safety
    compliance regional executive vice of and for
    """.split())


# one-word answering labels that are surnames as well ("Guest:" in an oral history labelled by surname)
_SURNAME_ROLES = frozenset({"guest"})


def names_nobody(label: str) -> bool:
    """True for a label that names no one: a role or placeholder ("Interviewer", "Moderator", "Speaker 1",
    "SPEAKER_00", "P3", "Participant 3", "HR officer 2"), a collective ("All") or qualcode's own ("Notes",
    "Heading"). Anything else is a person of the file, whatever its shape: a name ("Clara", "李明", "o'brien, sean"),
    a name with extras ("Ana (she/her)", "Kerry Jones on Peramangk Lands", "Hang's iPhone"), an e-mail address or a
    phone number. A note beside a role must name no one either: "Interviewer (Clara)" names her."""
    clean = " ".join(label.split()).strip("[]*:：. ")
    if not clean or clean in (NOTES_SPEAKER, HEADING_SPEAKER):
        return True
    for inner in re.findall(r"[(\[]([^()\[\]]*)[)\]]", clean):
        inner = inner.strip()
        if len(inner) > 1 and not inner.isdigit() and not names_nobody(inner):
            return False
    if "@" in clean or re.search(r"\d[\d ().-]{6,}\d", clean):
        return False  # an e-mail address, a phone number (Zoom shows them for who gave no name)
    if label_words(clean) in _SURNAME_ROLES:
        return False
    if GENERIC_LABEL.match(clean) or is_collective_label(clean) or is_placeholder_label(clean):
        return True
    # a description of several words ("HR officer 2", "Village head") or a numbered one ("Woman 1"); one word alone
    # is a role only when it is one of the interviewing, answering or placeholder labels above: "Field", "Head",
    # "Elder", "Host" are surnames too
    words = label_words(clean).split()
    described = len(words) > 1 or any(c.isdigit() for c in clean)
    return described and all(w in ROLE_WORDS or w.isdigit() or (w.endswith("s") and w[:-1] in ROLE_WORDS)
                             for w in words)


@dataclass(frozen=True)
class LabelName:
    """The person's name a speaker label gives, and what of the label was set aside to find it."""

    name: str | None  # None: the label gives no name (a device alone, an e-mail address with no name in it)
    set_aside: tuple[str, ...] = ()  # ("pronouns", "a device name", "'on Peramangk Lands'", ...)


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PRONOUN_WORDS = frozenset("she her hers he him his they them theirs ze zir hir xe xem ey em any all".split())
_PRONOUNS = re.compile(r"[^\W\d_]+(?:\s*/\s*[^\W\d_]+)+")
_TRAILING_PRONOUNS = re.compile(r"[\s,|–—-]+((?:she|he|they|ze|xe|ey)\s*/\s*[^\W\d_]+(?:\s*/\s*[^\W\d_]+)*)$", re.I)
# an Australian Teams display name acknowledges the land a person works on: "Kerry Jones on Peramangk Lands"
_ACKNOWLEDGMENT = re.compile(r"\s+(?:on|from)\s+(?:the\s+)?(?:unceded\s+)?(?:[^\W\d_][\w'’-]*\s+){1,5}?"
                             r"(?:lands?|country|countries|territory|territories|nation)\b.*$", re.I)
# "Name | Org", "Name - Org", "Name – Org", "Name · Org": an organisation or a role after the name
_SEPARATOR = re.compile(r"\s+[|–—·•/-]\s+|\s*[|·•]\s*")
# what follows a comma after a name when it is no first name ("Onno Meijer, PhD", "Clara Jensen, Programme Manager")
_DEGREES = frozenset("phd md msc ma mba mph bsc ba llm jd jr sr ii iii esq dphil edd".split())


def _comma_extra(after: str) -> bool:
    words = _WORD.findall(fold(after))
    return bool(words) and all(w in ROLE_WORDS or w in _DEGREES for w in words) and words[0] not in ("of", "and", "for")


def role_or_organisation(part: str) -> bool:
    """True for a part of a label beside a name that is no person: a role ("Respondent", "Programme Manager") or an
    organisation with an acronym in it ("ILO", "UN Women", "UNICEF Viet Nam"). A name written in capitals ("TRAN BAO
    LONG") is not an acronym."""
    words = part.split()
    caps = [w for w in words if len(w) > 1 and w.isupper()]
    if caps and (len(words) == 1 or len(caps) < len(words)):
        return True
    keys = label_words(part).split()
    return names_nobody(part) or (bool(keys) and all(k in ROLE_WORDS for k in keys))


def label_parts(label: str) -> list[str]:
    """The parts of a label that may each name someone: split where a separator ("Hoa Nguyen / Lan Tran", "Clara
    Jensen - ILO", "Better Work | Nguyen Lan") or "and" ("Hoa Nguyen and Lan Tran") stands, without brackets."""
    text = " ".join(_BRACKETS.sub(" ", " ".join(label.split()).strip("[]*:：")).split())
    out = []
    for part in _SEPARATOR.split(text):
        out += [p.strip(" ,;:") for p in re.split(r"\s+(?:and|&|\+)\s+", part.strip()) if p.strip(" ,;:")]
    return out


def label_name(label: str) -> LabelName:
    """The person's name in a speaker label as call tools and typists write it, with what was set aside: pronouns
    ("Ana (she/her)" -> "Ana"), a device ("Saurabh Swaroop's iPad" -> "Saurabh Swaroop", "iPhone de María" ->
    "María"), a place acknowledgment ("Kerry Jones on Peramangk Lands" -> "Kerry Jones"), an organisation or job title
    ("Tran Bao Long (MOLISA)", "Clara Jensen | ILO", "Onno Meijer, PhD" -> the name), an e-mail address (the name in
    it, "maria.lopez@ilo.org" -> "Maria Lopez", when it has one). A label that is a name already is its own name;
    one that gives none (a device alone, "Galaxy A52s", a phone number) has none."""
    text = " ".join(label.split()).strip("[]*:：").strip()
    aside: list[str] = []
    m = re.fullmatch(r"(.*?)\s*<\s*(" + EMAIL.pattern + r")\s*>", text)
    if m and m.group(1).strip():
        text = m.group(1).strip()
        aside.append("an e-mail address")
    if EMAIL.fullmatch(text):
        parts = [p for p in re.split(r"[._-]+", text.split("@")[0]) if p]
        if 2 <= len(parts) <= 4 and all(p.isalpha() and len(p) > 1 for p in parts):
            return LabelName(" ".join(p[:1].upper() + p[1:] for p in parts),
                             ("an e-mail address, its words read as the name",))
        return LabelName(None, ("an e-mail address",))
    if re.fullmatch(r"\+?[\d\s().-]{7,}", text) and sum(c.isdigit() for c in text) >= 7:
        return LabelName(None, ("a phone number",))

    def bracket(found: re.Match[str]) -> str:
        inner = found.group(0).strip()[1:-1].strip()
        if inner:
            is_pronouns = _PRONOUNS.fullmatch(inner) and all(
                w in _PRONOUN_WORDS for w in _WORD.findall(inner.casefold()))
            aside.append("pronouns" if is_pronouns else f"'{inner}'")
        return " "

    text = " ".join(_BRACKETS.sub(bracket, text).split())
    m = _TRAILING_PRONOUNS.search(text)
    if m and all(w in _PRONOUN_WORDS for w in _WORD.findall(m.group(1).casefold())):
        text = text[:m.start()].strip()
        aside.append("pronouns")
    m = _ACKNOWLEDGMENT.search(text)
    if m and m.start() > 0:
        aside.append(f"'{m.group(0).strip()}'")
        text = text[:m.start()].strip()
    parts = [p.strip() for p in _SEPARATOR.split(text) if p.strip()]
    if len(parts) > 1:
        # the name stands first, unless the first part is a role or an organisation ("ILO - Maria Lopez",
        # "Respondent - Hoa Tran", "UN Women - Hoa Tran")
        k = next((i for i, p in enumerate(parts) if not role_or_organisation(p)), 0)
        aside.append("'" + " - ".join(p for i, p in enumerate(parts) if i != k) + "'")
        text = parts[k]
    if text.count(",") == 1:
        before, after = (p.strip() for p in text.split(","))
        if before and _comma_extra(after):
            aside.append(f"'{after}'")
            text = before
    if is_device_label(text):
        kept = []
        for word in text.split():
            core = _POSSESSIVE.sub("", word).strip("'’")
            keys = _WORD.findall(fold(core))
            if not keys or any(k in DEVICE_WORDS or k in _OF_WORDS or k in ("user", "users") for k in keys) \
                    or any(c.isdigit() for c in core) or (core.isupper() and len(core) <= 2):
                continue
            kept.append(core)
        aside.append("a device name")
        text = " ".join(kept)
    text = text.strip(" ,;:-–—|")
    return LabelName(text or None, tuple(aside))


def name_tokens(name: str) -> frozenset[str]:
    """The words of a person's name, for comparing: folded, without honorifics, brackets, device words or a
    possessive ("Mr. Trần Bảo Long" and "Long, Tran Bao" -> {"tran", "bao", "long"}; "Hang's iPhone" -> {"hang"});
    of a label, the name :func:`label_name` finds in it ("Kerry Jones on Peramangk Lands" -> {"kerry", "jones"})."""
    found = label_name(name)
    if found.set_aside:
        if found.name is None:
            return frozenset()
        name = found.name
    text = _BRACKETS.sub(" ", name)
    words = _WORD.findall(fold(_POSSESSIVE.sub(" ", text)))
    if any(w in DEVICE_WORDS for w in words):
        words = [w for w in words if w not in DEVICE_WORDS and w not in _OF_WORDS and not w[:1].isdigit()
                 and not re.fullmatch(r"[a-z]\d+\w*|\d+\w*|[a-z]{1,2}", w)]
    while len(words) > 1 and words[0] in HONORIFICS:
        words = words[1:]
    return frozenset(w for w in words if not w.isdigit())


def name_match(label: str, name: str) -> int:
    """How surely a speaker label names this person: 3 the same words in any order ("Long Tran" / "Tran Long"),
    2 the label is part of the name ("Mr. Long", "Long Tran" / "Tran Bao Long"), 1 the name is part of the label
    ("Tran Bao Long (MOLISA)"), 0 no match."""
    a, b = name_tokens(label), name_tokens(name)
    if not a or not b:
        return 0
    if a == b:
        return 3
    if a < b:
        return 2
    if b < a:
        return 1
    return 0


def best_name(label: str, names: Sequence[str]) -> tuple[int | None, bool]:
    """The index of the name the label matches best, and whether that match is ambiguous (another name matches as
    well, as "Mr. Nguyen" does among three Nguyens). ``(None, False)`` when nothing matches."""
    scores = [name_match(label, n) for n in names]
    top = max(scores, default=0)
    if top == 0:
        return None, False
    best = [i for i, s in enumerate(scores) if s == top]
    return best[0], len(best) > 1


@dataclass
class SheetRow:
    """What speaker assignment needs from one case-sheet row."""

    case_id: str
    speaker: str | None = None  # the label the sheet gives (FGD participants, device labels)
    name: str | None = None  # confidential, used only to match labels


@dataclass
class Assignment:
    """The role and case decided for one speaker label, and how."""

    label: str
    role: str  # interviewer | informant | unknown
    case_id: str | None
    how: str  # a short phrase for the import report: "sheet speaker column", "interviewer column", ...


# the header keys that name the interviewing side ("Interviewer: Nadia Haddad")
ASKING_KEYS = frozenset("interviewer interviewers moderator facilitator note_taker notetaker".split())
# the header keys that name the people of an interview ("Participants: Elena Novak, Clara Jensen")
HEADER_NAME_KEYS = ASKING_KEYS | frozenset("""informant interviewee respondent participants participant translator
    interpreter speakers_listed speakers present attendees persons people""".split())
_SPLIT_NAMES = re.compile(r"\s*(?:;|/|&|\+|\band\b|\bvà\b|\bet\b|\by\b|\bund\b)\s*", re.I)


def split_names(value: Any) -> list[str]:
    """The names in a list of people (a case sheet's interviewer column, a header's "Participants:"): "Clara
    Jensen; Tran Bao Long", "Clara Jensen and Long", "Elena Novak, Marta Ruiz, Hoa". A comma between two parts
    separates names only when each is a full name: "Jensen, Clara" is one person, written last name first."""
    out: list[str] = []
    for part in _SPLIT_NAMES.split(str(value or "")):
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) > 2 or (len(pieces) == 2 and all(len(p.split()) >= 2 for p in pieces)):
            out.extend(pieces)
        elif pieces:
            out.append(", ".join(pieces))
    return [" ".join(n.split()) for n in out]


_DESCRIBED = re.compile(r"\s[-–—|·•]\s")


def header_names(metadata: Mapping[str, Any]) -> list[str]:
    """The names a transcript's header gives its people ("Participants: Elena Novak, Clara Jensen (note taker)"),
    by :func:`split_names`."""
    names: dict[str, None] = {}
    for key, value in metadata.items():
        if key not in HEADER_NAME_KEYS:
            continue
        # a front matter's list ("speakers: ['Andreas Antonopoulos']") names one person an item
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) <= 300:
                for name in split_names(re.sub(r"\([^()]*\)", "", item)):
                    # "Professor Mário Farelo - Departamento de História": the person, not their department
                    person = label_name(name).name if _DESCRIBED.search(name) else name
                    if person:
                        names.setdefault(person, None)
    return list(names)


#: how an assignment says a case-sheet row of initials fitted several speakers, so none was given its case
AMBIGUOUS_ROW = "not matched: the case-sheet row"
#: a label of two to four capital initials ("EN", "E.N.", "N T H")
INITIALS = re.compile(r"(?:[A-Z]\.?\s?){2,4}")
#: titles before a name ("Dr.", "Sra.", "Ông"), in lower case and without their full stop: the one list the label
#: reader (a title before capitalised words is a label), the initials ("Dr." is no initial) and the pseudonymiser (a
#: title is no part of the name, and goes with the name it stands before) compare with. Name matching strips the
#: broader HONORIFICS.
TITLES = frozenset("""mr mrs ms miss mx mister madam madame mme mlle sir dr prof professor professora sr sra dra ông bà
    anh chị""".split())


def initials_of(name: str) -> set[str]:
    """"EN" for "Elena Novak" (and for "Novak, Elena", written last name first); "NTH" and "NH" for "Nguyen Thi Hoa";
    a title ("Dr.") is no initial; none for a name of one word or with a word in lower case."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name) if w.casefold().rstrip(".") not in TITLES]
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return set()
    every = "".join(w[0] for w in words)
    return {every, every[0] + every[-1]}


def initials_fit(label: str, names: Sequence[str]) -> list[str]:
    """The ``names`` whose initials a label of initials stands for ("EN" fits "Elena Novak" and "Emil Nowak"); none
    when the label is no initials. The one rule the transcript reader and the case sheet match initials by: a caller
    takes a name only when exactly one fits."""
    if not INITIALS.fullmatch(label):
        return []
    letters = re.sub(r"[^A-Z]", "", label)
    return [n for n in dict.fromkeys(names) if letters in initials_of(n)]


def assign_speakers(
    labels: Sequence[str],
    units: dict[str, int],
    questions: dict[str, int],
    rows: Sequence[SheetRow],
    *,
    interviewers: Iterable[str] = (),
    kii: bool | None = None,
) -> list[Assignment]:
    """Decide each label's role and case.

    ``units`` and ``questions`` count each label's units and question-mark sentences (to recognise an unnamed
    interviewer); ``rows`` are the transcript's case-sheet rows; ``interviewers`` the names in the sheet's
    interviewer column (and the transcript's own 'interviewer:' line); ``kii`` whether the transcript is a
    key-informant interview (one sheet row without a speaker says so too).

    In order: the sheet's speaker column (exact label, then the same name in any form), the interviewer column and
    the usual interviewer labels, the sheet's informant names, and finally, in a KII, the one remaining speaker
    takes the transcript's case. An unnamed pair ("Speaker 1", "Speaker 2") gets its interviewer from who asks the
    questions, and the report says it was guessed.
    """
    out: dict[str, Assignment] = {}
    named = [r for r in rows if r.speaker]
    single = [r for r in rows if not r.speaker]
    is_kii = kii if kii is not None else (len(rows) == 1 and not named) or (bool(single) and not named)
    interviewer_names = [n for n in interviewers if n and n.strip()]
    speaking = [lab for lab in labels if lab not in (HEADING_SPEAKER,)]
    taken: set[str] = set()
    ambiguous_rows: dict[str, list[str]] = {}

    # 1. the sheet's speaker column, exactly (device labels, P1, "HR officer 2") or as the same name
    for label in speaking:
        row = next((r for r in named if r.speaker == label), None)
        if row is None:
            folded = label_words(label) or fold(label)
            row = next((r for r in named if (label_words(r.speaker or "") or fold(r.speaker or "")) == folded
                        and not _numbered_differently(label, r.speaker or "")), None)
        if row is None:
            idx, ambiguous = best_name(label, [r.speaker or "" for r in named])
            if idx is not None and not ambiguous and name_match(label, named[idx].speaker or "") >= 2:
                row = named[idx]
        if row is None and initials_of(label):
            # the sheet names by initials ("EN") a speaker the transcript names in full ("Elena Novak"): only when
            # one row fits the speaker and the row fits no other speaker ("Elena Novak" and "Emil Nowak" are both EN)
            fits = [r for r in named if initials_fit(r.speaker or "", [label])]
            if len(fits) == 1 and initials_fit(fits[0].speaker or "", speaking) == [label]:
                row = fits[0]
            elif len(fits) == 1 and fits[0].speaker not in ambiguous_rows:
                ambiguous_rows[fits[0].speaker or ""] = initials_fit(fits[0].speaker or "", speaking)
        if row is not None and row.case_id not in taken:
            out[label] = Assignment(label, "informant", row.case_id, "case sheet speaker column")
            taken.add(row.case_id)
    # 2. the interviewing side
    for label in speaking:
        if label in out:
            continue
        if label == NOTES_SPEAKER:
            continue
        if is_interviewer_label(label):
            out[label] = Assignment(label, "interviewer", None, "interviewer label")
            continue
        idx, _ = best_name(label, interviewer_names)
        if idx is not None and name_match(label, interviewer_names[idx]) >= 2:
            out[label] = Assignment(label, "interviewer", None, "interviewer column")
    # 3. informants named in the sheet's name column
    by_name: set[str] = set()
    for label in speaking:
        if label in out or label == NOTES_SPEAKER:
            continue
        # a KII's one informant may be labelled two ways ("Monica", "Monica Powell"): both are that informant
        candidates = [r for r in rows if r.name and (r.case_id not in taken or is_kii and r.case_id in by_name)]
        idx, ambiguous = best_name(label, [r.name or "" for r in candidates])
        if idx is not None and not ambiguous and name_match(label, candidates[idx].name or "") >= 2:
            out[label] = Assignment(label, "informant", candidates[idx].case_id, "case sheet name")
            taken.add(candidates[idx].case_id)
            by_name.add(candidates[idx].case_id)
    # 4. an unnamed interviewer: in a two-voice interview, the one who asks the questions
    rest = [lab for lab in speaking if lab not in out and lab != NOTES_SPEAKER]
    has_interviewer = any(a.role == "interviewer" for a in out.values())
    if not has_interviewer and len(rest) == 2 and (is_kii or not rows):
        a, b = rest
        qa, qb = questions.get(a, 0), questions.get(b, 0)
        if max(qa, qb) >= 3 and max(qa, qb) >= 3 * max(1, min(qa, qb)):
            asker = a if qa > qb else b
            out[asker] = Assignment(asker, "interviewer", None, ASKER_GUESS)
            rest.remove(asker)
    # 5. a KII's one remaining speaker, or a notes file, is the transcript's informant
    if single and is_kii:
        case_id = single[0].case_id
        remaining = [lab for lab in rest if lab not in out]
        voices = [lab for lab in remaining if lab != NOTES_SPEAKER]
        if NOTES_SPEAKER in labels:
            out[NOTES_SPEAKER] = Assignment(NOTES_SPEAKER, "informant", case_id, "notes of the interview")
        if case_id in taken:
            pass  # the informant was found by name: another voice ("Unknown Speaker") stays undecided
        elif len(voices) == 1:
            out[voices[0]] = Assignment(voices[0], "informant", case_id, "the interview's one informant")
        elif voices:
            # Several unnamed voices in a KII: the one who speaks most is the informant; the others stay unknown
            # (and the report warns), rather than every voice becoming the informant.
            main = max(voices, key=lambda lab: units.get(lab, 0))
            if units.get(main, 0) * 2 > sum(units.get(lab, 0) for lab in voices):
                out[main] = Assignment(main, "informant", case_id, "guessed: speaks most")
    elif NOTES_SPEAKER in labels and NOTES_SPEAKER not in out:
        out[NOTES_SPEAKER] = Assignment(NOTES_SPEAKER, "informant", None, "notes of the interview")
    if HEADING_SPEAKER in labels:
        out[HEADING_SPEAKER] = Assignment(HEADING_SPEAKER, "interviewer", None, "heading (context, not coded)")
    respondents = f4_respondents(labels)
    # "A:" answers a "Q:" (or another interviewer's label); without one, "A1", "A5" are people's codes (the authors
    # of a study beside its participants "P1") of any role
    answering = any(is_interviewer_label(lab) for lab in labels)
    for label in labels:
        if label not in out:
            role = role_of_label(label)
            if role == "informant" and label_words(label) in _ANSWER_LABELS and not answering:
                role = None
            if label in respondents:
                out[label] = Assignment(label, "informant", None,
                                        "guessed: f4/f5 convention, I: asks, B:, IP: or TN: answers")
                continue
            row_of = next((r for r, fit in ambiguous_rows.items() if label in fit), None)
            how = (f"{AMBIGUOUS_ROW} '{row_of}' fits {quoted_list(ambiguous_rows[row_of], None)} alike"
                   if row_of is not None else "not matched")
            out[label] = Assignment(label, "informant" if role == "informant" else "unknown", None, how)
    return [out[lab] for lab in labels]


def _numbered_differently(a: str, b: str) -> bool:
    """"HR officer 1" and "HR officer 2" fold to the same words but are two people."""
    na, nb = re.findall(r"\d+", a), re.findall(r"\d+", b)
    return na != nb


# A conversation with more voices beside its interviewer than this is no focus group (a meeting, a hearing): no
# voice is taken for an informant and it is not typed.
MOST_IN_A_GROUP = 12
# Beside the interviewer, fewer voices than this are as often a paired or small-group interview as a focus group.
FEWEST_IN_A_GROUP = 3
# A voice with no more units than this, and a quarter or less of what the main voice beside the interviewer says, is a
# passing one: someone who looked in, or a transcription tool splitting off a few words of another voice ("Speaker 4:
# Hello."). It does not make a conversation a focus group, and under a tool's numbered label it is no informant.
PASSING_UNITS = 2


@dataclass
class ConversationGuess:
    """What an import guesses of a conversation that no case sheet or file describes, and what it says about it."""

    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (role, how), for labels it decides
    type: str | None = None  # the transcript type to record ("FGD", "KII", "IDI"), when it had none
    said: list[str] = field(default_factory=list)  # each guess, with how to correct it
    undecided: str | None = None  # why the voices' roles stay unknown, with how to set them

    def warning(self) -> str | None:
        """The guesses in one sentence (or why nothing was guessed); None when there is nothing to say."""
        return "; ".join(self.said) if self.said else self.undecided


def guess_conversation(
    tid: str,
    speakers: Sequence[tuple[str, str, str | None]],
    units: dict[str, int],
    questions: dict[str, int],
    *,
    typed: str = "",
    names: Sequence[str] = (),
    settled: Iterable[str] = (),
) -> ConversationGuess:
    """Roles and interview type of a conversation that nothing else describes, guessed from its speakers alone.

    ``speakers`` are its labels with the role and case decided so far (label, role, case); ``units`` and
    ``questions`` count each label's units and questions; ``typed`` is the type it already has; ``names`` are its
    file or source name and its id, which may say what it is ("KII-20 ministry.txt", "fgd_savings_groups");
    ``settled`` the labels whose role a user set by hand, which are never changed, "unknown" included.

    Beside a labelled interviewer (or facilitator, moderator) every other voice is an informant; a collective or
    unattributed label ("All", "Crosstalk", "Unknown Speaker") is neither an informant nor a voice. Of two voices
    labelled by name only, the one who asks the questions is the interviewer. The type, unless it has one, is the
    one its name gives, else a focus group when three or more voices speak beside the interviewer (two are as often
    a paired interview: it stays a key-informant interview, and the warning says how to say otherwise). More voices
    than a focus group holds, or no interviewer, and nothing is guessed: the warning says the roles are unknown. A
    passing voice (at most two units, a quarter or less of the main voice's) is not counted towards a focus group, and
    under a tool's numbered label ("Speaker 4") is left unknown: transcription tools split off a few words of another
    voice under a label of its own.
    Speakers already decided (a role, a case) are left as they are. Every guess is named, with the command that
    corrects it."""
    out = ConversationGuess()
    speakers = [s for s in speakers if s[0] not in (HEADING_SPEAKER, NOTES_SPEAKER)]
    asking = [label for label, role, _ in speakers if role == "interviewer"]
    voices = [label for label, role, _ in speakers if role != "interviewer" and not is_collective_label(label)]
    kept = set(settled)
    unknown = [label for label, role, case in speakers
               if label in voices and role == "unknown" and not case and label not in kept]
    set_role = f"qualcode transcripts set-role {tid}"
    if not voices:
        return out
    if not asking and len(voices) == 2 and unknown:
        # "Dan" and "Participant": the one whose label says nothing may be the one asking, beside an informant's label
        decided = assign_speakers(voices, units, questions, [])
        asker = next((a.label for a in decided if a.role == "interviewer"), None)
        if asker is not None and asker in unknown:
            out.roles[asker] = ("interviewer", ASKER_GUESS)
            out.said.append(f"read '{asker}' as the interviewer (asks the questions)")
            asking = [asker]
            voices = unknown = [label for label in voices if label != asker]
    if not asking or len(voices) > MOST_IN_A_GROUP:
        if unknown:
            why = "no speaker is labelled as the interviewer" if not asking else \
                f"{len(voices)} voices speak beside the interviewer, more than a focus group holds"
            out.undecided = (f"{why}, so the roles of {len(unknown)} speaker(s) ({quoted_list(unknown)}) are unknown"
                             " and its type is not known (counted as a key-informant interview); set them with"
                             f" '{set_role} LABEL interviewer|informant' and give it a 'type' in a case sheet")
        return out
    most = max((units.get(label, 0) for label in voices), default=0)
    passing = [label for label in voices
               if units.get(label, 0) <= PASSING_UNITS and units.get(label, 0) * 4 <= most]
    split_off = [label for label in passing if label in unknown and role_of_label(label) == "unknown"]
    unknown = [label for label in unknown if label not in split_off]
    speaking = [label for label in voices if label not in passing]
    typed = str(typed or "").strip()
    named, name = None, ""
    for candidate in names:
        named = type_from_name(candidate)
        if named:
            name = candidate
            break
    if named == "KII" and len(speaking) < 2:
        named = None  # what an untyped interview counts as anyway: nothing to write or to say
    if typed:
        group = is_group_type(typed)
    elif named:
        group = named == "FGD"
    else:
        group = len(speaking) >= FEWEST_IN_A_GROUP
    how = "guessed: a voice beside the interviewer" + (" in a focus group" if group else "")
    for label in unknown:
        out.roles[label] = ("informant", how)
    if not typed and (named or group):
        out.type = named or "FGD"
    beside = f"{len(speaking)} voice{'s' if len(speaking) != 1 else ''} beside the interviewer" + (
        f", not counting {len(passing)} that say{'s' if len(passing) == 1 else ''} only a few words" if passing else "")
    if not typed and named:
        what = "a focus group" if named == "FGD" else f"an interview ({named})"
        out.said.append(f"typed as {what}, as its name '{name}' says ({beside}; if it is not one, give it its 'type'"
                        " in a case sheet)")
    elif not typed and group:
        out.said.append(f"typed as a focus group ({beside}; if it is not one, give it its 'type' in a case sheet)")
    elif not typed and len(speaking) > 1:
        out.said.append(f"counted as a key-informant interview ({beside}, too few to call it a focus group without a"
                        " type; if it is one, give it the 'type' FGD in a case sheet)")
    if unknown:
        out.said.append(f"read {quoted_list(unknown)} as {'its informants' if len(unknown) > 1 else 'its informant'}"
                        f" (if wrong: '{set_role} LABEL interviewer|unknown')")
    if split_off:
        out.said.append(f"left {quoted_list(split_off)} unknown (only a few words under a transcription tool's numbered"
                        f" label, often another voice split off; if a person: '{set_role} LABEL informant')")
    return out


def quoted_list(labels: Sequence[str], most: int | None = 4, more: bool = True) -> str:
    """The labels quoted and joined with ", ": the first ``most`` of them (all when None), then ", ..." when some
    were left out and ``more`` is set."""
    shown = labels if most is None else labels[:most]
    return ", ".join(f"'{label}'" for label in shown) + (", ..." if more and len(shown) < len(labels) else "")
