"""Benchmark: a night of many encounters (1,000,000 in 200 files by default) on 1 and 2
workers, one PostgreSQL ledger.

Each worker is its own process running the nightly-submission steps (take files, read,
scrub, admit, build, record, upload; :mod:`flows.submission`, what the flow's tasks call)
for one clinic's S3 prefix: the night's files are split over as many clinics as there are
workers, so 2 workers are two clinics' runs side by side, as Prefect workers run them.
moto's S3 server runs in a process of its own (it holds the files, gzipped NDJSON), the
sandbox clearinghouse (answers off) in this one.  The ledger is a fresh schema of the
PostgreSQL at ``CLAIMS_BENCH_POSTGRES_URL`` (default 127.0.0.1:5432/test), dropped after.

Reported per run: wall time, claims/s, each worker's peak memory (max RSS), the ledger's
size on disk and its largest tables and indexes (bytes per claim, read before the schema
is dropped), each worker's CPU seconds (claims per CPU second is the per-core rate, less
sensitive than wall time to a shared machine), and where each worker's time went (exclusive
wall seconds per stage: S3 read and NDJSON parse, scrub, build, each ledger write, upload,
and the flow's own code between them: holds, claim records, checks; "other" is what none
of these stages covers).

    .venv/bin/python bench/bench_million.py                      # 1,000,000 in 200 files
    .venv/bin/python bench/bench_million.py 100000 20 --workers 1 2
    .venv/bin/python bench/bench_million.py 50000 10 --workers 1 --flow   # the flow itself
    BENCH_CPROFILE=/tmp/worker.prof .venv/bin/python bench/bench_million.py 10000 4 --workers 1
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peak_memory import own_peak_mb

NIGHT = date(2026, 11, 26)
BUCKET = "claims-bench"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# -- where time goes: exclusive seconds per stage, nested calls subtracted ---------------
class Stages:
    """Wall seconds per stage, each call's own time only (a stage's calls into another
    stage count there), per thread; generators are timed per item they yield."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._local = threading.local()

    def _stack(self) -> list[float]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        return self._local.stack

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        stack = self._stack()
        stack.append(0.0)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            children = stack.pop()
            self.seconds[name] += elapsed - children
            if stack:
                stack[-1] += elapsed

    def wrap(self, name: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            with self.stage(name):
                return function(*args, **kwargs)

        return timed

    def wrap_iterator(self, name: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            with self.stage(name):
                iterator = iter(function(*args, **kwargs))
            while True:
                with self.stage(name):
                    try:
                        item = next(iterator)
                    except StopIteration:
                        return
                yield item

        return timed


def _instrument(stages: Stages) -> None:
    """Time the steps the flow's tasks call, by stage, in this worker process."""
    import flows.submission as submission
    from flows.clearinghouse.sftp import SftpClearinghouse
    from flows.ledger import Ledger
    from flows.s3 import S3Store

    submission.records_from_stream = stages.wrap_iterator(
        "S3 read + NDJSON parse", submission.records_from_stream
    )
    submission.triage = stages.wrap_iterator("scrub (intake + rules)", submission.triage)
    submission.build_interchanges = stages.wrap_iterator(
        "build 837P", submission.build_interchanges
    )
    submission.guide_errors = stages.wrap("validate before upload", submission.guide_errors)
    # the flow's own code between the steps, each part under its own name (nested stages
    # are subtracted, so each is that step's Python only, its ledger calls counted apart)
    for name, function in (
        ("holds: queries and encounter JSON", "record_holds"),
        ("eligibility gate", "_eligibility_gate"),
        ("claims: records, service keys, bookkeeping", "_admit_and_record"),
        ("claims: warnings and releases of each", "_keep_checks"),
        ("exceptions: reasons of each", "_record_refusals"),
    ):
        setattr(submission, function, stages.wrap(name, getattr(submission, function)))
    for method in (
        "take_file",
        "finish_file",
        "admit_claims",
        "record_exceptions",
        "record_checks",
        "hold_claims",
        "record_interchange",
        "allocate",
        "claim_pending_interchanges",
        "mark_uploaded",
    ):
        setattr(Ledger, method, stages.wrap(f"ledger {method}", getattr(Ledger, method)))
    Ledger.open = stages.wrap("start-up (ledger open, migrations)", Ledger.open)
    S3Store.list_area = stages.wrap_iterator("list files", S3Store.list_area)
    S3Store.put = stages.wrap("upload (S3 archive + SFTP)", S3Store.put)
    SftpClearinghouse.submit = stages.wrap("upload (S3 archive + SFTP)", SftpClearinghouse.submit)


def work_flow(clinic: str) -> dict:
    """One worker running the nightly-submission flow itself (Prefect's local server in a
    process of its own, its thread runner with ``CLAIMS_BUILD_BATCHES`` batches in flight):
    the flow-run process's peak memory, as a Prefect worker would run it."""
    from flows.nightly import nightly_submission

    os.environ.setdefault("CLAIMS_FILES_PER_TASK", "1")
    os.environ["CLAIMS_WORKER"] = clinic
    start = time.perf_counter()
    result = nightly_submission(NIGHT)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "clinic": clinic,
        "flow": True,
        "build_batches": int(os.environ.get("CLAIMS_BUILD_BATCHES", "2")),
        "claims": result["claims"],
        "seconds": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(own_peak_mb()),
    }


def work(clinic: str) -> dict:
    """One worker: the night of one clinic's prefix, as the nightly flow's steps do it."""
    from flows.clearinghouse import connect
    from flows.clearinghouse.retry import RetryPolicy
    from flows.ledger import Ledger
    from flows.runtime import tune_for_batches
    from flows.s3 import S3Store
    from flows.scrub import check_context
    from flows.settings import Settings
    from flows.submission import build_files, new_encounter_files, upload_pending

    stages = Stages()
    _instrument(stages)
    tune_for_batches()
    settings = Settings()
    profile = settings.clearinghouse_profile()
    store = S3Store.from_env()
    start = time.perf_counter()
    with Ledger.open(settings.ledger) as ledger:
        files = new_encounter_files(store, ledger, NIGHT, clinic)
        summary = build_files(
            files,
            store=store,
            ledger=ledger,
            profile=profile,
            context=check_context(today=NIGHT),
            business_date=NIGHT,
            created=datetime(2026, 11, 27, 1),
            limits=settings.read_limits,
        )
        with connect(profile.transport, retry=RetryPolicy(attempts=3)) as clearinghouse:
            uploaded = upload_pending(ledger, clearinghouse, store, clinic, NIGHT)
        server_cpu = _backend_cpu_seconds(ledger.engine)
    seconds = time.perf_counter() - start
    stages.seconds["other"] = seconds - sum(stages.seconds.values())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "clinic": clinic,
        "files": summary.files,
        "encounters": summary.encounters,
        "claims": summary.claims,
        "exceptions": summary.exceptions,
        "uploaded": len(uploaded.uploaded),
        "seconds": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "claims_per_cpu_s": round(summary.claims / max(usage.ru_utime + usage.ru_stime, 1e-9)),
        "peak_rss_mb": round(own_peak_mb()),
        "ledger_server_cpu_s": server_cpu,
        "stages_s": {k: round(v, 1) for k, v in sorted(stages.seconds.items())},
    }


