"""Spyne's SOAP 1.1 protocol, bound to the published contract.

Spyne keeps the routing, the events, the call wrapper and the fault serialisation. What it
would do with the body is replaced: the request is parsed by the hardened loader, its body
element is validated against ``schemas/`` (every error reported with line and path), and the
validated element goes to the service as it is. The service answers with the response body as
text, which is wrapped in the envelope here; Spyne's own per-field decoding and encoding (about
95% of its time on a large batch) is never run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from lxml import etree
from spyne.error import RequestTooLongError
from spyne.protocol.soap import Soap11

from gateway.soap import faults
from gateway.soap.faults import GatewayFault
from gateway.xml import loader
from gateway.xml.characters import well_formed
from gateway.xml.contract import NS_SOAP11_ENV, NS_SOAP12_ENV, ContractValidator

log = logging.getLogger("ciao.soap")
ENVELOPE = f"{{{NS_SOAP11_ENV}}}Envelope"
HEADER = f"{{{NS_SOAP11_ENV}}}Header"
BODY = f"{{{NS_SOAP11_ENV}}}Body"
ENVELOPE_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>"
    f'<soap:Envelope xmlns:soap="{NS_SOAP11_ENV}"><soap:Body>'
).encode()
ENVELOPE_CLOSE = b"</soap:Body></soap:Envelope>"
# Where a WSGI application in front (the ingest path) leaves the request it already parsed.
PARSED = "ciao.soap.parsed"


def media_type(content_type: str | None) -> str:
    """``text/xml`` of ``text/xml; charset=utf-8``."""
    return (content_type or "").split(";")[0].strip().lower()


def content_coding(environ: Mapping[str, Any]) -> str | None:
    """The request body's Content-Encoding (``gzip``, say), or None if it is sent as it is.
    The gateway takes bodies only as they are: a compressed one is refused by name, not
    parsed as if it were XML."""
    coding = str(environ.get("HTTP_CONTENT_ENCODING", "")).strip().lower()
    return None if coding in ("", "identity") else coding


@dataclass(frozen=True)
class Streamed:
    """An answer body sent as it is produced (exports): ``head``, the chunks, ``tail``."""

    head: str
    chunks: Iterable[bytes]
    tail: str


class ContractSoap11(Soap11):
    """SOAP 1.1 whose requests are checked against the contract XSDs, not a Spyne model."""

    def __init__(
        self,
        validator: ContractValidator,
        operations: Mapping[str, str],
        environment: str,
        max_depth: int,
        max_body_bytes: int,
        namespace: str,
        dialect: faults.FaultDialect = faults.CIAO,
    ) -> None:
        super().__init__(validator=None)
        self._dialect = dialect
        self._validator = validator
        self._operations = dict(operations)
        self._environment = environment
        self._max_depth = max_depth
        self._max_body_bytes = max_body_bytes
        self._namespace = namespace

    def _fault(self, kind: faults.FaultKind, *messages: str) -> GatewayFault:
        fault = GatewayFault(kind, self._environment, messages, self._dialect)
        log.info("ticket %s: %s", fault.ticket, kind.code)  # its message may quote values
        return fault

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        transport = ctx.transport
        if transport.get_request_method() != "POST":
            raise self._fault(faults.NOT_SOAP11, "Send requests by HTTP POST.")
        content_type = media_type(transport.get_request_content_type())
        if content_type == "application/soap+xml":
            raise self._fault(
                faults.NOT_SOAP11,
                "SOAP 1.2 is not supported: send a SOAP 1.1 envelope with Content-Type text/xml.",
            )
        if content_type != "text/xml":
            raise self._fault(
                faults.NOT_SOAP11, f"Content-Type must be text/xml, not {content_type or 'none'}."
            )
        coding = content_coding(transport.req_env)
        if coding is not None:
            raise self._fault(
                faults.NOT_SOAP11,
                f"Content-Encoding {coding} is not supported: send the body uncompressed.",
            )
        parsed = transport.req_env.get(PARSED)
        if parsed is not None:  # parsed by the same loader, within the size limit
            ctx.in_document = parsed
            return
        try:
            data = b"".join(ctx.in_string)
        except RequestTooLongError:
            raise self._fault(
                faults.REQUEST_TOO_LARGE,
                f"The request body is larger than {self._max_body_bytes} bytes; "
                "send at most 200 registrations per request.",
            ) from None
        try:
            root = loader.parse(data, self._max_depth)
        except loader.XmlRefused as refused:
            kind = faults.FORBIDDEN_XML if refused.forbidden else faults.XML_SYNTAX
            raise self._fault(kind, str(refused)) from None
        ctx.in_document = root

    def decompose_incoming_envelope(self, ctx: Any, message: str = Soap11.REQUEST) -> None:
        root = ctx.in_document
        if root.tag == f"{{{NS_SOAP12_ENV}}}Envelope":
            raise self._fault(faults.NOT_SOAP11, "SOAP 1.2 is not supported: send SOAP 1.1.")
        if root.tag != ENVELOPE:
            raise self._fault(
                faults.NOT_SOAP11, f"The root element must be {{{NS_SOAP11_ENV}}}Envelope."
            )
        header = root.find(HEADER)
        body = root.find(BODY)
        if body is None or len(body) != 1:
            raise self._fault(faults.NOT_SOAP11, "The soap:Body must hold exactly one element.")
        request = body[0]
        operation = self._operations.get(request.tag)
        if operation is None:
            raise self._fault(
                faults.UNKNOWN_OPERATION,
                f"{etree.QName(request).localname} in namespace "
                f"{etree.QName(request).namespace} is not a request of this service; see the WSDL.",
            )
        errors = self._validator.errors(request)
        if errors:
            raise self._fault(faults.SCHEMA_VALIDATION, *(str(error) for error in errors))
        ctx.in_header_doc = list(header) if header is not None else []
        ctx.in_body_doc = request
        ctx.method_request_string = f"{{{self._namespace}}}{operation}"

    def deserialize(self, ctx: Any, message: str) -> None:
        self.event_manager.fire_event("before_deserialize", ctx)
        ctx.in_object = ctx.in_body_doc
        self.event_manager.fire_event("after_deserialize", ctx)

    def serialize(self, ctx: Any, message: str) -> None:
        if ctx.out_error is not None:
            super().serialize(ctx, message)
            return
        self.event_manager.fire_event("before_serialize", ctx)
        ctx.out_document = None
        self.event_manager.fire_event("after_serialize", ctx)

    def create_out_string(self, ctx: Any, charset: str | None = None) -> None:
        if ctx.out_error is not None:
            super().create_out_string(ctx, charset)
            return
        body: str | Streamed = ctx.out_object[0]
        if isinstance(body, Streamed):
            ctx.out_string = chain(
                [ENVELOPE_OPEN + body.head.encode()],
                body.chunks,
                [body.tail.encode() + ENVELOPE_CLOSE],
            )
        else:
            ctx.out_string = [ENVELOPE_OPEN + well_formed(body).encode() + ENVELOPE_CLOSE]
