"""The ingest ratio counted in instructions: valgrind's callgrind counts the instructions the
gateway executes for one registerPresences of 200 registrations (SQLite) and those lxml needs
to parse and XSD-validate the same body. Counts hardly depend on the machine's load, so this
ratio holds where timed ratios drift by 20%; it leaves out what instructions do not show
(memory stalls, the kernel's share of SQLite's writes), which is why the timed ratio is the
higher one.

    python -m bench.instructions            (about 6 minutes: four runs under callgrind)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import envelope, gateway_app, say, scratch, wsgi_caller
from bench.ingest import lxml_baseline

RESULTS = Path(__file__).parent / "instructions.json"
REQUESTS = 20
WARM_UP = 10


def _child(kind: str, requests: int) -> None:
    """Warm up, then handle ``requests`` more; run under callgrind by ``_count``."""
    body = envelope(200)
    place = scratch("sqlite")
    try:
        if kind == "ours":
            call = wsgi_caller(gateway_app(place.settings, place.engine), body)
        else:
            call = lxml_baseline(body)
        for _ in range(WARM_UP + requests):
            call()
    finally:
        place.cleanup()


def _count(kind: str, requests: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
                sys.executable,
                "-m",
                "bench.instructions",
                "--child",
                kind,
                str(requests),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : ([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind failed ({done.returncode}): {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.instructions", description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return 0
    if shutil.which("valgrind") is None:
        say("valgrind is not installed: apt-get install valgrind, then run this again")
        return 2
    per_request: dict[str, float] = {}
    runs = [(kind, requests) for kind in ("ours", "lxml") for requests in (0, REQUESTS)]
    counts = {}
    for number, (kind, requests) in enumerate(runs, start=1):
        say(f"callgrind run {number}/{len(runs)}: {kind}, {requests} requests after warm-up ...")
        counts[kind, requests] = _count(kind, requests)
    for kind in ("ours", "lxml"):
        per_request[kind] = (counts[kind, REQUESTS] - counts[kind, 0]) / REQUESTS
    ratio = per_request["ours"] / per_request["lxml"]
    print(
        f"instructions per 200-registration request: ours {per_request['ours'] / 1e6:.1f} M, "
        f"lxml parse+XSD {per_request['lxml'] / 1e6:.1f} M, ratio {ratio:.2f}",
        flush=True,
    )
    RESULTS.write_text(
        json.dumps({"ours": per_request["ours"], "lxml": per_request["lxml"], "ratio": ratio})
    )
    say(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
