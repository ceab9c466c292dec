"""Registering from a smartphone (Q4, Q6-Q8, Q12): the worker opens the URL of a declaration
of works (by scanning its QR code or following a link) and registers there.

The enterprise is filled in from the declaration; a worker who works there for several
employers of its chain chooses among them (Q4). Every registration is still accepted: the
checks afterwards raise a remark for a worker or an enterprise that does not fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from gateway.domain.reference import Declaration, Employment

# The value of the query parameter ``via`` that the printed QR code carries, so that a scan is
# recorded with means QR_CODE and a followed link with means URL.
SCANNED = "qr"


def employers_on(
    declaration: Declaration, employments: Iterable[Employment], inss: str | None, day: date
) -> list[str]:
    """The enterprises a worker may register for on ``declaration`` on ``day``: those of its
    chain that employ the worker then, or, when none does (or the worker is identified by a
    Limosa id), every enterprise of the chain. The declaring contractor comes first.

    >>> from gateway.domain.reference import ChainLink, Period
    >>> works = Declaration("DW1", "0403170701", Period(date(2026, 1, 1)),
    ...                     chain=(ChainLink("0760544138", "0403170701"),))
    >>> employed = [Employment("85073003328", "0760544138", Period(date(2025, 1, 1)))]
    >>> employers_on(works, employed, "85073003328", date(2026, 11, 20))
    ['0760544138']
    >>> employers_on(works, [], "85073003328", date(2026, 11, 20))
    ['0403170701', '0760544138']
    """
    chain = declaration.companies()
    employing = {
        e.employer
        for e in employments
        if inss is not None and e.inss == inss and e.employer in chain and e.valid.covers(day)
    }
    candidates = employing or chain
    return sorted(candidates, key=lambda company: (company != declaration.contractor, company))
