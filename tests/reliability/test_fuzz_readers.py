"""Every reader meets broken, truncated, binary, huge, wrongly encoded and hostile files with one clear line.

Two layers: hypothesis damages valid files (and makes up random ones) for each reader and checks that it either
reads them or raises a QualcodeError with a one-line message, never anything else; a corpus of typical bad files goes
through the command line and must give exit status 2, one line on stderr, and leave the project exactly as it was.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.errors import QualcodeError
from qualcode.store import Project
from reliability.builders import make_project
from reliability.fuzz_support import OPS, assert_clean_error, mutate, run_cli, snapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
BUNDLED = ROOT / "transcripts"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _seed_transcripts() -> list[tuple[str, bytes]]:
    seeds = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    seeds += [(p.name, p.read_bytes()) for p in sorted(BUNDLED.glob("*.docx"))[:1]]
    return seeds


TRANSCRIPT_SEEDS = _seed_transcripts()


def one_line_error(err: QualcodeError) -> None:
    assert "\n" not in str(err) and str(err).strip(), repr(str(err))


@pytest.fixture(scope="module")
def small_project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "project"
    make_project(path).close()
    return path


@pytest.fixture
def project_copy(small_project_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(small_project_dir, dest)
    return dest


# ---------------------------------------------------------------------------- readers, property-based


@FUZZ
@given(seed=st.sampled_from(TRANSCRIPT_SEEDS), ops=OPS)
def test_damaged_transcripts_are_read_or_refused_with_one_line(seed: tuple[str, bytes], ops: list) -> None:
    from qualcode.importers import parse_transcript

    name, data = seed
    try:
        parsed = parse_transcript(mutate(data, ops), name)
    except QualcodeError as err:
        one_line_error(err)
        assert name in str(err)
        return
    for u in parsed.units:
        assert 0 <= u.start <= u.end <= len(parsed.text)


@FUZZ
@given(data=st.binary(max_size=3000), ext=st.sampled_from([".txt", ".md", ".docx", ".vtt", ".srt", ""]))
def test_random_bytes_as_a_transcript_never_crash_the_reader(data: bytes, ext: str) -> None:
    from qualcode.importers import parse_transcript

    try:
        parse_transcript(data, "interview" + ext)
    except QualcodeError as err:
        one_line_error(err)


@FUZZ
@given(text=st.one_of(st.text(max_size=400), st.builds(
    lambda ops: mutate((ROOT / "codebooks" / "evaluation-criteria.yaml").read_bytes()[:6000], ops).decode(
        "utf-8", "replace"), OPS)))
def test_any_codebook_text_gives_a_codebook_or_problems(text: str) -> None:
    from qualcode.codebook import parse_codebook

    codebook, problems = parse_codebook(text, "codebook.yaml")
    assert codebook is not None or problems
    for problem in problems:
        assert "\n" not in str(problem)


@FUZZ
@given(ops=OPS, as_xlsx=st.booleans())
def test_damaged_case_sheets_are_read_or_refused_with_one_line(ops: list, as_xlsx: bool) -> None:
    from qualcode.cases import read_case_sheet

    data = _cases_xlsx() if as_xlsx else (BUNDLED / "cases.csv").read_bytes()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / ("cases.xlsx" if as_xlsx else "cases.csv")
        path.write_bytes(mutate(data, ops))
        try:
            read_case_sheet(path)
        except QualcodeError as err:
            one_line_error(err)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_codebook_file_never_crash(data: bytes) -> None:
    from qualcode.codebook import load_codebook

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "codebook.yaml"
        path.write_bytes(data)
        try:
            load_codebook(path)
        except QualcodeError as err:
            one_line_error(err)


_XLSX: bytes | None = None


def _cases_xlsx() -> bytes:
    global _XLSX
    if _XLSX is None:
        import csv

        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        with open(BUNDLED / "cases.csv", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        _XLSX = buf.getvalue()
    return _XLSX


CODINGS_CSV = (
    b"quote,code,coder\n"
    b"\"We sent six people to the grievance-handling course and two to the trainer course.\",effectiveness,ana\n"
    b"\"Without the brand's support we could not continue the seminars.\",sustainability,binh\n"
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_damaged_codings_tables_import_whole_or_not_at_all(project_copy: Path, ops: list) -> None:
    from qualcode.project_io import import_codings_table

    with Project.open(project_copy) as project:
        before = snapshot(project_copy)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "KII-01.csv"
            path.write_bytes(mutate(CODINGS_CSV, ops))
            try:
                import_codings_table(project, path, default_coder="tester")
            except QualcodeError as err:
                one_line_error(err)
                assert snapshot(project_copy) == before


@pytest.fixture(scope="module")
def qdpx_bytes(small_project_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from qualcode.refi.export import export_qdpx

    out = tmp_path_factory.mktemp("refi") / "project.qdpx"
    with Project.open(small_project_dir) as project:
        project.add_coding("KII-01:3", "effectiveness", coder="ana")
        export_qdpx(project, out)
    return out.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, inner=st.booleans())
def test_damaged_refi_projects_are_imported_whole_or_not_at_all(project_copy: Path, qdpx_bytes: bytes, ops: list,
                                                                inner: bool) -> None:
    from qualcode.refi import import_refi

    data = _mutate_zip_member(qdpx_bytes, ops) if inner else mutate(qdpx_bytes, ops)
    before = snapshot(project_copy)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "other.qdpx"
        path.write_bytes(data)
        try:
            import_refi(project_copy, path, coder="ana")
        except QualcodeError as err:
            one_line_error(err)
            assert snapshot(project_copy) == before


def _mutate_zip_member(data: bytes, ops: list) -> bytes:
    """Damage the XML inside a valid zip (the zip itself stays readable): reaches the XML and text readers."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.endswith((".qde", ".txt")):
                content = mutate(content, ops)
            out.writestr(info.filename, content)
    return buf.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_merging_a_damaged_project_file_changes_nothing(project_copy: Path, small_project_dir: Path,
                                                        ops: list) -> None:
    from qualcode.teams.merge import merge_projects

    with tempfile.TemporaryDirectory() as d:
        other = Path(d) / "colleague"
        shutil.copytree(small_project_dir, other)
        db = other / "qualcode.db"
        db.write_bytes(mutate(db.read_bytes(), ops))
        before = snapshot(project_copy)
        with Project.open(project_copy) as project:
            try:
                merge_projects(project, [other], coder="ana")
            except QualcodeError as err:
                one_line_error(err)
                assert snapshot(project_copy) == before


