"""Staged registrations: on SQLite an acknowledged batch waits in staged_registrations until
it is merged, and nobody can tell; on PostgreSQL nothing is staged."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from storage.staging import MERGE_AT
from tests.builders import batch
from tests.conftest import RunningGateway
from tests.soap import NS, envelope, post, register_body


def raw_count(gateway: RunningGateway, table: str) -> int:
    """Rows of ``table`` as they are, without merging first (unlike ``gateway.count``)."""
    with gateway.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def register(gateway: RunningGateway, registrations: list[dict]) -> list[int]:
    answers = gateway.client().service.registerPresences(PresenceRegistrationRequest=registrations)
    return [answer.PresenceRegistration.PresenceRegistrationId for answer in answers]


def test_an_acknowledged_batch_is_found_at_once_by_search_and_get(gateway):
    ids = register(gateway, batch(3))
    staged = 3 if gateway.engine.dialect.name == "sqlite" else 0
    assert raw_count(gateway, "staged_registrations") == staged
    service = gateway.client().service
    day = date(2026, 11, 27)
    found = service.searchPresences(
        RegistrationPeriodList={"RegistrationPeriod": [{"StartDate": day, "EndDate": day}]}
    )
    assert sorted(r.PresenceRegistrationId for r in found.PresenceRegistration) == ids
    assert service.getPresenceRegistration(PresenceRegistrationId=ids[-1]).PresenceRegistrationId
    # The search merged them, ids unchanged.
    assert raw_count(gateway, "staged_registrations") == 0
    assert raw_count(gateway, "registrations") == 3


def test_registering_merges_once_enough_registrations_wait(sqlite_gateway):
    batches = MERGE_AT // 200
    answered: list[int] = []
    for number in range(1, batches + 2):
        reply = post(sqlite_gateway.url, envelope(register_body(200)))
        assert reply.status == 200, reply.body[:300]
        answered += [
            int(i) for i in reply.xml.xpath("//p:PresenceRegistrationId/text()", namespaces=NS)
        ]
        staged = raw_count(sqlite_gateway, "staged_registrations")
        assert staged == (200 * number if number < batches else 200 * (number - batches))
    assert raw_count(sqlite_gateway, "registrations") == MERGE_AT
    assert answered == list(range(1, MERGE_AT + 201))
    with sqlite_gateway.engine.connect() as connection:
        merged = connection.execute(text("SELECT id FROM registrations ORDER BY id")).scalars()
        assert list(merged) == answered[:MERGE_AT]


def test_a_reference_sent_again_is_answered_with_the_original_staged_or_merged(sqlite_gateway):
    sent = batch(2)
    first = register(sqlite_gateway, sent)
    assert register(sqlite_gateway, sent) == first  # found among the staged
    assert sqlite_gateway.count() == 2  # which merges them
    assert raw_count(sqlite_gateway, "staged_registrations") == 0
    assert register(sqlite_gateway, sent + batch(3)[2:]) == [*first, first[-1] + 1]
    assert sqlite_gateway.count() == 3
