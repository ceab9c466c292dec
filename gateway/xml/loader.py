"""The single place where untrusted XML is parsed.

No DTD (a document that declares one is refused outright), no entity expansion, no network,
no huge-tree mode, and a nesting limit. libxml2 itself refuses depths over 256; the limit here
is far lower than anything a CIaO message needs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lxml import etree


@dataclass(frozen=True)
class XmlRefused(Exception):
    """The document is not acceptable XML. ``reason`` says why, ``line`` where (if known)."""

    reason: str
    line: int | None = None
    forbidden: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def _too_deep_xpath(max_depth: int) -> etree.XPath:
    return etree.XPath("boolean(" + "/*" * (max_depth + 1) + ")")


_depth_checks: dict[int, etree.XPath] = {}


def parse(data: bytes, max_depth: int) -> etree._Element:
    """Parse ``data`` into its root element, or raise ``XmlRefused``."""
    if not data.strip():
        raise XmlRefused("the request body is empty")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        forbidden = "entity" in error.msg.lower() or "depth" in error.msg.lower()
        raise XmlRefused(error.msg, error.lineno, forbidden) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlRefused("a DOCTYPE (DTD) is not allowed in a request", 1, forbidden=True)
    check = _depth_checks.get(max_depth)
    if check is None:
        check = _depth_checks[max_depth] = _too_deep_xpath(max_depth)
    if check(root):
        raise XmlRefused(f"elements are nested more than {max_depth} deep", None, forbidden=True)
    return root
