"""Signing requests with an X.509 certificate, as the RSZ's security policy asks and as
WSS4J (Apache CXF) lays it out: a ``wsse:Security`` header with a BinarySecurityToken, a
``wsu:Timestamp`` and a ``ds:Signature`` over the Timestamp and the ``soap:Body`` (exclusive
C14N, RSA-SHA256, SHA-256), naming its certificate by a ``wsse:SecurityTokenReference``.

    client = zeep.Client(wsdl, wsse=X509Signature.from_files("me.pem", "me-key.pem"))

Signed by signxml on cryptography (no xmlsec needed). The gateway's answers are not signed:
``verify`` takes them as they are.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
X509_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
X509V3 = X509_PROFILE + "#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
THUMBPRINT = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
SAML_PROFILE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1"
SAML2_TOKEN = SAML_PROFILE + "#SAMLV2.0"
SAML1_TOKEN = SAML_PROFILE + "#SAMLV1.1"
SAML_ID = SAML_PROFILE + "#SAMLID"
SAML1_ID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID"
NS_SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion"

# How the signature names its certificate (WS-SecurityPolicy: the token itself, or
# MustSupportRefKeyIdentifier / MustSupportRefIssuerSerial when it is not sent).
KEY_REFERENCES = ("token", "key-identifier", "issuer-serial", "thumbprint")


class SigningFileError(Exception):
    """A certificate or key file that cannot be used; the message names it."""


def _wsu_id(element: etree._Element, prefix: str) -> str:
    identifier = element.get(f"{{{NS_WSU}}}Id")
    if identifier is None:
        identifier = f"{prefix}-{uuid.uuid4().hex}"
        element.set(f"{{{NS_WSU}}}Id", identifier)
    return identifier


def _zulu(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


class X509Signature:
    """A zeep ``wsse`` plugin that signs every request with ``certificate`` and ``key``."""

    def __init__(
        self,
        certificate: bytes,
        key: bytes,
        *,
        key_reference: str = "token",
        lifetime: timedelta = timedelta(minutes=5),
        assertion: bytes | None = None,
    ) -> None:
        """``assertion``: a SAML holder-of-key assertion (1.1 or 2.0) a token service issued
        for this certificate, sent in the header and naming the key instead of
        ``key_reference``."""
        if key_reference not in KEY_REFERENCES:
            raise ValueError(f"key_reference must be one of {', '.join(KEY_REFERENCES)}")
        self.certificate = x509.load_pem_x509_certificate(certificate)
        private_key = serialization.load_pem_private_key(key, password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError("the key is not an RSA private key")
        self.key = private_key
        self.key_reference = key_reference
        self.lifetime = lifetime
        self.assertion = assertion

    @classmethod
    def from_files(cls, certificate: str | Path, key: str | Path, **options: Any) -> X509Signature:
        """Read from PEM files, or ``SigningFileError`` naming the file that is wrong."""
        certificate_pem, key_pem = Path(certificate).read_bytes(), Path(key).read_bytes()
        try:
            x509.load_pem_x509_certificate(certificate_pem)
        except ValueError:
            raise SigningFileError(f"{certificate}: not a PEM X.509 certificate") from None
        try:
            return cls(certificate_pem, key_pem, **options)
        except (ValueError, TypeError):
            raise SigningFileError(f"{key}: not an unencrypted PEM RSA private key") from None

    def apply(self, envelope: etree._Element, headers: dict[str, Any]) -> tuple[Any, Any]:
        sign(envelope, self, datetime.now(UTC))
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        return envelope


def sign(envelope: etree._Element, signer: X509Signature, now: datetime) -> etree._Element:
    """Add the Timestamp, the token and the signature to ``envelope``'s wsse:Security."""
    header = envelope.find(f"{{{NS_SOAP}}}Header")
    if header is None:
        header = etree.Element(f"{{{NS_SOAP}}}Header")
        envelope.insert(0, header)
    security = header.find(f"{{{NS_WSSE}}}Security")
    if security is None:
        security = etree.SubElement(
            header, f"{{{NS_WSSE}}}Security", nsmap={"wsse": NS_WSSE, "wsu": NS_WSU}
        )
        security.set(f"{{{NS_SOAP}}}mustUnderstand", "1")
    timestamp = etree.SubElement(security, f"{{{NS_WSU}}}Timestamp")
    etree.SubElement(timestamp, f"{{{NS_WSU}}}Created").text = _zulu(now)
    etree.SubElement(timestamp, f"{{{NS_WSU}}}Expires").text = _zulu(now + signer.lifetime)
    der = signer.certificate.public_bytes(serialization.Encoding.DER)
    token_reference = etree.Element(f"{{{NS_WSSE}}}SecurityTokenReference")
    if signer.assertion is not None:
        assertion = etree.fromstring(signer.assertion)
        security.insert(0, assertion)
        version_2 = assertion.tag == f"{{{NS_SAML2}}}Assertion"
        token_reference.set(f"{{{WSSE11}}}TokenType", SAML2_TOKEN if version_2 else SAML1_TOKEN)
        identifier = etree.SubElement(
            token_reference,
            f"{{{NS_WSSE}}}KeyIdentifier",
            ValueType=SAML_ID if version_2 else SAML1_ID,
        )
        identifier.text = assertion.get("ID" if version_2 else "AssertionID")
    elif signer.key_reference == "token":
        token = etree.Element(
            f"{{{NS_WSSE}}}BinarySecurityToken", EncodingType=BASE64, ValueType=X509V3
        )
        token.text = base64.b64encode(der).decode()
        security.insert(0, token)
        etree.SubElement(
            token_reference,
            f"{{{NS_WSSE}}}Reference",
            URI="#" + _wsu_id(token, "X509"),
            ValueType=X509V3,
        )
    elif signer.key_reference == "issuer-serial":
        data = etree.SubElement(token_reference, f"{{{NS_DS}}}X509Data")
        issuer_serial = etree.SubElement(data, f"{{{NS_DS}}}X509IssuerSerial")
        etree.SubElement(
            issuer_serial, f"{{{NS_DS}}}X509IssuerName"
        ).text = signer.certificate.issuer.rfc4514_string()
        etree.SubElement(issuer_serial, f"{{{NS_DS}}}X509SerialNumber").text = str(
            signer.certificate.serial_number
        )
    else:
        if signer.key_reference == "thumbprint":
            value, value_type = hashlib.sha1(der, usedforsecurity=False).digest(), THUMBPRINT
        else:
            value, value_type = (
                _subject_key_identifier(signer.certificate),
                (X509_PROFILE + "#X509SubjectKeyIdentifier"),
            )
        identifier = etree.SubElement(
            token_reference,
            f"{{{NS_WSSE}}}KeyIdentifier",
            EncodingType=BASE64,
            ValueType=value_type,
        )
        identifier.text = base64.b64encode(value).decode()
    key_info = etree.Element(f"{{{NS_DS}}}KeyInfo")
    key_info.append(token_reference)
    body = envelope.find(f"{{{NS_SOAP}}}Body")
    if body is None:
        raise ValueError("the envelope has no soap:Body")
    references = ["#" + _wsu_id(timestamp, "TS"), "#" + _wsu_id(body, "id")]
    signature = XMLSigner(
        method=SignatureConstructionMethod.detached,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(envelope, key=signer.key, reference_uri=references, key_info=key_info)
    security.append(signature)
    return envelope


def _subject_key_identifier(certificate: x509.Certificate) -> bytes:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return extension.value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest
