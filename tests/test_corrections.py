"""Correction requests (Q15-Q18): who may ask, within which time and for what; an operator's
decision, the audit trail and the checks run again."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import zeep

from tests.builders import registration
from tests.conftest import DAY, WORKERS, A, B, C
from tests.soap import NS, envelope, post
from tests.test_remarks import remarks_once_checked


def ask(
    gateway,
    username: str,
    registration_id: int,
    proposed: str = "DW2026000001",
    kind: str = "WRONG_WORKPLACE_ID",
):  # type: ignore[no-untyped-def]
    return gateway.client(username).service.requestCorrection(
        PresenceRegistrationId=registration_id,
        CorrectionType=kind,
        ProposedValue=proposed,
        Motivation="The badge reader of the site was configured with the old number.",
    )


def refused_code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call()
    return raised.value.detail[0].findtext("e:Code", namespaces=NS)


def test_the_enterprise_and_its_contractor_may_ask_and_no_one_else(gateway, chain):
    of_c = chain[C][0]
    answer = ask(gateway, "c-system", of_c, proposed="DW2026000002")
    assert answer.Status == "PENDING" and answer.CorrectionRequestId >= 1
    assert ask(gateway, "b-system", of_c, proposed="DW2026000003").Status == "PENDING"
    assert refused_code(lambda: ask(gateway, "badge-system", of_c)) == "Client.CorrectionRefused"
    assert refused_code(lambda: ask(gateway, "d-system", of_c)) == "Client.RegistrationNotFound"


def test_a_request_on_day_31_is_refused_and_on_day_29_accepted(gateway):
    now = datetime.now(UTC)
    old, recent = [
        a.PresenceRegistration.PresenceRegistrationId
        for a in gateway.client().service.registerPresences(
            PresenceRegistrationRequest=[
                registration(
                    RegistrationDateTime=now - timedelta(days=31), EmergencyProcedure=True
                ),
                registration(
                    RegistrationDateTime=now - timedelta(days=29), EmergencyProcedure=True
                ),
            ]
        )
    ]
    with pytest.raises(zeep.exceptions.Fault) as raised:
        ask(gateway, "badge-system", old, proposed="DW2026000009")
    assert "within 30 days" in raised.value.message
    assert ask(gateway, "badge-system", recent, proposed="DW2026000009").Status == "PENDING"


def test_only_the_three_kinds_exist_and_a_company_id_must_be_valid(gateway, chain):
    body = (
        '<RequestCorrectionRequest xmlns="urn:ciao:presenceregistration:schemas:v1">'
        f"<PresenceRegistrationId>{chain[A][0]}</PresenceRegistrationId>"
        "<CorrectionType>WRONG_TIME</CorrectionType><ProposedValue>x</ProposedValue>"
        "<Motivation>forgot to badge</Motivation></RequestCorrectionRequest>"
    )
    assert post(gateway.url, envelope(body)).error_code == "Client.SchemaValidation"
    code = refused_code(
        lambda: ask(
            gateway, "badge-system", chain[A][0], proposed="0403170702", kind="WRONG_COMPANY_ID"
        )
    )
    assert code == "Client.CorrectionRefused"


@pytest.mark.parametrize("kind", ["WRONG_WORKPLACE_ID", "MISSING_WORKPLACE_ID"])
def test_a_blank_declaration_number_is_refused(gateway, chain, kind):
    with pytest.raises(zeep.exceptions.Fault) as raised:
        ask(gateway, "badge-system", chain[A][0], proposed="  ", kind=kind)
    assert raised.value.detail[0].findtext("e:Code", namespaces=NS) == "Client.CorrectionRefused"
    assert raised.value.message == "The proposed value is empty: give the right value."


def test_an_approved_correction_changes_the_registration_keeps_the_trail_and_rechecks(
    checking, chain
):
    registration_id = (
        checking.client("c-system")
        .service.registerPresences(
            PresenceRegistrationRequest=[
                registration(
                    INSS=WORKERS[C],
                    CompanyID=C,
                    WorkPlaceId="DW2099999999",
                    EmergencyProcedure=True,
                    RegistrationType="CHECK_OUT",
                    RegistrationDateTime=datetime.combine(DAY + timedelta(days=1), time(15), UTC),
                )
            ]
        )[0]
        .PresenceRegistration.PresenceRegistrationId
    )
    before = remarks_once_checked(checking, registration_id, username="c-system")
    assert "DECLARATION_UNKNOWN" in before
    request_id = ask(checking, "c-system", registration_id).CorrectionRequestId
    admin = checking.admin().service
    pending = admin.listCorrectionRequests()
    assert [r.CorrectionRequestId for r in pending] == [request_id]
    assert pending[0].CurrentValue == "DW2099999999"
    decided = admin.decideCorrectionRequest(
        CorrectionRequestId=request_id, Decision="APPROVE", Note="Checked with the client."
    )
    assert decided.Status == "APPROVED"
    after = remarks_once_checked(
        checking, registration_id, unless=tuple(before), username="c-system"
    )
    assert "DECLARATION_UNKNOWN" not in after
    found = checking.client("c-system").service.getPresenceRegistration(
        PresenceRegistrationId=registration_id
    )
    assert found.PresenceRegistrationSubmitted.WorkPlaceId == "DW2026000001"
    [correction] = found.CorrectionHistory.Correction
    assert (correction.Field, correction.OldValue, correction.NewValue) == (
        "workplace_id",
        "DW2099999999",
        "DW2026000001",
    )
    again = refused_code(
        lambda: admin.decideCorrectionRequest(CorrectionRequestId=request_id, Decision="REJECT")
    )
    assert again == "Client.CorrectionRefused"
    assert admin.listCorrectionRequests() == []


def test_a_rejected_request_changes_nothing(gateway, chain):
    request_id = ask(
        gateway, "b-system", chain[B][0], proposed=A, kind="WRONG_COMPANY_ID"
    ).CorrectionRequestId
    admin = gateway.admin().service
    assert (
        admin.decideCorrectionRequest(CorrectionRequestId=request_id, Decision="REJECT").Status
        == "REJECTED"
    )
    found = gateway.client("b-system").service.getPresenceRegistration(
        PresenceRegistrationId=chain[B][0]
    )
    assert found.PresenceRegistrationSubmitted.CompanyID == B
    assert found.CorrectionHistory is None
    assert [r.Status for r in admin.listCorrectionRequests(Status="REJECTED")] == ["REJECTED"]
    assert (
        refused_code(
            lambda: admin.decideCorrectionRequest(CorrectionRequestId=999, Decision="APPROVE")
        )
        == "Client.CorrectionRequestNotFound"
    )
