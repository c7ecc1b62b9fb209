"""Project actions: create a project or the example's working copy, choose which project the workbench opens, import
transcripts, documents, case sheets, coding tables and REFI-QDA projects, correct a speaker's role, mark notes, remove
a transcript, replace the codebook, set the default coder.

The import work itself is :mod:`qualcode.project_io` (which re-anchors codings when a corrected transcript comes);
these functions are what the front ends call, each one transaction.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from qualcode.errors import ConflictError, NotFoundError, QualcodeError
from qualcode.model import (
    CodebookReport,
    ImportedCodings,
    ProgressFn,
    ProjectStatus,
    RecordChange,
    RemovedTranscript,
    RoleChange,
)
from qualcode.store import DB_NAME, RECORDS, Project


def create_project(folder: str | Path, *, codebook_file: str | Path | None = None, name: str | None = None,
                   default_coder: str | None = None) -> ProjectStatus:
    """Create a project in ``folder`` with a codebook file (default: the shipped evaluation criteria) and,
    optionally, the project's default coder. Returns the new project's status."""
    from qualcode.codebook import default_codebook_path, load_codebook

    codebook = load_codebook(codebook_file or default_codebook_path())
    with Project.create(Path(folder), codebook=codebook, name=name) as project:
        if default_coder:
            # only the setting: the name becomes a coder of the project when it first codes
            project.set_setting("coder", default_coder, coder=default_coder)
        return project_status(project)


def project_status(project: Project) -> ProjectStatus:
    """The counts ``qualcode status`` shows: the people who coded, the agreed codings apart."""
    from qualcode.teams import project_status as counts

    return counts(project)


def create_example(folder: str | Path, *, force: bool = False) -> dict[str, Any]:
    """A working copy of the bundled example project in ``folder`` (``force`` replaces a project already there)."""
    from qualcode.project_io import build_example

    return build_example(Path(folder), force=force)


def import_files(project: Project, files: list[str | Path], *, coder: str, cases: str | Path | None = None,
                 documents: list[str | Path] | None = None, document_sheet: str | Path | None = None,
                 dry_run: bool = False, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Import transcripts, desk-review documents, a case sheet and a documents sheet in one transaction and return
    the import report (:mod:`qualcode.importing`); a corrected transcript becomes a new version and its codings are
    re-anchored. A case sheet alone re-matches the speakers of the transcripts it names. With ``dry_run`` the report
    says what would happen and nothing is written. ``progress`` hears of each file read and stored."""
    from qualcode.importing import import_files as run
    from qualcode.importing import plan_case_sheet

    if not files and not cases and not documents and not document_sheet:
        raise QualcodeError("nothing to import",
                            hint="give transcript files, --document FILE, --cases FILE or --document-sheet FILE")
    if files or documents or document_sheet:
        report = run(project, list(files), cases=cases, coder=coder, dry_run=dry_run, documents=documents,
                     document_sheet=document_sheet, progress=progress)
        if not dry_run:
            project.refresh_statistics()
        return report
    assert cases is not None
    return plan_case_sheet(project, cases, coder=coder, dry_run=dry_run)


def update_suggestions(project: Project) -> bool:
    """After an import or a removal, bring the saved suggestion model up to date now (when there is one to start from
    and the change is small; :func:`qualcode.nlp.project.update_saved_model`), so that the first suggestions of the
    workbench or of ``qualcode suggest`` come as fast as when reopening. Never fails the change it follows: a model
    that cannot be updated now is at the next opening."""
    from qualcode.nlp.project import update_saved_model

    try:
        return update_saved_model(project)
    except Exception:  # an optimisation only: the next opening brings the model up to date itself
        return False


def import_refi(folder: str | Path, file: str | Path, *, coder: str,
                progress: ProgressFn | None = None) -> dict[str, Any]:
    """Import a REFI-QDA project (.qdpx: codes, text sources, codings, cases, memos) or codebook (.qdc) made by
    qualcode, NVivo, ATLAS.ti, MAXQDA or QualCoder into the project in ``folder`` (a folder without a project gets
    a new one), in one transaction; returns what came in and how positions were read. ``coder`` files codings
    the file does not attribute."""
    from qualcode.refi import import_refi as run

    return run(Path(folder), Path(file), coder=coder, progress=progress)


