"""Searches stay index-backed however many registrations there are: on PostgreSQL, with a
table large enough for the planner to choose, every kind of search uses the index of the key
searched on (a missing index shows as a Seq Scan or another index in the plan); a search by a
worker, work place or employer reads that key's index period by period, and only its rows
are tried for visibility. On SQLite, whose planner has no statistics to go by, the same holds
(bench/search.py measures it on a million registrations)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql

from gateway.domain.consultation import SearchCriteria
from storage.consultation import page_query
from storage.database import execute_many, transaction
from tests.conftest import empty_postgres, sqlite_database

PERIODS = ((date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 12, 5), date(2026, 12, 5)))


EMPLOYER_VIEW = (
    "ix_registrations_company_id_work_day",
    "ix_registrations_sender_company_id_work_day",
    "ix_chain_visibility_viewer",
)
WORKER = ("ix_registrations_worker_key_work_day",)


@pytest.fixture(scope="module")
def many_registrations(postgres_engine):  # type: ignore[no-untyped-def]
    """60,000 registrations of 300 employers, 3,000 workers, 200 work places and 120 days, so
    that the planner chooses as it would on a large table."""
    empty_postgres(postgres_engine)
    created = datetime(2026, 12, 31)
    statement = (
        "INSERT INTO registrations (id, inss, company_id, workplace_id, registration_type, "
        "registered_at, utc_offset_minutes, means, emergency_procedure, sender_id, "
        "sender_company_id, sender_user_type, channel, created_at, status, worker_key, "
        "work_day, validation_runs) VALUES (?, ?, ?, ?, 'CHECK_IN', ?, 60, 'BADGE', false, "
        "'s', ?, 'EMPLOYER', 'WEBSERVICE', ?, 'VALIDATED', ?, ?, 1)"
    )
    rows = []
    for i in range(60_000):
        moment = datetime(2026, 9, 1, 6) + timedelta(days=i % 120, minutes=i % 600)
        inss = f"{70_000_000_000 + i % 3_000:011d}"
        company = f"0{400_000_000 + i % 300:09d}"
        rows.append(
            (
                i + 1,
                inss,
                company,
                f"DW{i % 200:011d}",
                moment,
                company,
                created,
                "N:" + inss,
                moment.date(),
            )
        )
    with transaction(postgres_engine) as connection:
        execute_many(connection, statement, rows)
    with postgres_engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE registrations")
    yield
    empty_postgres(postgres_engine)


@pytest.mark.parametrize(
    ("criteria", "viewer", "indexes"),
    [
        (SearchCriteria(PERIODS), "0403170701", EMPLOYER_VIEW),
        (
            SearchCriteria(PERIODS, inss="85073003328"),
            "0403170701",
            ("ix_registrations_worker_key_work_day", "ix_chain_visibility_viewer"),
        ),
        (
            SearchCriteria(PERIODS, company_id="0403170701"),
            "0403170701",
            ("ix_registrations_company_id_work_day",),
        ),
        (SearchCriteria(PERIODS, inss="85073003328"), None, WORKER),
        (
            SearchCriteria(PERIODS, company_id="0760544138"),
            None,
            ("ix_registrations_company_id_work_day",),
        ),
        (
            SearchCriteria(PERIODS, workplace_id="DW2026000001"),
            None,
            ("ix_registrations_workplace_id_work_day",),
        ),
        (
            SearchCriteria(PERIODS, sort="REGISTRATION DATE", descending=True),
            "0403170701",
            EMPLOYER_VIEW,
        ),
    ],
    ids=[
        "employer view",
        "employer by worker",
        "employer by its own workers",
        "operator by worker",
        "operator by employer",
        "operator by work place",
        "employer sorted",
    ],
)
@pytest.mark.postgres
def test_a_search_plan_uses_the_index_of_its_key(
    postgres_engine, many_registrations, criteria, viewer, indexes
):
    query = page_query(criteria, viewer).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    with postgres_engine.connect() as connection:
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {query}"))
    assert "Seq Scan on registrations" not in plan, plan
    for index in indexes:
        assert index in plan, plan


@pytest.mark.parametrize(
    ("criteria", "viewer", "leading"),
    [
        (SearchCriteria(PERIODS, inss="85073003328"), "0403170701", "worker_key"),
        (SearchCriteria(PERIODS, workplace_id="DW2026000001"), "0403170701", "workplace_id"),
        (SearchCriteria(PERIODS, company_id="0403170701"), "0403170701", "company_id"),
        (SearchCriteria(PERIODS, company_id="0760544138"), "0403170701", "company_id"),
    ],
    ids=["employer by worker", "by work place", "by its own workers", "by another employer"],
)
def test_on_sqlite_a_search_by_a_key_reads_that_keys_index_period_by_period(
    tmp_path, criteria, viewer, leading
):
    sqlite_engine = sqlite_database(tmp_path)
    query = page_query(criteria, viewer).compile(
        dialect=sqlite_engine.dialect, compile_kwargs={"literal_binds": True}
    )
    with sqlite_engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")]
    searches = [step for step in plan if step.startswith("SEARCH registrations")]
    index = f"ix_registrations_{leading}_work_day ({leading}=? AND work_day>? AND work_day<?)"
    assert len(searches) == len(PERIODS), plan  # one range per period
    assert all(index in step for step in searches), plan


def _sqlite_plan(tmp_path, criteria, viewer):  # type: ignore[no-untyped-def]
    sqlite_engine = sqlite_database(tmp_path)
    query = page_query(criteria, viewer).compile(
        dialect=sqlite_engine.dialect, compile_kwargs={"literal_binds": True}
    )
    with sqlite_engine.connect() as connection:
        return [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")]


def _before_the_chain(plan: list[str]) -> list[str]:
    """The steps of an employer-wide search's own and sent parts, which come first."""
    chain = next(i for i, step in enumerate(plan) if "chain_visibility" in step)
    return plan[:chain]


