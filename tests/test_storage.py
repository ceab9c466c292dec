"""Storage: the migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, DateTime, MetaData, Table, select
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.database import at_driver, moment_values, naive_utc
from storage.tables import metadata


def test_the_migrations_match_the_declared_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_migrated_database_is_current_and_upgrading_again_is_harmless(engine):
    assert migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)


def test_a_registration_time_is_stored_as_sqlalchemy_stores_a_time_and_reads_back(engine):
    """Registering passes times to the driver as plain values (``moment_values``); read back
    through SQLAlchemy they are the same UTC times, to the microsecond."""
    times = [
        datetime(2026, 11, 27, 8, 0, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2024, 3, 31, 0, 30, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(999, 1, 1, 1, 0, tzinfo=UTC),
    ]
    table = Table("moments", MetaData(), Column("at", DateTime))
    with engine.connect() as connection:
        table.create(connection)
        moment = moment_values(connection)
        if engine.dialect.name == "sqlite":
            stores = DateTime().dialect_impl(connection.dialect).bind_processor(connection.dialect)
            assert [moment(t) for t in times] == [stores(naive_utc(t)) for t in times]
        marker = "?" if engine.dialect.name == "sqlite" else "%s"  # the driver's own
        connection.exec_driver_sql(
            f"INSERT INTO moments (at) VALUES ({marker})", [(moment(t),) for t in times]
        )
        read = connection.execute(select(table.c.at)).scalars().all()
        connection.rollback()
    assert read == [t.astimezone(UTC).replace(tzinfo=None) for t in times]


@pytest.mark.postgres
def test_postgresql_plans_every_execution_with_its_own_values(postgres_engine):
    """A statement psycopg prepared on the server may otherwise run on a generic plan: a
    search's page from row 9,500 took 210 ms that way against 21 ms (bench/search.py)."""
    with postgres_engine.connect() as connection:
        mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
    assert mode == "force_custom_plan"


def test_a_look_up_at_the_driver_reads_in_the_transaction_and_fails_as_sqlalchemy_fails(engine):
    """The hot path's look-ups skip SQLAlchemy's execution (``at_driver``) on SQLite: they
    see their own transaction's writes, and their failures still arrive as SQLAlchemy's
    errors, which the SOAP edge answers, without the values bound to them."""
    username = ("schoonmaak-badges",)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO used_nonces (username, nonce, created_at) "
            "VALUES ('schoonmaak-badges', 'bm9uY2UtN2YzYQ==', '2026-12-04 08:00:00')"
        )
        found = at_driver(connection, "SELECT nonce FROM used_nonces WHERE username = ?", username)
        assert found == [("bm9uY2UtN2YzYQ==",)]
    with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
        at_driver(connection, "SELECT nonce FROM used_nonce WHERE username = ?", username)
    assert "FROM used_nonce WHERE" in str(raised.value)
    assert "[parameters:" not in str(raised.value)
