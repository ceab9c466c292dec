"""Exports (Q19): the registrations an organisation may see, of at most 100 calendar days,
read as a stream so that memory stays flat whatever their number."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine

from gateway.domain.consultation import ExportRequest
from gateway.domain.identity import Account
from gateway.domain.registration import StoredRegistration
from gateway.services.consultation import viewer
from gateway.services.errors import ExportRefused
from storage import consultation


def registrations(
    engine: Engine, account: Account | None, request: ExportRequest
) -> Iterator[StoredRegistration]:
    """The registrations of ``request`` in id order; ``account`` None is the operators' CLI.
    Refused (before anything is read) for a period over 100 days."""
    reason = request.refusal()
    if reason is not None:
        raise ExportRefused(reason)
    company = None if account is None else viewer(account)
    return consultation.stream(engine, request.criteria(), company)
