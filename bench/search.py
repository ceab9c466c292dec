"""Search at scale: ``searchPresences`` through the WSGI app on a database of a million
registrations (``bench.dataset``), one kind of search at a time, each as an employer asks it:
the median time per request and what it found."""

from __future__ import annotations

from datetime import date, timedelta

from lxml import etree

from bench.common import (
    NS_TYPES,
    Scratch,
    gateway_app,
    median_seconds,
    say,
    soap_envelope,
    wsgi_caller,
)
from bench.dataset import COMPANY, FIRST_DAY, inss_of, workplace_of


def _period(start: date, end: date) -> str:
    return (
        f"<RegistrationPeriod><StartDate>{start}</StartDate><EndDate>{end}</EndDate>"
        "</RegistrationPeriod>"
    )


def _days(count: int) -> str:
    """``count`` periods of a day each, from the first day of the data."""
    return "".join(
        _period(day, day) for day in (FIRST_DAY + timedelta(days=d) for d in range(count))
    )


def _search(criteria: str, periods: str, page: str = "") -> str:
    return (
        f'<SearchPresencesRequest xmlns="{NS_TYPES}">{criteria}'
        f"<RegistrationPeriodList>{periods}</RegistrationPeriodList>{page}"
        "</SearchPresencesRequest>"
    )


def _page(first_row: int, sort: str = "ID", direction: str = "ASCENDING") -> str:
    return (
        f"<PaginationProperties><FirstRow>{first_row}</FirstRow><FetchSize>500</FetchSize>"
        f"</PaginationProperties><SortingProperties><SortDirection>{direction}</SortDirection>"
        f"<SortCriteria>{sort}</SortCriteria></SortingProperties>"
    )


_EMPLOYER = f"<CompanyID>{COMPANY}</CompanyID>"

# What an employer asks, from the narrowest to the widest.
SEARCHES = {
    "worker_month": _search(
        f"<INSS>{inss_of(7)}</INSS>", _period(FIRST_DAY, FIRST_DAY + timedelta(days=30))
    ),
    "workplace_day": _search(f"<WorkPlaceId>{workplace_of(7)}</WorkPlaceId>", _days(1)),
    "employer_day_first_page": _search(_EMPLOYER, _days(1), _page(0)),
    "employer_day_last_page": _search(_EMPLOYER, _days(1), _page(9_500)),
    "all_visible_day": _search("", _days(1), _page(0)),
    "all_visible_31_days": _search("", _days(31), _page(0)),
    "all_visible_4_days_a_week_apart": _search(
        "",
        "".join(_period(day, day) for day in (FIRST_DAY + timedelta(weeks=w) for w in range(4))),
        _page(0),
    ),
    "employer_31_days_by_time_descending": _search(
        _EMPLOYER,
        _days(31),
        _page(0, "REGISTRATION DATE", "DESCENDING"),
    ),
}
_COUNT = f"{{{NS_TYPES}}}PresenceRegistrationResultCount"
_FOUND = f"{{{NS_TYPES}}}PresenceRegistration"


def found(answer: bytes) -> dict[str, float]:
    """How many registrations a search's ``answer`` counts, and how many it returns."""
    document = etree.fromstring(answer)
    return {
        "found": int(document.findtext(f".//{_COUNT}") or 0),
        "returned": len(document.findall(f".//{_FOUND}")),
    }


def measure(place: Scratch, repeat: int) -> dict[str, dict[str, float]]:
    kind = place.engine.dialect.name
    say(f"search on {kind}: {len(SEARCHES)} kinds of search, {repeat} requests each ...")
    app = gateway_app(place.settings, place.engine)
    calls = {name: wsgi_caller(app, soap_envelope(search)) for name, search in SEARCHES.items()}
    figures: dict[str, dict[str, float]] = {name: found(call()) for name, call in calls.items()}
    for name, seconds in median_seconds(calls, repeat).items():
        figures[name]["ms"] = seconds * 1000
    return figures
