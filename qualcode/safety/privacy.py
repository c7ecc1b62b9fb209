"""Confidentiality: anonymous attributions and pseudonymised quotes.

Evaluation reports quote informants with an attribution that does not name them ("Interview with an HR manager of a
factory, Hai Phong"); names appear only in the annex of persons consulted. Every export and the report therefore
attribute quotes as :mod:`qualcode.safety.attribution` says (the consented wording, or the project's template) and
pass quote text through a :class:`Pseudonymiser`, unless the user explicitly asks for names (``--show-names``).

The pseudonymiser only replaces names it knows (the case sheet, speaker labels, interviewers) plus e-mail addresses
and phone numbers: a capitalised-word heuristic restricted to known names, so "Thanh Hoa" (a province) survives while
"Ms. Hoa" and "Hoa said" do not. If a trained spaCy pipeline is installed, its PERSON entities are replaced too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.folding import fold
from qualcode.safety.attribution import Attributor, attribution
from qualcode.speakers import (
    EMAIL,
    GENERIC_LABEL,
    TITLES,
    header_names,
    label_name,
    label_parts,
    names_nobody,
    role_or_organisation,
)

__all__ = ["Attributor", "Pseudonymiser", "attribution", "speaker_label"]

if TYPE_CHECKING:
    from qualcode.store import Project



def _is_title(word: str) -> bool:
    """A title as written, accents and all: "Ông" and "Bà" are titles, "Ong" (a surname) and "Ba" (a given name)
    are names; folded, they would be one word and a name would be dropped as a title."""
    return unicodedata.normalize("NFC", word).casefold().rstrip(".") in TITLES


PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,}\d(?!\w)")
# A letter with any combining accents after it: text typed or pasted in decomposed form (NFD, as macOS file names
# and some Word documents hold "Trần" as "Tra" + two accents + "n") is one word, not three pieces of a name.
_LETTER = r"(?:[^\W\d_][\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*)"
WORD = re.compile(rf"{_LETTER}+(?:['’]{_LETTER}+)?")
# What may stand between the words of one name: a space or two; or a line break where a text was wrapped ("Tran Van"
# at the end of a line, "Nam" on the next), but only inside a full name the project knows: names on lines of their
# own ("Hoa" then "Nam: yes", a list of attendees) stay apart. No sentence end, comma, tab or paragraph break.
_NAME_GAP = re.compile(r"[ \u00a0]{1,2}")
_WRAP_GAP = re.compile(r"[ \u00a0]*\r?\n[ \u00a0]*")
MIN_BARE = 3  # shorter name parts ("Le", "Do", "Vu") are common words; replace them only in full names or after a title


# ---------------------------------------------------------------------------------------------- pseudonyms


#: What an export shows for a person it cannot name: a third party, an informant named in someone else's interview
#: (their id would tell every reader who advised whom), anyone the pseudonymiser cannot tell apart.
NEUTRAL = "[name]"
NAMES_SETTING = "third_party_names"
#: names on the name list (an evaluation lists tens, a large one hundreds)
MAX_NAMES = 10_000
#: characters of one name or placeholder
MAX_NAME_CHARS = 200
# English words that are also name syllables: written in lower case they are the word, not the name
_COMMON_LOWER = {"long", "son", "can", "man", "tan", "hang", "hung", "dung", "ban", "bang", "bin", "lam", "van", "yen",
                 "kim", "pam", "sun", "thu", "tam", "tin", "ton", "toan", "may", "mine", "will", "rose", "grace",
                 "hope", "joy", "mark", "bill", "john", "the", "and", "for", "not", "all", "but", "one", "two"}
# the shape of one Vietnamese syllable, accents folded: "Thanh", "Phong", "Hoa" (a place-name part), not "Monday"
_VI_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
                          r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uy|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|"
                          r"ua|ue|ui|uo|ya|ye|[aeiouy])(?:ch|ng|nh|[cmnptiouy])?$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)
TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Madam|Sir)\b\.?[ \u00a0]+"
                    rf"(?:[A-Z][\u0300-\u036f]*{_LETTER}*(?:['’-]{_LETTER}+)*)"
                    rf"(?:[ \u00a0]+[A-Z][\u0300-\u036f]*{_LETTER}*(?:['’-]{_LETTER}+)*){{0,2}}")


@dataclass(eq=False)
class Person:
    """Someone whose name must not appear in an export.

    ``kind`` is ``informant``, ``interviewer``, ``speaker`` (a named speaker with no case) or ``third`` (someone
    mentioned, from the project's name list). Informants' and speakers' pseudonyms hold only in their own
    transcripts; elsewhere they become :data:`NEUTRAL`."""

    pseudonym: str
    names: list[str] = field(default_factory=list)
    transcripts: set[str] = field(default_factory=set)
    kind: str = "informant"

    def parts(self) -> set[str]:
        # "de", "dos", "van" inside "Deborah Perrota de Andrade" are found with the full name only, never alone
        return {w for n in self.names for w in _name_words(n)} - {
            fold(w) for n in self.names for w in WORD.findall(n) if w in NAME_PARTICLES}

    def given(self) -> set[str]:
        """Words a person is called by on their own: the last word of a Vietnamese-order name ("Hoa" of "Nguyen
        Thi Hoa"), the first of a two-word Western name ("Sarah")."""
        out = set()
        longest = max((len(_name_words(n)) for n in self.names), default=0)
        for n in self.names:
            words = _name_words(n)
            if words:
                out.add(words[-1])
                if len(words) == 2 == longest:
                    out.add(words[0])
        return out

    def full_keys(self) -> set[tuple[str, ...]]:
        return {tuple(_name_words(n)) for n in self.names if len(_name_words(n)) > 1}

    def shown_as(self, transcript: str | None) -> str:
        """The pseudonym in this transcript: an informant's id only where they spoke, never elsewhere."""
        if self.kind in ("informant", "speaker") and (transcript is None or transcript not in self.transcripts):
            return NEUTRAL
        return self.pseudonym


@dataclass
class Replacement:
    """One identifier found in a text: where, what replaces it, and what kind of identifier it is."""

    start: int
    end: int
    replacement: str
    kind: str


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:;\"“‘(\n-–—"


def _name_words(name: str) -> list[str]:
    raw = [w for w in (_POSSESSIVE.sub("", w) for w in WORD.findall(name)) if fold(w)]
    # a leading title is not part of the name ("Ms. Hoa", "Ông Tân"), but "Anh" is also a given name ("Bui Duc
    # Anh") and "Ong" a surname ("Ong Siew Mei")
    while len(raw) > 1 and _is_title(raw[0]):
        raw = raw[1:]
    return [fold(w) for w in raw]


def name_key(name: str) -> tuple[str, ...]:
    """A person's name as compared (folded words, without a leading title): "Ms. Hoa" and "hoa" are one key."""
    return tuple(_name_words(name))


#: the small words inside names written in lower case ("Deborah Perrota de Andrade", "Ludwig van Beethoven",
#: "Siti binti Ahmad")
NAME_PARTICLES = frozenset("de da do dos das di del della der den van von la le du des y e bin binti al el ter ten zu"
                           .split())


def _looks_like_name(label: str) -> bool:
    """'Nguyen Van Hai', 'Ms. Hoa', 'Clara', '李明', 'Deborah Perrota de Andrade' are names; 'Better Work officer',
    'P1', 'Interviewer' are not."""
    words = WORD.findall(label)
    return bool(words) and not any(c.isdigit() for c in label) \
        and all(w[:1].isupper() or _uncased(w) or 0 < i < len(words) - 1 and w in NAME_PARTICLES
                for i, w in enumerate(words)) and bool(_name_words(label))


def _uncased(word: str) -> bool:
    """A word of a script without capitals ("李明", "สมชาย"): it cannot be told a name by its first letter."""
    return len(word) >= 2 and all(c.lower() == c.upper() for c in word if c.isalpha())


def speaker_names(label: str) -> list[str]:
    """The name to look for in text that a speaker label gives: its person's name when it is one ("Ana" of "Ana
    (she/her)", "Hang" of "Hang's iPhone", "Kerry Jones" of "Kerry Jones on Peramangk Lands"); none for a label that
    names nobody ("Speaker 1") or whose words are no name ("Better Work officer", a device alone)."""
    clean = label.strip().strip("[]").rstrip(":").strip()
    if not clean or names_nobody(clean):
        return []
    name = label_name(clean).name
    out = [name] if name and _looks_like_name(name) else []
    # and everyone else the label may name: a shared microphone ("Hoa Nguyen / Lan Tran"), the person after a role
    # or an organisation ("Respondent - Hoa Tran"); what is not plainly a role or an organisation counts as a name
    parts = label_parts(clean)
    if len(parts) > 1:
        for part in parts:
            other = label_name(part).name
            if other and other not in out and _looks_like_name(other) and not role_or_organisation(part) \
                    and not names_nobody(part):
                out.append(other)
    return out


def _vietnamese_word(word: str) -> bool:
    """A syllable that can be half of a Vietnamese place name ("Thanh" of "Thanh Hoa", "Phong" of "Hai Phong")."""
    return bool(_VI_SYLLABLE.match(fold(word))) or (not word.isascii() and word.isalpha())


_KIND = {"informant": "informant name", "interviewer": "interviewer name", "speaker": "speaker name",
         "third": "third party"}


class Pseudonymiser:
    """Replace people's names, e-mail addresses and phone numbers in text an export shows.

    Informants become ``[informant KII-03]`` (their case id) in their own transcript and ``[name]`` anywhere else
    (an informant named in another interview must not be linked to theirs); interviewers ``[interviewer 1]``;
    people of the project's name list their placeholder (``[name]`` unless the user set a role); anyone else whose
    name is known, or who is named with a title ("Mr. Khanh"), ``[name]``. Names are found in any case ("PHUC",
    "phuc" unless it is an ordinary word), with a possessive ("Phuc's team" -> "[name]'s team"), next to other
    capitalised words ("I told Phuc Monday"), but not inside a place name ("Thanh Hoa", "Hai Phong", the case
    sheet's locations). With ``enabled=False`` text is returned unchanged (the user asked for names).
    """

    def __init__(self, project: Project | None = None, *, people: Iterable[Person] = (), enabled: bool = True,
                 use_ner: bool = True, places: Iterable[str] = ()) -> None:
        self.enabled = enabled
        self.people: list[Person] = list(people)
        self._nlp: Any = None
        self._ner_checked = not use_ner
        place_names = list(places)
        if project is not None:
            self.people.extend(_people_of(project))
            place_names.extend(_places_of(project))
        self._places = {tuple(_name_words(p)) for p in place_names if len(_name_words(p)) > 1}
        self._index()

    def _index(self) -> None:
        self._by_part: dict[str, list[Person]] = {}
        self._full: dict[tuple[str, ...], list[Person]] = {}
        for person in self.people:
            for part in person.parts():
                self._by_part.setdefault(part, []).append(person)
            for key in person.full_keys():
                self._full.setdefault(key, []).append(person)
        # the beginnings of full names: a run of name parts may go on across a line break only while it is one
        self._prefixes = {key[:m] for key in self._full for m in range(2, len(key) + 1)}
        # name parts some known name writes without accents ("Will", "Le The Anh"); "Thế" of "Lê Thế Anh" is not one
        self._plain_parts = {fold(w) for p in self.people for n in p.names for w in WORD.findall(n) if w.isascii()}

    def __call__(self, text: str, transcript: str | None = None) -> str:
        return self.apply(text, transcript)

    def apply(self, text: str, transcript: str | None = None) -> str:
        """The text with every known name, titled name, e-mail address and phone number replaced."""
        if not self.enabled or not text:
            return text
        return self.replace(text, self.find(text, transcript))

    @staticmethod
    def replace(text: str, found: list[Replacement]) -> str:
        out, pos = [], 0
        for r in found:
            out.append(text[pos:r.start])
            out.append(r.replacement)
            pos = r.end
        out.append(text[pos:])
        return "".join(out)

    def find(self, text: str, transcript: str | None = None) -> list[Replacement]:
        """Every identifier in ``text`` (non-overlapping, in order), with what an export shows instead."""
        found: list[Replacement] = []
        if "@" in text:
            found += [Replacement(m.start(), m.end(), "[email]", "e-mail address") for m in EMAIL.finditer(text)]
        if any(c.isdigit() for c in text):
            found += [Replacement(m.start(), m.end(), "[phone]", "phone number") for m in PHONE.finditer(text)
                      if sum(c.isdigit() for c in m.group()) >= 9]
        found = _merge(found, self._names(text, transcript))
        found = _merge(found, self._titled(text))
        return _merge(found, self._ner(text))

    def _titled(self, text: str) -> list[Replacement]:
        """A title followed by capitalised words names a person even when nobody listed them ("Mr. Khanh")."""
        out = []
        for m in TITLED.finditer(text):
            end = m.end()
            poss = _POSSESSIVE.search(m.group())
            if poss:
                end -= len(poss.group())
            out.append(Replacement(m.start(), end, NEUTRAL, "unknown name"))
        return out

    def _names(self, text: str, transcript: str | None) -> list[Replacement]:
        tokens = []
        for m in WORD.finditer(text):
            word = m.group()
            core = _POSSESSIVE.sub("", word) if len(word) > 2 else word
            tokens.append((m.start(), m.start() + len(core), core))
        keys = [fold(w) for _, _, w in tokens]
        if not any(k in self._by_part for k in keys):
            return []
        protected = self._place_tokens(keys)
        out: list[Replacement] = []
        i, n = 0, len(tokens)

        def known(x: int) -> bool:
            return keys[x] in self._by_part and x not in protected

        while i < n:
            start = tokens[i][0]
            title_start = None
            j = i
            if _is_title(tokens[i][2]) and i + 1 < n \
                    and re.fullmatch(r"\.?[ \u00a0]+", text[tokens[i][1]:tokens[i + 1][0]]) and known(i + 1):
                title_start, j = start, i + 1
            if not known(j):
                i += 1
                continue
            cap = tokens[j][2][:1].isupper() or _uncased(tokens[j][2])
            # the longest run of known name parts separated only by spaces ("Nguyen Thi Hoa", "Hoa")
            k = j
            before_wrap = None  # where the run ended before it first went on across a line break
            while k + 1 < n and known(k + 1) and tokens[k + 1][2][:1].isupper() == cap:
                gap = text[tokens[k][1]:tokens[k + 1][0]]
                if not _NAME_GAP.fullmatch(gap):
                    if not (_WRAP_GAP.fullmatch(gap) and tuple(keys[j:k + 2]) in self._prefixes):
                        break
                    before_wrap = k if before_wrap is None else before_wrap
                k += 1
            if before_wrap is not None and tuple(keys[j:k + 1]) not in self._full:
                k = before_wrap  # the beginning of a name on one line, not all of it: the line break ends it
            run = tuple(keys[j:k + 1])
            if title_start is None:
                if not cap and not (len(run) > 1 and run in self._full):
                    # lower case: a full name, or a lone name part that is no ordinary English word
                    if len(run) > 1 or len(keys[j]) < MIN_BARE or keys[j] in _COMMON_LOWER:
                        i += 1
                        continue
                elif cap and len(run) == 1 and (not self._bare_ok(text, tokens, keys, j)
                                                 or (keys[j] in _COMMON_LOWER and tokens[j][2].isascii()
                                                     and keys[j] not in self._plain_parts)):
                    # an English word written plainly where every known name writes it with accents ("The" at a
                    # sentence start, while someone is called "Thế") is the word
                    i += 1
                    continue
            person = self._resolve(run, transcript)
            shown = person.shown_as(transcript) if person is not None else NEUTRAL
            kind = _KIND.get(person.kind, "person name") if person is not None else "person name"
            out.append(Replacement(title_start if title_start is not None else tokens[j][0], tokens[k][1], shown,
                                   kind))
            i = k + 1
        return out

    def _place_tokens(self, keys: list[str]) -> set[int]:
        """Tokens that belong to a place name the project knows ("Hai Phong" while Hai is someone's name)."""
        out: set[int] = set()
        for place in self._places:
            size = len(place)
            for x in range(len(keys) - size + 1):
                if tuple(keys[x:x + size]) == place:
                    out.update(range(x, x + size))
        return out

    def _bare_ok(self, text: str, tokens: list[tuple[int, int, str]], keys: list[str], j: int) -> bool:
        """A lone capitalised name part is a name unless it is part of another proper noun: a neighbour that is
        half of a Vietnamese place name ("Thanh Hoa", "Hai Phong"). An English word next to it ("Phuc Monday",
        "Lan Company") does not make it a place."""
        if len(tokens[j][2]) < MIN_BARE and not _uncased(tokens[j][2]):
            return False
        for nb in (j - 1, j + 1):
            if 0 <= nb < len(tokens):
                a, b = sorted((nb, j))
                gap = text[tokens[a][1]:tokens[b][0]]
                word = tokens[nb][2]
                if gap == " " and word[:1].isupper() and keys[nb] not in self._by_part and not _is_title(word) \
                        and len(word) > 1 and _vietnamese_word(word) \
                        and not (nb < j and _sentence_start(text, tokens[nb][0])):
                    return False
        return True

    def _resolve(self, run: tuple[str, ...], transcript: str | None) -> Person | None:
        """The one person a run of name parts names, or None when it is ambiguous or nobody's full name."""
        candidates = self._full.get(run) if len(run) > 1 else None
        if not candidates:
            sets = [set(self._by_part.get(p, [])) for p in run]
            common = set.intersection(*sets) if sets else set()
            candidates = sorted(common, key=lambda p: p.pseudonym)
        if len(candidates) > 1 and len(run) == 1:
            called = [p for p in candidates if run[0] in p.given()]
            if called:
                candidates = called
        if len(candidates) > 1 and transcript:
            local = [p for p in candidates if transcript in p.transcripts]
            if local:
                candidates = local
        return candidates[0] if len({id(p) for p in candidates}) == 1 else None

    def _ner(self, text: str) -> list[Replacement]:
        """PERSON entities from a trained spaCy pipeline, when one is installed (never downloaded)."""
        if not self._ner_checked:
            self._ner_checked = True
            try:
                from importlib.metadata import entry_points

                # trained pipelines register this entry point; looking costs nothing, importing spaCy costs seconds
                models = sorted(ep.name for ep in entry_points(group="spacy_models"))
                if models:
                    import spacy

                    self._nlp = spacy.load(models[0], disable=["parser", "lemmatizer", "tagger"])
            except Exception:  # no usable pipeline: the known-name heuristic is all we have
                self._nlp = None
        if self._nlp is None:
            return []
        return [Replacement(ent.start_char, ent.end_char, NEUTRAL, "person name") for ent in self._nlp(text).ents
                if ent.label_ == "PERSON"]

    def known_names(self) -> list[str]:
        """Every name this pseudonymiser replaces (for checks and tests)."""
        return sorted({n for p in self.people for n in p.names})


def _merge(first: list[Replacement], more: list[Replacement]) -> list[Replacement]:
    """``first`` plus the replacements of ``more`` that overlap none of them, in text order."""
    taken = sorted(first, key=lambda r: r.start)
    for r in more:
        if not any(r.start < t.end and t.start < r.end for t in taken):
            taken.append(r)
    return sorted(taken, key=lambda r: r.start)


def third_parties(project: Project) -> list[dict[str, Any]]:
    """The project's name list: people mentioned in the transcripts who are not informants (``name``, ``as``)."""
    import json

    try:
        data = json.loads(project.setting(NAMES_SETTING) or "[]")
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict) and d.get("name")]


