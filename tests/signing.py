"""Signed requests for the tests: certificate pairs, registering them, and envelopes signed
as WSS4J lays them out (clients.signing), SAML assertions."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from clients.signing import NS_WSSE, X509Signature, sign
from gateway.services import certificates
from storage.database import transaction
from tests.conftest import RunningGateway
from tests.soap import NS, register_body


@dataclass(frozen=True)
class Pair:
    certificate: bytes
    key: bytes

    def signer(self, **options: Any) -> X509Signature:
        return X509Signature(self.certificate, self.key, **options)


_PAIRS: dict[tuple[str, int, int], Pair] = {}


def pair(name: str = "badge-system", days: int = 365, start_days: int = 0) -> Pair:
    """A certificate pair valid for ``days`` from ``start_days`` days from now (RSA keys are
    slow to make: one per kind for the whole session)."""
    made = _PAIRS.get((name, days, start_days))
    if made is None:
        start = datetime.now(UTC) + timedelta(days=start_days) - timedelta(minutes=5)
        made = _PAIRS[(name, days, start_days)] = Pair(
            *certificates.make_pair(name, days, start=start)
        )
    return made


def register(gateway: RunningGateway, made: Pair, username: str | None = "badge-system") -> None:
    with transaction(gateway.engine) as connection:
        certificates.add(connection, made.certificate, username)


def envelope(body: str | None = None) -> etree._Element:
    return etree.fromstring(
        f'<soap:Envelope xmlns:soap="{NS["soap"]}"><soap:Header/>'
        f"<soap:Body>{body or register_body(1)}</soap:Body></soap:Envelope>"
    )


def signed(
    made: Pair, body: str | None = None, now: datetime | None = None, **options: Any
) -> etree._Element:
    return sign(envelope(body), made.signer(**options), now or datetime.now(UTC))


def security(document: etree._Element) -> etree._Element:
    found = document.find(f"soap:Header/{{{NS_WSSE}}}Security", NS)
    assert found is not None
    return found


def xmlsec() -> ModuleType:
    """The xmlsec binding zeep.wsse.signature signs with; where it does not import (its
    libxml2 must be lxml's), the test is skipped, and fails in CI."""
    try:
        import xmlsec as binding
    except Exception as error:  # ImportError, or xmlsec.Error on a libxml2 mismatch
        reason = f"xmlsec does not import ({error}); zeep.wsse.signature needs it"
        if os.environ.get("CIAO_REQUIRE_FOREIGN"):
            pytest.fail(reason)
        pytest.skip(reason)
    return binding


ASSERTION_ID = "_a75adf55-01d7-40cc-929f-dbd8372ebdfc"


def assertion(
    issuer: Pair,
    holder: Pair,
    not_on_or_after: timedelta = timedelta(hours=8),
    version: str = "2.0",
) -> bytes:
    """A SAML holder-of-key assertion (2.0, or 1.1 as the RSZ's token service issues) for
    ``holder``'s certificate, signed by the token service ``issuer`` (an enveloped signature
    where token services place it)."""
    from cryptography.x509 import load_pem_x509_certificate
    from signxml import XMLSigner
    from signxml.algorithms import SignatureConstructionMethod

    now = datetime.now(UTC)
    holder_der = load_pem_x509_certificate(holder.certificate).public_bytes(Encoding.DER)
    key_info = (
        "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
        f"{base64.b64encode(holder_der).decode()}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
    )
    window = (
        f'NotBefore="{(now - timedelta(minutes=5)).isoformat()}" '
        f'NotOnOrAfter="{(now + not_on_or_after).isoformat()}"'
    )
    ds = 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
    if version == "2.0":
        text = (
            f'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" {ds} '
            f'ID="{ASSERTION_ID}" IssueInstant="{now.isoformat()}" Version="2.0">'
            "<saml2:Issuer>urn:be:fgov:ehealth:sts</saml2:Issuer>"
            '<ds:Signature Id="placeholder"/><saml2:Subject><saml2:NameID>badge-system'
            "</saml2:NameID><saml2:SubjectConfirmation "
            'Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key">'
            f"<saml2:SubjectConfirmationData>{key_info}</saml2:SubjectConfirmationData>"
            f"</saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions {window}/>"
            "</saml2:Assertion>"
        )
    else:
        text = (
            f'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" {ds} '
            f'AssertionID="{ASSERTION_ID}" IssueInstant="{now.isoformat()}" '
            'Issuer="urn:be:fgov:ehealth:sts" MajorVersion="1" MinorVersion="1">'
            f"<saml:Conditions {window}/><saml:AttributeStatement><saml:Subject>"
            "<saml:NameIdentifier>badge-system</saml:NameIdentifier><saml:SubjectConfirmation>"
            "<saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"
            f"</saml:ConfirmationMethod>{key_info}</saml:SubjectConfirmation></saml:Subject>"
            "</saml:AttributeStatement>"
            '<ds:Signature Id="placeholder"/></saml:Assertion>'
        )
    signed_assertion = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    ).sign(
        etree.fromstring(text),
        key=issuer.key,
        cert=issuer.certificate.decode(),
        reference_uri="#" + ASSERTION_ID,
        id_attribute="ID" if version == "2.0" else "AssertionID",
    )
    return etree.tostring(signed_assertion)