def test_on_sqlite_all_an_employer_may_see_is_gathered_by_the_indexes_of_visibility(tmp_path):
    """Its own workers, what it sent for another's workers (an index of those alone, see
    migration 0008) and the chain below it, each by its index; the first two one range of
    days per period, not every day of the employer."""
    plan = _sqlite_plan(tmp_path, SearchCriteria(PERIODS), "0403170701")
    text = "\n".join(plan)
    for index in EMPLOYER_VIEW:
        assert f"USING INDEX {index}" in text or f"USING COVERING INDEX {index}" in text, text
    for key in ("company_id", "sender_company_id"):
        searches = [
            step
            for step in _before_the_chain(plan)
            if f"ix_registrations_{key}_work_day ({key}=" in step
        ]
        ranges = [step for step in searches if f"({key}=? AND work_day>? AND work_day<?)" in step]
        assert len(ranges) == len(searches) == len(PERIODS), text


@pytest.mark.parametrize("viewer", ["0403170701", None], ids=["employer", "operator"])
def test_on_sqlite_periods_that_overlap_or_touch_are_read_as_one_range(tmp_path, viewer):
    """31 periods of a day each, a month, read as one range rather than 31 (or all days)."""
    periods = [(date(2026, 11, 1) + timedelta(days=d),) * 2 for d in range(31)]
    periods.append((date(2026, 11, 10), date(2026, 11, 20)))  # within them
    criteria = SearchCriteria(tuple(periods), workplace_id="DW2026000001")
    by_work_place = _sqlite_plan(tmp_path / "by work place", criteria, viewer)
    everything = _sqlite_plan(tmp_path / "all", SearchCriteria(tuple(periods)), "0403170701")
    # One range per index read: the work place's; the employer's and the sender's.
    for plan, reads in ((by_work_place, 1), (_before_the_chain(everything), 2)):
        ranges = [step for step in plan if "work_day>? AND work_day<?" in step]
        assert len(ranges) == reads, "\n".join(plan)
