"""The employer's management pages (Q11, Q14-Q19): log in with a gateway account, consult
the registrations of its own workers and of its subcontracting chain, see open remarks with
the action to take, request a correction (the "envelope") within 30 days, export at most 100
days as CSV, and print the QR codes of its declarations of works. What an account sees is
exactly what ``searchPresences`` shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from gateway.domain.consultation import ExportRequest, SearchCriteria
from gateway.domain.corrections import WINDOW, CorrectionType, correctable
from gateway.domain.identity import Account
from gateway.domain.registration import Status, StoredRegistration
from gateway.domain.remarks import BY_CODE
from gateway.domain.workday import BELGIUM
from gateway.pages.i18n import N_
from gateway.pages.qr import qr_code, registration_url
from gateway.pages.sessions import SESSION_COOKIE, SESSION_SECONDS, same_token
from gateway.pages.view import View
from gateway.services import consultation, corrections, export, flood, registrations, smartphone
from gateway.services.errors import (
    AuthenticationFailed,
    CorrectionRefused,
    ExportRefused,
    RegistrationNotFound,
)
from gateway.xml.conformance import correction_refusals
from gateway.xml.export import csv_lines

PAGE_SIZE = 50
# A page whose first row the contract's FirstRow (an xs:int) can still hold.
_LAST_PAGE = (2**31 - 1) // PAGE_SIZE
Page = Callable[..., Response]


def logged_in(handler: Page) -> Page:
    """Sends a visitor without a valid session to the login page; a POST must carry the
    session's CSRF token."""

    @wraps(handler)
    def checked(view: View, **values: object) -> Response:
        session = view.session()
        account = view.account(session) if session is not None else None
        if account is None or session is None:
            return redirect(
                "/manage/login?" + urlencode({"next": view.request.full_path.rstrip("?")})
            )
        if view.request.method == "POST" and not same_token(
            view.request.form.get("csrf"), session.csrf
        ):
            return view.refused_form()
        return handler(view, account, session.csrf, **values)

    return checked


def login(view: View) -> Response:
    target = view.request.values.get("next") or "/manage/registrations"
    if not target.startswith("/manage"):
        target = "/manage/registrations"
    if view.request.method == "GET":
        return view.render("manage_login.html", next=target, failed=False)
    refusal = view.pages.flood.admit(
        (flood.LOGINS_PER_ADDRESS, f"login:{view.request.remote_addr}")
    )
    if refusal is not None:
        return view.too_many(refusal)
    form = view.request.form
    try:
        account = view.pages.authenticator.sign_in(
            view.engine, form.get("username", ""), form.get("password", ""), view.now
        )
    except AuthenticationFailed:
        return view.render("manage_login.html", 401, next=target, failed=True)
    cookie = view.pages.signer.session_cookie(account.username)
    response = redirect(target, code=303)
    view.cookie(response, SESSION_COOKIE, cookie, SESSION_SECONDS)
    return response


@logged_in
def logout(view: View, account: Account, csrf: str) -> Response:
    response = redirect("/manage/login", code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
    return response


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _today(view: View) -> date:
    return view.now.astimezone(BELGIUM).date()


@logged_in
def registration_list(view: View, account: Account, csrf: str) -> Response:
    args = view.request.args
    today = _today(view)
    start = _day(args.get("from"), today - timedelta(days=6))
    end = max(_day(args.get("to"), today), start)
    status = args.get("status") or ""
    remark = args.get("remark") or ""
    page = min(max(args.get("page", 1, type=int) or 1, 1), _LAST_PAGE)
    criteria = SearchCriteria(
        periods=((start, end),),
        inss=args.get("inss") or None,
        workplace_id=args.get("workplace") or None,
        statuses=(Status(status),) if status in {s.value for s in Status} else (),
        remark_codes=(remark,) if remark in BY_CODE else (),
        first_row=(page - 1) * PAGE_SIZE,
        fetch_size=PAGE_SIZE,
        sort="REGISTRATION DATE",
        descending=True,
        contract=None,
    )
    total, found = _search(view, account, criteria)
    filters = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "inss": args.get("inss", ""),
        "workplace": args.get("workplace", ""),
        "status": status,
        "remark": remark,
    }
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)

    def page_link(number: int) -> str:
        return "?" + urlencode({**filters, "page": number})

    if page > pages:  # a link from before the list got shorter, or an edited one
        return redirect(page_link(pages), code=303)
    return view.render(
        "manage_registrations.html",
        account=account,
        csrf=csrf,
        total=total,
        found=found,
        filters=filters,
        page=page,
        pages=pages,
        page_link=page_link,
        remark_codes=sorted(BY_CODE),
        statuses=list(Status),
    )


def _search(
    view: View, account: Account, criteria: SearchCriteria
) -> tuple[int, list[StoredRegistration]]:
    return consultation.search_in(view.engine, account, criteria)


