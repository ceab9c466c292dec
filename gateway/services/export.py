"""Exports (Q19): the registrations an organisation may see, of at most 100 calendar days,
read as a stream so that memory stays flat whatever their number."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine

from gateway.domain.consultation import ExportRequest, ExportRow
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
    return consultation.stream(engine, request.criteria(), _viewer(account, request))


def csv_rows(
    engine: Engine, account: Account | None, request: ExportRequest
) -> Iterator[ExportRow]:
    """The rows of ``request``'s CSV file in id order (``EXPORT_COLUMNS``), refused as
    ``registrations`` refuses them."""
    return consultation.export_rows(engine, request.criteria(), _viewer(account, request))


def _viewer(account: Account | None, request: ExportRequest) -> str | None:
    """Who sees the export (None: everything), once the request is found acceptable."""
    reason = request.refusal()
    if reason is not None:
        raise ExportRefused(reason)
    return None if account is None else viewer(account)
