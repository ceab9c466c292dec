"""What a page's handler works with: the ``Site`` every page shares (its database, settings,
signer, flood limits, languages and templates) and the ``View`` of one request. The handlers'
modules import this, and ``gateway.pages.app`` imports the handlers to route to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from sqlalchemy import Engine
from werkzeug.wrappers import Request, Response

from gateway.config import Settings
from gateway.domain.identity import Account
from gateway.domain.reasons import Reason
from gateway.pages import i18n
from gateway.pages.sessions import SESSION_COOKIE, Session, Signer
from gateway.services import accounts
from gateway.services.authentication import Authenticator
from gateway.services.flood import FloodGuard, Refusal


@dataclass(frozen=True)
class Site:
    """What every page shares, made once by ``gateway.pages.app.Pages``."""

    engine: Engine
    settings: Settings
    authenticator: Authenticator
    signer: Signer
    flood: FloodGuard
    languages: dict[str, i18n.Language]
    templates: Environment
    future_tolerance: timedelta


@dataclass
class View:
    """One request to a page, with what its handler needs."""

    pages: Site
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
        return accounts.active(self.engine, session.username)

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
