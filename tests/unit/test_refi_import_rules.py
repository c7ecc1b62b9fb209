"""REFI-QDA import rules: positions as each tool counts them, idempotent re-import, merge rules for a changed file,
sets, skipped elements, projects without a codebook."""

from __future__ import annotations

import re
import shlex
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from qualcode.cli import main
from qualcode.refi import export_qdpx, import_refi
from qualcode.refi.positions import CHARACTERS, UTF16, Convention, PositionMap, Selection, choose
from qualcode.store import Project, source_type_of

TEXT = ("Interviewer: How was the course? 🙂\n\n"
        "Ms Hoa: It was useful 👍👍 and the trainers listened.\n\n"
        "Interviewer: What changed afterwards?\n\n"
        "Ms Hoa: Supervisors talk to workers now 😀 every week.\n")


def _utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def _project_xml(origin: str, selections: str, extra: str = "", codes: str | None = None) -> str:
    codebook = codes if codes is not None else (
        '<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Change" isCodable="true"/>'
        '</Codes></CodeBook>')
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="P" '
            f'origin="{origin}"><Users><User guid="A1B2C3D4-0000-4000-8000-000000000001" name="Mai"/></Users>'
            f'{codebook}<Sources><TextSource guid="50C00000-0000-4000-8000-000000000001" name="hoa.txt" '
            f'plainTextPath="internal://50C00000-0000-4000-8000-000000000001.txt">{selections}</TextSource>'
            f'</Sources>{extra}</Project>')


def _selection(start: int, end: int, n: int = 1) -> str:
    return (f'<PlainTextSelection guid="5E100000-0000-4000-8000-00000000000{n}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="A1B2C3D4-0000-4000-8000-000000000001"><Coding '
            f'guid="C0D10000-0000-4000-8000-00000000000{n}"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000001"'
            '/></Coding></PlainTextSelection>')


def _write(path: Path, qde: str, text: str = TEXT) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/50C00000-0000-4000-8000-000000000001.txt", text.encode("utf-8"))
    return path


def _coded_texts(folder: Path) -> list[str]:
    with Project.open(folder) as p:
        segs = {s["id"]: s["text"] for s in p.segments()}
        return [segs[c["segment"]] for c in p.codings()]


def test_utf16_positions_are_detected_from_the_selections_whatever_the_origin_says(tmp_path: Path) -> None:
    # three selections after emoji, in UTF-16 units, from a tool that does not say it is NVivo
    a = TEXT.index("Supervisors")
    b = TEXT.index(" every week")
    c = TEXT.index("the trainers")
    sels = _selection(_utf16(TEXT, a), _utf16(TEXT, b), 1) + _selection(_utf16(TEXT, c), _utf16(TEXT, c + 12), 2)
    report = import_refi(tmp_path / "p", _write(tmp_path / "x.qdpx", _project_xml("SomeTool 2", sels)), coder="tester")
    assert report["positions"]["read_as"] == ["UTF-16 code units"]
    # the summary says the text was taken for a conversation, and whose
    assert report["read_as"] == {"hoa.txt": "a conversation: 2 speaker label(s) recognised (Interviewer, Ms Hoa)"}
    assert sorted(_coded_texts(tmp_path / "p")) == ["It was useful 👍👍 and the trainers listened.",
                                                    "Supervisors talk to workers now 😀 every week."]


def test_character_positions_stay_characters_when_they_fit_better(tmp_path: Path) -> None:
    a, b = TEXT.index("Supervisors"), TEXT.index(" every week")
    report = import_refi(tmp_path / "p", _write(tmp_path / "x.qdpx", _project_xml("NVivo 14", _selection(a, b))),
                         coder="tester")
    assert report["positions"]["read_as"] == ["characters"]  # the selections overrule the origin
    assert _coded_texts(tmp_path / "p") == ["Supervisors talk to workers now 😀 every week."]


