"""The published contract on disk: where the WSDL and XSDs are, validation against them, and
the reading of the contract's own simple types that every codec shares.

``schemas/`` and ``wsdl/`` of the ``gateway.contract`` package are authoritative; the service
validates every request body against them (never against a looser model) and serves them as
they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

# Where the documents are, for the codecs and the SOAP edge that read them through here.
from gateway.contract import SCHEMA_DIR as SCHEMA_DIR
from gateway.contract import WSDL_DIR as WSDL_DIR

NS_TYPES = "urn:ciao:presenceregistration:schemas:v1"
NS_SERVICE = "urn:ciao:presenceregistration:v1"
NS_ERRORS = "urn:ciao:errors:v1"
# Checkin@Work, the RSZ's PresenceRegistration v1.11: its elements, its types, its faults.
NS_V1 = "http://socialsecurity.be/presenceregistration/v1"
NS_V1_TYPES = "http://socialsecurity.be/presenceregistration/schemas/v1"
NS_SOCSEC_ERRORS = "http://socialsecurity.be/errors/v1"
NS_SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
NS_WSDL = "http://schemas.xmlsoap.org/wsdl/"
NS_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
NS_XSD = "http://www.w3.org/2001/XMLSchema"


class ContentRefused(Exception):
    """A schema-valid request with a value the gateway cannot take as it is, found by a codec
    before any service runs; the message names the element and its line."""


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One reason a document breaks the contract: where (line, readable path) and why."""

    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.path}: {self.reason}"


def read_date(text: str | None) -> date:
    """A validated ``CalendarDateType`` as its day: its year (four digits), month and day; a
    time-zone suffix does not change a calendar day.

    >>> read_date(" 2026-11-01+05:00 "), read_date("2026-11-01Z")
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))
    """
    return date.fromisoformat((text or "").strip()[:10])


def load_schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def readable_path(element: etree._Element) -> str:
    """``/RegisterPresencesRequest/PresenceRegistrationRequest[3]/INSS`` for ``element``."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def _reason(message: str) -> str:
    # libxml2 names elements as '{namespace}Name'; the path already says where.
    for namespace in (NS_TYPES, NS_ERRORS, NS_V1, NS_V1_TYPES):
        message = message.replace("{" + namespace + "}", "")
    return message


class ContractValidator:
    """Validates a message element against one XSD and reports every error."""

    def __init__(self, schema_path: Path) -> None:
        self._schema = load_schema(schema_path)

    def errors(self, element: etree._Element) -> list[SchemaError]:
        try:
            self._schema.assertValid(element)
        except etree.DocumentInvalid as invalid:
            return self._describe(element, invalid.error_log)
        return []

    @staticmethod
    def _describe(element: etree._Element, log: etree._ListErrorLog) -> list[SchemaError]:
        described = []
        for entry in log:
            found = _locate(element, entry.path)
            path = str(entry.path) if found is None else readable_path(found)
            reason = _reason(entry.message)
            if found is not None and reason.endswith(_UNEXPECTED):
                reason += _limit(found)
            described.append(SchemaError(entry.line, path, reason))
        return described


_UNEXPECTED = "This element is not expected."


def _limit(element: etree._Element) -> str:
    """Why an element right after others of its name is not expected: their number is the
    most its parent may hold (libxml2 reports the first one too many, not the limit)."""
    count = 0
    sibling = element.getprevious()
    while sibling is not None and sibling.tag == element.tag:
        count += 1
        sibling = sibling.getprevious()
    if count == 0:
        return ""
    name = etree.QName(element).localname
    if count == 1:
        return f" At most 1 {name} element is allowed here."
    return f" At most {count} {name} elements are allowed here."


def _locate(element: etree._Element, libxml_path: str | None) -> etree._Element | None:
    """The element that libxml2's path (``/*/*[2]/*[4]`` or ``/ns0:Request/ns0:Item[2]``,
    rooted at the validated element) names."""
    steps = (libxml_path or "").split("/", 2)
    if len(steps) < 2 or steps[0]:
        return element
    found = [element]
    if len(steps) == 3 and steps[2]:
        prefixes = {prefix: uri for prefix, uri in element.nsmap.items() if prefix}
        try:
            found = element.xpath(steps[2], namespaces=prefixes)
        except etree.XPathError:
            found = []
    return found[0] if found else None


def wsdl_operations(wsdl_path: Path) -> dict[str, str]:
    """Map the Clark name of each operation's input element to the operation's name."""
    wsdl = etree.parse(str(wsdl_path), etree.XMLParser(no_network=True, resolve_entities=False))
    ns = {"wsdl": NS_WSDL}
    parts = {}
    for message in wsdl.iterfind("wsdl:message", ns):
        part = message.find("wsdl:part", ns)
        if part is not None:
            prefix, _, local = part.get("element", "").rpartition(":")
            parts[message.get("name")] = f"{{{part.nsmap[prefix or None]}}}{local}"
    operations = {}
    for operation in wsdl.iterfind("wsdl:portType/wsdl:operation", ns):
        message_name = operation.find("wsdl:input", ns).get("message").rpartition(":")[2]
        operations[parts[message_name]] = operation.get("name")
    return operations
