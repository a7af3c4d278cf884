"""A flow run SIGKILLed with an interchange half-way over SFTP, then Retried.

The run (a real process running the nightly-submission flow against Prefect's test
server, one PostgreSQL ledger) stops inside paramiko's upload once the first 32 KiB of its
second interchange are out (``CLAIMS_FAULT=mid_upload``, :mod:`flows.faults`) and is
SIGKILLed there, connection and all.  The clearinghouse's received files are the truth:
before the Retry it took the first interchange and nothing of the second; after it, every
good encounter arrived exactly once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from flows.clearinghouse.sftp import temporary_name
from flows.ledger import ClaimState, InterchangeState
from flows.s3 import Area
from tests.pipeline.conftest import NIGHT, Night, night_encounters
from tests.pipeline.test_nightly import RUN

SMALL, LARGE = 3, 100
"""Encounters per file: the first file's interchange fits one 32 KiB chunk (its upload
never reaches the crash point), the others' take several."""


@pytest.mark.slow  # two flow-run processes end to end
@pytest.mark.postgres
def test_a_run_killed_mid_upload_is_retried_without_a_claim_twice_or_lost(
    night: Night, postgres_ledger_url: str, tmp_path: Path
) -> None:
    night = replace(night, ledger_url=postgres_ledger_url)
    night.sandbox.respond = False
    datas = night_encounters(SMALL + 2 * LARGE, seed=41, broken=0)
    night.put_encounters("a.jsonl", datas[:SMALL])
    night.put_encounters("b.jsonl", datas[SMALL : SMALL + LARGE])
    night.put_encounters("c.jsonl", datas[SMALL + LARGE :])
    marker = tmp_path / "killed-run.pid"
    env = {
        **os.environ,
        **night.env,
        "CLAIMS_LEDGER_URL": postgres_ledger_url,
        "CLAIMS_WORKER": "nightly-run-1",  # a Retry keeps its flow-run ID: the holder
        "CLAIMS_FAULT": "mid_upload",
        "CLAIMS_FAULT_MODE": "hang",
        "CLAIMS_FAULT_ONCE": str(marker),
    }
    log = tmp_path / "killed-run.log"
    with log.open("wb") as out:
        run = subprocess.Popen([sys.executable, "-c", RUN], env=env, stdout=out, stderr=out)
    try:
        pid = _wait_for_pid(marker, run, log)
        assert pid == run.pid
        os.kill(pid, signal.SIGKILL)
        run.wait(timeout=10)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == -signal.SIGKILL

    # Killed mid-upload: the first interchange went, the second is partly written under
    # its temporary name, which the clearinghouse never takes; the third was not begun.
    with night.ledger() as ledger:
        first, second, third = (ledger.interchange(i) for i in (1, 2, 3))
    assert [p.name for p in night.sandbox.received.iterdir()] == [first.file_name]
    assert first.state is InterchangeState.UPLOADED
    assert second.state is InterchangeState.UPLOADING
    archived = {
        o.key.rsplit("/", 1)[-1]: o.size for o in night.store.list_area(Area.OUTBOUND, NIGHT)
    }
    part = night.sandbox.inbound / temporary_name(second.file_name)
    assert part.exists() and part.stat().st_size < archived[second.file_name]
    # The run had taken the third for upload too (under its lease), sending none of it.
    assert third.state is InterchangeState.UPLOADING
    assert not (night.sandbox.inbound / temporary_name(third.file_name)).exists()

    retry = subprocess.run(
        [sys.executable, "-c", RUN],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert retry.returncode == 0, retry.stderr[-2000:]
    received = night.received_claims()
    assert Counter(received).most_common(1)[0][1] == 1, "a claim went out twice"
    assert set(received) == {d["encounter_id"].upper() for d in datas}, "a claim was lost"
    assert not list(night.sandbox.inbound.iterdir()), "a partial upload was left behind"
    with night.ledger() as ledger:
        sent = {c.clm01 for c in ledger.find_claims(states={ClaimState.SUBMITTED})}
    assert sent == set(received)


def _wait_for_pid(marker: Path, run: subprocess.Popen, log: Path, timeout: float = 90.0) -> int:
    """The PID the run writes when it reaches the crash point (it hangs there)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):  # not written yet
            return int(marker.read_text())
        if run.poll() is not None:
            raise AssertionError(f"the run ended first: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise AssertionError(
        f"the run never reached the middle of an upload: {log.read_text()[-2000:]}"
    )
