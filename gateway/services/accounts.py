"""Managing the accounts that may call the gateway (``ciao-gateway users ...``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from stdnum.be import vat

from gateway.domain.characters import is_xml_text
from gateway.domain.identity import Account, Role
from gateway.services import units
from gateway.services.errors import ServiceError
from gateway.services.passwords import SecretKey, hash_password
from storage import accounts
from storage.database import reading, transaction

MIN_PASSWORD_LENGTH = 8


class InvalidAccount(ServiceError):
    pass


class KeyMismatch(ServiceError):
    """The secret key is not the one the database's accounts were made with."""


def secret_key(engine: Engine, path: Path) -> SecretKey:
    """The key in ``path`` (made there if there is none), refused with ``KeyMismatch`` unless
    the accounts of ``engine``'s database were made with it."""
    key = SecretKey.load_or_create(path)
    with transaction(engine) as connection:
        require_key(connection, key, engine.url.render_as_string(hide_password=True))
    return key


def require_key(connection: Connection, key: SecretKey, database: str) -> None:
    """Refuse ``key`` unless it is the key of every account of the database (any key suits a
    database without accounts). An account made before keys were fingerprinted is checked
    by decrypting its secret, and fingerprinted."""
    unmarked = accounts.secrets_without_fingerprint(connection)
    decrypts = all(key.decrypt(secret) is not None for secret in unmarked.values())
    if decrypts:
        accounts.set_key_fingerprint(connection, list(unmarked), key.identity)
    if not decrypts or accounts.key_fingerprints(connection) - {key.identity}:
        raise KeyMismatch(
            f"the secret key {key.path} is not the key the accounts of the database "
            f"{database} were made with: their PasswordDigest logins would fail. Point "
            "CIAO_SECRET_KEY_FILE at that database's key (by default secret.key next to a "
            "SQLite database); if it is lost, give each account a new password with this "
            "key (ciao-gateway users reset-password)"
        )


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
    if not username or len(username) > 64 or not is_xml_text(username):
        # It is the SenderId of every answer about what the account sends.
        raise InvalidAccount("the username needs 1 to 64 characters, none a control character")
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
            key.identity,
            datetime.now(UTC).replace(tzinfo=None),
        )
    except accounts.AccountExists:
        raise InvalidAccount(f"an account named {username!r} exists already") from None
    return account


def active(engine: Engine, username: str) -> Account | None:
    """The account of ``username`` if it exists and is not disabled (a page's session), read
    in a transaction that merges no staged registrations."""
    with reading(engine, registrations=False) as connection:
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
        connection, username, hash_password(password), key.encrypt(password), key.identity
    ):
        raise InvalidAccount(f"there is no account named {username!r}")


# Each in a transaction of its own (the command line): a listing reads, the others write.
add_in = units.writing(add)
listing_in = units.read_only(listing, registrations=False)
set_disabled_in = units.writing(set_disabled)
reset_password_in = units.writing(reset_password)
