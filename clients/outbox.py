"""The emergency procedure on the sender's side (Q13): registrations that cannot be sent
because the gateway is unreachable wait in a local SQLite file, marked EmergencyProcedure,
with their original event time and client reference, until ``ciao-client flush``.

Every registration gets a ClientPresenceRegistrationReference before it is sent or kept
(derived from its content when it has none), so that sending it again, after a time-out or a
client killed between the gateway's answer and the removal from the outbox, never stores it
twice: the gateway answers the original.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

REFERENCE = "ClientPresenceRegistrationReference"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def with_reference(registration: dict[str, Any]) -> dict[str, Any]:
    """The registration with a client reference; one derived from its content if it had none
    (the same registration always gets the same reference)."""
    if registration.get(REFERENCE):
        return registration
    canonical = json.dumps(_plain(registration), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:22]
    return {**registration, REFERENCE: f"h-{digest}"}


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY, reference TEXT UNIQUE,"
            " registration TEXT NOT NULL, kept_at TEXT NOT NULL)"
        )

    def keep(self, registrations: Sequence[dict[str, Any]]) -> int:
        """Keep ``registrations`` (marked EmergencyProcedure); one already kept is not kept
        twice. Returns how many are waiting now."""
        now = datetime.now().astimezone().isoformat()
        rows = []
        for registration in registrations:
            marked = {**with_reference(registration), "EmergencyProcedure": True}
            rows.append((marked[REFERENCE], json.dumps(_plain(marked)), now))
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO pending (reference, registration, kept_at) VALUES (?, ?, ?)",
                rows,
            )
        return self.count()

    def waiting(self, limit: int = 200) -> list[tuple[int, dict[str, Any]]]:
        rows = self._db.execute(
            "SELECT id, registration FROM pending ORDER BY id LIMIT ?", (limit,)
        )
        return [(row_id, json.loads(text)) for row_id, text in rows]

    def remove(self, ids: Sequence[int]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM pending WHERE id = ?", [(i,) for i in ids])

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM pending").fetchone()[0])

    def close(self) -> None:
        self._db.close()
