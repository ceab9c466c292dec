"""Two check workers at once on one queue raise exactly the remarks one worker raises, on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from gateway.demo import national_number
from gateway.domain.identity import Account, Role
from gateway.domain.registration import (
    RegistrationMeans,
    RegistrationType,
    Status,
    SubmittedRegistration,
)
from gateway.domain.workday import BELGIUM
from gateway.services import registrations
from gateway.services.checking import CheckWorker
from storage import queue
from storage.database import transaction
from storage.tables import check_queue, validations
from storage.tables import registrations as registration_rows

ACCOUNT = Account("badge-system", "0403170701", Role.EMPLOYER)
KINDS = tuple(RegistrationType)[:4]


def fill(engine: Engine, workers: int) -> None:
    """Days of every shape: in order, out of order, duplicated, on unknown sites, late."""
    day = datetime(2026, 11, 2, 6, 0, tzinfo=BELGIUM)
    batch = [
        SubmittedRegistration(
            workplace_id=f"DW2026{worker % 3:06d}",
            registration_type=KINDS[(index * (1 + worker % 3)) % 4],
            registered_at=day + timedelta(days=worker % 2, hours=index),
            means=RegistrationMeans.BADGE,
            inss=national_number(date(1970, 1, 1) + timedelta(days=worker), 1),
            company_id="0403170701",
            emergency_procedure=worker % 5 != 0,
        )
        for worker in range(workers)
        for index in range(1 + worker % 5)
    ]
    for start in range(0, len(batch), 200):
        with transaction(engine) as connection:
            registrations.register(
                connection, ACCOUNT, batch[start : start + 200], datetime.now(UTC), timedelta(0)
            )


def outcomes(engine: Engine) -> dict[int, tuple[str, str | None, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                registration_rows.c.id,
                registration_rows.c.status,
                registration_rows.c.remark_codes,
                registration_rows.c.validation_runs,
            )
        )
        return {row.id: (row.status, row.remark_codes, row.validation_runs) for row in rows}


def check_in_threads(engine: Engine, count: int) -> None:
    def work(worker: CheckWorker) -> None:
        while worker.run_once():
            pass

    threads = [
        threading.Thread(target=work, args=(CheckWorker(engine, name=f"w{n}", batch_size=7),))
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def requeue(engine: Engine) -> None:
    with transaction(engine) as connection:
        connection.execute(delete(validations))
        connection.execute(
            update(registration_rows).values(
                status=Status.REGISTERED.value, remark_codes=None, validated_at=None
            )
        )
        days = connection.execute(
            select(registration_rows.c.worker_key, registration_rows.c.work_day).distinct()
        ).all()
        queue.enqueue(connection, [(key, day) for key, day in days], datetime(2026, 1, 1))


def test_two_workers_at_once_raise_the_remarks_of_one(engine):
    fill(engine, 120)
    check_in_threads(engine, 1)
    by_one = outcomes(engine)
    requeue(engine)
    check_in_threads(engine, 2)
    by_two = outcomes(engine)
    remarks = {codes for _, codes, _ in by_one.values()}
    assert len(remarks) > 5, "the days raise too few kinds of remarks to compare"
    assert {i: (s, c) for i, (s, c, _) in by_two.items()} == {
        i: (s, c) for i, (s, c, _) in by_one.items()
    }
    assert {runs for _, _, runs in by_one.values()} == {1}
    assert {runs for _, _, runs in by_two.values()} == {2}
    with engine.connect() as connection:
        assert connection.execute(select(check_queue.c.id)).first() is None
