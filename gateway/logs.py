"""Structured logs: one JSON object per line, each carrying the id of the request it belongs
to. The same id is the ``Id`` (ticket) of any fault the request gets, and the X-Request-Id
header of its answer, so a caller's ticket leads straight to the log lines."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str | None] = ContextVar("ciao_request_id", default=None)
_FIELDS = ("request_id", "method", "path", "operation", "status", "duration_ms", "account")


def new_request_id() -> str:
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
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


_plain_factory = logging.getLogRecordFactory()


def _stamped(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _plain_factory(*args, **kwargs)
    if not hasattr(record, "request_id"):
        record.request_id = REQUEST_ID.get()
    return record


def stamp_request_ids() -> None:
    """Every log record made during a request carries its id (whichever handler writes it)."""
    logging.setLogRecordFactory(_stamped)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
