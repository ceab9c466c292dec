"""Registering batches and reading registrations back.

Every schema-valid registration is stored (checks come afterwards); a registration sent again
under the same ``ClientPresenceRegistrationReference`` by the same sender is answered with the
original and not stored twice, also when two requests carrying it run at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Engine

from gateway import metrics
from gateway.domain.acceptance import refusals
from gateway.domain.identity import Account
from gateway.domain.registration import (
    Acknowledgement,
    Channel,
    Contract,
    RefusedRegistration,
    RegistrationError,
    Sender,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
)
from gateway.domain.workday import work_day, worker_key
from gateway.services import consultation, units
from gateway.services.errors import RegistrationNotFound
from storage import queue, registrations
from storage.database import transaction

# A concurrent request may store one of our references between our look-up and our insert
# (where the database lets writers interleave); the unique constraint catches it and the batch
# is planned again against what is stored now.
_ATTEMPTS = 3


def sender_of(account: Account) -> Sender:
    return Sender(account.username, account.company_id, UserType(account.role.value))


def register(
    connection: Connection,
    account: Account,
    batch: Sequence[SubmittedRegistration],
    now: datetime,
    future_tolerance: timedelta,
) -> list[Acknowledgement]:
    """Store ``batch`` sent by ``account`` over the webservice and answer each registration
    in order."""
    return register_from(connection, sender_of(account), batch, now, future_tolerance)


def register_from_page(
    engine: Engine,
    sender: Sender,
    registration: SubmittedRegistration,
    now: datetime,
    future_tolerance: timedelta,
) -> Acknowledgement:
    """Store ``registration`` made on the worker's page, in a transaction of its own, and
    answer it."""
    with transaction(engine, registering=True) as connection:
        (answer,) = register_from(
            connection, sender, [registration], now, future_tolerance, Channel.WEB
        )
    return answer


# What refuses registrations of a batch outright: CIaO's acceptance rule, or a contract's own.
Refusals = Callable[
    [Sequence[SubmittedRegistration], datetime, timedelta], dict[int, tuple[RegistrationError, ...]]
]


def register_from(
    connection: Connection,
    sender: Sender,
    batch: Sequence[SubmittedRegistration],
    now: datetime,
    future_tolerance: timedelta,
    channel: Channel = Channel.WEBSERVICE,
    refuse: Refusals = refusals,
) -> list[Acknowledgement]:
    """Store ``batch`` from ``sender`` arriving by ``channel``: every channel stores, queues
    and answers alike. ``refuse`` names what is refused instead of stored."""
    args = (connection, sender, batch, now, future_tolerance, channel, refuse)
    if not _may_meet_a_concurrent_reference(connection, batch):
        return _register_once(*args)
    for attempt in range(_ATTEMPTS):
        try:
            with connection.begin_nested():
                return _register_once(*args)
        except registrations.ReferenceTaken:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _may_meet_a_concurrent_reference(
    connection: Connection, batch: Sequence[SubmittedRegistration]
) -> bool:
    """Whether another request may store one of ``batch``'s references between its look-up
    and its insert, so that the batch runs in a savepoint to be planned again. Not where
    writers cannot interleave, nor for a batch without references (most badge systems send
    none): its insert cannot meet the unique constraint, and on PostgreSQL the savepoint and
    its release are two round trips of a batch's seven."""
    return registrations.concurrent_writers(connection) and any(
        r.client_reference is not None for r in batch
    )


def _register_once(
    connection: Connection,
    sender: Sender,
    batch: Sequence[SubmittedRegistration],
    now: datetime,
    future_tolerance: timedelta,
    channel: Channel,
    refuse: Refusals,
) -> list[Acknowledgement]:
    references = [r.client_reference for r in batch if r.client_reference is not None]
    refused = refuse(batch, now, future_tolerance)
    if not references and not refused:  # as most batches are: every registration stored
        return cast(list[Acknowledgement], _store(connection, sender, batch, now, channel))
    known = registrations.find_by_references(connection, sender.sender_id, references)
    answers: list[Acknowledgement | None] = [None] * len(batch)
    to_store: list[int] = []
    first_with_reference: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for index, registration in enumerate(batch):
        reference = registration.client_reference
        if reference is not None and reference in known:
            answers[index] = known[reference]
        elif reference is not None and reference in first_with_reference:
            repeats.append((index, first_with_reference[reference]))
        elif index in refused:
            answers[index] = RefusedRegistration(registration, refused[index])
        else:
            if reference is not None:
                first_with_reference[reference] = index
            to_store.append(index)
    stored = _store(connection, sender, [batch[i] for i in to_store], now, channel)
    for index, stored_registration in zip(to_store, stored, strict=True):
        answers[index] = stored_registration
    for index, original in repeats:
        answers[index] = answers[original]
    assert all(answer is not None for answer in answers)
    return cast(list[Acknowledgement], answers)


def _store(
    connection: Connection,
    sender: Sender,
    new: Sequence[SubmittedRegistration],
    now: datetime,
    channel: Channel,
) -> list[StoredRegistration]:
    """Store ``new`` and queue their worker days for the checks."""
    worker_days = [(worker_key(r), work_day(r.registered_at)) for r in new]
    stored = registrations.add_all(connection, new, worker_days, sender, now, channel)
    metrics.count_when_committed(connection, len(stored))
    # Queued in the same transaction: nothing acknowledged can be left unchecked.
    queue.enqueue(connection, worker_days, now.astimezone(UTC).replace(tzinfo=None))
    return stored


def get(
    connection: Connection,
    account: Account,
    registration_id: int,
    contract: Contract | None = Contract.CIAO,
) -> StoredRegistration:
    """The registration with its history, if ``account`` may see it (``consultation``) and
    it arrived under ``contract`` (None: any)."""
    found = registrations.get(connection, registration_id)
    if (
        found is None
        or (contract is not None and found.submitted.contract is not contract)
        or not consultation.visible(connection, account, registration_id)
    ):
        raise RegistrationNotFound(registration_id)
    return found


# ``get`` in a reading transaction of its own (the management pages).
get_in = units.read_only(get)