def _places_of(project: Project) -> list[str]:
    """Place and organisation names of the case sheet: a name part inside one ("Hai Phong") is not a person."""
    out = set()
    for attrs in [c["attributes"] for c in project.cases()] + list(project.transcript_attributes().values()):
        for key in ("location", "province", "city", "district", "organisation"):
            value = str(attrs.get(key) or "")
            for part in re.split(r"[;,/()]", value):
                if len(part.split()) > 1:
                    out.add(part.strip())
    return sorted(out)


def _people_of(project: Project) -> list[Person]:
    people: dict[str, Person] = {}
    cases = {c["id"]: c for c in project.cases()}
    for cid, case in cases.items():
        person = people.setdefault(f"case:{cid}", Person(f"[informant {cid}]"))
        if case.get("name"):
            person.names.append(str(case["name"]))
        person.transcripts.update(case.get("transcripts") or [])
    interviewers: dict[str, Person] = {}

    def interviewer(name: str, transcript: str) -> None:
        key = fold(name)
        # "Long" the speaker label and "Tran Bao Long" the case-sheet interviewer are one person
        for k, p in interviewers.items():
            if key in k.split() or k in key.split() or key == k:
                if name not in p.names:
                    p.names.append(name)
                p.transcripts.add(transcript)
                return
        p = Person("", [name], {transcript}, kind="interviewer")
        interviewers[key] = p

    for tid, attrs in project.transcript_attributes().items():
        who = str(attrs.get("interviewer") or "").strip()
        if who:
            for one in re.split(r"\s*(?:;|&|\band\b)\s*", who):
                if one:
                    interviewer(one, tid)
    for sp in project.speakers():
        # the person a label names, not the label: "Ana (she/her)" is Ana, "Hang's iPhone" is Hang
        # (every person of a label: "Hoa Nguyen / Lan Tran" are both masked, as the label's speaker)
        found = speaker_names(str(sp["label"]))
        if not found:
            continue
        label = found[0]
        if sp["case_id"] and sp["case_id"] in cases:
            for name in found:
                if name not in people[f"case:{sp['case_id']}"].names:
                    people[f"case:{sp['case_id']}"].names.append(name)
        elif sp["role"] == "interviewer":
            from qualcode.store import is_interviewer_label

            for name in found:
                if not is_interviewer_label(name):
                    interviewer(name, sp["transcript_id"])
        else:
            p = people.setdefault(f"label:{fold(label)}", Person("", kind="speaker"))
            p.names.extend(n for n in found if n not in p.names)
            p.transcripts.add(sp["transcript_id"])
    for n, p in enumerate(sorted(interviewers.values(), key=lambda p: fold(p.names[0])), start=1):
        p.pseudonym = f"[interviewer {n}]"
    others = [p for k, p in sorted(people.items()) if k.startswith("label:")]
    for n, p in enumerate(others, start=1):
        p.pseudonym = f"[speaker {n}]"
    named = [p for p in people.values() if p.names] + list(interviewers.values())
    # the people a transcript's header names ("Participants: Elena Novak, Emil Nowak"), speakers or not
    known = {fold(n) for p in named for n in p.names}
    for t in project.transcripts():
        for name in header_names(t.get("metadata") or {}):
            if fold(name) not in known and _looks_like_name(name) and not GENERIC_LABEL.match(name):
                known.add(fold(name))
                named.append(Person(NEUTRAL, [name], kind="third"))
    for entry in third_parties(project):
        shown = str(entry.get("as") or "").strip()
        named.append(Person(f"[{shown.strip('[]')}]" if shown else NEUTRAL, [str(entry["name"])], kind="third"))
    return named


