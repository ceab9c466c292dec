"""Reading a SAML holder-of-key assertion (SAML 1.1 or 2.0, WSS SAML Token Profile 1.1).

The RSZ's token service issues such an assertion: it carries the holder's certificate in its
``SubjectConfirmation`` and is signed (an enveloped ``ds:Signature``) by the token service.
The holder then signs the message with that certificate's key. The gateway issues none; it
accepts an assertion signed by a token-service certificate an operator registered, checked
by signxml like the message's signature.
"""

from __future__ import annotations

from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import SignXMLException

from gateway.domain.identity import CertificateReference, SignedAssertion, Verify
from gateway.services.errors import SignatureRejected
from gateway.soap.wsse import (
    DIGEST_METHODS,
    NS_DS,
    SIGNATURE_METHODS,
    WSS11,
    decode_base64,
    parse_time,
    x509_data_reference,
)

NS_SAML1 = "urn:oasis:names:tc:SAML:1.0:assertion"
NS_SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion"
ASSERTION_1 = f"{{{NS_SAML1}}}Assertion"
ASSERTION_2 = f"{{{NS_SAML2}}}Assertion"
ASSERTION_ID_TYPES = frozenset(
    {
        "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID",
        "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID",
        WSS11 + "#SAMLAssertionID",
    }
)
HOLDER_OF_KEY_1 = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"
HOLDER_OF_KEY_2 = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"

_NS = {"ds": NS_DS, "saml1": NS_SAML1, "saml2": NS_SAML2}
_CERTIFICATE = "ds:KeyInfo/ds:X509Data/ds:X509Certificate"


def assertion_id(assertion: etree._Element) -> str | None:
    return assertion.get("AssertionID" if assertion.tag == ASSERTION_1 else "ID")


def find(security: etree._Element, identifier: str) -> etree._Element:
    """The one assertion of the ``wsse:Security`` header with id ``identifier``."""
    found = [
        element
        for element in security
        if element.tag in (ASSERTION_1, ASSERTION_2) and assertion_id(element) == identifier
    ]
    if len(found) != 1:
        raise SignatureRejected(
            f"The signature's KeyIdentifier names SAML assertion {identifier!r}, which the "
            "wsse:Security header does not hold exactly once."
        )
    return found[0]


def read_assertion(assertion: etree._Element) -> tuple[bytes, SignedAssertion]:
    """The holder's certificate (DER) and what the token service signed, or
    ``SignatureRejected``."""
    holder = _holder_certificate(assertion)
    signature = assertion.find("ds:Signature", _NS)
    if signature is None:
        raise SignatureRejected("The SAML assertion is not signed by a token service.")
    uris = [r.get("URI") for r in signature.iterfind("ds:SignedInfo/ds:Reference", _NS)]
    if uris != [f"#{assertion_id(assertion)}"]:
        raise SignatureRejected(
            "The SAML assertion's signature must reference the assertion itself, by its id."
        )
    conditions = assertion.find("saml1:Conditions", _NS)
    if conditions is None:
        conditions = assertion.find("saml2:Conditions", _NS)
    not_before = not_on_or_after = None
    if conditions is not None:
        if conditions.get("NotBefore"):
            not_before = parse_time(conditions.get("NotBefore", ""), "Conditions NotBefore")
        if conditions.get("NotOnOrAfter"):
            text = conditions.get("NotOnOrAfter", "")
            not_on_or_after = parse_time(text, "Conditions NotOnOrAfter")
    return holder, SignedAssertion(
        issuer_reference=_issuer_reference(signature),
        not_before=not_before,
        not_on_or_after=not_on_or_after,
        verify=_verifier(assertion),
    )


def _holder_certificate(assertion: etree._Element) -> bytes:
    if assertion.tag == ASSERTION_1:  # in a statement of the assertion, not a ds:Object
        confirmation = f"[saml1:ConfirmationMethod='{HOLDER_OF_KEY_1}']/"
        path = "saml1:*/saml1:Subject/saml1:SubjectConfirmation" + confirmation + _CERTIFICATE
    else:
        confirmation = f"[@Method='{HOLDER_OF_KEY_2}']/saml2:SubjectConfirmationData/"
        path = "saml2:Subject/saml2:SubjectConfirmation" + confirmation + _CERTIFICATE
    found = assertion.xpath(path, namespaces=_NS)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return decode_base64(found[0].text, "holder's certificate")
    raise SignatureRejected(
        "The SAML assertion carries no holder-of-key SubjectConfirmation with the holder's "
        "X.509 certificate."
    )


def _issuer_reference(signature: etree._Element) -> CertificateReference:
    key_info = signature.find("ds:KeyInfo", namespaces=_NS)
    named = (
        None if key_info is None else x509_data_reference(key_info, "token service's certificate")
    )
    if named is not None:
        return named
    raise SignatureRejected(
        "The SAML assertion's signature names no certificate (ds:X509Certificate or "
        "ds:X509IssuerSerial in its ds:KeyInfo)."
    )


def _verifier(assertion: etree._Element) -> Verify:
    def verify(der: bytes) -> None:
        certificate = x509.load_der_x509_certificate(der)
        config = SignatureConfiguration(
            location="./",
            expect_references=1,
            signature_methods=SIGNATURE_METHODS,
            digest_algorithms=DIGEST_METHODS,
            verification_time=certificate.not_valid_before_utc,  # its validity: see signature
        )
        try:
            XMLVerifier().verify(
                assertion,
                x509_cert=certificate,
                expect_config=config,
                # SAML 1.1 names its id AssertionID, which signxml does not look for itself.
                id_attribute="AssertionID" if assertion.tag == ASSERTION_1 else "ID",
            )
        except (SignXMLException, ValueError, etree.LxmlError) as failure:
            raise SignatureRejected(
                f"The token service's signature over the SAML assertion does not hold ({failure})."
            ) from None

    return verify
