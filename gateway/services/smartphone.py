"""What the smartphone page and the management pages ask of the registries: a declaration
with the names of its enterprises, and the declarations whose QR codes an enterprise prints.
The worker's page never asks who employs a national number (``gateway.domain.smartphone``).
Each is read in a transaction of its own that merges no staged registrations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from gateway.domain.reference import Declaration
from storage import reference
from storage.database import reading


@dataclass(frozen=True)
class Site:
    """A declaration of works as its page shows it."""

    declaration: Declaration
    names: dict[str, str]  # enterprise number -> name, for the enterprises of its chain


def site(engine: Engine, workplace_id: str) -> Site | None:
    with reading(engine, registrations=False) as connection:
        found = reference.declaration(connection, workplace_id)
        if found is None:
            return None
        return Site(found, reference.enterprise_names(connection, found.companies()))


def printable(engine: Engine, company: str) -> list[Declaration]:
    """The declarations whose chain holds ``company``: their QR codes are its to print."""
    with reading(engine, registrations=False) as connection:
        return reference.declarations_in_chain_of(connection, company)