def speaker_label(segment: Mapping[str, Any], *, show_names: bool = False) -> str:
    """How a turn's speaker is shown in exports: 'Interviewer', the informant's pseudonym, or the label if asked; a
    document's passage is shown by its page ('p. 12') or, without pages, as 'Document'."""
    if segment.get("kind") == "document":
        label = segment.get("page_label") or segment.get("page")
        return f"p. {label}" if label else "Document"
    if show_names and segment.get("speaker"):
        return str(segment["speaker"])
    if segment.get("role") == "interviewer":
        return "Interviewer"
    if segment.get("case"):
        return f"[informant {segment['case']}]"
    return "Speaker"


_ABSOLUTE = re.compile(r"^(?:/|[A-Za-z]:[\\/]|\\\\)")


def redact_events(project: Project, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The event log as ``qualcode log`` shows it without ``--show-names``: informants' names in case states and
    speaker labels that name someone withheld, every text (memos, statements, quotes, settings such as the name
    list) pseudonymised, and paths of the machine a file was imported from cut to the file name."""
    from qualcode.store import file_name

    pseudo = Pseudonymiser(project)

    def clean(value: Any, key: str | None, entity: str) -> Any:
        if isinstance(value, dict):
            return {k: clean(v, k, entity) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, key, entity) for v in value]
        if isinstance(value, str):
            if key == "name" and entity == "case":
                return "[name withheld]" if value else value
            if _ABSOLUTE.match(value) and "\n" not in value:
                value = file_name(value)
            if key in ("source", "source_name", "file"):
                spaced = re.sub(r"[-_.]+", " ", value)
                return "[file name withheld]" if pseudo.find(spaced) else value
            return pseudo(value)
        return value

    def entity_id(ev: Mapping[str, Any]) -> Any:
        value = ev.get("entity_id")
        if ev["entity"] == "speaker" and isinstance(value, str) and "/" in value:
            # "KII-01/Ana (she/her)": the label is a person of the file unless it names nobody
            tid, _, label = value.partition("/")
            return f"{clean(tid, 'entity_id', 'transcript')}/{label if names_nobody(label) else NEUTRAL}"
        return clean(value, "entity_id", ev["entity"])

    return [{**ev, "entity_id": entity_id(ev),
             "before": clean(ev.get("before"), None, ev["entity"]),
             "after": clean(ev.get("after"), None, ev["entity"])} for ev in events]


def shown_speaker(segment: Mapping[str, Any]) -> str | None:
    """A turn's speaker label as listings show it without ``--show-names``: placeholders and roles ('P2',
    'Interviewer', 'Speaker 1') as they are, a label that is a name as the speaker's pseudonym."""
    label = segment.get("speaker")
    if not label:
        return label
    # a label is a person of the file unless it names nobody: whatever its shape ("Hang's iPhone", "Ana (she/her)",
    # "maria.lopez@ilo.org", "李明") it is shown as the speaker's pseudonym; so is an informant's role label
    # ("Interviewee", "Notes"), which says less than the informant's id
    clean = str(label).strip().strip("[]").rstrip(":").strip()
    from qualcode.store import is_interviewer_label

    if names_nobody(clean) and (not segment.get("case") or GENERIC_LABEL.match(clean) or is_interviewer_label(clean)):
        return str(label)
    return speaker_label(segment)


