"""registerPresences without Spyne's per-request machinery: the registration channel's hot path.

A badge system's batch that is what it should be (a SOAP 1.1 POST of one schema-valid
``RegisterPresencesRequest`` with a readable token) is parsed, validated, authenticated,
stored and answered here, by the same loader, XSD, codec and services the Spyne application
uses, so its answer is the same on the wire. Everything else is handed to the Spyne
application unchanged, which keeps the contract's routing and every fault:

- a request this path does not take (another operation, not SOAP 1.1, not well-formed, not
  schema-valid, an unreadable token) goes to Spyne as it came, before anything was done, with
  the envelope already parsed if it could be;
- a request that fails once begun (authentication, a database failure, writing the answer) is
  rolled back and goes to Spyne together with what failed, which Spyne's call wrapper raises
  in place of running the operation again: the fault is the one the Spyne path gives, and the
  work is not redone. The answer is written before the transaction commits, so that a fault
  always means that nothing of the batch was stored; what of it needs nothing stored (each
  registration's echo) is written before the transaction begins.

Spyne's events (``method_call`` and the others) do not fire for the batches answered here: a
hook that must see every registration belongs in the WSGI application or the service.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from wsgiref.types import WSGIApplication

from lxml import etree
from sqlalchemy import Engine

from gateway.domain.identity import Role
from gateway.services import errors, registrations
from gateway.services.authentication import Authenticator
from gateway.soap.protocol import (
    BODY,
    ENVELOPE,
    ENVELOPE_CLOSE,
    ENVELOPE_OPEN,
    PARSED,
    content_coding,
    media_type,
)
from gateway.soap.security import read_credentials
from gateway.xml import loader
from gateway.xml import registrations as codec
from gateway.xml.characters import well_formed
from gateway.xml.contract import NS_TYPES, ContractValidator

# Where a request that failed once begun carries its failure to the Spyne application.
FAILURE = "ciao.ingest.failure"

_REQUEST = f"{{{NS_TYPES}}}RegisterPresencesRequest"


class IngestPath:
    """A WSGI application in front of the Spyne application of /PresenceRegistration/v1."""

    def __init__(
        self,
        spyne: WSGIApplication,
        engine: Engine,
        validator: ContractValidator,
        authenticator: Authenticator,
        roles: frozenset[Role],
        max_depth: int,
        max_body_bytes: int,
        future_tolerance: timedelta,
    ) -> None:
        self._spyne = spyne
        self._engine = engine
        self._validator = validator
        self._authenticator = authenticator
        self._roles = roles
        self._max_depth = max_depth
        self._max_body_bytes = max_body_bytes
        self._future_tolerance = future_tolerance

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = self._body(environ)
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)  # still readable if Spyne answers
            answer = self._register(body, environ)
            if answer is not None:
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "text/xml; charset=utf-8"),
                        ("Content-Length", str(len(answer))),
                    ],
                )
                return [answer]
        return self._spyne(environ, start_response)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The request body, if this is a SOAP 1.1 POST of an acceptable size, sent as it is."""
        if environ.get("REQUEST_METHOD") != "POST" or content_coding(environ) is not None:
            return None
        declared = environ.get("CONTENT_LENGTH", "")
        if media_type(environ.get("CONTENT_TYPE")) != "text/xml" or not declared.isdigit():
            return None
        length = int(declared)
        if length > self._max_body_bytes:
            return None
        return environ["wsgi.input"].read(length)

    def _request(
        self, body: bytes, environ: dict[str, Any]
    ) -> tuple[etree._Element, etree._Element] | None:
        """The envelope and its validated RegisterPresencesRequest, or None. What was parsed
        is left for Spyne, which then need not parse it again (other operations)."""
        try:
            root = loader.parse(body, self._max_depth)
        except loader.XmlRefused:
            return None
        environ[PARSED] = root
        if root.tag != ENVELOPE:
            return None
        soap_body = root.find(BODY)
        if soap_body is None or len(soap_body) != 1 or soap_body[0].tag != _REQUEST:
            return None
        request = soap_body[0]
        if self._validator.errors(request):
            return None
        return root, request

    def _register(self, body: bytes, environ: dict[str, Any]) -> bytes | None:
        now = datetime.now(UTC)
        found = self._request(body, environ)
        if found is None:
            return None
        envelope, request = found
        try:
            token = read_credentials(envelope)
            echoes = codec.read_echoed_request(request)
            batch = [registration for registration, _ in echoes]
        except Exception:  # Spyne reads it again and answers with the fault
            return None
        try:
            work = self._authenticator.unit_of_work(self._engine, token, now, registering=True)
            with work as (connection, account):
                if account.role not in self._roles:
                    raise errors.Forbidden()
                answers = registrations.register(
                    connection, account, batch, now, self._future_tolerance
                )
                # Whole before the commit: a fault after it would deny a stored batch.
                response = well_formed(codec.write_register_response(answers, echoes)).encode()
                return ENVELOPE_OPEN + response + ENVELOPE_CLOSE
        except Exception as failure:  # answered by Spyne's call wrapper, as a fault
            environ[FAILURE] = failure
            return None
