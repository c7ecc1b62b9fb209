"""Write the codebook as a REFI-QDA ``.qdc`` and the project as a ``.qdpx`` (a ZIP of project.qde + sources/)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import __version__
from qualcode.errors import QualcodeError
from qualcode.importing import safe_id
from qualcode.refi.common import (
    CASE_FOLDERS,
    EXTENSION_MEMBER,
    KIND_VARIABLE,
    NS_CODEBOOK,
    NS_PROJECT,
    RGB,
    SPEAKERS_VARIABLE,
    ShippedOffsets,
    guid,
    id_marker,
    shipped_text,
    xsd_datetime,
)
from qualcode.refi.positions import CHARACTERS, UTF16, has_astral, utf16_offsets
from qualcode.refi.withheld import WithheldText, shipped_labels, withheld_file_name, withheld_values
from qualcode.store import file_name, now_iso, text_hash

if TYPE_CHECKING:
    from lxml import etree

    from qualcode.model import Code, Codebook, ListedCoding, Memo, ProgressFn, Segment
    from qualcode.safeio.output import Confirm
    from qualcode.store import Project

ORIGIN = f"qualcode {__version__}"


def _unique_names(codebook: Codebook) -> dict[str, str]:
    """Code id -> a name unique in the whole codebook (QualCoder merges duplicates and drops their codings)."""
    seen: dict[str, int] = {}
    for code in codebook.walk():
        seen[code.name.strip().lower()] = seen.get(code.name.strip().lower(), 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for code in codebook.walk():
        name = code.name.strip() or code.id
        if seen[name.lower()] > 1:
            parent = codebook.get(code.parent_id) if code.parent_id else None
            name = f"{name} ({parent.name})" if parent else f"{name} ({code.id})"
        while name.lower() in used:
            name = f"{name} ({code.id})"
        used.add(name.lower())
        out[code.id] = name
    return out


def _code_element(e: Any, code: Code, names: dict[str, str], note_refs: dict[str, list[str]]) -> etree._Element:
    attrs = {"guid": guid("code", code.id), "name": names[code.id], "isCodable": "true"}
    if code.color and RGB.match(code.color):
        attrs["color"] = code.color
    el = e.Code(**attrs)
    # the code's id goes in front of its definition: a description is what every tool keeps (QualCoder gives codes
    # new GUIDs on export and keeps no qualcode.json), and a tool that shortens long descriptions keeps its start
    el.append(e.Description(f"{id_marker(code.id, code.color)} {code.definition.strip()}".strip()))
    for ref in note_refs.get(code.id, []):
        el.append(e.NoteRef(targetGUID=ref))
    for child in code.children:
        el.append(_code_element(e, child, names, note_refs))
    return el


def _write_xml(root: etree._Element) -> bytes:
    from lxml import etree

    # UTF-8 without a byte-order mark, LF line ends: what every importer reads correctly
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_xml(project: Project) -> bytes:
    """The project's codebook as .qdc XML bytes."""
    from lxml.builder import ElementMaker

    cb = project.codebook()
    e = ElementMaker(namespace=NS_CODEBOOK, nsmap={None: NS_CODEBOOK})
    names = _unique_names(cb)
    root = e.CodeBook(e.Codes(*[_code_element(e, r, names, {}) for r in cb.roots]), origin=ORIGIN)
    if cb.groups:
        root.append(e.Sets(*_set_elements(e, cb, member="guid")))
    return _write_xml(root)


def _set_elements(e: Any, cb: Codebook, *, member: str) -> list[Any]:
    """The codebook's groups as REFI sets of codes (NVivo's and MAXQDA's code sets, ATLAS.ti's code groups). A .qdc
    names each member by ``guid``, a project by ``targetGUID``."""
    sets = []
    for g in cb.groups:
        st = e.Set(guid=guid("set", g.name), name=g.name)
        if g.description:
            st.append(e.Description(g.description))
        for code_id in g.codes:
            if code_id in cb:
                st.append(e.MemberCode(**{member: guid("code", code_id)}))
        sets.append(st)
    return sets


