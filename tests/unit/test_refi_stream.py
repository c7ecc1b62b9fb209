"""A .qdpx is written a source at a time; the pieces put together read exactly as the document built whole."""

from __future__ import annotations

import io
import json
import tempfile

from lxml import etree
from lxml.builder import ElementMaker

from qualcode.refi import stream

NS = "urn:QDA-XML:project:1.0"


def test_project_qde_written_in_pieces_is_the_document_built_whole() -> None:
    e = ElementMaker(namespace=NS, nsmap={None: NS})
    attrs = {"name": "Factory <study> & \"more\"", "origin": "qualcode"}

    def source(n: int) -> etree._Element:
        return e.TextSource(e.Description(f"memo {n}\n\nsecond paragraph with <markup> & emoji 👍"),
                            e.PlainTextSelection(e.Coding(e.CodeRef(targetGUID="C")), guid=f"S{n}",
                                                 startPosition="0", endPosition="5"),
                            guid=f"G{n}", name=f"KII-0{n}")

    whole = e.Project(e.Users(e.User(guid="U", name="clara")), e.Sources(*[source(n) for n in range(3)]),
                      e.Notes(e.Note(e.PlainTextContent("note"), guid="N")), e.Description("project memo"), **attrs)
    expected = etree.tostring(whole, xml_declaration=True, encoding="utf-8", pretty_print=True)

    head, closing = stream.document_parts(e.Project(e.Users(e.User(guid="U", name="clara")), **attrs))
    wrapper = [e.Project(), e.Sources()]
    sources = b"".join(stream.element_at(source(n), wrapper) for n in range(3))
    tail = stream.children_of(e.Project(e.Notes(e.Note(e.PlainTextContent("note"), guid="N")),
                                        e.Description("project memo"), **attrs))
    assert head + b"  <Sources>\n" + sources + b"  </Sources>\n" + tail + closing == expected
    assert stream.children_of(e.Project(**attrs)) == b""


def test_qualcode_json_written_in_pieces_is_the_json_built_whole() -> None:
    entries = {f"G{n}": {"id": f"KII-0{n}", "labels": [[0, "Ms Thu: "]], "units": [[0, 4, "Ms Thu", 0, None, 1.5]],
                         "title": "Khóa học 👍", "attributes": {}} for n in range(3)}
    value = {"format": "qualcode-refi", "version": 1, "codebook_yaml": "a: 1\nb: [2]\n", "transcripts": entries,
             "positions": "utf16"}
    for chosen in (entries, {}):
        with tempfile.TemporaryFile() as spool:
            pieces = stream.JsonPieces({**value, "transcripts": {}}, "transcripts", spool)
            for key, entry in chosen.items():
                pieces.add(key, entry)
            out = io.BytesIO()
            pieces.write_to(out)
        assert out.getvalue().decode("utf-8") == json.dumps({**value, "transcripts": chosen}, ensure_ascii=False,
                                                            indent=1)
