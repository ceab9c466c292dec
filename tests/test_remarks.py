"""Each remark, from a real SOAP submission to its appearance in getPresenceRegistration, and
its disappearance when the cause is fixed. Checks run in a background worker: the tests wait
on a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage.tables import check_queue
from tests.builders import BRUSSELS_WINTER, COMPANY, INSS, registration

DAY = datetime(2026, 11, 20, 8, 0, tzinfo=BRUSSELS_WINTER)  # a past day, sent under emergency
SUBCONTRACTOR = "0760544138"
OTHER_COMPANY = "0873909226"


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def past(**overrides: Any) -> dict[str, Any]:
    """A registration on DAY, captured under the emergency procedure (so not 'late')."""
    values: dict[str, Any] = {"RegistrationDateTime": at(8), "EmergencyProcedure": True}
    values.update(overrides)
    return registration(**values)


def shift(start: int = 8, end: int = 16, **overrides: Any) -> list[dict[str, Any]]:
    """A check-in and its check-out on DAY: a worker's day with nothing wrong in its order."""
    return [
        past(RegistrationType="CHECK_IN", RegistrationDateTime=at(start), **overrides),
        past(RegistrationType="CHECK_OUT", RegistrationDateTime=at(end), **overrides),
    ]


def declaration(workplace: str = "DW2026000001", **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "WorkPlaceId": workplace,
        "ContractorCompanyID": COMPANY,
        "ValidFrom": date(2026, 1, 1),
        "ValidUntil": date(2026, 12, 31),
        "SubjectToRegistration": True,
        "SiteAddress": "Wetstraat 16, 1000 Brussel",
        "Subcontractor": [{"CompanyID": SUBCONTRACTOR, "ParentCompanyID": COMPANY}],
    }
    values.update(overrides)
    return values


def known_world(gateway, **extra: Any) -> None:
    """The enterprises, the worker, the employments and the declaration the registrations of
    these tests name, stored through the operator service."""
    data: dict[str, Any] = {
        "Enterprise": [
            {"CompanyID": COMPANY, "Name": "Net & Proper NV", "ActiveFrom": date(2010, 1, 1)},
            {"CompanyID": SUBCONTRACTOR, "Name": "Glans BV", "ActiveFrom": date(2015, 6, 1)},
        ],
        "Person": [{"INSS": INSS, "Name": "Jan Peeters"}],
        "Employment": [
            {"INSS": INSS, "CompanyID": COMPANY, "ValidFrom": date(2020, 1, 1)},
            {"INSS": INSS, "CompanyID": SUBCONTRACTOR, "ValidFrom": date(2020, 1, 1)},
        ],
        "Declaration": [declaration()],
    }
    for kind, items in extra.items():
        data[kind] = data.get(kind, []) + items
    gateway.admin().service.updateReferenceData(**data)


def submit(gateway, *registrations: dict[str, Any]) -> list[int]:
    answers = gateway.client().service.registerPresences(
        PresenceRegistrationRequest=list(registrations)
    )
    return [a.PresenceRegistration.PresenceRegistrationId for a in answers]


def remarks_once_checked(
    gateway,
    registration_id: int,
    *,
    unless: tuple[str, ...] | None = None,
    deadline: float = 15.0,
    username: str = "badge-system",
) -> list[str]:
    """The remark codes once the registration is checked (and differs from ``unless``)."""
    client = gateway.client(username)
    end = time.monotonic() + deadline
    while True:
        found = client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
        validation = found.LastValidation
        if validation.Status in ("VALIDATED", "FAILED"):
            codes = [
                r.RemarkCode
                for r in (validation.RemarkList.Remark if validation.RemarkList else [])
            ]
            if unless is None or tuple(codes) != unless:
                assert (validation.Status == "FAILED") == bool(codes)
                return codes
        if time.monotonic() > end:
            raise AssertionError(
                f"registration {registration_id} not checked in {deadline} s: {validation.Status}"
            )
        time.sleep(0.05)


