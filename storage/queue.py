"""The check queue: worker days waiting to be checked, claimed with a lease.

On PostgreSQL several workers claim at once with ``FOR UPDATE SKIP LOCKED``; on SQLite every
write transaction is serialised (``BEGIN IMMEDIATE``), which makes the same claim safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select, update

from storage import notices
from storage.database import at_driver, execute_many
from storage.tables import check_queue, registrations


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    worker_key: str
    work_day: date
    version: int
    available_at: datetime


# New work for a queued day bumps its version and makes it available at the earlier time.
# Text for the driver: it runs on every registerPresences.
_ON_CONFLICT = (
    "ON CONFLICT (worker_key, work_day) DO UPDATE SET version = check_queue.version + 1, "
    "available_at = CASE WHEN excluded.available_at < check_queue.available_at "
    "THEN excluded.available_at ELSE check_queue.available_at END"
)
_ENQUEUE_SQL = (
    "INSERT INTO check_queue (worker_key, work_day, available_at, version) VALUES (?, ?, ?, 1) "
    + _ON_CONFLICT
)
# PostgreSQL takes a batch's days in one statement rather than a round trip each.
_ENQUEUE_POSTGRES = (
    "INSERT INTO check_queue (worker_key, work_day, available_at, version) "
    "SELECT day.worker_key, day.work_day, %s, 1 "
    "FROM unnest(%s::varchar[], %s::date[]) AS day(worker_key, work_day) " + _ON_CONFLICT
)


def enqueue(
    connection: Connection, days: Iterable[tuple[str, date]], available_at: datetime
) -> None:
    unique = sorted(set(days))
    if not unique:
        return
    notices.days_queued(connection)
    if connection.dialect.name == "postgresql":
        keys, work_days = zip(*unique, strict=True)
        connection.exec_driver_sql(_ENQUEUE_POSTGRES, (available_at, list(keys), list(work_days)))
        return
    rows = [(key, day, available_at) for key, day in unique]
    execute_many(connection, _ENQUEUE_SQL, rows, temporal=(1, 2))


def enqueue_dependents(
    connection: Connection,
    workers: set[str],
    companies: set[str],
    workplaces: set[str],
    available_at: datetime,
) -> int:
    """Queue every day with a registration of one of ``workers`` (worker keys), for one of
    ``companies`` or on one of ``workplaces``: their reference data changed. Returns how many
    days were queued."""
    criteria = [
        column.in_(sorted(values))
        for column, values in (
            (registrations.c.worker_key, workers),
            (registrations.c.company_id, companies),
            (registrations.c.workplace_id, workplaces),
        )
        if values
    ]
    return _enqueue_where(connection, or_(*criteria), available_at) if criteria else 0


def _enqueue_where(connection: Connection, criterion: Any, available_at: datetime) -> int:
    days = connection.execute(
        select(registrations.c.worker_key, registrations.c.work_day).where(criterion).distinct()
    ).all()
    enqueue(connection, [(key, day) for key, day in days], available_at)
    return len(days)


def _claimable(now: datetime) -> Any:
    return and_(
        check_queue.c.available_at <= now,
        (check_queue.c.claimed_until.is_(None)) | (check_queue.c.claimed_until < now),
    )


def due(connection: Connection, now: datetime) -> bool:
    """Whether a day could be claimed at ``now``: what an idle worker asks, reading only."""
    return bool(connection.execute(select(exists().where(_claimable(now)))).scalar_one())


def claim(
    connection: Connection, worker: str, now: datetime, lease_until: datetime, limit: int
) -> list[Claim]:
    available = (
        select(check_queue.c.id)
        .where(_claimable(now))
        .order_by(check_queue.c.available_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = connection.execute(
        update(check_queue)
        .where(check_queue.c.id.in_(available.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=lease_until)
        .returning(
            check_queue.c.id,
            check_queue.c.worker_key,
            check_queue.c.work_day,
            check_queue.c.version,
            check_queue.c.available_at,
        )
    )
    return [Claim(*row) for row in rows]


def depth(connection: Connection, now: datetime) -> tuple[int, int]:
    """How many queued worker days are due at ``now``, and how many wait for later."""
    due = check_queue.c.available_at <= now
    row = connection.execute(
        select(
            func.count().filter(due),
            func.count().filter(~due),
        ).select_from(check_queue)
    ).one()
    return int(row[0]), int(row[1])


def _ids(connection: Connection, claims: list[Claim]) -> tuple[str, list[Any]]:
    """A condition on the claims' ids and its values: an array on PostgreSQL (one value, one
    plan whatever their number), a list of markers on SQLite."""
    ids = [c.id for c in claims]
    if connection.dialect.name == "postgresql":
        return "id = ANY(?)", [ids]
    return f"id IN ({', '.join('?' * len(ids))})", ids


def unchanged(connection: Connection, worker: str, claims: list[Claim]) -> list[Claim]:
    """The claims ``worker`` still holds and whose day has had no new work since it claimed
    them (same version): what was read for them is still what is stored. Locks them until
    the transaction ends."""
    if not claims:
        return []
    condition, ids = _ids(connection, claims)
    lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
    rows = at_driver(
        connection,
        f"SELECT id, version FROM check_queue WHERE {condition} AND claimed_by = ?{lock}",
        (*ids, worker),
    )
    current = dict(rows)
    return [c for c in claims if current.get(c.id) == c.version]


_FINISH_POSTGRES = (
    "DELETE FROM check_queue AS q USING unnest(%s::bigint[], %s::integer[]) AS c(id, version) "
    "WHERE q.id = c.id AND q.version = c.version AND q.claimed_by = %s"
)
_FINISH_SQLITE = "DELETE FROM check_queue WHERE id = ? AND version = ? AND claimed_by = ?"


def finish(connection: Connection, worker: str, claims: list[Claim]) -> None:
    """Remove finished days; a day whose version grew meanwhile is released for another run."""
    if not claims:
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            _FINISH_POSTGRES, ([c.id for c in claims], [c.version for c in claims], worker)
        )
    else:
        connection.exec_driver_sql(_FINISH_SQLITE, [(c.id, c.version, worker) for c in claims])
    condition, ids = _ids(connection, claims)
    statement = (
        "UPDATE check_queue SET claimed_by = NULL, claimed_until = NULL "
        f"WHERE {condition} AND claimed_by = ?"
    )
    if connection.dialect.name == "postgresql":
        statement = statement.replace("?", "%s")
    connection.exec_driver_sql(statement, (*ids, worker))
