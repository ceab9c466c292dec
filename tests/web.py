"""A small HTTP client for the pages, as a browser without JavaScript uses them: cookies kept,
redirects followed, forms read from the HTML the gateway rendered (lxml.html)."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

import lxml.html

from tests.conftest import RunningGateway


@dataclass
class Page:
    status: int
    body: bytes
    headers: Any

    @property
    def html(self) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(self.body)

    def text(self, selector: str) -> str:
        found = self.html.cssselect(selector)
        assert found, f"nothing matches {selector!r}"
        return " ".join(found[0].text_content().split())

    def texts(self, selector: str) -> list[str]:
        return [" ".join(e.text_content().split()) for e in self.html.cssselect(selector)]

    def fields(self, form_selector: str = "main form") -> dict[str, str]:
        """The values a browser would send from the form: hidden and filled-in inputs,
        checked radios, selected options."""
        form = self.html.cssselect(form_selector)[0]
        values: dict[str, str] = {}
        for element in form.inputs:
            if element.name and element.value is not None:
                if getattr(element, "type", None) in ("radio", "checkbox"):
                    if element.checked:
                        values[element.name] = element.value
                else:
                    values[element.name] = element.value
        return values


class WebClient:
    def __init__(self, base: str, language: str | None = None) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._language = language

    def _open(self, request: urllib.request.Request) -> Page:
        if self._language:
            request.add_header("Accept-Language", self._language)
        try:
            with self._opener.open(request, timeout=30) as response:
                return Page(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read(), error.headers)

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def cookie(self, name: str) -> http.cookiejar.Cookie:
        return next(c for c in self.cookies if c.name == name)

    def login(self, username: str, password: str) -> Page:
        return self.post("/manage/login", {"username": username, "password": password})


def base_of(gateway: RunningGateway) -> str:
    return gateway.url.rsplit("/PresenceRegistration", 1)[0]


WORKPLACE = "DW2026000900"
CONTRACTOR, SUBCONTRACTOR, OUTSIDER = "0403170701", "0760544138", "0873909226"
WORKER, SECOND_WORKER = "85073003328", "05010104566"


def works_on_site(
    gateway: RunningGateway, known_worker: bool = True, **extra: list[dict[str, Any]]
) -> None:
    """A declaration of works by CONTRACTOR with SUBCONTRACTOR below it, both enterprises
    known, WORKER employed by CONTRACTOR and (if ``known_worker``) in the national register."""
    data: dict[str, list[dict[str, Any]]] = {
        "Enterprise": [
            {"CompanyID": CONTRACTOR, "Name": "Net & Proper NV", "ActiveFrom": date(2010, 1, 1)},
            {"CompanyID": SUBCONTRACTOR, "Name": "Glans BV", "ActiveFrom": date(2015, 6, 1)},
        ],
        "Person": [{"INSS": WORKER, "Name": "Jan Peeters"}] if known_worker else [],
        "Employment": [{"INSS": WORKER, "CompanyID": CONTRACTOR, "ValidFrom": date(2020, 1, 1)}],
        "Declaration": [
            {
                "WorkPlaceId": WORKPLACE,
                "ContractorCompanyID": CONTRACTOR,
                "ValidFrom": date(2020, 1, 1),
                "SubjectToRegistration": True,
                "SiteAddress": "Wetstraat 16, 1000 Brussel",
                "Subcontractor": [{"CompanyID": SUBCONTRACTOR, "ParentCompanyID": CONTRACTOR}],
            }
        ],
    }
    for kind, items in extra.items():
        data[kind] = data.get(kind, []) + items
    gateway.admin().service.updateReferenceData(**data)
