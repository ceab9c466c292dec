"""``ciao-client``: send registrations to a CIaO gateway and manage them (``DESCRIPTION`` is
what ``--help`` shows)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from tqdm import tqdm

from clients.client import GatewayClient, GatewayError, Unreachable
from clients.files import BatchFileError, problems, read_batch
from clients.outbox import Outbox, with_reference
from clients.signing import SigningFileError, X509Signature

DEFAULT_URL = "http://127.0.0.1:8000/PresenceRegistration/v1"
# One outbox per user wherever the command runs, so that `flush` finds what `submit` kept.
DEFAULT_OUTBOX = user_data_path("ciao-client") / "outbox.sqlite"
# Where earlier versions kept it: the current folder.
FORMER_OUTBOX = Path("ciao-outbox.sqlite")
DESCRIPTION = """send registrations to a CIaO gateway and manage them.

    ciao-client --url http://127.0.0.1:8000/PresenceRegistration/v1 \\
                --username demo --password demo-password submit batch.csv
    ciao-client --certificate me.pem --key me-key.pem submit batch.csv   # signed (X.509)

When the gateway cannot be reached, submit keeps the registrations in a local outbox
under the emergency procedure; flush sends them when it is back. validate checks a
batch file against the contract, every error with its line, before anything is sent.
"""
NOT_ALL_REGISTERED = 3
KEPT_IN_OUTBOX = 4


def _client(args: argparse.Namespace) -> GatewayClient:
    signature = None
    if args.certificate:
        signature = X509Signature.from_files(args.certificate, args.key)
    return GatewayClient(
        args.url.split("?")[0] + "?wsdl",
        args.username or "",
        args.password or "",
        signature=signature,
        timeout=args.timeout,
        attempts=args.attempts,
        backoff=args.backoff,
    )


def _describe(answer: Any) -> tuple[bool, str]:
    """Whether the gateway stored a registration, and its reference, id and status (or why
    it was refused) as one line of tab-separated columns."""
    stored = answer.PresenceRegistration
    if stored is not None:
        submitted = stored.PresenceRegistrationSubmitted
        reference = submitted.ClientPresenceRegistrationReference or "-"
        return True, (
            f"{reference}\tid {stored.PresenceRegistrationId}\t{stored.LastValidation.Status}"
        )
    refused = answer.PresenceRegistrationError
    reference = refused.PresenceRegistrationSubmitted.ClientPresenceRegistrationReference or "-"
    reasons = "; ".join(f"{e.ErrorCode}: {e.ErrorDescription}" for e in refused.ErrorList.Error)
    return False, f"{reference}\tREFUSED\t{reasons}"


def _send(
    client: GatewayClient, labelled: Sequence[tuple[str, dict[str, Any]]], outbox: Outbox | None
) -> tuple[int, int]:
    """Send 200 at a time, printing a line each; returns (registered, refused). The part not
    yet acknowledged when the gateway becomes unreachable goes to ``outbox``."""
    registered = refused = 0
    total = len(labelled)
    # A progress bar only on a terminal: in a log or a pipe it would be fragments of one.
    with tqdm(
        total=total, unit=" registrations", desc="sending", file=sys.stderr, disable=None
    ) as bar:
        for start in range(0, total, 200):
            part = labelled[start : start + 200]
            try:
                answers = client.register([values for _, values in part])
            except Unreachable:
                if outbox is None:
                    raise
                _keep(outbox, [values for _, values in labelled[start:]])
                break
            for (label, _), answer in zip(part, answers, strict=True):
                ok, text = _describe(answer)
                registered += ok
                refused += not ok
                bar.write(f"{label}\t{text}", file=sys.stdout)
            bar.update(len(part))
    return registered, refused


def _keep(outbox: Outbox, registrations: Sequence[dict[str, Any]]) -> None:
    waiting = outbox.keep(registrations)
    print(
        f"ciao-client: the gateway cannot be reached: {len(registrations)} registrations kept "
        f"in {outbox.path} under the emergency procedure ({waiting} waiting); run "
        "'ciao-client flush' when it is back",
        file=sys.stderr,
    )


def cmd_submit(args: argparse.Namespace) -> int:
    registrations = read_batch(Path(args.file))
    labelled = [(f"line {r.line}", with_reference(r.values)) for r in registrations]
    outbox = Outbox(Path(args.outbox))
    try:
        client = _client(args)
    except Unreachable:
        _keep(outbox, [values for _, values in labelled])
        return KEPT_IN_OUTBOX
    registered, refused = _send(client, labelled, outbox)
    print(
        f"{len(labelled)} registrations: {registered} registered, {refused} refused, "
        f"{len(labelled) - registered - refused} kept in the outbox"
    )
    if registered + refused < len(labelled):
        return KEPT_IN_OUTBOX
    return 0 if refused == 0 else NOT_ALL_REGISTERED


def _former_outbox_notice(outbox: Path) -> None:
    """Registrations an earlier version kept in the current folder are not forgotten."""
    if not FORMER_OUTBOX.is_file() or FORMER_OUTBOX.resolve() == outbox.resolve():
        return
    former = Outbox(FORMER_OUTBOX)
    waiting = former.count()
    former.close()
    if waiting:
        print(
            f"ciao-client: {FORMER_OUTBOX.absolute()}, the outbox of an earlier ciao-client, "
            f"holds {waiting} registrations; send them with "
            f"'ciao-client --outbox {FORMER_OUTBOX} flush'",
            file=sys.stderr,
        )


def cmd_flush(args: argparse.Namespace) -> int:
    _former_outbox_notice(Path(args.outbox))
    outbox = Outbox(Path(args.outbox))
    if outbox.count() == 0:
        print("the outbox is empty")
        return 0
    client = _client(args)
    sent = 0
    while batch := outbox.waiting(200):
        answers = client.register([values for _, values in batch])
        for answer in answers:
            print(_describe(answer)[1])
        outbox.remove([row_id for row_id, _ in batch])  # only once the gateway has answered
        sent += len(batch)
    print(f"{sent} registrations sent from {outbox.path}; the outbox is empty")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    found = problems(Path(args.file))
    for problem in found:
        print(problem)
    if found:
        errors = f"{len(found)} error" + ("s" if len(found) > 1 else "")
        print(f"ciao-client: {args.file}: {errors}; nothing was sent", file=sys.stderr)
        return 2
    print(f"{args.file}: every registration follows the contract")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    found = _client(args).get(args.id)
    remarks = found.LastValidation.RemarkList
    codes = ", ".join(r.RemarkCode for r in (remarks.Remark if remarks else [])) or "no remarks"
    print(f"id {found.PresenceRegistrationId}\t{found.LastValidation.Status}\t{codes}")
    return 0


def _line(found: Any) -> str:
    submitted = found.PresenceRegistrationSubmitted
    remarks = found.LastValidation.RemarkList
    codes = ",".join(r.RemarkCode for r in (remarks.Remark if remarks else [])) or "-"
    worker = submitted.INSS or submitted.LimosaId
    return (
        f"{found.PresenceRegistrationId}\t{submitted.RegistrationDateTime.isoformat()}\t"
        f"{submitted.RegistrationType}\t{worker}\t{submitted.CompanyID or '-'}\t"
        f"{submitted.WorkPlaceId}\t{found.LastValidation.Status}\t{codes}"
    )


def cmd_search(args: argparse.Namespace) -> int:
    criteria: dict[str, Any] = {}
    for option, name in (("inss", "INSS"), ("company", "CompanyID"), ("workplace", "WorkPlaceId")):
        if getattr(args, option):
            criteria[name] = getattr(args, option)
    if args.status:
        criteria["StatusList"] = {"Status": args.status}
    if getattr(args, "remark", None):
        criteria["RemarkList"] = {"Remark": args.remark}
    answer = _client(args).search(
        args.start, args.end, first_row=args.first_row, fetch_size=args.fetch_size, **criteria
    )
    for found in answer.PresenceRegistration:
        print(_line(found))
    print(
        f"{len(answer.PresenceRegistration)} of {answer.PresenceRegistrationResultCount} "
        "registrations",
        file=sys.stderr,
    )
    return 0


def cmd_remarks(args: argparse.Namespace) -> int:
    args.status, args.inss, args.company, args.workplace = ["FAILED"], None, None, None
    return cmd_search(args)


def cmd_cancel(args: argparse.Namespace) -> int:
    failed = 0
    for registration_id, answer in zip(
        args.ids, _client(args).cancel(args.ids, args.reason), strict=True
    ):
        if answer.PresenceRegistration is not None:
            print(f"{registration_id}\tSUCCESSFULLY CANCELLED")
        else:
            error = answer.CancelPresenceError.ErrorList.Error[0]
            print(f"{registration_id}\tNOT CANCELLED\t{error.ErrorCode}: {error.ErrorDescription}")
            failed += 1
    return 0 if failed == 0 else NOT_ALL_REGISTERED


def cmd_correct(args: argparse.Namespace) -> int:
    answer = _client(args).correct(args.id, args.type, args.value, args.motivation)
    print(f"correction request {answer.CorrectionRequestId}\t{answer.Status}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    answer = _client(args).export(args.start, args.end, args.format.upper())
    # The gateway's FileName, in the current folder: a name, never a path elsewhere.
    output = Path(args.output or Path(answer.FileName).name)
    output.write_bytes(answer.Content)
    print(f"exported to {output} ({len(answer.Content)} bytes)")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ciao-client",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ
    parser.add_argument(
        "--url",
        default=env.get("CIAO_URL", DEFAULT_URL),
        help="service address (env CIAO_URL; default %(default)s)",
    )
    parser.add_argument(
        "--username", default=env.get("CIAO_USERNAME"), help="account (env CIAO_USERNAME)"
    )
    parser.add_argument(
        "--password", default=env.get("CIAO_PASSWORD"), help="password (env CIAO_PASSWORD)"
    )
    parser.add_argument(
        "--certificate",
        default=env.get("CIAO_CERTIFICATE"),
        metavar="PEM",
        help="sign every request with this X.509 certificate instead of a password "
        "(env CIAO_CERTIFICATE)",
    )
    parser.add_argument(
        "--key",
        default=env.get("CIAO_KEY"),
        metavar="PEM",
        help="the certificate's private key, unencrypted (env CIAO_KEY)",
    )
    parser.add_argument(
        "--outbox",
        default=env.get("CIAO_OUTBOX", str(DEFAULT_OUTBOX)),
        help="emergency outbox file (env CIAO_OUTBOX; default %(default)s)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    parser.add_argument(
        "--attempts",
        type=int,
        default=4,
        help="tries of a call that meets a SystemError or no gateway",
    )
    parser.add_argument(
        "--backoff", type=float, default=0.5, help="seconds before the first retry (doubling)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, handler: Any, text: str, account: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler, account=account)
        return sub

    command("submit", cmd_submit, "send the registrations of a CSV or XML file").add_argument(
        "file", help="a .csv or .xml batch file (columns: clients/files.py)"
    )
    command(
        "validate",
        cmd_validate,
        "check a CSV or XML batch file against the contract, sending nothing",
        account=False,
    ).add_argument("file", help="a .csv or .xml batch file (columns: clients/files.py)")
    command("flush", cmd_flush, "send what the outbox keeps from an outage")
    command("status", cmd_status, "show one registration by id").add_argument("id", type=int)
    for name, handler, text in (
        ("search", cmd_search, "list the registrations you may see of a period"),
        ("remarks", cmd_remarks, "list the registrations with remarks of a period"),
    ):
        sub = command(name, handler, text)
        sub.add_argument("--from", dest="start", type=_day, required=True)
        sub.add_argument("--to", dest="end", type=_day, required=True)
        sub.add_argument("--first-row", type=int, default=0)
        sub.add_argument("--fetch-size", type=int, default=500)
        if name == "search":
            sub.add_argument("--inss")
            sub.add_argument("--company")
            sub.add_argument("--workplace")
            sub.add_argument(
                "--status",
                action="append",
                choices=[
                    "SUCCESSFULLY REGISTERED",
                    "VALIDATED",
                    "FAILED",
                    "SUCCESSFULLY CANCELLED",
                ],
            )
        sub.add_argument("--remark", action="append", help="a remark code (docs/remarks.md)")
    cancel = command("cancel", cmd_cancel, "cancel registrations by id")
    cancel.add_argument("ids", type=int, nargs="+")
    cancel.add_argument("--reason", required=True, help="HOLIDAY, DISEASE, PLANNING, C32A, OTHER")
    correct = command("correct", cmd_correct, "ask the RSZ to correct a registration")
    correct.add_argument("id", type=int)
    correct.add_argument(
        "--type",
        required=True,
        choices=["WRONG_COMPANY_ID", "WRONG_WORKPLACE_ID", "MISSING_WORKPLACE_ID"],
    )
    correct.add_argument("--value", required=True, help="the right number")
    correct.add_argument("--motivation", required=True)
    export = command("export", cmd_export, "export at most 100 days as CSV or XML")
    export.add_argument("--from", dest="start", type=_day, required=True)
    export.add_argument("--to", dest="end", type=_day, required=True)
    export.add_argument("--format", choices=["csv", "xml"], default="csv")
    export.add_argument("--output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.certificate) != bool(args.key):
        parser.error("--certificate and --key go together")
    if args.account and not args.certificate and not (args.username and args.password):
        parser.error(
            "--username and --password (or CIAO_USERNAME and CIAO_PASSWORD), or --certificate "
            "and --key, are needed"
        )
    try:
        return int(args.handler(args))
    except (BatchFileError, SigningFileError) as error:
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
    except OSError as error:  # a file it was told to write
        where = f"{error.filename}: " if error.filename is not None else ""
        print(f"ciao-client: error: {where}{error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
