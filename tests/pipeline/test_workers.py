"""Several Prefect process workers on one work pool, one PostgreSQL ledger: a night fanned out
as one flow run per clinic (each clinic's encounters under its own S3 prefix, each with its
own clearinghouse profile).  One worker's flow run is SIGKILLed mid-night, then the worker
itself; the surviving worker runs a new run of that clinic's deployment, which takes the dead
run's file over once its (shortened) lease ends.  Counted at the sandbox clearinghouse:
every good encounter arrived exactly once.  A clinic's uploads wait for a slot of its
profile's Prefect concurrency limit."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from flows.ledger import FileStatus
from flows.nightly import upload_limit_name
from flows.s3 import S3Store
from mappings.profiles import HERE as MAPPINGS
from tests.pipeline.conftest import NIGHT, Night, night_encounters

CLINICS = ("clinic-a", "clinic-b", "clinic-c")
FILES_PER_CLINIC = 3
KILLED, GATED = "clinic-a", "clinic-c"
LEASE_S = 4.0
POOL = "claims-test-pool"


def _profile(folder: Path, clinic: str) -> Path:
    """The sandbox profile as the clinic's own: its name, submitter ID and file names."""
    data = yaml.safe_load((MAPPINGS / "clearinghouses" / "sandbox.yaml").read_text())
    sender = clinic.upper().replace("-", "")
    data |= {"name": clinic, "sender": {"qualifier": "ZZ", "id": sender}}
    data["submitter"] = data["submitter"] | {"id": sender}
    data["transport"] = data["transport"] | {"file_name": "{profile}-{isa13}.837"}
    path = folder / f"{clinic}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _wait(what: str, done: Callable[[], object], timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := done():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _ancestors(pid: int) -> Iterator[int]:
    while pid > 1:
        pid = _parent(pid)
        yield pid


