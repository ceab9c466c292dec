"""The WSGI application: routes HTTP requests to the contract documents, to Spyne, or to the
web pages (the worker's page and the management pages)."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from wsgiref.util import application_uri

from gateway import metrics
from gateway.home import home_page
from gateway.logs import REQUEST_ID, new_request_id
from gateway.soap.documents import ContractDocuments

access = logging.getLogger("ciao.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_XML = "text/xml; charset=utf-8"
DRAIN_LIMIT = 32 * 1024 * 1024
_TEXT = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_OPERATION_PATHS = ("/health", "/ready", "/metrics")
PAGE_PREFIXES = ("/r/", "/manage", "/static/")


def _answer(
    start_response: StartResponse, status: str, body: bytes, content_type: str = _TEXT
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


@dataclass(frozen=True)
class Route:
    """One SOAP service: its Spyne WSGI app and its contract documents."""

    soap: WsgiApp
    documents: ContractDocuments
    title: str


def _page_label(path: str) -> str:
    """Pages are counted by their prefix, not by work place or registration id."""
    for prefix in PAGE_PREFIXES:
        if path.startswith(prefix):
            return prefix + "*"
    return "other"


class GatewayWsgi:
    def __init__(
        self,
        routes: Mapping[str, Route],
        pages: WsgiApp,
        max_body_bytes: int,
        ready: Callable[[], str | None],
        scrape: Callable[[], tuple[bytes, str]],
    ) -> None:
        self._routes = dict(routes)
        self._pages = pages
        self._max_body_bytes = max_body_bytes
        self._ready = ready
        self._scrape = scrape
        self._paths = {*self._routes, *_OPERATION_PATHS}
        self._home = home_page(self._routes)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        statuses: list[str] = []

        def respond(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            statuses.append(status)
            return start_response(status, [*headers, ("X-Request-Id", request_id)], *rest)

        try:
            return self._route(environ, respond)
        finally:
            seconds = time.perf_counter() - started
            status = statuses[0][:3] if statuses else "-"
            access.info(
                "%s %s %s",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                status,
                extra={
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": int(status) if statuses else None,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            path = environ.get("PATH_INFO", "").rstrip("/")
            label = path if path in self._paths else _page_label(path)
            metrics.REQUESTS.labels(label, status).inc()
            metrics.REQUEST_SECONDS.labels(label).observe(seconds)
            REQUEST_ID.reset(token)

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").rstrip("/")
        if path == "/health":  # liveness: the process answers
            return _answer(start_response, "200 OK", b"ok\n")
        if path == "/ready":  # readiness: the database answers and its schema is current
            problem = self._ready()
            if problem is None:
                return _answer(start_response, "200 OK", b"ready\n")
            return _answer(start_response, "503 Service Unavailable", f"{problem}\n".encode())
        if path == "/metrics":  # Prometheus text format, every process of this gateway added up
            body, content_type = self._scrape()
            return _answer(start_response, "200 OK", body, content_type)
        if path.startswith(PAGE_PREFIXES):
            return self._pages(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "" and method in ("GET", "HEAD"):  # the way to the pages, WSDLs and docs
            answer = _answer(start_response, "200 OK", self._home, _HTML)
            return [] if method == "HEAD" else answer
        route = self._routes.get(path)
        if route is None:
            services = ", ".join(f"{p}?wsdl" for p in self._routes)
            return _answer(
                start_response,
                "404 Not Found",
                f"Not found. The services' WSDLs: {services}\n".encode(),
            )
        if method in ("GET", "HEAD"):  # HEAD, as monitors ask: what GET gives, but the body
            answer = self._document(route, path, environ, start_response)
            return [] if method == "HEAD" else answer
        if method != "POST":
            start_response(
                "405 Method Not Allowed", [("Allow", "GET, HEAD, POST"), ("Content-Type", _TEXT)]
            )
            return [b"POST a SOAP 1.1 request, or GET ?wsdl.\n"]
        declared = environ.get("CONTENT_LENGTH")
        if not declared:
            self._buffer_chunked_body(environ)
        elif declared.isdigit() and int(declared) > self._max_body_bytes:
            self._drain_oversized_body(environ, int(declared))
        return route.soap(environ, start_response)

    @staticmethod
    def _document(
        route: Route, path: str, environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        service_url = application_uri(environ).rstrip("/") + path
        # ?wsdl, ?WSDL and ?wsdl=1 alike, as tools ask for it; ?xsd=NAME for a schema.
        name, _, value = environ.get("QUERY_STRING", "").partition("=")
        if name.lower() == "wsdl":
            return _answer(start_response, "200 OK", route.documents.wsdl(service_url), _XML)
        if name.lower() == "xsd":
            schema = route.documents.schema(value, service_url)
            if schema is not None:
                return _answer(start_response, "200 OK", schema, _XML)
            return _answer(start_response, "404 Not Found", b"No such schema.\n")
        return _answer(
            start_response, "200 OK", f"{route.title}. WSDL: {service_url}?wsdl\n".encode()
        )

    def _drain_oversized_body(self, environ: dict[str, Any], declared: int) -> None:
        """Read and drop a body that is too large (up to a bound) so that the client, still
        sending, receives the fault instead of a reset connection; Spyne then refuses it by its
        Content-Length."""
        _discard(environ["wsgi.input"], min(declared, DRAIN_LIMIT))
        environ["wsgi.input"] = io.BytesIO()

    def _buffer_chunked_body(self, environ: dict[str, Any]) -> None:
        """A body without Content-Length (chunked) is read up to one byte over the limit, so
        that an oversized one is refused instead of silently cut; the rest of an oversized one
        is read and dropped (up to a bound) as for a declared length, so that the client,
        still sending, receives the fault instead of a reset connection."""
        stream = environ["wsgi.input"]
        body = stream.read(self._max_body_bytes + 1)
        if len(body) > self._max_body_bytes:
            _discard(stream, DRAIN_LIMIT)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))


def _discard(stream: Any, limit: int) -> None:
    """Read ``stream`` to its end, at most ``limit`` bytes, keeping nothing."""
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(65536, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
