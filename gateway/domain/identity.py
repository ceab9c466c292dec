"""Accounts that may call the gateway, and the WS-Security token a caller presents."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    EMPLOYER = "EMPLOYER"
    OPERATOR = "OPERATOR"


@dataclass(frozen=True, slots=True)
class Account:
    """An account belongs to one enterprise number and has one role (CONTRACT.md, Identity)."""

    username: str
    company_id: str
    role: Role
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class UsernameToken:
    """A WS-Security UsernameToken as it arrived.

    ``created_text`` is kept as sent: a PasswordDigest is computed over those exact characters.
    """

    username: str
    password: str
    digest: bool
    nonce: bytes | None = None
    created: datetime | None = None
    created_text: str | None = None


# Checks a signature with a certificate (its DER), whatever the certificate's validity, which
# is checked once the key is proven; raises if it does not hold.
Verify = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class CertificateReference:
    """How a signature names the certificate of its key (WSS X.509 Token Profile): by the
    certificate itself (a BinarySecurityToken or ``ds:X509Certificate``), by its subject key
    identifier or SHA-1 thumbprint, or by issuer and serial number. Hex strings, lower case."""

    fingerprint: str | None = None
    key_identifier: str | None = None
    thumbprint: str | None = None
    issuer: str | None = None
    serial: str | None = None


def fingerprint(der: bytes) -> str:
    """A certificate's SHA-256 fingerprint, hex, lower case: the name it is registered under,
    and by which a signature that carries the certificate itself names it.

    >>> fingerprint(b"not really a certificate")[:16]
    'd6182255e5739d55'
    """
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True, slots=True)
class RegisteredCertificate:
    """A certificate an operator registered: to an account, whose enterprise and role then
    follow from it, or (``username`` None) as a token service's, which signs SAML assertions."""

    fingerprint: str
    username: str | None
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    der: bytes


@dataclass(frozen=True)
class SignatureToken:
    """A signed message's credentials as they arrived: which certificate, the signed
    Timestamp, the signature value (remembered against replays) and ``verify``, which checks
    the signature with a certificate. When a SAML holder-of-key assertion carries the key,
    ``assertion`` holds what its issuer signed."""

    reference: CertificateReference
    created: datetime
    created_text: str
    expires: datetime | None
    signature_value: bytes
    verify: Verify
    assertion: SignedAssertion | None = None


@dataclass(frozen=True)
class SignedAssertion:
    """A SAML holder-of-key assertion: its issuer's certificate reference, its validity and
    ``verify``, which checks the issuer's signature over it with a certificate."""

    issuer_reference: CertificateReference
    not_before: datetime | None
    not_on_or_after: datetime | None
    verify: Verify


# Why a certificate cannot be registered or removed (``Reason`` messages).
NOT_A_CERTIFICATE = "The file holds no X.509 certificate (PEM or DER)."
NOT_RSA = "The certificate's key is not RSA, as Basic256Sha256 asks."
REGISTERED_ALREADY = "The certificate %(fingerprint)s is registered already."
NO_SUCH_ACCOUNT = "There is no account named %(username)s."
NOT_REGISTERED = "No certificate with fingerprint %(fingerprint)s is registered."
CERTIFICATE_REASONS = (
    NOT_A_CERTIFICATE,
    NOT_RSA,
    REGISTERED_ALREADY,
    NO_SUCH_ACCOUNT,
    NOT_REGISTERED,
)
