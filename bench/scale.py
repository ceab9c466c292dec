"""``make bench-scale``: consultation and checks at national scale. Ten million registrations
on PostgreSQL, of ``bench.dataset``'s shape over ten times its days (one employer, 20,000
workers, 500 work places, some 10,000 registrations a day for 1,000 days), and on them: every
kind of search of ``bench.search`` (p50 and p95), the 100-day export, the database's size;
the checks as ``make bench`` measures them; the plans of the searches slower than the target.
Figures on standard output, results in bench/scale-results.json, plans in
bench/scale-plans.txt.

    python -m bench.scale [--rows 10000000] [--reuse] [--drop] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import checks, export, plans, probe, scale_database, search
from bench.common import Scratch, call_seconds, gateway_app, say, soap_envelope, wsgi_caller
from bench.run import postgres_reachable
from bench.soak import percentile

HERE = Path(__file__).parent
RESULTS = HERE / "scale-results.json"
PLANS = HERE / "scale-plans.txt"
ROWS = 10_000_000
PER_DAY = 10_000  # as bench.dataset: a million over its 100 days
TARGET_P95_MS = 50.0


def measure_searches(place: Scratch, repeat: int) -> dict[str, dict[str, float]]:
    """Each kind of search, ``repeat`` requests in turns: p50, p95, found and returned."""
    say(f"search: {len(search.SEARCHES)} kinds of search, {repeat} requests each ...")
    app = gateway_app(place.settings, place.engine)
    calls = {name: wsgi_caller(app, soap_envelope(body)) for name, body in search.SEARCHES.items()}
    figures = {name: search.found(call()) for name, call in calls.items()}
    for name, seconds in call_seconds(calls, repeat).items():
        ordered = sorted(seconds)
        figures[name]["p50_ms"] = percentile(ordered, 0.50)
        figures[name]["p95_ms"] = percentile(ordered, 0.95)
    return figures


def explain_slow(
    place: Scratch, searches: dict[str, dict[str, float]], over_ms: float
) -> dict[str, list[dict[str, Any]]]:
    """The statements of each search whose p95 is above ``over_ms``, with their plans."""
    app = gateway_app(place.settings, place.engine)
    slow = [name for name, figures in searches.items() if figures["p95_ms"] > over_ms]
    say(f"plans of {len(slow)} searches with a p95 above {over_ms:g} ms ...")
    return {
        name: plans.plans_of(place.engine, wsgi_caller(app, soap_envelope(search.SEARCHES[name])))
        for name in slow
    }


def plans_text(explained: dict[str, list[dict[str, Any]]], searches: dict[str, Any]) -> str:
    parts = []
    for name, statements in explained.items():
        parts.append(f"=== {name}: p95 {searches[name]['p95_ms']:.1f} ms")
        for each in statements:
            parts += ["--- statement", each["statement"], f"--- values {each['values']}"]
            parts += ["--- plan", each["plan"], ""]
    return "\n".join(parts) + "\n"


def commit() -> str | None:
    """The commit measured (with ``+`` if the tree has changes), if this is a git checkout."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if changed else "")


def _git(*arguments: str) -> str:
    command = ["git", "-C", str(HERE), *arguments]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__)
    parser.add_argument(
        "--rows",
        type=int,
        default=ROWS,
        help=f"registrations, {PER_DAY:,} a day (default {ROWS:,}: 1,000 days)",
    )
    parser.add_argument("--database", default="ciao_bench_scale", help="its name on PostgreSQL")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a run before built to this size, migrated first, if any",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--repeat", type=int, default=20, help="requests per kind of search")
    parser.add_argument(
        "--plans-over",
        type=float,
        default=TARGET_P95_MS,
        help="explain the searches whose p95 is above this many ms",
    )
    parser.add_argument("--checks", type=int, default=20_000, help="registrations checked")
    parser.add_argument("--declarations", type=int, default=100_000, help="for the checks")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--plans", type=Path, default=PLANS)
    args = parser.parse_args(argv)
    if not postgres_reachable():
        say("PostgreSQL is not reachable at 127.0.0.1:5432: bench-scale needs it")
        return 1
    days = max(1, round(args.rows / PER_DAY))
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "rows": args.rows,
        "days": days,
        "database": args.database,
        "registration_build_us_start": probe.registration_build_us(),
    }
    database = scale_database.open_database(args.database, args.rows, days, args.reuse, args.drop)
    place = database.place
    try:
        results["reused"] = database.reused
        results["build_seconds"] = database.build_seconds
        results["migrate"] = {
            "seconds": database.migrate_seconds,
            "from": database.migrated_from,
            "to": database.migrated_to,
            "populated": database.reused,
        }
        results["search"] = measure_searches(place, args.repeat)
        explained = explain_slow(place, results["search"], args.plans_over)
        results["plans"] = explained
        results["export"] = export.measure(place)
        (place.settings.secret_key_file.parent / "export.csv").unlink(missing_ok=True)
        results["size"] = scale_database.sizes(place.engine)
        results["server_settings"] = scale_database.settings(place.engine)
    finally:
        place.cleanup()
    results["checks"] = checks.measure("postgres", args.checks, args.declarations)
    results["registration_build_us_end"] = probe.registration_build_us()
    args.results.write_text(json.dumps(results, indent=2, sort_keys=True, default=str))
    args.plans.write_text(plans_text(explained, results["search"]))
    report(results)
    say(f"results written to {args.results}, plans to {args.plans}")
    if not args.drop:
        say(f"the database {args.database} is kept: --reuse measures it again, --drop drops it")
    return 0


def report(results: dict[str, Any]) -> None:
    rows, migrate = results["rows"], results["migrate"]
    lines = [
        f"at {results['commit']}, {rows:,} registrations over {results['days']} days; the "
        f"probe's registration built in {results['registration_build_us_start']:.2f} us at "
        f"the start, {results['registration_build_us_end']:.2f} us at the end",
        "database reused"
        if results["reused"]
        else f"database built in {results['build_seconds']:.0f} s",
        f"migrate ({'populated' if migrate['populated'] else 'empty'} database, "
        f"{migrate['from']} -> {migrate['to']}): {migrate['seconds']:.2f} s",
    ]
    for name, figures in results["search"].items():
        lines.append(
            f"search {name}: p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"{figures['found']:.0f} found, {figures['returned']:.0f} returned"
        )
    exported, size, checked = results["export"], results["size"], results["checks"]
    lines += [
        f"export of {exported['registrations']:,} registrations (100 days): "
        f"{exported['seconds']:.1f} s, peak memory {exported['peak_rss_mib']:.0f} MiB",
        f"database {size['database_mib']:,.0f} MiB; registrations {size['registrations']:,} "
        f"rows, table {size['registrations_table_mib']:,.0f} MiB, indexes "
        f"{size['registrations_indexes_mib']:,.0f} MiB",
        "server: " + ", ".join(f"{k} {v}" for k, v in results["server_settings"].items()),
        f"checks ({checked['registrations']:,} registrations, in a database of their own): "
        f"{checked['registrations_per_s']:.0f} registrations/s for one worker",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
