"""Every bundled example transcript imports with the speakers its case sheet expects."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from qualcode.importers import read_transcript

TRANSCRIPTS = Path(__file__).parents[2] / "transcripts"


def _cases() -> dict[str, list[dict[str, str]]]:
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(TRANSCRIPTS / "cases.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            by_file[row["file"]].append(row)
    return dict(by_file)


CASES = _cases()


@pytest.mark.parametrize("file_name", sorted(CASES))
def test_example_transcript_imports_with_its_speakers(file_name: str) -> None:
    rows = CASES[file_name]
    parsed = read_transcript(TRANSCRIPTS / file_name)
    suffix = Path(file_name).suffix
    if suffix in (".docx", ".vtt", ".srt"):
        assert parsed.format == suffix[1:]
    else:
        assert parsed.format in ("text", "service")
    assert None not in [t.speaker for t in parsed.turns], "every turn of an example has a speaker"
    if rows[0]["type"] == "KII":
        assert len(parsed.speakers) == 2, parsed.speakers  # the interviewer and the informant
    else:
        expected = {r["speaker"] for r in rows}
        assert expected <= set(parsed.speakers), parsed.speakers
        assert len(parsed.speakers) == len(expected) + 1  # the participants and the facilitator
    for speaker in parsed.speakers:
        assert not any(line.startswith(speaker + ":") for line in parsed.text.split("\n"))
    for unit in parsed.units:
        piece = parsed.text[unit.start : unit.end]
        assert piece and piece == piece.strip()


def test_examples_cover_every_format() -> None:
    formats = {read_transcript(TRANSCRIPTS / name).format for name in CASES}
    assert formats == {"text", "docx", "vtt", "srt", "service"}
