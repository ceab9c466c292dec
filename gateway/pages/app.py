"""The web pages: the worker's registration page behind a declaration's QR code or URL, and
the employer's management pages. Werkzeug routes and parses, Jinja2 renders on the server,
and the handlers call the same application services as the SOAP channel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from gateway.config import Settings
from gateway.logs import describe
from gateway.pages import certificates, i18n, management, worker
from gateway.pages.sessions import LANGUAGE_COOKIE, Signer
from gateway.pages.view import Site, View
from gateway.services.authentication import Authenticator
from gateway.services.flood import FloodGuard
from gateway.services.passwords import SecretKey

log = logging.getLogger("ciao.pages")
STATIC = Path(__file__).parent / "static"
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}

Handler = Callable[..., Response]


def _carriage_returns_kept(value: object) -> object:
    """A value as a page writes it: a carriage return as a character reference, since an
    HTML parser reads a bare one as a line feed and a form field sent back would change."""
    if isinstance(value, str) and "\r" in value:
        return escape(value).replace("\r", Markup("&#13;"))
    return value


class Pages:
    """The WSGI application of the pages (mounted by ``gateway.web`` on its prefixes)."""

    def __init__(
        self, engine: Engine, settings: Settings, key: SecretKey, authenticator: Authenticator
    ) -> None:
        self.site = Site(
            engine=engine,
            settings=settings,
            authenticator=authenticator,
            signer=Signer(key),
            flood=FloodGuard(engine),
            languages=i18n.load_languages(),
            templates=Environment(
                loader=PackageLoader("gateway.pages"),
                autoescape=select_autoescape(default=True),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                finalize=_carriage_returns_kept,
            ),
            future_tolerance=timedelta(seconds=settings.future_tolerance_seconds),
        )
        rules: Iterable[tuple[str, Handler, list[str]]] = (
            *worker.ROUTES,
            *management.ROUTES,
            *certificates.ROUTES,
            ("/static/<path:name>", _static, ["GET"]),
        )
        self.urls = Map([Rule(path, endpoint=h, methods=m) for path, h, m in rules])

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        wanted = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        code = i18n.negotiate(wanted, lambda ours: request.accept_languages.best_match(ours))
        view = View(self.site, request, self.site.languages[code], datetime.now(UTC))
        try:
            handler, values = self.urls.bind_to_environ(environ).match()
            response = handler(view, **values)
        except NotFound:
            response = view.render(
                "error.html",
                404,
                title=view._("Page not found"),
                message=view._("Check the address, or scan the QR code again."),
            )
        except HTTPException as error:
            response = error.get_response(environ)
        except SQLAlchemyError as failure:
            log.error("pages: database failure: %s", describe(failure))
            response = view.render(
                "error.html",
                503,
                title=view._("Not available just now"),
                message=view._("Nothing was registered. Try again in a minute."),
            )
        except Exception:
            log.exception("pages: unexpected failure")
            response = view.render(
                "error.html",
                500,
                title=view._("Something went wrong"),
                message=view._(
                    "Nothing was registered. Try again; if it keeps failing, tell your employer."
                ),
            )
        if request.args.get("lang") == code:
            view.cookie(response, LANGUAGE_COOKIE, code, 365 * 24 * 3600)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response(environ, start_response)


def _static(view: View, name: str) -> Response:
    response = send_from_directory(STATIC, name, view.request.environ, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
