"""A database at scale for the consultation benchmarks: registrations of enterprise
0403170701 spread over 100 days from 2026-08-01, inserted at the driver (the registration path
is measured elsewhere): a registration a minute, cycling through 20,000 workers and 500 work
places, some 10,000 a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from bench.common import say
from storage.database import insert_rows, temporal_values, transaction

COMPANY = "0403170701"
FIRST_DAY = date(2026, 8, 1)
DAYS = 100
WORKERS = 20_000
WORKPLACES = 500
_CHUNK = 50_000
_COLUMNS = (
    "id",
    "inss",
    "company_id",
    "workplace_id",
    "registration_type",
    "registered_at",
    "utc_offset_minutes",
    "means",
    "emergency_procedure",
    "sender_id",
    "sender_company_id",
    "sender_user_type",
    "channel",
    "created_at",
    "status",
    "worker_key",
    "work_day",
    "validation_runs",
)


def inss_of(index: int) -> str:
    """The national number of registration ``index``'s worker (not a valid one: the checks
    are measured elsewhere)."""
    return f"{70_000_000_000 + index % WORKERS:011d}"


def workplace_of(index: int) -> str:
    return f"DW{index % WORKPLACES:011d}"


def fill(engine: Engine, count: int, days: int = DAYS) -> None:
    """``count`` registrations over ``days`` from ``FIRST_DAY`` (the first ``count`` minutes
    if there are fewer), in transactions of 50,000 (COPY on PostgreSQL)."""
    created = datetime.now(UTC).replace(tzinfo=None)
    start = datetime.combine(FIRST_DAY, datetime.min.time())
    minutes = days * 24 * 60
    for first in range(0, count, _CHUNK):
        with transaction(engine) as connection:
            stamp = temporal_values(connection)
            made = stamp(created)
            rows = []
            for i in range(first, min(first + _CHUNK, count)):
                moment = start + timedelta(minutes=i % minutes)
                inss = inss_of(i)
                rows.append(
                    (
                        i + 1,
                        inss,
                        COMPANY,
                        workplace_of(i),
                        "CHECK_IN",
                        stamp(moment),
                        60,
                        "BADGE",
                        False,
                        "bench",
                        COMPANY,
                        "EMPLOYER",
                        "WEBSERVICE",
                        made,
                        "VALIDATED",
                        "N:" + inss,
                        stamp(moment.date()),
                        1,
                    )
                )
            insert_rows(connection, "registrations", _COLUMNS, rows)
        say(f"  {engine.dialect.name}: {min(first + _CHUNK, count)} registrations stored")
    if engine.dialect.name == "postgresql":  # the planner's statistics, as autovacuum keeps
        with transaction(engine) as connection:
            connection.exec_driver_sql("ANALYZE registrations")
