"""The bounds every reader works within, in one place so the README, the readers and the tests agree.

Only the file-size bound is meant to be changed by users (``QUALCODE_MAX_INPUT_MB``); the others follow from it or
from what the rest of qualcode can handle (a coding unit spaCy and the suggester can always read, a code tree the
workbench can show).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from qualcode.errors import InputError

MB = 1024 * 1024
#: Environment variable that raises or lowers the file-size bound, in megabytes.
ENV_MAX_INPUT = "QUALCODE_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 50


@dataclass(frozen=True)
class Limits:
    """What a single input may hold. All sizes are bytes (of text once decoded or decompressed)."""

    #: a file given to qualcode (transcript, case sheet, codebook, findings, codings table, REFI source text)
    max_input: int = DEFAULT_MAX_INPUT_MB * MB
    #: longest coding unit in characters; longer sentences are split at clause or word boundaries
    max_unit_chars: int = 5000
    #: entries in a .docx, .xlsx or .qdpx
    max_members: int = 10_000
    #: one decompressed entry of an archive (a Word document's XML is several times its text)
    max_member: int = 4 * DEFAULT_MAX_INPUT_MB * MB
    #: all decompressed entries of an archive together
    max_archive_total: int = 8 * DEFAULT_MAX_INPUT_MB * MB
    #: decompressed / compressed size of an entry, checked once it has grown past ``ratio_floor`` bytes
    max_ratio: int = 200
    ratio_floor: int = 1 * MB
    #: nesting of XML elements (libxml2's own default) and of YAML collections
    max_xml_depth: int = 256
    max_yaml_depth: int = 100
    #: a YAML file (codebook, findings, front matter, triangulation rule)
    max_yaml: int = 20 * MB
    #: levels of codes below a criterion (a criterion is level 0)
    max_code_depth: int = 32
    #: coding units one file may give (a two-hour focus group gives about 1,500; a 600-page report about 10,000)
    max_units: int = 100_000
    #: lines of one text file (what a reader holds per line, times this, stays within a few hundred megabytes)
    max_lines: int = 500_000
    #: tags (``<``) in one XML part of a .docx, .xlsx or .qdpx, or in one HTML file (about 1,500 pages of Word)
    max_xml_tags: int = 2_000_000
    #: operators and operands one PDF page may run, and a whole PDF (a page of text runs a few thousand)
    max_pdf_page_tokens: int = 2_000_000
    max_pdf_tokens: int = 20_000_000


def limits() -> Limits:
    """The limits in force: the defaults, with the file-size bound (and the archive bounds that follow from it)
    taken from ``QUALCODE_MAX_INPUT_MB`` when set."""
    raw = os.environ.get(ENV_MAX_INPUT, "").strip()
    if not raw:
        return DEFAULTS
    try:
        mb = float(raw)
    except ValueError:
        raise InputError(f"{ENV_MAX_INPUT}={raw!r} is not a number of megabytes",
                         hint=f"unset it or give a number such as {DEFAULT_MAX_INPUT_MB}") from None
    if not mb > 0:
        raise InputError(f"{ENV_MAX_INPUT} must be more than 0", hint=f"unset it to use {DEFAULT_MAX_INPUT_MB} MB")
    size = int(mb * MB)
    scale = mb / DEFAULT_MAX_INPUT_MB
    # the bounds on units, lines and tags follow the file-size bound, so one setting says how large a file may be
    return Limits(max_input=size, max_member=max(4 * size, 16 * MB), max_archive_total=max(8 * size, 32 * MB),
                  max_units=max(int(DEFAULTS.max_units * scale), 1_000),
                  max_lines=max(int(DEFAULTS.max_lines * scale), 5_000),
                  max_xml_tags=max(int(DEFAULTS.max_xml_tags * scale), 20_000),
                  max_pdf_page_tokens=max(int(DEFAULTS.max_pdf_page_tokens * scale), 20_000),
                  max_pdf_tokens=max(int(DEFAULTS.max_pdf_tokens * scale), 200_000))


DEFAULTS = Limits()


def human_size(n: int) -> str:
    """'2.1 GB', '50 MB', '731 kB' for messages."""
    if n >= 1024 * MB:
        return f"{n / (1024 * MB):.1f} GB"
    if n >= MB:
        return f"{n / MB:.0f} MB" if n % MB == 0 or n >= 10 * MB else f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} kB"
    return f"{n} bytes"


def _hint() -> str:
    return f"split it into smaller files, or set {ENV_MAX_INPUT} to a larger number of megabytes"


def too_many_units(name: str, bound: int, *, what: str = "file") -> InputError:
    """The refusal for a file that would give more coding units than the bound."""
    return InputError(f"this {what} would give more than {bound:,} coding units; qualcode reads at most that per "
                      "file", path=name, hint=_hint())


def too_many_lines(name: str, bound: int, *, what: str = "file") -> InputError:
    """The refusal for a text with more lines than the bound."""
    return InputError(f"this {what} has more than {bound:,} lines; qualcode reads at most that per file", path=name,
                      hint=_hint())


def too_many_tags(name: str, bound: int) -> InputError:
    """The refusal for XML or HTML with more tags than the bound."""
    return InputError(f"holds more than {bound:,} XML or HTML tags; qualcode reads at most that per file (or per "
                      "part of a .docx, .xlsx or .qdpx)", path=name, hint=_hint())
