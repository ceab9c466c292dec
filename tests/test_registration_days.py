"""A search counts an employer's registrations from the counts per employer, contract and work
day (``registration_days``), which the database's triggers keep: the count it answers is the
number of registrations it finds, for every visibility rule (its own workers, what it sent
for another's, the chain below it), for an operator, and after registrations are added,
corrected, cancelled and deleted, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from gateway.domain.consultation import SearchCriteria
from gateway.domain.registration import Contract, Status
from storage import consultation
from storage.database import execute_many, transaction
from storage.tables import chain_visibility, registrations

A, B, C, D = "0403170701", "0760544138", "0873909226", "0202239951"
FIRST = date(2026, 11, 1)
PERIODS = (
    (FIRST, FIRST + timedelta(days=2)),
    (FIRST + timedelta(days=5), FIRST + timedelta(days=5)),
)


def _insert(engine: Engine) -> None:
    """Registrations over 8 days: of A, B, C and of no employer (a Limosa worker), sent by
    their employer or by A for B's workers, of both contracts; B's and C's at work place
    DW1 are in the chain below A."""
    statement = (
        "INSERT INTO registrations (id, inss, company_id, workplace_id, registration_type, "
        "registered_at, utc_offset_minutes, means, emergency_procedure, sender_id, "
        "sender_company_id, sender_user_type, channel, created_at, status, worker_key, "
        "work_day, validation_runs, contract) VALUES (?, ?, ?, ?, 'CHECK_IN', ?, 60, 'BADGE', "
        "false, 's', ?, 'EMPLOYER', 'WEBSERVICE', ?, 'VALIDATED', ?, ?, 1, ?)"
    )
    employers = (A, B, C, None)
    rows = []
    for i in range(400):
        day = FIRST + timedelta(days=i % 8)
        company = employers[i % 4]
        sender = A if company == B and i % 3 == 0 else company or D
        inss = f"{70_000_000_000 + i % 37:011d}"
        rows.append(
            (
                i + 1,
                inss,
                company,
                f"DW{i % 2 + 1}",
                datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=i),
                sender,
                datetime(2026, 12, 1),
                "N:" + inss,
                day,
                Contract.CHECKIN_AT_WORK.value if i % 5 == 0 else Contract.CIAO.value,
            )
        )
    with transaction(engine) as connection:
        execute_many(connection, statement, rows, temporal=(4, 6, 8))
        connection.execute(
            chain_visibility.insert(),
            [
                {"workplace_id": "DW1", "viewer": A, "company_id": B},
                {"workplace_id": "DW1", "viewer": A, "company_id": C},
            ],
        )


def _searches() -> list[tuple[SearchCriteria, str | None]]:
    plain = SearchCriteria(PERIODS, fetch_size=5)
    return [
        (criteria, viewer)
        for criteria in (
            plain,
            dataclasses.replace(plain, contract=None),
            dataclasses.replace(plain, contract=Contract.CHECKIN_AT_WORK),
            dataclasses.replace(plain, company_id=A),
            dataclasses.replace(plain, company_id=B),
            dataclasses.replace(plain, company_id=C, contract=None),
            dataclasses.replace(plain, sort="REGISTRATION DATE", descending=True),
            dataclasses.replace(plain, statuses=(Status.CANCELLED,)),
        )
        for viewer in (A, B, C, D, None)
    ]


def _counts_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        for criteria, viewer in _searches():
            total, page = consultation.search(connection, criteria, viewer)
            everything = dataclasses.replace(criteria, fetch_size=10_000)
            found = connection.execute(consultation.page_query(everything, viewer)).all()
            assert total == len(found), (criteria, viewer)
            assert [r.id for r in page] == [row.id for row in found[:5]], (criteria, viewer)


def test_a_search_counts_what_it_finds_as_registrations_come_and_change(engine):
    _insert(engine)
    _counts_agree(engine)
    with transaction(engine) as connection:  # corrections of the employer, a cancel
        connection.execute(
            update(registrations).where(registrations.c.id % 7 == 0).values(company_id=D)
        )
        connection.execute(
            update(registrations).where(registrations.c.id % 11 == 0).values(company_id=None)
        )
        consultation.cancel(connection, [3, 4, 5], "MISTAKE", datetime(2026, 12, 2))
    _counts_agree(engine)
    with transaction(engine) as connection:
        gone = [
            row.id
            for row in connection.execute(
                select(registrations.c.id).where(registrations.c.id > 100).limit(30)
            )
        ]
        connection.execute(registrations.delete().where(registrations.c.id.in_(gone)))
    _counts_agree(engine)


@pytest.mark.parametrize("sort", ["REGISTRATION DATE", "ID", "STATUS"])
def test_the_first_page_of_an_employer_sorted_newest_first_is_its_newest(engine, sort):
    _insert(engine)
    with transaction(engine) as connection:
        consultation.cancel(connection, [1, 9, 17], "MISTAKE", datetime(2026, 12, 2))
    criteria = SearchCriteria(PERIODS, company_id=A, fetch_size=20, sort=sort, descending=True)
    key = {
        "REGISTRATION DATE": lambda r: (r.submitted.registered_at, r.id),
        "ID": lambda r: (r.id,),
        "STATUS": lambda r: (r.last_validation.status.value, r.id),
    }[sort]
    with engine.connect() as connection:
        _, page = consultation.search(connection, criteria, A)
        _, everything = consultation.search(
            connection, dataclasses.replace(criteria, fetch_size=10_000, sort="ID"), A
        )
    newest = sorted(everything, key=key, reverse=True)[:20]
    assert [r.id for r in page] == [r.id for r in newest]
