"""``users``: the accounts that may call the gateway and log in to its pages."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from gateway.cli.common import CliError, migrated_engine, settings_of
from gateway.services import accounts, certificates
from gateway.services.passwords import SecretKey


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
        account = accounts.add_in(
            engine, key, args.username, _password(args), args.company, args.role
        )
        print(f"added {account.username} ({account.role}, enterprise {account.company_id})")
        return
    if args.action == "list":
        for account in accounts.listing_in(engine):
            state = "disabled" if account.disabled else "active"
            print(f"{account.username}\t{account.role}\t{account.company_id}\t{state}")
    elif args.action in ("disable", "enable"):
        accounts.set_disabled_in(engine, args.username, args.action == "disable")
        print(f"{args.action}d {args.username}")
    elif args.action == "reset-password":
        # Any key: with a new key, new passwords are how accounts of a lost one recover.
        key = SecretKey.load_or_create(settings.secret_key_file)
        accounts.reset_password_in(engine, key, args.username, _password(args))
        print(f"password of {args.username} changed")
    elif args.action == "add-certificate":
        data = Path(args.certificate).read_bytes()
        try:
            entry = certificates.add_in(engine, data, args.username)
        except certificates.InvalidCertificate as error:
            raise CliError(f"{args.certificate}: {error}") from None
        owner = "a token service" if entry.username is None else entry.username
        print(f"registered {entry.subject} (SHA-256 {entry.fingerprint}) to {owner}")
    elif args.action == "certificates":
        for entry in certificates.listing_in(engine):
            print(
                f"{entry.username or '(token service)'}\t{entry.subject}\t"
                f"{entry.not_before:%Y-%m-%d}..{entry.not_after:%Y-%m-%d}\t{entry.fingerprint}"
            )
    elif args.action == "remove-certificate":
        certificates.remove_in(engine, args.fingerprint)
        print(f"removed {args.fingerprint}")


def cmd_make_certificate(args: argparse.Namespace) -> None:
    certificate, key = certificates.make_pair(args.common_name, args.days)
    Path(args.certificate).write_bytes(certificate)
    descriptor = os.open(args.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    print(f"wrote {args.certificate} and {args.key} (CN={args.common_name}, {args.days} days)")
