"""Transcribers' notes of what could not be heard, with the time it happened: "[inaudible 00:01:30]" is read as
"[inaudible]" by every reader of speech."""

from __future__ import annotations

import re

from qualcode.importers.labels import TIMESTAMP, parse_timestamp

# "[inaudible 00:01:30]", "[crosstalk 00:12:03]", "[foreign language 00:00:12]": a transcriber's note of what could
# not be heard, with the time it happened (Rev and others write them so). The note stays, the time is no one's words.
# Only a note of this kind: "[John 3:16]" or "[see minute 12:30]" keep their numbers.
_MARK_TIME = re.compile(r"\[((?:[^\W\d_][\w'’-]*\s+){0,3}?[^\W\d_][\w'’-]*)(?:\s*[,;:@-]\s*|\s+)(?:at\s+)?"
                        r"(" + TIMESTAMP + r")\s*\]")
_NOT_HEARD = frozenset(
    """inaudible unintelligible indiscernible unclear crosstalk cross-talk overlapping overtalk overlap foreign
    language phonetic noise static silence pause music laughter laughs laughing interruption interrupted audio
    background break distortion cough coughing applause""".split()
)


class MarkTimes:
    """Takes the time out of a transcriber's note of what could not be heard ("[inaudible 00:01:30]" is
    "[inaudible]"), counting them for the report."""

    def __init__(self) -> None:
        self.count = 0
        self.example = ""

    def drop(self, text: str) -> str:
        if "[" not in text or ":" not in text:
            return text
        return _MARK_TIME.sub(self._drop, text)

    @staticmethod
    def unwrap(paragraphs: list[list[str]]) -> None:
        """A note a line break cut in two ("... Mr. [inaudible" / "00:38:39], do you ...", as transcripts wrapped at
        80 columns are) is put back on the line it starts on, so it is read whole. ``paragraphs``: each one's lines,
        changed in place."""
        for lines in paragraphs:
            i = 0
            while i < len(lines) - 1:
                cut = lines[i].rfind("[")
                close = lines[i + 1].find("]")
                if cut >= 0 and "]" not in lines[i][cut:] and 0 <= close <= 30 and "[" not in lines[i + 1][:close]:
                    note = lines[i][cut:].rstrip() + " " + lines[i + 1][:close + 1].lstrip()
                    if _MARK_TIME.fullmatch(note):
                        rest = lines[i + 1][close + 1:]
                        stuck = len(rest) - len(rest.lstrip(",.;:!?)…"))  # "], do you": the comma stays with it
                        lines[i] = lines[i][:cut] + note + rest[:stuck]
                        lines[i + 1] = rest[stuck:]
                        if not lines[i + 1].strip():
                            del lines[i + 1]
                i += 1

    def _drop(self, m: re.Match[str]) -> str:
        words = m.group(1).casefold().split()
        if not any(w in _NOT_HEARD for w in words) or parse_timestamp(m.group(2)) is None:
            return m.group(0)
        self.count += 1
        self.example = self.example or m.group(0)
        return f"[{m.group(1)}]"

    def notice(self) -> str:
        kept = _MARK_TIME.sub(r"[\1]", self.example)
        return (f"{self.count} time(s) inside a transcriber's note of what could not be heard were left out of the"
                f" text, the note kept (the first: '{self.example}' is now '{kept}')")
