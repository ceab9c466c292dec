"""``ciao-gateway``: serve the gateway, migrate its database, manage its accounts.

Errors are printed as one line naming the problem and what to do, never as a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.config import Settings
from gateway.services import accounts
from gateway.services.errors import ServiceError
from gateway.services.passwords import SecretKey
from storage import migrate
from storage.database import create_database_engine, transaction

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 (the printed demo account of `make run`)
DEMO_COMPANY = "0403170701"


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


def _ensure_demo_account(settings: Settings) -> None:
    engine = _migrated_engine(settings)
    key = SecretKey.load_or_create(settings.secret_key_file)
    with transaction(engine) as connection:
        known = {account.username for account in accounts.listing(connection)}
        if DEMO_USERNAME in known:
            accounts.reset_password(connection, key, DEMO_USERNAME, DEMO_PASSWORD)
            accounts.set_disabled(connection, DEMO_USERNAME, False)
        else:
            accounts.add(connection, key, DEMO_USERNAME, DEMO_PASSWORD, DEMO_COMPANY, "EMPLOYER")
    engine.dispose()


def cmd_serve(args: argparse.Namespace) -> None:
    from gateway.server import serve

    settings = _settings(args)
    if args.demo:
        _ensure_demo_account(settings)
    else:
        _migrated_engine(settings).dispose()
    url = f"http://{args.host}:{args.port}/PresenceRegistration/v1"
    print(f"CIaO gateway: WSDL at {url}?wsdl (database {settings.database_url})", flush=True)
    if args.demo:
        print(
            f"demo account: username {DEMO_USERNAME}, password {DEMO_PASSWORD}, "
            f"enterprise {DEMO_COMPANY} (EMPLOYER)",
            flush=True,
        )
    serve(settings, args.host, args.port, args.workers)


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
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument(
        "--demo", action="store_true", help="create or reset the demo account and print it"
    )
    database_option(serve)
    serve.set_defaults(handler=cmd_serve)

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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except (CliError, ServiceError) as error:
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
