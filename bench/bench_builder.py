"""Benchmark: the 837P builder alone, over encounters validated beforehand.

``bench_build.py`` times the whole ``claims build`` path, where reading and pydantic
validation dominate and wall-clock noise hides the builder; this times only
``build_interchanges``, in CPU seconds, best of ``--runs``.  Run it alternately with
another checkout (``PYTHONPATH=../other``) to compare builders on the same machine.

    .venv/bin/python bench/bench_builder.py            # 10,000 encounters, best of 5
    .venv/bin/python bench/bench_builder.py 20000 --runs 3 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import time
from datetime import date, datetime


def main() -> None:
    from edi.claims.build_837p import build_interchanges
    from edi.claims.models import Encounter
    from edi.x12.control import MemoryControlNumbers
    from mappings.profiles import clearinghouse_profile
    from sandbox.synthetic import encounters

    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()
    models = [
        Encounter.model_validate(data)
        for data in encounters(args.count, date(2026, 11, 26), broken_share=0.0)
    ]
    profile = clearinghouse_profile("sandbox")
    created = datetime(2026, 11, 27, 1, 0)

    def build() -> str:
        digest = hashlib.sha256()
        for ic in build_interchanges(models, profile, MemoryControlNumbers(), created):
            digest.update(ic.data)
        return digest.hexdigest()[:16]

    best = float("inf")
    for _ in range(args.runs):
        start = time.process_time()
        digest = build()
        best = min(best, time.process_time() - start)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(build)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    result = {"claims": len(models), "cpu_seconds": round(best, 3), "sha256": digest}
    result["claims_per_cpu_s"] = round(len(models) / best)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