def export_qdc(project: Project, path: str | Path) -> dict[str, Any]:
    """Write the codebook to ``path`` (.qdc). Returns ``{"file", "counts"}``."""
    out = Path(path)
    data = codebook_xml(project)
    _write_file(out, data)
    return {"file": str(out), "format": "qdc", "counts": {"codes": len(project.codebook())}}


def default_path(project: Project) -> Path:
    """Where an export goes when no file is named: ``outputs/<project>.qdpx`` in the project folder."""
    return project.path / "outputs" / f"{safe_id(project.name)[:60].strip('-') or 'project'}.qdpx"


def export_refi(project: Project, path: str | Path | None = None, *, coders: list[str] | None = None,
                positions: str = UTF16, line_ends: str = "lf", show_names: bool = False, force: bool = False,
                confirm: Confirm | None = None, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Write the project as ``.qdpx`` or its codebook as ``.qdc``, as the suffix of ``path`` says (default:
    :func:`default_path`). ``coders`` limits a ``.qdpx`` to those coders' codings and memos; ``positions`` is what
    its selection positions count and ``line_ends`` how its texts end their lines (see :func:`export_qdpx`); memos
    are pseudonymised unless ``show_names``.
    Returns the report of :func:`export_qdpx` or :func:`export_qdc`.

    Every refusal comes before anything is written; an existing file is replaced only with ``force`` (or when
    ``confirm`` agrees), and the file is written whole or not at all.
    """
    from qualcode.safeio.output import claim_output

    out = Path(path) if path is not None else default_path(project)
    suffix = out.suffix.lower()
    if suffix in (".qdpx", ".qdc"):
        claim_output(out, force=force, confirm=confirm, what="REFI-QDA file")
    if suffix == ".qdpx":
        return export_qdpx(project, out, coders=coders, positions=positions, line_ends=line_ends,
                           show_names=show_names, progress=progress)
    if suffix == ".qdc":
        if coders:
            # a codebook carries no codings, so limiting it to some coders would silently do nothing
            raise QualcodeError("a codebook (.qdc) holds no codings to limit to some coders",
                                hint="leave out --coders, or export FILE.qdpx to keep only their codings and memos")
        return export_qdc(project, out)
    raise QualcodeError(f"cannot tell the format of '{out.name}'", hint="name the file .qdpx or .qdc")


def _write_file(out: Path, data: bytes) -> None:
    from qualcode.safeio.output import write_bytes

    write_bytes(out, data, what="REFI-QDA file")


# ---------------------------------------------------------------------------- the project


def speakers_value(speakers: Sequence[Mapping[str, Any]]) -> str:
    """A transcript's speakers as the value of its variable :data:`SPEAKERS_VARIABLE`:
    'Interviewer (interviewer); Ms Hoa (informant, KII-01)'. Read back by :func:`parse_speakers_value`."""
    parts = []
    for sp in speakers:
        role = sp["role"] if sp["role"] in ("interviewer", "informant") else "unknown"
        parts.append(f"{sp['label']} ({role}{', ' + sp['case_id'] if sp['case_id'] else ''})")
    return "; ".join(parts)


class _Text:
    """A transcript as shipped: the text with its speaker labels, and the offset map from the stored text."""

    def __init__(self, stored: str, segments: Sequence[Mapping[str, Any]]) -> None:
        self.text, self.inserts = shipped_text(stored, segments)
        self.pos = ShippedOffsets(self.inserts)


def _exported_codings(project: Project, ids: list[int], wanted: set[str] | None) -> dict[str, str]:
    """Of the codings ``ids``, those the export carries (on a current transcript version, by a wanted coder): coding
    id -> transcript. Asked for the few codings memos are on, so the codings themselves are read a transcript at a
    time."""
    out: dict[str, str] = {}
    for at in range(0, len(ids), 900):
        chunk = ids[at:at + 900]
        rows = project.db.execute(
            "SELECT c.id, s.transcript_id, k.name FROM codings c JOIN coders k ON k.id = c.coder_id"
            " JOIN segments s ON s.id = c.segment_id JOIN transcripts t ON t.id = s.transcript_id"
            f" AND t.current_version = s.version WHERE c.id IN ({','.join('?' * len(chunk))})", chunk)
        out.update({str(r[0]): str(r[1]) for r in rows if wanted is None or r[2] in wanted})
    return out


def export_qdpx(project: Project, path: str | Path, *, coders: list[str] | None = None,
                positions: str = UTF16, line_ends: str = "lf", show_names: bool = False,
                progress: ProgressFn | None = None) -> dict[str, Any]:
    """Write the whole project to ``path`` (.qdpx): codes, transcripts as text sources with their codings (coder and
    date), cases with their attributes and their informants' turns, memos where other tools read them. ``coders``
    limits codings and memos to those coders; ``positions`` is what selection positions count: ``"utf16"`` (NVivo,
    QualCoder, ATLAS.ti, MAXQDA) or ``"characters"`` (the standard's wording, qc). They differ only after characters
    outside the Basic Multilingual Plane (emoji). ``line_ends`` is ``"lf"`` or ``"crlf"``: CRLF line ends, each
    counted as one position, as MAXQDA reads a text (and QualCoder writes one for it); NVivo counts a CRLF as two.

    Informants' names are never written: a case is named by its id. Unless ``show_names``, nothing else names them
    either: speaker labels that are names are shipped as "Informant KII-01", "Interviewer 1", "Speaker 2"; the
    speech, memos, coding memos and attribute values are pseudonymised as quotes are (names the project knows,
    titled names, e-mail addresses, phone numbers); a source file name that holds a name is withheld. Each unit keeps
    its place in the text, so the project finds its transcripts again in a file that comes back (see
    :mod:`qualcode.refi.withheld`). With ``show_names`` the transcripts are shipped verbatim.

    The file is written a transcript at a time (its codings read from the store, its elements serialised, its text
    and ``qualcode.json`` entry spooled to temporary files), so memory stays bounded by the largest transcript.
    """
    import tempfile

    from lxml.builder import ElementMaker

    from qualcode.codebook import dump_codebook
    from qualcode.refi import stream
    from qualcode.safeio.output import atomic_output
    from qualcode.safety.privacy import Pseudonymiser

    if positions not in (UTF16, CHARACTERS):
        raise QualcodeError(f"unknown positions '{positions}'", hint="use utf16 or characters")
    if line_ends not in ("lf", "crlf"):
        raise QualcodeError(f"unknown line ends '{line_ends}'", hint="use lf or crlf")
    out = Path(path)
    cb = project.codebook()
    if coders:
        project.require_coders(coders)
    wanted = set(coders) if coders else None
    now = now_iso()
    e = ElementMaker(namespace=NS_PROJECT, nsmap={None: NS_PROJECT})
    names = _unique_names(cb)

    transcripts = project.transcripts()
    sha = {t["id"]: t["sha256"] for t in transcripts}
    pseudo = Pseudonymiser(project, enabled=not show_names)
    withhold = not show_names
    hidden = {"speaker_labels": 0, "names_in_text": 0, "file_names": 0, "coders": 0}

    all_memos = [m for m in project.memos() if m["coder"] and (wanted is None or m["coder"] in wanted)]
    # the units and codings memos are on (few); the rest is read a transcript at a time
    seg_index: dict[int, Segment] = {s["id"]: s for s in project.segments(ids=sorted(
        {int(m["target_id"]) for m in all_memos if m["target_type"] == "segment" and str(m["target_id"]).isdigit()}))}
    coding_transcript = _exported_codings(project, sorted(
        {int(m["target_id"]) for m in all_memos if m["target_type"] == "coding" and str(m["target_id"]).isdigit()}),
        wanted)

    def memo_transcript(m: Memo) -> str | None:
        target = str(m["target_id"])
        if m["target_type"] == "transcript":
            return target
        if m["target_type"] == "segment" and target.isdigit() and int(target) in seg_index:
            return str(seg_index[int(target)]["transcript"])
        return coding_transcript.get(target) if m["target_type"] == "coding" else None

    # coders are the evaluation team, not informants: their names stay, so the other tool shows who coded what; only
    # a coder who is also someone the export withholds (an informant, a named speaker, a name on the name list) is
    # shipped as "Coder N"
    coder_shown = _coders_shown(project, pseudo) if withhold else {}
    hidden["coders"] = len(coder_shown)
    memos: list[Memo] = [{**m, "text": pseudo(m["text"], memo_transcript(m)),
                          "coder": coder_shown.get(m["coder"] or "", m["coder"])} for m in all_memos]
    users_used: set[str] = {m["coder"] for m in memos if m["coder"]}
    files: dict[str, str] = {}

    def user(name: str | None) -> str | None:
        return guid("user", name) if name else None

    def seg_key(s: Mapping[str, Any]) -> str:
        return f"{sha[s['transcript']]}:{s['idx']}"

    # Memos go where each tool reads them: a Note per memo (NVivo, MAXQDA, ATLAS.ti follow NoteRefs and Links), and
    # the same text in the Description QualCoder reads (project, source, case, selection). A code memo has no such
    # Description (that is the code's definition). Notes other than coding memos are named text files, which
    # QualCoder keeps as journal entries with their author: the only way a code memo reaches it, and the way the
    # author of a project, case or unit memo comes back (QualCoder writes a project's or case's description without
    # one) and a unit memo finds its unit again (QualCoder exports the source of only the first annotation of each
    # source). A unit memo is also an uncoded selection whose Description holds it (a QualCoder annotation).
    notes = []
    journals = []  # second copies of transcript memos, for QualCoder (see below)
    note_refs: dict[tuple[str, str], list[str]] = {}
    described: dict[tuple[str, str], list[str]] = {}
    segment_authors: dict[str, set[str]] = {}
    code_names = {c.id: c.name for c in cb.walk()}
    for m in memos:
        target_type, target_id = m["target_type"], str(m["target_id"])
        if target_type == "segment" and (not target_id.isdigit() or int(target_id) not in seg_index):
            continue
        if target_type == "coding" and target_id not in coding_transcript:
            continue
        key = seg_key(seg_index[int(target_id)]) if target_type == "segment" else target_id
        g = guid("memo", f"{target_type}:{key}:{m['coder']}")
        label = {"segment": seg_index[int(target_id)]["ref"] if target_type == "segment" else None,
                 "code": code_names.get(target_id), "project": ""}.get(target_type)
        what = "the project" if target_type == "project" else \
            f"{'unit' if target_type == 'segment' else target_type} {label or target_id}"
        attrs = {"guid": g, "name": f"Memo on {what} ({m['coder']})", "creatingUser": user(m["coder"]) or "",
                 "creationDateTime": xsd_datetime(m["created"], now),
                 "modifiedDateTime": xsd_datetime(m["updated"], now)}
        if target_type == "coding":
            # a coding memo comes back from the selection's description; as a journal entry it would name a coding
            # by a number that means nothing in another project
            note = e.Note(e.PlainTextContent(m["text"]), **attrs)
        else:
            files[f"sources/{g}.txt"] = m["text"]
            note = e.Note(plainTextPath=f"internal://{g}.txt", **attrs)
        if target_type != "code":
            described.setdefault((target_type, target_id), []).append(m["text"])
        if target_type == "segment":
            segment_authors.setdefault(target_id, set()).add(m["coder"] or "")
        notes.append(note)
        note_refs.setdefault((target_type, target_id), []).append(g)
        if target_type == "transcript":
            # QualCoder takes a note a source refers to for an annotation and drops it (it has no passage), so
            # the source's description is all it keeps: without its author. The same memo again as a note nothing
            # refers to is a journal entry there, with its author, and comes back as this transcript's memo
            jg = guid("memo", f"journal:{target_type}:{key}:{m['coder']}")
            files[f"sources/{jg}.txt"] = m["text"]
            journals.append(e.Note(plainTextPath=f"internal://{jg}.txt", **{**attrs, "guid": jg}))

    origin = f"{ORIGIN} (positions: {'UTF-16 code units' if positions == UTF16 else 'characters'}" + \
        (", a CRLF line end as one)" if line_ends == "crlf" else ")")
    project_attrs = {"name": project.name, "origin": origin,
                     "creationDateTime": xsd_datetime(project.setting("created"), now), "modifiedDateTime": now}
    code_notes = {k[1]: v for k, v in note_refs.items() if k[0] == "code"}
    code_elements = [_code_element(e, r, names, code_notes) for r in cb.roots]

    # cases: every informant, with a code of the same GUID coding their turns (how NVivo writes case coding, and the
    # only way QualCoder links a case to text)
    cases = project.cases()
    case_guid = {c["id"]: guid("case", c["id"]) for c in cases}
    case_turns: dict[str, dict[str, str]] = {}  # transcript -> speaker label -> case id
    all_speakers: dict[str, list[dict[str, Any]]] = {}
    for sp in project.speakers():
        all_speakers.setdefault(sp["transcript_id"], []).append(sp)
        if sp["case_id"] in case_guid:
            case_turns.setdefault(sp["transcript_id"], {})[sp["label"]] = sp["case_id"]
    if case_turns:
        taken = {n.lower() for n in names.values()}
        folder = CASE_FOLDERS[0] if CASE_FOLDERS[0].lower() not in taken else CASE_FOLDERS[1]
        code_elements.append(e.Code(*[e.Code(guid=case_guid[c["id"]], name=c["id"], isCodable="true")
                                      for c in cases if any(c["id"] in m.values() for m in case_turns.values())],
                                    guid=guid("code", "qualcode:cases"), name=folder, isCodable="false"))

    # variables: every case attribute and transcript attribute, as text; and each transcript's speakers with their
    # roles and cases, which tools that keep no case coding of turns (QualCoder exports none) carry back this way
    var_names: list[str] = []
    for holder in [c["attributes"] for c in cases] + [t["attributes"] for t in transcripts]:
        for key in holder:
            if key not in var_names:
                var_names.append(key)
    var_guid = {k: guid("variable", k) for k in var_names}
    variables = [e.Variable(guid=var_guid[k], name=k.replace("_", " "), typeOfVariable="Text") for k in var_names]
    if any(all_speakers.get(t["id"]) for t in transcripts):
        var_guid[SPEAKERS_VARIABLE] = guid("variable", SPEAKERS_VARIABLE)
        variables.append(e.Variable(e.Description("Each speaker label of the transcript with its role and case"),
                                    guid=var_guid[SPEAKERS_VARIABLE], name=SPEAKERS_VARIABLE, typeOfVariable="Text"))
    if any(t.get("kind") == "document" for t in transcripts):
        var_guid[KIND_VARIABLE] = guid("variable", KIND_VARIABLE)
        variables.append(e.Variable(e.Description("'document' for a desk-review document"),
                                    guid=var_guid[KIND_VARIABLE], name=KIND_VARIABLE, typeOfVariable="Text"))

    def values(attrs: dict[str, Any]) -> list[Any]:
        return [e.VariableValue(e.VariableRef(targetGUID=var_guid[k]), e.TextValue(str(v)))
                for k, v in attrs.items() if v is not None and str(v) != ""]

    source_guid = {t["id"]: guid("source", f"{t['id']}:{t['sha256']}") for t in transcripts}
    case_elements = []
    for case in cases:
        el = e.Case(guid=case_guid[case["id"]], name=case["id"])
        if described.get(("case", case["id"])):
            el.append(e.Description("\n\n".join(described[("case", case["id"])])))
        for v in values(withheld_values(pseudo, case["attributes"], None) if withhold else case["attributes"]):
            el.append(v)
        for tid in case["transcripts"]:
            if tid in source_guid:
                el.append(e.SourceRef(targetGUID=source_guid[tid]))
        case_elements.append(el)

    # sources, a transcript at a time: the elements to one spool, the texts to another, qualcode.json's entries to
    # a third; the archive is put together from them at the end
    wrapper = [e.Project(), e.Sources()]
    n_selections = 0
    n_sources = 0
    # where NVivo/ATLAS.ti/MAXQDA (UTF-16) and QualCoder (characters) part: sources with a character outside the BMP,
    # and the codings that end after the first such character (placed elsewhere by the tools of the other reading)
    parted = {"sources": 0, "codings": 0}
    # the spools sit beside the file, inside the block that writes it whole or not at all (a full disk or a size
    # limit while spooling is reported as for the file itself)
    with atomic_output(out, what="REFI-QDA file") as tmp, tempfile.TemporaryFile(dir=tmp.parent) as xml_spool, \
            tempfile.TemporaryFile(dir=tmp.parent) as text_spool, tempfile.TemporaryFile(dir=tmp.parent) as json_spool:
        head_json: dict[str, Any] = {"format": "qualcode-refi", "version": 1, "codebook_yaml": dump_codebook(cb),
                                     "transcripts": {}, "positions": positions}
        if withhold:
            # the transcripts inside are the pseudonymised ones; each entry's "verbatim_sha256" is the original
            # text's hash, by which the project they came from finds them again
            head_json["names"] = "withheld"
        extension = stream.JsonPieces(head_json, "transcripts", json_spool)
        texts: list[tuple[str, int]] = []  # member name, length in text_spool
        for done, t in enumerate(transcripts):
            if progress:
                progress("writing sources", done, len(transcripts))
            tid = t["id"]
            segs = project.segments(tid)
            stored = project.transcript_text(tid)
            speakers_here = all_speakers.get(tid, [])
            attributes, title, source_name = t["attributes"], t["title"], file_name(t["source_name"])
            shown_segs: Sequence[Mapping[str, Any]] = segs
            if withhold:
                labels = shipped_labels(pseudo, tid, speakers_here)
                view = WithheldText(pseudo, tid, stored, segs, labels)
                stored, shown_segs = view.text, view.segments
                hidden["speaker_labels"] += sum(1 for a, b in labels.items() if a != b)
                hidden["names_in_text"] += view.replaced
                speakers_here = [{**sp, "label": labels.get(sp["label"], sp["label"])} for sp in speakers_here]
                attributes = withheld_values(pseudo, attributes, tid)
                title = pseudo(title, tid) if title else title
                shown_name = withheld_file_name(pseudo, source_name)
                hidden["file_names"] += shown_name != source_name
                source_name = shown_name
            shipped = _Text(stored, shown_segs)
            count = _counter(shipped.text, positions)
            astral_at = next((i for i, ch in enumerate(shipped.text) if ord(ch) > 0xFFFF), None)
            parted["sources"] += astral_at is not None
            g = source_guid[tid]
            # positions count the text as shipped with LF line ends; a CRLF is one position where it is asked for
            data = (shipped.text.replace("\n", "\r\n") if line_ends == "crlf" else shipped.text).encode("utf-8")
            text_spool.write(data)
            texts.append((f"sources/{g}.txt", len(data)))
            src = e.TextSource(guid=g, name=tid, plainTextPath=f"internal://{g}.txt",
                               creationDateTime=xsd_datetime(None, now))
            if described.get(("transcript", tid)):
                src.append(e.Description("\n\n".join(described[("transcript", tid)])))
            by_segment: dict[int, list[ListedCoding]] = {}
            for c in project.codings(transcript=tid):
                if wanted is None or c["coder"] in wanted:
                    if c["coder"] in coder_shown:
                        c = {**c, "coder": coder_shown[c["coder"]]}
                    users_used.add(c["coder"])
                    by_segment.setdefault(c["segment"], []).append(c)
            turn_cases = case_turns.get(tid, {})
            turn_end: dict[int, int] = {}
            for x in shown_segs:
                turn_end[x["turn"]] = max(turn_end.get(x["turn"], 0), x["end"])
            last_turn: int | None = None
            for s, shown in zip(segs, shown_segs, strict=True):
                start, end = count(shipped.pos(shown["start"])), count(shipped.pos(shown["end"], end=True))
                if s["turn"] != last_turn and s["speaker"] in turn_cases:
                    case_id = turn_cases[s["speaker"]]
                    src.append(e.PlainTextSelection(
                        e.Coding(e.CodeRef(targetGUID=case_guid[case_id]), guid=guid("case-coding", f"{seg_key(s)}")),
                        guid=guid("case-turn", seg_key(s)), name=f"{case_id}", startPosition=str(start),
                        endPosition=str(count(shipped.pos(turn_end[s["turn"]], end=True)))))
                last_turn = s["turn"]
                for c in by_segment.get(s["id"], []):
                    created = xsd_datetime(c["created"], now)
                    key = f"{seg_key(s)}:{c['code']}:{c['coder']}"
                    sel = e.PlainTextSelection(guid=guid("selection", key), name=names.get(c["code"], c["code"]),
                                               startPosition=str(start), endPosition=str(end),
                                               creatingUser=user(c["coder"]) or "", creationDateTime=created)
                    # QualCoder reads a coding's memos only from the selection's description
                    said = [pseudo(c["memo"], tid)] if c["memo"] else []
                    said += described.get(("coding", str(c["id"])), [])
                    if said:
                        sel.append(e.Description("\n\n".join(said)))
                    coding = e.Coding(e.CodeRef(targetGUID=guid("code", c["code"])), guid=guid("coding", key),
                                      creatingUser=user(c["coder"]) or "", creationDateTime=created)
                    for ref in note_refs.get(("coding", str(c["id"])), []):
                        coding.append(e.NoteRef(targetGUID=ref))
                    sel.append(coding)
                    src.append(sel)
                    n_selections += 1
                    parted["codings"] += astral_at is not None and shipped.pos(shown["end"], end=True) > astral_at
                seg_notes = note_refs.get(("segment", str(s["id"])), [])
                if seg_notes:
                    # a memo on a unit: an uncoded selection of the unit carrying the memo and pointing at its note
                    authors = sorted(segment_authors.get(str(s["id"]), set()))
                    sel = e.PlainTextSelection(guid=guid("selection", f"{seg_key(s)}:memo"), name=s["ref"],
                                               startPosition=str(start), endPosition=str(end),
                                               creatingUser=user(authors[0]) or "")
                    sel.append(e.Description("\n\n".join(described[("segment", str(s["id"]))])))
                    for ref in seg_notes:
                        sel.append(e.NoteRef(targetGUID=ref))
                    src.append(sel)
            for ref in note_refs.get(("transcript", tid), []):
                src.append(e.NoteRef(targetGUID=ref))
            for v in values(attributes):
                src.append(v)
            if speakers_here:
                src.append(e.VariableValue(e.VariableRef(targetGUID=var_guid[SPEAKERS_VARIABLE]),
                                           e.TextValue(speakers_value(speakers_here))))
            if t.get("kind") == "document":
                src.append(e.VariableValue(e.VariableRef(targetGUID=var_guid[KIND_VARIABLE]),
                                           e.TextValue("document")))
            xml_spool.write(stream.element_at(src, wrapper))
            n_sources += 1
            entry: dict[str, Any] = {
                "id": tid, "title": title, "format": t["format"], "source_name": source_name,
                "attributes": attributes, "sha256": text_hash(stored) if withhold else sha[tid],
                "labels": [[at, prefix] for at, prefix in shipped.inserts],
                "units": [[s["start"], s["end"], s["speaker"], s["turn"], s["t_start"], s["t_end"]]
                          for s in shown_segs],
                "speakers": [{"label": sp["label"], "role": sp["role"], "case": sp["case_id"]}
                             for sp in speakers_here],
            }
            if withhold:
                entry["verbatim_sha256"] = sha[tid]
            if t.get("kind") == "document":
                # a desk-review document: qualcode brings back its kind and where each unit sits (page, printed
                # page, heading path); other tools read it as the text source it is
                entry["kind"] = "document"
                entry["places"] = [[s["page"], s["page_label"], s["heading"]] for s in segs]
                # title, author, date, pages
                entry["metadata"] = withheld_values(pseudo, t["metadata"], tid) if withhold else t["metadata"]
            extension.add(g, entry)

        # what comes before the sources (users are known once every coding was read) and after them
        head = e.Project(**project_attrs)
        if users_used:
            head.append(e.Users(*[e.User(guid=user(n) or "", name=n) for n in sorted(users_used)]))
        head.append(e.CodeBook(e.Codes(*code_elements)))
        if variables:
            head.append(e.Variables(*variables))
        if case_elements:
            head.append(e.Cases(*case_elements))
        tail = e.Project(**project_attrs)
        if notes:
            tail.append(e.Notes(*notes, *journals))
        case_links = [(ref, case_guid.get(target, guid("case", target))) for (kind, target), refs in note_refs.items()
                      if kind == "case" for ref in refs]
        if case_links:
            # NoteRef is not allowed on a Case, so a case memo is a link from the note to the case
            tail.append(e.Links(*[e.Link(guid=guid("link", f"{n}:{c}"), name="memo", originGUID=n, targetGUID=c,
                                         direction="OneWay") for n, c in case_links]))
        if cb.groups:
            tail.append(e.Sets(*_set_elements(e, cb, member="targetGUID")))
        if described.get(("project", "project")):
            tail.append(e.Description("\n\n".join(described[("project", "project")])))
        for ref in note_refs.get(("project", "project"), []):
            tail.append(e.NoteRef(targetGUID=ref))
        before, closing = stream.document_parts(head)
        after = stream.children_of(tail)

        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            size = len(before) + xml_spool.tell() + len(after) + len(closing)
            with stream.open_member(z, "project.qde", size) as member:
                member.write(before)
                if n_sources:
                    member.write(b"  <Sources>\n")
                    stream.copy(xml_spool, member)
                    member.write(b"  </Sources>\n")
                member.write(after)
                member.write(closing)
            for name, text in files.items():
                z.writestr(name, text.encode("utf-8"))
            text_spool.flush()
            text_spool.seek(0)
            for name, length in texts:
                z.writestr(name, text_spool.read(length))
            with stream.open_member(z, EXTENSION_MEMBER, json_spool.tell()) as member:
                extension.write_to(member)
    return {
        "file": str(out),
        "format": "qdpx",
        "positions": positions,
        "positions_part": parted,
        "line_ends": line_ends,
        # what a reader of the file cannot see (see the README): nothing when names were asked for
        "names": "withheld" if withhold else "shown",
        "withheld": hidden if withhold else {},
        "counts": {"codes": len(cb), "sources": n_sources, "codings": n_selections,
                   "cases": len(cases), "variables": len(var_names), "memos": len(notes), "users": len(users_used),
                   "code_groups": len(cb.groups)},
    }


def _coders_shown(project: Project, pseudo: Any) -> dict[str, str]:
    """Coders whose full name (two words or more) is that of someone the export withholds (an informant, a named
    speaker, a name on the name list; not an interviewer, who is of the team): their name -> "Coder N"."""
    from qualcode.safety.privacy import name_key

    # full names only: a one-word login ("minh") names a team member, and as one given name among many in a
    # country it singles out no informant
    withheld = {key for p in pseudo.people if p.kind != "interviewer" for n in p.names if len(key := name_key(n)) > 1}
    out: dict[str, str] = {}
    for row in project.coders():
        name = str(row["name"])
        if name_key(name) in withheld:
            out[name] = f"Coder {len(out) + 1}"
    return out


def _counter(text: str, positions: str) -> Callable[[int], int]:
    """Character offset in ``text`` -> the position written (UTF-16 units count each astral character twice)."""
    if positions != UTF16 or not has_astral(text):
        return lambda i: i
    table = utf16_offsets(text)
    return lambda i: table[i]
