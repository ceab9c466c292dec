"""The database of ``make bench-scale``: registrations of ``bench.dataset``'s shape by the
million on PostgreSQL, in a database of its own that is kept between runs.

It is made as an operator's would be (``storage.migrate``, then the bench account), then
filled by COPY (``bench.dataset.fill``) with the secondary indexes of ``registrations`` left
out and built again afterwards from their own definitions, as ``pg_restore`` loads a dump
(half a million rows: 21 s to load and 10 s to index, against 56 s to load with the indexes
kept up to date row by row). A database built to the end is marked by a comment naming its
size, so that ``--reuse`` takes only a whole one; reused, it is migrated as an operator would
migrate it, populated."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench import dataset
from bench.common import PASSWORD, POSTGRES_URL, USERNAME, Scratch, say
from gateway.config import Settings
from gateway.services import accounts
from gateway.services.passwords import SecretKey
from storage import migrate
from storage.database import create_database_engine, normalise_url, transaction

# A folder per database in the repository's gitignored var/, for the bench account's secret
# key (kept with the database: the account's PasswordDigest secret is sealed with it) and
# the export's file.
FOLDERS = Path(__file__).resolve().parent.parent / "var" / "bench-scale"
# For the index builds after the load, in the loading session only (the server's default,
# 64 MB, sorts ten million keys on disk in several passes).
_INDEX_MEMORY = "512MB"


@dataclass
class Database:
    """The database a run measures, and how it came to be."""

    place: Scratch
    reused: bool
    build_seconds: float | None  # None when reused
    migrate_seconds: float
    migrated_from: str | None
    migrated_to: str | None


def mark(rows: int, days: int) -> str:
    return f"ciao-gateway bench-scale: {rows} registrations over {days} days, built"


def open_database(name: str, rows: int, days: int, reuse: bool, drop: bool) -> Database:
    """The database ``name`` with ``rows`` registrations over ``days``: the one there if
    ``reuse`` and it was built to that size (and migrated now), else built anew. Dropped
    when the run ends if ``drop``, else kept for a later ``--reuse``."""
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    url = make_url(normalise_url(POSTGRES_URL)).set(database=name).render_as_string(False)
    settings = Settings(
        database_url=url,
        secret_key_file=FOLDERS / name / "secret.key",
        environment="Test",
        max_body_bytes=4 * 1024 * 1024,
    )
    try:
        wanted = mark(rows, days)
        found = _comment(admin, name)
        if reuse and found == wanted and settings.secret_key_file.exists():
            engine = create_database_engine(url)
            migrated = _migrate(engine)
            say(f"reusing {name}: {rows} registrations, migrated in {migrated[0]:.1f} s")
            return Database(_place(settings, engine, admin, name, drop), True, None, *migrated)
        if reuse:
            say(f"{name} is not a whole database of {rows} registrations: building it")
        engine, migrated = _create(admin, name, settings)
        started = time.perf_counter()
        _build(engine, rows, days)
        build_seconds = time.perf_counter() - started
        with admin.connect() as connection:
            connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'"))
        say(f"{name} built in {build_seconds:.0f} s")
        place = _place(settings, engine, admin, name, drop)
        return Database(place, False, build_seconds, *migrated)
    except BaseException:
        admin.dispose()
        raise


def _comment(admin: Engine, name: str) -> str | None:
    with admin.connect() as connection:
        return connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": name},
        ).scalar()


def _create(admin: Engine, name: str, settings: Settings) -> tuple[Engine, tuple[Any, ...]]:
    """A new, empty database ``name`` (any before it dropped), migrated, with the account."""
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    settings.secret_key_file.parent.mkdir(parents=True, exist_ok=True)
    settings.secret_key_file.unlink(missing_ok=True)
    engine = create_database_engine(settings.database_url)
    migrated = _migrate(engine)
    with transaction(engine) as connection:
        key = SecretKey.load_or_create(settings.secret_key_file)
        accounts.add(connection, key, USERNAME, PASSWORD, dataset.COMPANY, "EMPLOYER")
    return engine, migrated


def _migrate(engine: Engine) -> tuple[float, str | None, str | None]:
    """``storage.migrate.upgrade``, timed: its seconds, and the revisions before and after."""
    before = _revision(engine)
    started = time.perf_counter()
    migrate.upgrade(engine)
    return time.perf_counter() - started, before, _revision(engine)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _build(engine: Engine, rows: int, days: int) -> None:
    """``rows`` registrations, the secondary indexes of ``registrations`` built afterwards
    from their own definitions (as the migrations made them), then vacuumed and analysed as
    autovacuum leaves a table that has stood a while."""
    with transaction(engine) as connection:
        indexes = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registrations' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        ).all()
        for index, _ in indexes:
            connection.execute(text(f'DROP INDEX "{index}"'))
    dataset.fill(engine, rows, days)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"SET maintenance_work_mem = '{_INDEX_MEMORY}'"))
        for index, definition in indexes:
            started = time.perf_counter()
            connection.execute(text(definition))
            say(f"  {index} built in {time.perf_counter() - started:.0f} s")
        connection.execute(text("VACUUM (ANALYZE) registrations"))


def _place(settings: Settings, engine: Engine, admin: Engine, name: str, drop: bool) -> Scratch:
    def cleanup() -> None:
        engine.dispose()
        if drop:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            shutil.rmtree(settings.secret_key_file.parent, ignore_errors=True)
        admin.dispose()

    return Scratch(settings, engine, cleanup)


# The server's settings that decide the plans read here: how much it caches itself (the rest
# is the system's page cache), what a random read costs against a sequential one, and when it
# compiles a statement (JIT) before running it.
SETTINGS = ("shared_buffers", "effective_cache_size", "random_page_cost", "work_mem", "jit")


def settings(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {name: connection.exec_driver_sql(f"SHOW {name}").scalar_one() for name in SETTINGS}


def sizes(engine: Engine) -> dict[str, Any]:
    """The database's size on disk, the registrations table's (rows, table, indexes) and
    each index's, in MiB."""
    with engine.connect() as connection:
        whole, table, indexes, stored = connection.execute(
            text(
                "SELECT pg_database_size(current_database()), pg_table_size('registrations'), "
                "pg_indexes_size('registrations'), (SELECT max(id) FROM registrations)"
            )
        ).one()
        each = connection.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                "WHERE indrelid = 'registrations'::regclass ORDER BY 1"
            )
        ).all()
    mib = 2**20
    return {
        "registrations": stored or 0,
        "database_mib": whole / mib,
        "registrations_table_mib": table / mib,
        "registrations_indexes_mib": indexes / mib,
        "indexes_mib": {index: size / mib for index, size in each},
    }
