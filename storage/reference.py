"""Repository functions for the reference registries: replace entries, and load in bulk what
the checks need for a set of registrations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, Table, delete, insert, select

from gateway.domain.reference import (
    ChainLink,
    Declaration,
    Employment,
    Enterprise,
    LimosaDeclaration,
    Period,
    Person,
    ReferenceData,
)
from gateway.domain.registration import Sector, SubmittedRegistration
from storage.tables import (
    chain_visibility,
    declaration_chain,
    declarations,
    employments,
    enterprises,
    limosa_declarations,
    persons,
)


def _replace(connection: Connection, table: Table, keys: list[str], rows: list[dict]) -> None:
    """Delete the rows with the same keys, then insert: an upsert both databases run alike."""
    if not rows:
        return
    rows = list({tuple(row[k] for k in keys): row for row in rows}.values())  # the last wins
    key_columns = [table.c[k] for k in keys]
    for start in range(0, len(rows), 500):
        part = rows[start : start + 500]
        if len(keys) == 1:
            connection.execute(delete(table).where(key_columns[0].in_([r[keys[0]] for r in part])))
        else:
            for row in part:
                connection.execute(
                    delete(table).where(
                        *(c == row[k] for c, k in zip(key_columns, keys, strict=True))
                    )
                )
        connection.execute(insert(table), part)


def put_enterprises(connection: Connection, items: Sequence[Enterprise]) -> None:
    _replace(
        connection,
        enterprises,
        ["number"],
        [
            {
                "number": e.number,
                "name": e.name,
                "active_from": e.active.start,
                "active_until": e.active.end,
            }
            for e in items
        ],
    )


def put_persons(connection: Connection, items: Sequence[Person]) -> None:
    _replace(connection, persons, ["inss"], [{"inss": p.inss, "name": p.name} for p in items])


def put_limosa(connection: Connection, items: Sequence[LimosaDeclaration]) -> None:
    _replace(
        connection,
        limosa_declarations,
        ["limosa_id"],
        [
            {"limosa_id": d.limosa_id, "valid_from": d.valid.start, "valid_until": d.valid.end}
            for d in items
        ],
    )


def put_declarations(connection: Connection, items: Sequence[Declaration]) -> None:
    """Declarations with their whole chain: the chain given replaces the stored one."""
    if not items:
        return
    items = list({d.workplace_id: d for d in items}.values())  # the last of an id wins
    ids = [d.workplace_id for d in items]
    connection.execute(delete(declaration_chain).where(declaration_chain.c.workplace_id.in_(ids)))
    _replace(
        connection,
        declarations,
        ["workplace_id"],
        [
            {
                "workplace_id": d.workplace_id,
                "contractor": d.contractor,
                "valid_from": d.valid.start,
                "valid_until": d.valid.end,
                "subject_to_registration": d.subject_to_registration,
                "takes_over": d.takes_over,
                "site_address": d.site_address,
                "sector": None if d.sector is None else int(d.sector),
            }
            for d in items
        ],
    )
    links = [
        {
            "workplace_id": d.workplace_id,
            "company_id": link.company_id,
            "parent_company_id": link.parent,
        }
        for d in items
        for link in d.chain
    ]
    if links:
        connection.execute(insert(declaration_chain), links)
    connection.execute(delete(chain_visibility).where(chain_visibility.c.workplace_id.in_(ids)))
    visible = [
        {"workplace_id": d.workplace_id, "viewer": viewer, "company_id": company}
        for d in items
        for viewer, company in d.above()
    ]
    if visible:
        connection.execute(insert(chain_visibility), visible)


def put_employments(connection: Connection, items: Sequence[Employment]) -> None:
    _replace(
        connection,
        employments,
        ["inss", "employer", "valid_from"],
        [
            {
                "inss": e.inss,
                "employer": e.employer,
                "valid_from": e.valid.start,
                "valid_until": e.valid.end,
            }
            for e in items
        ],
    )


def _period(start: date, end: date | None) -> Period:
    return Period(start, end)


def _chunks(values: Iterable[str], size: int = 900) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def load_for(
    connection: Connection, registrations: Sequence[SubmittedRegistration]
) -> ReferenceData:
    """Everything the checks need about ``registrations``, in a handful of queries."""
    reference = ReferenceData()
    companies = {r.company_id for r in registrations if r.company_id}
    workers = {r.inss for r in registrations if r.inss}
    for part in _chunks(companies):
        for row in connection.execute(select(enterprises).where(enterprises.c.number.in_(part))):
            reference.enterprises[row.number] = Enterprise(
                row.number, row.name, _period(row.active_from, row.active_until)
            )
    for part in _chunks(workers):
        reference.persons.update(
            connection.execute(select(persons.c.inss).where(persons.c.inss.in_(part))).scalars()
        )
        for row in connection.execute(select(employments).where(employments.c.inss.in_(part))):
            reference.employments.setdefault(row.inss, []).append(
                Employment(row.inss, row.employer, _period(row.valid_from, row.valid_until))
            )
    for part in _chunks(r.limosa_id for r in registrations if r.limosa_id):
        for row in connection.execute(
            select(limosa_declarations).where(limosa_declarations.c.limosa_id.in_(part))
        ):
            reference.limosa[row.limosa_id] = LimosaDeclaration(
                row.limosa_id, _period(row.valid_from, row.valid_until)
            )
    wanted = {r.workplace_id for r in registrations}
    _load_declarations(connection, wanted, reference)
    taken_over = {d.takes_over for d in reference.declarations.values() if d.takes_over}
    _load_declarations(connection, taken_over - set(reference.declarations), reference)
    return reference


def _load_declarations(connection: Connection, ids: set[str], reference: ReferenceData) -> None:
    for part in _chunks(ids):
        chains: dict[str, list[ChainLink]] = {}
        for row in connection.execute(
            select(declaration_chain).where(declaration_chain.c.workplace_id.in_(part))
        ):
            chains.setdefault(row.workplace_id, []).append(
                ChainLink(row.company_id, row.parent_company_id)
            )
        for row in connection.execute(
            select(declarations).where(declarations.c.workplace_id.in_(part))
        ):
            reference.declarations[row.workplace_id] = Declaration(
                workplace_id=row.workplace_id,
                contractor=row.contractor,
                valid=_period(row.valid_from, row.valid_until),
                subject_to_registration=row.subject_to_registration,
                chain=tuple(chains.get(row.workplace_id, ())),
                takes_over=row.takes_over,
                site_address=row.site_address,
                sector=None if row.sector is None else Sector(row.sector),
            )


def has_enterprises(connection: Connection) -> bool:
    return connection.execute(select(enterprises.c.number).limit(1)).first() is not None


def taking_over(connection: Connection, workplaces: set[str]) -> set[str]:
    """The declarations that take over any of ``workplaces`` (contract takeovers)."""
    return set(
        connection.execute(
            select(declarations.c.workplace_id).where(
                declarations.c.takes_over.in_(sorted(workplaces))
            )
        ).scalars()
    )


def declaration(connection: Connection, workplace_id: str) -> Declaration | None:
    """One declaration of works with its chain (the smartphone page)."""
    reference = ReferenceData()
    _load_declarations(connection, {workplace_id}, reference)
    return reference.declarations.get(workplace_id)


def sectors(connection: Connection, workplaces: Iterable[str]) -> dict[str, Sector]:
    """The sector of each of ``workplaces`` whose declaration names one."""
    wanted = sorted(set(workplaces))
    found = connection.execute(
        select(declarations.c.workplace_id, declarations.c.sector).where(
            declarations.c.workplace_id.in_(wanted), declarations.c.sector.is_not(None)
        )
    )
    return {row.workplace_id: Sector(row.sector) for row in found}


def declarations_in_chain_of(connection: Connection, company: str) -> list[Declaration]:
    """The declarations in whose chain ``company`` is, as contractor or below (whose QR codes
    its management pages print), by work place id."""
    ids = set(
        connection.execute(
            select(declarations.c.workplace_id).where(declarations.c.contractor == company)
        ).scalars()
    ) | set(
        connection.execute(
            select(declaration_chain.c.workplace_id).where(
                declaration_chain.c.company_id == company
            )
        ).scalars()
    )
    reference = ReferenceData()
    _load_declarations(connection, ids, reference)
    return [reference.declarations[i] for i in sorted(reference.declarations)]


def enterprise_names(connection: Connection, numbers: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for part in _chunks(numbers):
        rows = connection.execute(
            select(enterprises.c.number, enterprises.c.name).where(enterprises.c.number.in_(part))
        )
        names.update((number, name) for number, name in rows)
    return names
