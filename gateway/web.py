"""The WSGI application: routes HTTP requests to the contract documents or to Spyne."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import application_uri

from gateway.soap.documents import ContractDocuments

SERVICE_PATH = "/PresenceRegistration/v1"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_XML = "text/xml; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"


def _answer(
    start_response: StartResponse, status: str, body: bytes, content_type: str = _TEXT
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class GatewayWsgi:
    def __init__(self, soap: WsgiApp, documents: ContractDocuments, max_body_bytes: int) -> None:
        self._soap = soap
        self._documents = documents
        self._max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").rstrip("/")
        if path != SERVICE_PATH:
            return _answer(
                start_response,
                "404 Not Found",
                b"Not found. The service is at "
                + SERVICE_PATH.encode()
                + b" and its WSDL at ?wsdl.\n",
            )
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            return self._document(environ, start_response)
        if method != "POST":
            start_response(
                "405 Method Not Allowed", [("Allow", "GET, POST"), ("Content-Type", _TEXT)]
            )
            return [b"POST a SOAP 1.1 request, or GET ?wsdl.\n"]
        if not environ.get("CONTENT_LENGTH"):
            self._buffer_chunked_body(environ)
        return self._soap(environ, start_response)

    def _document(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        service_url = application_uri(environ).rstrip("/") + SERVICE_PATH
        query = environ.get("QUERY_STRING", "")
        if query.lower() == "wsdl":
            return _answer(start_response, "200 OK", self._documents.wsdl(service_url), _XML)
        if query.startswith("xsd="):
            schema = self._documents.schema(query[4:], service_url)
            if schema is not None:
                return _answer(start_response, "200 OK", schema, _XML)
            return _answer(start_response, "404 Not Found", b"No such schema.\n")
        return _answer(
            start_response,
            "200 OK",
            f"CIaO PresenceRegistration v1. WSDL: {service_url}?wsdl\n".encode(),
        )

    def _buffer_chunked_body(self, environ: dict[str, Any]) -> None:
        """A body without Content-Length (chunked) is read up to one byte over the limit, so
        that an oversized one is refused instead of silently cut."""
        body = environ["wsgi.input"].read(self._max_body_bytes + 1)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
