"""Registrations as a zeep client sends them and as the domain holds them, with valid
defaults to override."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from gateway.domain.registration import (
    RegistrationMeans,
    RegistrationType,
    Sender,
    SubmittedRegistration,
    UserType,
)

BRUSSELS_WINTER = timezone(timedelta(hours=1))
INSS = "85073003328"
COMPANY = "0403170701"
BADGE_SYSTEM = Sender("badge-system", COMPANY, UserType.EMPLOYER)


def registration(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "INSS": INSS,
        "CompanyID": COMPANY,
        "WorkPlaceId": "DW2026000001",
        "RegistrationType": "CHECK_IN",
        "RegistrationDateTime": datetime(2026, 11, 27, 7, 30, tzinfo=BRUSSELS_WINTER),
        "RegistrationMeans": "BADGE",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def batch(size: int, **overrides: Any) -> list[dict[str, Any]]:
    """``size`` registrations one minute apart, each with its own client reference."""
    start = datetime(2026, 11, 27, 6, 0, tzinfo=BRUSSELS_WINTER)
    return [
        registration(
            RegistrationDateTime=start + timedelta(minutes=i),
            ClientPresenceRegistrationReference=f"ref-{i:05d}",
            **overrides,
        )
        for i in range(size)
    ]


def check_in(at: datetime, reference: str | None = None) -> SubmittedRegistration:
    """A badged check-in of the default worker at ``at``, as the codec reads one."""
    return SubmittedRegistration(
        "DW2026000001",
        RegistrationType.CHECK_IN,
        at,
        RegistrationMeans.BADGE,
        inss=INSS,
        company_id=COMPANY,
        client_reference=reference,
    )
