"""Bad input always ends in one InputError that names the file, never in another exception."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.errors import InputError
from qualcode.importers import SUPPORTED_FORMATS, parse_transcript, read_transcript


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(InputError, match=r"KII-13\.txt: the file is empty"):
        parse_transcript(data, "KII-13.txt")


def test_binary_garbage() -> None:
    garbage = bytes((i * 73 + 41) % 256 for i in range(4096))
    with pytest.raises(InputError, match=r"noise\.txt: this is not a text transcript"):
        parse_transcript(garbage, "noise.txt")


def test_random_bytes_without_nul_are_still_rejected() -> None:
    garbage = bytes(b for b in os.urandom(8192) if b not in (0, 0x81, 0x8D, 0x8F, 0x90, 0x9D))
    with pytest.raises(InputError, match=r"noise\.srt: "):
        parse_transcript(garbage, "noise.srt")


@pytest.mark.parametrize(
    ("data", "name", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "KII-01.pdf", "PDF"),
        (b"%PDF-1.4\n", "KII-01.txt", "PDF"),  # content wins over the extension
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.jpg", "JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "old-style Office"),
        (b"ID3\x04\x00\x00\x00\x00", "recording.mp3", "audio"),
    ],
)
def test_unsupported_formats_say_which_formats_are_supported(data: bytes, name: str, what: str) -> None:
    with pytest.raises(InputError) as err:
        parse_transcript(data, name)
    message = str(err.value)
    assert message.startswith(name + ": ")
    assert what in message
    for fmt in (".docx", ".txt", ".md", ".vtt", ".srt"):
        assert fmt in message


def test_xlsx_is_unsupported() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match=r"cases\.xlsx: this is an Excel file.*\.docx"):
        parse_transcript(out.getvalue(), "cases.xlsx")


@pytest.mark.parametrize(
    "data",
    [
        b"---\ninterview_id: KII-14\ndate: 2024-03-20\n---\n",
        b"# KII-14\n\n## Notes\n\n---\n",
        b"WEBVTT\n\nNOTE only a note\n",
        b"Interviewer:\nMs. Lan:\n",
    ],
)
def test_file_with_no_speech(data: bytes) -> None:
    with pytest.raises(InputError, match=r"KII-14\.md: no speech found"):
        parse_transcript(data, "KII-14.md")


def test_invalid_front_matter_points_at_the_line() -> None:
    data = b"---\ninterview_id: KII-15\ndate: [2024-03-20\n---\nInterviewer: Hello there.\n"
    with pytest.raises(InputError, match=r"KII-15\.md:\d+: the front matter") as err:
        parse_transcript(data, "KII-15.md")
    assert err.value.line is not None and 3 <= err.value.line <= 5


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere\.txt: no such file"):
        read_transcript(tmp_path / "nowhere.txt")
    with pytest.raises(InputError, match=r"folder"):
        read_transcript(tmp_path)


def test_supported_formats_are_the_parsed_format_names() -> None:
    assert set(SUPPORTED_FORMATS) == {"text", "docx", "vtt", "srt", "sbv", "tsv", "json", "csv", "service"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_but_input_error(data: bytes) -> None:
    try:
        parsed = parse_transcript(data, "fuzz.txt")
    except InputError as err:
        assert "fuzz.txt" in str(err)
    else:
        for unit in parsed.units:
            piece = parsed.text[unit.start : unit.end]
            assert piece and piece == piece.strip()


_LINES = st.sampled_from(
    [
        "WEBVTT",
        "",
        "1",
        "00:00:01.000 --> 00:00:02.000",
        "00:00:01,000 --> 00:00:02,000",
        "00:0x:01.000 --> 00:00:02.000",
        "<v Clara Jensen>Hello there.</v>",
        "Interviewer: How was it?",
        "Ms. Lan: Good. The reason was simple: budget.",
        "**Q:** Why?",
        "[HR officer]",
        "P3 (union official, F): Yes.",
        "Speaker 1  0:03",
        "Text of the block.",
        "---",
        "key: [unclosed",
        "# Heading",
        "| Speaker | Text |",
        "| Interviewer | Hi |",
        "NOTE x",
        "Chúng tôi đồng ý… “vâng”.",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=30))
def test_any_mix_of_transcript_lines_parses_or_gives_input_error(lines: list[str]) -> None:
    try:
        parsed = parse_transcript("\n".join(lines).encode(), "mix.txt")
    except InputError as err:
        assert str(err).startswith("mix.txt")
    else:
        assert parsed.format in SUPPORTED_FORMATS
        for turn in parsed.turns:
            assert parsed.text[turn.start : turn.end].strip() == parsed.text[turn.start : turn.end]
        for unit in parsed.units:
            piece = parsed.text[unit.start : unit.end]
            assert piece and piece == piece.strip() and "\n" not in piece


@pytest.mark.parametrize(("entry", "kind"), [("word/document.xml", "a Word document"),
                                             ("ppt/presentation.xml", "a PowerPoint presentation"),
                                             ("project.qde", "a zip archive")])
def test_a_case_sheet_that_is_another_zip_says_what_it_is(entry: str, kind: str, tmp_path: Path) -> None:
    from qualcode.cases import read_case_sheet

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(entry, "<x/>")
    sheet = tmp_path / "cases.xlsx"
    sheet.write_bytes(out.getvalue())
    with pytest.raises(InputError, match=f"this is {kind}, not an Excel workbook") as raised:
        read_case_sheet(sheet)
    assert "Error" not in str(raised.value)  # no exception class name in place of an explanation
