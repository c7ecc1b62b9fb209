"""Attributions: how a report names the source of a quote without naming the person.

Evaluators promise informants how they will be quoted ("a representative of the Ministry", "ILO staff"). The
attribution of a quote is therefore, in this order:

1. the case sheet's ``attribution`` column for that informant, verbatim (what the informant consented to);
2. otherwise the project's template for interviews or focus groups (``qualcode cases --attribution-template``),
   filled from case attributes: ``{role}``, ``{organisation_type}``, ``{group}``, ``{location}``, ``{sex}``, ``{type}``
   or any other column; ``{a role}`` puts the right indefinite article before the value ("an HR manager", "a union
   official", "ILO staff"); text in ``[...]`` is left out when a field inside it is empty;
3. in a focus group, a detail of the participant who speaks is added at one level for the whole discussion (role and
   sex, role, group or sex, the most specific first): the first level at which every participant's detail is shared
   by at least two of them (k-anonymity; k is the project setting ``attribution_k``, default 2). The only union
   official of a group is never singled out, not even by elimination.

Names never appear unless the caller was asked to show them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError

if TYPE_CHECKING:
    from qualcode.store import Project

KII_SETTING = "attribution_template"
FGD_SETTING = "attribution_template_fgd"
K_SETTING = "attribution_k"
DEFAULT_KII = "Interview with {a role}[ of {a organisation_type}][, {location}]"
DEFAULT_FGD = "FGD with {composition}[, {location}]"
DEFAULT_K = 2
#: Field names the templates know besides the case sheet's own columns.
ALIASES = {"group": "stakeholder_group", "organisation": "organisation_type", "organization_type": "organisation_type"}
STANDARD = ("type", "group", "organisation_type", "role", "location", "sex", "composition")
# the participant details tried in a focus group, most specific first
DETAILS: tuple[tuple[str, ...], ...] = (("role", "sex"), ("role",), ("stakeholder_group",), ("sex",))

_FIELD = re.compile(r"\{(?:(a|an)\s+)?([A-Za-z_][\w]*)\}")
_UNCOUNTABLE = {"staff", "personnel", "management", "leadership", "people", "police", "team", "members"}
_DETERMINERS = ("the ", "a ", "an ", "one ", "some ", "two ", "three ", "several ", "its ", "their ")
# words spelled with a vowel but said with a consonant ("a union"), and the reverse ("an hour")
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "euro", "eu", "one", "once", "ubi", "uga", "ura")
_VOWEL_SOUND = ("hour", "honest", "honour", "honor", "heir")
# letters whose name starts with a vowel sound: "an HR manager", "an NGO", "a UN agency"
_VOWEL_LETTERS = set("AEFHILMNORSX")


def phrase(value: Any) -> str:
    """'Middle manager (production)' -> 'middle manager'; acronyms ('HR manager', 'ILO staff') keep their case."""
    text = re.sub(r"\s*\([^)]*\)", "", str(value or "")).strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def plural(text: str) -> str:
    """'HR officer' -> 'HR officers', 'ILO staff' -> 'ILO staff', 'deputy' -> 'deputies'."""
    head, _, last = text.rpartition(" ")
    low = last.lower()
    if low in _UNCOUNTABLE or (low.endswith("s") and not low.endswith("ss")):
        out = last
    elif low.endswith("person"):
        out = last[:-6] + ("persons" if low != "person" else "people")
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        out = last[:-1] + "ies"
    elif low.endswith(("ss", "sh", "ch", "x")):
        out = last + "es"
    else:
        out = last + "s"
    return f"{head} {out}" if head else out


def with_article(text: str) -> str:
    """The phrase with the indefinite article English needs: 'an HR manager', 'a union official', 'an informant',
    'a UN agency', 'an hour', 'ILO staff' (uncountable: none), 'the chamber' (has a determiner: none)."""
    text = text.strip()
    if not text:
        return text
    low = text.lower()
    if low.startswith(_DETERMINERS) or low.split()[-1] in _UNCOUNTABLE:
        return text
    first = text.split()[0]
    letters = re.sub(r"[^A-Za-z]", "", first)
    if len(letters) >= 2 and letters.isupper():  # an acronym is read letter by letter
        vowel = letters[0] in _VOWEL_LETTERS
    else:
        w = letters.lower()
        vowel = (w[:1] in "aeiou" and not w.startswith(_CONSONANT_SOUND)) or w.startswith(_VOWEL_SOUND)
    return ("an " if vowel else "a ") + text


def join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _value(attrs: Mapping[str, Any], field: str) -> str:
    key = ALIASES.get(field, field)
    if key == "type":
        kind = str(attrs.get("type") or "").strip()
        return {"kii": "interview", "fgd": "focus group"}.get(kind.lower(), phrase(kind))
    if key == "sex":
        return _sex(attrs.get("sex"))
    if key in ("location", "composition"):
        return str(attrs.get(key) or "").strip()
    return phrase(attrs.get(key))


def _sex(value: Any) -> str:
    v = str(value or "").strip()
    return {"f": "woman", "female": "woman", "w": "woman", "m": "man", "male": "man"}.get(v.lower(), phrase(v))


def render(template: str, attrs: Mapping[str, Any]) -> str:
    """Fill a template: ``{field}``, ``{a field}`` (with its article), ``[...]`` dropped when a field in it is
    empty. A KII without a role is 'an informant'."""

    def fill(part: str) -> tuple[str, bool]:
        missing = False

        def one(m: re.Match[str]) -> str:
            nonlocal missing
            value = _value(attrs, m.group(2))
            if not value and ALIASES.get(m.group(2), m.group(2)) == "role":
                value = "informant"
            if not value:
                missing = True
                return ""
            return with_article(value) if m.group(1) else value

        return _FIELD.sub(one, part), missing

    out = []
    pos = 0
    for m in re.finditer(r"\[([^\[\]]*)\]", template):
        text, _ = fill(template[pos:m.start()])
        out.append(text)
        inner, missing = fill(m.group(1))
        if not missing:
            out.append(inner)
        pos = m.end()
    out.append(fill(template[pos:])[0])
    text = " ".join("".join(out).split())
    return re.sub(r"\s+([,.;)])", r"\1", text).strip(" ,;")


def check_template(template: str, known: Sequence[str], source: str = "template") -> str:
    """A template, checked: balanced brackets and fields the case sheet has (a typo is an error with a hint)."""
    import difflib

    template = " ".join(str(template or "").split())
    if not template:
        raise InputError("the attribution template is empty", path=source, hint="for example: " + DEFAULT_KII)
    depth = 0
    for ch in template:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth not in (0, 1):
            raise InputError("brackets in the template do not match (they cannot nest)", path=source)
    if depth:
        raise InputError("brackets in the template do not match", path=source)
    stray = re.sub(_FIELD, "", template)
    if "{" in stray or "}" in stray:
        raise InputError("a field is written {role} or {a role}", path=source, hint="see 'qualcode cases --help'")
    fields = sorted({*STANDARD, *known})
    for m in _FIELD.finditer(template):
        name = ALIASES.get(m.group(2), m.group(2))
        if name not in fields and m.group(2) not in fields:
            close = difflib.get_close_matches(m.group(2), fields, n=1)
            raise InputError(f"no case attribute '{m.group(2)}'", path=source,
                             hint=f"did you mean '{close[0]}'?" if close else "fields: " + ", ".join(fields))
    return template


def k_setting(project: Project) -> int:
    """The project's attribution k (at least 1; the default where the setting is unset or unreadable)."""
    try:
        return max(1, int(project.setting(K_SETTING) or DEFAULT_K))
    except ValueError:
        return DEFAULT_K


