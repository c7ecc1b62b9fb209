"""The core never imports Textual, and `qualcode --help` stays instant (heavy libraries are imported lazily)."""

from __future__ import annotations

import subprocess
import sys

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


def test_help_lists_the_commands_without_loading_heavy_libraries() -> None:
    # What keeps `qualcode --help` instant is that it loads no heavy library (measured ~0.1 s); a wall-clock
    # bound would only test how busy the machine is.
    code = (
        "import sys\nfrom qualcode.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('--MODULES--')"
    )
    proc = subprocess.run([sys.executable, "-c", code + "\nprint('\\n'.join(sys.modules))"],
                          capture_output=True, text=True, check=True)
    usage, _, modules = proc.stdout.partition("--MODULES--")
    for command in ("init", "import", "status", "segments", "codebook", "codings", "log", "example"):
        assert command in usage
    loaded = set(modules.split())
    for heavy in ("textual", "spacy", "sklearn", "pandas", "numpy", "scipy", "docx", "openpyxl", "rapidfuzz"):
        assert heavy not in loaded, f"qualcode --help imports {heavy}"


def test_html_character_references_are_decoded_but_a_bare_ampersand_stays() -> None:
    from qualcode.importers import parse_transcript

    text = ("Interviewer: Was R&D part of it? We&#39;d heard &quot;yes&quot;.\n\n"
            "Ms. Lan: AT&T &amp; R&D; no &bogus; here.\n")
    pt = parse_transcript(text.encode(), "kii.md")
    assert "We'd heard \"yes\"." in pt.text
    assert "AT&T & R&D; no &bogus; here." in pt.text and "Was R&D part of it?" in pt.text
