"""``serve`` (gunicorn and check workers), ``worker`` and ``migrate``."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway import demo, metrics
from gateway.cli.common import migrated_engine, settings_of
from gateway.config import Settings
from gateway.services import accounts
from gateway.services import demo as demo_set_up
from gateway.services.checking import CheckWorker
from gateway.services.passwords import SecretKey

# How much lower than the gunicorn workers' the CPU priority of the checks is in the check
# workers that serve starts: checks run afterwards by design, so under load the requests come
# first and the checks catch up when it eases. Their short write transactions keep the
# requests' priority, so that none waits for the write lock of a worker that waits for a core
# (docs/operations.md, docs/performance.md).
SERVED_CHECK_NICENESS = 19

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 (the printed demo account of `make run`)
DEMO_COMPANY = "0403170701"
DEMO_OPERATOR = "demo-operator"
DEMO_OPERATOR_COMPANY = "0873909226"


_METRICS_PREFIX = "ciao-metrics-"


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    migrated_engine(settings)
    print(f"database at {settings.database_url} is at the newest schema")


def _ensure_demo(settings: Settings) -> None:
    """The demo accounts (reset to their printed passwords), and the demo data set the first
    time: reference registries and a day of registrations of the demo employer."""
    engine = migrated_engine(settings)
    key = SecretKey.load_or_create(settings.secret_key_file)
    demo_set_up.ensure_accounts(
        engine,
        key,
        DEMO_PASSWORD,
        (
            (DEMO_USERNAME, DEMO_COMPANY, "EMPLOYER"),
            (DEMO_OPERATOR, DEMO_OPERATOR_COMPANY, "OPERATOR"),
        ),
    )
    # Once the demo accounts have their passwords again, the key must suit every other one.
    accounts.secret_key(engine, settings.secret_key_file)
    data = demo.reference_data(DEMO_COMPANY)
    batch = demo.registrations(data, demo.yesterday())
    days = demo.presences(data, demo.today())
    if demo_set_up.load_once(engine, DEMO_USERNAME, data, batch, days, datetime.now(UTC)):
        print(
            f"demo data loaded: {data.size()} reference entries, {len(batch)} "
            f"registrations of yesterday, {len(days)} Checkin@Work presences of today",
            flush=True,
        )
    engine.dispose()


def _shared_metrics_folder(args: argparse.Namespace) -> Path:
    """The folder where every process of this gateway keeps its metric samples. The choice
    is made when prometheus_client is imported, so without the variable set the command
    starts itself again with it."""
    folder = os.environ.get(metrics.MULTIPROCESS_DIR)
    if not folder:
        os.environ[metrics.MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix=_METRICS_PREFIX)
        os.execv(sys.executable, [sys.executable, "-m", "gateway.cli", *args.argv])  # noqa: S606
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # samples of an earlier run
        stale.unlink()
    return path


def cmd_serve(args: argparse.Namespace) -> None:
    from gateway.server import serve

    samples = _shared_metrics_folder(args)
    settings = settings_of(args)
    if args.demo:
        _ensure_demo(settings)
    else:
        engine = migrated_engine(settings)
        accounts.secret_key(engine, settings.secret_key_file)  # refused here, not per worker
        engine.dispose()
    url = f"http://{args.host}:{args.port}"
    print(
        f"CIaO gateway: WSDL at {url}/PresenceRegistration/v1?wsdl "
        f"(database {settings.database_url})",
        flush=True,
    )
    print(f"operators: {url}/Administration/v1?wsdl; metrics: {url}/metrics", flush=True)
    print(f"Checkin@Work (v1.11): {url}/checkinatwork/PresenceRegistration/v1?wsdl", flush=True)
    print(f"management pages: {url}/manage; a site's page: {url}/r/WORKPLACE_ID", flush=True)
    if args.demo:
        print(
            f"demo accounts: {DEMO_USERNAME} / {DEMO_PASSWORD} (EMPLOYER, enterprise "
            f"{DEMO_COMPANY}); {DEMO_OPERATOR} / {DEMO_PASSWORD} (OPERATOR)",
            flush=True,
        )
        site = demo.site_of(demo.reference_data(DEMO_COMPANY), DEMO_COMPANY, demo.yesterday())
        print(f"a demo site's registration page: {url}/r/{site}", flush=True)
    check_worker = [
        sys.executable,
        "-m",
        "gateway.cli",
        "worker",
        "--database",
        settings.database_url,
        "--check-nice",
        str(SERVED_CHECK_NICENESS),
    ]
    try:
        serve(settings, args.host, args.port, args.workers, check_worker, args.check_workers)
    finally:
        if samples.parent == Path(tempfile.gettempdir()) and samples.name.startswith(
            _METRICS_PREFIX
        ):
            shutil.rmtree(samples, ignore_errors=True)


def cmd_worker(args: argparse.Namespace) -> None:
    if args.nice:
        os.nice(args.nice)
    settings = settings_of(args)
    engine = migrated_engine(settings)
    worker = CheckWorker(
        engine,
        batch_size=args.batch_size,
        lease=timedelta(seconds=args.lease_seconds),
        check_niceness=args.check_nice,
    )
    if args.until_empty:
        total = 0
        try:
            while checked := worker.run_once():
                total += checked
                print(f"checked {total} worker days", file=sys.stderr, flush=True)
        finally:
            worker.close()
        return
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    logging.getLogger("ciao.checks").info("check worker %s started", worker.name)
    worker.run(stop, idle_seconds=args.idle_seconds)
