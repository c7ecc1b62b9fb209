"""Project actions: create a project or the example's working copy, choose which project the workbench opens, import
transcripts, documents, case sheets, coding tables and REFI-QDA projects, correct a speaker's role, mark notes, remove
a transcript, replace the codebook, set the default coder.

The import work itself is :mod:`qualcode.project_io` (which re-anchors codings when a corrected transcript comes);
these functions are what the front ends call, each one transaction.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.model import (
    CodebookReport,
    ImportedCodings,
    ProgressFn,
    ProjectStatus,
    RecordChange,
    RemovedTranscript,
    RoleChange,
)
from qualcode.store import DB_NAME, Project


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
        from qualcode.teams import project_status

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
        return run(project, list(files), cases=cases, coder=coder, dry_run=dry_run, documents=documents,
                   document_sheet=document_sheet, progress=progress)
    assert cases is not None
    return plan_case_sheet(project, cases, coder=coder, dry_run=dry_run)


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
    """Correct a speaker's role (and informant) in a transcript; later imports keep it, undo takes it back."""
    return project.set_speaker_role(transcript, speaker, role, case_id=case_id, coder=coder)


def set_record(project: Project, transcript: str, record: str, *, coder: str) -> RecordChange:
    """Mark a transcript as verbatim or as interview notes (its passages are then shown as notes, not quotes)."""
    return project.set_transcript_record(transcript, record, coder=coder)


def remove_transcript(project: Project, transcript: str, *, coder: str,
                      with_codings: bool = False) -> RemovedTranscript:
    """Remove a transcript with everything on it (refused while it has codings unless ``with_codings``); logged,
    and undo brings it back."""
    return project.remove_transcript(transcript, coder=coder, with_codings=with_codings)


def import_codings(project: Project, table: str | Path, *, coder: str,
                   transcript: str | None = None) -> ImportedCodings:
    """Import codings from a table of verbatim quotes; rows without a ``coder`` column are filed under ``coder``."""
    from qualcode.project_io import import_codings_table

    return import_codings_table(project, table, transcript=transcript, default_coder=coder)


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
