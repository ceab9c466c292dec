"""Writes request.xml: a registerPresences request signed with test-key.pem as WSS4J (Apache
CXF) lays it out under the RSZ's policy (a Timestamp, the BinarySecurityToken, a Signature with
InclusiveNamespaces over the Timestamp, the Body and the token), signed by xmlsec.

    .venv/bin/python tests/data/wss4j/sign_fixture.py   # made once; the file is kept as it is

Made with a fixed Timestamp (2026-12-04T10:00:00Z): the test sets the gateway's clock to it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
UUID = "3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c"  # WSS4J's ids: a prefix, a UUID and a counter
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
TEMPLATE = f"""<soap:Envelope xmlns:soap="{SOAP}"><soap:Header><wsse:Security \
xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" soap:mustUnderstand="1"><wsu:Timestamp \
wsu:Id="TS-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c-1"><wsu:Created>2026-12-04T10:00:00.000Z\
</wsu:Created><wsu:Expires>2026-12-04T10:05:00.000Z</wsu:Expires></wsu:Timestamp>\
<wsse:BinarySecurityToken EncodingType="{BASE64}" ValueType="{X509V3}" \
wsu:Id="X509-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c-2">CERTIFICATE</wsse:BinarySecurityToken>\
</wsse:Security></soap:Header><soap:Body xmlns:wsu="{WSU}" \
wsu:Id="id-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c-4"><RegisterPresencesRequest \
xmlns="urn:ciao:presenceregistration:schemas:v1"><PresenceRegistrationRequest>\
<INSS>85073003328</INSS><CompanyID>0403170701</CompanyID><WorkPlaceId>DW2026000001</WorkPlaceId>\
<RegistrationType>CHECK_IN</RegistrationType>\
<RegistrationDateTime>2026-12-04T10:59:00+01:00</RegistrationDateTime>\
<RegistrationMeans>BADGE</RegistrationMeans></PresenceRegistrationRequest>\
</RegisterPresencesRequest></soap:Body></soap:Envelope>"""


def inclusive_namespaces(parent: object, prefixes: str) -> None:
    from lxml import etree

    exc_c14n = "http://www.w3.org/2001/10/xml-exc-c14n#"
    element = etree.SubElement(parent, f"{{{exc_c14n}}}InclusiveNamespaces", nsmap={"ec": exc_c14n})
    element.set("PrefixList", prefixes)


def main() -> None:
    import base64

    import xmlsec
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from lxml import etree

    certificate = x509.load_pem_x509_certificate((HERE / "test-certificate.pem").read_bytes())
    der = base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()
    envelope = etree.fromstring(TEMPLATE.replace("CERTIFICATE", der))
    security = envelope.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security")
    signature = xmlsec.template.create(
        envelope, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds"
    )
    signature.set("Id", "SIG-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c-3")
    c14n = signature.find(".//{http://www.w3.org/2000/09/xmldsig#}CanonicalizationMethod")
    inclusive_namespaces(c14n, "soap")
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(str(HERE / "test-key.pem"), xmlsec.KeyFormat.PEM)
    for target, prefixes in (
        (security.find(f"{{{WSU}}}Timestamp"), "wsse soap"),
        (envelope.find(f"{{{SOAP}}}Body"), ""),
        (security.find(f"{{{WSSE}}}BinarySecurityToken"), ""),
    ):
        ctx.register_id(target, "Id", WSU)
        reference = xmlsec.template.add_reference(
            signature, xmlsec.Transform.SHA256, uri="#" + target.get(f"{{{WSU}}}Id")
        )
        transform = xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
        inclusive_namespaces(transform, prefixes)
    key_info = xmlsec.template.ensure_key_info(
        signature, id="KI-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c"
    )
    token_reference = etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference")
    token_reference.set(f"{{{WSU}}}Id", "STR-" + UUID)
    etree.SubElement(
        token_reference,
        f"{{{WSSE}}}Reference",
        URI="#X509-3f2b7c1e-5a8d-4c1e-9b7a-2d6e8f0a1b2c-2",
        ValueType=X509V3,
    )
    for element in signature.iter():  # WSS4J writes it without indentation
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    security.append(signature)
    ctx.sign(signature)
    (HERE / "request.xml").write_bytes(etree.tostring(envelope))


if __name__ == "__main__":
    main()
