"""Repository functions for registered certificates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, delete, insert, select
from sqlalchemy.exc import IntegrityError

from gateway.domain.identity import CertificateReference, RegisteredCertificate
from storage.tables import accounts, certificates


class CertificateExists(Exception):
    pass


def add(
    connection: Connection,
    certificate: RegisteredCertificate,
    key_identifier: str | None,
    thumbprint: str,
    created_at: datetime,
) -> bool:
    """Store ``certificate``; False when its account does not exist."""
    account_id = None
    if certificate.username is not None:
        account_id = connection.execute(
            select(accounts.c.id).where(accounts.c.username == certificate.username)
        ).scalar()
        if account_id is None:
            return False
    try:
        connection.execute(
            insert(certificates).values(
                fingerprint=certificate.fingerprint,
                account_id=account_id,
                subject=certificate.subject,
                issuer=certificate.issuer,
                serial=certificate.serial,
                key_identifier=key_identifier,
                thumbprint=thumbprint,
                not_before=certificate.not_before,
                not_after=certificate.not_after,
                der=certificate.der,
                created_at=created_at,
            )
        )
    except IntegrityError:
        raise CertificateExists(certificate.fingerprint) from None
    return True


_SELECT = select(certificates, accounts.c.username).outerjoin(
    accounts, accounts.c.id == certificates.c.account_id
)


def _certificate(row: Row[tuple[object, ...]]) -> RegisteredCertificate:
    m = row._mapping
    return RegisteredCertificate(
        m["fingerprint"],
        m["username"],
        m["subject"],
        m["issuer"],
        m["serial"],
        m["not_before"],
        m["not_after"],
        bytes(m["der"]),
    )


def candidates(
    connection: Connection, reference: CertificateReference
) -> list[RegisteredCertificate]:
    """The registered certificates ``reference`` may name: by fingerprint, key identifier or
    thumbprint exactly; by serial number for an issuer-serial reference, whose issuer name
    the caller compares (its spelling varies between stacks)."""
    query = _SELECT
    if reference.fingerprint is not None:
        query = query.where(certificates.c.fingerprint == reference.fingerprint)
    elif reference.key_identifier is not None:
        query = query.where(certificates.c.key_identifier == reference.key_identifier)
    elif reference.thumbprint is not None:
        query = query.where(certificates.c.thumbprint == reference.thumbprint)
    elif reference.serial is not None:
        query = query.where(certificates.c.serial == reference.serial)
    else:
        return []
    return [_certificate(row) for row in connection.execute(query)]


def listing(connection: Connection) -> list[RegisteredCertificate]:
    query = _SELECT.order_by(accounts.c.username, certificates.c.not_after)
    return [_certificate(row) for row in connection.execute(query)]


def remove(connection: Connection, fingerprint: str) -> bool:
    result = connection.execute(
        delete(certificates).where(certificates.c.fingerprint == fingerprint)
    )
    return result.rowcount == 1