def set_speaker_role(project: Project, transcript: str, speaker: str, role: str, *, coder: str,
                     case_id: str | None = None) -> RoleChange:
    """Correct a speaker's role (and informant) in a transcript; later imports keep it, undo takes it back. An
    informant keeps the case it had unless ``case_id`` names another (one without a case in a key-informant interview
    takes the interview's informant case); an interviewer has none, nor has a speaker set back to ``unknown`` (a guess
    undone: its turns are neither questions nor an informant's answers)."""
    if role not in ("interviewer", "informant", "unknown"):
        raise QualcodeError(f"unknown role '{role}'", hint="use 'interviewer', 'informant' or 'unknown'")
    with project.transaction():
        project.require_transcript(transcript)
        rows = project.speakers(transcript)
        row = next((r for r in rows if r["label"] == speaker), None)
        if row is None:
            labels = [r["label"] for r in rows]
            close = difflib.get_close_matches(speaker, labels, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else "speakers: " + ", ".join(labels)
            raise NotFoundError(f"{transcript} has no speaker '{speaker}'", hint=hint)
        if case_id is not None and not project.has_case(case_id):
            raise NotFoundError(f"no case '{case_id}'", hint="see 'qualcode cases'")
        new_case = None if role in ("interviewer", "unknown") else (case_id if case_id is not None else row["case_id"])
        if role == "informant" and new_case is None:
            new_case = project.interview_case(transcript, rows)
        # the logged states say how the role was recognised, so undo puts back the import's own reason
        before = project.speaker_state(transcript, speaker)
        assert before is not None
        after = {**before, "role": role, "case_id": new_case, "assigned_by": "user", "how": "set by hand"}
        # Setting the role it already has still marks it as set by hand (later imports keep it), but is no action
        # to undo.
        project.put_speaker(transcript, speaker, after)
        if (row["role"], row["case_id"]) != (role, new_case):
            project.log_event("speaker.role", "speaker", f"{transcript}/{speaker}", coder=coder, before=before,
                              after=after)
    return {"transcript": transcript, "speaker": speaker, "role": role, "case": new_case,
            "was": {"role": row["role"], "case": row["case_id"]}}


def set_record(project: Project, transcript: str, record: str, *, coder: str) -> RecordChange:
    """Mark a transcript as verbatim or as interview notes (its passages are then shown as notes, not quotes);
    logged, undo takes it back."""
    if record not in RECORDS:
        raise QualcodeError(f"unknown record '{record}'", hint="use 'notes' or 'verbatim'")
    with project.transaction():
        row = project.require_transcript(transcript)
        if row.get("kind") == "document":
            raise QualcodeError(f"{transcript} is a document", hint="only transcripts can be notes")
        before = project.transcript_records()[transcript]
        if row.get("record") == record:
            return {"id": transcript, "record": record, "was": before, "changed": False}
        project.put_record(transcript, record)
        project.log_event("transcript.record", "transcript", transcript, coder=coder,
                          before={"id": transcript, "record": row.get("record")},
                          after={"id": transcript, "record": record})
    return {"id": transcript, "record": record, "was": before, "changed": before != record}


def remove_transcript(project: Project, transcript: str, *, coder: str,
                      with_codings: bool = False) -> RemovedTranscript:
    """Remove a transcript with all its versions, units and speakers; logged, and undo brings it back exactly.

    Refused while the transcript has codings unless ``with_codings``: they go too (and come back with undo). Cases
    stay; finding evidence keeps its links, which the audit then reports as removed.
    """
    with project.transaction():
        state = project.transcript_state(transcript)
        if state["codings"] and not with_codings:
            coders = sorted({c["coder"] for c in state["codings"]})
            raise ConflictError(
                f"{transcript} has {len(state['codings'])} coding(s) by {', '.join(coders)}",
                hint="to remove it with its codings, add --with-codings (undo brings everything back)",
            )
        project.drop_transcript(transcript, state)
        project.log_event("transcript.remove", "transcript", transcript, coder=coder, before=state, after=None)
    return {
        "id": transcript,
        "removed": True,
        "versions": len(state["versions"]),
        "units": sum(1 for s in state["segments"] if s["version"] == state["transcript"]["current_version"]),
        "codings": len(state["codings"]),
        "memos": len(state["memos"]),
    }


def restore_speaker(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`set_speaker_role`: give the speaker the role, informant and ``assigned_by`` of a
    logged state (inside the undo's transaction). A label a correction created has no state before it: the label
    stays, as the import left it."""
    if target is not None:
        project.put_speaker(target["transcript"], target["label"], target)


def restore_transcript(project: Project, current: dict[str, Any] | None, target: dict[str, Any] | None) -> None:
    """Undo and redo of :func:`set_record` (a logged record) and :func:`remove_transcript` (a logged whole
    transcript): make the store hold ``target`` where it held ``current`` (None = absent)."""
    ref = target or current
    assert ref is not None
    if "versions" not in ref:  # a record set by hand
        project.put_record(ref["id"], target["record"] if target else None)
    elif target is None:  # redo a removal: the transcript as it is now (its units may have new ids)
        assert current is not None
        project.drop_transcript(current["transcript"]["id"])
    else:  # undo a removal
        project.restore_transcript(target)


def import_codings(project: Project, table: str | Path, *, coder: str,
                   transcript: str | None = None) -> ImportedCodings:
    """Import codings from a table of verbatim quotes; rows without a ``coder`` column are filed under ``coder``."""
    from qualcode.project_io import import_codings_table

    imported = import_codings_table(project, table, transcript=transcript, default_coder=coder)
    project.refresh_statistics()
    return imported


def set_codebook(project: Project, codebook_file: str | Path, *, coder: str) -> CodebookReport:
    """Replace the project's codebook with a codebook file (codings are kept; codes are matched by id)."""
    from qualcode.codebook import load_codebook

    return project.set_codebook(load_codebook(codebook_file), coder=coder)


def set_default_coder(project: Project, name: str) -> None:
    """Make ``name`` the project's default coder (registering the name if it is new), in one transaction. It must be
    a person's name: not a program's, nor the name agreed codings are filed under."""
    from qualcode.teams import consensus_coder, is_machine_coder, machine_coder_names

    if is_machine_coder(name, extra=machine_coder_names(project)) or name == consensus_coder(project):
        raise QualcodeError(f"'{name}' is not a person's name",
                            hint="the default coder is who acts: pass your own name")
    with project.transaction():
        project.coder_id(name)
        project.set_setting("coder", name, coder=name)


# ---------------------------------------------------------------------------- which project the workbench opens


def qualcode_home() -> Path:
    """Per-user data folder: $QUALCODE_HOME, else $XDG_DATA_HOME/qualcode, else ~/.local/share/qualcode."""
    env = os.environ.get("QUALCODE_HOME", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "qualcode"


def example_workspace(*, home: Path | None = None) -> Path:
    """A working copy of the bundled example in the per-user folder, built on first use and then reused, so the
    shipped files stay clean and the evaluator's practice codings survive restarts."""
    from qualcode.project_io import build_example

    dest = (home or qualcode_home()) / "example"
    if not (dest / DB_NAME).exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        build_example(dest, force=True)
    return dest


def resolve_workbench_project(project: str | Path | None) -> tuple[Path, bool]:
    """The folder ``qualcode code`` opens and whether it is the example copy.

    An explicit folder must hold a project; with none given, the current folder is used if it holds one, else the
    example working copy.
    """
    if project is not None and str(project) not in ("", "."):
        p = Path(project)
        Project.open(p).close()  # raises a ProjectError that says what to do
        return p, False
    if (Path.cwd() / DB_NAME).exists():
        return Path.cwd(), False
    return example_workspace(), True
