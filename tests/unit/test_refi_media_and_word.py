"""REFI-QDA sources that are not plain text: an interview recording with its transcript (how NVivo, MAXQDA, ATLAS.ti
and QualCoder export coded audio and video), a recording without one (ATLAS.ti 26 writes the video outside the
archive and its comments on the selections), pictures, and a text source that ships only its Word document."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from qualcode.refi import import_refi
from qualcode.store import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'
ANA = "A1B2C3D4-0000-4000-8000-000000000001"
CODES = ('<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Training" isCodable="true"/>'
         '<Code guid="C0DE0000-0000-4000-8000-000000000002" name="Trainers" isCodable="true"/></Codes></CodeBook>')
TRANSCRIPT = ("Interviewer: How did the training go?\n"
              "Participant: It was useful but too short.\n"
              "Interviewer: Anything else?\n"
              "Participant: The trainers were excellent.\n")


def _write(path: Path, members: dict[str, str | bytes], qde_name: str = "project.qde", qde: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(qde_name, qde)
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _coding(n: int, code: int) -> str:
    return (f'<Coding guid="D0000000-0000-4000-8000-00000000000{n}" creatingUser="{ANA}">'
            f'<CodeRef targetGUID="C0DE0000-0000-4000-8000-00000000000{code}"/></Coding>')


def _counts(folder: Path) -> dict[str, int]:
    db = sqlite3.connect(folder / "qualcode.db")
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
    finally:
        db.close()


def _recording(tmp_path: Path, stretches: str = "") -> Path:
    """An audio recording with its transcript, as MAXQDA writes one: sync points at character positions of the
    transcript, coded transcript selections (one with a comment), a coded stretch of the audio itself, a document
    variable and a set naming the recording."""
    t = TRANSCRIPT
    points = [t.index("It was useful"), t.index("short.") + 6, t.index("The trainers"), len(t) - 1]
    syncs = "".join(f'<SyncPoint guid="5C000000-0000-4000-8000-00000000000{i}" position="{p}" timeStamp="{4000 * i}"/>'
                    for i, p in enumerate(points, 1))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="MAXQDA 2022 (Release 22.4.0)" name="av">'
           f'<Users><User guid="{ANA}" name="Ana"/></Users>{CODES}'
           '<Variables><Variable guid="7A000000-0000-4000-8000-000000000001" name="District" typeOfVariable="Text"/>'
           '</Variables><Sources>'
           '<AudioSource guid="A0D10000-0000-4000-8000-000000000001" name="KII-01.m4a" '
           'path="internal://A0D10000-0000-4000-8000-000000000001.m4a">'
           '<Transcript guid="7E000000-0000-4000-8000-000000000001" name="KII-01.m4a.transcribed" '
           f'plainTextPath="internal://7E000000-0000-4000-8000-000000000001.txt">{syncs}'
           '<TranscriptSelection guid="5E000000-0000-4000-8000-000000000001" name="KII-01.m4a.transcribed" '
           'fromSyncPoint="5C000000-0000-4000-8000-000000000001" toSyncPoint="5C000000-0000-4000-8000-000000000002">'
           f'<Description>Too short to practise</Description>{_coding(1, 1)}</TranscriptSelection>'
           '<TranscriptSelection guid="5E000000-0000-4000-8000-000000000002" '
           'fromSyncPoint="5C000000-0000-4000-8000-000000000003" toSyncPoint="5C000000-0000-4000-8000-000000000004">'
           f'{_coding(2, 2)}</TranscriptSelection>'
           '<TranscriptSelection guid="5E000000-0000-4000-8000-000000000003" '
           f'fromSyncPoint="5C000000-0000-4000-8000-000000000009">{_coding(3, 2)}</TranscriptSelection>'
           '</Transcript>'
           f'<AudioSelection guid="5E000000-0000-4000-8000-000000000004" begin="1000" end="3000">{_coding(4, 2)}'
           f'</AudioSelection>{stretches}'
           '<VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-000000000001"/><TextValue>North'
           '</TextValue></VariableValue></AudioSource></Sources>'
           '<Sets><Set guid="5E700000-0000-4000-8000-000000000001" name="Round 1">'
           '<MemberSource targetGUID="A0D10000-0000-4000-8000-000000000001"/></Set></Sets></Project>')
    return _write(tmp_path / "recording.qdpx", {
        "sources/7E000000-0000-4000-8000-000000000001.txt": TRANSCRIPT,
        "sources/A0D10000-0000-4000-8000-000000000001.m4a": b"\0\0\0 ftypM4A ",
    }, qde=qde)


def test_a_recordings_transcript_is_imported_with_its_codings_and_the_recording_itself_is_named_as_left_out(
    tmp_path: Path,
) -> None:
    f = _recording(tmp_path)
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    with Project.open(folder) as p:
        assert [t["id"] for t in p.transcripts()] == ["KII-01"]  # named after the recording
        segs = {s["id"]: s for s in p.segments("KII-01")}
        coded = sorted((segs[c["segment"]]["text"], c["code"], c["coder"], c["memo"]) for c in p.codings())
        attributes = p.require_transcript("KII-01")["attributes"]
    assert coded == [("It was useful but too short.", "training", "Ana", "Too short to practise"),
                     ("The trainers were excellent.", "trainers", "Ana", None)]
    assert '"district": "North"' in attributes and '"set": "Round 1"' in attributes  # the recording's, and its set's
    counts = first["counts"]
    assert (counts["selections"], counts["selections_mapped"], counts["selections_not_mapped"]) == (3, 2, 1)
    assert first["skipped"] == {"audio recordings (their transcripts were imported)": 1,
                                "codings of stretches of audio recordings": 1}
    assert any(w.startswith("left out: ") and "1 audio recordings (their transcripts were imported)" in w
               for w in first["warnings"])
    before = _counts(folder)
    second = import_refi(folder, f, coder="me")
    assert second["nothing_new"] and _counts(folder) == before


def test_a_video_only_atlas_project_names_the_video_its_codings_and_comments_as_left_out(tmp_path: Path) -> None:
    # ATLAS.ti 26 names the .qde after the project, keeps the video outside the archive (relative:// under a basePath
    # on the exporter's disk) and writes quotation comments as selection descriptions, one on a zero-length stretch
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="ATLAS.ti Mac 26.1.2" name="Trial" '
           'basePath="/Users/someone/Desktop/Trial Media">'
           f'<Users><User guid="{ANA}" name="Someone"/></Users>{CODES}<Sources>'
           '<VideoSource guid="B1000000-0000-4000-8000-000000000001" name="Christos-2.MP4" '
           'path="relative:///DD148A4A-B28B-4BC0-90D8-3D1FB587C8E5.mov">'
           f'<VideoSelection guid="5E000000-0000-4000-8000-000000000001" begin="2274" end="5000">{_coding(1, 1)}'
           f'{_coding(2, 2)}</VideoSelection>'
           '<VideoSelection guid="5E000000-0000-4000-8000-000000000002" begin="21477" end="21477">'
           '<Description>Hello Trying this out</Description></VideoSelection>'
           '</VideoSource></Sources></Project>')
    f = _write(tmp_path / "Project.qdpx", {}, qde_name="Trial.qde", qde=qde)
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    assert first["skipped"] == {"video sources": 1, "codings of stretches of video recordings": 2,
                                "comments on stretches of video recordings": 1}
    # the summary names the recording, so the user knows which one to transcribe
    assert any("'Christos-2.MP4'" in w and "video" in w for w in first["warnings"])
    assert first["counts"]["codes_added"] == 2 and not first["nothing_new"]
    with Project.open(folder) as p:
        assert p.transcripts() == [] and [c.name for c in p.codebook().walk()] == ["Training", "Trainers"]
    second = import_refi(folder, f, coder="me")
    assert second["nothing_new"] and second["counts"]["codes_added"] == 0


def test_codings_and_comments_on_pictures_are_counted_as_left_out(tmp_path: Path) -> None:
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="QualCoder 3.6" name="P">{CODES}<Sources>'
           '<PictureSource guid="B1000000-0000-4000-8000-000000000001" name="poster.jpg" path="internal://p.jpg">'
           '<PictureSelection guid="5E000000-0000-4000-8000-000000000001" firstX="1" firstY="1" secondX="5" '
           f'secondY="5"><Description>the logo</Description>{_coding(1, 1)}</PictureSelection>'
           '</PictureSource></Sources></Project>')
    first = import_refi(tmp_path / "p", _write(tmp_path / "pic.qdpx", {}, qde=qde), coder="me")
    assert first["skipped"] == {"pictures": 1, "codings of areas of pictures": 1, "comments on areas of pictures": 1}


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("line_end", ["\r\n", "\n"])  # a paragraph end counted as two positions, or as one
def test_a_text_source_with_only_its_word_document_is_read_from_it_and_its_selections_placed(
    tmp_path: Path, line_end: str
) -> None:
    paragraphs = ["Interviewer: How was the clinic?", "Respondent: The clinic was crowded every morning.", "",
                  "Interviewer: And the staff?", "Respondent: The nurses were kind but overworked."]
    as_tool_counts = line_end.join(paragraphs)
    spans = [(as_tool_counts.index("The clinic"), as_tool_counts.index(" every morning")),
             (as_tool_counts.index("The nurses"), len(as_tool_counts))]
    sels = "".join(
        f'<PlainTextSelection guid="5E000000-0000-4000-8000-00000000000{i}" startPosition="{a}" endPosition="{b}" '
        f'creatingUser="{ANA}">{_coding(i, i)}</PlainTextSelection>' for i, (a, b) in enumerate(spans, 1))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="NVivo 14" name="P">'
           f'<Users><User guid="{ANA}" name="Ana"/></Users>{CODES}<Sources>'
           '<TextSource guid="B3000000-0000-4000-8000-000000000001" name="KII-02" '
           f'richTextPath="internal://B3000000-0000-4000-8000-000000000001.docx">{sels}</TextSource></Sources>'
           '</Project>')
    f = _write(tmp_path / "word.qdpx", {"Sources/B3000000-0000-4000-8000-000000000001.docx": _docx(paragraphs)},
               qde=qde)
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    with Project.open(folder) as p:
        segs = {s["id"]: s for s in p.segments("KII-02")}
        coded = sorted((c["code"], segs[c["segment"]]["text"]) for c in p.codings())
        speakers = sorted(sp["label"] for sp in p.speakers("KII-02"))
    assert coded == [("trainers", "The nurses were kind but overworked."),
                     ("training", "The clinic was crowded every morning.")]
    assert speakers == ["Interviewer", "Respondent"]
    assert "source 'KII-02' has no plain text in the file: its text was read from its Word document (2 of 2 " \
           "selections start and end on word boundaries in it)" in first["warnings"]
    assert first["read_as"]["KII-02"].endswith(", its text from its Word document")
    assert first["skipped"] == {}
    assert import_refi(folder, f, coder="me")["nothing_new"]


def test_an_unpacked_project_whose_source_is_only_a_word_document_reads_it_from_its_sources_folder(
        tmp_path: Path) -> None:
    """A .qdpx unpacked to look inside (project.qde beside sources/), its source written only as a .docx (as NVivo
    may write it): the Word document was not read from the folder, so the source was left out; and the summary
    spoke of "files beside the archive" when there is no archive."""
    paragraphs = ["Interviewer: How was the clinic?", "Respondent: The clinic was crowded every morning."]
    start = "\n".join(paragraphs).index("The clinic")
    sel = (f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" startPosition="{start}" '
           f'endPosition="{start + len("The clinic was crowded")}" creatingUser="{ANA}">{_coding(1, 1)}'
           '</PlainTextSelection>')
    guid = "B3000000-0000-4000-8000-000000000001"
    folder = tmp_path / "shared project"
    (folder / "sources").mkdir(parents=True)
    (folder / "project.qde").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="NVivo 14" name="P"><Users><User guid="{ANA}" '
        f'name="Ana"/></Users>{CODES}<Sources><TextSource guid="{guid}" name="KII-02" '
        f'richTextPath="internal://{guid}.docx">{sel}</TextSource></Sources></Project>', encoding="utf-8")
    (folder / "sources" / f"{guid}.docx").write_bytes(_docx(paragraphs))
    report = import_refi(tmp_path / "p", folder / "project.qde", coder="me")
    assert report["skipped"] == {} and report["counts"]["codings_added"] == 1
    with Project.open(tmp_path / "p") as p:
        segs = {s["id"]: s["text"] for s in p.segments("KII-02")}
        assert [segs[c["segment"]] for c in p.codings()] == ["The clinic was crowded every morning."]
    said = [w for w in report["warnings"] if w.startswith("read 1 source file(s)")]
    assert said == [f"read 1 source file(s) from the folder of project.qde (a project unpacked from its .qdpx):"
                    f" {guid}.docx"]
    assert not any("archive," in w for w in report["warnings"])


def test_a_text_source_whose_word_document_is_not_one_is_left_out_and_counted(tmp_path: Path) -> None:
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="NVivo 14" name="P">{CODES}<Sources>'
           '<TextSource guid="B3000000-0000-4000-8000-000000000001" name="KII-02" '
           'richTextPath="internal://B3.docx"/></Sources></Project>')
    f = _write(tmp_path / "word.qdpx", {"sources/B3.docx": b"PK\x03\x04 not a real archive"}, qde=qde)
    first = import_refi(tmp_path / "p", f, coder="me")
    assert first["skipped"] == {"text sources without text": 1}


def test_a_new_project_counts_the_files_codebook_as_added_and_says_when_the_file_has_none(tmp_path: Path) -> None:
    # ATLAS.ti writes projects with users and no codebook
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="ATLAS.ti for Windows 23.2.3" name="b">'
           f'<Users><User guid="{ANA}" name="Enric"/></Users></Project>')
    first = import_refi(tmp_path / "p", _write(tmp_path / "blank.qdpx", {}, qde=qde), coder="me")
    assert not first["nothing_new"] and first["counts"]["codes_added"] == 0
    assert first["warnings"][0] == "the file defines no codes: the new project starts from the shipped evaluation " \
                                   "criteria"
    qdc = tmp_path / "atlas.qdc"
    # ATLAS.ti 23 writes codebooks in the draft namespace, sets of codes with their members' guid
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:0:4" '
                   'origin="ATLAS.ti Win 23.4.0"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" '
                   'name="code1" isCodable="true"><Description>description</Description><Code '
                   'guid="14C4E248-F726-42CB-B1CD-A65D6A86F296" name="subcode" isCodable="true"/></Code></Codes>'
                   '<Sets><Set name="code group 1" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0"><MemberCode '
                   'guid="14C4E248-F726-42CB-B1CD-A65D6A86F296"/></Set></Sets></CodeBook>', encoding="utf-8")
    report = import_refi(tmp_path / "q", qdc, coder="me")
    assert (report["counts"]["codes_added"], report["counts"]["code_groups_added_or_extended"]) == (2, 1)
    with Project.open(tmp_path / "q") as p:
        assert [(g.name, g.codes) for g in p.codebook().groups] == [("code group 1", ["code1.subcode"])]
    assert import_refi(tmp_path / "q", qdc, coder="me")["counts"]["codes_added"] == 0


def test_a_transcript_listed_also_as_a_text_source_of_its_file_is_one_transcript_named_by_groups(
    tmp_path: Path,
) -> None:
    """ATLAS.ti lists a video's transcript both as the video's Transcript and as a text source of the same file, codes
    it on the text source, and names document groups 'gender: male' for want of document variables."""
    a, b = TRANSCRIPT.index("It was useful"), TRANSCRIPT.index(" but too short")
    path = "internal://7E000000-0000-4000-8000-000000000001.txt"
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="ATLAS.ti 8.4.0" name="P">'
           f'<Users><User guid="{ANA}" name="Ana"/></Users>{CODES}<Sources>'
           f'<TextSource guid="B3000000-0000-4000-8000-000000000001" name="KII-01 - Audio.docx" plainTextPath="{path}">'
           f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" startPosition="{a}" endPosition="{b}" '
           f'creatingUser="{ANA}">{_coding(1, 1)}</PlainTextSelection></TextSource>'
           '<VideoSource guid="B1000000-0000-4000-8000-000000000001" name="KII-01.mp4" path="relative:///x.mp4">'
           f'<Transcript guid="7E000000-0000-4000-8000-000000000002" name="KII-01 - Audio.docx" plainTextPath="{path}">'
           '<SyncPoint guid="5C000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/></Transcript>'
           '</VideoSource></Sources><Sets>'
           '<Set guid="5E700000-0000-4000-8000-000000000001" name="gender: female">'
           '<MemberSource targetGUID="B1000000-0000-4000-8000-000000000001"/></Set>'
           '<Set guid="5E700000-0000-4000-8000-000000000002" name="region::North">'
           '<MemberSource targetGUID="B3000000-0000-4000-8000-000000000001"/></Set>'
           '<Set guid="5E700000-0000-4000-8000-000000000003" name="Round 2">'
           '<MemberSource targetGUID="B3000000-0000-4000-8000-000000000001"/></Set></Sets></Project>')
    f = _write(tmp_path / "atlas.qdpx", {"sources/7E000000-0000-4000-8000-000000000001.txt": TRANSCRIPT}, qde=qde)
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    with Project.open(folder) as p:
        transcripts = p.transcripts()
        coded = [(c["code"], c["coder"]) for c in p.codings()]
    assert [t["id"] for t in transcripts] == ["KII-01-Audio"]  # one transcript, not two; named like the recording
    assert transcripts[0]["attributes"] == {"gender": "female", "region": "North",
                                            "set": "Round 2; gender: female; region::North"}
    assert coded == [("training", "Ana")]
    assert first["counts"]["transcripts_added"] == 1
    assert first["skipped"] == {"video recordings (their transcripts were imported)": 1}
    assert "2 set(s) of sources named 'attribute: value' were also read as that transcript attribute: " \
           "'gender: female', 'region::North'" in first["warnings"]
    assert import_refi(folder, f, coder="me")["nothing_new"]


def test_a_pdf_whose_file_is_missing_is_read_from_the_tools_text_of_it_and_other_losses_name_their_codings(
    tmp_path: Path,
) -> None:
    text = "Annual report 2023\n\nThe programme trained 400 teachers in three districts.\n"
    a, b = text.index("The programme"), len(text) - 1
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="ATLAS.ti 8.4.0" name="P">'
           f'<Users><User guid="{ANA}" name="Ana"/></Users>{CODES}<Sources>'
           '<PDFSource guid="B3000000-0000-4000-8000-000000000001" name="Report.pdf" path="internal://missing.pdf">'
           '<Representation guid="B3000000-0000-4000-8000-000000000002" plainTextPath="internal://rep.txt">'
           f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" startPosition="{a}" endPosition="{b}" '
           f'creatingUser="{ANA}">{_coding(1, 1)}</PlainTextSelection></Representation></PDFSource>'
           '<TextSource guid="B3000000-0000-4000-8000-000000000003" name="Lost" plainTextPath="internal://lost.txt">'
           f'<PlainTextSelection guid="5E000000-0000-4000-8000-000000000002" startPosition="0" endPosition="4">'
           f'{_coding(2, 1)}{_coding(3, 2)}</PlainTextSelection></TextSource></Sources></Project>')
    f = _write(tmp_path / "pdf.qdpx", {"sources/rep.txt": text}, qde=qde)
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    with Project.open(folder) as p:
        segs = {s["id"]: s["text"] for s in p.segments("Report")}
        coded = [segs[c["segment"]] for c in p.codings()]
        kind = p.transcripts()[0]["kind"]
    assert coded == ["The programme trained 400 teachers in three districts."] and kind == "document"
    assert "PDF source 'Report.pdf': its PDF file is not in the archive, so it was read from the other tool's text " \
           "of it (without page numbers)" in first["warnings"]
    assert first["skipped"] == {"text sources without text": 1, "codings on sources left out": 2}


def test_a_coded_stretch_of_a_recording_codes_what_its_transcript_says_between_the_sync_points_around_it(
    tmp_path: Path,
) -> None:
    """Coding the recording itself (MAXQDA, NVivo, ATLAS.ti let a coder mark a stretch of time): with sync points
    before and after the stretch, the transcript's passage between them is what was said then."""
    f = _recording(tmp_path, stretches=(
        f'<AudioSelection guid="5E000000-0000-4000-8000-000000000005" begin="4500" end="8000" creatingUser="{ANA}">'
        f'<Description>Said twice</Description>{_coding(5, 2)}</AudioSelection>'))
    folder = tmp_path / "p"
    first = import_refi(folder, f, coder="me")
    with Project.open(folder) as p:
        segs = {s["id"]: s for s in p.segments("KII-01")}
        by_time = sorted((segs[c["segment"]]["text"], c["memo"]) for c in p.codings() if c["code"] == "trainers")
    # sync points at 4 s (start of 'It was useful') and 8 s (after 'too short.'): that passage, the comment its memo
    assert by_time == [("It was useful but too short.", "Said twice"), ("The trainers were excellent.", None)]
    # the stretch at 1-3 s lies before the first sync point: still left out, and counted
    assert first["skipped"]["codings of stretches of audio recordings"] == 1
    assert "1 coded or commented stretch(es) of recordings were placed on the transcript passage between the sync " \
           "points around them (what was said then)" in first["warnings"]
    assert import_refi(folder, f, coder="me")["nothing_new"]


def test_a_memo_written_only_as_a_word_document_keeps_its_text(tmp_path: Path) -> None:
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="NVivo 14" name="P">'
           f'<Users><User guid="{ANA}" name="Ana"/></Users>'
           '<CodeBook><Codes><Code guid="C0DE0000-0000-4000-8000-000000000001" name="Training" isCodable="true">'
           '<NoteRef targetGUID="40000000-0000-4000-8000-000000000001"/></Code></Codes></CodeBook>'
           '<Notes><Note guid="40000000-0000-4000-8000-000000000001" name="Training memo" creatingUser="'
           f'{ANA}" richTextPath="internal://40000000-0000-4000-8000-000000000001.docx"/></Notes></Project>')
    f = _write(tmp_path / "memo.qdpx", {"Sources/40000000-0000-4000-8000-000000000001.docx":
                                        _docx(["Short courses keep coming up.", "Check the district reports."])},
               qde=qde)
    first = import_refi(tmp_path / "p", f, coder="me")
    with Project.open(tmp_path / "p") as p:
        memos = [(m["coder"], m["text"]) for m in p.memos("code", "training")]
    assert memos == [("Ana", "Short courses keep coming up.\nCheck the district reports.")]
    assert first["skipped"] == {}
