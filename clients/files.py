"""Reading a batch of registrations from a CSV or XML file, checked against the contract XSD
before anything is sent, with errors that name the file, line and column.

CSV: a header row, then one registration per row. Columns (names as in the XSD; empty cells
are absent values): INSS, CompanyID, LimosaId, WorkPlaceId, RegistrationType,
RegistrationDateTime, Latitude, Longitude, AccuracyMeters, Street, HouseNumber, PostalCode,
Municipality, CountryCode, RegistrationMeans, DeviceId, EmergencyProcedure,
ClientPresenceRegistrationReference.

XML: a ``RegisterPresencesRequest`` element of namespace
``urn:ciao:presenceregistration:schemas:v1``, as in the SOAP body, with any number of
``PresenceRegistrationRequest`` children (they are sent 200 at a time).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

# The contract's XSDs are installed with the gateway package, as files lxml reads.
SCHEMAS = Path(str(resources.files("gateway.contract"))) / "schemas"
NS = "urn:ciao:presenceregistration:schemas:v1"
_P = "{" + NS + "}"

IDENTITY = (
    "INSS",
    "CompanyID",
    "LimosaId",
    "WorkPlaceId",
    "RegistrationType",
    "RegistrationDateTime",
)
COORDINATES = ("Latitude", "Longitude", "AccuracyMeters")
ADDRESS = ("Street", "HouseNumber", "PostalCode", "Municipality", "CountryCode")
TRAILER = (
    "RegistrationMeans",
    "DeviceId",
    "EmergencyProcedure",
    "ClientPresenceRegistrationReference",
)
COLUMNS = IDENTITY + COORDINATES + ADDRESS + TRAILER


class BatchFileError(Exception):
    """What is wrong with a batch file, naming the file, line and column."""


@dataclass(frozen=True)
class Registration:
    """One registration read from a file: its line there and the values zeep sends."""

    line: int
    values: dict[str, Any]


_schema: etree.XMLSchema | None = None


def _contract() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        source = etree.parse(str(SCHEMAS / "PresenceRegistrationProtocol_v1.xsd"), parser)
        _schema = etree.XMLSchema(source)
    return _schema


def _element_values(element: etree._Element) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in element:
        name = child.tag[len(_P) :]
        if name == "Location":
            kind = child[0]
            fields = {leaf.tag[len(_P) :]: (leaf.text or "").strip() for leaf in kind}
            if kind.tag == _P + "Coordinates":
                values[name] = {"Coordinates": {k: Decimal(v) for k, v in fields.items()}}
            else:
                values[name] = {"Address": fields}
        elif name == "RegistrationDateTime":
            values[name] = datetime.fromisoformat((child.text or "").strip())
        elif name == "EmergencyProcedure":
            values[name] = (child.text or "").strip() in ("true", "1")
        else:
            values[name] = child.text or ""
    return values


def _row_element(row: dict[str, str]) -> etree._Element:
    element = etree.Element(_P + "PresenceRegistrationRequest", nsmap={None: NS})

    def leaf(parent: etree._Element, name: str) -> None:
        value = (row.get(name) or "").strip()
        if value:
            etree.SubElement(parent, _P + name).text = value

    for name in IDENTITY:
        leaf(element, name)
    for group, names in (("Coordinates", COORDINATES), ("Address", ADDRESS)):
        if any((row.get(name) or "").strip() for name in names):
            location = etree.SubElement(element, _P + "Location")
            kind = etree.SubElement(location, _P + group)
            for name in names:
                leaf(kind, name)
            break
    for name in TRAILER:
        leaf(element, name)
    return element


def _first_error(element: etree._Element) -> tuple[int, str] | None:
    """The first way ``element`` breaks the contract (line, reason), or None."""
    request = etree.Element(_P + "RegisterPresencesRequest", nsmap={None: NS})
    request.append(element)
    schema = _contract()
    if schema.validate(request):
        return None
    first = schema.error_log[0]
    return first.line, str(first.message).replace(_P, "")


def read_csv(path: Path) -> list[Registration]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
            if unknown:
                raise BatchFileError(
                    f"{path}: line 1: unknown column(s) {', '.join(unknown)}; "
                    f"known columns: {', '.join(COLUMNS)}"
                )
            registrations = []
            for row in reader:
                line = reader.line_num
                element = _row_element(row)
                error = _first_error(element)
                if error is not None:
                    reason = error[1]
                    raise BatchFileError(
                        f"{path}: line {line}: {_name_column(row, reason)}{reason}"
                    )
                registrations.append(Registration(line, _element_values(element)))
    except UnicodeDecodeError as error:
        raise BatchFileError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise BatchFileError(f"{path}: not readable as CSV ({error})") from None
    if not registrations:
        raise BatchFileError(f"{path}: no registrations (a header row, then one row each)")
    return registrations


def _name_column(row: dict[str, str], message: str) -> str:
    for position, name in enumerate(row, start=1):
        if f"Element '{name}'" in message:
            return f"column {position} ({name}): "
    return ""


def read_xml(path: Path) -> list[Registration]:
    # Comments and processing instructions, which an export may hold between registrations
    # or inside one, are not registrations' content: the parser leaves them out.
    parser = etree.XMLParser(
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        raise BatchFileError(
            f"{path}: line {error.lineno}: not well-formed XML: {error.msg}"
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise BatchFileError(
            f"{path}: a DOCTYPE (DTD) is not allowed: the gateway refuses it; remove it and "
            "write the values themselves instead of entities"
        )
    root = tree.getroot()
    if root.tag != _P + "RegisterPresencesRequest":
        raise BatchFileError(
            f"{path}: line {root.sourceline}: the root element must be "
            f"RegisterPresencesRequest in namespace {NS}"
        )
    registrations = []
    for child in list(root):
        line = child.sourceline or 0
        problem = _first_error(child)
        if problem is not None:
            raise BatchFileError(f"{path}: line {problem[0] or line}: {problem[1]}")
        registrations.append(Registration(line, _element_values(child)))
    if not registrations:
        raise BatchFileError(f"{path}: no PresenceRegistrationRequest elements")
    return registrations


def read_batch(path: Path) -> list[Registration]:
    """The registrations of ``path`` (``.csv`` or ``.xml``), or ``BatchFileError``."""
    if not path.is_file():
        raise BatchFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xml":
        return read_xml(path)
    raise BatchFileError(f"{path}: unknown file type {suffix or '(none)'}; use .csv or .xml")
