"""Running the checks off the request path.

Registrations are queued per worker day in the same transaction that stores them. A check
worker claims queued days (with a lease, so a killed worker's days are taken over), runs every
check over each whole day, and stores the outcomes; a day with an open check-in is queued
again for the end of that day, when a missing check-out becomes a remark.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from gateway import metrics
from gateway.checks.engine import evaluate, needs_end_of_day
from gateway.domain.registration import StoredRegistration
from storage import queue, reference, validations
from storage.database import reading, transaction

log = logging.getLogger("ciao.checks")


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class CheckWorker:
    engine: Engine
    name: str = ""
    batch_size: int = 500
    lease: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"

    def run_once(self, now: datetime | None = None) -> int:
        """Check one batch of queued days; returns how many days were checked.

        Three steps, so that no write lock is held while Python works: claim the days; read
        them and their reference data and run the checks (a read-only snapshot, no lock on
        SQLite); then, in a short write transaction, store the outcomes of the days that had
        no new work meanwhile. The others are released and checked again at once."""
        now = now or datetime.now(UTC)
        with transaction(self.engine) as connection:
            claims = queue.claim(
                connection, self.name, _naive(now), _naive(now + self.lease), self.batch_size
            )
        if not claims:
            return 0
        with reading(self.engine) as connection:
            days = validations.load_days(connection, [(c.worker_key, c.work_day) for c in claims])
            everyone = [r for day in days.values() for r in day]
            data = reference.load_for(connection, [r.submitted for r in everyone])
        results = {key: evaluate(day, data, now) for key, day in days.items()}
        with transaction(self.engine) as connection:
            fresh = queue.unchanged(connection, self.name, claims)
            outcomes: list[tuple[StoredRegistration, tuple[str, ...]]] = []
            later: dict[datetime, list[tuple[str, date]]] = {}
            for claim in fresh:
                key = (claim.worker_key, claim.work_day)
                outcomes.extend((r, results[key][r.id]) for r in days[key])
                end = needs_end_of_day(days[key], now)
                if end is not None:
                    later.setdefault(end, []).append(key)
            changed = validations.record(connection, outcomes, now)
            queue.finish(connection, self.name, claims)
            for end, keys in later.items():
                queue.enqueue(connection, keys, _naive(end))
        metrics.observe_checks([c.available_at for c in fresh], _naive(datetime.now(UTC)))
        log.debug(
            "%s checked %d days (%d to check again), %d registrations, %d changed",
            self.name,
            len(fresh),
            len(claims) - len(fresh),
            len(outcomes),
            changed,
        )
        return len(claims)

    def run(self, stop: threading.Event, idle_seconds: float = 0.2) -> None:
        """Check until ``stop`` is set, waiting ``idle_seconds`` whenever the queue is empty."""
        while not stop.is_set():
            try:
                checked = self.run_once()
            except Exception:
                log.exception(
                    "check worker %s failed a batch; its claims will be retried", self.name
                )
                checked = 0
            if not checked:
                stop.wait(idle_seconds)


def start_in_thread(engine: Engine, **options: object) -> tuple[threading.Thread, threading.Event]:
    """An in-process check worker (the default SQLite set-up and tests)."""
    stop = threading.Event()
    worker = CheckWorker(engine, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=worker.run, args=(stop,), name="check-worker", daemon=True)
    thread.start()
    return thread, stop
