"""An HTML file given to import is parsed once, to decide whether it is a transcript or a document and to read
it: on a 5 MB page, parsing it twice (and reading its text as a transcript twice) doubled the time of the import.
What is read is what reading the file as that kind alone gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import qualcode.importers.doc_readers as doc_readers
from qualcode.importers import read_transcript
from qualcode.importers.documents import read_document
from qualcode.importing import import_files
from qualcode.store import Project

INTERVIEW = ("<!DOCTYPE html><html><head><title>KII-21</title></head><body>"
             + "".join(f"<p>Interviewer: What changed in year {k}?</p><p>Ms. Lan: The union trained {k + 10} workers"
                       " and the factories kept them on.</p>" for k in range(6)) + "</body></html>")
REPORT = ("<!DOCTYPE html><html><head><title>Mid-term review</title></head><body><h1>Mid-term review</h1>"
          + "".join(f"<h2>Output {k}</h2><p>The project trained {k + 10} workers in the province. The factories kept"
                    " most of them on.</p>" for k in range(6)) + "</body></html>")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = doc_readers.html_blocks

    def counted(text: str, name: str) -> tuple[list[doc_readers.DocBlock], dict[str, object], list[str]]:
        seen.append(Path(name).name)
        return original(text, name)

    monkeypatch.setattr(doc_readers, "html_blocks", counted)
    return seen


def test_an_html_interview_is_parsed_once_and_read_as_reading_it_alone_reads_it(tmp_path: Path,
                                                                                 parses: list[str]) -> None:
    page = tmp_path / "KII-21.html"
    page.write_text(INTERVIEW, encoding="utf-8")
    report = import_files(Project.create(tmp_path / "p"), [page], coder="ana", dry_run=True)
    assert parses == ["KII-21.html"]
    [entry] = report["transcripts"]
    alone = read_transcript(page)
    assert entry["units"] == len(alone.units) and entry["detected"] == alone.detected
    assert [s["label"] for s in entry["speakers"]] == alone.speakers == ["Interviewer", "Ms. Lan"]


def test_an_html_report_is_parsed_once_and_read_as_a_document(tmp_path: Path, parses: list[str]) -> None:
    page = tmp_path / "mid-term.html"
    page.write_text(REPORT, encoding="utf-8")
    report = import_files(Project.create(tmp_path / "p"), [page], coder="ana", dry_run=True)
    assert parses == ["mid-term.html"]
    [doc] = report["documents"]
    alone = read_document(page)
    assert (doc["title"], doc["units"]) == ("Mid-term review", len(alone.units))
    assert report["transcripts"] == []


@pytest.mark.parametrize("wrap", ["<li>{}</li>", "<li><p>{}</p></li>"])
def test_an_html_interview_whose_turns_are_an_ordered_list_is_read_as_an_interview(tmp_path: Path, wrap: str,
                                                                                  parses: list[str]) -> None:
    """An interview archive's page numbering its turns with an ordered list: the numbers the browser shows are not
    part of the speakers' labels, so it is read as an interview, as it was before a document's list kept them."""
    turns = [("Interviewer", "How did the training go in your factory last year?"),
             ("Ms. Lan", "It went well, the supervisors shout less now."),
             ("Interviewer", "Who paid for the visits?"), ("Ms. Lan", "The project paid, and later the association.")]
    page = tmp_path / "KII-50.html"
    page.write_text("<html><body><h1>KII-50</h1><ol>" + "".join(wrap.format(f"{who}: {words}") for who, words
                                                                 in turns * 3) + "</ol></body></html>",
                    encoding="utf-8")
    report = import_files(Project.create(tmp_path / "p"), [page], coder="ana", dry_run=True)
    [entry] = report["transcripts"]
    assert [s["label"] for s in entry["speakers"]] == ["Interviewer", "Ms. Lan"]
