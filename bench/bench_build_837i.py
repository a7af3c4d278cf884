"""Benchmark: 837I build + scrub, next to the 837P's.

NDJSON FQHC visits (``sandbox.institutional.fqhc_visits``: type of bill 0771, a G-code
line, its qualifying visit, a lab line on every third) → intake (pydantic) → every claim
rule (the institutional ones included) → 837I interchanges; then the same path over the
project's synthetic 837P encounters (``sandbox.synthetic``), for comparison on the same
machine in the same run.

    .venv/bin/python bench/bench_build_837i.py          # 20,000 of each
    .venv/bin/python bench/bench_build_837i.py 100000

Each line gives wall seconds and CPU seconds of the process (the machine is shared, so the
CPU figure is the steadier one); run it under ``/usr/bin/time`` for the whole process with
its start-up and input generation.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from datetime import date, datetime

DAY = date(2026, 11, 26)
CREATED = datetime(2026, 11, 27, 1, 0)


def run(lines: list[bytes], label: str) -> None:
    from edi.claims.build_837i import build_interchanges_by_form
    from edi.claims.intake import accepted_encounters, admit
    from edi.claims.records import ndjson_records
    from edi.codesets import bundled_code_sets
    from edi.rules.registry import CheckContext
    from edi.x12.control import MemoryControlNumbers
    from mappings.profiles import clearinghouse_profile, payer_profiles

    context = CheckContext(date(2026, 11, 27), payer_profiles(), bundled_code_sets())
    profile = clearinghouse_profile("sandbox")
    refused: list = []
    start, cpu = time.perf_counter(), time.process_time()
    outcomes = admit(ndjson_records(lines, f"{label}.jsonl"), context)
    built = size = 0
    encounters = accepted_encounters(outcomes, refused.append)
    for ic in build_interchanges_by_form(encounters, profile, MemoryControlNumbers(), CREATED):
        built += len(ic.claims)
        size += len(ic.text)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label}: {len(lines):,} encounters in {seconds:.1f} s = {len(lines) / seconds:,.0f}/s "
        f"({cpu:.1f} CPU s = {len(lines) / cpu:,.0f}/CPU s; {built:,} built, "
        f"{len(refused):,} refused, {size / 2**20:.1f} MB of X12)"
    )


def main() -> None:
    from flows.runtime import tune_for_batches
    from sandbox.institutional import fqhc_visits
    from sandbox.synthetic import encounters

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    institutional = [json.dumps(e).encode() for e in fqhc_visits(count, DAY)]
    professional = [json.dumps(e).encode() for e in encounters(count, DAY, broken_share=0.0)]
    run(institutional[:50], "warm-up")
    gc.freeze()
    tune_for_batches()
    run(institutional, "837I build+scrub")
    run(professional, "837P build+scrub")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (both inputs held as NDJSON lines)")


if __name__ == "__main__":
    main()
