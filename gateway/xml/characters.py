"""The characters XML 1.0 can carry, for what comes in and for what goes out.

The contract's strings are ``xs:string``: XML 1.0's characters (its ``Char`` production: tab,
line feed, carriage return and everything from U+0020 on but the surrogates, U+FFFE and
U+FFFF). A request holding any other cannot even be parsed, so SOAP refuses it before the
XSD; every other channel (the pages through ``gateway.xml.conformance``, the command lines)
refuses it with ``gateway.domain.characters.is_xml_text``.

Answers are written as text, so what reaches them from the database is checked once more, on
the assembled answer, by ``well_formed``: data stored before those channels refused such
characters, or put in the database by hand, must not make another party's answer ill-formed.
An answer built with lxml (Checkin@Work's) puts each stored value through ``carried``.
"""

from __future__ import annotations

import re

from gateway.domain.characters import NOT_XML

REPLACEMENT = "\ufffd"
# Every character XML 1.0 cannot carry (NOT_XML) and the carriage return, which a parser
# reads back as a line feed unless it is written as a character reference.
_NOT_AS_IS = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What of those text from the database can hold (SQLite and PostgreSQL give valid UTF-8,
# never a lone surrogate), each looked for on its own: a search for one character runs at
# memory speed, some ten times faster than one search for all of them with a regular
# expression (docs/performance.md).
_NOT_AS_IS_FOUND = (*(chr(c) for c in range(0x20) if c not in (0x09, 0x0A)), "\ufffe", "\uffff")


def carried(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD, for a value
    from the database that lxml puts in an element (lxml refuses such a character outright,
    and writes a carriage return as ``&#13;`` itself).

    >>> carried("ref\x01"), carried("ref-1")
    ('ref\ufffd', 'ref-1')
    """
    return NOT_XML.sub(REPLACEMENT, text)


def _written(found: re.Match[str]) -> str:
    return "&#13;" if found.group() == "\r" else REPLACEMENT


def well_formed(text: str) -> str:
    """``text``, XML written by the gateway, with every character XML 1.0 cannot carry
    replaced by U+FFFD (the Unicode replacement character) and every carriage return written
    ``&#13;``, which a parser reads as the carriage return that was sent. Anything else is
    the same text, so an answer whose data hold neither is the same byte for byte.

    >>> well_formed("<Street>Wet\\x01straat</Street>"), well_formed("<a>b\\rc</a>")
    ('<Street>Wet\\ufffdstraat</Street>', '<a>b&#13;c</a>')
    """
    for character in _NOT_AS_IS_FOUND:
        if character in text:
            return _NOT_AS_IS.sub(_written, text)
    return text
