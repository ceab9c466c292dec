"""Checks: registrations checked per second by one check worker, with 100,000 declarations of
works (and their chains) in the registries."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from bench.common import say, scratch
from gateway.demo import enterprise_number, national_number
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
from storage.database import create_database_engine, transaction
from storage.tables import (
    declaration_chain,
    declarations,
    employments,
    enterprises,
    persons,
    validations,
)
from storage.tables import registrations as registration_rows

BATCH = 500
KINDS = (
    RegistrationType.CHECK_IN,
    RegistrationType.BREAK_START,
    RegistrationType.BREAK_END,
    RegistrationType.CHECK_OUT,
)


def fill_registries(engine, declaration_count: int, workers: int) -> list[str]:  # type: ignore[no-untyped-def]
    companies = [enterprise_number(i) for i in range(1, 201)]
    people = [national_number(date(1960, 1, 1) + timedelta(days=i), 1) for i in range(workers)]
    with transaction(engine) as connection:
        connection.execute(
            insert(enterprises),
            [
                {"number": c, "name": f"E{i}", "active_from": date(2010, 1, 1)}
                for i, c in enumerate(companies)
            ],
        )
        connection.execute(insert(persons), [{"inss": p, "name": "P"} for p in people])
        connection.execute(
            insert(employments),
            [
                {"inss": p, "employer": companies[i % 200], "valid_from": date(2020, 1, 1)}
                for i, p in enumerate(people)
            ],
        )
        for start in range(0, declaration_count, 10_000):
            rows = range(start, min(start + 10_000, declaration_count))
            connection.execute(
                insert(declarations),
                [
                    {
                        "workplace_id": f"DW{i:011d}",
                        "contractor": companies[i % 200],
                        "valid_from": date(2026, 1, 1),
                        "subject_to_registration": True,
                        "site_address": "Wetstraat 16, 1000 Brussel",
                    }
                    for i in rows
                ],
            )
            connection.execute(
                insert(declaration_chain),
                [
                    {
                        "workplace_id": f"DW{i:011d}",
                        "company_id": companies[i % 200],
                        "parent_company_id": None,
                    }
                    for i in rows
                ],
            )
            say(f"  registries: {min(start + 10_000, declaration_count)} declarations")
    return people


def fill_registrations(engine, people: list[str], count: int, declaration_count: int) -> None:  # type: ignore[no-untyped-def]
    account = Account("bench", "0403170701", Role.EMPLOYER)
    day = datetime(2026, 11, 2, 6, 0, tzinfo=BELGIUM)
    now = datetime.now(UTC)
    batch = []
    for index in range(count):
        worker = (index // 4) % len(people)
        batch.append(
            SubmittedRegistration(
                workplace_id=f"DW{(worker * 7919) % declaration_count:011d}",
                registration_type=KINDS[index % 4],
                registered_at=day + timedelta(days=index // (4 * len(people)), hours=index % 4),
                means=RegistrationMeans.BADGE,
                inss=people[worker],
                company_id=enterprise_number(1 + worker % 200),
                emergency_procedure=True,
            )
        )
    for start in range(0, count, 200):
        with transaction(engine) as connection:
            registrations.register(
                connection, account, batch[start : start + 200], now, timedelta(minutes=5)
            )


def check_until_empty(url: str, batch_size: int, start: Any) -> None:
    """One check worker process: it waits for ``start`` (a barrier), then checks until no
    day is left to claim."""
    engine = create_database_engine(url)
    worker = CheckWorker(engine, batch_size=batch_size)
    start.wait()
    while worker.run_once():
        pass
    engine.dispose()


def requeue(engine: Engine) -> None:
    """Every registration unchecked again and every worker day queued, as they were stored."""
    with transaction(engine) as connection:
        connection.execute(delete(validations))
        connection.execute(
            update(registration_rows).values(
                status=Status.REGISTERED.value,
                remark_codes=None,
                validated_at=None,
                validation_runs=0,
            )
        )
        days = connection.execute(
            select(registration_rows.c.worker_key, registration_rows.c.work_day).distinct()
        ).all()
        queue.enqueue(connection, [(key, day) for key, day in days], datetime(2026, 1, 1))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def in_processes(engine: Engine, workers: int, batch_size: int) -> float:
    """Seconds that ``workers`` check worker processes take to check the whole queue."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers + 1)
    url = engine.url.render_as_string(hide_password=False)
    processes = [
        context.Process(target=check_until_empty, args=(url, batch_size, start))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait()
    started = time.perf_counter()
    for process in processes:
        process.join(timeout=600)
        if process.exitcode != 0:
            raise RuntimeError(f"a check worker process ended with {process.exitcode}")
    return time.perf_counter() - started


def measure(
    kind: str, registration_count: int, declaration_count: int = 100_000
) -> dict[str, float]:
    """One worker in this process; on PostgreSQL also one, then two, worker processes on
    the same queue (each time every registration checked anew, after a VACUUM)."""
    say(f"checks on {kind}: {declaration_count} declarations, {registration_count} registrations")
    place = scratch(kind)
    try:
        people = fill_registries(place.engine, declaration_count, workers=5_000)
        fill_registrations(place.engine, people, registration_count, declaration_count)
        worker = CheckWorker(place.engine, batch_size=BATCH)
        started = time.perf_counter()
        days = 0
        while checked := worker.run_once():
            days += checked
        elapsed = time.perf_counter() - started
        figures = {
            "registrations": registration_count,
            "worker_days": days,
            "seconds": elapsed,
            "registrations_per_s": registration_count / elapsed,
        }
        if kind != "sqlite":
            for workers in (1, 2):
                requeue(place.engine)
                seconds = in_processes(place.engine, workers, BATCH)
                figures[f"processes_{workers}_per_s"] = registration_count / seconds
            figures["scale_2_workers"] = figures["processes_2_per_s"] / figures["processes_1_per_s"]
    finally:
        place.cleanup()
    return figures