# ---------------------------------------------------------------------------- a corpus of bad files, via the CLI


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def _docx() -> bytes:
    return sorted(BUNDLED.glob("*.docx"))[0].read_bytes()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol6;"><CodeBook><Codes/></CodeBook></Project>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes><Code guid="a" name="&secret;"
isCodable="true"/></Codes></CodeBook><Sources/></Project>"""
YAML_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
codes: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""

# (case id, file name, contents, command line with {f} for the file and {p} for the project)
IMPORT = ["import", "-p", "{p}", "{f}"]
CASES = ["import", "-p", "{p}", "--cases", "{f}"]
CODEBOOK = ["codebook", "set", "-p", "{p}", "{f}"]
CODINGS = ["codings", "import", "-p", "{p}", "{f}", "--transcript", "KII-01"]
REFI = ["refi", "import", "-p", "{p}", "{f}"]
CORPUS: list[tuple[str, str, Callable[[], bytes], list[str]]] = [
    ("empty-txt", "kii.txt", lambda: b"", IMPORT),
    ("whitespace-md", "kii.md", lambda: b" \n\t\r\n  ", IMPORT),
    ("nul-bytes-txt", "kii.txt", lambda: b"\x00" * 5000, IMPORT),
    ("random-binary-txt", "kii.txt", lambda: bytes(range(256)) * 64, IMPORT),
    ("png-as-docx", "kii.docx", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 400, IMPORT),
    ("truncated-docx", "kii.docx", lambda: _docx()[:1500], IMPORT),
    ("zip-without-document", "kii.docx", lambda: _zip({"hello.txt": b"hi"}), IMPORT),
    ("docx-xml-bomb", "kii.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>",
                                                 "word/document.xml": BILLION_LAUGHS}), IMPORT),
    ("vtt-header-only", "kii.vtt", lambda: b"WEBVTT\n\n", IMPORT),
    ("vtt-broken-timestamps", "kii.vtt",
     lambda: b"WEBVTT\n\n99999999999:00:00.000 --> -1:00.000\n<v Ms. Lan>\n\n--> -->\n", IMPORT),
    ("srt-cues-without-text", "kii.srt", lambda: b"".join(
        b"%d\n00:00:%02d,000 --> 00:00:%02d,500\n\n" % (k, k, k) for k in range(1, 50)), IMPORT),
    ("utf16-without-bom-binaryish", "kii.txt", lambda: "Interviewer: hi".encode("utf-16-le") * 3 + b"\xff\xfe\x00",
     IMPORT),
    ("huge-binary-vtt", "kii.vtt", lambda: b"WEBVTT\n\n" + bytes(range(256)) * 40_000, IMPORT),
    ("folder-not-file", "", lambda: b"", IMPORT),
    ("missing-file", "nope.txt", lambda: b"", IMPORT),
    ("codebook-binary", "cb.yaml", lambda: b"\x00\x01\x02" * 300, CODEBOOK),
    ("codebook-latin1", "cb.yaml", lambda: "codes:\n  - id: r\n    name: Relevância\xff".encode("latin-1"),
     CODEBOOK),
    ("codebook-yaml-bomb", "cb.yaml", lambda: YAML_BOMB, CODEBOOK),
    ("codebook-deep-nesting", "cb.yaml", lambda: b"codes: " + b"[" * 5000 + b"]" * 5000, CODEBOOK),
    ("codebook-python-tag", "cb.yaml", lambda: b"codes: !!python/object/apply:os.system ['echo pwned']", CODEBOOK),
    ("codebook-truncated", "cb.yaml", lambda: (ROOT / "codebooks" / "evaluation-criteria.yaml").read_bytes()[:777],
     CODEBOOK),
    ("codebook-duplicate-ids", "cb.yaml", lambda: b"codes:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", CODEBOOK),
    ("cases-binary", "cases.csv", lambda: b"\x00\x01" * 3000, CASES),
    ("cases-header-only", "cases.csv", lambda: b"transcript_id,case_id,name\n", CASES),
    ("cases-giant-field", "cases.csv", lambda: b"transcript_id,case_id\nKII-01,\"" + b"x" * 300_000 + b"\"\n", CASES),
    ("cases-unclosed-quote", "cases.csv", lambda: b"transcript_id,case_id\nKII-01,\"KII-01\n" + b"a,b\n" * 10, CASES),
    ("cases-xlsx-is-a-docx", "cases.xlsx", _docx, CASES),
    ("cases-truncated-xlsx", "cases.xlsx", lambda: _cases_xlsx()[:900], CASES),
    ("codings-missing-columns", "c.csv", lambda: b"text,label\nfoo,bar\n", CODINGS),
    ("codings-unknown-code", "c.csv", lambda: CODINGS_CSV.replace(b"effectiveness", b"no.such.code"), CODINGS),
    ("codings-quote-not-in-transcript", "c.csv", lambda: b"quote,code\nsomething nobody said,relevance\n", CODINGS),
    ("codings-giant-field", "c.csv", lambda: b"quote,code\n\"" + b"y" * 300_000 + b"\",relevance\n", CODINGS),
    ("codings-not-utf8", "c.csv", lambda: b"quote,code\n\"caf\xe9 \xff\xfe\",relevance\n", CODINGS),
    ("codings-binary", "c.csv", lambda: bytes(range(256)) * 8, CODINGS),
    ("refi-not-a-zip", "x.qdpx", lambda: b"PK\x03\x04 not really a zip" * 10, REFI),
    ("refi-zip-without-qde", "x.qdpx", lambda: _zip({"Sources/a.txt": b"hello"}), REFI),
    ("refi-billion-laughs", "x.qdpx", lambda: _zip({"project.qde": BILLION_LAUGHS}), REFI),
    ("refi-external-entity", "x.qdpx", lambda: _zip({"project.qde": XXE}), REFI),
    ("refi-qdc-garbage", "x.qdc", lambda: b"<CodeBook><Codes><Code", REFI),
    ("refi-wrong-extension", "x.zip", lambda: _zip({"project.qde": b"<Project/>"}), REFI),
]


@pytest.mark.parametrize("case", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_gets_one_line_exit_2_and_leaves_the_project_unchanged(
        case: tuple[str, str, Callable[[], bytes], list[str]], project_copy: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id, name, make, argv = case
    if case_id == "folder-not-file":
        target = tmp_path / "a-folder"
        target.mkdir()
    elif case_id == "missing-file":
        target = tmp_path / name
    else:
        target = tmp_path / name
        target.write_bytes(make())
    before = snapshot(project_copy)
    code, _out, err = run_cli(capsys, *[a.format(f=target, p=project_copy) for a in argv])
    assert_clean_error(code, err, what=case_id)
    assert "root:" not in err  # the external entity was not read
    assert snapshot(project_copy) == before


def test_merging_a_folder_whose_database_is_garbage_is_one_line(project_copy: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "colleague"
    other.mkdir()
    (other / "qualcode.db").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    before = snapshot(project_copy)
    code, _out, err = run_cli(capsys, "merge", "-p", str(project_copy), str(other))
    assert_clean_error(code, err, what="merge")
    assert snapshot(project_copy) == before


def test_opening_a_damaged_project_says_to_run_doctor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "qualcode.db").write_bytes(b"this is not a database at all" * 100)
    code, _out, err = run_cli(capsys, "status", "-p", str(folder))
    assert_clean_error(code, err, what="status")
    assert "doctor" in err or "backup" in err
