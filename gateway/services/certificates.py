"""Registering the X.509 certificates whose signed messages the gateway accepts, and making a
certificate pair for development.

A certificate registered to an account authenticates it: the enterprise and role of a signed
message follow from the account. A token service's certificate (registered to no account) is
trusted to sign SAML holder-of-key assertions. Certificates are parsed by ``cryptography``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Connection

from gateway.domain.identity import (
    NO_SUCH_ACCOUNT,
    NOT_A_CERTIFICATE,
    NOT_REGISTERED,
    NOT_RSA,
    REGISTERED_ALREADY,
    RegisteredCertificate,
    fingerprint,
)
from gateway.domain.reasons import Reason
from gateway.services import units
from gateway.services.errors import Refused
from storage import certificates


class InvalidCertificate(Refused):
    """A certificate that cannot be registered or removed, for ``reason``."""


def load(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER, or ``InvalidCertificate``."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise InvalidCertificate(Reason(NOT_A_CERTIFICATE)) from None


def key_identifier(certificate: x509.Certificate) -> str:
    """The subject key identifier (hex) a KeyIdentifier reference names: the extension's, or
    else the SHA-1 of the public key (RFC 5280, 4.2.1.2), as WSS stacks compute it."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return extension.value.digest.hex()
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest.hex()


def registered(certificate: x509.Certificate, username: str | None) -> RegisteredCertificate:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return RegisteredCertificate(
        fingerprint=fingerprint(der),
        username=username,
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=str(certificate.serial_number),
        not_before=certificate.not_valid_before_utc.replace(tzinfo=None),
        not_after=certificate.not_valid_after_utc.replace(tzinfo=None),
        der=der,
    )


def add(connection: Connection, data: bytes, username: str | None) -> RegisteredCertificate:
    """Register the certificate in ``data`` to ``username``'s account, or (None) as a token
    service's."""
    certificate = load(data)
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise InvalidCertificate(Reason(NOT_RSA))
    entry = registered(certificate, username)
    der = entry.der
    try:
        stored = certificates.add(
            connection,
            entry,
            key_identifier(certificate),
            hashlib.sha1(der, usedforsecurity=False).hexdigest(),
            datetime.now(UTC).replace(tzinfo=None),
        )
    except certificates.CertificateExists:
        raise InvalidCertificate(
            Reason(REGISTERED_ALREADY, {"fingerprint": entry.fingerprint})
        ) from None
    if not stored:
        raise InvalidCertificate(Reason(NO_SUCH_ACCOUNT, {"username": username}))
    return entry


def listing(connection: Connection) -> list[RegisteredCertificate]:
    return certificates.listing(connection)


def remove(connection: Connection, fingerprint: str) -> None:
    if not certificates.remove(connection, fingerprint.lower().replace(":", "")):
        raise InvalidCertificate(Reason(NOT_REGISTERED, {"fingerprint": fingerprint}))


# Each in a transaction of its own (the certificates page).
listing_in = units.read_only(listing, registrations=False)
add_in = units.writing(add)
remove_in = units.writing(remove)


# Around an unescaped separator, the spaces some stacks write (.NET: "CN=x, O=y").
_SEPARATOR = re.compile(r"(?<!\\)\s*([,+=])\s*")
_ATTRIBUTE_TYPE = re.compile(r"(^|(?<!\\)[,+])([A-Za-z][A-Za-z0-9-]*)=")
# Attribute types some stacks write that RFC 4514 does not name.
_ALIASES = {
    "E": NameOID.EMAIL_ADDRESS,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
}


def same_name(text: str, name: str) -> bool:
    """Whether the issuer name ``text`` of an issuer-serial reference (RFC 2253 as WSS4J and
    xmlsec write it, with spaces after the commas as .NET does, attribute types in any case)
    is ``name`` (RFC 4514, as registered)."""
    compact = _SEPARATOR.sub(r"\1", text.strip())
    upper = _ATTRIBUTE_TYPE.sub(lambda m: m.group(1) + m.group(2).upper() + "=", compact)
    try:
        sent = x509.Name.from_rfc4514_string(upper, _ALIASES)
        return sent == x509.Name.from_rfc4514_string(name)
    except ValueError:
        return False


def make_pair(
    common_name: str, days: int = 365, *, start: datetime | None = None
) -> tuple[bytes, bytes]:
    """A self-signed certificate valid for ``days`` from ``start`` (five minutes ago), and
    its RSA key, PEM, for development and tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = start or datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
