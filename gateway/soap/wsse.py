"""Names and small readers shared by the WS-Security header's readers (OASIS WSS 1.0/1.1)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod

from gateway.domain.identity import CertificateReference, fingerprint
from gateway.services.errors import SignatureRejected

NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
X509_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
WSS11 = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1"

# Basic256Sha256's algorithms, and their stronger siblings; never SHA-1.
SIGNATURE_METHODS = frozenset(
    {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512}
)
DIGEST_METHODS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})

SECURITY = f"{{{NS_WSSE}}}Security"
TIMESTAMP = f"{{{NS_WSU}}}Timestamp"

# The attributes a reference's "#id" may name, in any namespace (wsu:Id, Id, ID, xml:id), as
# the signature library resolves them: an id that names two elements is refused.
_ID_NAMES = ("Id", "ID", "id")
_WITH_ID = etree.XPath("//*[@*[local-name() = 'Id' or local-name() = 'ID' or local-name() = 'id']]")


def elements_by_id(envelope: etree._Element) -> dict[str, list[etree._Element]]:
    """Every element of ``envelope``'s document that an ``#id`` may name, by that id: one
    pass over the document, however many references look."""
    found: dict[str, list[etree._Element]] = {}
    matched = _WITH_ID(envelope)
    assert isinstance(matched, list)
    for element in matched:
        if not isinstance(element, etree._Element):
            continue
        for name, value in element.attrib.items():
            if etree.QName(name).localname in _ID_NAMES:
                found.setdefault(value, []).append(element)
    return found


def parse_time(text: str, name: str) -> datetime:
    """An xsd:dateTime with a time zone, or ``SignatureRejected`` naming ``name``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SignatureRejected(f"{name} {text!r} is not a date and time with a time zone.")
    return moment


def decode_base64(text: str | None, name: str) -> bytes:
    """The bytes of a base64 element (line breaks allowed), or ``SignatureRejected``."""
    try:
        value = base64.b64decode("".join((text or "").split()), validate=True)
    except binascii.Error:
        value = b""
    if not value:
        raise SignatureRejected(f"The {name} is not base64.")
    return value


def x509_data_reference(key_info: etree._Element, what: str) -> CertificateReference | None:
    """The certificate a ``ds:X509Data`` of ``key_info`` names: the certificate itself
    (``what`` names it in a refusal), or its issuer and serial number; None for neither."""
    certificate = key_info.findtext(f"{{{NS_DS}}}X509Data/{{{NS_DS}}}X509Certificate")
    if certificate is not None:
        return CertificateReference(fingerprint=fingerprint(decode_base64(certificate, what)))
    issuer_serial = f"{{{NS_DS}}}X509Data/{{{NS_DS}}}X509IssuerSerial/{{{NS_DS}}}"
    issuer = key_info.findtext(issuer_serial + "X509IssuerName")
    serial = key_info.findtext(issuer_serial + "X509SerialNumber")
    if issuer and serial and serial.strip().isdigit():
        return CertificateReference(issuer=issuer.strip(), serial=serial.strip())
    return None