def test_position_map_counts_surrogates_and_folded_line_ends() -> None:
    text = "a😀b\r\nc"
    assert PositionMap(text, Convention(UTF16, 2))(3) == 2  # 'b' is unit 3 in UTF-16, character 2
    assert PositionMap(text, Convention(CHARACTERS, 1))(4) == 5  # 'c' is position 4 when CRLF counts once
    choice = choose(text, [Selection(0, 1)], "ATLAS.ti 23")
    assert choice.convention.crlf == 1  # only the origin can tell here, and ATLAS.ti counts a CRLF once
    # so does MAXQDA: QualCoder writes CRLF line ends for it, with positions that count each line end once
    assert choose(text, [Selection(0, 1)], "MAXQDA 2022 (Release 22.4.0)").convention.crlf == 1
    assert choose(text, [Selection(0, 1)], "NVivo 14").convention.crlf == 2


def test_selection_names_that_are_not_the_selected_text_do_not_hide_the_word_boundaries() -> None:
    """QualCoder names a selection by its whole text, ATLAS.ti by the quotation's start cut with an ellipsis, other
    tools by the file or the time ('21s'): a name counts as the text only where it matches under some reading."""
    a, b = TEXT.index("It was useful"), TEXT.index(" and the trainers")
    c, d = TEXT.index("Supervisors"), TEXT.index(" every week")
    u = [_utf16(TEXT, i) for i in (a, b, c, d)]
    named_after_the_file = [Selection(u[0], u[1], "hoa.txt.transcribed"), Selection(u[2], u[3], "hoa.txt.transcribed")]
    cut_quotations = [Selection(u[0], u[1], "It was useful 👍👍…"), Selection(u[2], u[3], "Supervisors talk to...")]
    for selections in (named_after_the_file, cut_quotations):
        choice = choose(TEXT, selections, "SomeTool 1")
        assert choice.convention.unit == UTF16 and choice.fits[choice.convention] == 2 and not choice.by_origin


def test_an_atlas_project_with_users_but_no_codebook_imports(tmp_path: Path) -> None:
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="blank" '
           'origin="ATLAS.ti for Windows 23.2.3"><Users><User guid="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" '
           'name="Enric"/></Users></Project>')
    path = tmp_path / "blank.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
    report = import_refi(tmp_path / "p", path, coder="tester")
    assert report["created"] and report["counts"]["codes_in_file"] == 0
    with Project.open(tmp_path / "p") as p:
        assert p.codebook()["relevance"]  # a new project starts from the evaluation criteria, as 'init' does


def test_sets_and_everything_left_out_are_named_in_the_summary(tmp_path: Path) -> None:
    extra = ('<Sets><Set guid="5E700000-0000-4000-8000-000000000001" name="Factories 2024">'
             '<MemberSource targetGUID="50C00000-0000-4000-8000-000000000001"/></Set>'
             '<Set guid="5E700000-0000-4000-8000-000000000002" name="Core themes">'
             '<MemberCode targetGUID="C0DE0000-0000-4000-8000-000000000001"/></Set>'
             '<Set guid="5E700000-0000-4000-8000-000000000003" name="Old themes">'
             '<MemberCode targetGUID="C0DE0000-0000-4000-8000-0000000000FF"/></Set></Sets>')
    qde = _project_xml("MAXQDA 24", "", extra)
    qde = qde.replace("</Sources>", '<PictureSource guid="F1000000-0000-4000-8000-000000000001" '
                      'path="internal://x.png"/><AudioSource guid="F1000000-0000-4000-8000-000000000002" '
                      'path="internal://x.m4a"/><PictureSource guid="F1000000-0000-4000-8000-000000000003" '
                      'path="internal://y.png"/></Sources>')
    report = import_refi(tmp_path / "p", _write(tmp_path / "x.qdpx", qde), coder="tester")
    # the set of codes becomes a code group; the one whose code is not in the file is named as left out
    assert report["skipped"] == {"pictures": 2, "audio sources": 1,
                                 "sets of codes with none of their codes in the file": 1}
    assert ("left out: 2 pictures, 1 audio sources, 1 sets of codes with none of their codes in the file"
            in report["warnings"])
    assert any("'Old themes'" in w for w in report["warnings"])
    assert not any("'Core themes'" in w for w in report["warnings"])
    with Project.open(tmp_path / "p") as p:
        assert p.transcripts()[0]["attributes"]["set"] == "Factories 2024"
        assert [(g.name, g.codes) for g in p.codebook().groups] == [("Core themes", ["change"])]


