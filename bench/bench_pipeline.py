"""Benchmark: the nightly-submission flow end to end on generated encounters.

Moto's S3 and the sandbox clearinghouse (answers off: this measures our side) on
127.0.0.1, a SQLite ledger, Prefect in its local mode, its server started before the
clock starts.  The same night is then run again through the same steps without Prefect
(a fresh ledger and bucket), so the difference is Prefect's overhead.  Each run is its
own process, so peak memory (max RSS) is its own.

Every interchange is judged by the guide engine before upload (issue 18): each run also
reports the CPU seconds those checks took (``guide_check_cpu_s``, measured around
:func:`flows.submission.guide_errors` in the same run) and what they add to the run's own
CPU time without them (``guide_check_share``; the budget is 15%).  ``--unchecked`` runs
the plain steps once more with the check replaced by "send it", the same comparison as a
whole-run figure.

    .venv/bin/python bench/bench_pipeline.py            # 50,000 encounters in 10 files
    .venv/bin/python bench/bench_pipeline.py 5000 5
    .venv/bin/python bench/bench_pipeline.py 50000 10 --unchecked
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


def _timed_guide_check(checked: bool) -> list[float]:
    """Wrap the pre-upload guide check to add up its CPU seconds (or skip it)."""
    import flows.submission

    spent = [0.0]
    check = flows.submission.guide_errors

    def timed(content: bytes) -> str | None:
        if not checked:
            return None
        start = time.process_time()
        try:
            return check(content)
        finally:
            spent[0] += time.process_time() - start

    flows.submission.guide_errors = timed
    return spent


def measure(count: int, files: int, data: Path, mode: str) -> dict:
    from flows.runtime import tune_for_batches
    from flows.s3 import Area
    from sandbox.demo import local_services, offline_prefect, quiet_console
    from sandbox.synthetic import encounters

    quiet_console()
    tune_for_batches()
    spent = _timed_guide_check(mode != "unchecked")
    with local_services(data) as (store, sandbox):
        sandbox.respond = False
        generated = encounters(count, NIGHT, broken_share=0.02)
        per_file = -(-count // files)
        for n in range(files):
            lines = (json.dumps(next(generated)) + "\n" for _ in range(min(per_file, count)))
            store.put(store.key(Area.ENCOUNTERS, NIGHT, f"part-{n}.jsonl"), "".join(lines).encode())
            count -= per_file
        cpu = time.process_time()
        if mode == "prefect":
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
        cpu = time.process_time() - cpu
    return {
        "claims": claims,
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "guide_check_cpu_s": round(spent[0], 2),
        "guide_check_share": round(spent[0] / max(cpu - spent[0], 1e-9), 3),
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
        print(json.dumps(measure(count, files, data, mode)))
        return
    args = [a for a in sys.argv[1:] if a != "--unchecked"]
    count = int(args[0]) if args else 50_000
    files = int(args[1]) if len(args) > 1 else 10
    modes = ("prefect", "plain", "unchecked") if "--unchecked" in sys.argv else ("prefect", "plain")
    results = {}
    for mode in modes:
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
    if "unchecked" in results:
        cost = results["plain"]["cpu_s"] / results["unchecked"]["cpu_s"] - 1
        print(f"Guide check before upload: +{cost:.1%} CPU over the same steps unchecked")


if __name__ == "__main__":
    main()
