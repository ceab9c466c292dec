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
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway import metrics
from gateway.checks.engine import evaluate, needs_end_of_day
from gateway.domain.registration import StoredRegistration
from storage import notices, queue, reference, validations
from storage.database import reading, transaction

log = logging.getLogger("ciao.checks")

# The days read for a batch of claims, and each day's outcomes (remark codes by registration).
_Checked = tuple[
    dict[tuple[str, date], list[StoredRegistration]],
    dict[tuple[str, date], dict[int, tuple[str, ...]]],
]

# The longest an idle worker waits before it looks at the queue again (``Idle``).
IDLE_SECONDS = 2.0
FIRST_PAUSE_SECONDS = 0.05


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class CheckWorker:
    """Checks queued worker days. With a ``check_niceness``, the checks themselves (reading
    the days and running the checks over them) run on a thread of their own at a CPU priority
    that much lower, while its short write transactions keep the worker's priority: under
    load the requests get the cores first, and a worker that holds SQLite's write lock is
    never the one waiting for a core (``docs/operations.md``)."""

    engine: Engine
    name: str = ""
    batch_size: int = 500
    lease: timedelta = timedelta(seconds=60)
    check_niceness: int = 0

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self._checker: ThreadPoolExecutor | None = None
        if self.check_niceness:
            self._checker = ThreadPoolExecutor(
                max_workers=1,
                thread_name_prefix="checks",
                initializer=lower_thread_priority,
                initargs=(self.check_niceness,),
            )

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
        if self._checker is None:
            checked = self._check(claims, now)
        else:
            checked = self._checker.submit(self._check, claims, now).result()
        self._store(claims, checked, now)
        return len(claims)

    def close(self) -> None:
        if self._checker is not None:
            self._checker.shutdown()

    def _check(self, claims: list[queue.Claim], now: datetime) -> _Checked:
        # The claim merged every staged registration: one staged since belongs to a day whose
        # version it raised, whose outcome is not stored. So this read merges nothing.
        with reading(self.engine, registrations=False) as connection:
            days = validations.load_days(connection, [(c.worker_key, c.work_day) for c in claims])
            everyone = [r for day in days.values() for r in day]
            data = reference.load_for(connection, [r.submitted for r in everyone])
        return days, {key: evaluate(day, data, now) for key, day in days.items()}

    def _store(self, claims: list[queue.Claim], checked: _Checked, now: datetime) -> None:
        days, results = checked
        # Only the outcomes of days unchanged since the claim are stored: their registrations
        # were all merged by then, so this unit of work merges nothing either.
        with transaction(self.engine, merge=False) as connection:
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

    def run(self, stop: threading.Event, idle_seconds: float = IDLE_SECONDS) -> None:
        """Check until ``stop`` is set. A batch is claimed only once a look at the queue
        found a day due; until then the worker waits as ``Idle`` says, looking at most
        ``idle_seconds`` apart."""
        idle = Idle(self.engine, idle_seconds)
        try:
            while not stop.is_set():
                idle.wait_for_work(stop)
                if stop.is_set():
                    return
                try:
                    if self.run_once():
                        idle.reset()
                except Exception:
                    log.exception(
                        "check worker %s failed a batch; its claims will be retried", self.name
                    )
                    idle.pause(stop)
        finally:
            idle.close()
            self.close()


class Idle:
    """How a check worker waits while nothing is due: it only reads, and takes no write
    lock, so that an idle worker costs the writers nothing.

    On PostgreSQL it waits for a notice that days were queued (``storage.notices``), for at
    most ``longest`` seconds (in case a notice was lost), then looks at the queue. On SQLite
    it looks at the queue after a pause that starts at ``FIRST_PAUSE_SECONDS`` after work
    and doubles while the queue stays empty, up to ``longest``. A look is one read on a
    snapshot: on SQLite it neither takes the write lock nor merges staged registrations."""

    def __init__(self, engine: Engine, longest: float) -> None:
        self._engine = engine
        self._longest = longest
        self._pause = FIRST_PAUSE_SECONDS
        self._listener = notices.Listener(engine) if notices.used(engine) else None

    def reset(self) -> None:
        """There was work: the next quiet spell starts with short pauses."""
        self._pause = FIRST_PAUSE_SECONDS

    def wait_for_work(self, stop: threading.Event) -> None:
        """Return once a day is due (or might be: the database did not answer), or ``stop``
        is set."""
        while not stop.is_set() and not self._due():
            if self._listener is not None:
                self._listener.wait(stop, self._longest)
            else:
                self.pause(stop)

    def pause(self, stop: threading.Event) -> None:
        """Wait the current pause, and make the next one longer."""
        stop.wait(self._pause)
        self._pause = min(self._pause * 2, self._longest)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def _due(self) -> bool:
        try:
            with reading(self._engine, registrations=False) as connection:
                return queue.due(connection, _naive(datetime.now(UTC)))
        except SQLAlchemyError:
            return True  # the claim will say what is wrong, and log it


def lower_thread_priority(niceness: int) -> None:
    """Lower the calling thread's CPU priority by ``niceness`` (as far as 19). On Linux a
    priority is a thread's own; elsewhere the checks keep the worker's priority."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    current = os.getpriority(os.PRIO_PROCESS, thread)
    os.setpriority(os.PRIO_PROCESS, thread, min(current + niceness, 19))


def start_in_thread(engine: Engine, **options: object) -> tuple[threading.Thread, threading.Event]:
    """An in-process check worker (the default SQLite set-up and tests)."""
    stop = threading.Event()
    worker = CheckWorker(engine, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=worker.run, args=(stop,), name="check-worker", daemon=True)
    thread.start()
    return thread, stop
