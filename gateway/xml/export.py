"""Export files (CSV or XML) written row by row, and their streaming as base64 content.

A CSV export is opened in spreadsheets by another party than the one who sent its values:
every CSV file is written by ``csv_file``, whose cells go through ``spreadsheet_row`` so that
none runs as a formula. The XML export keeps every value as it was sent."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from gateway.domain.registration import StoredRegistration
from gateway.xml.characters import well_formed
from gateway.xml.contract import NS_TYPES
from gateway.xml.registrations import format_datetime, stored_xml

CSV_COLUMNS = (
    "PresenceRegistrationId",
    "INSS",
    "CompanyID",
    "LimosaId",
    "WorkPlaceId",
    "RegistrationType",
    "RegistrationDateTime",
    "RegistrationMeans",
    "DeviceId",
    "EmergencyProcedure",
    "ClientPresenceRegistrationReference",
    "CreationDate",
    "Channel",
    "Status",
    "Remarks",
    "SenderId",
)


# What a spreadsheet runs as a formula when a cell begins with it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA_STARTS)
# A number as xs:decimal writes it (a coordinate such as -4.35): a spreadsheet reads it as
# that number, not as a formula, so it is written as it is.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def spreadsheet_row(row: Iterable[object]) -> list[object]:
    """The cells of ``row`` as no spreadsheet runs them as a formula: a text that begins
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, which
    spreadsheets show as text and do not run; a number stays a number. Every CSV export
    writes its rows through it (``csv_file``).

    >>> spreadsheet_row(['=HYPERLINK("http://x","y")', "-4.35", "-1+2", 7, "a=1"])
    ['\\'=HYPERLINK("http://x","y")', '-4.35', "'-1+2", 7, 'a=1']
    """
    return [
        "'" + cell
        if type(cell) is str and cell[:1] in _FIRST and not _NUMBER.fullmatch(cell)
        else cell
        for cell in row
    ]


def _csv_row(r: StoredRegistration) -> list[object]:
    s = r.submitted
    return [
        r.id,
        s.inss or "",
        s.company_id or "",
        s.limosa_id or "",
        s.workplace_id,
        s.registration_type.value,
        format_datetime(s.registered_at),
        s.means.value,
        s.device_id or "",
        "true" if s.emergency_procedure else "false",
        s.client_reference or "",
        format_datetime(r.created_at),
        r.channel.value,
        r.last_validation.status.value,
        " ".join(m.code for m in r.last_validation.remarks),
        r.sender.sender_id,
    ]


def _csv_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" not in text:
        return text
    # Python's writer quotes a cell with a line feed (its line terminator) but not one with
    # a carriage return, which spreadsheets take for the end of a line: such a row is quoted
    # whole.
    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        returns = any(type(cell) is str and "\r" in cell for cell in row)
        (quoted if returns else plain).writerow(row)
    return buffer.getvalue()


def csv_file(
    columns: Sequence[str], rows: Iterable[Sequence[object]], rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """A CSV file (a header row, then ``rows``) in chunks of UTF-8, each row written by
    ``spreadsheet_row``: the one writer of every CSV export, whatever its columns."""
    chunk: list[list[object]] = [list(columns)]
    for count, row in enumerate(rows, start=1):
        chunk.append(spreadsheet_row(row))
        if count % rows_per_chunk == 0:
            yield _csv_text(chunk).encode()
            chunk = []
    yield _csv_text(chunk).encode()


# What an export of every contract adds to each row: the contract a registration arrived
# under and, for Checkin@Work, its site's sector.
CONTRACT_COLUMNS = ("Contract", "Sector")


def _contract_cells(r: StoredRegistration) -> list[object]:
    sector = r.submitted.sector
    return [r.submitted.contract.value, "" if sector is None else int(sector)]


def csv_lines(
    registrations: Iterable[StoredRegistration],
    rows_per_chunk: int = 500,
    contracts: bool = False,
) -> Iterator[bytes]:
    """The CSV export of ``registrations`` (the columns of ``CSV_COLUMNS``); ``contracts``
    adds the ``CONTRACT_COLUMNS`` (an export of every contract's registrations)."""
    if not contracts:
        return csv_file(CSV_COLUMNS, map(_csv_row, registrations), rows_per_chunk)
    rows = (_csv_row(r) + _contract_cells(r) for r in registrations)
    return csv_file(CSV_COLUMNS + CONTRACT_COLUMNS, rows, rows_per_chunk)


def xml_lines(
    registrations: Iterable[StoredRegistration], rows_per_chunk: int = 200
) -> Iterator[bytes]:
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?><PresenceRegistrationExport xmlns="{NS_TYPES}">'
    ]
    for count, registration in enumerate(registrations, start=1):
        parts.append(stored_xml(registration, with_history=False))
        if count % rows_per_chunk == 0:
            yield well_formed("".join(parts)).encode()
            parts = []
    parts.append("</PresenceRegistrationExport>")
    yield well_formed("".join(parts)).encode()


def base64_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Base64 of the concatenated chunks, streamed (cut at multiples of three bytes)."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        cut = len(pending) - len(pending) % 3
        if cut:
            yield base64.b64encode(pending[:cut])
            pending = pending[cut:]
    if pending:
        yield base64.b64encode(pending)
