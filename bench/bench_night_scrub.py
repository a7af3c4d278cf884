"""The nightly scrub at full strength: every rule, the CMS reference files loaded, the
night's dispositions (reject / hold / warn) and the reference-coverage findings.

Two figures, on one core, with the demo's tiny CMS-layout files (``sandbox/reference``):

1. in-process scrub: NDJSON lines -> :func:`flows.scrub.triage` (intake, pydantic, all
   SNIP 2-7 rules with NCCI PTP, MUE, HCPCS and the FY2027 ICD-10-CM order file, payer
   dispositions) on ``--count`` encounters; claims/s per CPU second, and the Python heap's
   peak while scrubbing (tracemalloc, on a ``--traced`` sample: tracing slows it).
2. the whole night's build step in this process: the same encounters read from moto's S3
   server, triaged, held or admitted in a SQLite ledger, built and recorded
   (:func:`flows.submission.build_files`) on ``--whole`` encounters; claims/s and the
   process's peak resident memory (ru_maxrss, the whole process: interpreter, pandas,
   boto3, SQLAlchemy, code sets).

Reference data is loaded once, before the clock starts, as the night does.

    .venv/bin/python bench/bench_night_scrub.py [--count 100000] [--whole 20000]

The README's figure is ``--whole 100000`` (about 4 minutes on the 2-core machine).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edi.claims.records import ndjson_records
from edi.rules.registry import CHECKS, RULES
from flows.reference import FolderLocation, load_reference
from flows.reference.install import install
from flows.runtime import tune_for_batches
from flows.scrub import NightChecks, check_context, triage
from sandbox.demo import REFERENCE
from sandbox.synthetic import encounters

DAY = date(2026, 11, 26)


def rate(count: int, cpu: float, wall: float) -> str:
    return f"{count / cpu:,.0f} claims/s per CPU second ({cpu:.1f} s CPU, {wall:.1f} s wall)"


def scrub(lines: list[bytes], checks: NightChecks) -> Counter:
    kinds: Counter = Counter()
    for outcome in triage(ndjson_records(lines, "bench.jsonl"), checks):
        kinds[type(outcome).__name__] += 1
    return kinds


def whole_night(lines: list[bytes], checks: NightChecks, folder: Path) -> tuple[int, float, float]:
    """build_files over moto S3 and a SQLite ledger; (claims, CPU s, wall s)."""
    from moto.server import ThreadedMotoServer

    from flows.ledger import Ledger
    from flows.s3 import Area, S3Config, S3Store, make_client
    from flows.submission import build_files, new_encounter_files
    from mappings.profiles import clearinghouse_profile

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        config = S3Config(bucket="bench", endpoint_url=f"http://{host}:{port}", region="us-east-1")
        make_client(config).create_bucket(Bucket="bench")
        store = S3Store(config)
        step = 5000
        for n, start in enumerate(range(0, len(lines), step)):
            body = b"\n".join(lines[start : start + step]) + b"\n"
            store.put(store.key(Area.ENCOUNTERS, DAY, f"part-{n:03d}.jsonl"), body)
        with Ledger.open(f"sqlite:///{folder / 'ledger.sqlite'}") as ledger:
            cpu, wall = time.process_time(), time.perf_counter()
            files = new_encounter_files(store, ledger, DAY, "bench")
            summary = build_files(
                files,
                store=store,
                ledger=ledger,
                profile=clearinghouse_profile("sandbox"),
                context=checks,
                business_date=DAY,
                created=datetime(2026, 11, 27, 1, 0),
            )
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"  built {summary.claims:,}, held {summary.held:,}, "
              f"exceptions {summary.exceptions:,}")  # fmt: skip
        return summary.claims, cpu, wall
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--traced", type=int, default=10_000)
    parser.add_argument("--whole", type=int, default=20_000)
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        location = FolderLocation(folder / "reference")
        install(str(REFERENCE), location)
        reference = load_reference(location)
        checks = NightChecks(check_context(DAY, reference.code_sets), reference.releases)
        lines = [json.dumps(e).encode() for e in encounters(args.count, DAY, broken_share=0.05)]
        scrub(lines[:50], checks)
        gc.freeze()
        tune_for_batches()
        print(f"setup {time.perf_counter() - started:.1f} s: {len(RULES)} rules, {len(CHECKS)} "
              f"checks, releases {[r.name for r in reference.releases]}")  # fmt: skip

        cpu, wall = time.process_time(), time.perf_counter()
        kinds = scrub(lines, checks)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"in-process scrub, {args.count:,} encounters: {rate(args.count, cpu, wall)}")
        print(f"  outcomes {dict(kinds)} (Held: not built, a coding query each)")

        traced = lines[: args.traced]
        tracemalloc.start()
        scrub(traced, checks)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  Python heap peak while scrubbing {len(traced):,}: {peak / 2**20:.1f} MiB "
              "(finding and code caches included; they are bounded)")  # fmt: skip

        if args.whole:
            _, cpu, wall = whole_night(lines[: args.whole], checks, folder)
            print(f"whole night build step (S3 read, scrub, ledger, build, record), "
                  f"{args.whole:,} encounters: {rate(args.whole, cpu, wall)}")  # fmt: skip
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak resident memory: {peak_rss:,.0f} MiB "
              f"(includes the {args.count:,} input lines held for the benchmark)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
