"""``ciao-gateway``: serve the gateway, migrate its database, manage its accounts, move data
in and out. This module holds the command line; each command lives in the module of its kind
(``serving``, ``data``, ``users``).

Errors are printed as one line naming the problem and what to do, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from gateway import imports, logs
from gateway.cli.common import CliError
from gateway.cli.data import cmd_export, cmd_import, cmd_qr
from gateway.cli.serving import (
    SERVED_CHECK_NICENESS,
    cmd_migrate,
    cmd_serve,
    cmd_worker,
)
from gateway.cli.users import cmd_make_certificate, cmd_users
from gateway.services.checking import IDLE_SECONDS
from gateway.services.errors import ServiceError
from storage import migrate


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
        "--demo",
        action="store_true",
        help="create or reset the demo accounts and print them; into a database without "
        "reference data, also load the demo data set (registries and yesterday's registrations)",
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
        "--idle-seconds",
        type=float,
        default=IDLE_SECONDS,
        help="longest wait of an idle worker before it looks at the queue again (PostgreSQL "
        "wakes it sooner when days are queued)",
    )
    worker.add_argument(
        "--nice",
        type=int,
        default=0,
        metavar="N",
        help="lower the whole worker's CPU priority by N",
    )
    worker.add_argument(
        "--check-nice",
        type=int,
        default=0,
        metavar="N",
        help="run the checks on a thread whose CPU priority is N lower, while the worker's "
        "short writes keep its priority (serve starts its check workers with "
        f"{SERVED_CHECK_NICENESS}, so that requests come first)",
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
    certificate = actions.add_parser(
        "add-certificate",
        help="register an X.509 certificate (PEM or DER) whose signed messages authenticate "
        "an account, or a token service's, whose SAML assertions are trusted",
    )
    owner = certificate.add_mutually_exclusive_group(required=True)
    owner.add_argument("--username", help="the account the certificate authenticates")
    owner.add_argument(
        "--token-service", action="store_true", help="a token service's signing certificate"
    )
    certificate.add_argument("--certificate", required=True, metavar="FILE")
    actions.add_parser("certificates", help="list the registered certificates")
    remove = actions.add_parser("remove-certificate", help="forget a registered certificate")
    remove.add_argument("--fingerprint", required=True, help="its SHA-256 fingerprint, hex")
    for sub in actions.choices.values():
        database_option(sub)
    users.set_defaults(handler=cmd_users)

    pair = commands.add_parser(
        "make-certificate",
        help="make a self-signed certificate and its key (PEM) for development and tests",
    )
    pair.add_argument("--common-name", required=True, help="the certificate's subject CN")
    pair.add_argument("--certificate", required=True, metavar="FILE", help="file to write")
    pair.add_argument("--key", required=True, metavar="FILE", help="file to write (unencrypted)")
    pair.add_argument("--days", type=int, default=365, help="how long it is valid (default 365)")
    pair.set_defaults(handler=cmd_make_certificate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args.handler(args)
    except (CliError, ServiceError, imports.ImportFileError, migrate.MigrationRefused) as error:
        print(f"ciao-gateway: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file it was told to read or write
        print(f"ciao-gateway: error: {_file_problem(error)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(
            f"ciao-gateway: error: the database cannot be used ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}); check --database or CIAO_DATABASE_URL",
            file=sys.stderr,
        )
        return 1
    return 0


def _file_problem(error: OSError) -> str:
    """``/no/such/dir/out.csv: No such file or directory``."""
    if error.filename is None:
        return str(error)
    return f"{error.filename}: {error.strerror or error}"
