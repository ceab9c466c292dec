"""Bulk import of reference data from CSV files (``ciao-gateway import KIND FILE``).

Every row is checked against the administration contract
(gateway/contract/schemas/AdministrationProtocol_v1.xsd) before anything is stored; a bad row
stops the import with the file, line and column, and nothing of the file is stored. Column
layouts are in docs/reference-data.md.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from gateway.domain.characters import is_xml_text
from gateway.domain.reference import ReferenceUpdate
from gateway.xml.contract import SCHEMA_DIR, load_schema
from gateway.xml.reference import NS_ADMIN_TYPES, read_update

_P = "{" + NS_ADMIN_TYPES + "}"

# kind -> (element of UpdateReferenceDataRequest, columns in contract order)
LAYOUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "enterprises": ("Enterprise", ("CompanyID", "Name", "ActiveFrom", "ActiveUntil")),
    "persons": ("Person", ("INSS", "Name")),
    "limosa": ("LimosaDeclaration", ("LimosaId", "ValidFrom", "ValidUntil")),
    "declarations": (
        "Declaration",
        (
            "WorkPlaceId",
            "ContractorCompanyID",
            "ValidFrom",
            "ValidUntil",
            "SubjectToRegistration",
            "TakesOver",
            "SiteAddress",
            "Subcontractors",
            "Sector",
        ),
    ),
    "employments": ("Employment", ("INSS", "CompanyID", "ValidFrom", "ValidUntil")),
}


class ImportFileError(Exception):
    """What is wrong with an import file: file, line, column and reason."""


_schema: etree.XMLSchema | None = None


def _contract() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = load_schema(SCHEMA_DIR / "AdministrationProtocol_v1.xsd")
    return _schema


def _element(kind: str, row: dict[str, str]) -> etree._Element:
    name, columns = LAYOUTS[kind]
    element = etree.Element(_P + name)
    for column in columns:
        value = (row.get(column) or "").strip()
        if column == "Subcontractors":
            for pair in value.split():
                company, _, parent = pair.partition(":")
                link = etree.SubElement(element, _P + "Subcontractor")
                etree.SubElement(link, _P + "CompanyID").text = company
                etree.SubElement(link, _P + "ParentCompanyID").text = parent
        elif value:
            etree.SubElement(element, _P + column).text = value
    return element


def _problem(element: etree._Element) -> str | None:
    request = etree.Element(_P + "UpdateReferenceDataRequest", nsmap={None: NS_ADMIN_TYPES})
    request.append(element)
    schema = _contract()
    if schema.validate(request):
        return None
    return (
        str(schema.error_log[0].message)
        .replace(_P, "")
        .replace("{urn:ciao:presenceregistration:schemas:v1}", "")
    )


def _check_characters(row: dict[str, str], columns: tuple[str, ...], where: str) -> None:
    """Refuses a value with a character XML cannot carry, which the XSD cannot be asked about
    (lxml refuses to put it in an element at all)."""
    for position, column in enumerate(columns, start=1):
        value = row.get(column) or ""
        if not is_xml_text(value):
            bad = next(c for c in value if not is_xml_text(c))
            raise ImportFileError(
                f"{where}: column {position} ({column}): U+{ord(bad):04X} is not allowed "
                "(no value may hold a control character, U+FFFE or U+FFFF)"
            )


def _column_of(message: str, columns: tuple[str, ...]) -> str:
    for position, column in enumerate(columns, start=1):
        if f"'{column}'" in message or (column == "Subcontractors" and "Subcontractor" in message):
            return f"column {position} ({column}): "
    return ""


def read(
    kind: str, path: Path, progress: Callable[[int], None] = lambda _: None
) -> ReferenceUpdate:
    """Every row of ``path`` as a reference update, or ``ImportFileError`` for the first bad row."""
    if kind not in LAYOUTS:
        raise ImportFileError(f"unknown kind {kind!r}; one of {', '.join(LAYOUTS)}")
    _, columns = LAYOUTS[kind]
    request = etree.Element(_P + "UpdateReferenceDataRequest")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            unknown = [c for c in header if c not in columns]
            if unknown or not header:
                raise ImportFileError(
                    f"{path}: line 1: unknown or missing columns {', '.join(unknown) or '(none)'}; "
                    f"the columns of {kind} are {', '.join(columns)}"
                )
            for count, row in enumerate(_rows(reader), start=1):
                _check_characters(row, columns, f"{path}: line {reader.line_num}")
                element = _element(kind, row)
                problem = _problem(element)
                if problem is not None:
                    raise ImportFileError(
                        f"{path}: line {reader.line_num}: {_column_of(problem, columns)}{problem}"
                    )
                request.append(element)
                progress(count)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise ImportFileError(f"{path}: not readable as CSV ({error})") from None
    return read_update(request)


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    for row in reader:
        if any((value or "").strip() for value in row.values()):
            yield row
