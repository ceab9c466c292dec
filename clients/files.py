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
from functools import cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

# The contract's XSDs, installed with the gateway package (its one data package).
from gateway.contract import SCHEMA_DIR

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


PROTOCOL = SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd"


@cache
def _contract() -> etree.XMLSchema:
    """The contract for reading a batch: lxml's validator, fast, reports the first error."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(PROTOCOL), parser))


@cache
def _readable_contract() -> xmlschema.XMLSchema:
    """The contract for ``ciao-client validate``: xmlschema, slower, names every error by its
    path and reason."""
    return xmlschema.XMLSchema(str(PROTOCOL))


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


def _request(element: etree._Element) -> etree._Element:
    """``element`` as the one registration of a request, as the gateway validates it."""
    request = etree.Element(_P + "RegisterPresencesRequest", nsmap={None: NS})
    request.append(element)
    return request


def _first_error(element: etree._Element) -> tuple[int, str] | None:
    """The first way ``element`` breaks the contract (line, reason), or None."""
    schema = _contract()
    if schema.validate(_request(element)):
        return None
    first = schema.error_log[0]
    return first.line, str(first.message).replace(_P, "")


@dataclass(frozen=True)
class _Entry:
    """One registration of a file as the contract's element, with where it came from."""

    line: int
    element: etree._Element
    row: dict[str, str] | None = None  # a CSV row, to name the column of an error


def _csv_entries(path: Path) -> list[_Entry]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
            if unknown:
                raise BatchFileError(
                    f"{path}: line 1: unknown column(s) {', '.join(unknown)}; "
                    f"known columns: {', '.join(COLUMNS)}"
                )
            entries = [_Entry(reader.line_num, _row_element(row), row) for row in reader]
    except UnicodeDecodeError as error:
        raise BatchFileError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise BatchFileError(f"{path}: not readable as CSV ({error})") from None
    if not entries:
        raise BatchFileError(f"{path}: no registrations (a header row, then one row each)")
    return entries


def _name_column(row: dict[str, str], message: str) -> str:
    for position, name in enumerate(row, start=1):
        if f"Element '{name}'" in message:
            return f"column {position} ({name}): "
    return ""


def _xml_entries(path: Path) -> list[_Entry]:
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
    entries = [_Entry(child.sourceline or 0, child) for child in root]
    if not entries:
        raise BatchFileError(f"{path}: no PresenceRegistrationRequest elements")
    return entries


def _entries(path: Path) -> list[_Entry]:
    if not path.is_file():
        raise BatchFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_entries(path)
    if suffix == ".xml":
        return _xml_entries(path)
    raise BatchFileError(f"{path}: unknown file type {suffix or '(none)'}; use .csv or .xml")


def read_batch(path: Path) -> list[Registration]:
    """The registrations of ``path`` (``.csv`` or ``.xml``), or ``BatchFileError`` naming the
    first that breaks the contract."""
    registrations = []
    for entry in _entries(path):
        error = _first_error(entry.element)
        if error is not None:
            line, reason = error
            if entry.row is not None:
                raise BatchFileError(
                    f"{path}: line {entry.line}: {_name_column(entry.row, reason)}{reason}"
                )
            raise BatchFileError(f"{path}: line {line or entry.line}: {reason}")
        registrations.append(Registration(entry.line, _element_values(entry.element)))
    return registrations


def problems(path: Path) -> list[str]:
    """Every way the registrations of ``path`` break the contract, each with its line and
    path (and column, in a CSV file), in the file's order; none when the batch can be sent.
    ``BatchFileError`` when the file cannot be read as a batch at all."""
    schema = _readable_contract()
    found = []
    for position, entry in enumerate(_entries(path), start=1):
        for error in schema.iter_errors(_request(entry.element)):
            steps = (error.path or "").split("/")[3:]  # under PresenceRegistrationRequest
            if entry.row is not None:
                column = steps[-1] if steps and steps[-1] in entry.row else None
                where = f"line {entry.line}"
                if column is not None:
                    where += f", column {list(entry.row).index(column) + 1} ({column})"
            else:
                where = f"line {error.sourceline or entry.line}"
            element = "/".join(
                ("/RegisterPresencesRequest", f"PresenceRegistrationRequest[{position}]", *steps)
            )
            found.append(f"{path}: {where}: {element}: {error.reason}")
    return found
