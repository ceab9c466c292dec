"""Managing the accounts that may call the gateway (``ciao-gateway users ...``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection
from stdnum.be import vat

from gateway.domain.identity import Account, Role
from gateway.services.errors import ServiceError
from gateway.services.passwords import SecretKey, hash_password
from storage import accounts

MIN_PASSWORD_LENGTH = 8


class InvalidAccount(ServiceError):
    pass


def enterprise_number(text: str) -> str:
    """The 10-digit enterprise number, or ``InvalidAccount`` naming what is wrong."""
    compact = vat.compact(text)
    if not vat.is_valid(compact):
        raise InvalidAccount(
            f"{text!r} is not a valid enterprise number (10 digits starting with 0 or 1, "
            "the last two a mod-97 check)"
        )
    return compact


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def add(
    connection: Connection, key: SecretKey, username: str, password: str, company: str, role: str
) -> Account:
    if not username or len(username) > 64:
        raise InvalidAccount("the username needs 1 to 64 characters")
    try:
        account_role = Role(role.upper())
    except ValueError:
        raise InvalidAccount(f"role {role!r} is not EMPLOYER or OPERATOR") from None
    _check_password(password)
    account = Account(username, enterprise_number(company), account_role)
    try:
        accounts.add(
            connection,
            account,
            hash_password(password),
            key.encrypt(password),
            datetime.now(UTC).replace(tzinfo=None),
        )
    except accounts.AccountExists:
        raise InvalidAccount(f"an account named {username!r} exists already") from None
    return account


def active(connection: Connection, username: str) -> Account | None:
    """The account of ``username`` if it exists and is not disabled."""
    stored = accounts.find(connection, username)
    if stored is None or stored.account.disabled:
        return None
    return stored.account


def listing(connection: Connection) -> list[Account]:
    return accounts.all_accounts(connection)


def set_disabled(connection: Connection, username: str, disabled: bool) -> None:
    if not accounts.set_disabled(connection, username, disabled):
        raise InvalidAccount(f"there is no account named {username!r}")


def reset_password(connection: Connection, key: SecretKey, username: str, password: str) -> None:
    _check_password(password)
    if not accounts.set_password(
        connection, username, hash_password(password), key.encrypt(password)
    ):
        raise InvalidAccount(f"there is no account named {username!r}")
