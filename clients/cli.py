"""``ciao-client``: send registrations to a CIaO gateway and read them back.

    ciao-client --url http://127.0.0.1:8000/PresenceRegistration/v1 \\
                --username demo --password demo-password submit batch.csv
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clients.client import GatewayClient, GatewayError, Unreachable
from clients.files import BatchFileError, read_batch

DEFAULT_URL = "http://127.0.0.1:8000/PresenceRegistration/v1"


def _client(args: argparse.Namespace) -> GatewayClient:
    return GatewayClient(
        args.url.split("?")[0] + "?wsdl", args.username, args.password, timeout=args.timeout
    )


def _describe(line: int, answer: Any) -> tuple[bool, str]:
    stored = answer.PresenceRegistration
    if stored is not None:
        submitted = stored.PresenceRegistrationSubmitted
        reference = submitted.ClientPresenceRegistrationReference or "-"
        return True, (
            f"line {line}\t{reference}\tid {stored.PresenceRegistrationId}\t"
            f"{stored.LastValidation.Status}"
        )
    refused = answer.PresenceRegistrationError
    reference = refused.PresenceRegistrationSubmitted.ClientPresenceRegistrationReference or "-"
    reasons = "; ".join(f"{e.ErrorCode}: {e.ErrorDescription}" for e in refused.ErrorList.Error)
    return False, f"line {line}\t{reference}\tREFUSED\t{reasons}"


def cmd_submit(args: argparse.Namespace) -> int:
    registrations = read_batch(Path(args.file))
    client = _client(args)
    total = len(registrations)
    registered = refused = 0
    for start in range(0, total, 200):
        part = registrations[start : start + 200]
        answers = client.register([r.values for r in part])
        for registration, answer in zip(part, answers, strict=True):
            ok, text = _describe(registration.line, answer)
            registered += ok
            refused += not ok
            print(text)
        print(f"sent {min(start + 200, total)}/{total}", file=sys.stderr, flush=True)
    print(f"{total} registrations: {registered} registered, {refused} refused")
    return 0 if refused == 0 else 3


def cmd_status(args: argparse.Namespace) -> int:
    found = _client(args).get(args.id)
    remarks = found.LastValidation.RemarkList
    codes = ", ".join(r.RemarkCode for r in (remarks.Remark if remarks else [])) or "no remarks"
    print(f"id {found.PresenceRegistrationId}\t{found.LastValidation.Status}\t{codes}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ciao-client", description="Send registrations to a CIaO gateway."
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("CIAO_URL", DEFAULT_URL),
        help="service address (env CIAO_URL; default %(default)s)",
    )
    parser.add_argument(
        "--username", default=os.environ.get("CIAO_USERNAME"), help="account (env CIAO_USERNAME)"
    )
    parser.add_argument(
        "--password", default=os.environ.get("CIAO_PASSWORD"), help="password (env CIAO_PASSWORD)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    submit = commands.add_parser("submit", help="send the registrations of a CSV or XML file")
    submit.add_argument("file", help="a .csv or .xml batch file (see clients/files.py)")
    submit.set_defaults(handler=cmd_submit)
    status = commands.add_parser("status", help="show one registration by id")
    status.add_argument("id", type=int)
    status.set_defaults(handler=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.username or not args.password:
        parser.error("--username and --password (or CIAO_USERNAME and CIAO_PASSWORD) are needed")
    try:
        return int(args.handler(args))
    except BatchFileError as error:
        print(f"ciao-client: error: {error}", file=sys.stderr)
        return 2
    except Unreachable as error:
        print(f"ciao-client: error: {error}; check --url, or try again later", file=sys.stderr)
        return 1
    except GatewayError as error:
        print(
            f"ciao-client: the gateway refused the request: {error} (ticket {error.ticket})",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
