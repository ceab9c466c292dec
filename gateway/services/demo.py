"""The demo set-up of ``ciao-gateway serve --demo``: its accounts, reset to their printed
password, and the first time its data set (made by ``gateway.demo``): reference registries, a
day of registrations and a day of Checkin@Work presences of the demo employer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from gateway.domain.reference import ReferenceUpdate
from gateway.domain.registration import SubmittedRegistration
from gateway.services import accounts, presences, reference, registrations
from gateway.services.passwords import SecretKey
from storage import reference as reference_storage
from storage.database import transaction


def ensure_accounts(
    engine: Engine, key: SecretKey, password: str, wanted: Sequence[tuple[str, str, str]]
) -> None:
    """Each (username, enterprise, role) of ``wanted`` active with ``password``: added, or
    enabled with its password reset."""
    with transaction(engine) as connection:
        known = {account.username for account in accounts.listing(connection)}
        for username, company, role in wanted:
            if username in known:
                accounts.reset_password(connection, key, username, password)
                accounts.set_disabled(connection, username, False)
            else:
                accounts.add(connection, key, username, password, company, role)


def load_once(
    engine: Engine,
    username: str,
    data: ReferenceUpdate,
    batch: Sequence[SubmittedRegistration],
    days: Sequence[SubmittedRegistration],
    now: datetime,
) -> bool:
    """Store ``data``, and ``batch`` and ``days`` as sent by ``username``'s account, unless
    the registries hold an enterprise already; whether they were stored."""
    with transaction(engine) as connection:
        if reference_storage.has_enterprises(connection):
            return False
        reference.apply(connection, data, now)
        sender = next(a for a in accounts.listing(connection) if a.username == username)
        registrations.register(connection, sender, batch, now, timedelta(minutes=5))
        presences.register(connection, sender, days, now)
    return True