def _counts(folder: Path) -> dict[str, int]:
    db = sqlite3.connect(folder / "qualcode.db")
    try:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("codes", "transcripts", "transcript_versions", "codings", "memos", "cases", "speakers",
                          "events")}
    finally:
        db.close()


def test_qualcodes_own_export_sent_back_without_qualcode_json_adds_nothing(example_project: Project,
                                                                          tmp_path: Path) -> None:
    p = example_project
    export_qdpx(p, tmp_path / "full.qdpx")
    stripped = tmp_path / "stripped.qdpx"
    with zipfile.ZipFile(tmp_path / "full.qdpx") as src, zipfile.ZipFile(stripped, "w") as dst:
        for item in src.infolist():
            if item.filename != "qualcode.json":
                dst.writestr(item, src.read(item))
    before = _counts(p.path)
    report = import_refi(p.path, stripped, coder="tester")
    assert _counts(p.path) == before
    assert report["nothing_new"] and report["counts"]["transcripts_already_here"] == len(p.transcripts())
    assert report["counts"]["codings_already_here"] >= len(p.codings())


def test_a_changed_file_merges_like_merge_does(tmp_path: Path) -> None:
    a, b = TEXT.index("It was useful"), TEXT.index("Supervisors")
    first = _write(tmp_path / "v1.qdpx", _project_xml("NVivo 14", _selection(_utf16(TEXT, a), _utf16(TEXT, a + 13))))
    import_refi(tmp_path / "p", first, coder="tester")
    # the colleague renamed the code, coded one more passage and corrected a word in the text
    changed_text = TEXT.replace("every week", "every single week")
    sels = _selection(_utf16(changed_text, a), _utf16(changed_text, a + 13), 1) + \
        _selection(_utf16(changed_text, b), _utf16(changed_text, b + 11), 2)
    qde = _project_xml("NVivo 14", sels).replace('name="Change"', 'name="Change noticed"')
    report = import_refi(tmp_path / "p", _write(tmp_path / "v2.qdpx", qde, changed_text), coder="tester")
    c = report["counts"]
    assert (c["codes_added"], c["transcripts_added"], c["transcripts_in_conflict"]) == (0, 0, 1)
    assert c["codings_already_here"] == 1  # the unchanged sentence keeps its one coding
    assert c["selections_not_mapped"] == 1  # the corrected sentence is not placed, and the summary says so
    with Project.open(tmp_path / "p") as p:
        assert len(p.transcripts()) == 1 and len(p.codings()) == 1


def test_a_short_text_without_speaker_labels_is_imported_without_speakers_not_as_interview_notes(
    tmp_path: Path,
) -> None:
    # qualcode's own reader takes a short unlabelled .txt for an interviewer's notes, all the informant's; a source
    # from another tool says nothing of the kind, so its lines have no speaker
    text = "The training helped the supervisors.\nThey listen to workers now.\nA grievance box was put up in May.\n"
    a = text.index("They listen")
    qde = _project_xml("OtherTool 2.0", _selection(a, a + len("They listen to workers now.")))
    report = import_refi(tmp_path / "p", _write(tmp_path / "notes.qdpx", qde, text), coder="tester")
    assert any("has no speaker labels" in w for w in report["warnings"])
    assert report["read_as"] == {"hoa.txt": "a text without speakers (no speaker labels), as a desk-review document"}
    assert not any("do not read as a conversation" in w for w in report["warnings"])  # there are no such lines
    with Project.open(tmp_path / "p") as p:
        assert p.speakers() == [] and [s["speaker"] for s in p.segments()] == [None, None, None]
        # nobody speaks in it: not counted as a key-informant interview where data sources are compared
        assert [source_type_of(t["kind"], t["attributes"]) for t in p.transcripts()] == ["document"]
    assert _coded_texts(tmp_path / "p") == ["They listen to workers now."]


