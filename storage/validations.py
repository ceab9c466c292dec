"""Repository functions for checking: the registrations of worker days, and the outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select

from gateway.domain.registration import Status, StoredRegistration
from storage.database import execute_many, naive_utc
from storage.registrations import from_row
from storage.tables import registrations


def load_days(
    connection: Connection, days: Iterable[tuple[str, date]]
) -> dict[tuple[str, date], list[StoredRegistration]]:
    """The registrations of each (worker, day), cancelled ones left out."""
    wanted = set(days)
    found: dict[tuple[str, date], list[StoredRegistration]] = {day: [] for day in wanted}
    keys = sorted({key for key, _ in wanted})
    dates = sorted({day for _, day in wanted})
    for start in range(0, len(keys), 900):
        rows = connection.execute(
            select(registrations).where(
                registrations.c.worker_key.in_(keys[start : start + 900]),
                registrations.c.work_day.in_(dates),
                registrations.c.status != Status.CANCELLED.value,
            )
        )
        for row in rows:
            day = (row.worker_key, row.work_day)
            if day in found:
                found[day].append(from_row(row))
    return found


_UPDATE_SQL = (
    "UPDATE registrations SET status = ?, remark_codes = ?, validated_at = ?, "
    "validation_runs = validation_runs + 1 WHERE id = ? AND status <> 'SUCCESSFULLY CANCELLED'"
)
_HISTORY_SQL = (
    "INSERT INTO validations (registration_id, status, validated_at, remark_codes) "
    "VALUES (?, ?, ?, ?)"
)


def record(
    connection: Connection,
    outcomes: Sequence[tuple[StoredRegistration, tuple[str, ...]]],
    now: datetime,
) -> int:
    """Store each registration's new outcome; a change (or a first check) goes to the history.
    Returns how many registrations changed."""
    at = naive_utc(now)
    updates = []
    history = []
    for registration, codes in outcomes:
        status = Status.FAILED if codes else Status.VALIDATED
        text = " ".join(codes) or None
        updates.append((status.value, text, at, registration.id))
        last = registration.last_validation
        previous = " ".join(r.code for r in last.remarks) or None
        if last.validated_at is None or last.status is not status or previous != text:
            history.append((registration.id, status.value, at, text))
    if updates:
        execute_many(connection, _UPDATE_SQL, updates, temporal=(2,))
    if history:
        execute_many(connection, _HISTORY_SQL, history, temporal=(2,))
    return len(history)
