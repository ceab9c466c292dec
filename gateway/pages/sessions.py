"""Cookies of the pages, signed with a key derived from the gateway's secret (itsdangerous):

- ``ciao_session``: the management pages' login (the account's username and the session's
  CSRF token), valid for ``SESSION_SECONDS``;
- ``ciao_device``: a random id of the phone or browser a worker registers from; it is the
  registration's DeviceId, the key of its flood limit, and what the worker page's CSRF token
  is bound to.

Every cookie is HttpOnly and SameSite=Lax, and Secure when the gateway is reached over HTTPS
or ``CIAO_SECURE_COOKIES`` says so. Every form carries a token that only a page of ours could
have rendered for that cookie; a POST without it is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.services.passwords import SecretKey

SESSION_COOKIE = "ciao_session"
DEVICE_COOKIE = "ciao_device"
LANGUAGE_COOKIE = "ciao_lang"
SESSION_SECONDS = 8 * 3600
DEVICE_SECONDS = 400 * 24 * 3600  # the longest lifetime browsers keep a cookie


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str


class Signer:
    def __init__(self, key: SecretKey) -> None:
        secret = key.fingerprint("ciao-pages-cookies").hex()
        self._sessions = URLSafeTimedSerializer(secret, salt="session")
        self._devices = URLSafeTimedSerializer(secret, salt="device")
        self._forms = URLSafeTimedSerializer(secret, salt="worker-form")

    def session_cookie(self, username: str) -> str:
        """A new session of ``username``, with a CSRF token of its own."""
        return self._sessions.dumps([username, secrets.token_urlsafe(24)])

    def session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            username, csrf = self._sessions.loads(cookie, max_age=SESSION_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(str(username), str(csrf))

    def new_device(self) -> tuple[str, str]:
        """A new device id and its cookie."""
        device = secrets.token_urlsafe(16)
        return device, self._devices.dumps(device)

    def device(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return str(self._devices.loads(cookie, max_age=DEVICE_SECONDS))
        except BadSignature:
            return None

    def form_token(self, device: str) -> str:
        """The worker form's CSRF token: valid for this device, for an hour."""
        return self._forms.dumps(device)

    def form_token_matches(self, token: str | None, device: str | None) -> bool:
        if not token or not device:
            return False
        try:
            signed_for = self._forms.loads(token, max_age=3600)
        except BadSignature:
            return False
        return hmac.compare_digest(str(signed_for), device)


def same_token(sent: str | None, expected: str) -> bool:
    return sent is not None and hmac.compare_digest(sent, expected)
