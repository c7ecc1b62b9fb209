"""The core never imports Textual, and `qualcode --help` stays instant (heavy libraries are imported lazily)."""

from __future__ import annotations

import subprocess
import sys
import time

CORE_MODULES = [
    "qualcode.store",
    "qualcode.codebook",
    "qualcode.cases",
    "qualcode.project_io",
    "qualcode.model",
    "qualcode.importers",
    "qualcode.cli",
]


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_core_does_not_import_textual_or_heavy_libraries() -> None:
    loaded = _loaded_after("\n".join(f"import {m}" for m in CORE_MODULES))
    for heavy in ("textual", "spacy", "sklearn", "pandas", "docx", "openpyxl"):
        assert heavy not in loaded, f"{heavy} imported by the core at import time"


def test_help_is_fast_and_lists_the_commands() -> None:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "qualcode", "--help"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0
    for command in ("init", "import", "status", "segments", "codebook", "codings", "log", "example"):
        assert command in proc.stdout
    # generous bound for a loaded CI machine; typically ~0.1 s
    assert elapsed < 1.5, f"qualcode --help took {elapsed:.2f}s"
