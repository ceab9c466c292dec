"""Bring a database to the newest schema with Alembic, and tell whether it is there."""

from __future__ import annotations

import logging
from collections import Counter
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class MigrationRefused(Exception):
    """The migration would leave the database inconsistent; nothing was changed."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``, the newest unless told (an older one is for upgrade tests),
    in one transaction.

    SQLite changes a table's constraints by copying the table and dropping the old one, which
    it refuses while rows of other tables refer to it and foreign keys are on. So, as SQLite
    itself prescribes for such changes, they are off while migrating and checked before the
    commit instead: a migration that leaves a reference dangling is rolled back. A database
    that is current is left alone (the check reads every referring row)."""
    if revision == "head" and is_current(engine):
        return
    config = _config()
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, where SQLite takes it into account
            driver.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def _check_foreign_keys(connection: Connection) -> None:
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        counts = Counter(row[0] for row in dangling)
        where = ", ".join(f"{table} ({count})" for table, count in sorted(counts.items()))
        raise MigrationRefused(
            f"the database was not migrated: rows of {where} refer to rows that do not "
            "exist; list them with PRAGMA foreign_key_check, repair or remove them, then "
            "migrate again"
        )


@cache
def _head() -> str | None:
    """The newest revision: reading the migration scripts takes about 20 ms, and they do not
    change while the process runs (``/ready`` asks at every probe)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_current(engine: Engine) -> bool:
    head = _head()
    # Asking is not migrating: alembic would note the context it sets up (its dialect, its
    # DDL in a transaction or not) on every command and every worker that opens a database.
    notes = logging.getLogger("alembic.runtime.migration")
    level = notes.level
    notes.setLevel(logging.WARNING)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head
    finally:
        notes.setLevel(level)
