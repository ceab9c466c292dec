"""The tests' zeep clients share one parse of the served WSDL, yet each calls the gateway
whose WSDL it fetched."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.builders import registration
from tests.conftest import _running_gateway, sqlite_database
from tests.zeep_clients import ServedClient


def test_a_client_of_a_second_gateway_calls_that_gateway(tmp_path: Path) -> None:
    with ExitStack() as stack:
        first, second = (
            stack.enter_context(contextmanager(_running_gateway)(sqlite_database(folder), folder))
            for folder in (tmp_path / "first", tmp_path / "second")
        )
        to_first, to_second = first.client(), second.client()
        assert isinstance(to_second, ServedClient) and to_first.wsdl is to_second.wsdl
        assert to_second.address == second.url != first.url
        to_second.service.registerPresences(PresenceRegistrationRequest=[registration()])
        assert (first.count(), second.count()) == (0, 1)
