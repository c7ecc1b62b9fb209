"""The one-interview project of the store tests (``test_store``, ``test_undo_imports``): a two-code codebook and a
KII whose informant answer is two sentences."""

from __future__ import annotations

from qualcode.codebook import parse_codebook
from qualcode.model import Codebook, ParsedTranscript, Turn, Unit

CB = """
codes:
  - id: relevance
    name: Relevance
    definition: Fit with needs.
    children:
      - {id: relevance.needs, name: Needs, definition: Needs of factories.}
  - id: efficiency
    name: Efficiency
    definition: Resources.
"""


def make_codebook(text: str = CB) -> Codebook:
    cb, problems = parse_codebook(text, "t.yaml")
    assert cb is not None, problems
    return cb


def make_transcript(answer: str = "We trained 300 workers. The course was useful.") -> ParsedTranscript:
    q = "What did the project do?"
    text = f"{q}\n\n{answer}"
    a0 = len(q) + 2
    first_end = answer.index(".") + 1
    units = [
        Unit(0, len(q), "Interviewer", 0),
        Unit(a0, a0 + first_end, "Ms. Lan", 1),
        Unit(a0 + first_end + 1, len(text), "Ms. Lan", 1),
    ]
    turns = [Turn("Interviewer", 0, len(q)), Turn("Ms. Lan", a0, len(text))]
    return ParsedTranscript(text=text, turns=turns, units=units, format="text", source_name="kii.txt")
