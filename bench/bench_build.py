"""Benchmark: NDJSON encounters → validated models → 837P interchanges.

Measures the builder path of ``claims build`` without the scrubber's rules (see
``bench_scrub.py`` for both): reading, JSON decoding, pydantic validation and X12
writing.  Each size runs in its own process so peak memory (max RSS) is its own.

    .venv/bin/python bench/bench_build.py            # 10,000 and 100,000
    .venv/bin/python bench/bench_build.py 20000
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path


def generate(path: Path, count: int) -> None:
    from sandbox.synthetic import encounters

    with path.open("w", encoding="utf-8") as f:
        for data in encounters(count, date(2026, 11, 26), broken_share=0.0):
            f.write(json.dumps(data) + "\n")


def measure(path: Path) -> dict:
    from edi.claims.build_837p import build_interchanges
    from edi.claims.models import Encounter
    from edi.claims.records import ndjson_records
    from edi.x12.control import MemoryControlNumbers
    from flows.runtime import tune_for_batches
    from mappings.profiles import clearinghouse_profile

    tune_for_batches()
    profile = clearinghouse_profile("sandbox")
    start = time.perf_counter()
    claims = size = 0
    with path.open("rb") as f, tempfile.TemporaryDirectory() as out:
        models = (Encounter.model_validate_json(r.raw) for r in ndjson_records(f, path.name))
        created = datetime(2026, 11, 27, 1, 0)
        for ic in build_interchanges(models, profile, MemoryControlNumbers(), created):
            data = ic.data
            Path(out, f"{ic.isa13:09d}.x12").write_bytes(data)
            claims += len(ic.claims)
            size += len(data)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "claims": claims,
        "seconds": round(seconds, 2),
        "claims_per_s": round(claims / seconds),
        "x12_mb": round(size / 2**20, 1),
        "peak_rss_mb": round(peak_mb),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            path = Path(tmp, f"encounters-{count}.jsonl")
            generate(path, count)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            print(f"{count:>7} encounters: {out.strip()}")


if __name__ == "__main__":
    main()