def test_a_clean_registration_is_validated_and_its_history_kept(checking):
    known_world(checking)
    registration_id, check_out = submit(checking, *shift())
    assert remarks_once_checked(checking, registration_id) == []
    assert remarks_once_checked(checking, check_out) == []
    found = checking.client().service.getPresenceRegistration(
        PresenceRegistrationId=registration_id
    )
    assert [v.Status for v in found.ValidationHistory.Validation] == [
        "SUCCESSFULLY REGISTERED",
        "VALIDATED",
    ]
    assert found.LastValidation.ValidationDate is not None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"INSS": "85073003329"}, ["INSS_INVALID"]),
        ({"CompanyID": "0403170702"}, ["COMPANY_INVALID", "COMPANY_NOT_IN_CHAIN"]),
        ({"CompanyID": OTHER_COMPANY}, ["COMPANY_UNKNOWN", "COMPANY_NOT_IN_CHAIN"]),
        ({"WorkPlaceId": "DW2099999999"}, ["DECLARATION_UNKNOWN"]),
        ({"EmergencyProcedure": None}, ["REGISTERED_LATE"]),
        ({"INSS": None, "CompanyID": None, "LimosaId": "LIM-UNKNOWN"}, ["LIMOSA_UNKNOWN"]),
    ],
    ids=[
        "inss checksum",
        "company checksum",
        "company unknown",
        "declaration unknown",
        "late",
        "limosa unknown",
    ],
)
def test_a_registration_with_a_wrong_reference_gets_its_remark(checking, overrides, expected):
    known_world(checking)
    registration_id, _ = submit(checking, *shift(**overrides))
    assert remarks_once_checked(checking, registration_id) == expected


def test_the_remark_texts_are_the_rsz_texts(checking):
    known_world(checking)
    registration_id, _ = submit(checking, *shift(CompanyID=OTHER_COMPANY))
    remarks_once_checked(checking, registration_id)
    found = checking.client().service.getPresenceRegistration(
        PresenceRegistrationId=registration_id
    )
    texts = [r.RemarkDescription for r in found.LastValidation.RemarkList.Remark]
    assert texts == [
        "THE COMPANY DOESN'T EXISTS",
        "COMPANY IS NOT KNOWN  AS BUILDER OR  SUBCONTRACTOR IN THIS DUC",
    ]


def test_an_unknown_worker_is_flagged_until_the_national_register_knows_them(checking):
    known_world(checking)
    newcomer = "05010104566"
    registration_id, _ = submit(checking, *shift(INSS=newcomer))
    assert remarks_once_checked(checking, registration_id) == ["INSS_UNKNOWN", "NO_EMPLOYMENT"]
    checking.admin().service.updateReferenceData(
        Person=[{"INSS": newcomer, "Name": "Sofie Maes"}],
        Employment=[{"INSS": newcomer, "CompanyID": COMPANY, "ValidFrom": date(2026, 11, 1)}],
    )
    assert (
        remarks_once_checked(checking, registration_id, unless=("INSS_UNKNOWN", "NO_EMPLOYMENT"))
        == []
    )


def test_a_declaration_registered_late_clears_the_remark(checking):
    known_world(checking)
    registration_id, _ = submit(checking, *shift(WorkPlaceId="DW2026000777"))
    assert remarks_once_checked(checking, registration_id) == ["DECLARATION_UNKNOWN"]
    answer = checking.admin().service.updateReferenceData(Declaration=[declaration("DW2026000777")])
    assert answer.WorkerDaysQueued == 1
    assert remarks_once_checked(checking, registration_id, unless=("DECLARATION_UNKNOWN",)) == []
    history = (
        checking.client()
        .service.getPresenceRegistration(PresenceRegistrationId=registration_id)
        .ValidationHistory.Validation
    )
    assert [(v.Status, len(v.RemarkList.Remark) if v.RemarkList else 0) for v in history] == [
        ("SUCCESSFULLY REGISTERED", 0),
        ("FAILED", 1),
        ("VALIDATED", 0),
    ]


def test_an_inactive_employer_a_missing_employment_and_an_inactive_limosa(checking):
    known_world(
        checking,
        Enterprise=[
            {
                "CompanyID": OTHER_COMPANY,
                "Name": "Gone NV",
                "ActiveFrom": date(2001, 1, 1),
                "ActiveUntil": date(2025, 12, 31),
            }
        ],
        LimosaDeclaration=[
            {"LimosaId": "LIM-OLD", "ValidFrom": date(2025, 1, 1), "ValidUntil": date(2025, 6, 30)}
        ],
        Declaration=[
            declaration("DW2026000002", ContractorCompanyID=OTHER_COMPANY, Subcontractor=[])
        ],
    )
    inactive, _, limosa, _ = submit(
        checking,
        *shift(CompanyID=OTHER_COMPANY, WorkPlaceId="DW2026000002"),
        *shift(INSS=None, CompanyID=None, LimosaId="LIM-OLD"),
    )
    assert remarks_once_checked(checking, inactive) == ["COMPANY_INACTIVE", "NO_EMPLOYMENT"]
    assert remarks_once_checked(checking, limosa) == ["LIMOSA_INACTIVE"]


def test_a_site_not_subject_to_registration(checking):
    known_world(checking, Declaration=[declaration("DW2026000003", SubjectToRegistration=False)])
    registration_id, _ = submit(checking, *shift(WorkPlaceId="DW2026000003"))
    assert remarks_once_checked(checking, registration_id) == ["SITE_NOT_SUBJECT"]