def test_a_text_without_speaker_labels_the_file_types_as_an_interview_stays_an_interview(tmp_path: Path) -> None:
    # interview notes typed without labels, which the other tool's file gives the type KII: not a document
    text = "The training helped the supervisors.\nThey listen to workers now.\nA grievance box was put up in May.\n"
    codes = ('<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Change" isCodable="true"/>'
             '</Codes></CodeBook><Variables><Variable guid="7A000000-0000-4000-8000-000000000001" name="Type"'
             ' typeOfVariable="Text"/></Variables>')
    value = ('<VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-000000000001"/><TextValue>KII'
             '</TextValue></VariableValue>')
    qde = _project_xml("OtherTool 2.0", value, codes=codes)
    report = import_refi(tmp_path / "p", _write(tmp_path / "notes.qdpx", qde, text), coder="tester")
    assert report["read_as"] == {"hoa.txt": "a text without speakers (no speaker labels), as the interview the file"
                                            " says it is"}
    assert any("as the interview its 'type' says it is" in w for w in report["warnings"])
    with Project.open(tmp_path / "p") as p:
        assert [(t["kind"], source_type_of(t["kind"], t["attributes"])) for t in p.transcripts()] == \
            [("transcript", "KII")]


def test_of_two_voices_without_an_interviewer_label_the_one_asking_is_the_interviewer_and_the_summary_says_so(
    tmp_path: Path,
) -> None:
    # labelled by names only, as many transcripts are: the pair is read as 'qualcode import' reads one
    text = ("Max Bigman: Can you tell me how the committee started?\n\n"
            "Ana Lopes: It started after the district asked for a plan.\n\n"
            "Max Bigman: Who was on it at first?\n\n"
            "Ana Lopes: Teachers and two parents, and later the librarian.\n\n"
            "Max Bigman: What changed for the students?\n\n"
            "Ana Lopes: Every student now takes one computing course.\n")
    a = text.index("Every student")
    qde = _project_xml("OtherTool 2.0", _selection(a, a + len("Every student now takes one computing course.")))
    report = import_refi(tmp_path / "p", _write(tmp_path / "pair.qdpx", qde, text), coder="tester")
    with Project.open(tmp_path / "p") as p:
        roles = {s["label"]: s["role"] for s in p.speakers()}
        [t] = p.transcripts()
    assert roles == {"Max Bigman": "interviewer", "Ana Lopes": "informant"}
    assert source_type_of(t["kind"], t["attributes"]) == "KII"
    assert [w for w in report["warnings"] if w.startswith("transcript ")] == [
        f"transcript {t['id']}: read 'Max Bigman' as the interviewer (asks the questions); read 'Ana Lopes' as its"
        f" informant (if wrong: 'qualcode transcripts set-role {t['id']} LABEL interviewer|unknown')"]


REAL = Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda" / "real"


def _conversation(tmp_path: Path, text: str, name: str = "hoa.txt") -> dict[str, Any]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    a = text.rindex(": ") + 2
    qde = _project_xml("OtherTool 2.0", _selection(a, len(text.rstrip()))).replace('name="hoa.txt"', f'name="{name}"')
    return import_refi(tmp_path / "p", _write(tmp_path / "conversation.qdpx", qde, text), coder="tester")


def _guesses(report: dict[str, Any]) -> list[str]:
    return [w for w in report["warnings"] if w.startswith("transcript ")]


