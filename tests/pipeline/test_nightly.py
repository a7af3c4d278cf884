"""The nightly flows end to end on real servers: exactly once, reruns safe."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from flows.faults import POINTS
from flows.ledger import ClaimState
from flows.ledger.eligibility import EligibilityStatus
from flows.ledger.held import HoldState
from flows.nightly import business_date_of, ingest_responses, nightly_submission
from flows.s3 import Area, S3Config, S3Store
from flows.settings import Settings
from sandbox.server import SandboxClearinghouse
from tests.pipeline.conftest import NIGHT, Night, night_encounters


def _artifacts() -> list:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_artifacts()


def good_ids(datas: list[dict], night: Night) -> set[str]:
    """Encounters that pass the rules: what must arrive, exactly once."""
    with night.ledger() as ledger:
        refused = {e.subject.upper() for e in ledger.find_exceptions(business_date=NIGHT)}
        held = {h.clm01 for h in ledger.find_holds()}  # waiting for coding review
    assert refused, "the test data carries broken encounters"
    return {d["encounter_id"].upper() for d in datas} - refused - held


@pytest.mark.slow
def test_a_night_submits_every_good_encounter_once(night: Night) -> None:
    datas = night_encounters(25)
    night.put_encounters("clinic-a.jsonl", datas[:15])
    night.put_encounters("clinic-b.jsonl", datas[15:])

    result = nightly_submission(NIGHT)

    received = night.received_claims()
    assert Counter(received).most_common(1)[0][1] == 1
    assert set(received) == good_ids(datas, night)
    assert result["claims"] == len(received)
    assert result["claims"] + result["exceptions"] + result["scrub"]["held"] == 25
    assert result["exceptions"] > 0, "the synthetic night carries broken encounters"
    with night.ledger() as ledger:
        states = Counter(c.state for c in ledger.find_claims())
    assert states == {ClaimState.SUBMITTED: len(received)}
    outbound = list(night.store.list_area(Area.OUTBOUND, NIGHT))
    assert len(outbound) == len(result["interchanges"])

    artifacts = json.dumps([a.data for a in _artifacts()], default=str)
    assert "nightly-submission" in json.dumps([a.key for a in _artifacts()])
    for data in datas:
        for person in (data["subscriber"], data.get("patient") or {}):
            for field in ("last_name", "first_name", "birth_date", "member_id"):
                value = person.get(field)
                assert not value or value.upper() not in artifacts.upper(), field

    again = nightly_submission(NIGHT)
    assert again["claims"] == 0 and again["files"] == 0
    assert sorted(night.received_claims()) == sorted(received)


@pytest.mark.slow
def test_an_encounter_sent_again_later_is_an_exception(night: Night) -> None:
    datas = night_encounters(5, broken=0)
    night.put_encounters("day1.jsonl", datas)
    nightly_submission(NIGHT)
    night.put_encounters("day1-resent.jsonl", datas[:2])
    result = nightly_submission(NIGHT)
    assert result["claims"] == 0
    assert result["duplicates"] == 2
    assert len(night.received_claims()) == 5
    with night.ledger() as ledger:
        dup = [e for e in ledger.find_exceptions() if e.source_file.endswith("resent.jsonl")]
    assert len(dup) == 2 and "already submitted" in dup[0].reasons[0]["message"]


@pytest.mark.slow
def test_responses_move_claims_and_are_archived(night: Night) -> None:
    night.put_encounters("clinic.jsonl", night_encounters(12, broken=0))
    nightly_submission(NIGHT)
    (night.sandbox.outbound / "garbage.999").write_bytes(b"not X12 at all\n")
    result = ingest_responses(NIGHT)
    assert result["files"], "the sandbox answers every upload"
    assert result["unreadable"] == ["garbage.999"], "one bad file stops nothing else"
    assert (night.sandbox.outbound / "garbage.999").exists(), "left for ops"
    inbound = {o.key.rsplit("/", 1)[-1] for o in night.store.list_area(Area.INBOUND, NIGHT)}
    assert set(result["files"]) <= inbound
    with night.ledger() as ledger:
        states = Counter(c.state for c in ledger.find_claims())
    assert ClaimState.SUBMITTED not in states
    assert states.keys() & {ClaimState.PAID, ClaimState.DENIED, ClaimState.PARTIALLY_PAID}
    workbooks = list((Path(night.env["CLAIMS_DATA_DIR"]) / "worklists").rglob("*.xlsx"))
    assert workbooks, "ingest refreshes the worklists"
    again = ingest_responses(NIGHT)
    assert again["files"] == [] and again["unreadable"] == ["garbage.999"]


RUN = (
    "from datetime import date; from flows.nightly import nightly_submission; "
    f"nightly_submission(date.fromisoformat('{NIGHT.isoformat()}'))"
)
NEXT_DAY = NIGHT + timedelta(days=1)
MORNING_AND_NEXT_NIGHT = (
    "from datetime import date; from flows.nightly import ingest_responses, nightly_submission; "
    f"day = date.fromisoformat('{NEXT_DAY.isoformat()}'); "
    "ingest_responses(day); nightly_submission(day)"
)
"""The answers read (the 271s among them) and the next night, which sends the claims
their 271 released."""
CHECKED_PAYER = "87726"
"""The payer whose claims wait for a 271 in the kill test's night (issue 16)."""


