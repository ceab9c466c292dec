"""For whom: the employer's enterprise number and the worker's employment with it."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.checks.numbers import valid_enterprise, valid_inss
from gateway.domain import remarks
from gateway.domain.reference import ReferenceData
from gateway.domain.registration import SubmittedRegistration
from gateway.domain.workday import work_day


def check_employer(registration: SubmittedRegistration, reference: ReferenceData) -> Iterator[str]:
    company = registration.company_id
    if company is None:  # a posted worker (Limosa) has no Belgian employer to check
        return
    if not valid_enterprise(company):
        yield remarks.COMPANY_INVALID.code
        return
    day = work_day(registration.registered_at)
    enterprise = reference.enterprises.get(company)
    if enterprise is None:
        yield remarks.COMPANY_UNKNOWN.code
        return
    if not enterprise.active.covers(day):
        yield remarks.COMPANY_INACTIVE.code
    inss = registration.inss or ""
    if not valid_inss(inss):  # INSS_INVALID says it already
        return
    employments = reference.employments.get(inss, [])
    if not any(e.employer == company and e.valid.covers(day) for e in employments):
        yield remarks.NO_EMPLOYMENT.code
