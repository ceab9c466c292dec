"""Prometheus metrics of the gateway, served at ``GET /metrics`` (prometheus_client).

Under gunicorn every worker process, and every check worker that ``ciao-gateway serve``
starts, writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (which ``serve`` sets
before anything imports prometheus_client), and whichever worker answers a scrape adds them
all up. The depth of the check queue is read from the database at scrape time, so it is the
same for every host of one database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, event

from gateway.supervision import CheckWorkerStatus
from storage import queue
from storage.database import reading

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "ciao_http_requests", "HTTP requests answered, by path and status code.", ["path", "status"]
)
REQUEST_SECONDS = Histogram(
    "ciao_http_request_duration_seconds",
    "Time to answer an HTTP request, by path.",
    ["path"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
)
FAULTS = Counter("ciao_soap_faults", "SOAP faults sent, by fault code.", ["code"])
REGISTRATIONS_STORED = Counter(
    "ciao_registrations_stored", "Registrations committed to the database (repeats not counted)."
)
CHECK_LATENCY = Histogram(
    "ciao_check_latency_seconds",
    "From a worker day becoming due for checking to its outcome being stored.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)

_PENDING = "ciao_registrations_pending"


def count_when_committed(connection: Connection, stored: int) -> None:
    """Count ``stored`` registrations once the transaction of ``connection`` commits; nothing
    is counted for a transaction that rolls back."""
    connection.info[_PENDING] = connection.info.get(_PENDING, 0) + stored


def _committed(connection: Connection) -> None:
    stored = connection.info.pop(_PENDING, 0)
    if stored:
        REGISTRATIONS_STORED.inc(stored)


def _rolled_back(connection: Connection) -> None:
    connection.info.pop(_PENDING, None)


def watch_commits(engine: Engine) -> None:
    """Make ``count_when_committed`` count on ``engine`` (once, however often it is called)."""
    if not event.contains(engine, "commit", _committed):
        event.listen(engine, "commit", _committed)
        event.listen(engine, "rollback", _rolled_back)


def observe_checks(due_since: list[datetime], now: datetime) -> None:
    """One sample per worker day checked at ``now``, due since each of ``due_since``."""
    for moment in due_since:
        CHECK_LATENCY.observe(max((now - moment).total_seconds(), 0.0))


class CheckQueueCollector(Collector):
    """The check queue's depth, read from the database when scraped."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC).replace(tzinfo=None)
        # Only the queue is read: a scrape neither merges staged registrations nor waits.
        with reading(self._engine, registrations=False) as connection:
            due, later = queue.depth(connection, now)
        gauge = GaugeMetricFamily(
            "ciao_check_queue_days",
            "Worker days in the check queue: due now, or waiting for a later check.",
            labels=["state"],
        )
        gauge.add_metric(["due"], due)
        gauge.add_metric(["later"], later)
        yield gauge


class CheckWorkerCollector(Collector):
    """The check workers ``serve`` runs beside gunicorn, as its master last saw them."""

    def __init__(self, status: CheckWorkerStatus) -> None:
        self._status = status

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "ciao_check_workers_running",
            "Check workers that serve runs beside gunicorn and that are running now.",
            value=self._status.running,
        )
        yield CounterMetricFamily(
            "ciao_check_worker_restarts",
            "Check workers that serve started again after one exited.",
            value=self._status.restarts,
        )


def exposition(engine: Engine, check_workers: CheckWorkerStatus | None = None) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type."""
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:  # this process's own metrics, when it is the only one (development, tests)
        registry.register(REGISTRY)
    registry.register(CheckQueueCollector(engine))
    if check_workers is not None:
        registry.register(CheckWorkerCollector(check_workers))
    return generate_latest(registry), CONTENT_TYPE_LATEST