def test_confirming_a_focus_group_with_a_case_sheet_as_the_warning_advises_keeps_its_informants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # QualCoder's focus group: P1-P6 are guessed informants; the warning says to give the type in a case sheet
    report = import_refi(tmp_path / "p", REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    assert any("give it its 'type' in a case sheet" in w for w in _guesses(report))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("transcript_id,type,stakeholder_group,speaker,case_id\n"
                     "fgd_savings_groups,FGD,savings group members,,\n"
                     "fgd_savings_groups,FGD,savings group members,P3,SG-P3\n", encoding="utf-8")
    assert main(["-p", str(tmp_path / "p"), "import", "--cases", str(sheet)]) == 0
    capsys.readouterr()
    with Project.open(tmp_path / "p") as p:
        speakers = {s["label"]: (s["role"], s["case_id"]) for s in p.speakers("fgd_savings_groups")}
        [fgd] = [t for t in p.transcripts() if t["id"] == "fgd_savings_groups"]
    assert speakers["Facilitator"] == ("interviewer", None)
    assert {speakers[f"P{n}"] for n in (1, 2, 4, 5, 6)} == {("informant", None)}  # the import's guess, kept
    assert speakers["P3"] == ("informant", "SG-P3")  # the speaker the sheet names takes the sheet's case
    assert source_type_of(fgd["kind"], fgd["attributes"]) == "FGD"


def test_the_correction_the_import_warning_prints_runs_as_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    report = import_refi(tmp_path / "p", REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    [warning] = [w for w in _guesses(report) if w.startswith("transcript fgd_savings_groups")]
    hinted = re.search(r"'(qualcode transcripts set-role [^']+)'", warning)
    assert hinted is not None
    argv = shlex.split(hinted.group(1).replace("LABEL", "P2").replace("interviewer|unknown", "unknown"))[1:]
    assert main(["-p", str(tmp_path / "p"), *argv]) == 0
    assert "'P2' is now unknown; was informant" in capsys.readouterr().out
    with Project.open(tmp_path / "p") as p:
        assert {s["label"]: (s["role"], s["case_id"]) for s in p.speakers("fgd_savings_groups")}["P2"] == \
            ("unknown", None)


def test_everyone_speaking_at_once_is_no_informant_and_does_not_make_an_interview_a_focus_group(
    tmp_path: Path,
) -> None:
    text = ("Interviewer: How was the course?\n\n"
            "Ms Hoa: It was useful and the trainers listened.\n\n"
            "Unknown Speaker: [inaudible]\n\n"
            "Interviewer: Thank you all for coming.\n\n"
            "All: Thank you.\n\n"
            "Ms Hoa: Supervisors talk to workers now every week.\n")
    report = _conversation(tmp_path, text)
    with Project.open(tmp_path / "p") as p:
        roles = {s["label"]: s["role"] for s in p.speakers()}
        [t] = p.transcripts()
    assert roles == {"Interviewer": "interviewer", "Ms Hoa": "informant", "All": "unknown",
                     "Unknown Speaker": "unknown"}
    assert source_type_of(t["kind"], t["attributes"]) == "KII" and "type" not in t["attributes"]
    assert not any("focus group" in w for w in _guesses(report))


OFFICIALS = ("Interviewer: What did the ministry change after the pilot?\n\n"
             "Mr Tuan: The budget line for training was doubled.\n\n"
             "Ms Lan: And the provinces now report every quarter.\n\n"
             "Interviewer: Who decided that?\n\n"
             "Mr Tuan: The vice minister, after the review.\n")


def test_a_paired_interview_the_source_name_calls_a_kii_is_no_focus_group_and_the_warning_says_why(
    tmp_path: Path,
) -> None:
    report = _conversation(tmp_path, OFFICIALS, name="KII-20 ministry.txt")
    with Project.open(tmp_path / "p") as p:
        roles = {s["label"]: s["role"] for s in p.speakers()}
        [t] = p.transcripts()
    assert roles == {"Interviewer": "interviewer", "Mr Tuan": "informant", "Ms Lan": "informant"}
    assert source_type_of(t["kind"], t["attributes"]) == "KII"
    [said] = _guesses(report)
    assert "typed as an interview (KII), as its name 'KII-20 ministry.txt' says (2 voices beside the interviewer" \
        in said


def test_without_a_type_in_its_name_two_voices_stay_an_interview_and_three_make_a_focus_group(tmp_path: Path) -> None:
    report = _conversation(tmp_path / "two", OFFICIALS, name="ministry.txt")
    with Project.open(tmp_path / "two" / "p") as p:
        [t] = p.transcripts()
    assert source_type_of(t["kind"], t["attributes"]) == "KII"
    assert "counted as a key-informant interview (2 voices beside the interviewer, too few" in _guesses(report)[0]
    three = OFFICIALS + "\nMs Mai: The districts were not asked.\n"
    report = _conversation(tmp_path / "three", three, name="ministry.txt")
    with Project.open(tmp_path / "three" / "p") as p:
        [t] = p.transcripts()
    assert source_type_of(t["kind"], t["attributes"]) == "FGD"
    assert _guesses(report)[0].startswith(f"transcript {t['id']}: typed as a focus group (3 voices beside the")


def test_another_projects_case_with_the_same_id_is_not_merged_into_an_unrelated_informant(
    example_project_dir: Path,
) -> None:
    # QualCoder's "FGD-01 P4" (a savings-group member in Rwanda) and the example's FGD-01-P4 (a factory HR officer)
    folder = example_project_dir
    with Project.open(folder) as p:
        before = {c["id"]: c for c in p.cases()}["FGD-01-P4"]
    first = import_refi(folder, REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    second = import_refi(folder, REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    with Project.open(folder) as p:
        cases = {c["id"]: c for c in p.cases()}
    assert cases["FGD-01-P4"]["attributes"] == before["attributes"]
    assert cases["FGD-01-P4"]["transcripts"] == before["transcripts"]
    assert cases["FGD-01-P4-2"]["attributes"]["stakeholder_group"] == "Community"
    assert first["counts"]["cases_added"] == 3 and first["counts"]["cases_differ"] == 0
    assert any(w.startswith("case 'FGD-01 P4' has the id of this project's informant FGD-01-P4, but") and
               "kept apart as FGD-01-P4-2" in w for w in first["warnings"])
    assert any(w.startswith("case 'FGD-01 P4' has the id of this project's informant FGD-01-P4, but the file"
                            " links it to no transcript and its attributes do not match") for w in first["warnings"])
    assert second["counts"]["cases_added"] == 0  # the second import finds the case it added
    assert not any("kept apart" in w for w in second["warnings"])  # and does not warn again of what it did before


def _edit_informant(folder: Path, case_id: str, **changes: str) -> None:
    with Project.open(folder) as p:
        case = {c["id"]: c for c in p.cases()}[case_id]
        p.upsert_case(case_id, None, {**case["attributes"], **changes}, coder="tester")


def _without_speakers_variable(tmp_path: Path) -> Path:
    # the same QualCoder export with qualcode's speakers variable renamed: the file then links no case to a transcript
    out = tmp_path / "unlinked.qdpx"
    with zipfile.ZipFile(REAL / "qualcoder-4.0-from-qualcode-example.qdpx") as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith(".qde"):
                data = data.replace(b'name="qualcode speakers"', b'name="speakers noted"')
            dst.writestr(item, data)
    return out


def test_an_informant_edited_here_is_still_the_one_qualcoder_sends_back(example_project_dir: Path) -> None:
    # QualCoder keeps no SourceRefs on cases; qualcode's speakers variable still says FGD-01-P1 speaks in FGD-01
    _edit_informant(example_project_dir, "FGD-01-P1", location="Hanoi")
    with Project.open(example_project_dir) as p:
        before = len(p.cases())
    report = import_refi(example_project_dir, REAL / "qualcoder-4.0-from-qualcode-example.qdpx", coder="tester")
    with Project.open(example_project_dir) as p:
        cases = {c["id"]: c for c in p.cases()}
    assert len(cases) == before and "FGD-01-P1-2" not in cases
    assert report["counts"]["cases_added"] == 0 and report["counts"]["cases_differ"] == 1
    assert cases["FGD-01-P1"]["attributes"]["location"] == "Hanoi"  # this project's case sheet is the reference


def test_without_transcript_links_an_exact_id_is_the_same_informant_unless_who_they_are_differs(
    example_project_dir: Path, tmp_path: Path,
) -> None:
    unlinked = _without_speakers_variable(tmp_path)
    _edit_informant(example_project_dir, "FGD-01-P1", location="Hanoi")
    _edit_informant(example_project_dir, "FGD-01-P2", sex="F")
    report = import_refi(example_project_dir, unlinked, coder="tester")
    with Project.open(example_project_dir) as p:
        cases = {c["id"] for c in p.cases()}
    assert "FGD-01-P1-2" not in cases  # a location corrected here is no other person
    assert "FGD-01-P2-2" in cases and report["counts"]["cases_added"] == 1
    assert [w for w in report["warnings"] if "kept apart" in w] == [
        "case 'FGD-01-P2' has the id of this project's informant FGD-01-P2, but its sex differs: kept apart as"
        " FGD-01-P2-2 (if they are one person, name FGD-01-P2 for its speaker in a case sheet)"]


def test_a_corrected_case_sheet_takes_back_the_speaker_an_earlier_sheet_placed_wrongly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    import_refi(tmp_path / "p", REAL / "qualcoder-4.0-interviews.qdpx", coder="tester")
    wrong, right = tmp_path / "s1.csv", tmp_path / "s2.csv"
    wrong.write_text("transcript_id,type,speaker,case_id\nfgd_savings_groups,FGD,P3,SG-A\n", encoding="utf-8")
    right.write_text("transcript_id,type,speaker,case_id\nfgd_savings_groups,FGD,P4,SG-A\n", encoding="utf-8")
    assert main(["-p", str(tmp_path / "p"), "import", "--cases", str(wrong)]) == 0
    assert main(["-p", str(tmp_path / "p"), "import", "--cases", str(right)]) == 0
    capsys.readouterr()
    with Project.open(tmp_path / "p") as p:
        speakers = {s["label"]: (s["role"], s["case_id"]) for s in p.speakers("fgd_savings_groups")}
    assert speakers["P4"] == ("informant", "SG-A")
    assert speakers["P3"][1] is None  # the first sheet's link is the sheet's to take back: SG-A is one person
    assert speakers["P2"] == ("informant", None)  # the import's guess, which no sheet decided, is kept


def test_the_summary_names_each_selection_it_could_not_place_and_why(tmp_path: Path) -> None:
    """qc 1.2.0 writes a selection of an empty line; a broken file may point past the text's end. Each is named with
    its source, positions and reason, so a user can find it in the other tool."""
    blank = TEXT.index("\n\n") + 1
    qde = _project_xml("qc 1.2.0", _selection(blank, blank + 1, 1) + _selection(len(TEXT) + 40, len(TEXT) + 60, 2)
                       + _selection(TEXT.index("It was"), TEXT.index(" and the"), 3))
    report = import_refi(tmp_path / "p", _write(tmp_path / "f.qdpx", qde), coder="tester")
    c = report["counts"]
    assert (c["selections"], c["selections_mapped"], c["selections_not_mapped"]) == (3, 1, 2)
    [warning] = [w for w in report["warnings"] if "could not be placed" in w]
    assert f"'hoa.txt' {blank}-{blank + 1} (marks no words)" in warning
    assert f"'hoa.txt' {len(TEXT) + 40}-{len(TEXT) + 60} (beyond the end of its text)" in warning


def test_a_passage_the_file_codes_twice_is_one_coding_and_not_already_here_in_a_new_project(tmp_path: Path) -> None:
    """Overlapping selections of one code by one coder (NVivo, qc) code some units twice: in a new project that is
    one coding, counted as repeated in the file, not as one the project already had; a second import says the same."""
    a, b = TEXT.index("It was"), TEXT.index(" and the")
    qde = _project_xml("NVivo for Mac 12.7.0", _selection(a, b, 1) + _selection(a, TEXT.index("listened"), 2))
    path = _write(tmp_path / "f.qdpx", qde)
    first = import_refi(tmp_path / "p", path, coder="tester")
    second = import_refi(tmp_path / "p", path, coder="tester")
    assert first["counts"]["codings_added"] == 1 and first["counts"]["codings_already_here"] == 0
    assert first["counts"]["codings_repeated_in_file"] == 1
    assert second["counts"]["codings_already_here"] == 1 and second["counts"]["codings_repeated_in_file"] == 1
    assert second["nothing_new"] is True


def test_a_code_description_written_as_an_attribute_is_the_codes_definition(tmp_path: Path) -> None:
    """The portableQDA library (used to turn requirement lists and the like into codebooks) writes a code's
    description as a 'description' attribute instead of a Description element: it is still the definition."""
    qdc = tmp_path / "reqs.qdc"
    qdc.write_text('<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   '<Code name="SYS::SYS001" guid="9DAEBD5F-DFAC-50FF-969D-A0F49DC23C00" color="#000000" '
                   'isCodable="true" description="Hello, world!"/>'
                   '<Code name="SYS::SYS002" guid="1C30E81B-8A89-58BC-A7F6-FDC9AAA53EB4" isCodable="true" '
                   'description="ignored"><Description>The element wins.</Description></Code></Codes></CodeBook>',
                   encoding="utf-8")
    import_refi(tmp_path / "p", qdc, coder="tester")
    with Project.open(tmp_path / "p") as p:
        definitions = {c.name: c.definition for c in p.codebook().walk()}
    assert definitions == {"SYS::SYS001": "Hello, world!", "SYS::SYS002": "The element wins."}


def test_an_unpacked_project_imports_from_its_qde_with_the_sources_folder_beside_it(tmp_path: Path) -> None:
    """A .qdpx unpacked to look inside (project.qde beside its sources/ folder, as such exports are often shared)
    imports from the .qde: the texts are read from sources/, the summary names each file read from disk, and a
    second import adds nothing."""
    start, end = TEXT.index("It was"), TEXT.index(" and the")
    folder = tmp_path / "unpacked"
    (folder / "sources").mkdir(parents=True)
    (folder / "project.qde").write_text(_project_xml("NVivo for Windows 12.6", _selection(start, end)),
                                        encoding="utf-8")
    (folder / "sources" / "50C00000-0000-4000-8000-000000000001.txt").write_text(TEXT, encoding="utf-8")
    first = import_refi(tmp_path / "p", folder / "project.qde", coder="tester")
    second = import_refi(tmp_path / "p", folder / "project.qde", coder="tester")
    assert first["counts"]["codings_added"] == 1 and second["nothing_new"] is True
    assert _coded_texts(tmp_path / "p") == ["Ms Hoa: It was useful 👍👍 and the trainers listened."] or \
        _coded_texts(tmp_path / "p") == ["It was useful 👍👍 and the trainers listened."]
    assert any("50C00000-0000-4000-8000-000000000001.txt" in w for w in first["warnings"])


def test_an_unpacked_project_reads_nothing_outside_its_folder(tmp_path: Path) -> None:
    """A .qde whose internal:// path climbs out of its folder reads nothing there: the source is left out."""
    (tmp_path / "secret.txt").write_text("Interviewer: private\n", encoding="utf-8")
    folder = tmp_path / "unpacked"
    folder.mkdir()
    qde = _project_xml("NVivo 14", "").replace("internal://50C00000-0000-4000-8000-000000000001.txt",
                                               "internal://../../secret.txt")
    (folder / "project.qde").write_text(qde, encoding="utf-8")
    report = import_refi(tmp_path / "p", folder / "project.qde", coder="tester")
    assert report["counts"]["transcripts_added"] == 0 and report["skipped"].get("text sources without text") == 1