def set_third_parties(project: Project, *, coder: str, add: Iterable[str] = (), remove: Iterable[str] = (),
                      shown_as: str | None = None,
                      entries_shown: Iterable[tuple[str, str | None]] = ()) -> list[dict[str, Any]]:
    """Change the project's name list: people mentioned in transcripts who are not informants (a factory's
    adviser, a ministry official named in passing). Exports show them as ``[name]``, or as ``shown_as`` ("the
    chamber's adviser"); ``entries_shown`` adds names each with its own placeholder (a name list file). A name listed
    again gets the new placeholder. Control characters are removed. One logged change (the log hides the names);
    a list longer than :data:`MAX_NAMES` is refused."""
    import json

    from qualcode.errors import InputError, NotFoundError, QualcodeError
    from qualcode.safeio.cleaning import clean_line

    entries = {fold(" ".join(_name_words(d["name"]))): d for d in third_parties(project)}
    for raw, shown in [*((n, shown_as) for n in add), *entries_shown]:
        name = " ".join(clean_line(str(raw)).split())
        if len(name) > MAX_NAME_CHARS:
            raise InputError(f"'{name[:40]}...' is longer than {MAX_NAME_CHARS} characters: not a person's name",
                             hint="give one name per line (CSV: name,role)")
        if not _name_words(name):
            raise QualcodeError(f"'{name[:60]}' holds no name to look for", hint="give the name as it is written")
        entry = {"name": name}
        shown = clean_line(shown).strip().strip("[]")[:MAX_NAME_CHARS] if shown else None
        if shown:
            entry["as"] = shown
        entries[fold(" ".join(_name_words(name)))] = entry
    for name in remove:
        key = fold(" ".join(_name_words(str(name))))
        if key not in entries:
            raise NotFoundError(f"'{name}' is not on the name list", hint="see 'qualcode names list --show-names'")
        del entries[key]
    if len(entries) > MAX_NAMES:
        raise InputError(f"the name list would hold {len(entries):,} names; qualcode keeps at most {MAX_NAMES:,}",
                         hint="list the people mentioned in the transcripts, not a directory")
    data = sorted(entries.values(), key=lambda d: fold(d["name"]))
    project.set_setting(NAMES_SETTING, json.dumps(data, ensure_ascii=False), coder=coder)
    return data


