"""Staged registrations: on SQLite, registering stores new registrations in
``staged_registrations``, and they are merged into ``registrations`` in large batches.

Why: a batch of 200 registrations of 50 workers on 50 work places writes one page of the
worker index per worker and one of the work-place index per work place, some 200 pages
written to the WAL at each commit. Staged, the batch writes the staging table's few pages;
a merge of many batches writes each index page once. Replayed at the driver, 50 batches
cost 2.6 ms each staged and merged against 3.8 ms stored directly, and the request itself
1.1 ms.

Nothing acknowledged is hidden by it: every unit of work that reads or changes registrations,
other than registering, merges what is staged before it begins (``storage.database``), so it
finds every acknowledged one in ``registrations``; one that reads no registrations (a
password, a declaration, the check queue) says so and leaves them staged. Registering looks
client references up in both tables, and merges once ``MERGE_AT`` registrations wait. The merge
moves rows, ids unchanged, in one transaction.

PostgreSQL's writers interleave: a reference looked up in both tables by one request could
be merged into the other between another request's look-up and insert, so there
registrations go straight to ``registrations`` and nothing is ever staged.
"""

from __future__ import annotations

from sqlalchemy import Connection

from storage.tables import NEW_REGISTRATION_COLUMNS

# About 50 batches of 200: a merge of this many takes 30-65 ms on the development machine.
MERGE_AT = 10_000

_COLUMNS = ", ".join(NEW_REGISTRATION_COLUMNS)
_MERGE = (
    f"INSERT INTO registrations ({_COLUMNS}) "
    f"SELECT {_COLUMNS} FROM staged_registrations ORDER BY id"
)
_CLEAR = "DELETE FROM staged_registrations"
_WAITING = "SELECT EXISTS (SELECT 1 FROM staged_registrations)"


def used(connection: Connection) -> bool:
    """Whether new registrations are staged on ``connection``'s database (SQLite)."""
    return connection.dialect.name == "sqlite"


def waiting(connection: Connection) -> bool:
    """Whether registrations wait to be merged."""
    return used(connection) and bool(connection.exec_driver_sql(_WAITING).scalar_one())


def merge_when_full(connection: Connection, staged: int) -> bool:
    """Merge if the ``staged`` registrations that wait (the new ones included) are enough;
    whether it did."""
    if staged < MERGE_AT:
        return False
    merge(connection)
    return True


def merge(connection: Connection) -> int:
    """Move every staged registration into ``registrations``, in ``connection``'s write
    transaction; returns how many were moved."""
    if not used(connection):
        return 0
    moved = connection.exec_driver_sql(_MERGE).rowcount
    if moved:
        connection.exec_driver_sql(_CLEAR)
    return moved
