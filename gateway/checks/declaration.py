"""Where: the declaration of works the registration names, and the enterprise's place in it.

After a contract takeover a new declaration is made; a worker who registers on it under the
previous contractor's enterprise number gets PREVIOUS_CONTRACTOR (DOMAIN.md, Q4).
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.domain import remarks
from gateway.domain.reference import ReferenceData
from gateway.domain.registration import SubmittedRegistration
from gateway.domain.workday import work_day


def check_declaration(
    registration: SubmittedRegistration, reference: ReferenceData
) -> Iterator[str]:
    declaration = reference.declarations.get(registration.workplace_id)
    if declaration is None:
        yield remarks.DECLARATION_UNKNOWN.code
        return
    if not declaration.valid.covers(work_day(registration.registered_at)):
        yield remarks.DECLARATION_INACTIVE.code
    if not declaration.subject_to_registration:
        yield remarks.SITE_NOT_SUBJECT.code
    company = registration.company_id
    if company is None or company in declaration.companies():
        return
    previous = reference.declarations.get(declaration.takes_over or "")
    if previous is not None and company in previous.companies():
        yield remarks.PREVIOUS_CONTRACTOR.code
    else:
        yield remarks.COMPANY_NOT_IN_CHAIN.code
