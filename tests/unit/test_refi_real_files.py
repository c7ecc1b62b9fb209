"""Real REFI-QDA projects from other tools (tests/fixtures/refi-qda/real/, provenance in SOURCE.txt): every selection
lands on the passage it marks, nothing is coded elsewhere, and importing the same file again adds nothing."""

from __future__ import annotations

import codecs
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from refi_support import check_placement

from qualcode.refi import import_refi
from qualcode.store import Project, source_type_of

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "refi-qda" / "real"

# file, what its positions count (established in SOURCE.txt), where it records who coded
CODED = [
    ("nvivo-windows-12.6-comments.qdpx", "utf16", "selection"),
    # NVivo for Mac writes the coder on the Coding too (NVivo for Windows writes the exporting user there)
    ("nvivo-mac-12.7-comments.qdpx", "utf16", "coding"),
    ("qc-1.2.0-interviews.qdpx", "characters", "coding"),
    # qc reads its texts with Python's universal newlines: a CRLF left in the text it ships counts once
    ("qc-1.7.8-interviews-crlf.qdpx", "characters", "coding"),
    ("qc-1.3.2-interviews.qdpx", "characters", "coding"),
    # QualCoder stores the positions of Qt's text cursor, which count UTF-16 units (its speaker tool's count
    # characters, but those are no codings here)
    ("qualcoder-4.0-interviews.qdpx", "utf16", "coding"),
    ("qualcoder-4.0-interviews-crlf.qdpx", "utf16", "coding"),
    ("qualcoder-4.0-from-qualcode-example.qdpx", "characters", "coding"),
]
# QualCoder's export "with line ends for MAXQDA" writes CRLF into the text files but keeps the positions it counted
# on its own text, where a line end is one character
CRLF_AS_ONE = {"qualcoder-4.0-interviews-crlf.qdpx", "qc-1.7.8-interviews-crlf.qdpx"}
SPEAKER_MARKS_USER = "📌 Speaker coding"  # QualCoder's speaker tool codes each turn as this user
ALL = [name for name, _, _ in CODED] + ["nvivo-mac-15-codebook.qdpx", "atlas-ti-8.4-mac-standard-project.qdpx"]


def _table_counts(folder: Path) -> dict[str, int]:
    db = sqlite3.connect(folder / "qualcode.db")
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
    finally:
        db.close()


_IMPORTED: dict[str, dict[str, Any]] = {}


