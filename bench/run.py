"""``make bench``: every benchmark in one run, figures on standard output, results in
bench/results.json. Ratios are measured within the run, so they compare across machines.

    python -m bench.run [--seconds 15] [--repeat 40] [--quick] [--skip-postgres] [--skip-http]
                        [--http-only] [--check-workers N] [--skip-datasets]
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    checks,
    dataset,
    export,
    floors,
    http_load,
    ingest,
    probe,
    search,
    signing,
    single,
    stock,
)
from bench.common import say, scratch

RESULTS = Path(__file__).parent / "results.json"


def postgres_reachable() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


def ingest_line(database: str, figures: dict[str, float], mean_note: str) -> str:
    return (
        f"ingest ({database}): {figures['ours_ms']:.1f} ms per 200 registrations, lxml "
        f"parse+XSD {figures['lxml_ms']:.2f} ms, ratio {figures['ratio']:.1f}; "
        f"{figures['mean_with_merges_ms']:.1f} ms on average {mean_note}"
    )


def http_scenarios(seconds: float, check_workers: int, results: dict[str, Any]) -> None:
    http = http_load.measure(seconds, check_workers=check_workers)
    single, batch = http["single"], http["batch"]
    results["http"] = http
    results["http_batch_registrations_per_s"] = batch["registrations_per_s"]
    results["http_single_p99_ms"] = single["p99_ms"]
    results["http_errors"] = single["errors"] + batch["errors"]
    results["http_worker_rss_growth_kib"] = http["worker_rss_growth_kib_after_warm"]
    print(
        f"HTTP single: {single['requests_per_s']:.0f} req/s, p50 {single['p50_ms']:.1f} ms,"
        f" p99 {single['p99_ms']:.1f} ms, errors {single['errors']}",
        flush=True,
    )
    print(
        f"HTTP batches of 200: {batch['registrations_per_s']:.0f} registrations/s, "
        f"p50 {batch['p50_ms']:.1f} ms, p99 {batch['p99_ms']:.1f} ms, "
        f"errors {batch['errors']}; CPU per batch: gunicorn workers "
        f"{batch['worker_cpu_ms_per_batch']:.1f} ms, load processes "
        f"{batch['load_cpu_ms_per_batch']:.1f} ms, check workers ({check_workers}) "
        f"{batch['check_worker_cpu_ms_per_batch']:.1f} ms",
        flush=True,
    )
    for name, caught_up in http["checks_caught_up"].items():
        print(
            f"HTTP {name}: {caught_up['days_due']} worker days due when the load stopped, "
            f"the queue empty {caught_up['seconds']:.1f} s later ({caught_up['left']} left)",
            flush=True,
        )
    print(
        f"gunicorn worker RSS: {http['worker_rss_kib_start']} KiB at the start, "
        f"{http['worker_rss_kib_batch_warm']} KiB {http_load.WARM_SHARE:.0%} into the "
        f"batches, {http['worker_rss_kib_batch_halfway']} KiB half way, "
        f"{http['worker_rss_kib_end']} KiB at the end: a worker grew by at most "
        f"{http['worker_rss_growth_kib_after_warm']} KiB after the first "
        f"{http_load.WARM_SHARE * seconds:.0f} s",
        flush=True,
    )


def measure_datasets(
    results: dict[str, Any], quick: bool, repeat: int, with_postgres: bool
) -> None:
    """The checks, the searches and the export, each on a database filled for it."""
    count = 4_000 if quick else 20_000
    declarations = 10_000 if quick else 100_000
    for kind in ("sqlite", "postgres") if with_postgres else ("sqlite",):
        checked = checks.measure(kind, count, declarations)
        results[f"checks_per_s_{kind}"] = checked["registrations_per_s"]
        print(
            f"checks ({kind}, {declarations} declarations): "
            f"{checked['registrations_per_s']:.0f} registrations/s for one worker",
            flush=True,
        )
        if "processes_2_per_s" in checked:
            results[f"checks_2_workers_per_s_{kind}"] = checked["processes_2_per_s"]
            results[f"checks_2_workers_scale_{kind}"] = checked["scale_2_workers"]
            print(
                f"checks ({kind}): {checked['processes_2_per_s']:.0f} registrations/s for two "
                f"worker processes on one queue, {checked['scale_2_workers']:.2f}x one worker "
                f"process ({checked['processes_1_per_s']:.0f}/s)",
                flush=True,
            )
    at_scale = 50_000 if quick else 1_000_000
    for kind in ("sqlite", "postgres") if with_postgres else ("sqlite",):
        say(f"a database of {at_scale} registrations on {kind} ...")
        place = scratch(kind)
        try:
            dataset.fill(place.engine, at_scale)
            found = search.measure(place, max(1, repeat // 4))
            results[f"search_{kind}"] = found
            for name, figures in found.items():
                print(
                    f"search ({kind}, {at_scale} registrations) {name}: {figures['ms']:.1f} ms, "
                    f"{figures['found']:.0f} found, {figures['returned']:.0f} returned",
                    flush=True,
                )
            exported = export.measure(place)
            if kind == "sqlite":
                results["export"] = exported
                results["export_peak_rss_mib"] = exported["peak_rss_mib"]
            else:
                results[f"export_{kind}"] = exported
            print(
                f"export ({kind}) of {exported['registrations']} registrations (100 days, one "
                f"enterprise): {exported['seconds']:.1f} s, peak memory "
                f"{exported['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
        finally:
            place.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="per HTTP load scenario")
    parser.add_argument("--repeat", type=int, default=40, help="requests per timing")
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--http-only", action="store_true", help="the HTTP scenarios alone")
    parser.add_argument(
        "--skip-datasets",
        action="store_true",
        help="leave out the checks, searches and export, which fill large databases first",
    )
    parser.add_argument(
        "--check-workers",
        type=int,
        default=0,
        help="check workers beside gunicorn in the HTTP scenarios (0, as the side-by-side "
        "run; serve's default is 1)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.repeat = 3.0, 5
    with_postgres = not args.skip_postgres and postgres_reachable()
    if not with_postgres:
        say("PostgreSQL is not reachable at 127.0.0.1:5432: its figures are left out")

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }
    results["http_check_workers"] = args.check_workers
    results["registration_build_us_start"] = probe.registration_build_us()
    print(
        f"this machine now: a domain registration built in "
        f"{results['registration_build_us_start']:.2f} us",
        flush=True,
    )
    if args.http_only:
        http_scenarios(args.seconds, args.check_workers, results)
        return finish(results)
    sqlite = ingest.measure("sqlite", args.repeat)
    results["ingest_ratio_sqlite"] = sqlite["ratio"]
    results["ingest_sqlite"] = sqlite
    print(ingest_line("SQLite", sqlite, "with the merges of staged ones"), flush=True)
    bounds = floors.measure(args.repeat)
    results["ingest_floor_ratio_sqlite"] = bounds["floor_ratio"]
    results["ingest_floors_sqlite"] = bounds
    print(
        f"ingest floors (SQLite): of {bounds['ours_ms']:.1f} ms, lxml parse+XSD "
        f"{bounds['lxml_ms']:.2f} ms, SQLite alone storing the batch "
        f"{bounds['sqlite_alone_ms']:.1f} ms, the rest (our Python) {bounds['rest_ms']:.1f} ms; "
        f"ratio {bounds['ratio']:.1f}, {bounds['floor_ratio']:.1f} if our Python cost nothing",
        flush=True,
    )
    if with_postgres:
        postgres = ingest.measure("postgres", args.repeat)
        results["ingest_ratio_postgres"] = postgres["ratio"]
        results["ingest_postgres"] = postgres
        print(ingest_line("PostgreSQL", postgres, "(nothing is staged there)"), flush=True)
    signed = signing.measure(args.repeat)
    results["signing"] = signed
    results["signed_single_added_ms"] = signed["added_ms"]
    print(
        f"signed single registration (SQLite): {signed['signed_ms']:.2f} ms against "
        f"{signed['password_ms']:.2f} ms with a PasswordText token, "
        f"{signed['added_ms']:.2f} ms added; a UsernameToken request's credentials read in "
        f"{signed['credentials_us']:.1f} us ({signed['token_alone_us']:.1f} us for the token "
        "alone, without the look-up for a signature)",
        flush=True,
    )
    alone = single.measure(25 * args.repeat)
    results["single"] = alone
    results["single_cpu_ms"] = alone["referenced_cpu_ms"]
    print(
        f"single registration (SQLite, in process): {alone['referenced_cpu_ms']:.3f} ms of "
        f"CPU with a client reference, {alone['unreferenced_cpu_ms']:.3f} ms without",
        flush=True,
    )
    versus = stock.measure(args.repeat)
    results["stock_ratio"] = versus["ratio"]
    results["stock"] = versus
    results["stock_decoding_ratio"] = versus["decoding_ratio"]
    print(
        f"stock Spyne decode {versus['stock_ms']:.1f} ms against our whole handling "
        f"{versus['ours_ms']:.1f} ms: stock ratio {versus['ratio']:.1f}; against our parse, "
        f"validation and decoding alone ({versus['our_decoding_ms']:.2f} ms) "
        f"{versus['decoding_ratio']:.1f}",
        flush=True,
    )
    if not args.skip_http:
        http_scenarios(args.seconds, args.check_workers, results)
    if not args.skip_datasets:
        measure_datasets(results, args.quick, args.repeat, with_postgres)
    return finish(results)


def finish(results: dict[str, Any]) -> int:
    """The machine's speed at the end of the run, and every result written out."""
    results["registration_build_us_end"] = probe.registration_build_us()
    print(
        f"this machine at the end: a domain registration built in "
        f"{results['registration_build_us_end']:.2f} us",
        flush=True,
    )
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True))
    say(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
