"""Concurrency and a locked database: parallel senders of the same client references store
each registration once; a database that stays locked gives a retryable SystemError, stores
nothing, and the service goes on by itself once the lock is gone."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy.engine import make_url

from tests.builders import batch
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
