"""Repository functions for consultation: who may see which registration, searching, and
cancelling."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    union,
    update,
)

from gateway.domain.consultation import SearchCriteria
from gateway.domain.registration import Status, StoredRegistration
from gateway.domain.workday import BELGIUM
from storage.database import naive_utc, reading
from storage.registrations import from_row
from storage.tables import chain_visibility, registrations, validations

_C = registrations.c
_SORT_COLUMNS = {
    "ID": _C.id,
    "REGISTRATION DATE": _C.registered_at,
    "CREATION DATE": _C.created_at,
    "STATUS": _C.status,
    "PLACE OF WORK": _C.workplace_id,
    "COMPANY ID": _C.company_id,
    "CHANNEL": _C.channel,
    "SENDER ID": _C.sender_id,
}


def visible_to(company: str) -> ColumnElement[bool]:
    """Registrations an enterprise may consult: of its own workers, sent by it, or of a
    company below it in the chain of the registration's declaration of works (Q14)."""
    below = exists().where(
        chain_visibility.c.workplace_id == _C.workplace_id,
        chain_visibility.c.viewer == company,
        chain_visibility.c.company_id == _C.company_id,
    )
    return or_(_C.company_id == company, _C.sender_company_id == company, below)


def is_visible(connection: Connection, registration_id: int, company: str | None) -> bool:
    """``company`` None is an operator, who sees everything."""
    criterion = _C.id == registration_id
    if company is not None:
        criterion = and_(criterion, visible_to(company))
    return connection.execute(select(_C.id).where(criterion)).first() is not None


def _utc_start(day: date) -> datetime:
    return naive_utc(datetime.combine(day, time(0), tzinfo=BELGIUM))


def _in_periods(day: Any, periods: Sequence[tuple[date, date]]) -> ColumnElement[bool]:
    return or_(*(day.between(start, end) for start, end in periods))


def _visible_ids(company: str, periods: Sequence[tuple[date, date]]) -> Any:
    """The ids of the registrations ``company`` may see in ``periods``, as three index-backed
    selects (employer and day, sender and day, chain then work place and day) instead of one
    OR that a planner can only answer by scanning every registration of the periods."""
    own, sent, below = registrations.alias(), registrations.alias(), registrations.alias()
    chain = chain_visibility.alias()
    return union(
        select(own.c.id).where(own.c.company_id == company, _in_periods(own.c.work_day, periods)),
        select(sent.c.id).where(
            sent.c.sender_company_id == company, _in_periods(sent.c.work_day, periods)
        ),
        select(below.c.id)
        .join(
            chain,
            and_(
                chain.c.workplace_id == below.c.workplace_id,
                chain.c.company_id == below.c.company_id,
            ),
        )
        .where(chain.c.viewer == company, _in_periods(below.c.work_day, periods)),
    )


def _where(criteria: SearchCriteria, company: str | None) -> list[Any]:
    where: list[Any] = [_in_periods(_C.work_day, criteria.periods)]
    if company is not None:
        where.append(_C.id.in_(_visible_ids(company, criteria.periods)))
    if criteria.inss is not None:
        where.append(_C.worker_key == "N:" + criteria.inss)
    if criteria.company_id is not None:
        where.append(_C.company_id == criteria.company_id)
    if criteria.workplace_id is not None:
        where.append(_C.workplace_id == criteria.workplace_id)
    if criteria.statuses:
        where.append(_C.status.in_([s.value for s in criteria.statuses]))
    if criteria.remark_codes:
        padded = literal(" ") + func.coalesce(_C.remark_codes, "") + literal(" ")
        where.append(or_(*(padded.like(f"% {code} %") for code in criteria.remark_codes)))
    if criteria.created_from is not None:
        where.append(_C.created_at >= _utc_start(criteria.created_from))
    if criteria.created_until is not None:
        where.append(_C.created_at < _utc_start(criteria.created_until + timedelta(days=1)))
    return where


def page_query(criteria: SearchCriteria, company: str | None) -> Select[Any]:
    """The page of registrations ``criteria`` asks for, as ``company`` sees them."""
    column = _SORT_COLUMNS[criteria.sort]
    order = [column.desc(), _C.id.desc()] if criteria.descending else [column.asc(), _C.id.asc()]
    return (
        select(registrations)
        .where(*_where(criteria, company))
        .order_by(*order)
        .offset(criteria.first_row)
        .limit(criteria.fetch_size)
    )


def search(
    connection: Connection, criteria: SearchCriteria, company: str | None
) -> tuple[int, list[StoredRegistration]]:
    """How many registrations match, and the page asked for."""
    counted = select(func.count()).select_from(registrations).where(*_where(criteria, company))
    total = int(connection.execute(counted).scalar_one())
    return total, [from_row(row) for row in connection.execute(page_query(criteria, company))]


def cancel(connection: Connection, ids: Sequence[int], reason: str, now: datetime) -> None:
    at = naive_utc(now)
    if not ids:
        return
    connection.execute(
        update(registrations)
        .where(_C.id.in_(ids))
        .values(
            status=Status.CANCELLED.value,
            cancellation_reason=reason,
            remark_codes=None,
            validated_at=at,
        )
    )
    connection.execute(
        validations.insert(),
        [
            {
                "registration_id": i,
                "status": Status.CANCELLED.value,
                "validated_at": at,
                "remark_codes": None,
            }
            for i in ids
        ],
    )


def stream(
    engine: Engine, criteria: SearchCriteria, company: str | None, batch: int = 2000
) -> Iterator[StoredRegistration]:
    """Every matching registration in id order, read in batches on a connection of its own
    (an export outlives the request's transaction and must not hold all rows in memory)."""
    where = _where(criteria, company)
    with reading(engine) as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(
            select(registrations).where(*where).order_by(_C.id)
        )
        for row in result:
            yield from_row(row)
