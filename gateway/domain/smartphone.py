"""Registering from a smartphone (Q4, Q6-Q8, Q12): the worker opens the URL of a declaration
of works (by scanning its QR code or following a link) and registers there.

Anyone with the link can type any national number, so the page tells nothing about the number
typed: a worker chooses their employer among every enterprise of the declaration's chain, the
same list for every number (Q4). Every registration is still accepted: the checks afterwards
raise a remark for a worker or an enterprise that does not fit.
"""

from __future__ import annotations

from gateway.domain.reference import Declaration

# The value of the query parameter ``via`` that the printed QR code carries, so that a scan is
# recorded with means QR_CODE and a followed link with means URL.
SCANNED = "qr"


def employers_on(declaration: Declaration) -> list[str]:
    """The enterprises a worker chooses their employer from on ``declaration``: every
    enterprise of its chain, the declaring contractor first. What the page's holder already
    knows, whoever the worker is: employments are never looked up for the page.

    >>> from datetime import date
    >>> from gateway.domain.reference import ChainLink, Period
    >>> works = Declaration("DW1", "0760544138", Period(date(2026, 1, 1)),
    ...                     chain=(ChainLink("0403170701", "0760544138"),))
    >>> employers_on(works)
    ['0760544138', '0403170701']
    """
    return sorted(
        declaration.companies(), key=lambda company: (company != declaration.contractor, company)
    )
