"""The web pages: the worker's registration page behind a declaration's QR code or URL, and
the employer's management pages. Werkzeug routes and parses, Jinja2 renders on the server,
and the handlers call the same application services as the SOAP channel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from gateway.config import Settings
from gateway.domain.identity import Account
from gateway.domain.reasons import Reason
from gateway.logs import describe
from gateway.pages import i18n
from gateway.pages.flood import FloodGuard, Refusal
from gateway.pages.sessions import LANGUAGE_COOKIE, SESSION_COOKIE, Session, Signer
from gateway.services import accounts
from gateway.services.authentication import Authenticator
from gateway.services.passwords import SecretKey
from storage.database import reading

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


@dataclass
class View:
    """One request to a page, with what its handler needs."""

    pages: Pages
    request: Request
    language: i18n.Language
    now: datetime

    @property
    def engine(self) -> Engine:
        return self.pages.engine

    @property
    def secure(self) -> bool:
        return self.pages.settings.secure_cookies or self.request.scheme == "https"

    def _(self, message: str, **values: object) -> str:
        return self.language.gettext(message, **values)

    def reason(self, reason: Reason) -> str:
        """Why something cannot be done, in the page's language."""
        return self._(reason.message, **reason.values)

    def base_url(self) -> str:
        return self.pages.settings.public_url or self.request.host_url

    def session(self) -> Session | None:
        return self.pages.signer.session(self.request.cookies.get(SESSION_COOKIE))

    def account(self, session: Session) -> Account | None:
        """The account of a valid ``session``, if it is still active."""
        with reading(self.engine, registrations=False) as connection:
            return accounts.active(connection, session.username)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        page = self.pages.templates.get_template(template)
        html = page.render(
            _=self._,
            lang=self.language.code,
            languages=self.pages.languages,
            moment=self.language.moment,
            path=self.request.path,
            language_link=self.language_link,
            labels=i18n,
            **context,
        )
        return Response(html, status=status, content_type="text/html; charset=utf-8")

    def language_link(self, code: str) -> str:
        """This page in another language (its other query parameters kept)."""
        return self.request.path + "?" + urlencode({**self.request.args.to_dict(), "lang": code})

    def cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.secure,
            samesite="Lax",
            path="/",
        )

    def too_many(self, refusal: Refusal) -> Response:
        response = self.render(
            "error.html",
            429,
            title=self._("Too many attempts"),
            message=self._(
                "Wait %(seconds)s seconds, then try again.", seconds=refusal.retry_after_seconds
            ),
        )
        response.headers["Retry-After"] = str(refusal.retry_after_seconds)
        return response

    def refused_form(self) -> Response:
        return self.render(
            "error.html",
            403,
            title=self._("This form has expired"),
            message=self._("Open the page again and fill in the form once more."),
        )


class Pages:
    """The WSGI application of the pages (mounted by ``gateway.web`` on its prefixes)."""

    def __init__(
        self, engine: Engine, settings: Settings, key: SecretKey, authenticator: Authenticator
    ) -> None:
        from gateway.pages import certificates, management, worker

        self.engine = engine
        self.settings = settings
        self.authenticator = authenticator
        self.signer = Signer(key)
        self.flood = FloodGuard(engine)
        self.languages = i18n.load_languages()
        self.templates = Environment(
            loader=PackageLoader("gateway.pages"),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.future_tolerance = timedelta(seconds=settings.future_tolerance_seconds)
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
        view = View(self, request, self.languages[code], datetime.now(UTC))
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