def _run_all(
    envs: dict[str, dict[str, str]], code: str = RUN
) -> dict[str, subprocess.CompletedProcess]:
    """Run ``code`` (the night's flow) once per environment, all at once (each in its own
    process)."""
    started = {
        point: subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for point, env in envs.items()
    }
    done = {}
    for point, process in started.items():
        out, err = process.communicate(timeout=300)
        done[point] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


@pytest.mark.slow
def test_killed_at_any_step_the_rerun_sends_each_claim_once(
    night: Night, tmp_path: Path, s3_config: S3Config
) -> None:
    """Kill the flow (the process dies at once, as in a power cut) at every step boundary
    and at seeded random times, rerun it as Prefect's Retry does (same flow-run identity),
    and count at the clearinghouse: every good encounter arrived exactly once, and the
    ledger agrees.  One payer is checked by 270/271 (issue 16), so the eligibility pass's
    boundaries are killed too: its claims are held, each member's 270 inquiry arrives
    exactly once, and after the 271s are read the next night sends the claims they
    released, once, and none of those they held."""
    datas = night_encounters(8, seed=11, broken=0.25)
    rng = random.Random(2026)
    at_random = {f"random-{n}": rng.uniform(2.0, 8.0) for n in range(2)}
    nights: dict[str, Night] = {}
    envs: dict[str, dict[str, str]] = {}
    for point in (*POINTS, *at_random):
        sandbox = SandboxClearinghouse(tmp_path / point / "sandbox", seed=5).start()
        config = replace(s3_config, prefix=f"fault-{point}")
        ledger_url = f"sqlite:///{tmp_path / point / 'ledger.sqlite'}"
        env = {
            **os.environ,
            **night.env,
            "CLAIMS_S3_PREFIX": config.prefix,
            "CLAIMS_LEDGER_URL": ledger_url,
            "CLAIMS_DATA_DIR": str(tmp_path / point),
            "CLAIMS_SFTP_PORT": str(sandbox.port),
            "CLAIMS_SFTP_HOST_KEY": sandbox.host_key_line,
            "CLAIMS_SFTP_KEY": str(sandbox.client_key_path),
            "CLAIMS_WORKER": f"retry-{point}",
            "CLAIMS_ELIGIBILITY_PAYERS": CHECKED_PAYER,
        }
        nights[point] = Night(S3Store(config), sandbox, ledger_url, env)
        nights[point].put_encounters("clinic.jsonl", datas)
        _secondary_ready(nights[point])
        envs[point] = env
    try:
        killed = _run_all(
            {p: {**envs[p], "CLAIMS_FAULT": p, "CLAIMS_FAULT_MODE": "exit"} for p in POINTS}
        )
        for point, result in killed.items():
            assert result.returncode == 70, (point, result.stderr[-2000:])
        stopped = _kill_after(at_random, envs)  # wherever the process happens to be
        assert stopped, "no random kill landed mid-run: the trials tested nothing"
        reruns = _run_all(envs)
        for point, result in reruns.items():
            assert result.returncode == 0, (point, result.stderr[-2000:])
        asked = {}
        for point, n in nights.items():
            received = n.received_claims()
            assert len(received) == len(set(received)), f"a claim went out twice after {point}"
            assert set(received) == good_ids(datas, n) | {COB_CLAIM}, point
            with n.ledger() as ledger:
                sent = {c.clm01 for c in ledger.find_claims(states={ClaimState.SUBMITTED})}
            assert sent == set(received), point
            asked[point] = _asked_once(n, point)
        # The morning's 271s and the next night, where the 270s were interrupted (the
        # other trials were killed before the eligibility pass: their rerun made it whole,
        # as _asked_once shows, at the cost of a third process each).
        followed = {p: e for p, e in envs.items() if p.startswith(("eligibility_", "random-"))}
        for point, result in _run_all(followed, MORNING_AND_NEXT_NIGHT).items():
            assert result.returncode == 0, (point, result.stderr[-2000:])
        for point in followed:
            _released_once(nights[point], datas, point)
            assert nights[point].received_inquiries() == asked[point], f"{point}: asked again"
    finally:
        for n in nights.values():
            n.sandbox.stop()


COB_CLAIM = "ENC-COB-S1"


