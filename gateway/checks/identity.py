"""Who worked: the INSS (national register or BIS number) or the Limosa declaration."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.checks.numbers import valid_inss
from gateway.domain import remarks
from gateway.domain.reference import ReferenceData
from gateway.domain.registration import SubmittedRegistration
from gateway.domain.workday import work_day


def check_worker(registration: SubmittedRegistration, reference: ReferenceData) -> Iterator[str]:
    """
    >>> from datetime import datetime, timezone
    >>> from gateway.domain.registration import RegistrationType, RegistrationMeans
    >>> at = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)
    >>> r = SubmittedRegistration("W", RegistrationType.CHECK_IN, at, RegistrationMeans.BADGE,
    ...                           inss="85073003329", company_id="0403170701")
    >>> list(check_worker(r, ReferenceData()))
    ['INSS_INVALID']
    """
    if registration.limosa_id is not None:
        declaration = reference.limosa.get(registration.limosa_id)
        if declaration is None:
            yield remarks.LIMOSA_UNKNOWN.code
        elif not declaration.valid.covers(work_day(registration.registered_at)):
            yield remarks.LIMOSA_INACTIVE.code
        return
    inss = registration.inss or ""
    if not valid_inss(inss):
        yield remarks.INSS_INVALID.code
    elif inss not in reference.persons:
        yield remarks.INSS_UNKNOWN.code
