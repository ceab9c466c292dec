"""Checks: registrations checked per second by one check worker, with 100,000 declarations of
works (and their chains) in the registries."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from bench.common import say, scratch
from gateway.demo import enterprise_number, national_number
from gateway.domain.identity import Account, Role
from gateway.domain.registration import RegistrationMeans, RegistrationType, SubmittedRegistration
from gateway.domain.workday import BELGIUM
from gateway.services import registrations
from gateway.services.checking import CheckWorker
from storage.database import transaction
from storage.tables import declaration_chain, declarations, employments, enterprises, persons

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


def measure(
    kind: str, registration_count: int, declaration_count: int = 100_000
) -> dict[str, float]:
    say(f"checks on {kind}: {declaration_count} declarations, {registration_count} registrations")
    place = scratch(kind)
    try:
        people = fill_registries(place.engine, declaration_count, workers=5_000)
        fill_registrations(place.engine, people, registration_count, declaration_count)
        worker = CheckWorker(place.engine, batch_size=500)
        started = time.perf_counter()
        days = 0
        while checked := worker.run_once():
            days += checked
        elapsed = time.perf_counter() - started
    finally:
        place.cleanup()
    return {
        "registrations": registration_count,
        "worker_days": days,
        "seconds": elapsed,
        "registrations_per_s": registration_count / elapsed,
    }