def _asked_once(night: Night, point: str) -> list[str]:
    """The checked payer's clean claims are held, each waiting member's 270 inquiry came
    in exactly once, and the ledger knows every 270 as sent; returns the traces."""
    traces = night.received_inquiries()
    with night.ledger() as ledger:
        rows = ledger.eligibility_rows()
        files = ledger.eligibility_files()
    assert rows, f"{point}: no claim of payer {CHECKED_PAYER} waited for a 271"
    assert len(traces) == len(set(traces)), f"{point}: a 270 inquiry went out twice"
    assert set(traces) == {r.asked_trace for r in rows}, point
    assert {r.status for r in rows} == {EligibilityStatus.ASKED}, point
    assert files and all(f.sent_at for f in files), point
    return traces


def _released_once(night: Night, datas: list[dict], point: str) -> None:
    """After the 271s and the next night: every check answered; each claim its 271 cleared
    went to its payer exactly once, and each claim it held (what the 271 said: the holds
    it decided) went nowhere; no bill, primary or next payer, went out twice."""
    bills = night.received_bills()
    assert len(bills) == len(set(bills)), f"{point}: a claim went out twice"
    with night.ledger() as ledger:
        rows = ledger.eligibility_rows()
    assert {r.status for r in rows} == {EligibilityStatus.ANSWERED}, point
    cleared = {r.clm01 for r in rows if r.answer and not r.answer["holds"]}
    assert cleared, f"{point}: no 271 cleared a claim; the next night tested nothing"
    for row in rows:
        expected = HoldState.SENT if row.clm01 in cleared else HoldState.HELD
        assert row.hold_state == expected, (point, row.clm01, row.answer)
    primary = {clm01 for clm01, sequence in bills if sequence == "P"}
    assert primary == good_ids(datas, night) | cleared, point
    assert (COB_CLAIM, "S") in bills, point


def _secondary_ready(night: Night) -> None:
    """COB: a claim to a next payer decided from an earlier 835, for this night to send."""
    from decimal import Decimal

    from edi.claims.models import Encounter
    from flows.ledger.next_payer import NextPayerWrite
    from tests.cob.cases import secondary

    enc = Encounter.model_validate(secondary()).model_dump(mode="json", exclude_none=True)
    with night.ledger() as ledger:
        write = NextPayerWrite(
            clm01=COB_CLAIM,
            payer_sequence="S",
            payer_id="SBXGAP",
            state="ready",
            reason="bill SBXGAP",
            prior_paid=Decimal("120.00"),
            prior_claim_number="ICN0001",
            source_file="earlier.835",
            decided_on=NIGHT,
            encounter=enc,
        )
        ledger.record_next_payers([write])


def _kill_after(seconds: dict[str, float], envs: dict[str, dict[str, str]]) -> list[str]:
    """Start the flow for each trial at once and SIGKILL it after its own delay; the
    trials the signal stopped mid-run (the others had finished)."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-c", RUN],
            env=envs[name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in seconds
    }
    begun = time.monotonic()
    for name, delay in sorted(seconds.items(), key=lambda item: item[1]):
        time.sleep(max(0.0, begun + delay - time.monotonic()))
        started[name].send_signal(signal.SIGKILL)
    for process in started.values():
        process.wait(timeout=60)
    return [name for name, p in started.items() if p.returncode == -signal.SIGKILL]


@pytest.mark.slow
@pytest.mark.postgres
def test_two_submissions_at_once_on_postgres_send_each_claim_once(
    night: Night, postgres_ledger_url: str
) -> None:
    """Ops clicks Retry while the schedule fires: two runs, one PostgreSQL ledger."""
    night = replace(night, ledger_url=postgres_ledger_url)
    datas = night_encounters(40, seed=21, broken=0.1)
    for n in range(4):
        night.put_encounters(f"part-{n}.jsonl", datas[n::4])
    env = {**os.environ, **night.env, "CLAIMS_LEDGER_URL": postgres_ledger_url}
    runs = _run_all(
        {
            "schedule": {**env, "CLAIMS_WORKER": "scheduled"},
            "retry": {**env, "CLAIMS_WORKER": "ops-retry"},
        }
    )
    for name, result in runs.items():
        assert result.returncode == 0, (name, result.stderr[-2000:])
    received = night.received_claims()
    assert len(received) == len(set(received)), "a claim went out twice"
    assert set(received) == good_ids(datas, night)


def test_the_business_date_is_the_night_before_the_scheduled_start() -> None:
    settings = Settings()
    scheduled = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # 01:00 in New York
    assert business_date_of(scheduled, settings) == date(2026, 11, 26)
    # A Retry at 09:00 keeps the run's scheduled start, so the same night.
    assert business_date_of(scheduled, settings) == business_date_of(scheduled, settings)
    assert business_date_of(datetime(2026, 11, 27, 4, 59, tzinfo=UTC), settings) == date(
        2026, 11, 25
    )
