"""Who is calling: check a WS-Security UsernameToken, or a message's X.509 signature,
against the accounts.

A missing token, an unknown user, a wrong password and a disabled account all give the same
``AuthenticationFailed``, so a caller learns nothing about which part was wrong. A token whose
Created time is outside the window, or whose nonce was used before, gives ``TokenRejected``:
saying so helps an integrator fix a clock or a nonce generator, and reveals no credential.

Argon2 takes 64 MiB and 100-150 ms (on the development machine) by design; whether a
PasswordText token's password matched is remembered under a keyed digest of (username,
password, stored hash), so that the hash is not recomputed on every request of a busy badge
system. The stored hash is part of the digest, and the account is read on every request: a new
password or a disabled account counts at once, however long an outcome is remembered. So it is
remembered for an hour (the oldest forgotten first once ``CACHE_LIMIT`` are): forgotten every
minute, each account sending PasswordText tokens cost every worker an Argon2 check a minute,
and 500 of them nearly a core's whole time.

``unit_of_work`` checks the password ahead of the transaction it opens, in a read of its own:
a hash computed inside would hold the database's write lock, which every registering request
needs, for all of that time.

A signed message (``SignatureToken``) is checked the same way: ahead of the transaction, its
Timestamp against the clock, its certificate against the registered ones (and their validity),
the SAML assertion's issuer against the token services', and the signature itself; inside it,
its account, and its signature value against the values already received, which are
remembered with the nonces. Every refusal says what was wrong (``SignatureRejected``): a
certificate is public, and saying which check failed reveals nothing secret. Requests with a
UsernameToken take none of these steps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from gateway.domain.identity import (
    Account,
    CertificateReference,
    RegisteredCertificate,
    SignatureToken,
    UsernameToken,
)
from gateway.services.certificates import same_name
from gateway.services.errors import AuthenticationFailed, SignatureRejected, TokenRejected
from gateway.services.passwords import SecretKey, password_digest, verify_password
from storage import accounts, certificates
from storage.database import reading, transaction

CACHE_SECONDS = 3600.0
CACHE_LIMIT = 10_000
PURGE_SECONDS = 60.0  # how often a process forgets nonces older than twice the window
# Whose nonces the signature values of signed messages are, by their SHA-256: no account's
# (a username has 1 to 64 characters), so that a value is accepted once whoever signed it.
SIGNATURES = ""

Credentials = UsernameToken | SignatureToken


class Authenticator:
    def __init__(self, key: SecretKey, window: timedelta) -> None:
        self._key = key
        self._window = window
        # The outcome of a password's check (when to forget it, whether it matched) by the
        # fingerprint of username, password and hash; the hash last read of each username.
        self._outcomes: dict[bytes, tuple[float, bool]] = {}
        self._hashes: dict[str, str] = {}
        self._next_purge = 0.0

    @contextmanager
    def unit_of_work(
        self,
        engine: Engine,
        token: Credentials | None,
        now: datetime,
        *,
        registering: bool = False,
    ) -> Iterator[tuple[Connection, Account]]:
        """A ``transaction`` (``registering`` as there) on behalf of the account ``token``
        authenticates, its password or signature checked before the transaction begins."""
        if isinstance(token, SignatureToken):
            certificate = self._check_signature(engine, token, now)
            with transaction(engine, registering=registering) as connection:
                yield connection, self._signer(connection, token, certificate, now)
            return
        self._verify_ahead(engine, token)
        with transaction(engine, registering=registering) as connection:
            yield connection, self.authenticate(connection, token, now)

    def sign_in(self, engine: Engine, username: str, password: str, now: datetime) -> Account:
        """The account that ``username`` and ``password`` (a login form's) authenticate. Read
        in a transaction that takes no write lock and merges no staged registrations: a
        password alone writes nothing, unlike a token's nonce, which must be remembered."""
        token = UsernameToken(username, password, digest=False)
        with reading(engine, registrations=False) as connection:
            return self.authenticate(connection, token, now)

    def _verify_ahead(self, engine: Engine, token: UsernameToken | None) -> None:
        """Check a PasswordText token's password unless its outcome is remembered, so that
        ``authenticate`` then finds it so."""
        if token is None or token.digest:  # a digest is checked in microseconds
            return
        known_hash = self._hashes.get(token.username)
        if known_hash is not None and self._remembered(token, known_hash) is not None:
            return
        with reading(engine, registrations=False) as connection:
            stored = accounts.find(connection, token.username)
        if stored is not None and not stored.account.disabled:
            self._password_matches(token, stored.password_hash)

    def authenticate(
        self, connection: Connection, token: UsernameToken | None, now: datetime
    ) -> Account:
        if token is None:
            raise AuthenticationFailed()
        self._check_freshness(token, now)
        stored = accounts.find(connection, token.username)
        if stored is None or stored.account.disabled:
            raise AuthenticationFailed()
        if token.digest:
            ok = self._digest_matches(token, stored.password_secret)
        else:
            ok = self._password_matches(token, stored.password_hash)
        if not ok:
            raise AuthenticationFailed()
        if token.nonce is not None:
            nonce = base64.b64encode(token.nonce).decode()
            if not self._first_use(connection, token.username, nonce, now):
                raise TokenRejected(
                    "The security token's nonce was used before; send a fresh random Nonce "
                    "with every request."
                )
        return stored.account

    def _first_use(self, connection: Connection, username: str, nonce: str, now: datetime) -> bool:
        """Remember ``nonce`` (a token's, or a signature value's) of ``username``; False when
        it was used before. What is older than twice the window, when no replay can pass any
        more, is forgotten now and then: not on every request, which is the ingest path."""
        naive_now = now.replace(tzinfo=None)
        if not accounts.use_nonce(connection, username, nonce, naive_now):
            return False
        clock = time.monotonic()
        if clock >= self._next_purge:
            accounts.forget_nonces_before(connection, naive_now - 2 * self._window)
            self._next_purge = clock + PURGE_SECONDS
        return True

    def _check_signature(
        self, engine: Engine, token: SignatureToken, now: datetime
    ) -> RegisteredCertificate:
        """The registered certificate whose key made ``token``'s signature, everything but
        its account and replay checked (no write lock is held meanwhile)."""
        if abs(now - token.created) > self._window:
            raise SignatureRejected(
                self._too_far("The signed Timestamp's", token.created_text, now)
                + "sign every request with a new Timestamp and check the sender's clock."
            )
        if token.expires is not None and token.expires <= now:
            raise SignatureRejected(
                f"The signed Timestamp expired at {token.expires.isoformat()} (the gateway's "
                f"clock: {now.isoformat()}); sign every request with a new Timestamp."
            )
        assertion = token.assertion
        with reading(engine, registrations=False) as connection:
            certificate = _registered(connection, token.reference, token_service=False)
            issuer = None
            if assertion is not None:
                issuer = _registered(connection, assertion.issuer_reference, token_service=True)
        # The key proven first: a certificate's dates and subject are told only to its holder.
        if assertion is not None and issuer is not None:
            assertion.verify(issuer.der)
        token.verify(certificate.der)
        _check_validity(certificate, now, "signing")
        if assertion is not None and issuer is not None:
            _check_validity(issuer, now, "token service's")
            if (assertion.not_before is not None and now < assertion.not_before) or (
                assertion.not_on_or_after is not None and now >= assertion.not_on_or_after
            ):
                raise SignatureRejected(
                    "The SAML assertion is not valid now (its Conditions NotBefore and "
                    f"NotOnOrAfter; the gateway's clock: {now.isoformat()}); ask the token "
                    "service for a new one."
                )
        return certificate

    def _signer(
        self,
        connection: Connection,
        token: SignatureToken,
        certificate: RegisteredCertificate,
        now: datetime,
    ) -> Account:
        """The account of ``certificate``, once ``token``'s signature value is remembered."""
        stored = accounts.find(connection, certificate.username or "")
        if stored is None or stored.account.disabled:
            raise AuthenticationFailed()
        digest = hashlib.sha256(token.signature_value).hexdigest()
        if not self._first_use(connection, SIGNATURES, digest, now):
            raise SignatureRejected(
                "This signature was received before: a signed message is accepted once; sign "
                "every request anew, with a new Timestamp."
            )
        return stored.account

    def _check_freshness(self, token: UsernameToken, now: datetime) -> None:
        if token.digest and (token.nonce is None or token.created is None):
            raise AuthenticationFailed()
        if token.created is None:
            return
        if abs(now - token.created) > self._window:
            raise TokenRejected(
                self._too_far("The security token's", token.created_text, now)
                + "create a new token for every request and check the sender's clock."
            )

    def _too_far(self, whose: str, created: str | None, now: datetime) -> str:
        seconds = int(self._window.total_seconds())
        return (
            f"{whose} Created time {created} is more than {seconds} seconds away from the "
            f"gateway's clock ({now.isoformat()}); "
        )

    def _digest_matches(self, token: UsernameToken, secret: str) -> bool:
        password = self._key.decrypt(secret)
        if password is None or token.nonce is None or token.created_text is None:
            return False
        expected = password_digest(token.nonce, token.created_text, password)
        return hmac.compare_digest(expected, token.password)

    def _remembered(self, token: UsernameToken, password_hash: str) -> bool | None:
        fingerprint = self._key.fingerprint(token.username, token.password, password_hash)
        outcome = self._outcomes.get(fingerprint)
        if outcome is None or outcome[0] <= time.monotonic():
            return None
        return outcome[1]

    def _password_matches(self, token: UsernameToken, password_hash: str) -> bool:
        remembered = self._remembered(token, password_hash)
        if remembered is not None:
            return remembered
        matched = verify_password(password_hash, token.password)
        fingerprint = self._key.fingerprint(token.username, token.password, password_hash)
        _remember(self._outcomes, fingerprint, (time.monotonic() + CACHE_SECONDS, matched))
        _remember(self._hashes, token.username, password_hash)
        return matched


def _registered(
    connection: Connection, reference: CertificateReference, *, token_service: bool
) -> RegisteredCertificate:
    """The registered certificate ``reference`` names: an account's, or a token service's."""
    for found in certificates.candidates(connection, reference):
        if (found.username is None) != token_service:
            continue
        if reference.issuer is not None and not same_name(reference.issuer, found.issuer):
            continue
        return found
    whose = "a token service" if token_service else "an account"
    raise SignatureRejected(
        f"The {'SAML assertion' if token_service else 'message'} is signed with a certificate "
        f"({_describe(reference)}) that is not registered to {whose}; an operator registers "
        "it with ciao-gateway users add-certificate."
    )


def _describe(reference: CertificateReference) -> str:
    if reference.fingerprint is not None:
        return f"SHA-256 fingerprint {reference.fingerprint}"
    if reference.key_identifier is not None:
        return f"subject key identifier {reference.key_identifier}"
    if reference.thumbprint is not None:
        return f"SHA-1 thumbprint {reference.thumbprint}"
    return f"issuer {reference.issuer}, serial number {reference.serial}"


def _check_validity(certificate: RegisteredCertificate, now: datetime, which: str) -> None:
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    if naive_now < certificate.not_before:
        raise SignatureRejected(
            f"The {which} certificate ({certificate.subject}) is not valid before "
            f"{certificate.not_before.isoformat()}Z."
        )
    if naive_now > certificate.not_after:
        raise SignatureRejected(
            f"The {which} certificate ({certificate.subject}) expired on "
            f"{certificate.not_after.isoformat()}Z; register its successor."
        )


def _remember(memory: dict[Any, Any], key: object, value: object) -> None:
    """``memory[key] = value``, the oldest entry forgotten first (a dict keeps the order in
    which keys came) when ``CACHE_LIMIT`` are remembered."""
    memory.pop(key, None)
    if len(memory) >= CACHE_LIMIT:
        del memory[next(iter(memory))]
    memory[key] = value
