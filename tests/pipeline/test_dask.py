"""The build step of a night on a Dask cluster of worker processes (prefect-dask's
DaskTaskRunner on ``distributed.LocalCluster``): a worker SIGKILLed mid-batch costs no
claim and sends none twice, and code sets and rules load once per worker process."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.pipeline.conftest import NIGHT, Night, night_encounters

FILES = 8


def _loads() -> dict[str, int]:
    """How often this process built its code sets and payer profiles (cache misses)."""
    from edi.codesets import bundled_code_sets
    from mappings.profiles import payer_profiles

    return {
        "code_sets": bundled_code_sets.cache_info().misses,
        "payer_profiles": payer_profiles.cache_info().misses,
    }


def _wait_for_pid(marker: Path, timeout: float = 600.0) -> int:
    """The hung worker's PID.  The wait ends as soon as it is there.  A 60 s timeout failed
    this thread at load average 30, nobody killed the hung worker, and the night waited
    for its batch for good (the test hung instead of failing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = marker.read_text() if marker.exists() else ""
        if text.strip():
            return int(text)
        time.sleep(0.05)
    raise AssertionError("no Dask worker reached the build's after_record point")


@pytest.mark.slow
def test_a_dask_worker_killed_mid_batch_costs_no_claim_and_sends_none_twice(
    night: Night, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    from flows.nightly import nightly_submission
    from tests.pipeline.test_nightly import good_ids

    datas = night_encounters(FILES * 30, seed=19, broken=0.1)
    for n in range(FILES):
        night.put_encounters(f"clinic-{n}.jsonl", datas[n::FILES])
    marker = tmp_path / "hung-worker.pid"
    # The first worker to record an interchange stops there (its PID in the marker) and is
    # SIGKILLed from here: a batch dies with its file taken and part of it recorded.
    monkeypatch.setenv("CLAIMS_FAULT", "after_record")
    monkeypatch.setenv("CLAIMS_FAULT_MODE", "hang")
    monkeypatch.setenv("CLAIMS_FAULT_ONCE", str(marker))
    monkeypatch.setenv("CLAIMS_FILES_PER_TASK", "1")
    monkeypatch.setenv("CLAIMS_WORKER", "dask-night")  # a Retry's identity, as Prefect's
    monkeypatch.setenv("CLAIMS_HELD_WAIT_SECONDS", "0")
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit=0,
    )
    with cluster, Client(cluster) as client:
        monkeypatch.setenv("CLAIMS_DASK_ADDRESS", cluster.scheduler_address)
        pids = set(client.run(os.getpid).values())
        assert os.getpid() not in pids, "workers are processes of their own"

        killed: list[int] = []

        def kill_the_hung_worker() -> None:
            pid = _wait_for_pid(marker)
            assert pid in pids, "the batch ran in a Dask worker process"
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        killer = threading.Thread(target=kill_the_hung_worker, daemon=True)
        killer.start()
        with get_task_stream(client) as stream:
            # Dask gives the dead worker's batch to another; the batch takes its own file
            # back (same run identity) and skips what the dead one recorded.
            first = nightly_submission(NIGHT)
        killer.join(timeout=60)
        assert killed, "no worker was killed mid-batch"
        received = night.received_claims()
        assert Counter(received).most_common(1)[0][1] == 1, "a claim went out twice"
        assert set(received) == good_ids(datas, night), "a claim was lost"
        assert first["skipped_already_built"] > 0, (
            "the dead worker's recorded claims were built again"
        )

        again = nightly_submission(NIGHT)  # a rerun sends nothing more
        assert again["claims"] == 0 and sorted(night.received_claims()) == sorted(received)

        batches = Counter(task["worker"] for task in stream.data)
        loads = client.run(_loads)
    # The surviving worker ran several batches and built its code sets and rules once.
    busy = [worker for worker, count in batches.items() if count >= 2 and worker in loads]
    assert busy, f"no surviving worker ran two batches: {batches}"
    for worker in busy:
        assert loads[worker] == {"code_sets": 1, "payer_profiles": 1}, (worker, loads)