async def _deploy(env_of: dict[str, dict[str, str]]) -> dict[str, str]:
    """A process work pool and one deployment of nightly-submission per clinic; their IDs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    async with get_client() as client:
        template = ProcessWorker.get_default_base_job_template()
        await client.create_work_pool(
            WorkPoolCreate(name=POOL, type="process", base_job_template=template),
            overwrite=True,
        )
        for clinic in CLINICS:
            name = upload_limit_name(clinic)
            with contextlib.suppress(Exception):  # not there yet: a fresh server
                await client.delete_global_concurrency_limit_by_name(name)
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=1)
            )
        flow_id = await client.create_flow_from_name("nightly-submission")
        return {
            clinic: str(
                await client.create_deployment(
                    flow_id=flow_id,
                    name=f"nightly-{clinic}",
                    entrypoint="flows/nightly.py:nightly_submission",
                    work_pool_name=POOL,
                    pull_steps=[{"flows.project.enter_project": {}}],
                    job_variables={"env": env_of[clinic]},
                    parameters={"business_date": NIGHT.isoformat()},
                )
            )
            for clinic in CLINICS
        }


async def _run(deployment_id: str) -> str:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        run = await client.create_flow_run_from_deployment(deployment_id)
        return str(run.id)


async def _states(run_ids: list[str]) -> dict[str, str]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return {i: (await client.read_flow_run(i)).state.type.value for i in run_ids}


def _finished(run_ids: list[str]) -> dict[str, str] | None:
    states = asyncio.run(_states(run_ids))
    final = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
    return states if all(s in final for s in states.values()) else None


def _start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL]
    command += ["--type", "process", "--name", name, "--limit", "2"]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_one_postgres_ledger_a_killed_run_is_taken_over(
    night: Night, postgres_ledger_url: str, s3_config, tmp_path: Path
) -> None:
    from prefect.concurrency.sync import concurrency

    from tests.pipeline.test_nightly import good_ids

    night = replace(night, ledger_url=postgres_ledger_url)
    night.sandbox.respond = False
    datas = night_encounters(len(CLINICS) * FILES_PER_CLINIC * 12, seed=29, broken=0.1)
    marker = tmp_path / "killed-run.pid"
    env_of = _put_clinics(night, s3_config, datas, tmp_path)
    # Clinic A's first run stops after recording its first interchange; a new run does not.
    env_of[KILLED] |= {
        "CLAIMS_FAULT": "after_record",
        "CLAIMS_FAULT_MODE": "hang",
        "CLAIMS_FAULT_ONCE": str(marker),
    }
    shared = {
        **os.environ,
        **night.env,
        "CLAIMS_LEDGER_URL": postgres_ledger_url,
        "CLAIMS_FILES_PER_TASK": "1",
        "CLAIMS_FILE_LEASE_SECONDS": str(LEASE_S),
        "CLAIMS_UPLOAD_LEASE_SECONDS": str(LEASE_S),
        "CLAIMS_HELD_WAIT_SECONDS": "0",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "0",
    }
    deployments = asyncio.run(_deploy(env_of))
    workers = {name: _start_worker(name, shared, tmp_path / f"{name}.log") for name in ("w1", "w2")}
    try:
        with concurrency(upload_limit_name(GATED), occupy=1, lease_duration=60):
            runs = {clinic: asyncio.run(_run(deployments[clinic])) for clinic in CLINICS}
            pid = int(_wait("clinic A's run to stop mid-night", lambda: _read(marker)))
            hosting = next(n for n, w in workers.items() if w.pid in set(_ancestors(pid)))
            os.kill(pid, signal.SIGKILL)  # the flow-run process, mid-night
            # Clinic C built its night but holds no upload slot (the test has it): nothing
            # of C reached the clearinghouse.
            _wait("clinic C to build", lambda: _all_done(night, GATED))
            time.sleep(1.0)
            assert not _received(night, GATED), "clinic C uploaded without a slot"
        first = _wait("the first runs to end", lambda: _finished(list(runs.values())), 90)
        # Its worker reported the killed run; now that worker goes too (its other runs are
        # over), so the Retry can only run on the survivor.
        workers[hosting].send_signal(signal.SIGKILL)
        workers[hosting].wait(timeout=10)
        held = _held(night, KILLED)
        assert held and {f.taken_by for f in held} == {runs[KILLED]}, held
        time.sleep(max(0.0, LEASE_S + 0.5 - _age(held)))
        retry = asyncio.run(_run(deployments[KILLED]))  # the dead run's lease has ended
        states = _wait("the Retry to end", lambda: _finished([retry]), timeout=90)
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers.values():
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()

    assert first[runs[KILLED]] == "CRASHED", first
    assert all(first[runs[c]] == "COMPLETED" for c in CLINICS if c != KILLED), first
    assert states[retry] == "COMPLETED", _log_tail(tmp_path)
    survivor = next(n for n in workers if n != hosting)
    assert retry in (tmp_path / f"{survivor}.log").read_text(), "the survivor ran the retry"
    logs = {n: (tmp_path / f"{n}.log").read_text() for n in workers}
    assert all(any(r in text for r in runs.values()) for text in logs.values()), (
        "the night was not spread over both workers"
    )

    received = night.received_claims()
    assert Counter(received).most_common(1)[0][1] == 1, "a claim went out twice"
    assert set(received) == good_ids(datas, night), "a claim was lost"
    with night.ledger() as ledger:
        files = ledger.ingested_files(NIGHT)
    assert all(f.status == FileStatus.DONE for f in files)
    taken_over = {f.key: f.taken_by for f in files if f.key in {h.key for h in held}}
    assert set(taken_over.values()) == {retry}, "the dead run's file was not taken over"
    assert all(_received(night, c) for c in CLINICS)


def _put_clinics(night: Night, s3_config, datas: list[dict], folder: Path) -> dict[str, dict]:
    """Each clinic's files under its own S3 prefix; the environment of its deployment."""
    env_of: dict[str, dict[str, str]] = {}
    for c, clinic in enumerate(CLINICS):
        store = S3Store(replace(s3_config, prefix=clinic))
        clinic_night = replace(night, store=store)
        for f in range(FILES_PER_CLINIC):
            part = datas[c * FILES_PER_CLINIC + f :: len(CLINICS) * FILES_PER_CLINIC]
            clinic_night.put_encounters(f"{clinic}-{f}.jsonl", part)
        profile = str(_profile(folder, clinic))
        env_of[clinic] = {"CLAIMS_S3_PREFIX": clinic, "CLAIMS_PROFILE": profile}
    return env_of


def _read(marker: Path) -> str:
    return marker.read_text().strip() if marker.exists() else ""


def _all_done(night: Night, clinic: str) -> bool:
    with night.ledger() as ledger:
        files = [f for f in ledger.ingested_files(NIGHT) if f.key.startswith(f"{clinic}/")]
    return len(files) == FILES_PER_CLINIC and all(f.status == FileStatus.DONE for f in files)


def _held(night: Night, clinic: str) -> list:
    """The clinic's files a run has taken and not finished."""
    with night.ledger() as ledger:
        files = ledger.ingested_files(NIGHT)
    return [f for f in files if f.key.startswith(f"{clinic}/") and f.status == FileStatus.TAKEN]


def _age(files: list) -> float:
    """Seconds since the latest of ``files`` was taken (the ledger's clock is UTC)."""
    from flows.ledger.store import utcnow

    return min((utcnow() - f.taken_at).total_seconds() for f in files)


def _received(night: Night, clinic: str) -> list[Path]:
    return [p for p in night.sandbox.received.iterdir() if p.name.startswith(f"{clinic}-")]


def _log_tail(folder: Path) -> str:
    return "\n".join((folder / f"{n}.log").read_text()[-3000:] for n in ("w1", "w2"))
