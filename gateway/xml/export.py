"""Export files (CSV or XML) written row by row, and their streaming as base64 content.

A CSV export is opened in spreadsheets by another party than the one who sent its values:
every CSV file is written by ``csv_file``, whose cells are as ``spreadsheet_row`` writes them
so that none runs as a formula. The XML export keeps every value as it was sent."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import islice
from operator import itemgetter

from gateway.domain.consultation import ExportRow
from gateway.domain.registration import RegistrationType, StoredRegistration, contract_of
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


# What a CSV text holds where a cell begins with what a spreadsheet runs as a formula, the
# cell written or quoted: a sign after a comma or a line's start, or anywhere the other
# characters, which are rare in exports. It also finds cells that need nothing (an "a=1", a
# comma and a sign inside a quoted cell), whose chunk is then written the slow, exact way.
# Substring searches, at memchr's speed: a regular expression took three times as long.
_RARE_STARTS = ("=", "@", "\t", "\r")
_SIGN_STARTS = tuple(cut + quote + sign for cut in ",\n" for quote in ("", '"') for sign in "+-")


def _may_run(text: str) -> bool:
    """Whether a cell of ``text`` may begin as a formula (or hold a carriage return)."""
    text = "\n" + text
    return any(c in text for c in _RARE_STARTS) or any(s in text for s in _SIGN_STARTS)


def _csv_text(rows: list[Sequence[object]]) -> str:
    """``rows`` as CSV, each as ``spreadsheet_row`` makes it. Written as they are first, at
    C speed: if no cell begins as a formula (nearly every chunk), that is the text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if not _may_run(text):
        return text
    rows = [spreadsheet_row(row) for row in rows]
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
    """A CSV file (a header row, then ``rows``) in chunks of UTF-8, each row as
    ``spreadsheet_row`` writes it: the one writer of every CSV export, whatever its columns."""
    rows = iter(rows)
    chunk = list(islice(rows, rows_per_chunk))
    yield _csv_text([columns, *chunk]).encode()
    while len(chunk) == rows_per_chunk:
        chunk = list(islice(rows, rows_per_chunk))
        yield _csv_text(chunk).encode()


# What an export of every contract adds to each row: the contract a registration arrived
# under and, for Checkin@Work, its site's sector.
CONTRACT_COLUMNS = ("Contract", "Sector")
_WITHOUT_CONTRACT = itemgetter(slice(len(CSV_COLUMNS)))
_CONTRACTS = {kind.value: contract_of(kind).value for kind in RegistrationType}
_TRUTH = {True: "true", False: "false"}


@lru_cache(maxsize=4096)
def _local_start(utc_start: str, offset_minutes: int) -> tuple[str, str]:
    """The local text of a UTC hour ("YYYY-MM-DD HH") or minute at ``offset_minutes``, as
    ``format_datetime`` begins it, and the offset as it ends it."""
    zone = timezone(timedelta(minutes=offset_minutes))
    local = format_datetime(datetime.fromisoformat(utc_start).replace(tzinfo=UTC).astimezone(zone))
    return local[: len(utc_start)], local[19:]


def _moment(utc: str, offset_minutes: int) -> str:
    """``format_datetime`` of a stored UTC time ("YYYY-MM-DD HH:MM:SS.ffffff") at the
    sender's offset, its hour (its minute, at an offset of half hours) made once."""
    cut = 16 if offset_minutes % 60 else 13
    start, zone = _local_start(utc[:cut], offset_minutes)
    fraction = utc[19:]
    return start + utc[cut:19] + ("" if fraction == ".000000" else fraction) + zone


@lru_cache(maxsize=256)
def _remarks(codes: str) -> str:
    return " ".join(codes.split())


def _csv_cells(row: ExportRow) -> tuple[object, ...]:
    """The cells of ``CSV_COLUMNS`` then ``CONTRACT_COLUMNS``; None is an empty cell."""
    (
        registration_id,
        inss,
        company_id,
        limosa_id,
        workplace_id,
        kind,
        registered_at,
        offset_minutes,
        means,
        device_id,
        emergency,
        reference,
        created_at,
        channel,
        status,
        codes,
        sender_id,
        sector,
    ) = row
    return (
        registration_id,
        inss,
        company_id,
        limosa_id,
        workplace_id,
        kind,
        _moment(registered_at, offset_minutes),
        means,
        device_id,
        _TRUTH[emergency],
        reference,
        _moment(created_at, 0),
        channel,
        status,
        codes and _remarks(codes),
        sender_id,
        _CONTRACTS[kind],
        sector,
    )


def csv_lines(
    rows: Iterable[ExportRow], rows_per_chunk: int = 500, contracts: bool = False
) -> Iterator[bytes]:
    """The CSV export of ``rows`` (registrations as ``EXPORT_COLUMNS`` holds them: the
    columns of ``CSV_COLUMNS``); ``contracts`` adds the ``CONTRACT_COLUMNS`` (an export of
    every contract's registrations)."""
    cells = map(_csv_cells, rows)
    if not contracts:
        return csv_file(CSV_COLUMNS, map(_WITHOUT_CONTRACT, cells), rows_per_chunk)
    return csv_file(CSV_COLUMNS + CONTRACT_COLUMNS, cells, rows_per_chunk)


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
