"""``ciao-gateway``: serve the gateway, migrate its database, manage its accounts.

Errors are printed as one line naming the problem and what to do, never as a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from gateway import demo, imports, logs, metrics
from gateway.config import Settings
from gateway.domain.consultation import ExportRequest
from gateway.domain.registration import StoredRegistration
from gateway.pages.qr import qr_code, registration_url
from gateway.services import accounts, export, reference, registrations
from gateway.services.checking import CheckWorker
from gateway.services.errors import ServiceError
from gateway.services.passwords import SecretKey
from gateway.xml.export import csv_lines, xml_lines
from storage import migrate
from storage import reference as reference_storage
from storage.database import create_database_engine, transaction

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 (the printed demo account of `make run`)
DEMO_COMPANY = "0403170701"
DEMO_OPERATOR = "demo-operator"
DEMO_OPERATOR_COMPANY = "0873909226"


_METRICS_PREFIX = "ciao-metrics-"


class CliError(Exception):
    pass


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return Settings.from_environment(database_url=getattr(args, "database", None))
    except ValueError as error:
        raise CliError(str(error)) from None


def _migrated_engine(settings: Settings) -> Engine:
    engine = create_database_engine(settings.database_url)
    migrate.upgrade(engine)
    return engine


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = _settings(args)
    _migrated_engine(settings)
    print(f"database at {settings.database_url} is at the newest schema")


def _ensure_demo(settings: Settings) -> None:
    """The demo accounts (reset to their printed passwords), and the demo data set the first
    time: reference registries and a day of registrations of the demo employer."""
    engine = _migrated_engine(settings)
    key = SecretKey.load_or_create(settings.secret_key_file)
    with transaction(engine) as connection:
        known = {account.username for account in accounts.listing(connection)}
        for username, company, role in (
            (DEMO_USERNAME, DEMO_COMPANY, "EMPLOYER"),
            (DEMO_OPERATOR, DEMO_OPERATOR_COMPANY, "OPERATOR"),
        ):
            if username in known:
                accounts.reset_password(connection, key, username, DEMO_PASSWORD)
                accounts.set_disabled(connection, username, False)
            else:
                accounts.add(connection, key, username, DEMO_PASSWORD, company, role)
        if not reference_storage.has_enterprises(connection):
            now = datetime.now(UTC)
            data = demo.reference_data(DEMO_COMPANY)
            reference.apply(connection, data, now)
            demo_account = next(
                a for a in accounts.listing(connection) if a.username == DEMO_USERNAME
            )
            batch = demo.registrations(data, demo.yesterday())
            registrations.register(connection, demo_account, batch, now, timedelta(minutes=5))
            print(
                f"demo data loaded: {data.size()} reference entries, {len(batch)} "
                "registrations of yesterday",
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
    settings = _settings(args)
    if args.demo:
        _ensure_demo(settings)
    else:
        _migrated_engine(settings).dispose()
    url = f"http://{args.host}:{args.port}"
    print(
        f"CIaO gateway: WSDL at {url}/PresenceRegistration/v1?wsdl "
        f"(database {settings.database_url})",
        flush=True,
    )
    print(f"operators: {url}/Administration/v1?wsdl; metrics: {url}/metrics", flush=True)
    print(f"management pages: {url}/manage; a site's page: {url}/r/WORKPLACE_ID", flush=True)
    if args.demo:
        print(
            f"demo accounts: {DEMO_USERNAME} / {DEMO_PASSWORD} (EMPLOYER, enterprise "
            f"{DEMO_COMPANY}); {DEMO_OPERATOR} / {DEMO_PASSWORD} (OPERATOR)",
            flush=True,
        )
    checkers = [
        subprocess.Popen(  # noqa: S603 (this interpreter, this module, our own URL)
            [sys.executable, "-m", "gateway.cli", "worker", "--database", settings.database_url]
        )
        for _ in range(args.check_workers)
    ]
    try:
        serve(settings, args.host, args.port, args.workers)
    finally:
        for checker in checkers:
            checker.terminate()
        for checker in checkers:
            checker.wait(timeout=30)
        if samples.parent == Path(tempfile.gettempdir()) and samples.name.startswith(
            _METRICS_PREFIX
        ):
            shutil.rmtree(samples, ignore_errors=True)


def cmd_import(args: argparse.Namespace) -> None:
    settings = _settings(args)
    path = Path(args.file)
    total = max(_count_lines(path) - 1, 0)
    with tqdm(total=total, unit="row", desc=f"checking {path.name}", file=sys.stderr) as bar:
        update = imports.read(args.kind, path, progress=lambda _: bar.update())
    engine = _migrated_engine(settings)
    with transaction(engine) as connection:
        queued = reference.apply(connection, update, datetime.now(UTC))
    print(
        f"imported {update.size()} {args.kind} from {path}; {queued} worker days queued "
        "for checking"
    )


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def cmd_export(args: argparse.Namespace) -> None:
    settings = _settings(args)
    wanted = ExportRequest(
        start=_date(args.start),
        end=_date(args.end),
        format=args.format.upper(),
        company_id=args.company,
        workplace_id=args.workplace,
    )
    engine = _migrated_engine(settings)
    rows = export.registrations(engine, None, wanted)
    output = Path(args.output or wanted.file_name)
    lines = csv_lines if wanted.format == "CSV" else xml_lines
    with tqdm(unit=" registrations", desc=f"exporting to {output}", file=sys.stderr) as bar:

        def counted() -> Iterator[StoredRegistration]:
            for row in rows:
                bar.update()
                yield row

        with output.open("wb") as handle:
            for chunk in lines(counted()):
                handle.write(chunk)
    print(f"exported {bar.n} registrations of {wanted.start} to {wanted.end} to {output}")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_worker(args: argparse.Namespace) -> None:
    settings = _settings(args)
    engine = _migrated_engine(settings)
    worker = CheckWorker(
        engine, batch_size=args.batch_size, lease=timedelta(seconds=args.lease_seconds)
    )
    if args.until_empty:
        total = 0
        while checked := worker.run_once():
            total += checked
            print(f"checked {total} worker days", file=sys.stderr, flush=True)
        return
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    logging.getLogger("ciao.checks").info("check worker %s started", worker.name)
    worker.run(stop, idle_seconds=args.idle_seconds)


def cmd_qr(args: argparse.Namespace) -> None:
    settings = _settings(args)
    engine = _migrated_engine(settings)
    with transaction(engine) as connection:
        known = reference_storage.declaration(connection, args.workplace_id) is not None
    if not known:
        raise CliError(
            f"there is no declaration of works {args.workplace_id} in {settings.database_url}; "
            "import it first (ciao-gateway import declarations FILE.csv)"
        )
    base = args.url or settings.public_url or "http://127.0.0.1:8000"
    kind = "png" if str(args.output or "").lower().endswith(".png") else "svg"
    output = Path(args.output or f"ciao-{args.workplace_id}.svg")
    output.write_bytes(qr_code(base, args.workplace_id, kind))
    print(f"{output}: QR code of {registration_url(base, args.workplace_id, scanned=True)}")


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("password: ")


def cmd_users(args: argparse.Namespace) -> None:
    settings = _settings(args)
    engine = _migrated_engine(settings)
    with transaction(engine) as connection:
        if args.action == "add":
            key = SecretKey.load_or_create(settings.secret_key_file)
            account = accounts.add(
                connection, key, args.username, _password(args), args.company, args.role
            )
            print(f"added {account.username} ({account.role}, enterprise {account.company_id})")
        elif args.action == "list":
            for account in accounts.listing(connection):
                state = "disabled" if account.disabled else "active"
                print(f"{account.username}\t{account.role}\t{account.company_id}\t{state}")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(connection, args.username, args.action == "disable")
            print(f"{args.action}d {args.username}")
        elif args.action == "reset-password":
            key = SecretKey.load_or_create(settings.secret_key_file)
            accounts.reset_password(connection, key, args.username, _password(args))
            print(f"password of {args.username} changed")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ciao-gateway",
        description="The CIaO registration gateway (SOAP 1.1, /PresenceRegistration/v1).",
        epilog="The database is CIAO_DATABASE_URL (default sqlite:///var/ciao.db) unless "
        "--database is given.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def database_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")

    serve = commands.add_parser("serve", help="run the gateway under gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.add_argument(
        "--check-workers",
        type=int,
        default=1,
        metavar="N",
        help="check worker processes started alongside (default 1; 0 when they run elsewhere)",
    )
    serve.add_argument(
        "--demo", action="store_true", help="create or reset the demo account and print it"
    )
    database_option(serve)
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run the checks of queued registrations")
    worker.add_argument("--batch-size", type=int, default=500, help="worker days per claim")
    worker.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        help="after this, a claim of a dead worker is taken over",
    )
    worker.add_argument(
        "--idle-seconds", type=float, default=0.5, help="wait between polls of an empty queue"
    )
    worker.add_argument(
        "--until-empty", action="store_true", help="check what is queued now, then stop"
    )
    database_option(worker)
    worker.set_defaults(handler=cmd_worker)

    importer = commands.add_parser(
        "import", help="load reference data from a CSV file (layouts: docs/reference-data.md)"
    )
    importer.add_argument("kind", choices=sorted(imports.LAYOUTS))
    importer.add_argument("file")
    database_option(importer)
    importer.set_defaults(handler=cmd_import)

    exporter = commands.add_parser(
        "export", help="export registrations of at most 100 days (operators: all enterprises)"
    )
    exporter.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    exporter.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    exporter.add_argument("--format", choices=["csv", "xml"], default="csv")
    exporter.add_argument("--company", help="only this employer's registrations")
    exporter.add_argument("--workplace", help="only this declaration of works")
    exporter.add_argument("--output", help="file to write (default presences-FROM-TO.csv)")
    database_option(exporter)
    exporter.set_defaults(handler=cmd_export)

    qr = commands.add_parser(
        "qr", help="write the QR code workers scan to register on a declaration of works"
    )
    qr.add_argument("workplace_id", metavar="WORKPLACE_ID", help="the declaration's number")
    qr.add_argument(
        "--url", help="the address workers reach the gateway at (default CIAO_PUBLIC_URL)"
    )
    qr.add_argument("--output", help="file to write, .svg or .png (default ciao-ID.svg)")
    database_option(qr)
    qr.set_defaults(handler=cmd_qr)

    migrate_parser = commands.add_parser("migrate", help="bring the database to the newest schema")
    database_option(migrate_parser)
    migrate_parser.set_defaults(handler=cmd_migrate)

    users = commands.add_parser("users", help="manage the accounts that may call the gateway")
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an account")
    add.add_argument("--username", required=True)
    add.add_argument("--password", help="read from standard input when omitted")
    add.add_argument("--company", required=True, metavar="NNNNNNNNNN", help="enterprise number")
    add.add_argument("--role", required=True, choices=["EMPLOYER", "OPERATOR"])
    actions.add_parser("list", help="list the accounts")
    for name, text in (("disable", "refuse every call of"), ("enable", "allow calls of")):
        sub = actions.add_parser(name, help=f"{text} an account")
        sub.add_argument("--username", required=True)
    reset = actions.add_parser("reset-password", help="set a new password")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password", help="read from standard input when omitted")
    for sub in actions.choices.values():
        database_option(sub)
    users.set_defaults(handler=cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args.handler(args)
    except (CliError, ServiceError, imports.ImportFileError) as error:
        print(f"ciao-gateway: error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"ciao-gateway: error: the database cannot be used ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}); check --database or CIAO_DATABASE_URL",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
