"""Repository functions for accounts and for the nonces of their security tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.domain.identity import Account, Role
from storage.database import at_driver
from storage.tables import accounts, used_nonces


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An account with its stored credentials (never leaves the services layer)."""

    account: Account
    password_hash: str
    password_secret: str


class AccountExists(Exception):
    pass


def add(
    connection: Connection,
    account: Account,
    password_hash: str,
    password_secret: str,
    key_fingerprint: str,
    created_at: datetime,
) -> None:
    try:
        connection.execute(
            insert(accounts).values(
                username=account.username,
                password_hash=password_hash,
                password_secret=password_secret,
                key_fingerprint=key_fingerprint,
                company_id=account.company_id,
                role=account.role.value,
                disabled=account.disabled,
                created_at=created_at,
            )
        )
    except IntegrityError:
        raise AccountExists(account.username) from None


# At the driver: it runs on every request.
_FIND = (
    "SELECT username, company_id, role, disabled, password_hash, password_secret "
    "FROM accounts WHERE username = ?"
)


def find(connection: Connection, username: str) -> StoredAccount | None:
    found = at_driver(connection, _FIND, (username,))
    if not found:
        return None
    [(name, company_id, role, disabled, password_hash, password_secret)] = found
    return StoredAccount(
        Account(name, company_id, Role(role), bool(disabled)), password_hash, password_secret
    )


def all_accounts(connection: Connection) -> list[Account]:
    rows = connection.execute(select(accounts).order_by(accounts.c.username))
    return [
        Account(m["username"], m["company_id"], Role(m["role"]), m["disabled"])
        for m in (row._mapping for row in rows)
    ]


def set_disabled(connection: Connection, username: str, disabled: bool) -> bool:
    result = connection.execute(
        update(accounts).where(accounts.c.username == username).values(disabled=disabled)
    )
    return result.rowcount == 1


def set_password(
    connection: Connection,
    username: str,
    password_hash: str,
    password_secret: str,
    key_fingerprint: str,
) -> bool:
    result = connection.execute(
        update(accounts)
        .where(accounts.c.username == username)
        .values(
            password_hash=password_hash,
            password_secret=password_secret,
            key_fingerprint=key_fingerprint,
        )
    )
    return result.rowcount == 1


def key_fingerprints(connection: Connection) -> set[str]:
    """The fingerprints of the keys the accounts' secrets are encrypted with."""
    found = select(accounts.c.key_fingerprint).where(accounts.c.key_fingerprint.is_not(None))
    return set(connection.execute(found.distinct()).scalars())


def secrets_without_fingerprint(connection: Connection) -> dict[int, str]:
    """The password secrets of accounts made before keys were fingerprinted, by account id."""
    rows = connection.execute(
        select(accounts.c.id, accounts.c.password_secret).where(
            accounts.c.key_fingerprint.is_(None)
        )
    )
    return {row.id: row.password_secret for row in rows}


def set_key_fingerprint(connection: Connection, ids: list[int], key_fingerprint: str) -> None:
    if ids:
        connection.execute(
            update(accounts).where(accounts.c.id.in_(ids)).values(key_fingerprint=key_fingerprint)
        )


def use_nonce(connection: Connection, username: str, nonce: str, created_at: datetime) -> bool:
    """Record ``nonce`` as used; False when it was used before (a replay), also by a
    request running at the same time."""
    try:
        with connection.begin_nested():
            connection.execute(
                insert(used_nonces).values(username=username, nonce=nonce, created_at=created_at)
            )
    except IntegrityError:
        return False
    return True


def forget_nonces_before(connection: Connection, moment: datetime) -> None:
    connection.execute(delete(used_nonces).where(used_nonces.c.created_at < moment))
