"""Accent- and case-insensitive matching, shared by search, suggestions and pseudonymisation."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents ("Hà Nội" -> "ha noi", "Nguyễn" -> "nguyen", "đ" -> "d").

    Precomposed letters keep their length, so a position in the folded text is the same position in the original
    (the workbench relies on it to highlight search hits).
    """
    if text.isascii():  # most English units: nothing to strip, and NFKD char by char is slow
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("đ", "d")