@logged_in
def remarks(view: View, account: Account, csrf: str) -> Response:
    today = _today(view)
    criteria = SearchCriteria(
        periods=((today - WINDOW, today),),
        statuses=(Status.FAILED,),
        fetch_size=500,
        sort="REGISTRATION DATE",
        descending=True,
        contract=None,
    )
    total, found = _search(view, account, criteria)
    return view.render(
        "manage_remarks.html", account=account, csrf=csrf, total=total, found=found, kinds=BY_CODE
    )


def _detail(
    view: View, account: Account, csrf: str, registration_id: int, **context: Any
) -> Response:
    try:
        found = registrations.get_in(view.engine, account, registration_id, contract=None)
    except RegistrationNotFound:
        raise NotFound() from None
    return view.render(
        "manage_registration.html",
        account=account,
        csrf=csrf,
        registration=found,
        kinds=BY_CODE,
        correctable=correctable(found, view.now),
        correction_types=list(CorrectionType),
        deadline=found.submitted.registered_at + WINDOW,
        **context,
    )


@logged_in
def registration_detail(view: View, account: Account, csrf: str, registration_id: int) -> Response:
    return _detail(view, account, csrf, registration_id, filed=None, refusal=None)


# What the page says when the contract refuses a correction request's element.
CORRECTION_FIELDS = {
    "ProposedValue": N_(
        "The right value has 1 to 13 characters, none of them a control character."
    ),
    "Motivation": N_("Say why in 1 to 500 characters, none of them a control character."),
}


@logged_in
def correction(view: View, account: Account, csrf: str, registration_id: int) -> Response:
    form = view.request.form
    proposed = (form.get("proposed") or "").strip()
    motivation = (form.get("motivation") or "").strip()[:500]
    try:
        kind = CorrectionType(form.get("kind", ""))
    except ValueError:
        return _detail(
            view,
            account,
            csrf,
            registration_id,
            filed=None,
            refusal=view._("Choose what is wrong."),
        )
    for element in correction_refusals(registration_id, kind, proposed, motivation):
        if element not in CORRECTION_FIELDS:  # an id no registration has
            raise NotFound()
        refusal = view._(CORRECTION_FIELDS[element])
        return _detail(view, account, csrf, registration_id, filed=None, refusal=refusal)
    try:
        filed = corrections.request_in(
            view.engine, account, registration_id, kind, proposed, motivation, view.now
        )
    except CorrectionRefused as refused:
        refusal = view.reason(refused.reason)
        return _detail(view, account, csrf, registration_id, filed=None, refusal=refusal)
    except RegistrationNotFound:
        raise NotFound() from None
    return _detail(view, account, csrf, registration_id, filed=filed, refusal=None)


@logged_in
def export_csv(view: View, account: Account, csrf: str) -> Response:
    today = _today(view)
    wanted = ExportRequest(
        start=_day(view.request.args.get("from"), today - timedelta(days=29)),
        end=_day(view.request.args.get("to"), today),
        format="CSV",
        contract=None,
    )
    try:
        rows = export.csv_rows(view.engine, account, wanted)
    except ExportRefused as refused:
        return view.render(
            "error.html",
            400,
            title=view._("The export cannot be made"),
            message=view.reason(refused.reason),
        )

    def content() -> Iterator[bytes]:
        yield from csv_lines(rows, contracts=True)

    response = Response(content(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{wanted.file_name}"'
    return response


@logged_in
def workplaces(view: View, account: Account, csrf: str) -> Response:
    found = smartphone.printable(view.engine, account.company_id)
    base = view.base_url()
    return view.render(
        "manage_workplaces.html",
        account=account,
        csrf=csrf,
        declarations=found,
        link=lambda workplace_id: registration_url(base, workplace_id),
    )


@logged_in
def workplace_qr(view: View, account: Account, csrf: str, workplace_id: str) -> Response:
    site = smartphone.site(view.engine, workplace_id)
    if site is None or account.company_id not in site.declaration.companies():
        raise NotFound()
    return Response(qr_code(view.base_url(), workplace_id), content_type="image/svg+xml")


def home(view: View) -> Response:
    return redirect("/manage/registrations")


ROUTES = (
    ("/manage", home, ["GET"]),
    ("/manage/login", login, ["GET", "POST"]),
    ("/manage/logout", logout, ["POST"]),
    ("/manage/registrations", registration_list, ["GET"]),
    ("/manage/registrations/<int:registration_id>", registration_detail, ["GET"]),
    ("/manage/registrations/<int:registration_id>/correction", correction, ["POST"]),
    ("/manage/remarks", remarks, ["GET"]),
    ("/manage/export", export_csv, ["GET"]),
    ("/manage/workplaces", workplaces, ["GET"]),
    ("/manage/workplaces/<workplace_id>/qr.svg", workplace_qr, ["GET"]),
)
