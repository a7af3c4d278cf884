"""Benchmark: the ledger's batch writes alone, as a night makes them, on PostgreSQL and SQLite.

For each interchange's worth of claims (5,000, the sandbox profile's interchange): admit
them (:meth:`Ledger.admit_claims`, 2 % duplicates of claims already sent), keep their
scrub checks, record the interchange, mark it uploaded; then the same file is admitted
again, as a rerun does (every claim ``handled``).  Reported per step: wall seconds, the
process's CPU seconds and claims per second, and the CPU seconds of the PostgreSQL backend.
No S3, scrub or build: what bench/bench_million.py profiles as "ledger ...".

    .venv/bin/python bench/bench_ledger.py                       # 20,000 claims, both databases
    .venv/bin/python bench/bench_ledger.py 50000 --databases postgresql
    BENCH_CPROFILE=/tmp/ledger.prof .venv/bin/python bench/bench_ledger.py 20000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.ledger import ClaimRecord, InterchangeClaim, InterchangeRecord, Ledger
from flows.ledger.held import ClaimCheck

NIGHT = date(2026, 11, 26)
AT = datetime(2026, 11, 27, 1, tzinfo=UTC)
PER_INTERCHANGE = 5000
RELEASES = ["icd10cm-2027", "hcpcs-2026q4", "ncci-ptp-2026q4", "mue-2026q4"]
"""What each claim's check row names, as the night's scrub keeps it."""
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Steps:
    """Wall and CPU seconds per ledger step, and the PostgreSQL backend's CPU seconds."""

    def __init__(self, backend_cpu: Callable[[], float]) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.server: dict[str, float] = defaultdict(float)
        self._backend_cpu = backend_cpu

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu, server = time.perf_counter(), _cpu(), self._backend_cpu()
        yield
        self.wall[name] += time.perf_counter() - wall
        self.cpu[name] += _cpu() - cpu
        self.server[name] += self._backend_cpu() - server


def _records(first: int, count: int, source: str) -> list[ClaimRecord]:
    return [
        ClaimRecord(
            encounter_id=f"ENC{n:09d}",
            payer_id="87726",
            charge=Decimal("175.00") + n % 100,
            business_date=NIGHT,
            source_file=source,
        )
        for n in range(first, first + count)
    ]


def run(url: str, claims: int) -> dict:
    """Admit, record and mark ``claims`` claims in interchanges of 5,000; admit each file again."""
    with Ledger.open(url) as ledger:
        steps = Steps(_backend_cpu_reader(ledger))
        for n, first in enumerate(range(0, claims, PER_INTERCHANGE)):
            source = f"clinic/encounters/{NIGHT}/part-{n:03d}.jsonl.gz"
            count = min(PER_INTERCHANGE, claims - first)
            # 2 % of each file repeats claims the previous file sent: duplicates.
            repeats = _records(max(first - count // 50, 0), count // 50 if first else 0, source)
            records = repeats + _records(first, count, source)
            with steps.step("admit"):
                admission = ledger.admit_claims(records, now=AT)
            with steps.step("record checks"):
                ledger.record_checks(
                    [
                        ClaimCheck(c.clm01, source, NIGHT, "sent", [], RELEASES)
                        for c in admission.admitted
                    ],
                    now=AT,
                )
            isa13 = ledger.allocate("ISA:CLINIC:sandbox")[0]
            record = InterchangeRecord(
                profile="sandbox",
                sender="CLINIC",
                receiver="SANDBOXCH",
                isa13=isa13,
                gs06=isa13,
                file_name=f"{isa13:09d}.837",
                content=b"x" * 900 * count,
                business_date=NIGHT,
                claims=[
                    InterchangeClaim(c.clm01, c.generation, st02=i // 1000 + 1)
                    for i, c in enumerate(admission.admitted)
                ],
            )
            with steps.step("record interchange"):
                interchange_id = ledger.record_interchange(record, now=AT)
            with steps.step("mark uploaded"):
                ledger.mark_uploaded(interchange_id, record.file_name, at=AT)
            with steps.step("admit again (rerun)"):
                again = ledger.admit_claims(records, now=AT)
            assert len(again.handled) == count and not again.admitted, "a rerun admitted claims"
    return {
        step: {
            "wall_s": round(steps.wall[step], 2),
            "cpu_s": round(steps.cpu[step], 2),
            "claims_per_s": round(claims / max(steps.wall[step], 1e-9)),
            "server_cpu_s": round(steps.server[step], 2),
        }
        for step in steps.wall
    }


def _backend_cpu_reader(ledger: Ledger) -> Callable[[], float]:
    """CPU seconds of every PostgreSQL backend of this process's pool, read from /proc
    (the database runs on this machine); 0 on SQLite (it runs in this process)."""
    if ledger.engine.dialect.name != "postgresql":
        return lambda: 0.0
    pids: set[int] = set()

    def read() -> float:
        with ledger.engine.connect() as connection:
            pids.add(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    return read


@contextmanager
def _database(kind: str, postgres: str) -> Iterator[str]:
    """A fresh ledger database: a PostgreSQL schema (dropped after) or a SQLite file."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/ledger.db"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("claims", type=int, nargs="?", default=20_000)
    parser.add_argument(
        "--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"]
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("CLAIMS_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    args = parser.parse_args()
    for kind in args.databases:
        with _database(kind, args.postgres) as url:
            if os.environ.get("BENCH_CPROFILE"):
                import cProfile

                profile = f"{os.environ['BENCH_CPROFILE']}.{kind}"
                scope = {"url": url, "claims": args.claims}
                cProfile.runctx("r = run(url, claims)", globals(), scope, profile)
                report = scope["r"]
            else:
                report = run(url, args.claims)
        print(json.dumps({"database": kind, "claims": args.claims, "steps": report}, indent=1))


if __name__ == "__main__":
    main()
