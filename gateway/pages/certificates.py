"""The operators' page of certificates: which X.509 certificates authenticate which account's
signed calls, and which token services' SAML assertions are trusted; an operator registers
one (its PEM pasted) or removes one. Another account is answered as if there were no page."""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from gateway.domain.identity import Account, Role
from gateway.pages.management import logged_in
from gateway.pages.view import View
from gateway.services import certificates


@logged_in
def certificate_list(view: View, account: Account, csrf: str) -> Response:
    if account.role is not Role.OPERATOR:
        raise NotFound()
    problem = None
    form = view.request.form
    if view.request.method == "POST":
        try:
            if form.get("fingerprint"):
                certificates.remove_in(view.engine, form["fingerprint"])
            else:
                username = None if form.get("token_service") else form.get("username", "")
                pem = form.get("certificate", "").encode()
                certificates.add_in(view.engine, pem, username)
        except certificates.InvalidCertificate as refused:
            problem = view.reason(refused.reason)
        else:
            return redirect("/manage/certificates", code=303)
    registered = certificates.listing_in(view.engine)
    return view.render(
        "manage_certificates.html",
        400 if problem else 200,
        account=account,
        csrf=csrf,
        registered=registered,
        problem=problem,
        form=form,
    )


ROUTES = (("/manage/certificates", certificate_list, ["GET", "POST"]),)
