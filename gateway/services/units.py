"""A service that works on a connection, made into one that opens its own transaction: how the
pages call the services (the SOAP edge's transaction comes from ``Authenticator.unit_of_work``).
The service decides what kind of transaction its work needs; the caller only names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

from storage.database import reading, transaction

P = ParamSpec("P")
R = TypeVar("R")


def writing(
    service: Callable[Concatenate[Connection, P], R],
) -> Callable[Concatenate[Engine, P], R]:
    """``service`` in a transaction of its own, committed when it returns."""

    def unit(engine: Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with transaction(engine) as connection:
            return service(connection, *args, **kwargs)

    return unit


def read_only(
    service: Callable[Concatenate[Connection, P], R], *, registrations: bool = True
) -> Callable[Concatenate[Engine, P], R]:
    """``service`` in a reading transaction of its own (``reading``: ``registrations`` False
    merges no staged registrations first, for what does not read them)."""

    def unit(engine: Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with reading(engine, registrations=registrations) as connection:
            return service(connection, *args, **kwargs)

    return unit
