"""Query plans of what the gateway asks PostgreSQL: the statements a request sends, caught at
the driver as they leave, each explained with ``EXPLAIN (ANALYZE, BUFFERS)`` and the same
values (every execution is planned for its own values: ``storage.database``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def statements_of(engine: Engine, call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The queries that ``call`` sent through ``engine``, with their values."""
    caught: list[tuple[str, Any]] = []

    def catch(_c: Any, _cursor: Any, statement: str, values: Any, _x: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            caught.append((statement, values))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    return caught


def explained(engine: Engine, statement: str, values: Any) -> str:
    """``statement`` run with ``values`` under ``EXPLAIN (ANALYZE, BUFFERS)``: its plan, with
    the rows and buffers each step read and its time."""
    with engine.connect() as connection:
        lines = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", values)
        return "\n".join(line for (line,) in lines)


def plans_of(engine: Engine, call: Callable[[], object]) -> list[dict[str, Any]]:
    """Each statement ``call`` sends, its values and its plan."""
    return [
        {"statement": statement, "values": values, "plan": explained(engine, statement, values)}
        for statement, values in statements_of(engine, call)
    ]
