"""How account passwords are kept.

Two forms are stored: an Argon2id hash (argon2-cffi), which checks a PasswordText token, and
the password encrypted with the gateway's secret key (Fernet, from ``cryptography``), because a
WS-Security PasswordDigest is SHA-1(nonce + created + password) and can only be checked by
whoever knows the password. The key lives in ``CIAO_SECRET_KEY_FILE`` (default ``secret.key``
next to a SQLite database, see ``gateway.config``; created on first use, mode 0600); every
gateway host of one database needs the same key file, and each account keeps the fingerprint
of the key its secret is encrypted with, so that another key is refused at once.

Hashes use RFC 9106's second recommended Argon2id parameters (64 MiB, 3 passes, 4 lanes:
argon2-cffi's default). A test suite that makes hundreds of accounts may set
``CIAO_TEST_CHEAP_PASSWORD_HASHES=1`` to hash new passwords with the cheapest parameters
instead; a hash carries its own parameters, so either kind is verified whatever the setting.
Never set it where the accounts are real.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

PARAMETERS = profiles.RFC_9106_LOW_MEMORY
CHEAP_FOR_TESTS = "CIAO_TEST_CHEAP_PASSWORD_HASHES"

_hasher = PasswordHasher.from_parameters(PARAMETERS)
_cheap_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


class SecretKey:
    """The gateway's secret: encrypts digest secrets and keys the verified-token cache."""

    def __init__(self, key: bytes, path: Path | None = None) -> None:
        self._fernet = Fernet(key)
        self._mac_key = hashlib.sha256(b"ciao-token-cache" + key).digest()
        self.path = path

    @classmethod
    def load_or_create(cls, path: Path) -> SecretKey:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(Fernet.generate_key())
        return cls(path.read_bytes().strip(), path)

    @property
    def identity(self) -> str:
        """A fingerprint that tells this key from another and reveals nothing of it."""
        return self.fingerprint("ciao-secret-key-identity").hex()

    def encrypt(self, password: str) -> str:
        return self._fernet.encrypt(password.encode()).decode()

    def decrypt(self, secret: str) -> str | None:
        try:
            return self._fernet.decrypt(secret.encode()).decode()
        except InvalidToken:
            return None

    def fingerprint(self, *parts: str) -> bytes:
        message = "\x00".join(parts).encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).digest()


def hash_password(password: str) -> str:
    cheap = os.environ.get(CHEAP_FOR_TESTS, "").lower() in ("1", "true", "yes")
    return (_cheap_hasher if cheap else _hasher).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """The WS-Security PasswordDigest: Base64(SHA-1(nonce + created + password))."""
    raw = hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False)
    return base64.b64encode(raw.digest()).decode()
