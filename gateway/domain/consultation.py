"""What an organisation may ask about registrations: search criteria and cancellations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.domain.reasons import Reason
from gateway.domain.registration import Contract, Sector, Status

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


# Why a search cannot be made (``Reason`` messages). Only a SOAP caller can ask one: the pages
# never send a period that ends before it starts.
PERIOD_ENDS_BEFORE_START = (
    "RegistrationPeriod %(position)s ends on %(end)s, before it starts (%(start)s)."
)
CREATION_ENDS_BEFORE_START = "CreationEndDate %(end)s is before CreationStartDate %(start)s."


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
    # The contract whose registrations are searched (None: every contract's), and for
    # Checkin@Work the sector of their sites.
    contract: Contract | None = Contract.CIAO
    sector: Sector | None = None
    # Creation moments, both included (Checkin@Work's CreationStartDate and CreationEndDate
    # are times, CIaO's are days).
    created_after: datetime | None = None
    created_before: datetime | None = None

    def refusal(self) -> Reason | None:
        """Why the search cannot be made (a period backwards: it would find nothing, which
        says nothing of the mistake), or None.

        >>> day = date(2026, 11, 2)
        >>> SearchCriteria(((day, day),)).refusal() is None
        True
        >>> str(SearchCriteria(((day, day), (day, date(2026, 11, 1)))).refusal())
        'RegistrationPeriod 2 ends on 2026-11-01, before it starts (2026-11-02).'
        """
        for position, (start, end) in enumerate(self.periods, 1):
            if end < start:
                values = {"position": position, "start": start, "end": end}
                return Reason(PERIOD_ENDS_BEFORE_START, values)
        created_from, created_until = self.created_from, self.created_until
        if created_from is not None and created_until is not None and created_until < created_from:
            return Reason(CREATION_ENDS_BEFORE_START, {"start": created_from, "end": created_until})
        after, before = self.created_after, self.created_before
        if after is not None and before is not None and before < after:
            values = {"start": after.isoformat(), "end": before.isoformat()}
            return Reason(CREATION_ENDS_BEFORE_START, values)
        return None


@dataclass(frozen=True, slots=True)
class Cancellation:
    registration_id: int
    reason: str


NOT_FOUND = "PRESENCE_REGISTRATION_NOT_FOUND"
ALREADY_CANCELLED = "ALREADY_CANCELLED"


MAX_EXPORT_DAYS = 100
EXPORT_FORMATS = ("CSV", "XML")
# Why an export cannot be made (``Reason`` messages).
END_BEFORE_START = "EndDate %(end)s is before StartDate %(start)s."
TOO_MANY_DAYS = (
    "The period covers %(days)s calendar days; an export covers at most %(limit)s. Split it "
    "into several exports."
)
REASONS = (END_BEFORE_START, TOO_MANY_DAYS)


@dataclass(frozen=True)
class ExportRequest:
    start: date
    end: date
    format: str
    company_id: str | None = None
    workplace_id: str | None = None
    # CIaO's exportPresences exports CIaO registrations; an operator's or a page's export
    # exports every contract's (None).
    contract: Contract | None = Contract.CIAO

    def refusal(self) -> Reason | None:
        """Why the export cannot be made (Q19: at most 100 calendar days), or None.

        >>> ExportRequest(date(2026, 1, 1), date(2026, 4, 10), "CSV").refusal() is None
        True
        >>> str(ExportRequest(date(2026, 1, 1), date(2026, 4, 11), "CSV").refusal())[:31]
        'The period covers 101 calendar '
        """
        if self.end < self.start:
            return Reason(END_BEFORE_START, {"end": self.end, "start": self.start})
        days = (self.end - self.start).days + 1
        if days > MAX_EXPORT_DAYS:
            return Reason(TOO_MANY_DAYS, {"days": days, "limit": MAX_EXPORT_DAYS})
        return None

    def criteria(self) -> SearchCriteria:
        return SearchCriteria(
            periods=((self.start, self.end),),
            company_id=self.company_id,
            workplace_id=self.workplace_id,
            contract=self.contract,
        )

    @property
    def file_name(self) -> str:
        return f"presences-{self.start.isoformat()}-{self.end.isoformat()}.{self.format.lower()}"


# A registration as an export's CSV file shows it, read without making a domain registration
# of each (a million rows cost twice as much that way): the stored values of these columns
# of the registrations table, in this order. Times are UTC as "YYYY-MM-DD HH:MM:SS.ffffff",
# the registration time with the sender's offset in minutes; the emergency procedure is a
# truth value (0 or 1 on SQLite); remarks are the stored codes, separated by spaces.
EXPORT_COLUMNS = (
    "id",
    "inss",
    "company_id",
    "limosa_id",
    "workplace_id",
    "registration_type",
    "registered_at",
    "utc_offset_minutes",
    "means",
    "device_id",
    "emergency_procedure",
    "client_reference",
    "created_at",
    "channel",
    "status",
    "remark_codes",
    "sender_id",
    "sector",
)
ExportRow = Sequence[Any]
