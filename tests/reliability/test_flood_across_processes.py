"""The pages' flood limits hold for the whole host, not per process: ten wrong passwords a
minute from an address, however many gunicorn workers or gateway processes answer it (each
used to count in its own memory, so that N workers let through N times as many)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import postgres_database
from tests.processes import Gateway
from tests.web import WebClient

WRONG = {"username": "demo", "password": "not-the-password"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ciao.db'}"
        return
    request.getfixturevalue("postgres_engine")  # skips with the reason when it is unreachable
    with postgres_database() as engine:
        yield engine.url.render_as_string(hide_password=False)


def attempts(bases: list[str], count: int) -> list[int]:
    """``count`` wrong logins in turn on ``bases``, each on a connection of its own."""
    return [
        WebClient(bases[n % len(bases)]).post("/manage/login", WRONG).status for n in range(count)
    ]


def test_two_gateway_processes_on_one_database_count_the_same_logins(tmp_path, database):
    first = Gateway(tmp_path, check_workers=0, database=database)
    second = Gateway(tmp_path, check_workers=0, database=database)  # its secret key too
    first.start()
    second.start()
    try:
        answers = attempts([first.base, second.base], 14)
    finally:
        first.stop()
        second.stop()
    assert answers[:10] == [401] * 10  # the login page again, with its error
    assert answers[10:] == [429] * 4  # on either process


def test_the_workers_of_one_gunicorn_count_the_same_logins(tmp_path, database):
    gateway = Gateway(tmp_path, workers=2, check_workers=0, database=database)
    gateway.start()
    try:
        answers = attempts([gateway.base], 20)
    finally:
        gateway.stop()
    assert answers == [401] * 10 + [429] * 10
