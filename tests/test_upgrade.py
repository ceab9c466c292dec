"""Upgrading a database that is in use: migration 0007 rebuilds the registrations' index of
client references (on SQLite by copying the table that validations and corrections refer to)
0008 the index of what was sent for other companies' workers, and 0012 adds the contract a
registration arrived under; every registration, its history and its reference stay as they
were. 0014 moves the signature values already received in with the nonces."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from gateway.cli import main
from gateway.domain.registration import StoredRegistration
from gateway.services.authentication import SIGNATURES
from gateway.services.registrations import register_from
from storage import accounts, migrate
from storage.database import transaction
from storage.tables import registrations
from tests.builders import BADGE_SYSTEM, check_in
from tests.conftest import postgres_database, sqlite_database


def database_at(revision: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, migrated up to ``revision`` only."""
    if request.param == "sqlite":
        engine = sqlite_database(tmp_path, revision)
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_engine")  # skips when PostgreSQL is unreachable
    with postgres_database(revision) as engine:
        yield engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from database_at("0006", request, tmp_path)


_COLUMNS = [column.name for column in registrations.columns]
COPY_WITH_A_NEW_ID = (
    f"INSERT INTO registrations ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join('id + 1000' if c == 'id' else c for c in _COLUMNS)} "
    "FROM registrations WHERE id = :id"
)
INDEX_DEFINITION = {
    "sqlite": "SELECT sql FROM sqlite_master WHERE name = '{}'",
    "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = '{}'",
}


def index_definition(engine: Engine, name: str) -> str:
    return str(scalar(engine, INDEX_DEFINITION[engine.dialect.name].format(name)))


def register(engine: Engine, references: list[str | None]) -> list[int]:
    now = datetime.now(UTC)
    sent = [check_in(now - timedelta(minutes=1 + i), r) for i, r in enumerate(references)]
    with transaction(engine, registering=True) as connection:
        answers = register_from(connection, BADGE_SYSTEM, sent, now, timedelta(minutes=5))
    assert all(isinstance(a, StoredRegistration) for a in answers)
    return [a.id for a in answers]  # type: ignore[union-attr]


_BEFORE_0012 = (
    "INSERT INTO registrations (inss, company_id, workplace_id, registration_type, "
    "registered_at, utc_offset_minutes, means, emergency_procedure, client_reference, "
    "sender_id, sender_company_id, sender_user_type, channel, created_at, status, worker_key, "
    "work_day, validation_runs) VALUES ('85073003328', '0403170701', 'DW2026000001', "
    "'CHECK_IN', :at, 60, 'BADGE', :no, :reference, 'badge-system', '0403170701', 'EMPLOYER', "
    "'WEBSERVICE', :at, 'SUCCESSFULLY REGISTERED', 'N:85073003328', :day, 0)"
)


def register_before_0012(engine: Engine, references: list[str | None]) -> list[int]:
    """Registrations as a gateway before migration 0012 stored them (without a contract)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with engine.begin() as connection:  # nothing staged to merge, and an older schema
        for index, reference in enumerate(references):
            at = now - timedelta(minutes=1 + index)
            values = {"at": at, "day": at.date(), "reference": reference, "no": False}
            connection.execute(text(_BEFORE_0012), values)
        found = connection.execute(text("SELECT id FROM registrations ORDER BY id"))
        return [int(row[0]) for row in found][-len(references) :]


def scalar(engine: Engine, query: str) -> object:
    with transaction(engine) as connection:  # merges what is staged first
        return connection.execute(text(query)).scalar_one()


def test_registrations_their_history_and_references_survive_migration_0007(database_at_0006):
    engine = database_at_0006
    kept, plain = register_before_0012(engine, ["kept-1", None])
    with engine.begin() as connection:  # a checked registration has a validation history
        connection.execute(
            text(
                "INSERT INTO validations (registration_id, status, validated_at, remark_codes) "
                "VALUES (:id, 'VALIDATED WITH REMARKS', :at, 'W001')"
            ),
            {"id": plain, "at": datetime(2026, 12, 1, 12, 0)},
        )

    migrate.upgrade(engine)

    assert migrate.is_current(engine)
    assert scalar(engine, "SELECT count(*) FROM registrations") == 2
    # 0012: what was stored before arrived under CIaO, and has no sector.
    assert scalar(engine, "SELECT count(*) FROM registrations WHERE contract = 'CIAO'") == 2
    assert scalar(engine, "SELECT count(sector) FROM registrations") == 0
    assert scalar(engine, "SELECT registration_id FROM validations") == plain
    assert register(engine, ["kept-1"]) == [kept]  # a resend is answered with the original
    assert len(set(register(engine, [None, None]))) == 2  # no reference: never a duplicate
    assert scalar(engine, "SELECT count(*) FROM registrations") == 4
    # The reference is still unique per sender.
    with pytest.raises(IntegrityError), transaction(engine) as connection:
        connection.execute(text(COPY_WITH_A_NEW_ID), {"id": kept})
    references = index_definition(engine, "uq_registrations_sender_id_client_reference")
    assert "client_reference IS NOT NULL" in references
    # 0008: what a company sent is indexed only where it is another company's worker.
    sent = index_definition(engine, "ix_registrations_sender_company_id_work_day")
    assert "WHERE" in sent and "sender_company_id" in sent.split("WHERE", 1)[1], sent
    if engine.dialect.name == "sqlite":  # foreign keys are on again, for every connection
        assert scalar(engine, "PRAGMA foreign_keys") == 1
        with pytest.raises(IntegrityError, match="FOREIGN KEY"), transaction(engine) as c:
            c.execute(text("DELETE FROM registrations WHERE id = :id"), {"id": plain})


def test_an_upgrade_that_would_leave_a_dangling_reference_changes_nothing(tmp_path, capsys):
    """SQLite migrates with foreign keys off and checks them before the commit: a database
    holding a history entry of a registration that does not exist (written by hand, with
    foreign keys off) is refused whole, with what to do next, and stays at its revision."""
    path = tmp_path / "ciao.db"
    sqlite_database(tmp_path, "0006").dispose()
    with sqlite3.connect(path) as by_hand:
        by_hand.execute(
            "INSERT INTO validations (registration_id, status, validated_at) "
            "VALUES (404, 'VALIDATED', '2026-12-01 12:00:00')"
        )

    capsys.readouterr()  # what the set-up wrote (its migrations' log lines)
    code = main(["migrate", "--database", f"sqlite:///{path}"])

    error = capsys.readouterr().err
    assert code == 2
    assert "rows of validations (1) refer to rows that do not exist" in error
    assert "PRAGMA foreign_key_check" in error and "Traceback" not in error
    with sqlite3.connect(path) as by_hand:
        assert by_hand.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at_0013(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from database_at("0013", request, tmp_path)


def test_signature_values_received_before_0014_are_still_refused_as_replays(database_at_0013):
    digest = "ab" * 32
    with database_at_0013.begin() as connection:
        connection.execute(
            text("INSERT INTO used_signatures (digest, created_at) VALUES (:d, :at)"),
            {"d": digest, "at": datetime.now(UTC).replace(tzinfo=None)},
        )
    migrate.upgrade(database_at_0013)
    with transaction(database_at_0013) as connection:
        moment = datetime.now(UTC).replace(tzinfo=None)
        assert not accounts.use_nonce(connection, SIGNATURES, digest, moment)
