"""A source's name becomes a transcript id, and ids name files (`qualcode redact` writes `<id>.txt`): an id reads
like the name ("KII-01 - Audio" -> "KII-01-Audio") and is never a dot name such as '..'."""

from __future__ import annotations

import zipfile
from pathlib import Path

from store_support import make_codebook

from qualcode.importers import parse_transcript
from qualcode.importing import safe_id
from qualcode.refi import import_refi
from qualcode.store import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'
TEXT = "Interviewer: How did the training go?\n\nMr Binh: It was useful but too short.\n"


def _qdpx(path: Path, names: list[str], *, origin: str = "MAXQDA 24") -> Path:
    sources = "".join(f'<TextSource guid="50C00000-0000-4000-8000-00000000000{n}" name="{name}" '
                      f'plainTextPath="internal://{n}.txt"/>' for n, name in enumerate(names))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="{origin}" '
                                  f'name="P"><Sources>{sources}</Sources></Project>')
        for n, _name in enumerate(names):
            # each its own text, so none is taken for another's copy
            z.writestr(f"sources/{n}.txt", TEXT.replace("training", f"training {n}"))
    return path


def test_source_names_give_ids_that_read_like_them_and_never_a_dot_name(tmp_path: Path) -> None:
    names = ["..", ".", "...", "KII-01 - Audio", "KII-02 – Hà Nội.docx", ".hidden", "../../notes", "Interview 2.1"]
    import_refi(tmp_path / "p", _qdpx(tmp_path / "in.qdpx", names), coder="ana")
    with Project.open(tmp_path / "p") as project:
        ids = [t["id"] for t in project.transcripts()]
    assert "KII-01-Audio" in ids and "KII-02-Ha-Noi" in ids and "Interview-2.1" in ids and "hidden" in ids
    assert "notes" in " ".join(ids) and len(ids) == len(names)
    for tid in ids:
        assert not tid.startswith(".") and "/" not in tid and "--" not in tid and tid, tid


def test_redact_writes_each_transcript_inside_its_folder_whatever_the_names(tmp_path: Path) -> None:
    from qualcode.safety.redact import write_redacted

    import_refi(tmp_path / "p", _qdpx(tmp_path / "in.qdpx", ["..", "../../escape", "KII-01 - Audio"]), coder="ana")
    out = tmp_path / "p" / "redacted"
    with Project.open(tmp_path / "p") as project:
        report = write_redacted(project, out)
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 3 and "KII-01-Audio.txt" in written
    assert all(Path(f).parent == out for f in report["files"])
    assert not (tmp_path / "escape.txt").exists()


def test_safe_id_collapses_separators_and_strips_dots() -> None:
    assert safe_id("KII-01 - Audio") == "KII-01-Audio"
    assert safe_id("FGD 03 -- women, Bắc Ninh") == "FGD-03-women-Bac-Ninh"
    assert safe_id("..") == "" and safe_id(".profile") == "profile"
    assert safe_id("KII-01_final.v2") == "KII-01_final.v2"


def test_a_transcript_imported_under_the_earlier_id_keeps_it(tmp_path: Path) -> None:
    from qualcode.project_io import import_files

    src = tmp_path / "KII-01 - Audio.txt"
    src.write_text(TEXT, encoding="utf-8")
    with Project.create(tmp_path / "p", codebook=make_codebook()) as project:
        # imported before runs of separators were collapsed
        project.add_transcript(parse_transcript(TEXT.encode(), "KII-01 - Audio.txt"), "KII-01---Audio", coder="ana")
        src.write_text(TEXT.replace("too short", "far too short"), encoding="utf-8")
        report = import_files(project, [src], coder="ana")
        assert [(t["id"], t["version"]) for t in report["transcripts"]] == [("KII-01---Audio", 2)]


def test_a_case_named_with_spaced_dashes_reads_like_its_name_and_an_earlier_import_keeps_its_id(
    tmp_path: Path,
) -> None:
    cases = '<Cases><Case guid="CA5E0000-0000-4000-8000-000000000001" name="P 2 - Teacher"/></Cases>'
    f = tmp_path / "in.qdpx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("project.qde", f'<?xml version="1.0" encoding="utf-8"?><Project {NS} origin="NVivo 14" name="P">'
                                  f'{cases}</Project>')
    import_refi(tmp_path / "p", f, coder="ana")
    with Project.open(tmp_path / "p") as p:
        assert [c["id"] for c in p.cases()] == ["P-2-Teacher"]
    # a project that took the case in under the earlier form keeps it: the file adds nothing
    with Project.create(tmp_path / "old", codebook=make_codebook()) as p:
        p.upsert_case("P-2---Teacher", None, {}, coder="ana")
    report = import_refi(tmp_path / "old", f, coder="ana")
    with Project.open(tmp_path / "old") as p:
        assert [c["id"] for c in p.cases()] == ["P-2---Teacher"]
    assert report["counts"]["cases_added"] == 0
