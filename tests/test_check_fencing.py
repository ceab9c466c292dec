"""A check reads its days without holding the write lock, so a registration can arrive while
it runs: the outcome computed without it is not stored, and the day is checked again at once
with it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.domain.identity import Account, Role
from gateway.domain.registration import (
    RegistrationMeans,
    RegistrationType,
    Status,
    SubmittedRegistration,
)
from gateway.domain.workday import BELGIUM
from gateway.services import checking, registrations
from storage import registrations as stored_registrations
from storage.database import transaction

ACCOUNT = Account("badge-system", "0403170701", Role.EMPLOYER)
DAY = datetime(2026, 11, 20, 7, 0, tzinfo=BELGIUM)


def submit(engine, kind: RegistrationType, at: datetime) -> int:  # type: ignore[no-untyped-def]
    registration = SubmittedRegistration(
        workplace_id="DW2026000001",
        registration_type=kind,
        registered_at=at,
        means=RegistrationMeans.BADGE,
        inss="85073003328",
        company_id="0403170701",
        emergency_procedure=True,
    )
    with transaction(engine) as connection:
        (answer,) = registrations.register(
            connection, ACCOUNT, [registration], datetime.now(UTC), timedelta(minutes=5)
        )
    return answer.id  # type: ignore[union-attr]


def remarks(engine, registration_id: int) -> tuple[Status, list[str]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        found = stored_registrations.get(connection, registration_id)
    assert found is not None
    return found.last_validation.status, [r.code for r in found.last_validation.remarks]


def test_a_registration_arriving_during_a_check_makes_the_day_be_checked_again(engine, monkeypatch):
    check_out = submit(engine, RegistrationType.CHECK_OUT, DAY.replace(hour=15))
    real_evaluate = checking.evaluate
    arrived: list[int] = []

    def evaluate_while_a_check_in_arrives(day, data, now):  # type: ignore[no-untyped-def]
        if not arrived:  # the badge of the morning, sent while the first check runs
            arrived.append(submit(engine, RegistrationType.CHECK_IN, DAY))
        return real_evaluate(day, data, now)

    monkeypatch.setattr(checking, "evaluate", evaluate_while_a_check_in_arrives)
    worker = checking.CheckWorker(engine)
    assert worker.run_once() == 1
    # Computed without the check-in, the outcome (a check-out without check-in) was dropped.
    assert remarks(engine, check_out) == (Status.REGISTERED, [])
    assert worker.run_once() == 1  # released, so checked again at once, now with the check-in
    assert remarks(engine, check_out)[1] == remarks(engine, arrived[0])[1]
    assert "CHECK_OUT_WITHOUT_CHECK_IN" not in remarks(engine, check_out)[1]
    assert remarks(engine, check_out)[0] is not Status.REGISTERED
    assert worker.run_once() == 0
