"""Every call carries a WS-Security UsernameToken; nothing is done for a caller who fails."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime, timedelta

import pytest
import zeep
from zeep.wsse.username import UsernameToken

from gateway.domain.identity import UsernameToken as Token
from gateway.services import accounts, authentication
from gateway.services.errors import AuthenticationFailed
from gateway.services.passwords import SecretKey
from storage.database import transaction
from tests.builders import registration
from tests.conftest import PASSWORD, RunningGateway
from tests.soap import NS, post, register_body
from tests.zeep_clients import served_client


def client_with(gateway: RunningGateway, token: UsernameToken | None) -> zeep.Client:
    return served_client(gateway.wsdl_url, token)


def refused(client: zeep.Client) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.registerPresences(PresenceRegistrationRequest=[registration()])
    return raised.value


def code_of(fault: zeep.exceptions.Fault) -> str:
    return fault.detail[0].findtext("e:Code", namespaces=NS)


def test_a_password_text_token_and_a_password_digest_token_are_both_accepted(gateway):
    for digest in (False, True):
        answers = gateway.client(digest=digest).service.registerPresences(
            PresenceRegistrationRequest=[registration()]
        )
        assert answers[0].PresenceRegistration.Sender.SenderId == "badge-system"
    assert gateway.count() == 2


@pytest.mark.parametrize(
    "token",
    [
        None,
        UsernameToken("badge-system", "wrong password"),
        UsernameToken("badge-system", "wrong password", use_digest=True),
        UsernameToken("nobody", PASSWORD),
    ],
    ids=["no token", "wrong password", "wrong digest", "unknown user"],
)
def test_a_missing_or_wrong_token_is_refused_without_saying_which_part(gateway, token):
    fault = refused(client_with(gateway, token))
    assert fault.code.endswith("Client.Authentication")
    assert code_of(fault) == "Client.Authentication"
    assert fault.message.startswith("Authentication failed.")
    assert gateway.count() == 0


def test_a_disabled_account_is_refused(gateway):
    gateway.client().service.registerPresences(PresenceRegistrationRequest=[registration()])
    gateway.disable("badge-system")
    fault = refused(gateway.client())
    assert code_of(fault) == "Client.Authentication"
    assert gateway.count() == 1


def test_a_replayed_nonce_is_refused(gateway):
    created = datetime.now(UTC)
    token = UsernameToken(
        "badge-system", PASSWORD, use_digest=True, nonce="0123456789abcdef", created=created
    )
    client = client_with(gateway, token)
    client.service.registerPresences(PresenceRegistrationRequest=[registration()])
    fault = refused(client)
    assert code_of(fault) == "Client.TokenRejected"
    assert "nonce was used before" in fault.message
    assert gateway.count() == 1


def test_a_stale_token_is_refused(gateway):
    created = datetime.now(UTC) - timedelta(minutes=10)
    token = UsernameToken("badge-system", PASSWORD, use_digest=True, created=created)
    fault = refused(client_with(gateway, token))
    assert code_of(fault) == "Client.TokenRejected"
    assert "300 seconds" in fault.message
    assert gateway.count() == 0


def test_a_digest_without_nonce_or_created_is_refused(gateway):
    body = register_body(1)
    digest_type = (
        "http://docs.oasis-open.org/wss/2004/01/"
        "oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
    )
    data = (
        f'<soap:Envelope xmlns:soap="{NS["soap"]}"><soap:Header><wsse:Security xmlns:wsse='
        '"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        "<wsse:UsernameToken><wsse:Username>badge-system</wsse:Username>"
        f'<wsse:Password Type="{digest_type}">bm90IGEgZGlnZXN0</wsse:Password>'
        f"</wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>{body}</soap:Body>"
        "</soap:Envelope>"
    ).encode()
    reply = post(gateway.url, data)
    assert reply.error_code == "Client.Authentication"
    assert gateway.count() == 0


def test_each_operation_needs_a_token(gateway):
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client_with(gateway, None).service.getPresenceRegistration(PresenceRegistrationId=1)
    assert code_of(raised.value) == "Client.Authentication"


def test_a_password_is_never_checked_while_the_write_lock_is_held(sqlite_gateway, monkeypatch):
    """Argon2 takes tens of milliseconds by design: checked while a unit of work holds the
    writer's turn, every registering request of every sender would wait for it (and a caller
    sending wrong passwords could keep them waiting)."""
    from gateway.services import authentication
    from tests.web import WebClient, base_of

    gateway = sqlite_gateway
    lock = gateway.engine.url.database + ".writer-lock"
    checked: list[bool] = []  # for each password checked: whether the lock was free
    verify = authentication.verify_password

    def watched(password_hash: str, password: str) -> bool:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            checked.append(True)
        except BlockingIOError:
            checked.append(False)
        finally:
            os.close(descriptor)
        return verify(password_hash, password)

    monkeypatch.setattr(authentication, "verify_password", watched)
    gateway.add_account("second-system")
    gateway.client().service.registerPresences(PresenceRegistrationRequest=[registration()])
    assert gateway.client("second-system").service.getPresenceRegistration(PresenceRegistrationId=1)
    for _ in range(2):  # the second time, the outcome is remembered
        assert refused(client_with(gateway, UsernameToken("badge-system", "wrong password")))
    browser = WebClient(base_of(gateway))
    assert browser.login("second-system", "not the password").status == 401
    assert checked == [True] * 4  # both accounts, the wrong password once, the login
    assert gateway.count() == 1


def test_a_checked_password_is_remembered_for_an_hour_but_a_new_one_or_a_disabling_counts_at_once(
    engine, tmp_path, monkeypatch
):
    """Argon2 costs 100-150 ms and 64 MiB a check: each account's outcome is remembered for an
    hour, not recomputed on its requests; the stored hash is part of what is remembered and
    the account is read every time, so a new password or a disabled account counts at once."""
    key = SecretKey.load_or_create(tmp_path / "secret.key")
    with transaction(engine) as connection:
        for name in ("first", "second", "third"):
            accounts.add(connection, key, name, PASSWORD, "0403170701", "EMPLOYER")
    clock = [1000.0]
    monkeypatch.setattr(authentication.time, "monotonic", lambda: clock[0])
    checks: list[str] = []
    verify = authentication.verify_password

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(authentication, "verify_password", counted)
    authenticator = authentication.Authenticator(key, timedelta(minutes=5))

    def signs_in(name: str, password: str = PASSWORD) -> bool:
        token = Token(name, password, digest=False)
        try:
            with authenticator.unit_of_work(engine, token, datetime.now(UTC)):
                return True
        except AuthenticationFailed:
            return False

    assert signs_in("first") and checks == [PASSWORD]
    clock[0] += 3599  # a minute was the limit once
    assert signs_in("first") and checks == [PASSWORD]
    with transaction(engine) as connection:
        accounts.reset_password(connection, key, "first", "a-new-password-2")
    assert not signs_in("first") and signs_in("first", "a-new-password-2")
    assert checks == [PASSWORD, PASSWORD, "a-new-password-2"]  # the new hash, checked at once
    with transaction(engine) as connection:
        accounts.set_disabled(connection, "first", True)
    assert not signs_in("first", "a-new-password-2")  # remembered, and refused all the same
    clock[0] += 3601
    assert signs_in("second") and len(checks) == 4

    monkeypatch.setattr(authentication, "CACHE_LIMIT", 2)
    assert signs_in("third") and len(checks) == 5  # "second" is kept, the oldest forgotten
    assert signs_in("second") and signs_in("third") and len(checks) == 5
