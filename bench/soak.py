"""The soak run: gunicorn with 2 workers and a check worker on loopback, fed a steady rate of
requests for a bounded time: single registrations, and every 20th request a batch of 200.
Every registration is new, with its own client reference, and every worker has an ordinary
day of four (start, break, end of break, end). Every window it prints the requests, errors,
latency percentiles and the memory of every process, so that a leak or a slow drift shows;
the whole run goes to bench/soak.json.

    python -m bench.soak [--minutes 5] [--rate 100] [--window 30] [--batch-every 20]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.common import say, soap_request
from bench.http_load import PATH, rss_kib, running_gateway
from gateway.demo import national_number

RESULTS = Path(__file__).parent / "soak.json"
CLIENTS = 4
GRACE = 0.5  # seconds after a window for the answers to its last requests


KINDS = ("CHECK_IN", "BREAK_START", "BREAK_END", "CHECK_OUT")


def registration(index: int, reference: str) -> str:
    """Registration ``index`` of the run: worker ``index // 4``, its event ``index % 4``."""
    worker, event = divmod(index, 4)
    inss = national_number(
        date(1960, 1, 1) + timedelta(days=worker % 20000), 1 + (worker // 20000) % 997
    )
    return (
        f"<PresenceRegistrationRequest><INSS>{inss}</INSS><CompanyID>0403170701</CompanyID>"
        f"<WorkPlaceId>DW2026{worker % 97:06d}</WorkPlaceId><RegistrationType>{KINDS[event]}"
        f"</RegistrationType><RegistrationDateTime>2026-11-27T{6 + 3 * event:02d}:00:00+01:00"
        "</RegistrationDateTime><RegistrationMeans>BADGE</RegistrationMeans>"
        f"<ClientPresenceRegistrationReference>{reference}</ClientPresenceRegistrationReference>"
        "</PresenceRegistrationRequest>"
    )


def body(references: list[str], first: int) -> bytes:
    """A registerPresences of one registration per reference, from registration ``first``."""
    return soap_request("".join(registration(first + i, r) for i, r in enumerate(references)))


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)  # single registrations
    batch_latencies: list[float] = field(default_factory=list)  # batches of 200
    errors: int = 0


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[int(share * (len(sorted_values) - 1))] * 1000


def sender(
    port: int,
    client: int,
    interval: float,
    start: float,
    end: float,
    windows: dict[int, Window],
    window_seconds: float,
    lock: threading.Lock,
    batch_every: int,
) -> None:
    """One client at a steady pace: request n leaves at start + n * interval (if it is late,
    it leaves at once and the next keeps to the schedule); every ``batch_every``-th is a batch
    of 200 registrations, the others hold one. Bounded by ``end``."""
    prefix = f"s{uuid.uuid4().hex[:6]}{client}"
    index = client * 10**8  # each client's own registrations
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = 0
    while (due := start + number * interval) < end:
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        batch = batch_every > 0 and number % batch_every == batch_every - 1
        references = [f"{prefix}-{number}-{i}" for i in range(200 if batch else 1)]
        sent = time.monotonic()
        ok = False
        try:
            connection.request(
                "POST",
                PATH,
                body=body(references, index),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        took = time.monotonic() - sent
        index += len(references)
        with lock:
            window = windows.setdefault(int((sent - start) // window_seconds), Window())
            if ok:
                (window.batch_latencies if batch else window.latencies).append(took)
            else:
                window.errors += 1
        number += 1
    connection.close()


def memory(pids: list[int]) -> dict[str, int]:
    """RSS in MiB of each process, named by its role and pid."""

    def role(pid: int) -> str:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return "check" if b"worker" in arguments else "gunicorn"

    return {f"{role(pid)}-{pid}": rss_kib(pid) // 1024 for pid in pids}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--window", type=float, default=30.0, help="seconds per report line")
    parser.add_argument(
        "--batch-every",
        type=int,
        default=20,
        metavar="N",
        help="every N-th request of a client is a batch of 200 registrations (0: none)",
    )
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    windows: dict[int, Window] = {}
    lock = threading.Lock()
    report: list[dict[str, object]] = []
    with running_gateway(workers=2, check_workers=1) as (port, pids):
        say(
            f"soak: {args.rate:.0f} requests/s for {seconds:.0f} s, {CLIENTS} clients, "
            f"processes {pids} (2 gunicorn workers, 1 check worker)"
        )
        start = time.monotonic() + 0.5
        end = start + seconds
        threads = [
            threading.Thread(
                target=sender,
                args=(
                    port,
                    c,
                    CLIENTS / args.rate,
                    start,
                    end,
                    windows,
                    args.window,
                    lock,
                    args.batch_every,
                ),
            )
            for c in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for index in itertools.count():
            close = min(start + (index + 1) * args.window, end)
            time.sleep(max(close + GRACE - time.monotonic(), 0))  # the window's last answers
            with lock:
                window = windows.get(index, Window())
                latencies = sorted(window.latencies)
                batches = sorted(window.batch_latencies)
                errors = window.errors
            line = {
                "second": round(close - start),
                "requests": len(latencies) + len(batches) + errors,
                "errors": errors,
                "p50_ms": round(percentile(latencies, 0.50), 2),
                "p95_ms": round(percentile(latencies, 0.95), 2),
                "p99_ms": round(percentile(latencies, 0.99), 2),
                "batches": len(batches),
                "batch_p50_ms": round(percentile(batches, 0.50), 2),
                "batch_p99_ms": round(percentile(batches, 0.99), 2),
                "rss_mib": memory(pids),
            }
            report.append(line)
            print(
                f"t={line['second']:>4}s requests {line['requests']:>6} errors {errors} "
                f"single p50 {line['p50_ms']:.1f} p95 {line['p95_ms']:.1f} "
                f"p99 {line['p99_ms']:.1f} ms; {len(batches)} batches p50 "
                f"{line['batch_p50_ms']:.1f} p99 {line['batch_p99_ms']:.1f} ms"
                f"  RSS MiB {line['rss_mib']}",
                flush=True,
            )
            if close >= end:
                break
        for thread in threads:
            thread.join(timeout=60)
    total_errors = sum(int(line["errors"]) for line in report)  # type: ignore[call-overload]
    total = sum(int(line["requests"]) for line in report)  # type: ignore[call-overload]
    first, last = report[0]["rss_mib"], report[-1]["rss_mib"]
    print(f"soak: {total} requests, {total_errors} errors; RSS MiB from {first} to {last}")
    RESULTS.write_text(
        json.dumps({"rate": args.rate, "seconds": seconds, "windows": report}, indent=2)
    )
    say(f"results written to {RESULTS}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
