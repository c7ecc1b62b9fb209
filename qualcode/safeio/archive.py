"""ZIP archives (.docx, .xlsx, .qdpx) read without trusting them.

Entries are found by their normalised name only and read into memory, never extracted: a name that is absolute,
climbs out with ``..``, or is a symbolic link is never read. Sizes are checked against the declared sizes first and
again while decompressing (a declared size may lie), as are the number of entries and the compression ratio, so a
zip bomb is refused after a bounded amount of work and memory.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from qualcode.errors import InputError
from qualcode.safeio.limits import Limits, human_size, limits, too_many_tags

_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[^/]:")
#: entries whose XML is parsed by qualcode or by python-docx/openpyxl
XML_SUFFIXES = (".xml", ".rels", ".qde", ".qdc", ".vml")


def normalise(name: str) -> str | None:
    """An entry name as a clean relative path ('a/b.txt'), or None when it is absolute or climbs out of the archive."""
    n = name.replace("\\", "/")
    if not n or "\x00" in n or n.startswith("/") or _DRIVE.match(n):
        return None
    parts = [p for p in n.split("/") if p not in ("", ".")]
    # a drive or stream prefix once "./" is dropped ("./C:x", "::"): a path Windows reads as outside the folder
    if not parts or ".." in parts or _DRIVE.match(parts[0]):
        return None
    return "/".join(parts)


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


class Archive:
    """A ZIP file opened for reading with limits. ``name`` is how messages name it; ``what`` what it is to users
    ("Word document", "REFI-QDA project"); ``hint`` what to do when it is refused; ``unreadable`` the message when
    it is no ZIP file at all."""

    def __init__(self, source: str | Path | bytes, name: str, *, what: str = "archive",
                 hint: str = "save or export the file again", bounds: Limits | None = None,
                 unreadable: str | None = None) -> None:
        self.name = name
        self.what = what
        self.hint = hint
        self.limits = bounds or limits()
        self.read_total = 0
        self.skipped: list[str] = []  # entries never read: unsafe names and symbolic links
        fh: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
        try:
            self.zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
            fh.close()
            raise self.refuse(unreadable or f"is not a {what} (not a ZIP archive, or a damaged one)") from None
        self._fh = fh
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_members:
            self.close()
            raise self.refuse(f"holds {len(infos):,} entries; qualcode reads archives of at most "
                              f"{self.limits.max_members:,}")
        self._by_key: dict[str, zipfile.ZipInfo] = {}
        self._names: dict[str, str] = {}
        for info in infos:
            if info.is_dir():
                continue
            norm = normalise(info.filename)
            if norm is None or _is_link(info):
                self.skipped.append(info.filename)
                continue
            key = norm.lower()
            if key in self._by_key:
                self.close()
                # zip readers disagree on which of two same-named entries counts: one could be shown, another read
                raise self.refuse(f"holds two entries named '{norm}'")
            self._by_key[key] = info
            self._names[key] = norm

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self.zip.close()
        self._fh.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ errors

    def refuse(self, message: str) -> InputError:
        """A one-line error naming the archive."""
        return InputError(message, path=self.name, hint=self.hint)

    # ------------------------------------------------------------------ entries

    def names(self) -> list[str]:
        """The normalised names of the entries that may be read, in archive order."""
        return list(self._names.values())

    def find(self, name: str) -> str | None:
        """The entry called ``name`` (compared normalised and without case), or None; an unsafe name finds nothing."""
        norm = normalise(name)
        if norm is None:
            return None
        key = norm.lower()
        return self._names.get(key)

    def size(self, name: str) -> int:
        """The declared uncompressed size of an entry."""
        return self._by_key[name.lower()].file_size

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """The decompressed bytes of entry ``name`` (as :meth:`find` gives it), checked while decompressing."""
        info = self._by_key.get(name.lower())
        if info is None:
            raise self.refuse(f"has no entry '{name}'")
        return b"".join(self._stream(info, limit))

    def head(self, name: str, size: int) -> bytes:
        """At most the first ``size`` decompressed bytes of entry ``name`` (for sniffing), or b"" when absent."""
        info = self._by_key.get(name.lower())
        if info is None or info.flag_bits & 0x1:
            return b""
        try:
            with self.zip.open(info) as fh:
                return fh.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError) as err:
            raise self.refuse(f"is damaged: entry '{info.filename}' cannot be unpacked ({err})") from None

    def check_all(self) -> None:
        """Decompress every entry once, without keeping it, to refuse bombs before another library loads the whole
        archive into memory; XML entries must not declare a document type (the way to smuggle entities in) nor hold
        more tags than the bound (a parsed element costs a hundred bytes or more, whatever its size in the file)."""
        max_tags = self.limits.max_xml_tags
        for info in self._by_key.values():
            xml = info.filename.lower().endswith(XML_SUFFIXES)
            first = True
            tags = 0
            for chunk in self._stream(info, None):
                if xml:
                    if first:
                        check_no_doctype(chunk, f"{self.name}:{info.filename}")
                    tags += chunk.count(b"<")
                    if tags > max_tags:
                        raise too_many_tags(f"{self.name}:{info.filename}", max_tags)
                first = False

    def _stream(self, info: zipfile.ZipInfo, limit: int | None) -> Iterator[bytes]:
        lim = self.limits
        cap = min(limit or lim.max_member, lim.max_member)
        if info.flag_bits & 0x1:
            raise self.refuse(f"entry '{info.filename}' is encrypted; qualcode cannot read it")
        if info.file_size > cap:
            raise self.refuse(f"entry '{info.filename}' would unpack to {human_size(info.file_size)}; qualcode "
                              f"reads at most {human_size(cap)} per entry")
        if self.read_total + info.file_size > lim.max_archive_total:
            raise self._too_much()
        out = 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    out += len(chunk)
                    self.read_total += len(chunk)
                    if out > cap:
                        raise self.refuse(f"entry '{info.filename}' unpacks to more than {human_size(cap)}; qualcode "
                                          "reads at most that per entry")
                    if self.read_total > lim.max_archive_total:
                        raise self._too_much()
                    if out > lim.ratio_floor and out > lim.max_ratio * max(info.compress_size, 1):
                        raise self.refuse(f"entry '{info.filename}' is compressed more than {lim.max_ratio} to 1, "
                                          "as zip bombs are; it was not unpacked")
                    yield chunk
        except InputError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError) as err:
            raise self.refuse(f"is damaged: entry '{info.filename}' cannot be unpacked ({err})") from None

    def _too_much(self) -> InputError:
        return self.refuse(f"unpacks to more than {human_size(self.limits.max_archive_total)} in all; qualcode "
                           "stops there")


_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)


def check_no_doctype(head: bytes, name: str) -> None:
    """Refuse XML whose prolog (what comes before the first element, in ``head``) declares a document type.

    Word, Excel and REFI-QDA tools never write one; a DTD is how entity bombs and external entities get in, and an
    entity a reader leaves unexpanded would silently cut the text short.
    """
    text = _decode_head(head[:65536])
    m = _PROLOG.match(text)
    rest = text[m.end():] if m else text
    if rest[:9].upper() == "<!DOCTYPE":
        raise InputError("declares a document type (DTD), which qualcode does not read", path=name,
                         hint="save or export the file again from the program that made it")


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if len(head) > 3 and head[0] == 0 and head[1] != 0:
        return head.decode("utf-16-be", "replace")
    if len(head) > 3 and head[1] == 0 and head[0] != 0:
        return head.decode("utf-16-le", "replace")
    return head.decode("latin-1").lstrip("\ufeff").removeprefix("\xef\xbb\xbf")
