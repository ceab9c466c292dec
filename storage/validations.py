"""Repository functions for checking: the registrations of worker days, and the outcomes.

The hot path of the check workers: a batch of days is read in one statement and its outcomes
written in two, at the driver, so that neither SQLAlchemy's per-row processing nor a round
trip per registration is paid (on PostgreSQL a batch of 2,000 registrations had taken an
UPDATE each, which cost its server more than all the checks cost the worker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection

from gateway.domain.registration import (
    Channel,
    RegistrationMeans,
    RegistrationType,
    Sector,
    Sender,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
    Validation,
)
from storage.database import at_driver, insert_rows, naive_utc, temporal_values
from storage.registrations import remarks_of

# What the checks read of a registration, and what ``record`` compares its outcome with.
_COLUMNS = (
    "id, inss, company_id, limosa_id, workplace_id, registration_type, registered_at, "
    "utc_offset_minutes, means, emergency_procedure, sector, created_at, channel, sender_id, "
    "sender_company_id, sender_user_type, status, validated_at, remark_codes, worker_key, "
    "work_day"
)
_CANCELLED = Status.CANCELLED.value
_FAILED = Status.FAILED.value
_VALIDATED = Status.VALIDATED.value
# PostgreSQL finds the days' registrations by the (worker, day) pairs themselves.
_DAYS_POSTGRES = (
    f"SELECT {_COLUMNS} FROM registrations "
    "JOIN unnest(%s::varchar[], %s::date[]) AS day(worker_key, work_day) "
    "USING (worker_key, work_day) WHERE status <> %s"
)
# SQLite by the workers and the days, the pairs sorted out after (no arrays to join).
_DAYS_SQLITE = (
    "SELECT {columns} FROM registrations "
    "WHERE worker_key IN ({keys}) AND work_day IN ({days}) AND status <> ?"
)

_TYPES = {str(kind): kind for kind in RegistrationType}
_MEANS = {str(means): means for means in RegistrationMeans}
_CHANNELS = {str(channel): channel for channel in Channel}
_USER_TYPES = {str(user_type): user_type for user_type in UserType}
_STATUSES = {str(status): status for status in Status}
_ZONES: dict[int, timezone] = {}


def load_days(
    connection: Connection, days: Iterable[tuple[str, date]]
) -> dict[tuple[str, date], list[StoredRegistration]]:
    """The registrations of each (worker, day), cancelled ones left out: what the checks
    read of them (not where they were made nor the device, nor their history)."""
    wanted = set(days)
    found: dict[tuple[str, date], list[StoredRegistration]] = {day: [] for day in wanted}
    if not wanted:
        return found
    if connection.dialect.name == "postgresql":
        workers, work_days = zip(*sorted(wanted), strict=True)
        rows = at_driver(connection, _DAYS_POSTGRES, (list(workers), list(work_days), _CANCELLED))
        for row in rows:
            found[(row[19], row[20])].append(_registration(row, _as_is))
        return found
    stamp = temporal_values(connection)
    dates = [stamp(day) for day in sorted({day for _, day in wanted})]
    everyone = sorted({key for key, _ in wanted})
    for start in range(0, len(everyone), 900):
        keys = everyone[start : start + 900]
        statement = _DAYS_SQLITE.format(
            columns=_COLUMNS, keys=", ".join("?" * len(keys)), days=", ".join("?" * len(dates))
        )
        for row in at_driver(connection, statement, (*keys, *dates, _CANCELLED)):
            day = (row[19], date.fromisoformat(row[20]))
            if day in found:
                found[day].append(_registration(row, datetime.fromisoformat))
    return found


def _as_is(moment: datetime) -> datetime:
    return moment


def _zone(minutes: int) -> timezone:
    zone = _ZONES.get(minutes)
    if zone is None:
        zone = _ZONES[minutes] = timezone(timedelta(minutes=minutes))
    return zone


def _registration(row: Sequence[Any], moment: Callable[[Any], datetime]) -> StoredRegistration:
    """A row of ``_COLUMNS`` as a registration; ``moment`` reads its times (naive UTC)."""
    (
        registration_id,
        inss,
        company,
        limosa,
        workplace,
        kind,
        registered_at,
        offset,
        means,
        emergency,
        sector,
        created_at,
        channel,
        sender_id,
        sender_company,
        sender_type,
        status,
        validated_at,
        codes,
        *_,
    ) = row
    submitted = SubmittedRegistration(
        workplace,
        _TYPES[kind],
        moment(registered_at).replace(tzinfo=UTC).astimezone(_zone(offset)),
        _MEANS[means],
        inss=inss,
        company_id=company,
        limosa_id=limosa,
        emergency_procedure=bool(emergency),
        sector=None if sector is None else Sector(sector),
    )
    return StoredRegistration(
        registration_id,
        submitted,
        moment(created_at).replace(tzinfo=UTC),
        _CHANNELS[channel],
        Validation(
            _STATUSES[status],
            None if validated_at is None else moment(validated_at).replace(tzinfo=UTC),
            remarks_of(codes),
        ),
        Sender(sender_id, sender_company, _USER_TYPES[sender_type]),
    )


# One statement for the whole batch on PostgreSQL; SQLite, in process, takes an executemany.
_UPDATE_POSTGRES = (
    "UPDATE registrations AS r SET status = o.status, remark_codes = o.remark_codes, "
    "validated_at = %s, validation_runs = r.validation_runs + 1 "
    "FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[]) AS o(id, status, remark_codes) "
    "WHERE r.id = o.id AND r.status <> %s"
)
_UPDATE_SQLITE = (
    "UPDATE registrations SET status = ?, remark_codes = ?, validated_at = ?, "
    "validation_runs = validation_runs + 1 WHERE id = ? AND status <> ?"
)
_HISTORY_COLUMNS = ("registration_id", "status", "validated_at", "remark_codes")


def record(
    connection: Connection,
    outcomes: Sequence[tuple[StoredRegistration, tuple[str, ...]]],
    now: datetime,
) -> int:
    """Store each registration's new outcome; a change (or a first check) goes to the history.
    Returns how many registrations changed."""
    if not outcomes:
        return 0
    at = temporal_values(connection)(naive_utc(now))
    updates = []
    history = []
    for registration, codes in outcomes:
        status = _FAILED if codes else _VALIDATED
        text = " ".join(codes) or None
        updates.append((registration.id, status, text))
        last = registration.last_validation
        previous = " ".join(r.code for r in last.remarks) or None
        if last.validated_at is None or last.status != status or previous != text:
            history.append((registration.id, status, at, text))
    if connection.dialect.name == "postgresql":
        ids, statuses, texts = zip(*updates, strict=True)
        connection.exec_driver_sql(
            _UPDATE_POSTGRES, (at, list(ids), list(statuses), list(texts), _CANCELLED)
        )
    else:
        connection.exec_driver_sql(
            _UPDATE_SQLITE,
            [(status, text, at, rid, _CANCELLED) for rid, status, text in updates],
        )
    if history:
        insert_rows(connection, "validations", _HISTORY_COLUMNS, history)
    return len(history)
