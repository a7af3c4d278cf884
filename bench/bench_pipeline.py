"""Benchmark: the nightly-submission flow end to end on generated encounters.

Moto's S3 and the sandbox clearinghouse (answers off: this measures our side) on
127.0.0.1, a SQLite ledger, Prefect in its local mode, its server started before the
clock starts.  The same night is then run again through the same steps without Prefect
(a fresh ledger and bucket), so the difference is Prefect's overhead.  Each run is its
own process, so peak memory (max RSS) is its own.

    .venv/bin/python bench/bench_pipeline.py            # 50,000 encounters in 10 files
    .venv/bin/python bench/bench_pipeline.py 5000 5
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

NIGHT = date(2026, 11, 26)


def measure(count: int, files: int, data: Path, with_prefect: bool) -> dict:
    from flows.runtime import tune_for_batches
    from flows.s3 import Area
    from sandbox.demo import local_services, offline_prefect, quiet_console
    from sandbox.synthetic import encounters

    quiet_console()
    tune_for_batches()
    with local_services(data) as (store, sandbox):
        sandbox.respond = False
        generated = encounters(count, NIGHT, broken_share=0.02)
        per_file = -(-count // files)
        for n in range(files):
            lines = (json.dumps(next(generated)) + "\n" for _ in range(min(per_file, count)))
            store.put(store.key(Area.ENCOUNTERS, NIGHT, f"part-{n}.jsonl"), "".join(lines).encode())
            count -= per_file
        if with_prefect:
            from prefect import flow
            from prefect.settings import temporary_settings

            from flows.nightly import nightly_submission

            with temporary_settings(updates=offline_prefect(data, quiet=True)):
                flow(lambda: None, name="warm-up")()  # start the local server untimed
                start = time.perf_counter()
                claims = nightly_submission(NIGHT)["claims"]
                seconds = time.perf_counter() - start
        else:
            start = time.perf_counter()
            claims = _plain(store, sandbox)
            seconds = time.perf_counter() - start
    return {
        "claims": claims,
        "seconds": round(seconds, 1),
        "claims_per_s": round(claims / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _plain(store, sandbox) -> int:
    """The flow's steps as plain calls: what the pipeline costs without Prefect."""
    from flows.clearinghouse.sftp import SftpClearinghouse
    from flows.ledger import Ledger
    from flows.scrub import check_context
    from flows.settings import Settings
    from flows.submission import build_files, new_encounter_files, upload_pending

    settings = Settings()
    profile = settings.clearinghouse_profile()
    with Ledger.open(settings.ledger) as ledger, SftpClearinghouse(profile.transport) as ch:
        files = new_encounter_files(store, ledger, NIGHT, "bench")
        summary = build_files(
            files,
            store=store,
            ledger=ledger,
            profile=profile,
            context=check_context(),
            business_date=NIGHT,
            created=datetime(2026, 11, 27, 1),
        )
        upload_pending(ledger, ch, store, "bench", NIGHT)
    return summary.claims


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        count, files, data, mode = (
            int(sys.argv[2]),
            int(sys.argv[3]),
            Path(sys.argv[4]),
            sys.argv[5],
        )
        print(json.dumps(measure(count, files, data, mode == "prefect")))
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    results = {}
    for mode in ("prefect", "plain"):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(count), str(files), tmp, mode],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])
            print(f"{mode:>8}: {results[mode]}")
    overhead = 1 - results["plain"]["seconds"] / results["prefect"]["seconds"]
    print(f"Prefect overhead: {overhead:.1%} of the flow's wall time")


if __name__ == "__main__":
    main()
