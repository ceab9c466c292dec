"""The fault catalogue: every SOAP fault the gateway sends, with a stable code.

A ``BusinessError`` detail means the caller must change the request; a ``SystemError`` means
the gateway could not do it now and, when ``Retry`` is true, the same request may be sent again
unchanged. Every fault carries a ticket ``Id`` that is also written to the gateway's log.
The catalogue is documented in docs/faults.md; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree
from spyne.model.fault import Fault

from gateway import metrics
from gateway.logs import REQUEST_ID, new_request_id
from gateway.xml.contract import NS_ERRORS

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ORIGIN = "ciao-gateway"


@dataclass(frozen=True)
class FaultKind:
    code: str
    business: bool
    message: str
    retry: bool = False


SCHEMA_VALIDATION = FaultKind(
    "Client.SchemaValidation", True, "The request does not conform to the published XSD."
)
XML_SYNTAX = FaultKind("Client.XmlSyntax", True, "The request is not well-formed XML.")
FORBIDDEN_XML = FaultKind(
    "Client.ForbiddenXml", True, "The request uses XML features the gateway refuses."
)
REQUEST_TOO_LARGE = FaultKind(
    "Client.RequestTooLarge", True, "The request body is larger than the gateway accepts."
)
NOT_SOAP11 = FaultKind(
    "Client.NotSoap11", True, "The request is not a SOAP 1.1 envelope sent by HTTP POST."
)
UNKNOWN_OPERATION = FaultKind(
    "Client.UnknownOperation", True, "The body element names no operation of this service."
)
AUTHENTICATION = FaultKind(
    "Client.Authentication",
    True,
    "Authentication failed. Send a WS-Security UsernameToken of an active account.",
)
FORBIDDEN = FaultKind("Client.Forbidden", True, "Your account's role may not use this service.")
TOKEN_REJECTED = FaultKind("Client.TokenRejected", True, "The security token was rejected.")
SIGNATURE_REJECTED = FaultKind(
    "Client.SignatureRejected", True, "The message's X.509 signature was rejected."
)
REGISTRATION_NOT_FOUND = FaultKind(
    "Client.RegistrationNotFound", True, "No registration with that id is visible to you."
)
CORRECTION_REFUSED = FaultKind(
    "Client.CorrectionRefused", True, "The correction request cannot be made or decided."
)
CORRECTION_REQUEST_NOT_FOUND = FaultKind(
    "Client.CorrectionRequestNotFound", True, "No correction request with that id."
)
REFERENCE_DATA_REFUSED = FaultKind(
    "Client.ReferenceDataRefused", True, "The reference data update cannot be stored as sent."
)
SEARCH_REFUSED = FaultKind(
    "Client.SearchRefused", True, "A period of the search ends before it starts."
)
EXPORT_REFUSED = FaultKind(
    "Client.ExportRefused", True, "An export covers at most 100 calendar days."
)
CONTENT_REFUSED = FaultKind(
    "Client.ContentRefused",
    True,
    "A value of the request is valid against the XSD but cannot be taken as it is.",
)
UNAVAILABLE = FaultKind(
    "Server.Unavailable",
    False,
    "The gateway could not store or read data just now; nothing of the request was stored. "
    "Send the same request again later.",
    retry=True,
)
INTERNAL = FaultKind(
    "Server.Internal",
    False,
    "The gateway failed unexpectedly; nothing of the request was stored. Quote the ticket Id.",
    retry=True,
)

CATALOGUE: tuple[FaultKind, ...] = (
    SCHEMA_VALIDATION,
    XML_SYNTAX,
    FORBIDDEN_XML,
    REQUEST_TOO_LARGE,
    NOT_SOAP11,
    UNKNOWN_OPERATION,
    AUTHENTICATION,
    FORBIDDEN,
    TOKEN_REJECTED,
    SIGNATURE_REJECTED,
    REGISTRATION_NOT_FOUND,
    CORRECTION_REFUSED,
    CORRECTION_REQUEST_NOT_FOUND,
    SEARCH_REFUSED,
    EXPORT_REFUSED,
    REFERENCE_DATA_REFUSED,
    CONTENT_REFUSED,
    UNAVAILABLE,
    INTERNAL,
)


@dataclass(frozen=True)
class FaultDialect:
    """How a service words its faults: the namespace of the detail, each kind as the service's
    contract names it (``kinds``, by the gateway's code; a kind not in it is itself), the
    detail's ``Origin``, and the SOAP faultcode."""

    namespace: str
    kinds: Mapping[str, FaultKind] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    soap_codes: bool = False

    def kind(self, kind: FaultKind) -> FaultKind:
        return self.kinds.get(kind.code, kind)

    def origin(self, kind: FaultKind) -> str:
        return self.origins.get(kind.code, ORIGIN)

    def faultcode(self, kind: FaultKind) -> str:
        """The gateway's code itself, or (``soap_codes``) the SOAP 1.1 ``Client`` or
        ``Server`` with the code in the detail only."""
        if not self.soap_codes:
            return kind.code
        return "Client" if self.origin(kind) == "Consumer" else "Server"


CIAO = FaultDialect(NS_ERRORS)


class GatewayFault(Fault):
    """A Spyne Fault whose detail is a contract ``BusinessError`` or ``SystemError``."""

    def __init__(
        self,
        kind: FaultKind,
        environment: str,
        messages: Sequence[str] = (),
        dialect: FaultDialect = CIAO,
    ) -> None:
        kind = dialect.kind(kind)
        self.kind = kind
        self.ticket = REQUEST_ID.get() or new_request_id()
        self.messages = list(messages) or [kind.message]
        self.environment = environment
        summary = self.messages[0] if len(self.messages) == 1 else kind.message
        super().__init__(dialect.faultcode(kind), summary, detail=self._detail(dialect))
        metrics.FAULTS.labels(kind.code).inc()

    def _detail(self, dialect: FaultDialect) -> etree._Element:
        ns = dialect.namespace
        name = "BusinessError" if self.kind.business else "SystemError"
        detail = etree.Element(f"{{{ns}}}{name}", Id=self.ticket, nsmap={"err": ns})
        etree.SubElement(detail, f"{{{ns}}}Origin").text = dialect.origin(self.kind)
        etree.SubElement(detail, f"{{{ns}}}Code").text = self.kind.code
        for text in self.messages:
            message = etree.SubElement(detail, f"{{{ns}}}Message")
            message.set(XML_LANG, "en")
            message.text = text
        if not self.kind.business:
            etree.SubElement(detail, f"{{{ns}}}Retry").text = "true" if self.kind.retry else "false"
        etree.SubElement(detail, f"{{{ns}}}Environment").text = self.environment
        return detail
