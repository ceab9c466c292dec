"""Repository functions for checking: the registrations of worker days, and the outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from gateway.domain.registration import Status, StoredRegistration
from storage.registrations import from_row
from storage.tables import registrations, validations


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


_UPDATE = (
    update(registrations)
    .where(registrations.c.id == bindparam("registration_id"))
    .values(
        status=bindparam("new_status"),
        remark_codes=bindparam("codes"),
        validated_at=bindparam("at"),
        validation_runs=registrations.c.validation_runs + 1,
    )
)


def record(
    connection: Connection,
    outcomes: Sequence[tuple[StoredRegistration, tuple[str, ...]]],
    now: datetime,
) -> int:
    """Store each registration's new outcome; a change (or a first check) goes to the history.
    Returns how many registrations changed."""
    at = now.astimezone(UTC).replace(tzinfo=None)
    updates = []
    history = []
    for registration, codes in outcomes:
        status = Status.FAILED if codes else Status.VALIDATED
        text = " ".join(codes) or None
        updates.append(
            {
                "registration_id": registration.id,
                "new_status": status.value,
                "codes": text,
                "at": at,
            }
        )
        last = registration.last_validation
        previous = " ".join(r.code for r in last.remarks) or None
        if last.validated_at is None or last.status is not status or previous != text:
            history.append(
                {
                    "registration_id": registration.id,
                    "status": status.value,
                    "validated_at": at,
                    "remark_codes": text,
                }
            )
    if updates:
        connection.execute(_UPDATE, updates)
    if history:
        connection.execute(insert(validations), history)
    return len(history)
