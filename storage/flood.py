"""The pages' flood counters: hits per key in fixed windows, in the gateway's database so that
every process of every host counts the same hits.

A hit is one statement that cannot lose a count when two processes hit the same key at once
(``INSERT ... ON CONFLICT DO UPDATE``, on SQLite and PostgreSQL alike), after the counters
whose window ended are deleted.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.tables import flood_counters


def hit(connection: Connection, key: str, window_seconds: int, amount: int, now: float) -> int:
    """Counts ``amount`` hits on ``key`` in its window (a new one starting ``now`` if it has
    none); the hits of the window so far."""
    if connection.dialect.name == "postgresql":  # a count lost in a crash harms nobody
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    connection.execute(delete(flood_counters).where(flood_counters.c.expires_at <= now))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(flood_counters).values(
        key=key, hits=amount, expires_at=now + window_seconds
    )
    counted = insert.on_conflict_do_update(
        index_elements=[flood_counters.c.key],
        set_={"hits": flood_counters.c.hits + insert.excluded.hits},
    ).returning(flood_counters.c.hits)
    return int(connection.execute(counted).scalar_one())


def window(connection: Connection, key: str, now: float) -> tuple[int, float]:
    """The hits on ``key`` in its window and when that window ends (0 and ``now`` when it has
    none)."""
    found = connection.execute(
        select(flood_counters.c.hits, flood_counters.c.expires_at).where(
            flood_counters.c.key == key, flood_counters.c.expires_at > now
        )
    ).first()
    return (int(found.hits), float(found.expires_at)) if found else (0, now)


def forget(connection: Connection, key: str | None = None) -> int:
    """Deletes the counter of ``key``, or every counter; how many there were."""
    statement = delete(flood_counters)
    if key is not None:
        statement = statement.where(flood_counters.c.key == key)
    return int(connection.execute(statement).rowcount)


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(flood_counters)).scalar_one())
