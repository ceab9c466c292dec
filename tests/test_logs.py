"""What the gateway logs of a failure names the failure, never the values it failed on: a
database error keeps its statement's values out (``hide_parameters``), and a log line says
its class, SQLSTATE (or SQLite error name) and statement, not the driver's message, which on
PostgreSQL quotes the row (``DETAIL: Key (username, nonce)=(...) already exists``)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from gateway.logs import JsonFormatter, describe
from storage.tables import used_nonces

USERNAME, NONCE = "schoonmaak-badges", "bm9uY2UtN2YzYQ=="


def _twice(engine) -> IntegrityError:  # type: ignore[no-untyped-def]
    row = {"username": USERNAME, "nonce": NONCE, "created_at": datetime(2026, 12, 4, 8)}
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(insert(used_nonces), row)
        connection.execute(insert(used_nonces), row)  # a replayed nonce, stored twice
    return raised.value


def test_a_database_error_carries_no_bound_values(engine):
    error = _twice(engine)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(error)


def test_a_logged_database_failure_names_it_without_its_values(engine):
    error = _twice(engine)
    code = "23505" if engine.dialect.name == "postgresql" else "SQLITE_CONSTRAINT_PRIMARYKEY"
    assert describe(error).startswith("IntegrityError (")
    assert f", {code}) in: INSERT INTO used_nonces" in describe(error)
    try:
        raise RuntimeError(f"while storing the nonce of {USERNAME}") from error
    except RuntimeError:
        record = logging.getLogger("ciao.test").makeRecord(
            "ciao.test", logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    line = JsonFormatter().format(record)
    logged = json.loads(line)["exception"]
    assert "in _twice" in logged and "RuntimeError" in logged  # where, and what
    assert code in logged
    assert USERNAME not in line and NONCE not in line  # no exception's message at all


def test_an_exception_logged_as_a_message_is_named_without_its_values():
    """Libraries log exceptions as messages (Spyne's ``logger.error(ctx.in_error)``, psycopg's
    ``"error ignored in rollback on %s: %s"``): named by their class there too."""
    failure = ValueError(f"no such worker {USERNAME}")
    rollback = "error ignored in rollback on %s: %s"
    lines = [
        JsonFormatter().format(
            logging.getLogger("spyne.server.wsgi").makeRecord(
                "spyne.server.wsgi", logging.ERROR, __file__, 1, message, args, None
            )
        )
        for message, args in ((failure, ()), (rollback, ("c", failure)))
    ]
    assert [json.loads(line)["message"] for line in lines] == [
        "ValueError",
        "error ignored in rollback on c: ValueError",
    ]