def test_a_subcontractor_in_the_chain_is_fine_and_one_outside_it_is_not(checking):
    known_world(
        checking,
        Enterprise=[
            {"CompanyID": OTHER_COMPANY, "Name": "Elders BV", "ActiveFrom": date(2001, 1, 1)}
        ],
        Employment=[{"INSS": INSS, "CompanyID": OTHER_COMPANY, "ValidFrom": date(2020, 1, 1)}],
    )
    inside, _, outside, _ = submit(
        checking, *shift(7, 11, CompanyID=SUBCONTRACTOR), *shift(13, 17, CompanyID=OTHER_COMPANY)
    )
    assert remarks_once_checked(checking, inside) == []
    assert remarks_once_checked(checking, outside) == ["COMPANY_NOT_IN_CHAIN"]


def test_registering_under_the_previous_contractor_after_a_takeover(checking):
    known_world(
        checking,
        Enterprise=[
            {"CompanyID": OTHER_COMPANY, "Name": "Nieuw NV", "ActiveFrom": date(2001, 1, 1)}
        ],
        Declaration=[
            declaration("DW2026000001", ValidUntil=date(2026, 10, 31)),
            declaration(
                "DW2026000009",
                ContractorCompanyID=OTHER_COMPANY,
                ValidFrom=date(2026, 11, 1),
                TakesOver="DW2026000001",
                Subcontractor=[],
            ),
        ],
    )
    registration_id, _ = submit(checking, *shift(WorkPlaceId="DW2026000009"))
    assert remarks_once_checked(checking, registration_id) == ["PREVIOUS_CONTRACTOR"]
    registration_id, _ = submit(checking, *shift(17, 19, WorkPlaceId="DW2026000001"))
    assert "DECLARATION_INACTIVE" in remarks_once_checked(checking, registration_id)


def test_an_exact_duplicate_without_reference_is_flagged(checking):
    known_world(checking)
    first, _, second = submit(checking, *shift(), past(RegistrationDateTime=at(8)))
    assert remarks_once_checked(checking, first) == []
    assert remarks_once_checked(checking, second) == ["DUPLICATE"]


def test_impossible_sequences_of_one_worker_day(checking):
    known_world(checking)
    ids = submit(
        checking,
        past(RegistrationType="CHECK_OUT", RegistrationDateTime=at(6)),
        past(RegistrationType="BREAK_START", RegistrationDateTime=at(6, 30)),
        past(RegistrationType="CHECK_IN", RegistrationDateTime=at(7)),
        past(RegistrationType="BREAK_END", RegistrationDateTime=at(8)),
        past(RegistrationType="CHECK_IN", RegistrationDateTime=at(9)),
        past(RegistrationType="CHECK_OUT", RegistrationDateTime=at(12)),
    )
    expected = [
        ["CHECK_OUT_WITHOUT_CHECK_IN"],
        ["BREAK_OUTSIDE_WORK"],
        [],
        ["BREAK_END_WITHOUT_START"],
        ["OVERLAPPING_PRESENCE"],
        [],
    ]
    assert [remarks_once_checked(checking, i) for i in ids] == expected


def test_a_check_in_without_check_out_by_the_end_of_the_day_until_the_check_out_arrives(checking):
    known_world(checking)
    [check_in] = submit(checking, past(RegistrationType="CHECK_IN", RegistrationDateTime=at(7)))
    assert remarks_once_checked(checking, check_in) == ["NO_CHECK_OUT"]
    [check_out] = submit(
        checking,
        past(RegistrationType="CHECK_OUT", RegistrationDateTime=at(15), DeviceId="other-reader"),
    )
    assert remarks_once_checked(checking, check_in, unless=("NO_CHECK_OUT",)) == []
    assert remarks_once_checked(checking, check_out) == []


def test_a_late_registration_is_flagged_unless_sent_under_the_emergency_procedure(checking):
    known_world(checking)
    late, emergency = submit(
        checking,
        past(EmergencyProcedure=False, RegistrationType="CHECK_IN", RegistrationDateTime=at(7)),
        past(EmergencyProcedure=True, RegistrationType="CHECK_OUT", RegistrationDateTime=at(15)),
    )
    assert remarks_once_checked(checking, late) == ["REGISTERED_LATE"]
    assert remarks_once_checked(checking, emergency) == []


def test_a_registration_of_today_is_checked_and_queued_again_for_the_end_of_the_day(checking):
    known_world(checking)
    now = datetime.now(UTC) - timedelta(minutes=1)
    [registration_id] = submit(checking, registration(RegistrationDateTime=now))
    assert remarks_once_checked(checking, registration_id) == []
    with checking.engine.connect() as connection:
        pending = connection.execute(select(check_queue.c.available_at)).scalars().all()
    assert len(pending) == 1
    assert pending[0] > now.replace(tzinfo=None) + timedelta(seconds=1)
