"""How account passwords are hashed: production's Argon2 parameters, and the cheapest ones
only where a test suite asks for them."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters, profiles
from sqlalchemy import text

from gateway.services.passwords import CHEAP_FOR_TESTS, hash_password, verify_password
from tests.conftest import PASSWORD, RunningGateway


def test_a_password_is_hashed_at_production_cost_unless_a_test_suite_asks_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CHEAP_FOR_TESTS, raising=False)
    production = hash_password(PASSWORD)
    parameters = extract_parameters(production)
    assert parameters == profiles.RFC_9106_LOW_MEMORY
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (65536, 3, 4)
    monkeypatch.setenv(CHEAP_FOR_TESTS, "0")
    assert extract_parameters(hash_password(PASSWORD)) == profiles.RFC_9106_LOW_MEMORY

    monkeypatch.setenv(CHEAP_FOR_TESTS, "1")
    cheap = hash_password(PASSWORD)
    assert extract_parameters(cheap) == profiles.CHEAPEST
    # A hash carries its parameters: both kinds are verified whatever the setting.
    for stored in (production, cheap):
        assert verify_password(stored, PASSWORD)
        assert not verify_password(stored, "wrong horse battery")


def test_the_suite_s_gateways_hash_their_accounts_cheaply(sqlite_gateway: RunningGateway) -> None:
    with sqlite_gateway.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM accounts")).scalar_one()
    assert extract_parameters(stored) == profiles.CHEAPEST
