"""The one-interview project of the store tests (``test_store``, ``test_undo_imports``): a two-code codebook and a
KII whose informant answer is two sentences."""

from __future__ import annotations

from transcript_support import transcript_from_turns

from qualcode.codebook import parse_codebook
from qualcode.model import Codebook, ParsedTranscript

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
    """The interviewer's question, then Ms. Lan's ``answer`` as two units: up to its first full stop, and the rest
    after the space that follows it."""
    first_end = answer.index(".") + 1
    return transcript_from_turns(
        [("Interviewer", ["What did the project do?"]), ("Ms. Lan", [answer[:first_end], answer[first_end + 1:]])],
        source_name="kii.txt",
    )
