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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.folding import fold
from qualcode.safety.attribution import Attributor, attribution

__all__ = ["Attributor", "Pseudonymiser", "attribution", "speaker_label"]

if TYPE_CHECKING:
    from qualcode.store import Project

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "madam", "madame", "sir", "mister", "anh", "chị", "chi",
          "ông", "bà"}
# speaker labels that are placeholders, not names (P1, Participant 2, Speaker 3, R1, A, B)
GENERIC_LABEL = re.compile(r"^(?:p|participant|speaker|spk|s|r|respondent|informant|voice|person|unknown)?"
                           r"\s*[-_ ]?\s*\d*[a-z]?$", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,}\d(?!\w)")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_BARE = 3  # shorter name parts ("Le", "Do", "Vu") are common words; replace them only in full names or after a title


# ---------------------------------------------------------------------------------------------- pseudonyms


@dataclass(eq=False)
class Person:
    """Someone whose name must not appear in an export."""

    pseudonym: str
    names: list[str] = field(default_factory=list)
    transcripts: set[str] = field(default_factory=set)

    def parts(self) -> set[str]:
        return {w for n in self.names for w in _name_words(n)}

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


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:;\"“‘(\n-–—"


def _name_words(name: str) -> list[str]:
    words = [fold(w) for w in WORD.findall(name)]
    # a leading title is not part of the name ("Ms. Hoa"), but "Anh" is also a given name ("Bui Duc Anh")
    while len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    return words


def _looks_like_name(label: str) -> bool:
    """'Nguyen Van Hai', 'Ms. Hoa', 'Clara' are names; 'Better Work officer', 'P1', 'Interviewer' are not."""
    words = WORD.findall(label)
    return bool(words) and not any(c.isdigit() for c in label) and all(w[:1].isupper() for w in words) \
        and bool(_name_words(label))


