"""Reading a signed message's WS-Security header, as the RSZ's WS-SecurityPolicy lays it out.

An asymmetric binding with Basic256Sha256 (WSS X.509 Token Profile 1.0/1.1): a ``ds:Signature``
in ``wsse:Security`` over the ``soap:Body`` and the ``wsu:Timestamp``, referenced by their
``wsu:Id``, exclusive C14N, RSA-SHA256 (or -384, -512) and SHA-256 (or -384, -512) digests.
Its ``KeyInfo`` names the certificate by a ``SecurityTokenReference``: to a
BinarySecurityToken, by key identifier (subject key identifier, SHA-1 thumbprint, a SAML
assertion's id) or by issuer and serial number, or it carries the certificate itself.

What is read here is only what the signature claims; ``verify`` checks it with a registered
certificate through signxml (canonicalisation by libxml2 through lxml, RSA by cryptography).
What it signs is checked on the envelope being processed, so that a signature over a Body
moved elsewhere in the message (signature wrapping) is refused: every reference's ``Id`` must
name exactly one element, and the envelope's own Body and the header's one Timestamp must be
among them.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException

from gateway.domain.identity import (
    CertificateReference,
    SignatureToken,
    SignedAssertion,
    Verify,
    fingerprint,
)
from gateway.services.errors import SignatureRejected
from gateway.soap import saml
from gateway.soap.protocol import BODY, HEADER
from gateway.soap.wsse import (
    DIGEST_METHODS,
    NS_DS,
    NS_WSSE,
    NS_WSU,
    SECURITY,
    SIGNATURE_METHODS,
    TIMESTAMP,
    WSS11,
    X509_PROFILE,
    decode_base64,
    elements_by_id,
    parse_time,
    x509_data_reference,
)

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = SignatureMethod.RSA_SHA256.value
SHA256 = DigestAlgorithm.SHA256.value
X509V3 = X509_PROFILE + "#X509v3"
SUBJECT_KEY_IDENTIFIER = X509_PROFILE + "#X509SubjectKeyIdentifier"
THUMBPRINT = WSS11 + "#ThumbprintSHA1"

_SIGNATURE = f"{{{NS_DS}}}Signature"
_REFERENCE = f"{{{NS_WSSE}}}Reference"
_KEY_IDENTIFIER = f"{{{NS_WSSE}}}KeyIdentifier"
_STR = f"{{{NS_WSSE}}}SecurityTokenReference"
_NS = {"ds": NS_DS, "wsse": NS_WSSE, "wsu": NS_WSU}


def signature_of(security: etree._Element) -> etree._Element | None:
    """The ``ds:Signature`` of a ``wsse:Security`` header block, if it has one."""
    return security.find(_SIGNATURE)


def read_signature_token(envelope: etree._Element, security: etree._Element) -> SignatureToken:
    """The credentials of the signed ``envelope``, whose ``security`` header block holds a
    ``ds:Signature``, or ``SignatureRejected`` naming what is wrong with what it signs."""
    signature = security.find(_SIGNATURE)
    if signature is None:
        raise SignatureRejected("The wsse:Security header holds no ds:Signature.")
    signed_info = _required(signature, "ds:SignedInfo")
    _check_algorithms(signed_info)
    ids = elements_by_id(envelope)
    signed = [_referenced(ids, uri) for uri in _reference_uris(signed_info)]
    _check_covers(envelope, security, signed)
    timestamp = security.find(TIMESTAMP)
    assert timestamp is not None  # _check_covers made sure
    created_text = (timestamp.findtext(f"{{{NS_WSU}}}Created") or "").strip()
    expires_text = (timestamp.findtext(f"{{{NS_WSU}}}Expires") or "").strip()
    created = parse_time(created_text, "wsu:Timestamp/wsu:Created")
    expires = parse_time(expires_text, "wsu:Timestamp/wsu:Expires") if expires_text else None
    value = decode_base64(_required(signature, "ds:SignatureValue").text, "ds:SignatureValue")
    reference, assertion = _key(ids, security, signature)
    return SignatureToken(
        reference=reference,
        created=created,
        created_text=created_text,
        expires=expires,
        signature_value=value,
        verify=_verifier(envelope, len(signed)),
        assertion=assertion,
    )


def _required(parent: etree._Element, path: str) -> etree._Element:
    found = parent.find(path, _NS)
    if found is None:
        raise SignatureRejected(f"The ds:Signature has no {path}.")
    return found


def _check_algorithms(signed_info: etree._Element) -> None:
    c14n = _required(signed_info, "ds:CanonicalizationMethod").get("Algorithm")
    _check_algorithm("CanonicalizationMethod", c14n, {EXC_C14N}, f"use exclusive C14N ({EXC_C14N})")
    method = _required(signed_info, "ds:SignatureMethod").get("Algorithm")
    allowed = {m.value for m in SIGNATURE_METHODS}
    _check_algorithm("SignatureMethod", method, allowed, f"sign with RSA-SHA256 ({RSA_SHA256})")
    for reference in signed_info.iterfind("ds:Reference", _NS):
        digest = _required(reference, "ds:DigestMethod").get("Algorithm")
        allowed = {d.value for d in DIGEST_METHODS}
        _check_algorithm("DigestMethod", digest, allowed, f"digest with SHA-256 ({SHA256})")
        for transform in reference.iterfind("ds:Transforms/ds:Transform", _NS):
            _check_algorithm(
                "Transform",
                transform.get("Algorithm"),
                {EXC_C14N},
                f"transform a reference by exclusive C14N ({EXC_C14N}) only",
            )


def _check_algorithm(name: str, algorithm: str | None, allowed: set[str], advice: str) -> None:
    if algorithm not in allowed:
        raise SignatureRejected(
            f"{name} {algorithm} is refused: {advice}, as Basic256Sha256 asks; SHA-1 is not "
            "accepted."
        )


def _reference_uris(signed_info: etree._Element) -> Iterable[str]:
    references = signed_info.findall("ds:Reference", _NS)
    if not references:
        raise SignatureRejected("The signature references nothing: sign the soap:Body.")
    for reference in references:
        uri = reference.get("URI") or ""
        if not uri.startswith("#") or len(uri) == 1:
            raise SignatureRejected(
                f"Reference URI {uri!r} is refused: reference the signed parts by their "
                'wsu:Id (URI="#id").'
            )
        yield uri[1:]


def _referenced(ids: dict[str, list[etree._Element]], identifier: str) -> etree._Element:
    found = ids.get(identifier, [])
    if len(found) != 1:
        how = "no element" if not found else f"{len(found)} elements"
        raise SignatureRejected(
            f"The signature's reference #{identifier} names {how} of the message; every "
            "signed part needs an Id of its own."
        )
    return found[0]


def _check_covers(
    envelope: etree._Element, security: etree._Element, signed: list[etree._Element]
) -> None:
    """The envelope's own Body and the header's only Timestamp are among ``signed``."""
    body = envelope.find(BODY)
    if not any(element is body for element in signed):
        if any(element.tag == BODY for element in signed):
            raise SignatureRejected(
                "The signed soap:Body is not the message's Body (signature wrapping): sign "
                "the Body that is sent."
            )
        raise SignatureRejected("The signature does not cover the soap:Body: sign the Body.")
    timestamps = security.findall(TIMESTAMP)
    if len(timestamps) != 1:
        raise SignatureRejected(
            "The wsse:Security header needs exactly one wsu:Timestamp, signed with the Body."
        )
    if not any(element is timestamps[0] for element in signed):
        raise SignatureRejected(
            "The signature does not cover the wsu:Timestamp: sign it with the Body."
        )


def _key(
    ids: dict[str, list[etree._Element]], security: etree._Element, signature: etree._Element
) -> tuple[CertificateReference, SignedAssertion | None]:
    """Which certificate the signature names, and the SAML assertion that carries it."""
    token_reference = signature.find(f"{{{NS_DS}}}KeyInfo/{_STR}")
    if token_reference is None:
        raise SignatureRejected(
            "The signature's ds:KeyInfo holds no wsse:SecurityTokenReference naming its "
            "certificate."
        )
    direct = token_reference.find(_REFERENCE)
    if direct is not None:
        token = _referenced(ids, (direct.get("URI") or "#").lstrip("#"))
        if token.tag == saml.ASSERTION_1 or token.tag == saml.ASSERTION_2:
            return _holder(saml.read_assertion(token))
        if token.tag != f"{{{NS_WSSE}}}BinarySecurityToken" or token.getparent() is not security:
            raise SignatureRejected(
                "The wsse:Reference of the signature's KeyInfo names no BinarySecurityToken "
                "of the wsse:Security header."
            )
        if token.get("ValueType") != X509V3:
            raise SignatureRejected(
                f"BinarySecurityToken ValueType {token.get('ValueType')} is refused: send an "
                f"X.509 v3 certificate ({X509V3})."
            )
        return _by_certificate(decode_base64(token.text, "BinarySecurityToken")), None
    identifier = token_reference.find(_KEY_IDENTIFIER)
    if identifier is not None:
        return _by_identifier(security, identifier)
    named = x509_data_reference(token_reference, "X509Certificate")
    if named is not None:
        return named, None
    raise SignatureRejected(
        "The signature's wsse:SecurityTokenReference names no certificate: reference a "
        "BinarySecurityToken, a key identifier or an issuer and serial number."
    )


def _by_identifier(
    security: etree._Element, identifier: etree._Element
) -> tuple[CertificateReference, SignedAssertion | None]:
    value_type = identifier.get("ValueType")
    if value_type in saml.ASSERTION_ID_TYPES:
        return _holder(saml.read_assertion(saml.find(security, (identifier.text or "").strip())))
    value = decode_base64(identifier.text, "KeyIdentifier")
    if value_type == SUBJECT_KEY_IDENTIFIER:
        return CertificateReference(key_identifier=value.hex()), None
    if value_type == THUMBPRINT:
        return CertificateReference(thumbprint=value.hex()), None
    raise SignatureRejected(
        f"KeyIdentifier ValueType {value_type} is refused: use {SUBJECT_KEY_IDENTIFIER} or "
        f"{THUMBPRINT}."
    )


def _holder(
    found: tuple[bytes, SignedAssertion],
) -> tuple[CertificateReference, SignedAssertion]:
    holder, assertion = found
    return _by_certificate(holder), assertion


def _by_certificate(der: bytes) -> CertificateReference:
    return CertificateReference(fingerprint=fingerprint(der))


def _verifier(envelope: etree._Element, references: int) -> Verify:
    """Checks the message's signature with a certificate (DER): every reference's digest and
    the signature value over SignedInfo, with the algorithms above."""

    def verify(der: bytes) -> None:
        certificate = x509.load_der_x509_certificate(der)
        config = SignatureConfiguration(
            location=f"./{HEADER}/{SECURITY}/",
            expect_references=references,
            signature_methods=SIGNATURE_METHODS,
            digest_algorithms=DIGEST_METHODS,
            # The certificate's validity is checked once its key is proven (by whoever
            # verifies), so that its dates are told only to its holder.
            verification_time=certificate.not_valid_before_utc,
        )
        try:
            # Not against signxml's copy of the XML Signature schema, which refuses the
            # ec:InclusiveNamespaces that WSS4J puts in CanonicalizationMethod; what is read
            # here was checked above.
            XMLVerifier().verify(
                envelope, x509_cert=certificate, expect_config=config, validate_schema=False
            )
        except (SignXMLException, ValueError, etree.LxmlError) as failure:
            raise SignatureRejected(
                "The signature does not hold: the Body or the Timestamp was changed after "
                f"signing, or another key signed it ({failure})."
            ) from None

    return verify