def _backend_cpu_seconds(engine) -> float | None:  # type: ignore[no-untyped-def]
    """CPU seconds of this worker's PostgreSQL backend (one connection: one thread), read
    from /proc on this machine; None where that is not possible."""
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except (OSError, ValueError):
        return None


# -- the services and the night ----------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _moto(environ: dict[str, str]) -> Iterator[str]:
    """moto's S3 server in its own process (its memory is not a worker's)."""
    port = _free_port()
    code = (
        "import time; from moto.server import ThreadedMotoServer; "
        f"s = ThreadedMotoServer(ip_address='127.0.0.1', port={port}, verbose=False); "
        "s.start(); time.sleep(10**9)"
    )
    server = subprocess.Popen([sys.executable, "-c", code], env=environ, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def _ledger_schema(server_url: str) -> Iterator[tuple[str, Callable[[], dict[str, int]]]]:
    """A fresh PostgreSQL schema; its URL and a function giving its size in bytes, per
    table (with its TOAST) and per index, read before the schema is dropped."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})

    def sizes() -> dict[str, int]:
        query = text(
            "SELECT CASE c.relkind WHEN 'i' THEN 'index ' ELSE 'table ' END || c.relname, "
            "CASE c.relkind WHEN 'i' THEN pg_relation_size(c.oid) "
            "ELSE pg_table_size(c.oid) END FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'i') ORDER BY 2 DESC"
        )
        with admin.connect() as connection:
            return {name: int(size) for name, size in connection.execute(query, {"schema": schema})}

    try:
        yield url.render_as_string(hide_password=False), sizes
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _put_night(store_for: Callable[[str], object], count: int, files: int, clinics: int) -> None:
    """``count`` encounters in ``files`` gzipped NDJSON files, spread over the clinics'
    prefixes; generated file by file, never a night in memory."""
    from flows.s3 import Area
    from sandbox.synthetic import encounters

    per_file = -(-count // files)
    generated = encounters(count, NIGHT, seed=42, broken_share=0.02)
    left = count
    for n in range(files):
        store = store_for(f"clinic-{n % clinics + 1}")
        size = min(per_file, left)
        body = "".join(json.dumps(next(generated)) + "\n" for _ in range(size)).encode()
        name = f"part-{n:03d}.jsonl.gz"
        store.put(store.key(Area.ENCOUNTERS, NIGHT, name), gzip.compress(body, 3))
        left -= size


def night(count: int, files: int, workers: int, postgres: str, flow: bool = False) -> dict:
    """Put the night, start ``workers`` processes at once; their reports and the totals."""
    from dataclasses import replace

    from flows.s3 import S3Config, S3Store, make_client
    from sandbox.server import SandboxClearinghouse

    with tempfile.TemporaryDirectory() as tmp:
        environ = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1",
        }
        os.environ.update(environ)
        sandbox = SandboxClearinghouse(Path(tmp) / "sandbox", seed=5).start()
        sandbox.respond = False
        try:
            with _moto(environ) as endpoint, _ledger_schema(postgres) as (ledger_url, size):
                config = S3Config(bucket=BUCKET, endpoint_url=endpoint)
                make_client(config).create_bucket(Bucket=BUCKET)
                started = time.perf_counter()
                _put_night(lambda p: S3Store(replace(config, prefix=p)), count, files, workers)
                generated = time.perf_counter() - started
                env = environ | {
                    "CLAIMS_DATA_DIR": tmp,
                    "CLAIMS_LEDGER_URL": ledger_url,
                    "CLAIMS_S3_BUCKET": BUCKET,
                    "CLAIMS_S3_ENDPOINT_URL": endpoint,
                    "CLAIMS_SFTP_PORT": str(sandbox.port),
                    "CLAIMS_SFTP_HOST_KEY": sandbox.host_key_line,
                    "CLAIMS_SFTP_KEY": str(sandbox.client_key_path),
                    # --flow: Prefect's local server, its home in the temporary folder
                    "PREFECT_HOME": str(Path(tmp) / "prefect"),
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                    "DO_NOT_TRACK": "1",
                    "PREFECT_LOGGING_LEVEL": "WARNING",
                    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
                }
                reports = _run_workers(env, workers, flow)
                wall = reports.pop("wall_s")
                relations = size()
        finally:
            sandbox.stop()
    claims = sum(r["claims"] for r in reports["per_worker"])
    ledger_bytes = sum(relations.values())
    return {
        "encounters": count,
        "files": files,
        "workers": workers,
        "generate_and_put_s": round(generated, 1),
        "wall_s": round(wall, 1),
        "claims": claims,
        "claims_per_s": round(claims / wall),
        "ledger_mb": round(ledger_bytes / 1e6, 1),
        "ledger_bytes_per_claim": round(ledger_bytes / max(claims, 1)),
        "ledger_largest_bytes_per_claim": {
            name: round(size / max(claims, 1)) for name, size in list(relations.items())[:12]
        },
        **reports,
    }


def _run_workers(env: dict[str, str], workers: int, flow: bool) -> dict:
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--flow-worker" if flow else "--worker", f"clinic-{n + 1}"],
            env=env | {"CLAIMS_S3_PREFIX": f"clinic-{n + 1}"},
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    outputs = [p.communicate()[0] for p in processes]
    wall = time.perf_counter() - start
    for process in processes:
        if process.returncode:
            raise SystemExit(f"a worker failed (exit {process.returncode})")
    return {"wall_s": wall, "per_worker": [json.loads(o.strip().splitlines()[-1]) for o in outputs]}


def main() -> None:
    if sys.argv[1:2] == ["--flow-worker"]:
        print(json.dumps(work_flow(sys.argv[2])))
        return
    if sys.argv[1:2] == ["--worker"]:
        if os.environ.get("BENCH_CPROFILE"):
            import cProfile

            cProfile.runctx(
                "r = work(sys.argv[2])", globals(), ns := {}, os.environ["BENCH_CPROFILE"]
            )
            print(json.dumps(ns["r"]))
            return
        print(json.dumps(work(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("encounters", type=int, nargs="?", default=1_000_000)
    parser.add_argument("files", type=int, nargs="?", default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--flow",
        action="store_true",
        help="run the nightly-submission flow in each worker (peak memory as deployed)",
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("CLAIMS_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    args = parser.parse_args()
    from sandbox.demo import quiet_console

    quiet_console()
    for workers in args.workers:
        report = night(args.encounters, args.files, workers, args.postgres, args.flow)
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