def _reads_like_a_name(text: str) -> bool:
    # 'Clara', 'Van Phuc': one to four words, each capitalised, no digits; a role usually has a lowercase word
    words = text.split()
    return 0 < len(words) <= 4 and all(w[0].isupper() and w.replace("-", "").replace("'", "").isalpha()
                                       for w in words)


def read_name_file(path: str, removed: Counter[str] | None = None,
                   name_like_roles: list[int] | None = None) -> list[tuple[str, str | None]]:
    """A name list file: one person per line, optionally ``name,placeholder`` (CSV; a header 'name' is skipped).
    A quote left open, or a field longer than a name can be, is refused with its line number rather than read as
    one name running to the end of the file. Control characters are removed (and counted in ``removed``). The
    lines whose second column reads like the rest of a name ('Jensen, Clara': capitalised words only) are added to
    ``name_like_roles``: exports would show that column in place of the name."""
    import csv
    import io

    from qualcode.errors import InputError
    from qualcode.safeio.cleaning import clean
    from qualcode.textfile import read_user_text

    text = clean(read_user_text(path), removed)
    reader = csv.reader(io.StringIO(text), strict=True)
    out: list[tuple[str, str | None]] = []
    line = 1  # where the row being read starts (a quoted field may span lines)
    try:
        for row in reader:
            line, start = reader.line_num + 1, line
            if any(len(cell) > MAX_NAME_CHARS for cell in row[:2]):
                raise InputError(f"line {start} holds a name longer than {MAX_NAME_CHARS} characters",
                                 path=path, hint="one name per line, or CSV name,role; check the quotes (\")")
            if not row or not row[0].strip() or row[0].strip().lstrip("#").lower() == "name" or row[0].startswith("#"):
                continue
            role = row[1].strip() if len(row) > 1 and row[1].strip() else None
            if role is not None and name_like_roles is not None and _reads_like_a_name(role):
                name_like_roles.append(start)
            out.append((row[0].strip(), role))
            if len(out) > MAX_NAMES:
                raise InputError(f"holds more than {MAX_NAMES:,} names; qualcode keeps at most that many", path=path,
                                 hint="list the people mentioned in the transcripts, not a directory")
    except csv.Error as err:
        raise InputError(f"line {line} cannot be read as CSV ({err})", path=path,
                         hint="one name per line, or CSV name,role; a quote (\") must be closed on its line") from None
    return out
