"""Structured logs: one JSON object per line, each carrying the id of the request it belongs
to. The same id is the ``Id`` (ticket) of any fault the request gets, and the X-Request-Id
header of its answer, so a caller's ticket leads straight to the log lines.

No national number, name, password, nonce or token reaches a log line: an exception is logged
by its class and where it was raised, never by its message, which may quote what it failed on
(PostgreSQL's ``DETAIL: Key (inss)=(85073003328) already exists``, a parse error's bad value);
a database error adds its SQLSTATE (or SQLite error name) and the start of its statement.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("ciao_request_id", default=None)
_FIELDS = ("request_id", "method", "path", "operation", "status", "duration_ms")
_STATEMENT_START = 80


def describe(error: BaseException) -> str:
    """``error`` and what led to it, without the values they quote: each one's class, and for
    a database error the driver's class, the SQLSTATE or SQLite error name, and the start of
    the statement (whose values the engine keeps out, ``hide_parameters``).

    >>> try:
    ...     raise KeyError("85073003328")
    ... except KeyError as missing:
    ...     error = RuntimeError("no such worker: 85073003328")
    ...     error.__context__ = missing
    >>> describe(error)
    'RuntimeError, after KeyError'
    """
    chain = _chain(error)
    drivers = [getattr(e, "orig", None) for e in chain]  # each named with its wrapper
    return ", after ".join(_name(e) for e in reversed(chain) if e not in drivers)


def _name(error: BaseException) -> str:
    text = type(error).__name__
    driver = getattr(error, "orig", None)
    if isinstance(driver, BaseException):
        code = getattr(driver, "sqlstate", None) or getattr(driver, "sqlite_errorname", None)
        text += f" ({type(driver).__module__}.{type(driver).__name__}"
        text += f", {code})" if code else ")"
    statement = getattr(error, "statement", None)
    if isinstance(statement, str):
        text += f" in: {' '.join(statement.split())[:_STATEMENT_START]}"
    return text


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the exceptions that led to it, the first cause first."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return found[::-1]


def _message(record: logging.LogRecord) -> str:
    """The record's message, with every exception in it (``log.error(error)``, as libraries
    write, or an argument) named as ``describe`` names it."""
    args = record.args
    if isinstance(args, tuple) and any(isinstance(a, BaseException) for a in args):
        args = tuple(describe(a) if isinstance(a, BaseException) else a for a in args)
    if isinstance(record.msg, BaseException) or args is not record.args:
        plain = logging.makeLogRecord(record.__dict__)
        plain.msg = describe(record.msg) if isinstance(record.msg, BaseException) else record.msg
        plain.args = args
        return plain.getMessage()
    return record.getMessage()


def new_request_id() -> str:
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for name in _FIELDS[1:]:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

    def formatException(self, ei: object) -> str:
        """The traceback with every frame, each exception named as ``describe`` names it."""
        error = ei[1] if isinstance(ei, tuple) else None
        if not isinstance(error, BaseException):
            return ""
        parts = []
        for exception in _chain(error):
            frames = "".join(traceback.format_tb(exception.__traceback__))
            parts.append(f"Traceback (most recent call last):\n{frames}{_name(exception)}")
        return "\n\nwhich led to:\n\n".join(parts)


_plain_factory = logging.getLogRecordFactory()


def _stamped(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _plain_factory(*args, **kwargs)
    if not hasattr(record, "request_id"):
        record.request_id = REQUEST_ID.get()
    return record


def stamp_request_ids() -> None:
    """Every log record made during a request carries its id (whichever handler writes it)."""
    logging.setLogRecordFactory(_stamped)


class _StandardError(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a line is logged, as logging's last-resort
    handler does, not to the stream it was when logging was configured: a command run
    in-process (as the tests run them) may have had its standard error replaced and closed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    handler = _StandardError()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
