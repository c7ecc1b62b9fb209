"""The reviewers' HTML report, read with an HTML parser: self-contained, escaped, and walkable from a finding to
its passages in context, who coded them and when."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from synthesis_support import NAMES, build_project, parse_turns, unit_ref

from qualcode.errors import QualcodeError
from qualcode.exports.report import write_report
from qualcode.reanchor import store_transcript
from qualcode.synthesis.findings import add_finding, link_evidence


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.ids: set[str] = set()
        self._stack: list[str] = []
        self.by_class: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if d.get("id"):
            self.ids.add(str(d["id"]))
        self._stack.append(str(d.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for cls in self._stack:
            for c in cls.split():
                self.by_class.setdefault(c, []).append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture
def report(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = build_project(tmp_path / "p")
    f = add_finding(project, "relevance", "Grievance training met a need <script>alert('x')</script> & more.",
                    coder="ana")
    for tid, start in (("KII-01", "Factories needed"), ("KII-02", "The grievance training came"),
                       ("FGD-01", "The grievance training was")):
        link_evidence(project, f["id"], segment=unit_ref(project, tid, start), coder="ana")
    link_evidence(project, f["id"], segment=unit_ref(project, "FGD-01", "For the union"), stance="contradicts",
                  coder="ana")
    machine = project.add_coding(unit_ref(project, "KII-03", "Grievance handling"), "relevance.needs_fit",
                                 coder="suggester", source="suggestion", score=0.77, model_version="tfidf-7")
    link_evidence(project, f["id"], coding=machine["id"], coder="ana")
    out = tmp_path / "report.html"
    result = write_report(project, out)
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    yield project, result, page, out.read_text(encoding="utf-8")
    project.close()


def test_the_report_is_self_contained_and_escaped(report) -> None:  # type: ignore[no-untyped-def]
    _project, _result, page, raw = report
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe")]
    assert all(not str(a.get("href") or "").startswith(("http", "//")) for _, a in page.tags)
    assert "<script>alert" not in raw and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more." in raw
    assert "Grievance training met a need <script>alert('x')</script> & more." in page.all_text


def test_heatmap_and_coverage_tables(report) -> None:  # type: ignore[no-untyped-def]
    _project, _result, page, _raw = report
    assert {"heatmap", "matrix", "findings", "audit", "rule", "finding-F1"} <= page.ids
    text = page.all_text
    assert "Criterion \u00d7 stakeholder group" in text
    assert "little evidence" in text  # most questions of the small project rest on few informants
    assert "Hai Phong" not in page.by_class.get("heat", [])  # cells are counts, not places


def test_each_quote_is_shown_in_context_with_coder_date_and_provenance(report) -> None:  # type: ignore[no-untyped-def]
    project, _result, page, _raw = report
    focus = " ".join(page.by_class.get("focus", []))
    assert "Factories needed grievance handling training because turnover was very high." in focus
    ctx = " ".join(page.by_class.get("ctx", []))
    assert "What did the projects need to do?" in ctx  # the interviewer's question before the answer
    meta = " ".join(page.by_class.get("meta", []))
    assert "relevance.needs_fit: ana, 2024-03-20T10:00:00Z" in meta
    assert "relevance.needs_fit: ben, 2024-03-20T10:00:00Z" in meta  # the double-coded passage lists both
    assert "machine suggestion (model tfidf-7, score 0.77) accepted by suggester" in meta
    assert "Contradicts the finding" in page.all_text


def test_audit_problems_appear_with_the_finding(report) -> None:  # type: ignore[no-untyped-def]
    _project, _result, page, _raw = report
    errors = " ".join(page.by_class.get("error", []))
    assert "machine suggestion" in errors
    assert "The audit failed: 1 error(s)" in page.all_text


def test_no_informant_names_unless_asked(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _result, page, _raw = report
    text = page.all_text
    for name in NAMES:
        assert name not in text
    assert "Ms. Hoa" not in text and "Ms. Kim" not in text and "[informant KII-01]" in text
    named = tmp_path / "named.html"
    write_report(project, named, show_names=True)
    assert "Nguyen Thi Hoa" in named.read_text(encoding="utf-8")


def test_the_output_must_be_an_html_file(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = report[0]
    with pytest.raises(QualcodeError, match="not an .html file"):
        write_report(project, tmp_path / "report.pdf")


def test_codings_waiting_for_review_are_said_not_silently_left_out(  # type: ignore[no-untyped-def]
        report, tmp_path: Path) -> None:
    project = report[0]
    assert "waiting for review" not in report[3]
    # KII-01 re-imported with none of its sentences: its codings cannot be placed by themselves.
    store_transcript(project, parse_turns([("Interviewer", "Shall we start?"),
                                           ("Informant", "Only the weather in spring, nothing from before.")]),
                     "KII-01", attributes={"type": "KII"})
    waiting = project.status()["needs_review"]
    assert waiting > 0
    out = tmp_path / "after.html"
    write_report(project, out)
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert f"{waiting} coding(s) are waiting for review" in page.all_text
    assert "qualcode reanchor list" in page.all_text
