"""One hardened XML parser for every XML qualcode reads (.qde, .qdc, Word parts).

No document type declarations (so no entities of the file's own, no external entities, no DTD loading), no
network, no XInclude; libxml2's own bounds on depth and node size stay on (no ``huge_tree``); and no unexpanded
entity reference is ever left in the tree, where it would silently cut an element's text short.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.safeio.archive import check_no_doctype
from qualcode.safeio.limits import human_size, limits, too_many_tags

if TYPE_CHECKING:
    from lxml import etree


def parser(**options: Any) -> etree.XMLParser:
    """An lxml parser with every resolving feature off; ``options`` may only add harmless ones."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, collect_ids=False, **options)


def parse_xml(data: bytes, name: str, *, hint: str = "export it again from the program that made it",
              remove_blank_text: bool = True) -> etree._Element:
    """Parse XML bytes into an element tree, or raise a one-line InputError naming ``name``."""
    from lxml import etree

    bound = limits().max_member
    if len(data) > bound:
        raise InputError(f"is {human_size(len(data))} of XML; qualcode reads at most {human_size(bound)}", path=name,
                         hint=hint)
    check_no_doctype(data[:65536], name)
    max_tags = limits().max_xml_tags
    if data.count(b"<") > max_tags:
        raise too_many_tags(name, max_tags)
    try:
        root = etree.fromstring(data, parser(remove_blank_text=remove_blank_text))
    except etree.XMLSyntaxError as err:
        msg = " ".join(str(err.msg).split())  # libxml2 messages can span lines; ours are one line
        if "Excessive depth" in msg or "Resource limit" in msg or "huge" in msg.lower():
            raise InputError(f"is beyond qualcode's XML limits ({msg.split(',')[0]}; at most "
                             f"{limits().max_xml_depth} levels of elements and 10 MB of text in one element)",
                             path=name, line=err.lineno, hint=hint) from None
        raise InputError(f"is not valid XML ({msg})", path=name, line=err.lineno, hint=hint) from None
    check_tree(root, name)
    return root


def check_tree(root: Any, name: str) -> None:
    """Refuse a parsed tree that declares a document type or keeps an entity reference (libxml2 has already
    refused nesting deeper than 256 levels and text nodes over 10 MB)."""
    from lxml import etree

    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError("declares a document type (DTD), which qualcode does not read", path=name,
                         hint="save or export the file again from the program that made it")
    for _entity in root.iter(etree.Entity):
        raise InputError(f"uses an entity reference ({_entity}) that is not one of XML's own", path=name,
                         hint="replace it by the character it stands for")


def clean_tree(root: Any, removed: Counter[str]) -> None:
    """Remove control and non-characters from every text, tail and attribute value of a parsed tree, in place
    (XML 1.0 lets C1 controls and some non-characters through), counting them in ``removed``."""
    from qualcode.safeio.cleaning import clean, is_clean

    for el in root.iter():
        if el.text and not is_clean(el.text):
            el.text = clean(el.text, removed)
        if el.tail and not is_clean(el.tail):
            el.tail = clean(el.tail, removed)
        for key, value in el.attrib.items():
            if not is_clean(value):
                el.set(key, clean(value, removed))


_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml\b[^>]{0,200}\?>")


def parse_html(text: str, name: str) -> Any:
    """Parse an HTML page into an lxml.html tree, or raise a one-line InputError.

    libxml2 stops reading HTML nested more than 256 levels deep and keeps only what came before, without an error;
    qualcode refuses such a page instead of importing a document cut short. No DTD, no network.
    """
    import lxml.html

    max_tags = limits().max_xml_tags
    if text.count("<") > max_tags:
        raise too_many_tags(name, max_tags)
    html_parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, collect_ids=False)
    # an XHTML page (a filing's inline XBRL, a CMS or e-book export) opens with an XML declaration naming its
    # encoding, which lxml refuses in text already decoded: the declaration says nothing the text does not
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text, parser=html_parser)
    except Exception:
        raise InputError("this HTML file cannot be read", path=name, hint="save the page again as HTML") from None
    for entry in html_parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            raise InputError(f"nests HTML elements more than {limits().max_xml_depth} levels deep; the text past "
                             "that point cannot be read, so the page was not imported", path=name,
                             hint="save the page again from a browser, or print it to PDF and import that")
    return root
