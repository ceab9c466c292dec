"""The faults of Checkin@Work: the social security platform's system error codes (specification
7.1), in the socsec error namespace, each carried in a ``SystemError`` detail.

The gateway finds what is wrong as it does for CIaO (``gateway.soap.faults``); this dialect
names each of its fault kinds by the platform code that says the same, keeping the gateway's
own message (the XSD errors with line and path, say) in the detail.
"""

from __future__ import annotations

from gateway.soap import faults
from gateway.soap.faults import FaultDialect, FaultKind
from gateway.xml.contract import NS_SOCSEC_ERRORS

CONSUMER, PROVIDER = "Consumer", "Provider"

SERVICE_ERROR = FaultKind(
    "SOA-00001", False, "Service error. Quote the ticket Id to the service desk."
)
NOT_AUTHENTICATED = FaultKind("SOA-01001", False, "Service call not authenticated.")
NOT_AUTHORISED = FaultKind("SOA-01002", False, "Service call not authorized.")
NOT_AVAILABLE = FaultKind("SOA-02001", False, "Service not available. Please contact service desk.")
TEMPORARILY_NOT_AVAILABLE = FaultKind(
    "SOA-02002", False, "Service temporarily not available. Please try later.", retry=True
)
MALFORMED = FaultKind("SOA-03001", False, "Malformed message.")
NOT_SOAP = FaultKind("SOA-03002", False, "Message must be SOAP.")
NO_BODY = FaultKind("SOA-03003", False, "Message must contain SOAP body.")
NOT_WS_I = FaultKind("SOA-03004", False, "WS-I compliance failure.")
NOT_WSDL = FaultKind("SOA-03005", False, "WSDL compliance failure.")
NOT_XSD = FaultKind("SOA-03006", False, "XSD compliance failure.")
CONTENT_INVALID = FaultKind("SOA-03007", False, "Message content validation failure.")

CATALOGUE: tuple[FaultKind, ...] = (
    SERVICE_ERROR,
    NOT_AUTHENTICATED,
    NOT_AUTHORISED,
    NOT_AVAILABLE,
    TEMPORARILY_NOT_AVAILABLE,
    MALFORMED,
    NOT_SOAP,
    NO_BODY,
    NOT_WS_I,
    NOT_WSDL,
    NOT_XSD,
    CONTENT_INVALID,
)

# Each fault of the gateway as the platform names it.
_AS_PLATFORM = {
    faults.SCHEMA_VALIDATION: NOT_XSD,
    faults.XML_SYNTAX: MALFORMED,
    faults.FORBIDDEN_XML: MALFORMED,
    faults.REQUEST_TOO_LARGE: MALFORMED,
    faults.NOT_SOAP11: NOT_SOAP,
    faults.UNKNOWN_OPERATION: NOT_WSDL,
    faults.AUTHENTICATION: NOT_AUTHENTICATED,
    faults.TOKEN_REJECTED: NOT_AUTHENTICATED,
    faults.SIGNATURE_REJECTED: NOT_AUTHENTICATED,
    faults.FORBIDDEN: NOT_AUTHORISED,
    faults.SEARCH_REFUSED: CONTENT_INVALID,
    faults.CONTENT_REFUSED: CONTENT_INVALID,
    faults.UNAVAILABLE: TEMPORARILY_NOT_AVAILABLE,
    faults.INTERNAL: SERVICE_ERROR,
}
_PROVIDERS = (SERVICE_ERROR, NOT_AVAILABLE, TEMPORARILY_NOT_AVAILABLE)


def _as_platform(kind: FaultKind) -> FaultKind:
    """What the platform calls ``kind``; a fault the v1 operations never cause (those of
    corrections, exports, reference data) is still the caller's or the gateway's side."""
    default = CONTENT_INVALID if kind.business else SERVICE_ERROR
    return _AS_PLATFORM.get(kind, default)


PLATFORM = FaultDialect(
    NS_SOCSEC_ERRORS,
    kinds={
        **{kind.code: _as_platform(kind) for kind in faults.CATALOGUE},
        **{kind.code: kind for kind in CATALOGUE},
    },
    origins={kind.code: PROVIDER if kind in _PROVIDERS else CONSUMER for kind in CATALOGUE},
    soap_codes=True,
)
