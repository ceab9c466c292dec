"""The export files' exact bytes: every CSV export (the command's and the pages', with the
contract columns; exportPresences', without) and the XML export, on stored registrations of
every kind a column can hold, against files written by the export as it was at 744ebe6
(``tests/data/export/``), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from gateway.cli import main
from gateway.domain.consultation import ExportRequest
from gateway.domain.registration import Contract
from gateway.services import export
from gateway.xml.export import csv_lines
from storage.database import insert_rows, temporal_values, transaction
from storage.tables import registrations

EXPECTED = Path(__file__).parent / "data" / "export"
FIRST_DAY = date(2026, 8, 1)
LAST_DAY = date(2026, 8, 10)
COUNT = 60

# Each column's values, taken in turn (lists of different lengths, so that rows mix them):
# none, formulas a spreadsheet would run, numbers that stay numbers, commas, quotes, line
# feeds and carriage returns, both contracts, remarks, times on both sides of both changes of
# daylight saving time, with and without microseconds, at offsets of whole and half hours
# (client references are unique per sender: each gets the row's number).
INSS = ["85073003328", None, "=SUM(A1)", "@x", "05010104566"]
COMPANIES = ["0403170701", None, "0760544138", "+32"]
LIMOSA = [None, "LIM-1", "-4.35", "-1+2", "\tTAB", "a=1", ""]
WORKPLACES = ["DW00000000001", "=HYPERLINK(1)", "WP,comma", 'WP"quote', "\rWP", "DW00000000002"]
TYPES = ["CHECK_IN", "CHECK_OUT", "BREAK_START", "BREAK_END", "PRESENCE"]
TIMES = [
    "2026-03-29T01:59:59+01:00",
    "2026-03-29T03:00:00.000001+02:00",
    "2026-10-25T02:30:00+02:00",
    "2026-10-25T02:30:00.500000+01:00",
    "2026-08-01T00:00:00+00:00",
    "2026-07-31T23:00:00-05:00",
    "2026-12-31T23:59:59.999999+05:30",
    "2026-01-01T00:15:00-03:30",
    "2026-08-03T12:00:00.120000+02:00",
]
LOCATIONS: list[tuple[object, ...]] = [
    (50.8466, 4.3528, 8.0, None, None, None, None, None),
    (None,) * 8,
    (-4.35, -73.5, None, None, None, None, None, None),
    (None, None, None, "=cmd|' /C calc'!A0", "12", "1000", "Brussel", "BE"),
    (None, None, None, "Rue, Haute", None, "1000", "Bruxelles", None),
]
MEANS = ["BADGE", "TRACK_AND_TRACE", "APPLICATION", "QR_CODE", "URL", "OTHER"]
DEVICES = [None, "reader-1", '=HYPERLINK("http://x","y")', "line\rreturn", "+4.35", "", "a\nb"]
REFERENCES = [None, "ref-1", "@SUM(1)", "ref,2"]
SENDERS = [("badge-system", "EMPLOYER"), ("=evil", "EMPLOYER"), ("web", "WORKER")]
CHANNELS = ["WEBSERVICE", "WEB"]
CREATED = [
    datetime(2026, 8, 1, 6, 0),
    datetime(2026, 8, 2, 23, 59, 59, 123456),
    datetime(2026, 10, 25, 1, 30, 0, 1),
]
STATUSES = ["SUCCESSFULLY REGISTERED", "VALIDATED", "FAILED", "SUCCESSFULLY CANCELLED"]
REMARKS = [None, "INSS_UNKNOWN", "COMPANY_INVALID LIMOSA_UNKNOWN", ""]
SECTORS = [1, 2, 3]

# Every column but the reason of a cancellation, in the table's order.
COLUMNS = [c.name for c in registrations.columns if c.name != "cancellation_reason"]


def _of(values: list, index: int):  # type: ignore[no-untyped-def, type-arg]
    return values[index % len(values)]


def store_every_kind(engine: Engine) -> None:
    """``COUNT`` registrations on the days from ``FIRST_DAY``, ids from 1, every column's
    values in turn."""
    rows = []
    for i in range(COUNT):
        registered = datetime.fromisoformat(_of(TIMES, i))
        offset = registered.utcoffset() or timedelta(0)
        sender, user_type = _of(SENDERS, i)
        kind = _of(TYPES, i)
        presence = kind == "PRESENCE"  # Checkin@Work's, in a sector
        status = _of(STATUSES, i)
        rows.append(
            (
                i + 1,
                _of(INSS, i),
                _of(COMPANIES, i),
                _of(LIMOSA, i),
                _of(WORKPLACES, i),
                kind,
                registered.astimezone(UTC).replace(tzinfo=None),
                int(offset.total_seconds()) // 60,
                *_of(LOCATIONS, i),
                _of(MEANS, i),
                _of(DEVICES, i),
                i % 3 == 1,
                None if _of(REFERENCES, i) is None else f"{_of(REFERENCES, i)}-{i}",
                sender,
                "0403170701",
                user_type,
                _of(CHANNELS, i),
                _of(CREATED, i),
                status,
                f"N:{i}",
                FIRST_DAY + timedelta(days=i % 10),
                _of(REMARKS, i),
                None if status == "SUCCESSFULLY REGISTERED" else _of(CREATED, i + 1),
                0,
                "CHECKINATWORK" if presence else "CIAO",
                _of(SECTORS, i // 5) if presence else None,
            )
        )
    with transaction(engine) as connection:
        stamp = temporal_values(connection)
        plain = [
            tuple(stamp(value) if isinstance(value, date) else value for value in row)
            for row in rows
        ]
        insert_rows(connection, "registrations", COLUMNS, plain)


def exported_by_the_command(engine: Engine, folder: Path, format: str) -> bytes:
    output = folder / f"out.{format}"
    url = engine.url.render_as_string(hide_password=False)
    arguments = ["export", "--from", str(FIRST_DAY), "--to", str(LAST_DAY), "--database", url]
    assert main([*arguments, "--format", format, "--output", str(output)]) == 0
    return output.read_bytes()


def test_the_commands_csv_export_writes_every_kind_of_cell_as_it_did(engine, tmp_path):
    store_every_kind(engine)
    exported = exported_by_the_command(engine, tmp_path, "csv")
    assert exported == (EXPECTED / "every-contract.csv").read_bytes()


def test_the_xml_export_writes_every_kind_of_value_as_it_did(engine, tmp_path):
    store_every_kind(engine)
    exported = exported_by_the_command(engine, tmp_path, "xml")
    assert exported == (EXPECTED / "ciao.xml").read_bytes()


def test_a_csv_export_is_the_same_file_whatever_its_chunks(engine):
    """Chunks of three rows: some hold a cell that must be written as text or a carriage
    return, others none."""
    store_every_kind(engine)
    for contract, contracts, name in (
        (None, True, "every-contract.csv"),
        (Contract.CIAO, False, "ciao.csv"),
    ):
        wanted = ExportRequest(FIRST_DAY, LAST_DAY, "CSV", contract=contract)
        for rows_per_chunk in (3, 500):
            rows = export.csv_rows(engine, None, wanted)
            exported = b"".join(csv_lines(rows, rows_per_chunk, contracts=contracts))
            assert exported == (EXPECTED / name).read_bytes()
