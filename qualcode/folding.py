"""Accent- and case-insensitive matching, shared by search, suggestions and pseudonymisation."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents ("Hà Nội" -> "ha noi", "Nguyễn" -> "nguyen", "đ" -> "d").

    Precomposed letters keep their length, so a position in the folded text is the same position in the original
    (the workbench relies on it to highlight search hits).
    """
    return strip_accents(text.lower())


def strip_accents(text: str) -> str:
    """The text without accents, case kept ("Đánh giá" -> "Danh gia")."""
    if text.isascii():  # most English units: nothing to strip, and NFKD char by char is slow
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
