"""``ciao-gateway``: accounts, migrations, and serving under gunicorn."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zeep
from zeep.wsse.username import UsernameToken

from gateway.cli import main
from tests.builders import batch
from tests.processes import free_port, wait_for


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CIAO_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    return f"sqlite:///{tmp_path / 'ciao.db'}"


def users(database: str, *arguments: str) -> int:
    action, *rest = arguments
    return main(["users", action, "--database", database, *rest])


def test_accounts_are_added_listed_disabled_and_given_new_passwords(database, capsys):
    assert (
        users(
            database,
            "add",
            "--username",
            "acme",
            "--password",
            "s3cret-pass",
            "--company",
            "0403.170.701",
            "--role",
            "EMPLOYER",
        )
        == 0
    )
    assert "added acme (EMPLOYER, enterprise 0403170701)" in capsys.readouterr().out
    assert users(database, "disable", "--username", "acme") == 0
    assert users(database, "list") == 0
    assert "acme\tEMPLOYER\t0403170701\tdisabled" in capsys.readouterr().out
    assert users(database, "enable", "--username", "acme") == 0
    assert (
        users(database, "reset-password", "--username", "acme", "--password", "n3w-password") == 0
    )
    assert "password of acme changed" in capsys.readouterr().out


def test_a_command_on_a_current_database_writes_only_its_answer(database, capsys):
    assert users(database, "list") == 0  # migrates the new database: that is logged
    capsys.readouterr()
    assert users(database, "list") == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--company", "0403170702"], "'0403170702' is not a valid enterprise number"),
        (["--company", "0403170701", "--password", "short"], "at least 8 characters"),
    ],
)
def test_bad_account_data_gets_one_clear_line(database, capsys, arguments, message):
    base = {"--username": "acme", "--password": "long-enough", "--role": "EMPLOYER"}
    merged = dict(base)
    merged.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    flat = [part for pair in merged.items() for part in pair]
    assert users(database, "add", *flat) == 2
    assert message in capsys.readouterr().err


def test_a_second_account_of_the_same_name_is_refused(database, capsys):
    arguments = [
        "--username",
        "acme",
        "--password",
        "long-enough",
        "--company",
        "0403170701",
        "--role",
        "OPERATOR",
    ]
    assert users(database, "add", *arguments) == 0
    assert users(database, "add", *arguments) == 2
    assert "exists already" in capsys.readouterr().err


def test_an_unknown_account_cannot_be_disabled(database, capsys):
    assert users(database, "disable", "--username", "ghost") == 2
    assert "no account named 'ghost'" in capsys.readouterr().err


def test_an_unusable_database_is_one_clear_line(capsys, tmp_path):
    code = main(["migrate", "--database", "postgresql://nobody@127.0.0.1:1/none"])
    assert code == 1
    assert "the database cannot be used" in capsys.readouterr().err


def test_serve_runs_gunicorn_with_the_demo_account_and_takes_200_registrations(tmp_path):
    port = free_port()
    env = dict(os.environ, CIAO_SECRET_KEY_FILE=str(tmp_path / "secret.key"))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--demo",
            "--database",
            f"sqlite:///{tmp_path / 'ciao.db'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/PresenceRegistration/v1"
    try:
        wsdl = wait_for(url + "?wsdl", process, time.monotonic() + 30)
        assert f'location="{url}"'.encode() in wsdl
        client = zeep.Client(
            url + "?wsdl",
            settings=zeep.Settings(strict=True),
            wsse=UsernameToken("demo", "demo-password", use_digest=True),
        )
        answers = client.service.registerPresences(PresenceRegistrationRequest=batch(200))
        assert [a.PresenceRegistration.LastValidation.Status for a in answers] == [
            "SUCCESSFULLY REGISTERED"
        ] * 200
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert f"WSDL at {url}?wsdl" in output
    assert "demo accounts: demo / demo-password (EMPLOYER" in output
    assert "demo data loaded:" in output
    assert f"operators: http://127.0.0.1:{port}/Administration/v1?wsdl" in output
    assert f"{port}/checkinatwork/PresenceRegistration/v1?wsdl" in output
    assert "Checkin@Work presences of today" in output
    assert "Booting worker" in output
    assert process.returncode == 0
