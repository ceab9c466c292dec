"""Storage: the migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage import migrate
from storage.tables import metadata


def test_the_migrations_match_the_declared_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_migrated_database_is_current_and_upgrading_again_is_harmless(engine):
    assert migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
