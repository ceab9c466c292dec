"""The worker's page behind a declaration's QR code or URL (Q4, Q6-Q8, Q11-Q12).

1. ``GET /r/<workplace>``: the declaration, and the worker's national, BIS or Limosa number.
2. ``POST /r/<workplace>``: the employer, chosen among the enterprises of the declaration's
   chain (the same list whatever number was typed: the page reveals no employment), what is
   registered, and the location: the phone's position after consent, or a typed address.
3. ``POST /r/<workplace>/register``: stored through the same service as a SOAP registration,
   at the server's time; the answer shows what was recorded.

A form sent twice (a double tap, a reload) is stored once: it carries a reference of its own,
and the device's id is the sender, as a client reference is for a badge system.
"""

from __future__ import annotations

import secrets

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from gateway.domain.reference import Declaration
from gateway.domain.registration import (
    EVENT_TYPES,
    RefusedRegistration,
    RegistrationMeans,
    Sender,
    UserType,
)
from gateway.domain.smartphone import SCANNED, employers_on
from gateway.domain.workday import BELGIUM
from gateway.pages.forms import FormErrors, Identity, read_identity, read_registration
from gateway.pages.sessions import DEVICE_COOKIE, DEVICE_SECONDS
from gateway.pages.view import View
from gateway.services import flood, smartphone
from gateway.services.registrations import register_from_page


def _declaration(view: View, workplace_id: str) -> tuple[Declaration, dict[str, str]]:
    found = smartphone.site(view.engine, workplace_id)
    if found is None:
        raise NotFound()
    return found.declaration, found.names


def _means(view: View) -> RegistrationMeans:
    scanned = (view.request.values.get("via") or "") == SCANNED
    return RegistrationMeans.QR_CODE if scanned else RegistrationMeans.URL


def _device(view: View) -> str | None:
    return view.pages.signer.device(view.request.cookies.get(DEVICE_COOKIE))


def _checked(view: View) -> Response | None:
    """Refuses a POST without this device's form token, or one too many."""
    device = _device(view)
    if not view.pages.signer.form_token_matches(view.request.form.get("csrf"), device):
        return view.refused_form()
    refusal = view.pages.flood.admit(
        (flood.REQUESTS_PER_ADDRESS, f"address:{view.request.remote_addr}"),
    )
    return view.too_many(refusal) if refusal else None


def start(view: View, workplace_id: str) -> Response:
    declaration, names = _declaration(view, workplace_id)
    device = _device(view)
    new_cookie = None
    if device is None:
        device, new_cookie = view.pages.signer.new_device()
    response = view.render(
        "worker_identify.html",
        declaration=declaration,
        names=names,
        means=_means(view).value,
        csrf=view.pages.signer.form_token(device),
        errors={},
        form={},
    )
    if new_cookie is not None:
        view.cookie(response, DEVICE_COOKIE, new_cookie, DEVICE_SECONDS)
    return response


def _employers(declaration: Declaration, identity: Identity) -> list[str]:
    """The employers a worker chooses from (Q4); none for a Limosa id."""
    return employers_on(declaration) if identity.inss is not None else []


def _second_step(
    view: View,
    declaration: Declaration,
    names: dict[str, str],
    employers: list[str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    form = view.request.form
    return view.render(
        "worker_register.html",
        status,
        declaration=declaration,
        names=names,
        means=_means(view).value,
        csrf=form.get("csrf"),
        form=form,
        errors=errors.by_field,
        employers=employers,
        reference=form.get("reference") or secrets.token_hex(12),
        types=list(EVENT_TYPES),
    )


def identify(view: View, workplace_id: str) -> Response:
    declaration, names = _declaration(view, workplace_id)
    refused = _checked(view)
    if refused is not None:
        return refused
    errors = FormErrors()
    identity = read_identity(view.request.form, errors)
    if errors:
        return view.render(
            "worker_identify.html",
            400,
            declaration=declaration,
            names=names,
            means=_means(view).value,
            csrf=view.request.form.get("csrf"),
            form=view.request.form,
            errors=errors.by_field,
        )
    return _second_step(view, declaration, names, _employers(declaration, identity), errors)


def register(view: View, workplace_id: str) -> Response:
    declaration, names = _declaration(view, workplace_id)
    refused = _checked(view)
    if refused is not None:
        return refused
    device = _device(view)
    assert device is not None  # _checked() verified the form token against it
    refusal = view.pages.flood.admit((flood.REGISTRATIONS_PER_DEVICE, f"device:{device}"))
    if refusal is not None:
        return view.too_many(refusal)
    form = view.request.form
    errors = FormErrors()
    identity = read_identity(form, errors)
    employers = _employers(declaration, identity)
    now = view.now.astimezone(BELGIUM).replace(microsecond=0)
    registration = read_registration(
        form, identity, workplace_id, employers, _means(view), device, now, errors
    )
    if registration is None:
        return _second_step(view, declaration, names, employers, errors, 400)
    sender = Sender(
        f"web:{device}", registration.company_id or declaration.contractor, UserType.WORKER
    )
    answer = register_from_page(
        view.engine, sender, registration, view.now, view.pages.future_tolerance
    )
    assert not isinstance(answer, RefusedRegistration)  # the server's own time is never refused
    return view.render("worker_done.html", declaration=declaration, names=names, stored=answer)


ROUTES = (
    ("/r/<workplace_id>", start, ["GET"]),
    ("/r/<workplace_id>", identify, ["POST"]),
    ("/r/<workplace_id>/register", register, ["POST"]),
)