def templates(project: Project) -> dict[str, Any]:
    """The project's attribution templates and k: ``{"kii", "fgd", "k"}``."""
    return {"kii": project.setting(KII_SETTING) or DEFAULT_KII, "fgd": project.setting(FGD_SETTING) or DEFAULT_FGD,
            "k": k_setting(project)}


def set_templates(project: Project, *, coder: str, kii: str | None = None, fgd: str | None = None,
                  k: int | None = None, default: bool = False) -> dict[str, Any]:
    """Install attribution templates (checked against the case sheet first); ``default`` restores the defaults."""
    known = sorted({key for c in project.cases() for key in c["attributes"]}
                   | {key for attrs in project.transcript_attributes().values() for key in attrs})
    with project.transaction():
        if default:
            for key in (KII_SETTING, FGD_SETTING, K_SETTING):
                if project.setting(key) is not None:
                    project.db.execute("DELETE FROM settings WHERE key = ?", (key,))
                    project.log_event("setting.set", "setting", key, coder=coder, after=None)
        if kii is not None:
            project.set_setting(KII_SETTING, check_template(kii, known, "--attribution-template"), coder=coder)
        if fgd is not None:
            project.set_setting(FGD_SETTING, check_template(fgd, known, "--fgd-attribution-template"), coder=coder)
        if k is not None:
            if k < 1:
                raise InputError("k must be 1 or more", path="--attribution-k",
                                 hint="2 means a detail is shown only when two participants share it")
            project.set_setting(K_SETTING, str(k), coder=coder)
    return templates(project)


def _is_document(attrs: Mapping[str, Any]) -> bool:
    return str(attrs.get("type") or "").strip().lower() in ("document", "doc", "desk review")


def is_fgd(attrs: Mapping[str, Any]) -> bool:
    kind = str(attrs.get("type") or "").strip().lower()
    return kind in ("fgd", "focus group", "focus-group", "focus group discussion")


def _attrs_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    attrs = obj.get("attributes")
    return dict(attrs) if isinstance(attrs, Mapping) else dict(obj)


