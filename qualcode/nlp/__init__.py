"""Code suggestions: a codebook prior (zero-shot) that learns from the team's own coding.

Nothing here imports spaCy or scikit-learn at import time; the heavy work happens when a
:class:`~qualcode.nlp.suggester.Suggester` is first used.
"""

from __future__ import annotations

from qualcode.nlp.suggester import Example, Suggester, Suggestion, codebook_fingerprint

__all__ = ["Example", "Suggester", "Suggestion", "codebook_fingerprint"]