class Pseudonymiser:
    """Replace informants' and interviewers' names, e-mail addresses and phone numbers in quote text.

    Informants become ``[informant KII-03]`` (their case id), interviewers ``[interviewer 1]``, other people
    ``[person N]``, numbered in order of first appearance so a pseudonym is stable across one export.
    With ``enabled=False`` text is returned unchanged (the user asked for names).
    """

    def __init__(self, project: Project | None = None, *, people: Iterable[Person] = (), enabled: bool = True,
                 use_ner: bool = True) -> None:
        self.enabled = enabled
        self.people: list[Person] = list(people)
        self._others: dict[str, str] = {}
        self._nlp: Any = None
        self._ner_checked = not use_ner
        if project is not None:
            self.people.extend(_people_of(project))
        self._index()

    def _index(self) -> None:
        self._by_part: dict[str, list[Person]] = {}
        self._full: dict[tuple[str, ...], list[Person]] = {}
        for person in self.people:
            for part in person.parts():
                self._by_part.setdefault(part, []).append(person)
            for key in person.full_keys():
                self._full.setdefault(key, []).append(person)

    def __call__(self, text: str, transcript: str | None = None) -> str:
        return self.apply(text, transcript)

    def apply(self, text: str, transcript: str | None = None) -> str:
        """The text with every known name, e-mail address and phone number replaced."""
        if not self.enabled or not text:
            return text
        if "@" in text:
            text = EMAIL.sub("[email]", text)
        if any(c.isdigit() for c in text):
            text = PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 9 else m.group(), text)
        text = self._names(text, transcript)
        return self._ner(text)

    def _names(self, text: str, transcript: str | None) -> str:
        tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        keys = [fold(w) for _, _, w in tokens]
        if not any(k in self._by_part for k in keys):
            return text
        out: list[str] = []
        pos = 0
        i = 0
        n = len(tokens)
        while i < n:
            start, end, word = tokens[i]
            title_start = None
            j = i
            if keys[i] in TITLES and i + 1 < n and re.fullmatch(r"\.?\s+", text[end:tokens[i + 1][0]]) \
                    and keys[i + 1] in self._by_part and tokens[i + 1][2][:1].isupper():
                title_start, j = start, i + 1
            if keys[j] not in self._by_part or not tokens[j][2][:1].isupper():
                i += 1
                continue
            # the longest run of known name parts separated only by spaces ("Nguyen Thi Hoa", "Hoa")
            k = j
            while k + 1 < n and keys[k + 1] in self._by_part and tokens[k + 1][2][:1].isupper() \
                    and text[tokens[k][1]:tokens[k + 1][0]] in (" ", "\u00a0"):
                k += 1
            run = tuple(keys[j:k + 1])
            if title_start is None and len(run) == 1 and not self._bare_ok(text, tokens, keys, j):
                i += 1
                continue
            pseudonym = self._resolve(run, transcript)
            out.append(text[pos:title_start if title_start is not None else tokens[j][0]])
            out.append(pseudonym)
            pos = tokens[k][1]
            i = k + 1
        out.append(text[pos:])
        return "".join(out)

    def _bare_ok(self, text: str, tokens: list[tuple[int, int, str]], keys: list[str], j: int) -> bool:
        """A lone name part is a name unless it is part of another proper noun ("Hai Phong", "Thanh Hoa")."""
        if len(tokens[j][2]) < MIN_BARE:
            return False
        for nb in (j - 1, j + 1):
            if 0 <= nb < len(tokens):
                a, b = sorted((nb, j))
                gap = text[tokens[a][1]:tokens[b][0]]
                if gap == " " and tokens[nb][2][:1].isupper() and keys[nb] not in self._by_part \
                        and keys[nb] not in TITLES and len(tokens[nb][2]) > 1 \
                        and not (nb < j and _sentence_start(text, tokens[nb][0])):
                    # "Thanh Hoa", "Hai Phong": part of another proper noun, unless the neighbour is only
                    # capitalised because it starts a sentence ("Then Minh left")
                    return False
        return True

    def _resolve(self, run: tuple[str, ...], transcript: str | None) -> str:
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
        unique = {p.pseudonym for p in candidates}
        if len(unique) == 1:
            return next(iter(unique))
        return self._other(" ".join(run))

    def _other(self, key: str) -> str:
        if key not in self._others:
            self._others[key] = f"[person {len(self._others) + 1}]"
        return self._others[key]

    def _ner(self, text: str) -> str:
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
            return text
        doc = self._nlp(text)
        out, pos = [], 0
        for ent in doc.ents:
            if ent.label_ == "PERSON" and "[" not in ent.text:
                out.append(text[pos:ent.start_char])
                out.append(self._other(fold(ent.text)))
                pos = ent.end_char
        out.append(text[pos:])
        return "".join(out)

    def known_names(self) -> list[str]:
        """Every name this pseudonymiser replaces (for checks and tests)."""
        return sorted({n for p in self.people for n in p.names})


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
        p = Person("", [name], {transcript})
        interviewers[key] = p

    for t in project.transcripts():
        who = str(t["attributes"].get("interviewer") or "").strip()
        if who:
            for one in re.split(r"\s*(?:;|&|\band\b)\s*", who):
                if one:
                    interviewer(one, t["id"])
    for sp in project.speakers():
        label = str(sp["label"]).strip().strip("[]").rstrip(":").strip()
        if not label or GENERIC_LABEL.match(label) or not _looks_like_name(label):
            continue
        if sp["case_id"] and sp["case_id"] in cases:
            if label not in people[f"case:{sp['case_id']}"].names:
                people[f"case:{sp['case_id']}"].names.append(label)
        elif sp["role"] == "interviewer":
            from qualcode.store import is_interviewer_label

            if not is_interviewer_label(label):
                interviewer(label, sp["transcript_id"])
        else:
            p = people.setdefault(f"label:{fold(label)}", Person(""))
            p.names.append(label)
            p.transcripts.add(sp["transcript_id"])
    for n, p in enumerate(sorted(interviewers.values(), key=lambda p: fold(p.names[0])), start=1):
        p.pseudonym = f"[interviewer {n}]"
    others = [p for k, p in sorted(people.items()) if k.startswith("label:")]
    for n, p in enumerate(others, start=1):
        p.pseudonym = f"[speaker {n}]"
    return [p for p in people.values() if p.names] + list(interviewers.values())


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
