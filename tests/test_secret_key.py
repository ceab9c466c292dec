"""The gateway's secret key belongs to its database: found next to a SQLite database from any
folder, and a key the database's accounts were not made with refused at once, by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from gateway.bootstrap import create_app
from gateway.cli import main
from gateway.config import Settings
from gateway.services.accounts import KeyMismatch, require_key
from gateway.services.passwords import SecretKey
from storage import migrate
from storage.database import transaction
from tests.conftest import sqlite_database
from tests.processes import free_port


def add_account(database: str, username: str) -> int:
    return main(
        [
            *("users", "add", "--username", username, "--password", "a-password-1"),
            *("--database", database, "--company", "0403170701", "--role", "EMPLOYER"),
        ]
    )


def test_commands_run_from_any_folder_use_the_key_next_to_the_sqlite_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CIAO_SECRET_KEY_FILE", raising=False)
    database = f"sqlite:///{tmp_path / 'data' / 'ciao.db'}"
    (tmp_path / "data").mkdir()
    for folder in ("here", "there"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        assert add_account(database, f"from-{folder}") == 0
    assert sorted(tmp_path.rglob("*.key")) == [tmp_path / "data" / "secret.key"]


def test_a_key_that_is_not_the_accounts_key_is_refused_naming_the_key_and_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path / 'ciao.db'}"
    monkeypatch.setenv("CIAO_SECRET_KEY_FILE", str(tmp_path / "first.key"))
    assert add_account(database, "acme") == 0
    other = tmp_path / "elsewhere" / "secret.key"
    monkeypatch.setenv("CIAO_SECRET_KEY_FILE", str(other))
    capsys.readouterr()

    assert add_account(database, "newcomer") == 2
    error = capsys.readouterr().err
    assert f"the secret key {other} is not the key the accounts of the database {database}" in (
        error
    )
    assert main(["users", "list", "--database", database]) == 0
    assert "newcomer" not in capsys.readouterr().out
    with pytest.raises(KeyMismatch, match="is not the key the accounts"):
        create_app(Settings(database_url=database, secret_key_file=other))

    # A lost key: new passwords with the new key, and the new key is the accounts' key.
    assert (
        main(
            [
                *("users", "reset-password", "--username", "acme"),
                *("--password", "a-password-2", "--database", database),
            ]
        )
        == 0
    )
    assert add_account(database, "newcomer") == 0


def test_serve_refuses_another_key_before_it_starts_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'ciao.db'}"
    monkeypatch.setenv("CIAO_SECRET_KEY_FILE", str(tmp_path / "first.key"))
    assert add_account(database, "acme") == 0
    other = tmp_path / "other.key"
    served = subprocess.run(
        [
            *(sys.executable, "-m", "gateway.cli", "serve", "--port", str(free_port())),
            *("--check-workers", "0", "--database", database),
        ],
        env=dict(os.environ, CIAO_SECRET_KEY_FILE=str(other)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2
    assert f"ciao-gateway: error: the secret key {other} is not the key" in served.stderr
    assert "Booting worker" not in served.stderr


def test_accounts_made_before_key_fingerprints_are_checked_by_their_secret(
    tmp_path: Path,
) -> None:
    engine = sqlite_database(tmp_path, "0008")
    theirs = SecretKey.load_or_create(tmp_path / "theirs.key")
    with engine.begin() as connection:  # the schema of 0008: nothing staged to merge
        connection.execute(
            text(
                "INSERT INTO accounts (username, password_hash, password_secret, company_id, "
                "role, disabled, created_at) VALUES ('old', 'x', :secret, '0403170701', "
                "'EMPLOYER', false, '2026-11-01 00:00:00')"
            ),
            {"secret": theirs.encrypt("a-password-1")},
        )
    migrate.upgrade(engine)
    another = SecretKey.load_or_create(tmp_path / "another.key")
    with pytest.raises(KeyMismatch), transaction(engine) as connection:
        require_key(connection, another, "the database")
    with transaction(engine) as connection:
        require_key(connection, theirs, "the database")
    with transaction(engine) as connection:
        stored = connection.execute(text("SELECT key_fingerprint FROM accounts")).scalar_one()
    assert stored == theirs.identity
    engine.dispose()
