"""What other tools write that the standard leaves open: cases that name their passages (SelectionRef), sets of notes,
several sources of one name (MAXQDA), document variables on the source (MAXQDA) and as an unnamed case (Quirkos)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.refi import import_refi
from qualcode.store import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'
TEXT = ("Interviewer: How did the training go?\n\n"
        "Mr Binh: It was useful but too short.\n\n"
        "Interviewer: Anything else?\n\n"
        "Mr Binh: The trainers were excellent.\n")
CODES = '<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Training" isCodable="true"/>' \
        '</Codes></CodeBook>'
VARIABLES = ('<Variables><Variable guid="7A000000-0000-4000-8000-000000000001" name="District" typeOfVariable="Text"/>'
             '<Variable guid="7A000000-0000-4000-8000-000000000002" name="Age" typeOfVariable="Integer"/></Variables>')


def _source(n: int, name: str, inner: str = "") -> str:
    return (f'<TextSource guid="50C00000-0000-4000-8000-00000000000{n}" name="{name}" '
            f'plainTextPath="internal://50C00000-0000-4000-8000-00000000000{n}.txt">{inner}</TextSource>')


def _value(variable: int, value: str, kind: str = "TextValue") -> str:
    return (f'<VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-00000000000{variable}"/>'
            f'<{kind}>{value}</{kind}></VariableValue>')


def _write(path: Path, body: str, texts: dict[int, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="MAXQDA 24" '
                                  f'name="P">{body}</Project>')
        for n, text in texts.items():
            z.writestr(f"sources/50C00000-0000-4000-8000-00000000000{n}.txt", text)
    return path


def test_a_case_that_names_its_passages_is_linked_to_the_speaker_of_those_turns(tmp_path: Path) -> None:
    a, b = TEXT.index("It was useful"), TEXT.index(" but too short")
    selection = (f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" startPosition="{a}" '
                 f'endPosition="{b}"/>')
    cases = ('<Cases><Case guid="CA5E0000-0000-4000-8000-000000000001" name="Farmer 7">'
             f'{_value(1, "North")}<SelectionRef targetGUID="5E000000-0000-4000-8000-000000000001"/></Case></Cases>')
    f = _write(tmp_path / "x.qdpx", f"{CODES}{VARIABLES}<Sources>{_source(1, 'KII 3', selection)}</Sources>{cases}",
               {1: TEXT})
    report = import_refi(tmp_path / "p", f, coder="me")
    with Project.open(tmp_path / "p") as p:
        speakers = {sp["label"]: (sp["role"], sp["case_id"]) for sp in p.speakers("KII-3")}
        case = p.cases()[0]
    assert speakers["Mr Binh"] == ("informant", "Farmer-7") and speakers["Interviewer"][1] is None
    assert case["attributes"] == {"district": "North"} and report["counts"]["case_links"] == 1


def test_sources_of_one_name_are_kept_apart_and_sets_of_notes_are_named_as_left_out(tmp_path: Path) -> None:
    other = TEXT.replace("Mr Binh", "Ms Lan").replace("too short", "too long")
    notes = ('<Notes><Note guid="4E000000-0000-4000-8000-000000000001" name="Idea"><PlainTextContent>Compare the two '
             'districts</PlainTextContent></Note></Notes>')
    sets = ('<Sets><Set guid="5E700000-0000-4000-8000-000000000001" name="Ideas"><MemberNote '
            'targetGUID="4E000000-0000-4000-8000-000000000001"/></Set></Sets>')
    # MAXQDA keeps a document's variables on the source; Quirkos writes them as an unnamed case naming one source
    quirkos = ('<Cases><Case guid="CA5E0000-0000-4000-8000-000000000002">'
               f'{_value(1, "South")}<SourceRef targetGUID="50C00000-0000-4000-8000-000000000002"/></Case></Cases>')
    maxqda = _value(1, "North") + _value(2, "41", "IntegerValue")
    body = (f'{CODES}{VARIABLES}<Sources>{_source(1, "Interview", maxqda)}{_source(2, "Interview")}</Sources>'
            f'{notes}{quirkos}{sets}')
    f = _write(tmp_path / "x.qdpx", body, {1: TEXT, 2: other})
    report = import_refi(tmp_path / "p", f, coder="me")
    with Project.open(tmp_path / "p") as p:
        attributes = {t["id"]: t["attributes"] for t in p.transcripts()}
        memos = [m["text"] for m in p.memos("project", "project")]
    assert attributes == {"Interview": {"district": "North", "age": "41"}, "Interview-2": {"district": "South"}}
    assert sorted(report["read_as"]) == ["Interview", "Interview (2)"]
    assert report["skipped"] == {"sets of notes": 1}
    assert memos == ["Idea\nCompare the two districts"]
    assert import_refi(tmp_path / "p", f, coder="me")["nothing_new"]


def test_sources_without_a_guid_and_selections_written_end_first_are_still_placed(tmp_path: Path) -> None:
    """The schema asks for a GUID on every source; a file without one (or with one GUID twice) must not fold two
    sources into one. A selection whose end comes before its start still marks the passage between them."""
    other = TEXT.replace("Mr Binh", "Ms Lan").replace("too short", "too long")
    a, b = TEXT.index("It was useful"), TEXT.index(" but too short")
    c, d = other.index("The trainers"), len(other) - 1
    coding = '<Coding guid="D0000000-0000-4000-8000-000000000001"><CodeRef ' \
             'targetGUID="C0DE0000-0000-4000-8000-000000000001"/></Coding>'
    one = (f'<TextSource name="Binh" plainTextPath="internal://50C00000-0000-4000-8000-000000000001.txt">'
           f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" startPosition="{b}" endPosition="{a}">'
           f'{coding}</PlainTextSelection></TextSource>')
    two = (f'<TextSource name="Lan" plainTextPath="internal://50C00000-0000-4000-8000-000000000002.txt">'
           f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000002" startPosition="{c}" endPosition="{d}">'
           f'{coding}</PlainTextSelection></TextSource>')
    f = _write(tmp_path / "x.qdpx", f"{CODES}<Sources>{one}{two}</Sources>", {1: TEXT, 2: other})
    report = import_refi(tmp_path / "p", f, coder="me")
    with Project.open(tmp_path / "p") as p:
        coded = sorted((c["transcript"], p.segment(c["segment"])["text"]) for c in p.codings())
    assert coded == [("Binh", "It was useful but too short."), ("Lan", "The trainers were excellent.")]
    assert report["counts"]["selections_not_mapped"] == 0
    assert import_refi(tmp_path / "p", f, coder="me")["nothing_new"]
