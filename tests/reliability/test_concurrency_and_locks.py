"""Concurrency and a locked database: parallel senders of the same client references store
each registration once (also when one stores a reference between the other's look-up and
insert); a database that stays locked gives a retryable SystemError, stores nothing, and the
service goes on by itself once the lock is gone."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from gateway.domain.registration import (
    StoredRegistration,
)
from gateway.services import registrations as service
from storage import registrations as repository
from storage.database import transaction
from tests.builders import BADGE_SYSTEM, batch, check_in
from tests.conftest import empty_postgres
from tests.soap import NS, envelope, post, register_body


def test_parallel_submissions_of_the_same_references_store_each_once(gateway):
    registrations = batch(50)
    answers: list[list[int]] = []
    failures: list[BaseException] = []

    def send() -> None:
        try:
            result = gateway.client().service.registerPresences(
                PresenceRegistrationRequest=registrations
            )
            answers.append([a.PresenceRegistration.PresenceRegistrationId for a in result])
        except BaseException as error:  # reported below, with the thread's failure
            failures.append(error)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(answers) == 8
    assert all(ids == answers[0] for ids in answers)  # every sender got the same ids
    assert gateway.count() == 50


@pytest.fixture
def sqlite_path(sqlite_gateway) -> str:  # type: ignore[no-untyped-def]
    return str(make_url(sqlite_gateway.settings.database_url).database)


def test_a_locked_database_gives_a_retryable_system_error_and_the_service_recovers(
    sqlite_gateway, sqlite_path
):
    body = envelope(register_body(1))
    locker = sqlite3.connect(sqlite_path, isolation_level=None, timeout=1)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock too long
    try:
        reply = post(sqlite_gateway.url, body)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert reply.status == 500
    assert reply.xml.find(".//e:SystemError", namespaces=NS) is not None
    assert reply.error_code == "Server.Unavailable"
    assert reply.xml.findtext(".//e:Retry", namespaces=NS) == "true"
    assert sqlite_gateway.count() == 0
    assert post(sqlite_gateway.url, body).status == 200  # the same request, once unlocked
    assert sqlite_gateway.count() == 1


@pytest.mark.postgres
def test_a_reference_stored_between_look_up_and_insert_is_answered_with_the_original(
    postgres_engine, monkeypatch
):
    """PostgreSQL lets writers interleave: another request may store a reference after this
    one looked it up. The insert then fails on the unique constraint and the batch is planned
    again against what is stored: the original is answered and nothing is stored twice."""
    empty_postgres(postgres_engine)
    sender = BADGE_SYSTEM
    now = datetime.now(UTC)
    submitted = [check_in(now - timedelta(minutes=minute), f"race-{minute}") for minute in range(3)]
    with transaction(postgres_engine) as connection:  # the other request, committed first
        (original,) = service.register_from(connection, sender, submitted[1:2], now, timedelta())
    looked_up = repository.find_by_references
    late = iter([True])
    monkeypatch.setattr(  # this request looked its references up before that commit
        repository,
        "find_by_references",
        lambda *args: {} if next(late, False) else looked_up(*args),
    )
    with transaction(postgres_engine) as connection:
        answers = service.register_from(connection, sender, submitted, now, timedelta())
    assert isinstance(original, StoredRegistration)
    assert [a.id for a in answers][1] == original.id
    assert len({a.id for a in answers}) == 3
    with postgres_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 3


@pytest.mark.postgres
def test_only_a_batch_with_references_is_planned_in_a_savepoint(postgres_engine):
    """Only references can meet another request's insert: a batch without any stores without
    the savepoint that lets a batch be planned again, one round trip each way fewer."""
    empty_postgres(postgres_engine)
    sender = BADGE_SYSTEM
    now = datetime.now(UTC)
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(postgres_engine, "before_cursor_execute", listen)
    try:
        savepoints = []
        for references in ([None, None], [None, "sp-1"]):
            statements.clear()
            with transaction(postgres_engine) as connection:
                answers = service.register_from(
                    connection,
                    sender,
                    [check_in(now - timedelta(minutes=1), r) for r in references],
                    now,
                    timedelta(),
                )
            assert all(isinstance(a, StoredRegistration) for a in answers)
            savepoints.append(any(s.startswith("SAVEPOINT") for s in statements))
    finally:
        event.remove(postgres_engine, "before_cursor_execute", listen)
    assert savepoints == [False, True]
    with postgres_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 4