def participant_detail(attrs: Mapping[str, Any], participants: Sequence[Mapping[str, Any]], k: int = DEFAULT_K
                       ) -> str | None:
    """The detail of a focus-group participant that can be shown without singling anyone out, or None.

    One level of detail is chosen for the whole discussion (role and sex, role, group or sex, the most specific
    first): the first level at which every participant's detail is shared by at least ``k`` participants. Choosing
    per participant would let a reader single someone out by elimination (the one "woman" among "HR officer,
    woman" attributions is the union official)."""
    people = [_attrs_of(p) for p in participants] or [_attrs_of(attrs)]
    for keys in DETAILS:
        values = [tuple(_value(p, key) for key in keys) for p in people]
        if not all(all(v) for v in values):
            continue  # a participant without this detail would be told apart by its absence
        counts: dict[tuple[str, ...], int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        if min(counts.values()) < k:
            continue
        mine = tuple(_value(attrs, key) for key in keys)
        return ", ".join(mine) if all(mine) and counts.get(mine, 0) >= k else None
    return None


def attribution(
    segment_or_case_attrs: Mapping[str, Any],
    *,
    participants: Sequence[Mapping[str, Any]] | None = None,
    name: str | None = None,
    kii_template: str = DEFAULT_KII,
    fgd_template: str = DEFAULT_FGD,
    k: int = DEFAULT_K,
) -> str:
    """An anonymous attribution built from case attributes, never from a name.

    ``segment_or_case_attrs`` is a segment (its ``attributes`` are used) or an attribute mapping. For an FGD,
    ``participants`` (the attribute mappings of everyone in the group) describe the group's composition and decide
    which participant detail can be shown. ``name`` is appended only when the caller was asked to show names.

    >>> attribution({"type": "KII", "role": "HR manager", "organisation_type": "Factory (FDI)",
    ...              "location": "Hai Phong"})
    'Interview with an HR manager of a factory, Hai Phong'
    """
    attrs = _attrs_of(segment_or_case_attrs)
    verbatim = " ".join(str(attrs.get("attribution") or "").split())
    if verbatim:
        text = verbatim
    elif _is_document(attrs):
        role = phrase(attrs.get("role"))
        text = "Document" + (f", {role}" if role else "")
    elif is_fgd(attrs):
        roles: list[str] = []
        for p in participants or []:
            r = phrase(_attrs_of(p).get("role"))
            if r and r not in roles:
                roles.append(r)
        # a focus group is described by its members' roles, in the plural ("HR officers")
        text = render(fgd_template, {**attrs, "composition": join([plural(r) for r in roles]) or "participants"})
        detail = participant_detail(attrs, participants or [attrs], k)
        if detail:
            text += f" (participant: {detail})"
    else:
        text = render(kii_template, attrs)
    if name:
        text += f" [{name}]"
    return text


class Attributor:
    """Attributions for a project's segments: the project's templates, each FGD's participants looked up once."""

    def __init__(self, project: Project, *, show_names: bool = False) -> None:
        self.project = project
        self.show_names = show_names
        self.settings = templates(project)
        self._cases = {c["id"]: c for c in project.cases()}
        self._participants: dict[str, list[dict[str, Any]]] = {}
        self._cache: dict[tuple[Any, Any, Any], str] = {}
        t_attrs = self._t_attrs = project.transcript_attributes()
        for sp in project.speakers():
            if sp["case_id"] and sp["case_id"] in self._cases and sp["role"] != "interviewer":
                self._participants.setdefault(sp["transcript_id"], []).append(
                    {**t_attrs.get(sp["transcript_id"], {}), **self._cases[sp["case_id"]]["attributes"]})

    def __call__(self, segment: Mapping[str, Any]) -> str:
        if segment.get("kind") == "document" or segment.get("source_type") == "document":
            from qualcode.desk_review import passage_citation

            return passage_citation(segment)  # a document is cited by its title and page, it has no informant
        # one attribution per informant and transcript: a quote bank asks for the same one thousands of times
        key = (segment.get("transcript"), segment.get("case"), segment.get("speaker"))
        cached = self._cache.get(key)
        if cached is None:
            case = self._cases.get(segment.get("case") or "")
            name = case["name"] if (case and self.show_names) else None
            cached = attribution(segment, participants=self._participants.get(str(segment.get("transcript"))),
                                 name=name, kii_template=self.settings["kii"], fgd_template=self.settings["fgd"],
                                 k=self.settings["k"])
            self._cache[key] = cached
        return cached

    def of_case(self, case_id: str, transcript: str) -> str:
        """The attribution a quote of this informant in this transcript gets."""
        case = self._cases[case_id]
        return self({"transcript": transcript, "case": case_id, "speaker": None,
                     "attributes": {**self._t_attrs.get(transcript, {}), **case["attributes"]}})


def case_attributions(project: Project) -> dict[str, dict[str, Any]]:
    """Each informant's attribution (per transcript they speak in) and how many informants of the project it
    describes, so an attribution that fits one person is visible before a report goes out."""
    attribute = Attributor(project)
    out: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for case in project.cases():
        texts = [attribute.of_case(case["id"], t) for t in case["transcripts"]]
        verbatim = bool(str(case["attributes"].get("attribution") or "").strip())
        out[case["id"]] = {"attributions": texts, "verbatim": verbatim}
        for text in set(texts):
            counts[text] = counts.get(text, 0) + 1
    for entry in out.values():
        entry["describes"] = min((counts[t] for t in entry["attributions"]), default=0)
    return out
