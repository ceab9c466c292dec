"""The characters the contract's strings can hold: ``xs:string`` is XML 1.0's characters (its
``Char`` production: tab, line feed, carriage return and everything from U+0020 on but the
surrogates, U+FFFE and U+FFFF). Every channel refuses other text before it is stored, and
every answer carries what was stored, so the rule is the domain's; ``gateway.xml.characters``
keeps answers well-formed whatever the database holds."""

from __future__ import annotations

import re

# Every character XML 1.0 cannot carry.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def is_xml_text(text: str) -> bool:
    """Whether ``text`` is made of characters XML 1.0 can carry.

    >>> is_xml_text("Wetstraat 16"), is_xml_text("Wetstraat\\x0116")
    (True, False)
    """
    return NOT_XML.search(text) is None
