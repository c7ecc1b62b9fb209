"""A qualcode export sent back by another tool without qualcode.json: what carries qualcode's own data (the speakers
variable, the text form of each transcript) and what happens when a user edited it there."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from qualcode.refi import export_qdpx, import_refi
from qualcode.refi.export import shipped_text
from qualcode.store import Project


def _rewrite(src: Path, dest: Path, edit_qde: object = None, edit_text: object = None) -> Path:
    """``src`` without qualcode.json, its project.qde and source texts passed through the edits."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name == "qualcode.json":
                continue
            data = zin.read(name)
            if name == "project.qde" and callable(edit_qde):
                data = edit_qde(data.decode("utf-8")).encode("utf-8")
            elif name.startswith("sources/") and callable(edit_text):
                data = edit_text(name, data.decode("utf-8")).encode("utf-8")
            zout.writestr(name, data)
    return dest


def test_a_transcript_exported_by_an_earlier_version_is_still_recognised(example_project: Project,
                                                                         tmp_path: Path) -> None:
    # earlier versions labelled each turn once, not each paragraph of a turn
    p = example_project
    export_qdpx(p, tmp_path / "out.qdpx", show_names=True)
    new_form = {shipped_text(p.transcript_text(t["id"]), p.segments(t["id"]))[0]:
                shipped_text(p.transcript_text(t["id"]), p.segments(t["id"]), every_paragraph=False)[0]
                for t in p.transcripts()}
    assert sum(1 for new, old in new_form.items() if new != old) >= 2  # KII-08 and KII-09 have such turns
    old = _rewrite(tmp_path / "out.qdpx", tmp_path / "old.qdpx",
                   edit_qde=lambda x: re.sub(r"<PlainTextSelection .*?</PlainTextSelection>", "", x, flags=re.S),
                   edit_text=lambda name, text: new_form.get(text, text))
    report = import_refi(p.path, old, coder="tester")
    assert report["counts"]["transcripts_already_here"] == len(p.transcripts())
    assert report["counts"]["transcripts_added"] == 0


def test_speaker_roles_edited_in_another_tool_are_kept_as_an_attribute_not_guessed_from(
    example_project: Project, tmp_path: Path
) -> None:
    export_qdpx(example_project, tmp_path / "out.qdpx", show_names=True)
    edited = _rewrite(tmp_path / "out.qdpx", tmp_path / "edited.qdpx",
                      edit_qde=lambda x: x.replace("Interviewer (interviewer); Mr. Anh (informant, KII-08)",
                                                   "Mr. Anh is the HR manager"))
    report = import_refi(tmp_path / "fresh", edited, coder="tester")
    assert any("'qualcode speakers' is not in the form qualcode writes" in w for w in report["warnings"])
    with Project.open(tmp_path / "fresh") as q:
        kii08 = q.require_transcript("KII-08")
        assert "Mr. Anh is the HR manager" in kii08["attributes"]
        # the case still finds its informant through the case's coding of his turns
        assert {sp["label"]: sp["case_id"] for sp in q.speakers("KII-08")} == {"Interviewer": None,
                                                                                "Mr. Anh": "KII-08"}
        # the other transcripts' speakers are placed as exported
        assert {sp["label"]: sp["case_id"] for sp in q.speakers("KII-07")} == {"A": "KII-07", "Q": None}


def test_a_new_project_from_the_names_withheld_export_cuts_every_interview_into_the_same_units(
    example_project: Project, tmp_path: Path,
) -> None:
    # "I agree with Thao." is one word short of a unit and joins the next sentence; withheld, it reads "I agree with
    # [informant FGD-02-P2]." and, counted word by word, stood alone: the placeholder counts as the one name it is
    p = example_project
    export_qdpx(p, tmp_path / "out.qdpx")
    import_refi(tmp_path / "new", _rewrite(tmp_path / "out.qdpx", tmp_path / "bare.qdpx"), coder="ana")

    def shape(project: Project) -> dict[str, list[tuple[int, int, str]]]:
        return {t["id"]: [(s["idx"], s["turn"], s["role"]) for s in project.segments(t["id"], include_interviewer=True)]
                for t in project.transcripts() if t["kind"] == "transcript"}

    def codings(project: Project) -> set[tuple[str, int, str, str]]:
        idx = {s["id"]: (s["transcript"], s["idx"]) for s in project.segments()}
        return {(*idx[c["segment"]], c["code"], c["coder"]) for c in project.codings() if c["transcript"] in ours}

    ours = shape(p)
    assert len(ours) == 14
    with Project.open(tmp_path / "new") as back:
        assert shape(back) == ours
        assert codings(back) == codings(p)


def test_memos_withheld_in_the_export_are_the_same_memos_when_they_come_back(example_project: Project,
                                                                              tmp_path: Path) -> None:
    p = example_project
    unit = p.segments("KII-07", include_interviewer=False)[3]
    p.set_memo("project", "project", "Validation workshop with Ms. Hoa on 2 April.", coder="clara")
    p.set_memo("segment", str(unit["id"]), "Mr. Son says the same. Laughter here.", coder="long")
    p.set_memo("transcript", "KII-07", "Noisy recording; Ms. Hoa asked for a break.", coder="long")
    export_qdpx(p, tmp_path / "out.qdpx")
    report = import_refi(p.path, _rewrite(tmp_path / "out.qdpx", tmp_path / "bare.qdpx"), coder="clara")
    # the file shows them pseudonymised ('[name]'): not memos edited more recently here
    assert report["nothing_new"] and report["counts"]["memos_already_here"] == 3
    assert report["counts"]["memos_kept_ours"] == 0 and not any("memo(s) in the file differ" in w
                                                                 for w in report["warnings"])
    # a memo changed in the other tool before it was edited here: this project's stands, and the summary says so
    p.set_memo("project", "project", "Validation workshop with Ms. Hoa on 3 April.", coder="clara")
    report = import_refi(p.path, _rewrite(tmp_path / "out.qdpx", tmp_path / "edited.qdpx",
                                          edit_qde=lambda qde: qde.replace("on 2 April", "in early April")),
                         coder="clara")
    assert report["counts"]["memos_kept_ours"] == 1
    assert any("this project's text was kept" in w and "project project (clara)" in w for w in report["warnings"])
    assert "3 April" in p.memos("project")[0]["text"]


def test_a_desk_review_document_comes_back_with_its_title_headings_and_units(example_project: Project,
                                                                              tmp_path: Path) -> None:
    p = example_project
    export_qdpx(p, tmp_path / "out.qdpx")
    import_refi(tmp_path / "new", _rewrite(tmp_path / "out.qdpx", tmp_path / "bare.qdpx"), coder="ana")

    def documents(project: Project) -> dict[str, tuple[str, list[tuple[str, str | None]]]]:
        return {t["id"]: (t["title"], [(s["text"], s["heading"]) for s in project.segments(t["id"])])
                for t in project.transcripts() if t["kind"] == "document"}

    ours = documents(p)
    assert len(ours) == 2 and all(units for _, units in ours.values())
    with Project.open(tmp_path / "new") as back:
        # the headings are headings again (the units' heading paths), not units of their own; pages are not in the
        # text another tool keeps
        assert documents(back) == ours
        def coded(project: Project) -> set[tuple[str, str, str, str]]:
            text = {s["id"]: s["text"] for s in project.segments()}
            return {(c["transcript"], text[c["segment"]], c["code"], c["coder"]) for c in project.codings()
                    if c["transcript"] in ours}

        assert coded(back) == coded(p) and len(coded(p)) >= 10
