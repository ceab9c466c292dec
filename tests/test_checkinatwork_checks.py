"""Checkin@Work presences are checked like CIaO registrations, after they are stored, and their
remarks are the v1 contract's texts; an employer sees the presences of the companies below it
in the chain of a declaration of works, and no one else's."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from tests.checkinatwork import RszClient, rsz_protocol
from tests.conftest import WORKERS, A, B, D, RunningGateway
from tests.processes import wait_until
from tests.test_checkinatwork import TODAY, presence
from tests.test_remarks import declaration, known_world

DONE = ("VALIDATED", "FAILED")


def checked(client: RszClient, registration_id: int, deadline: float = 15.0) -> list[str]:
    """The remark texts of the presence once the checks have looked at it."""
    end = time.monotonic() + deadline
    while True:
        answer = client.service.getPresenceRegistration(
            GetPresenceRegistrationRequest={"PresenceRegistrationId": registration_id}
        )
        found = answer.GetPresenceRegistrationType.PresenceRegistrationType
        if found.LastValidation.Status in DONE:
            rsz_protocol().assertValid(client.last_answer())
            remarks = found.LastValidation.RemarkList
            # A repeated sequence of one element, which zeep reads as a list of its values.
            texts = [item["Remark"] for item in remarks._value_1] if remarks else []
            assert (found.LastValidation.Status == "FAILED") == bool(texts)
            return texts
        assert time.monotonic() < end, f"presence {registration_id} not checked in {deadline} s"
        time.sleep(0.05)


def register(client: RszClient, *items: dict[str, Any]) -> list[int]:
    answers = client.service.registerPresences(PresenceRegistrationRequest=list(items))
    return [a.PresenceRegistration.PresenceRegistrationId for a in answers]


def test_presences_get_the_v1_remark_texts_once_checked(checking):
    known_world(checking)
    client = RszClient(checking)
    clean, unknown_site, outside, twice = register(
        client,
        presence(),
        presence(WorkPlaceId="DW2026000999"),
        presence(CompanyID=int(D)),
        presence(),
    )
    # zeep's strict mode misreads the LimosaId echo of the answer (README of rsz-v1)
    [posted] = register(
        RszClient(checking, strict=False),
        {"LimosaId": "L2026999999", "WorkPlaceId": "DW2026000001"},
    )
    assert checked(client, clean) == []
    assert "DUC IS NOT EXISTING" in checked(client, unknown_site)
    assert "COMPANY IS NOT KNOWN  AS BUILDER OR  SUBCONTRACTOR IN THIS DUC" in checked(
        client, outside
    )
    assert checked(client, twice) == ["SAME DECLARATION HAS ALREADY BEEN REGISTERED"]
    assert checked(client, posted) == ["LIMOSA ID IS NOT KNOWN"]

    failed = client.service.searchPresences(
        SearchPresenceRequest={
            "SearchPresenceRegistrationCriteria": {
                "StatusList": {"Status": ["FAILED"]},
                "RemarkList": {"Remark": ["DUC IS NOT EXISTING"]},
                "RegistrationPeriodList": {
                    "RegistrationPeriod": [
                        {"RegistrationPeriodStartDate": TODAY, "RegistrationPeriodEndDate": TODAY}
                    ]
                },
            }
        }
    )
    rsz_protocol().assertValid(client.last_answer())
    found = failed.PresenceRegistrationList
    assert [p.PresenceRegistrationId for p in found.PresenceRegistration] == [unknown_site]


def test_a_declaration_filed_later_clears_the_remark_at_the_next_check(checking):
    known_world(checking)
    client = RszClient(checking)
    [late] = register(client, presence(WorkPlaceId="DW2026000777"))
    assert checked(client, late) == ["DUC IS NOT EXISTING"]
    checking.admin().service.updateReferenceData(Declaration=[declaration("DW2026000777")])
    wait_until(lambda: checked(client, late) == [], 15, "the remark's going")


def test_a_contractor_sees_its_subcontractors_presences_and_an_outsider_does_not(
    gateway: RunningGateway,
):
    gateway.admin().service.updateReferenceData(
        Declaration=[
            {
                "WorkPlaceId": "DW2026000001",
                "ContractorCompanyID": A,
                "ValidFrom": date(2026, 1, 1),
                "SubjectToRegistration": True,
                "Subcontractor": [{"CompanyID": B, "ParentCompanyID": A}],
            }
        ]
    )
    for company, name in ((B, "b-system"), (D, "d-system")):
        gateway.add_account(name, company=company)
    [theirs] = register(RszClient(gateway, "b-system"), presence(INSS=WORKERS[B], CompanyID=int(B)))
    contractor, outsider = RszClient(gateway), RszClient(gateway, "d-system")
    seen = contractor.service.getPresenceRegistration(
        GetPresenceRegistrationRequest={"PresenceRegistrationId": theirs}
    )
    assert (
        seen.GetPresenceRegistrationType.PresenceRegistrationType.PresenceRegistrationId == theirs
    )
    hidden = outsider.service.getPresenceRegistration(
        GetPresenceRegistrationRequest={"PresenceRegistrationId": theirs}
    )
    assert hidden.GetPresenceRegistrationType is None
    periods = {
        "RegistrationPeriod": [
            {
                "RegistrationPeriodStartDate": TODAY,
                "RegistrationPeriodEndDate": TODAY + timedelta(1),
            }
        ]
    }
    for client, count in ((contractor, 1), (outsider, 0)):
        found = client.service.searchPresences(
            SearchPresenceRequest={
                "SearchPresenceRegistrationCriteria": {"RegistrationPeriodList": periods}
            }
        )
        assert found.PresenceRegistrationList.PresenceRegistrationResultCount == count
    cancelled = outsider.service.cancelPresences(
        CancelPresenceRequest=[{"PresenceRegistrationId": theirs, "CancellationReason": "PLANNING"}]
    )
    assert cancelled[0].PresenceRegistrationError.ErrorList.Error[0].ErrorCode == "1"
