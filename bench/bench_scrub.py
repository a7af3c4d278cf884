"""Throughput of intake + scrub (every registered rule) + 837P build, on one core.

``claims build``'s path, streamed as it runs: NDJSON lines → ``admit`` (pydantic and all
SNIP 2-7 claim rules) → ``build_interchanges``.  Encounters come from the project's
synthetic generator (fixed seed, 5% with a deliberate defect).  Code sets are loaded
before the clock starts, once per process as in production.  Three figures:

1. intake + scrub alone (outcomes drained, nothing built);
2. intake + scrub + build, the whole of ``claims build`` minus file writing;
3. optionally pyx12 over the first N built claims (``--pyx12 N``), for comparison.

    .venv/bin/python bench/bench_scrub.py [--count 100000] [--pyx12 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edi.claims.build_837p import build_interchanges
from edi.claims.intake import Accepted, accepted_encounters, admit
from edi.claims.records import ndjson_records
from edi.codesets import bundled_code_sets
from edi.rules.registry import CHECKS, RULES, CheckContext
from edi.x12.control import MemoryControlNumbers
from flows.runtime import tune_for_batches
from mappings.profiles import clearinghouse_profile, payer_profiles
from sandbox.synthetic import encounters

DAY = date(2026, 11, 26)
CREATED = datetime(2026, 11, 27, 1, 0)


class Clock:
    """CPU and wall time since creation."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def rate(self, count: int) -> str:
        cpu = time.process_time() - self.cpu
        wall = time.perf_counter() - self.wall
        return f"{count / cpu:,.0f} claims/s per CPU second ({cpu:.1f} s CPU, {wall:.1f} s wall)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--pyx12", type=int, default=0, metavar="N")
    args = parser.parse_args()

    started = time.perf_counter()
    context = CheckContext(date(2026, 11, 27), payer_profiles(), bundled_code_sets())
    profile = clearinghouse_profile("sandbox")
    lines = [json.dumps(e).encode() for e in encounters(args.count, DAY, broken_share=0.05)]
    list(admit(ndjson_records(lines[:50], "warm.jsonl"), context))
    gc.freeze()  # setup objects (code sets, input lines) need no more collection passes
    tune_for_batches()  # as the CLI and the flows run
    print(f"setup {time.perf_counter() - started:.1f} s: {len(RULES)} rules, {len(CHECKS)} "
          f"checks, {args.count:,} encounters generated")  # fmt: skip

    clock = Clock()
    rules: Counter[str] = Counter()
    accepted = 0
    for outcome in admit(ndjson_records(lines, "bench.jsonl"), context):
        accepted += isinstance(outcome, Accepted)
        rules.update(f.rule_id for f in outcome.findings)
    print(f"intake + scrub: {clock.rate(args.count)} ({accepted:,} accepted)")
    print(f"  most frequent findings: {rules.most_common(3)}")

    registered = CHECKS[:]
    CHECKS.clear()  # the same intake with no claim rules: what the rules themselves cost
    clock = Clock()
    for _ in admit(ndjson_records(lines, "bench.jsonl"), context):
        pass
    CHECKS.extend(registered)
    print(f"intake alone (no rules): {clock.rate(args.count)}")

    refused: list = []
    outcomes = admit(ndjson_records(lines, "bench.jsonl"), context)
    clock = Clock()
    built = 0
    for ic in build_interchanges(accepted_encounters(outcomes, refused.append), profile,
                                 MemoryControlNumbers(), CREATED):  # fmt: skip
        built += len(ic.claims)
    print(f"intake + scrub + build: {clock.rate(args.count)} "
          f"({built:,} built, {len(refused):,} refused)")  # fmt: skip

    if args.pyx12:
        from tests.support.judge import pyx12_errors

        sample = admit(ndjson_records(lines[: args.pyx12], "pyx12.jsonl"), context)
        texts = [ic.text for ic in build_interchanges(
            accepted_encounters(sample, lambda r: None), profile, MemoryControlNumbers(),
            CREATED)]  # fmt: skip
        clock = Clock()
        for text in texts:
            pyx12_errors(text)
        print(f"pyx12 alone: {clock.rate(args.pyx12)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
