"""What an organisation may ask about registrations: search criteria and cancellations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.domain.registration import Status

MAX_PAGE = 500
SORT_CRITERIA = (
    "ID",
    "REGISTRATION DATE",
    "CREATION DATE",
    "STATUS",
    "PLACE OF WORK",
    "COMPANY ID",
    "CHANNEL",
    "SENDER ID",
)


@dataclass(frozen=True)
class SearchCriteria:
    """Every criterion given must hold; ``periods`` are Belgian calendar days, inclusive."""

    periods: tuple[tuple[date, date], ...]
    inss: str | None = None
    company_id: str | None = None
    workplace_id: str | None = None
    statuses: tuple[Status, ...] = ()
    remark_codes: tuple[str, ...] = ()
    created_from: date | None = None
    created_until: date | None = None
    first_row: int = 0
    fetch_size: int = 50
    sort: str = "ID"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Cancellation:
    registration_id: int
    reason: str


NOT_FOUND = "PRESENCE_REGISTRATION_NOT_FOUND"
ALREADY_CANCELLED = "ALREADY_CANCELLED"
