"""getPresenceRegistration: a stored registration by id, for those who may see it."""

from __future__ import annotations

import pytest
import zeep

from tests.builders import registration
from tests.soap import NS


def test_a_stored_registration_is_returned_by_id_with_its_history(gateway):
    client = gateway.client()
    [answer] = client.service.registerPresences(
        PresenceRegistrationRequest=[registration(DeviceId="gate-3")]
    )
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    found = client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
    assert found.PresenceRegistrationId == registration_id
    assert found.PresenceRegistrationSubmitted.DeviceId == "gate-3"
    assert found.CreationDate == answer.PresenceRegistration.CreationDate
    assert [v.Status for v in found.ValidationHistory.Validation] == ["SUCCESSFULLY REGISTERED"]


def not_found(client: zeep.Client, registration_id: int) -> str:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
    return raised.value.detail[0].findtext("e:Code", namespaces=NS)


def test_an_unknown_id_is_a_business_error(gateway):
    assert not_found(gateway.client(), 999_999) == "Client.RegistrationNotFound"


def test_another_enterprise_cannot_read_it_but_an_operator_can(gateway):
    [answer] = gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[registration()]
    )
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    gateway.add_account("outsider", company="0760544138")
    gateway.add_account("rsz-operator", company="0873909226", role="OPERATOR")
    assert not_found(gateway.client("outsider"), registration_id) == "Client.RegistrationNotFound"
    found = gateway.client("rsz-operator").service.getPresenceRegistration(
        PresenceRegistrationId=registration_id
    )
    assert found.PresenceRegistrationId == registration_id


def test_the_employer_named_in_the_registration_can_read_what_another_system_sent(gateway):
    gateway.add_account("vendor", company="0760544138")
    [answer] = gateway.client("vendor").service.registerPresences(
        PresenceRegistrationRequest=[registration(CompanyID="0403170701")]
    )
    found = gateway.client("badge-system").service.getPresenceRegistration(
        PresenceRegistrationId=answer.PresenceRegistration.PresenceRegistrationId
    )
    assert found.Sender.SenderId == "vendor"