def _import_twice(name: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file imported into a new project, then again (once per test session: the NVivo file is 1.4 MB)."""
    if name in _IMPORTED:
        return _IMPORTED[name]
    folder = tmp_path_factory.mktemp("real") / "project"
    first = import_refi(folder, REAL / name, coder="importer")
    before = _table_counts(folder)
    second = import_refi(folder, REAL / name, coder="importer")
    _IMPORTED[name] = {"name": name, "folder": folder, "first": first, "second": second, "before": before,
                       "after": _table_counts(folder)}
    return _IMPORTED[name]


@pytest.fixture(scope="module", params=ALL)
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each real file imported twice into a new project."""
    return _import_twice(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def nvivo_windows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The NVivo for Windows file: emoji in the text, selections by two users, a table of comments."""
    return _import_twice("nvivo-windows-12.6-comments.qdpx", tmp_path_factory)


@pytest.fixture(scope="module")
def nvivo_mac(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The NVivo for Mac file: a codebook with names repeated under different parents, sources without text."""
    return _import_twice("nvivo-mac-15-codebook.qdpx", tmp_path_factory)


def test_a_second_import_of_a_real_file_adds_nothing_and_says_so(imported: dict[str, Any]) -> None:
    assert imported["after"] == imported["before"]  # not a code, transcript, coding, memo, case or event more
    assert imported["second"]["nothing_new"] is True
    assert imported["second"]["counts"]["codings_added"] == 0
    assert imported["second"]["counts"]["codings_already_here"] == imported["first"]["counts"]["codings_added"]


@pytest.mark.parametrize(("name", "unit", "coder_on"), CODED)
def test_every_selection_of_a_real_file_lands_on_the_passage_it_marks(
    name: str, unit: str, coder_on: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    done = _import_twice(name, tmp_path_factory)
    with Project.open(done["folder"]) as project:
        placement = check_placement(project, REAL / name, unit=unit, coder_on=coder_on,
                                    crlf_as_one=name in CRLF_AS_ONE, not_codings_by=SPEAKER_MARKS_USER)
    assert placement.total >= done["first"]["counts"]["selections"] > 0
    assert placement.share >= 0.99, placement.misplaced[:5]
    assert placement.elsewhere == 0


def test_nvivo_positions_are_read_as_utf16_and_the_summary_says_why(nvivo_windows: dict[str, Any]) -> None:
    positions = nvivo_windows["first"]["positions"]
    assert positions["read_as"] == ["UTF-16 code units"]
    fit = positions["sources"]["videos_10_selected"]["fit"]
    assert fit["UTF-16 code units"] == 300 and fit["characters"] == 49  # word boundaries under each reading


def test_nvivo_codings_are_credited_to_the_coder_on_the_selection_not_the_exporter(
    nvivo_windows: dict[str, Any],
) -> None:
    with Project.open(nvivo_windows["folder"]) as project:
        per_coder: dict[str, int] = {}
        for c in project.codings():
            per_coder[c["coder"]] = per_coder.get(c["coder"], 0) + 1
        placement = check_placement(project, REAL / nvivo_windows["name"], unit="utf16", coder_on="coding")
    # floriansipos made 297 of the 303 selections and Gergo 6; Gergo exported the project and is on every Coding
    assert set(per_coder) == {"floriansipos", "Gergo"} and per_coder["floriansipos"] > 40 * per_coder["Gergo"]
    assert placement.placed == 6  # credited to the Coding's user, only Gergo's own selections would be his


def test_a_table_of_comments_is_imported_without_speakers(nvivo_windows: dict[str, Any]) -> None:
    with Project.open(nvivo_windows["folder"]) as project:
        assert project.speakers() == []
        assert all(s["speaker"] is None for s in project.segments())
    assert any("imported without speakers" in w for w in nvivo_windows["first"]["warnings"])
    read_as = nvivo_windows["first"]["read_as"]
    assert len(read_as) == 2 and all(how.startswith("a text without speakers (") for how in read_as.values())
    # nobody speaks in them: desk-review documents, not key-informant interviews where data sources are compared
    with Project.open(nvivo_windows["folder"]) as project:
        assert {source_type_of(t["kind"], t["attributes"]) for t in project.transcripts()} == {"document"}


def test_an_nvivo_codebook_with_repeated_names_under_different_parents_keeps_them_all(
    nvivo_mac: dict[str, Any],
) -> None:
    with Project.open(nvivo_mac["folder"]) as project:
        codes = [c for c in project.codebook().walk() if c.name == "citizenship"]
    assert len(codes) == 3 and len({c.parent_id for c in codes}) == 3
    assert nvivo_mac["first"]["skipped"] == {"text sources without text": 2}


def test_sources_without_a_name_are_named_after_their_text_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The qc tool writes no 'name' on its TextSources (the schema allows it): the transcripts are 'admin-1' and
    'board_2017', after their plainTextPath, not two GUIDs nobody can tell apart."""
    got = _import_twice("qc-1.3.2-interviews.qdpx", tmp_path_factory)
    project = Project.open(got["folder"])
    try:
        assert sorted(t["id"] for t in project.transcripts()) == ["admin-1", "board_2017"]
    finally:
        project.close()


def test_an_atlas_project_whose_source_files_were_not_kept_names_everything_it_left_out(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The ATLAS.ti 8 standard project ships none of its source files: the codebook, code groups and notes come in,
    and the summary names each kind of thing it could not bring, with the codings on them."""
    got = _import_twice("atlas-ti-8.4-mac-standard-project.qdpx", tmp_path_factory)
    first = got["first"]
    assert first["skipped"] == {
        # 7 on text sources, 2 on PDF texts, 3 on PDF areas that carry their text (placed by it when the PDF or its
        # text is there), and the coded stretch of the Diet Coke video (14.7-17.7 s), which the transcript's sync
        # points place at positions 124-139 of its text source (not in the archive either)
        "text sources without text": 6, "codings on sources left out": 13,
        "PDF sources without their file": 2, "PDF area selections (a rectangle on a page, no text to place)": 1,
        "pictures": 1, "codings of areas of pictures": 2, "audio sources": 1, "video sources": 2,
        "sets of sources not imported": 12, "links between objects": 1, "graphs": 1}
    # the video's transcripts are the text sources' files: not counted twice
    assert first["counts"]["sources"] == 0 and first["counts"]["codes_added"] == 14
    assert first["counts"]["code_groups_added_or_extended"] == 4
    with Project.open(got["folder"]) as project:
        memos = [m["text"] for m in project.memos("project", "project")]
    assert any(m.startswith("Research Plan\nThis is a great project") for m in memos)


@pytest.fixture(scope="module")
def qualcoder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The QualCoder 4.0 project (made with QualCoder's own code, see SOURCE.txt): an interview, a focus group and a
    report, two coders, memos of every kind QualCoder keeps, cases with attributes, speakers marked by QualCoder."""
    return _import_twice("qualcoder-4.0-interviews.qdpx", tmp_path_factory)


def test_a_qualcoder_sub_code_listed_twice_is_one_code_under_its_parent(qualcoder: dict[str, Any]) -> None:
    # QualCoder writes 'Unintended outcomes' (a sub-code of 'Outcomes achieved') a second time, with the same GUID,
    # directly under the category 'Effectiveness': one code, where it belongs, and the summary says so
    with Project.open(qualcoder["folder"]) as project:
        cb = project.codebook()
        found = [c for c in cb.walk() if c.name == "Unintended outcomes"]
        assert len(found) == 1
        assert found[0].parent_id is not None and cb[found[0].parent_id].name == "Outcomes achieved"
        assert len([c for c in project.codings() if c["code"] == found[0].id]) > 0
    assert qualcoder["first"]["counts"]["codes_in_file"] == qualcoder["first"]["counts"]["codes_added"]
    assert any("'Unintended outcomes'" in w and "more than once" in w for w in qualcoder["first"]["warnings"])


def test_a_qualcoder_codebook_file_reads_the_same_tree_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    first = import_refi(folder, REAL / "qualcoder-4.0-codebook.qdc", coder="importer")
    second = import_refi(folder, REAL / "qualcoder-4.0-codebook.qdc", coder="importer")
    with Project.open(folder) as project:
        cb = project.codebook()
        tree = {c.name: (cb[c.parent_id].name if c.parent_id else None) for c in cb.walk()}
    assert first["counts"]["codes_added"] == first["counts"]["codes_in_file"] == len(tree)
    assert second["counts"]["codes_added"] == 0
    # categories, a category inside a category, a code at the top, a sub-code under a code
    assert tree["Recurrent costs"] == "Financing" and tree["Financing"] == "Sustainability"
    assert tree["Quotable"] is None and tree["Unintended outcomes"] == "Outcomes achieved"
    # the category QualCoder's speaker tool makes ("📌 Speakers", a code per speaker): no codes of meaning
    assert len(tree) == 14 and "📌 Speakers" not in tree and "P4" not in tree
    assert "left out: 9 speaker codes of QualCoder's speaker tool (who speaks, not what is said)" in first["warnings"]
    with Project.open(folder) as project:
        assert "good or bad" in next(c for c in project.codebook().walk() if c.name == "Unintended outcomes").definition


def test_what_qualcoder_keeps_of_memos_cases_and_attributes_arrives(qualcoder: dict[str, Any]) -> None:
    with Project.open(qualcoder["folder"]) as project:
        memos = [(m["target_type"], m["text"]) for m in project.memos()]
        coding_memos = sorted(str(c["memo"]) for c in project.codings() if c.get("memo"))
        cases = {c["id"]: c for c in project.cases()}
        kii = next(t for t in project.transcripts() if t["id"] == "kii_district_health")
        cb = project.codebook()

    def has(kind: str, start: str) -> bool:
        return any(t == kind and text.startswith(start) for t, text in memos)

    # the project memo (the Project's Description), the journal, the source memo, the annotation, the case memos
    assert has("project", "Mid-term evaluation of the maternal referral")
    assert has("project", "Field notes week 1\nInterviews went well.")
    assert has("transcript", "Recorded with consent")
    assert has("segment", "A named volunteer: pseudonymise")
    assert has("case", "Met at the district office") and has("case", "Spoke about household tensions")
    # four coded passages carry a memo; each arrives on every unit the passage covers
    assert {m.split(":")[0].split(" (")[0] for m in coding_memos} == {
        "Spans two paragraphs", "Figure to check against the referral register", "A schedule set without the members",
        "Sensitive"}
    # code memos are the codes' definitions, a category's memo included
    assert next(c for c in cb.walk() if c.name == "Relevance").definition.startswith("Was the design right")
    # case and file attributes, an accented value and a number among them
    assert cases["KII-01-District-medical-officer"]["attributes"] == {
        "stakeholder_group": "Government", "region": "Région des Lacs", "years_in_post": "6"}
    assert kii["attributes"] == {"interview_date": "2026-03-14", "data_collector": "Amara K."}
    # a number left empty, which QualCoder writes as a VariableValue without a value: no value, not "" or 0
    assert cases["FGD-01-P4"]["attributes"] == {"stakeholder_group": "Community", "region": "Kibuye sector"}


def test_qualcoder_line_ends_for_maxqda_are_counted_once_and_the_summary_says_so(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    got = _import_twice("qualcoder-4.0-interviews-crlf.qdpx", tmp_path_factory)
    read_as = {name: s["read_as"] for name, s in got["first"]["positions"]["sources"].items()}
    # the texts with emoji as QualCoder's coding window counts (UTF-16); the report has none (either reading fits)
    assert read_as == {"kii_district_health.txt": "UTF-16 code units, a CRLF line end as one",
                       "fgd_savings_groups.txt": "UTF-16 code units, a CRLF line end as one",
                       "district_progress_report.txt": "characters, a CRLF line end as one"}


def test_a_taguette_codebook_arrives_as_taguette_names_its_tags_and_a_second_import_adds_nothing(
    tmp_path: Path,
) -> None:
    """Taguette 1.5.2 exports only its codebook as REFI-QDA: every tag a code at the top under its full path, no
    descriptions, an empty (schema-invalid) <Sets/>, GUIDs derived from the path."""
    folder = tmp_path / "project"
    first = import_refi(folder, REAL / "taguette-1.5.2-codebook.qdc", coder="importer")
    second = import_refi(folder, REAL / "taguette-1.5.2-codebook.qdc", coder="importer")
    with Project.open(folder) as project:
        codes = {c.name: c for c in project.codebook().walk()}
    # Taguette's own starting tag, the tags made, an ampersand and an emoji in names kept as written
    assert set(codes) == {"interesting", "Relevance", "Relevance.Alignment with local needs",
                          "Relevance.Consultation in design", "Effectiveness.Outcomes achieved",
                          "Effectiveness.Outcomes achieved.Unintended", "Sustainability.Ownership",
                          "Sustainability.Financing.Recurrent costs", "Genre & inclusion.Household power relations",
                          "Quotable ⭐"}
    assert all(c.parent_id is None for c in codes.values())
    assert first["counts"]["codes_added"] == 10 and second["counts"]["codes_added"] == 0
    assert first["warnings"] == [] and second["warnings"] == []


def test_qualcoders_speaker_marks_are_not_codes_and_the_summary_counts_them(qualcoder: dict[str, Any]) -> None:
    """QualCoder's speaker tool codes every turn with a code per speaker under "📌 Speakers", as the user
    "📌 Speaker coding": who speaks, not what is said. They are neither codes nor a coder here; the speakers come
    from the text's own labels."""
    with Project.open(qualcoder["folder"]) as project:
        names = {c.name for c in project.codebook().walk()}
        coders = {c["name"] for c in project.coders() if c["codings"]}
        speakers = {(s["transcript_id"], s["label"]) for s in project.speakers()}
    assert "📌 Speakers" not in names and "P4" not in names and "Interviewer" not in names
    assert coders == {"amara", "jonas"}
    assert {("fgd_savings_groups", "P4"), ("kii_district_health", "Dr. Hélène Mukamana")} <= speakers
    assert qualcoder["first"]["skipped"] == {
        "QualCoder speaker marks (turns its speaker tool coded; speakers are read from the text's labels)": 21}
    assert qualcoder["first"]["counts"]["codes_in_file"] == 14 and qualcoder["first"]["counts"]["selections"] == 17


def test_roles_and_types_another_tool_does_not_write_are_guessed_and_the_summary_says_so(
    qualcoder: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """QualCoder keeps no speaker roles and no interview type: beside a labelled interviewer the other voices are
    informants, six of them make a focus group, a text nobody speaks in is a document; of two voices labelled by
    name only (qc's interview), the one asking the questions is the interviewer; each guess is named in a warning
    with how to correct it. A meeting of 40 voices (qc's school-board meeting) is no focus group: nothing is guessed
    there, and that is said too."""
    with Project.open(qualcoder["folder"]) as project:
        kinds = {t["id"]: source_type_of(t["kind"], t["attributes"]) for t in project.transcripts()}
        roles = {(s["transcript_id"], s["label"]): s["role"] for s in project.speakers()}
    assert kinds == {"kii_district_health": "KII", "fgd_savings_groups": "FGD", "district_progress_report": "document"}
    assert roles[("kii_district_health", "Dr. Hélène Mukamana")] == "informant"
    assert roles[("kii_district_health", "Interviewer")] == "interviewer"
    assert {roles[("fgd_savings_groups", f"P{n}")] for n in range(1, 7)} == {"informant"}
    warnings = qualcoder["first"]["warnings"]
    assert any(w.startswith("transcript kii_district_health: read 'Dr. Hélène Mukamana' as its informant") and
               "qualcode transcripts set-role kii_district_health" in w for w in warnings)
    assert any(w.startswith("transcript fgd_savings_groups: typed as a focus group, as its name 'fgd_savings_groups"
                            ".txt' says (6 voices beside the interviewer") for w in warnings)
    assert not any(w.startswith("transcript ") for w in qualcoder["second"]["warnings"])  # nothing new, no guess

    qc = _import_twice("qc-1.3.2-interviews.qdpx", tmp_path_factory)
    with Project.open(qc["folder"]) as project:
        kinds = {t["id"]: source_type_of(t["kind"], t["attributes"]) for t in project.transcripts()}
        unknown = {s["transcript_id"] for s in project.speakers() if s["role"] == "unknown"}
        roles = {s["label"]: s["role"] for s in project.speakers("admin-1")}
    assert kinds == {"board_2017": "KII", "admin-1": "KII"} and unknown == {"board_2017"}
    assert roles == {"Max Bigman": "interviewer", "admin-1": "informant"}
    assert any(w.startswith("transcript board_2017: 40 voices speak beside the interviewer, more than a focus group")
               for w in qc["first"]["warnings"])
    assert any(w.startswith("transcript admin-1: read 'Max Bigman' as the interviewer (asks the questions)") for w in
               qc["first"]["warnings"])


def test_nvivo_for_mac_positions_are_read_as_utf16_without_a_byte_order_mark_or_crlf(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """NVivo for Mac 12.7 writes its text files without the byte-order mark and CRLF line ends NVivo for Windows
    writes, with the positions still counting UTF-16 units: the emoji-laden comments land only so."""
    got = _import_twice("nvivo-mac-12.7-comments.qdpx", tmp_path_factory)
    positions = got["first"]["positions"]
    assert positions["read_as"] == ["UTF-16 code units"]
    fit = positions["sources"]["videos_10_selected"]["fit"]
    assert fit["UTF-16 code units"] > 5 * fit["characters"]
    with zipfile.ZipFile(REAL / got["name"]) as z:
        texts = [z.read(n) for n in z.namelist() if n.endswith(".txt")]
    assert texts and not any(t.startswith(codecs.BOM_UTF8) or b"\r\n" in t for t in texts)
    with Project.open(got["folder"]) as project:
        assert {c["coder"] for c in project.codings()} == {"floriansipos"}  # who coded, on selection and coding


def test_a_qc_selection_of_an_empty_line_is_named_in_the_summary_and_repeats_are_not_already_here(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """qc 1.2.0 wrote a selection that marks only a line end: the summary names its source and positions; its
    overlapping selections code some units twice with one code, which a new project does not already have."""
    got = _import_twice("qc-1.2.0-interviews.qdpx", tmp_path_factory)
    with zipfile.ZipFile(REAL / got["name"]) as z:
        root = etree.fromstring(z.read("project.qde"))
        empty = []
        for src in root.iter("{*}TextSource"):
            text = z.read("sources/" + src.get("plainTextPath")).decode("utf-8")
            for sel in src.iter("{*}PlainTextSelection"):
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                if not any(ch.isalnum() for ch in text[a:b]):
                    empty.append(f"'{src.get('plainTextPath').removesuffix('.txt')}' {a}-{b} (marks no words)")
    first, second = got["first"], got["second"]
    assert empty and first["counts"]["selections_not_mapped"] == len(empty)
    [warning] = [w for w in first["warnings"] if "could not be placed" in w]
    assert all(e in warning for e in empty)
    assert first["counts"]["codings_already_here"] == 0 and first["counts"]["codings_repeated_in_file"] > 0
    assert second["counts"]["codings_repeated_in_file"] == first["counts"]["codings_repeated_in_file"]


def test_qc_counts_a_crlf_once_and_the_summary_says_which_source_was_read_so(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """qc 1.7.8 ships the focus group's text with its CRLF line ends but counts positions on the text as Python reads
    it, a line end as one character: only that source is read so, and the summary says it."""
    got = _import_twice("qc-1.7.8-interviews-crlf.qdpx", tmp_path_factory)
    with zipfile.ZipFile(REAL / got["name"]) as z:
        root = etree.fromstring(z.read("project.qde"))
        crlf = {s.get("name") for s in root.iter("{*}TextSource")
                if b"\r\n" in z.read("sources/" + s.get("plainTextPath").split("://")[1])}
    sources = got["first"]["positions"]["sources"]
    assert crlf and {name for name, s in sources.items() if "a CRLF line end as one" in s["read_as"]} == crlf
    assert all(s["read_as"].startswith("characters") for s in sources.values())


def test_an_atlas_codebook_in_its_own_namespace_keeps_its_tree_folders_and_code_groups(tmp_path: Path) -> None:
    """ATLAS.ti for Windows 9 writes its codebook in the namespace urn:QDA-XML:codebook:0:4, with a folder
    (isCodable="false"), a ':' in a code's name and code groups as sets; all of it arrives, and only once."""
    folder = tmp_path / "project"
    name = "atlas-ti-9.0-win-codebook.qdc"
    root = etree.parse(str(REAL / name)).getroot()
    assert root.nsmap[None] == "urn:QDA-XML:codebook:0:4"
    first = import_refi(folder, REAL / name, coder="importer")
    second = import_refi(folder, REAL / name, coder="importer")
    in_file = {c.get("name"): (c.getparent().get("name") if c.getparent().tag.endswith("Code") else None)
               for c in root.iter("{*}Code")}
    sets = {s.get("name"): len(s.findall("{*}MemberCode")) for s in root.iter("{*}Set")}
    with Project.open(folder) as project:
        cb = project.codebook()
        codes = {c.id: c for c in cb.walk()}
        got = {c.name: (codes[c.parent_id].name if c.parent_id else None) for c in codes.values()}
        groups = {g.name: len(g.codes) for g in cb.groups}
    assert got == in_file and groups == sets
    assert second["nothing_new"] is True and second["counts"]["codes_added"] == 0
    assert first["warnings"] == [] and second["warnings"] == []


@pytest.mark.parametrize("name", ["qc-1.2.0-interviews.qdpx", "qc-1.3.2-interviews.qdpx"])
def test_the_times_inside_rev_style_notes_are_left_out_and_their_passages_stay_coded(
    name: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The qc demo interviews were transcribed with notes such as '[inaudible 00:04:41]' and '[crosstalk 00:06:47]':
    the units read '[inaudible]', the summary says so, and the selections over them still land on them (the
    placement test above)."""
    got = _import_twice(name, tmp_path_factory)
    with Project.open(got["folder"]) as project:
        texts = [s["text"] for s in project.segments()]
    assert sum("[inaudible]" in t for t in texts) >= 10
    assert not any(re.search(r"\[(?:inaudible|crosstalk) \d", t) for t in texts)
    assert any("inside a transcriber's note of what could not be heard were left out" in w
               for w in got["first"]["warnings"])
