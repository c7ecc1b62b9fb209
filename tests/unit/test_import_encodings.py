"""Encodings: the same interview saved by different tools must import to the same text."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.importers import parse_transcript, read_transcript

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"

VIETNAMESE = (
    "Người phỏng vấn: Chị có thể nói về khóa đào tạo xử lý khiếu nại không?\n\n"
    "Bà Hạnh: Khóa học rất hữu ích. Công nhân nhập cư được tham gia lần đầu tiên.\n\n"
    "Người phỏng vấn: Cảm ơn chị.\n\n"
    "Bà Hạnh: Không có gì, “cảm ơn” các anh chị.\n"
)


@pytest.fixture
def reference():  # type: ignore[no-untyped-def]
    return parse_transcript(VIETNAMESE.encode("utf-8"), "FGD-02.txt")


def test_reference_reads_vietnamese_labels(reference) -> None:  # type: ignore[no-untyped-def]
    assert reference.speakers == ["Người phỏng vấn", "Bà Hạnh"]
    assert "Công nhân nhập cư được tham gia lần đầu tiên." in reference.text


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda s: s.encode("utf-16"), id="utf-16-native-bom"),
        pytest.param(lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda s: s.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(lambda s: s.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(lambda s: s.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda s: unicodedata.normalize("NFD", s).encode("utf-8"), id="decomposed-nfd"),
    ],
)
def test_every_encoding_gives_the_same_transcript(encode, reference) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_transcript(encode(VIETNAMESE), "FGD-02.txt")
    assert parsed.text == reference.text
    assert [(t.speaker, t.start, t.end) for t in parsed.turns] == [(t.speaker, t.start, t.end) for t in reference.turns]
    assert "\ufeff" not in parsed.text and "\r" not in parsed.text
    assert unicodedata.is_normalized("NFC", parsed.text)


def test_windows_1252_text_is_read_with_its_curly_quotes() -> None:
    text = (FIXTURES / "kii_qa.txt").read_text(encoding="utf-8")
    parsed = parse_transcript(text.replace("\n", "\r\n").encode("cp1252"), "KII-07.txt")
    assert parsed.speakers == ["Q", "A"]
    assert "Our director’s view is that it was “useful but slow”." in parsed.text
    assert "café-style sessions" in parsed.text


def test_bracket_labels_in_utf16_with_wrong_extension(tmp_path: Path) -> None:
    path = tmp_path / "KII-12.md"
    path.write_bytes((FIXTURES / "fgd_brackets.txt").read_text(encoding="utf-8").encode("utf-16"))
    parsed = read_transcript(path)
    assert parsed.speakers == ["Interviewer", "HR officer", "Union representative"]


def test_bytes_that_are_neither_utf8_nor_cp1252_are_an_input_error() -> None:
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid as UTF-8 here
    data = b"Interviewer: How was the training?\nMs. Lan: It was \x81\x8d good.\n"
    with pytest.raises(InputError, match=r"KII-07\.txt: cannot decode") as err:
        parse_transcript(data, "KII-07.txt")
    assert "UTF-8" in str(err.value)


def test_truncated_utf16_is_an_input_error() -> None:
    data = codecs.BOM_UTF16_LE + "Interviewer: Xin chào".encode("utf-16-le") + b"\x41"
    with pytest.raises(InputError, match=r"half\.txt: cannot decode"):
        parse_transcript(data, "half.txt")
