"""Writing a large ``.qdpx`` piece by piece: ``project.qde`` and ``qualcode.json`` are written a source at a time
to temporary files and copied into the archive at the end, so an export holds one transcript's elements in memory,
not the whole project's (100,000 codings made a tree of about 1 GB).

Each piece is serialised exactly as the whole document would be (same indentation, same namespace declaration),
so the file is the same byte for byte as one built in one piece.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

_MARK = "\x00qualcode:pieces\x00"
# zipfile must know in advance that a member may outgrow the classic ZIP limits
_ZIP64_FROM = (1 << 31) - 1


def _pretty(root: etree._Element, *, declaration: bool = False) -> bytes:
    from lxml import etree

    # UTF-8 without a byte-order mark, LF line ends: what every importer reads correctly
    return etree.tostring(root, xml_declaration=declaration, encoding="utf-8", pretty_print=True)


def element_at(el: etree._Element, wrapper: list[etree._Element]) -> bytes:
    """``el`` serialised as it reads inside the whole document, at the depth of the innermost of ``wrapper`` (a
    chain of empty elements standing for its ancestors, outermost first): indented for that depth, followed by a
    line end, without a namespace declaration of its own."""
    for outer, inner in zip(wrapper, wrapper[1:], strict=False):
        if inner.getparent() is not outer:
            outer.append(inner)
    parent = wrapper[-1]
    parent.append(el)
    try:
        data = _pretty(wrapper[0])
    finally:
        parent.remove(el)
    tag = f"<{_name(parent)}>\n".encode()
    start = data.index(tag) + len(tag)
    end = data.rindex(f"</{_name(parent)}>".encode())
    return data[start:end - 2 * (len(wrapper) - 1)]


def _name(el: etree._Element) -> str:
    return str(el.tag).rsplit("}", 1)[-1]


def document_parts(root: etree._Element) -> tuple[bytes, bytes]:
    """The text of ``root`` (which has children) up to its last child's end, and its closing tag: what comes
    before and after further children written separately."""
    data = _pretty(root, declaration=True)
    closing = f"</{_name(root)}>\n".encode()
    assert data.endswith(closing), "a root with children"
    return data[:-len(closing)], closing


def children_of(root: etree._Element) -> bytes:
    """The serialised children of ``root`` as they read inside it in the whole document (nothing if it has none)."""
    if len(root) == 0:
        return b""
    from lxml import etree

    data = _pretty(root)
    # the start tag is the empty element's text without its '/>' and line end
    bare = etree.Element(root.tag, root.attrib, nsmap=root.nsmap)
    start = len(_pretty(bare)) - len(b"/>\n") + len(b">\n")
    return data[start:-len(f"</{_name(root)}>\n")]


class JsonPieces:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` of a dict one of whose keys holds a dict too large to
    build in memory: that key's entries are added one at a time (to a temporary file) and the rest is written
    around them."""

    def __init__(self, value: dict[str, Any], key: str, spool: IO[bytes]) -> None:
        head = json.dumps({**value, key: _MARK}, ensure_ascii=False, indent=1)
        marked = json.dumps(_MARK, ensure_ascii=False)
        before, after = head.split(marked)
        self._before, self._after = before.encode("utf-8"), after.encode("utf-8")
        self._spool = spool
        self._depth = 2  # the entries of a top-level key's dict
        self.count = 0

    def add(self, key: str, entry: Any) -> None:
        pad = " " * self._depth
        # JSON strings hold no raw line break, so indenting every line indents the whole entry
        text = json.dumps(entry, ensure_ascii=False, indent=1).replace("\n", "\n" + pad)
        self._spool.write(f"{',' if self.count else ''}\n{pad}{json.dumps(key, ensure_ascii=False)}: {text}"
                          .encode())
        self.count += 1

    def write_to(self, out: IO[bytes]) -> None:
        out.write(self._before)
        if self.count:
            out.write(b"{")
            copy(self._spool, out)
            out.write(b"\n" + b" " * (self._depth - 1) + b"}")
        else:
            out.write(b"{}")
        out.write(self._after)


def copy(spool: IO[bytes], out: IO[bytes]) -> None:
    """The whole of ``spool`` (a temporary file written so far) copied to ``out``."""
    spool.flush()
    spool.seek(0)
    shutil.copyfileobj(spool, out, 1 << 20)


def open_member(z: zipfile.ZipFile, name: str, size: int) -> IO[bytes]:
    """A member of ``z`` to write ``size`` bytes (about) into, streamed."""
    info = zipfile.ZipInfo(name, date_time=_now())
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return z.open(info, "w", force_zip64=size >= _ZIP64_FROM)


def _now() -> tuple[int, int, int, int, int, int]:
    import time

    return time.localtime(time.time())[:6]
