"""Staged registrations: on SQLite an acknowledged batch waits in staged_registrations until
it is merged, and nobody can tell; on PostgreSQL nothing is staged."""

from __future__ import annotations

import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from gateway.domain.registration import (
    StoredRegistration,
)
from gateway.services.registrations import register_from
from storage import migrate
from storage import registrations as stored
from storage.database import reading, transaction
from storage.staging import MERGE_AT
from tests.builders import BADGE_SYSTEM, batch, check_in
from tests.conftest import PASSWORD, RunningGateway, sqlite_database
from tests.soap import NS, envelope, post, register_body
from tests.web import CONTRACTOR, WORKER, WORKPLACE, WebClient, base_of, works_on_site


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


def test_a_metrics_scrape_leaves_the_staged_registrations_where_they_are(sqlite_gateway):
    """A scrape reads only the check queue: it takes no write lock to merge, however often
    a monitoring system asks."""
    register(sqlite_gateway, batch(3))
    with urllib.request.urlopen(base_of(sqlite_gateway) + "/metrics", timeout=10) as response:
        assert b'ciao_check_queue_days{state="due"} 1.0' in response.read()
    assert raw_count(sqlite_gateway, "staged_registrations") == 3
    assert raw_count(sqlite_gateway, "registrations") == 0


def test_pages_that_read_no_registrations_leave_the_staged_ones_where_they_are(sqlite_gateway):
    """The worker's page (its declaration, the worker's employers), a registration made on
    it, signing in to the management pages and their pages of QR codes take no write lock
    to merge: on a busy
    gateway something is nearly always staged, and a merge of up to 10,000 registrations
    would hold up each of them."""
    works_on_site(sqlite_gateway)
    manager = WebClient(base_of(sqlite_gateway), language="en")
    assert manager.login("badge-system", PASSWORD).status == 200
    register(sqlite_gateway, batch(3))

    phone = WebClient(base_of(sqlite_gateway), language="en")
    start = phone.get(f"/r/{WORKPLACE}?via=qr")
    form = start.fields()
    form.update(kind="INSS", identifier=WORKER)
    step = phone.post(f"/r/{WORKPLACE}", form)
    assert step.status == 200, step.body
    assert raw_count(sqlite_gateway, "staged_registrations") == 3
    form = step.fields()
    form.update(
        company=CONTRACTOR,
        type="CHECK_IN",
        street="Wetstraat",
        postal_code="1000",
        municipality="Brussel",
    )
    done = phone.post(f"/r/{WORKPLACE}/register", form)
    assert done.status == 200, done.body
    assert manager.get("/manage/workplaces").texts("section.qr h2")
    assert manager.get(f"/manage/workplaces/{WORKPLACE}/qr.svg").status == 200
    assert raw_count(sqlite_gateway, "staged_registrations") == 4
    signing_in = WebClient(base_of(sqlite_gateway), language="en")
    landed = signing_in.post(
        "/manage/login",
        {"username": "badge-system", "password": PASSWORD, "next": "/manage/workplaces"},
    )
    assert landed.texts("section.qr h2")  # signed in, on a page of no registrations
    assert raw_count(sqlite_gateway, "staged_registrations") == 4
    assert raw_count(sqlite_gateway, "registrations") == 0


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


STAGED_AT_0005 = (
    "INSERT INTO staged_registrations (id, inss, company_id, workplace_id, registration_type, "
    "registered_at, utc_offset_minutes, means, emergency_procedure, client_reference, "
    "sender_id, sender_company_id, sender_user_type, channel, created_at, status, worker_key, "
    "work_day, validation_runs) VALUES (1, '85073003328', '0403170701', 'DW2026000001', "
    "'CHECK_IN', :at, 0, 'BADGE', :no, 'before-upgrade', 'badge-system', '0403170701', "
    "'EMPLOYER', 'WEBSERVICE', :at, 'SUCCESSFULLY REGISTERED', 'N:85073003328', :day, 0)"
)


def test_registrations_waiting_when_the_database_is_upgraded_are_kept(tmp_path: Path):
    """Migration 0006 copies the staging table to change its index of client references:
    what waits in it stays, and a resend after the upgrade is answered with the original."""
    engine = sqlite_database(tmp_path, "0005")
    sender = BADGE_SYSTEM
    now = datetime.now(UTC)
    sent = [check_in(now - timedelta(minutes=1), "before-upgrade")]

    def send() -> int:
        with transaction(engine, registering=True) as connection:
            (answer,) = register_from(connection, sender, sent, now, timedelta(minutes=5))
        assert isinstance(answer, StoredRegistration)
        return answer.id

    at = (now - timedelta(minutes=1)).replace(tzinfo=None)
    with engine.begin() as connection:  # as a gateway at 0005 staged it (today's has more)
        connection.execute(text(STAGED_AT_0005), {"at": at, "day": at.date(), "no": False})
    first = 1
    migrate.upgrade(engine)
    with engine.connect() as connection:
        waiting = connection.execute(text("SELECT id FROM staged_registrations")).scalars()
        assert list(waiting) == [first]
    assert send() == first
    with reading(engine) as connection:  # merges what waits
        count = connection.execute(text("SELECT count(*) FROM registrations")).scalar_one()
        found = stored.get(connection, first)
    engine.dispose()
    assert count == 1
    assert found is not None and found.submitted.client_reference == "before-upgrade"
