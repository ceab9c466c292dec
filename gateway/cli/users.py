"""``users``: the accounts that may call the gateway and log in to its pages."""

from __future__ import annotations

import argparse
import getpass
import sys

from gateway.cli.common import migrated_engine, settings_of
from gateway.services import accounts
from gateway.services.passwords import SecretKey
from storage.database import transaction


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("password: ")


def cmd_users(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    engine = migrated_engine(settings)
    if args.action == "add":
        # The key is refused, before anything is stored, unless it is the accounts' key.
        key = accounts.secret_key(engine, settings.secret_key_file)
        with transaction(engine) as connection:
            account = accounts.add(
                connection, key, args.username, _password(args), args.company, args.role
            )
        print(f"added {account.username} ({account.role}, enterprise {account.company_id})")
        return
    with transaction(engine) as connection:
        if args.action == "list":
            for account in accounts.listing(connection):
                state = "disabled" if account.disabled else "active"
                print(f"{account.username}\t{account.role}\t{account.company_id}\t{state}")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(connection, args.username, args.action == "disable")
            print(f"{args.action}d {args.username}")
        elif args.action == "reset-password":
            # Any key: with a new key, new passwords are how accounts of a lost one recover.
            key = SecretKey.load_or_create(settings.secret_key_file)
            accounts.reset_password(connection, key, args.username, _password(args))
            print(f"password of {args.username} changed")
