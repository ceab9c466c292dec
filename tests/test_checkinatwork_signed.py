"""A Checkin@Work call may be authenticated by an X.509 signature instead of a UsernameToken,
through the same security as CIaO's: signed, it registers; changed after signing, it is the
platform's not-authenticated fault and nothing is stored."""

from __future__ import annotations

from lxml import etree

from tests.checkinatwork import NS_ERR, NS_V1, rsz_errors, rsz_protocol, url
from tests.signing import pair, register, signed
from tests.soap import post
from tests.test_checkinatwork import COMPANY, INSS, WORKPLACE, stored

BODY = (
    f'<v1:RegisterPresencesRequest xmlns:v1="{NS_V1}" '
    'xmlns:t="http://socialsecurity.be/presenceregistration/schemas/v1">'
    f"<v1:PresenceRegistrationRequest><t:INSS>{INSS}</t:INSS><t:CompanyID>{COMPANY}"
    f"</t:CompanyID><t:WorkPlaceId>{WORKPLACE}</t:WorkPlaceId></v1:PresenceRegistrationRequest>"
    "</v1:RegisterPresencesRequest>"
)


def test_a_signed_presence_registers_and_a_changed_one_is_not_authenticated(sqlite_gateway):
    made = pair()
    register(sqlite_gateway, made)
    reply = post(url(sqlite_gateway), etree.tostring(signed(made, BODY)))
    assert reply.status == 200, reply.body
    rsz_protocol().assertValid(reply.xml.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0])
    assert len(stored(sqlite_gateway)) == 1

    changed = etree.tostring(signed(made, BODY)).replace(WORKPLACE.encode(), b"DW2026000002")
    reply = post(url(sqlite_gateway), changed)
    detail = reply.xml.find(f".//{{{NS_ERR}}}SystemError")
    rsz_errors().assertValid(detail)
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-01001"
    assert len(stored(sqlite_gateway)) == 1
