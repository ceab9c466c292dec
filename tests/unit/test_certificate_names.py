"""An issuer-serial reference names the issuer as its stack writes it: the registered
certificate's issuer is found whatever the spacing, case or alias."""

from __future__ import annotations

import pytest

from gateway.services.certificates import same_name

REGISTERED = "CN=Net & Proper CA,O=Net & Proper NV,C=BE"


@pytest.mark.parametrize(
    "sent",
    [
        "CN=Net & Proper CA,O=Net & Proper NV,C=BE",  # WSS4J, xmlsec (RFC 2253)
        "CN=Net & Proper CA, O=Net & Proper NV, C=BE",  # .NET
        "cn=Net & Proper CA,o=Net & Proper NV,c=BE",
    ],
)
def test_the_same_issuer_is_found_however_it_is_spelled(sent):
    assert same_name(sent, REGISTERED)


@pytest.mark.parametrize(
    "sent", ["CN=Net & Proper CA,O=Other NV,C=BE", "CN=Net & Proper CA", "not a name", ""]
)
def test_another_issuer_or_no_name_is_not_it(sent):
    assert not same_name(sent, REGISTERED)


def test_an_email_address_is_found_under_its_alias():
    assert same_name("E=ca@example.be, CN=CA", "1.2.840.113549.1.9.1=ca@example.be,CN=CA")
