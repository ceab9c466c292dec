"""Check workers as separate processes on PostgreSQL: several at once, and one killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from gateway.demo import national_number
from gateway.domain.identity import Account, Role
from gateway.domain.registration import RegistrationMeans, RegistrationType, SubmittedRegistration
from gateway.domain.workday import BELGIUM
from gateway.services import registrations
from storage.database import transaction
from storage.tables import check_queue
from storage.tables import registrations as registration_rows
from tests.conftest import empty_postgres
from tests.processes import wait_until

pytestmark = pytest.mark.postgres
WORKERS_PER_DAY = 5


def fill(engine: Engine, count: int) -> None:
    """``count`` registrations, five per worker day, stored the way registerPresences does."""
    account = Account("bulk", "0403170701", Role.EMPLOYER)
    day = datetime(2026, 11, 2, 6, 0, tzinfo=BELGIUM)
    kinds = (
        RegistrationType.CHECK_IN,
        RegistrationType.BREAK_START,
        RegistrationType.BREAK_END,
        RegistrationType.CHECK_OUT,
        RegistrationType.CHECK_OUT,
    )
    batch = []
    for index in range(count):
        worker = index // WORKERS_PER_DAY
        batch.append(
            SubmittedRegistration(
                workplace_id="DW2026000001",
                registration_type=kinds[index % WORKERS_PER_DAY],
                registered_at=day + timedelta(hours=index % WORKERS_PER_DAY),
                means=RegistrationMeans.BADGE,
                inss=national_number(datetime(1970, 1, 1).date() + timedelta(days=worker), 1),
                company_id="0403170701",
                emergency_procedure=True,
            )
        )
    now = datetime.now(UTC)
    for start in range(0, count, 200):
        with transaction(engine) as connection:
            registrations.register(
                connection, account, batch[start : start + 200], now, timedelta(minutes=5)
            )


def worker(engine: Engine, *options: str) -> subprocess.Popen[bytes]:
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "worker",
            "--database",
            url,
            "--idle-seconds",
            "0.1",
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )


def counts(engine: Engine) -> tuple[int, int, int]:
    """(unchecked registrations, registrations checked more than once, queued days)."""
    with engine.connect() as connection:
        unchecked = connection.execute(
            select(func.count())
            .select_from(registration_rows)
            .where(registration_rows.c.validation_runs == 0)
        ).scalar_one()
        twice = connection.execute(
            select(func.count())
            .select_from(registration_rows)
            .where(registration_rows.c.validation_runs > 1)
        ).scalar_one()
        queued = connection.execute(select(func.count()).select_from(check_queue)).scalar_one()
    return unchecked, twice, queued


def test_two_workers_check_10000_registrations_each_exactly_once(postgres_engine):
    empty_postgres(postgres_engine)
    fill(postgres_engine, 10_000)
    assert counts(postgres_engine) == (10_000, 0, 10_000 // WORKERS_PER_DAY)
    processes = [worker(postgres_engine, "--batch-size", "100", "--until-empty") for _ in range(2)]
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read() if process.stderr else ""
    unchecked, twice, queued = counts(postgres_engine)
    print(f"\n10000 registrations checked by 2 workers: {unchecked} missed, {twice} twice")
    assert (unchecked, twice, queued) == (0, 0, 0)


def test_a_worker_killed_mid_run_loses_nothing(postgres_engine):
    empty_postgres(postgres_engine)
    # Enough for the worker to need over a second: with 3,000 (0.3 s of checks), a stall of
    # this process of a few tenths of a second between seeing progress and the kill let the
    # worker finish first.
    total = 15_000
    fill(postgres_engine, total)
    victim = worker(postgres_engine, "--batch-size", "50", "--lease-seconds", "2")
    wait_until(lambda: counts(postgres_engine)[0] < total, 60, "the first worker's progress")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert counts(postgres_engine)[0] > 0, "the worker finished before it could be killed"
    survivor = worker(postgres_engine, "--batch-size", "50", "--lease-seconds", "2")
    try:
        wait_until(lambda: counts(postgres_engine)[::2] == (0, 0), 120, "checking everything")
    finally:
        survivor.terminate()
        survivor.wait(timeout=30)
    assert counts(postgres_engine) == (0, 0, 0)
