"""A check worker idle on PostgreSQL, whose LISTEN connection the database's outage broke,
listens again once it is back: a registration stored then is checked at once, not after the
worker's longest idle wait. The outage is real: the worker reaches PostgreSQL through a TCP
relay on loopback that the test cuts and restores."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from gateway.domain.identity import Account, Role
from gateway.services import registrations
from storage.database import create_database_engine, reading, transaction
from storage.tables import registrations as registration_rows
from tests.builders import check_in
from tests.conftest import empty_postgres
from tests.processes import wait_until
from tests.reliability.test_database_outage import Relay
from tests.test_idle_check_worker import Statements, check_worker

pytestmark = pytest.mark.postgres


def register(engine: Engine, reference: str) -> None:
    account = Account("badge-system", "0403170701", Role.EMPLOYER)
    now = datetime.now(UTC)
    with transaction(engine) as connection:
        registrations.register(
            connection, account, [check_in(now - timedelta(hours=1), reference)], now, timedelta(0)
        )


def checked(engine: Engine, reference: str) -> bool:
    with reading(engine) as connection:
        runs = connection.execute(
            registration_rows.select()
            .with_only_columns(registration_rows.c.validation_runs)
            .where(registration_rows.c.client_reference == reference)
        ).scalar_one()
    return bool(runs)


def test_an_idle_worker_listens_again_after_an_outage(postgres_engine, caplog):
    empty_postgres(postgres_engine)
    direct = postgres_engine.url
    relay = Relay((direct.host or "127.0.0.1", direct.port or 5432))
    relay.start()
    relayed = create_database_engine(
        make_url(direct.render_as_string(hide_password=False))
        .set(host="127.0.0.1", port=relay.port)
        .render_as_string(hide_password=False)
    )
    statements = Statements(relayed)
    try:
        with (
            caplog.at_level(logging.WARNING, logger="ciao.checks"),
            check_worker(relayed, idle_seconds=60),  # only a notice wakes it in time
        ):
            wait_until(lambda: statements.looks() >= 1, 10, "the worker's first look")
            register(postgres_engine, "before-the-outage")
            wait_until(lambda: checked(postgres_engine, "before-the-outage"), 10, "a check")

            relay.cut()
            wait_until(lambda: "LISTEN connection failed" in caplog.text, 10, "the broken LISTEN")
            relay.start()  # PostgreSQL is back on the same address
            looks = statements.looks()
            wait_until(lambda: statements.looks() > looks, 10, "a look once back")
            register(postgres_engine, "after-the-outage")
            wait_until(lambda: checked(postgres_engine, "after-the-outage"), 10, "the check after")
    finally:
        relay.cut()
        relayed.dispose()
    assert caplog.text.count("LISTEN connection failed") == 1  # once, not at every retry
