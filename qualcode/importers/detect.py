"""Recognise what a file is from its content; the extension is only a hint for messages."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from qualcode.errors import InputError
from qualcode.importers.service_reader import looks_like_service
from qualcode.safeio.files import is_zip

SUPPORTED_HINT = (
    "qualcode reads Word .docx, plain text or Markdown (.txt, .md) with speaker labels, HTML pages of labelled turns, "
    "WebVTT (.vtt), SubRip (.srt), YouTube's SubViewer (.sbv), Whisper's .tsv and .json, tab-separated transcript "
    "tables and transcription-service text exports"
)

# Magic numbers of files people drop in the transcripts folder by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"ID3", "an audio file"),
    (b"OggS", "an audio file"),
    (b"fLaC", "an audio file"),
    (b"RIFF", "an audio or video file"),
    (b"\x1aE\xdf\xa3", "a video file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_EXTENSIONS = {
    ".pdf": "a PDF file",
    ".doc": "an old-style Word file (.doc)",
    ".xls": "an Excel file",
    ".xlsx": "an Excel file",
    ".pptx": "a PowerPoint file",
    ".odt": "an OpenDocument file",
    ".rtf": "an RTF document",
    ".png": "an image",
    ".jpg": "an image",
    ".jpeg": "an image",
    ".mp3": "an audio file",
    ".m4a": "an audio file",
    ".wav": "an audio file",
    ".mp4": "a video file",
}
_CONVERT = {
    "a PDF file": "copy the text into a .txt or .docx file",
    "an RTF document": "save it as .docx",
    "an old-style Office file (.doc/.xls)": "save it as .docx",
    "an old-style Word file (.doc)": "save it as .docx",
    "an OpenDocument file": "save it as .docx (a desk-review document in .odt is read with --document)",
    "an audio file": "transcribe it first and import the transcript",
    "an audio or video file": "transcribe it first and import the transcript",
    "a video file": "transcribe it first and import the transcript",
}
_SRT_TIMING = re.compile(r"\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->")


def unsupported(what: str, name: str) -> InputError:
    """The error for a file that is not a transcript format qualcode reads."""
    todo = _CONVERT.get(what, "export the transcript in one of these formats")
    return InputError(
        f"this is {what}, not a transcript qualcode can read", path=name, hint=f"{SUPPORTED_HINT}; {todo}"
    )


def extension(name: str) -> str:
    return PurePath(name).suffix.lower()


def sniff_binary(data: bytes, name: str) -> str | None:
    """Return "docx" for a Word document, None for (probably) text; raise for other binary files."""
    if is_zip(data):
        return _sniff_zip(data, name)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return _raise(unsupported(what, name))
    if data[4:8] == b"ftyp":
        return _raise(unsupported("an audio or video file", name))
    return None


def _sniff_zip(data: bytes, name: str) -> str:
    word = extension(name) in (".docx", ".docm", ".dotx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            # only the head: the entry may be a zip bomb, and the whole archive is checked before it is read
            mimetype = archive.open("mimetype").read(80).decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError):
        what = "Word document" if word else "zip archive (perhaps a Word document)"
        raise InputError(
            f"this {what} is damaged or incomplete",
            path=name,
            hint="copy the file again, or open it in Word and save it again as .docx",
        ) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise unsupported("an Excel file", name)
    if "ppt/presentation.xml" in names:
        raise unsupported("a PowerPoint file", name)
    if "opendocument" in mimetype:
        raise unsupported("an OpenDocument file", name)
    if word or "[Content_Types].xml" in names:
        raise InputError(
            "this file is a zip archive but not a Word document (it has no word/document.xml)",
            path=name,
            hint="open it in Word and save it again as .docx",
        )
    raise InputError(
        "this is a zip archive, not a transcript",
        path=name,
        hint=f"unzip it and import the transcripts inside; {SUPPORTED_HINT}",
    )


def _raise(err: InputError) -> str:
    raise err


def detect_text_format(text: str) -> str:
    """Which reader a decoded text needs: "vtt", "srt", "service" or "text"."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines[:200]) if line.strip()]
    if not content:
        return "text"
    first = lines[content[0]].strip()
    if first.startswith("WEBVTT"):
        return "vtt"
    if len(content) > 1:
        second = lines[content[1]]
        if first.isdigit() and "-->" in second and content[1] == content[0] + 1:
            return "srt" if "," in second.split("-->")[0] else "vtt"
    if "-->" in first and _SRT_TIMING.match(first):
        return "srt" if "," in first.split("-->")[0] else "vtt"
    if looks_like_service(lines):
        return "service"
    return "text"


def unsupported_by_extension(name: str) -> InputError | None:
    """For binary content we could not recognise, an error that names the format the extension claims."""
    what = _EXTENSIONS.get(extension(name))
    return unsupported(what, name) if what else None
