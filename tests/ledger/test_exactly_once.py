"""Exactly once: a claim enters one submitted interchange unless a correction or a fix
after a rejection asks for another, and reruns reconcile instead of building anew."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from flows.ledger import (
    ClaimEvent,
    ClaimsAlreadyRecorded,
    ClaimState,
    EventKind,
    InterchangeState,
    Ledger,
    LedgerError,
    UnknownClaims,
)
from flows.ledger.records import DUPLICATE_RULE_ID, AdmittedClaim
from tests.ledger.helpers import FILE_A, FILE_B, NOON, claim, interchange, submit


def test_a_rerun_of_the_same_file_after_submission_is_quietly_handled(ledger: Ledger) -> None:
    records = [claim("ENC-1"), claim("ENC-2")]
    submit(ledger, records)
    again = ledger.admit_claims(records)
    assert again.admitted == () and again.duplicates == ()
    assert sorted(again.handled) == ["ENC-1", "ENC-2"]
    assert ledger.find_exceptions() == []


def test_a_rerun_before_the_build_builds_the_same_generation(ledger: Ledger) -> None:
    first = ledger.admit_claims([claim("ENC-1", charge="100.00")])
    second = ledger.admit_claims([claim("ENC-1", charge="120.50")])
    assert first.admitted == second.admitted == (AdmittedClaim("ENC-1", 1, "1"),)
    [view] = ledger.find_claims(["enc-1"], all_generations=True)
    assert (view.state, str(view.charge)) == (ClaimState.ADMITTED, "120.50")


def test_a_later_file_repeating_a_submitted_encounter_is_an_exception(ledger: Ledger) -> None:
    interchange_id = submit(ledger, [claim("ENC-1")], at=NOON)
    isa13 = ledger.interchange(interchange_id).isa13
    admission = ledger.admit_claims([claim("enc-1", FILE_B)])
    assert admission.admitted == ()
    [duplicate] = admission.duplicates
    expected = f"already submitted on 2026-11-27 in interchange {isa13:09d}"
    assert (duplicate.clm01, duplicate.source_file, duplicate.message) == (
        "ENC-1",
        FILE_B,
        expected,
    )
    ledger.admit_claims([claim("ENC-1", FILE_B)])  # the later file read again
    [kept] = ledger.find_exceptions(source_file=FILE_B)
    assert (kept.subject, kept.rule_id, kept.reasons) == (
        "ENC-1",
        DUPLICATE_RULE_ID,
        ({"message": expected},),
    )


def test_the_same_encounter_twice_in_one_batch_goes_out_once(ledger: Ledger) -> None:
    admission = ledger.admit_claims([claim("ENC-1"), claim("ENC-1", FILE_B)])
    assert [a.clm01 for a in admission.admitted] == ["ENC-1"]
    assert "more than once in this batch" in admission.duplicates[0].message


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_a_correction_goes_out_as_a_new_generation(ledger: Ledger, frequency: str) -> None:
    submit(ledger, [claim("ENC-1")])
    admission = ledger.admit_claims([claim("ENC-1", FILE_B, frequency)])  # type: ignore[arg-type]
    assert admission.admitted == (AdmittedClaim("ENC-1", 2, frequency),)  # type: ignore[arg-type]
    submit(ledger, [claim("ENC-1", FILE_B, frequency)])  # type: ignore[arg-type]
    generations = ledger.find_claims(["ENC-1"], all_generations=True)
    assert [(c.generation, c.state) for c in generations] == [
        (1, ClaimState.SUBMITTED),
        (2, ClaimState.SUBMITTED),
    ]
    assert generations[0].isa13 != generations[1].isa13
    assert [c.generation for c in ledger.find_claims(["ENC-1"])] == [2]


def test_a_fixed_claim_goes_out_again_after_a_rejection(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1")])
    ledger.apply_events([ClaimEvent("ENC-1", EventKind.STATUS_REJECTED, NOON, "r.277")])
    admission = ledger.admit_claims([claim("ENC-1", FILE_B)])
    assert admission.admitted == (AdmittedClaim("ENC-1", 2, "1"),)


def test_recording_claims_another_run_recorded_first_stores_nothing(ledger: Ledger) -> None:
    admitted = ledger.admit_claims([claim("ENC-1"), claim("ENC-2")]).admitted
    winner = interchange(ledger, admitted)
    loser = interchange(ledger, admitted)
    ledger.record_interchange(winner)
    with pytest.raises(ClaimsAlreadyRecorded) as refused:
        ledger.record_interchange(loser)
    assert refused.value.clm01s == ("ENC-1", "ENC-2")
    assert ledger.find_interchange("CLINIC", "SANDBOXCH", isa13=loser.isa13) is None
    assert {c.isa13 for c in ledger.find_claims(["ENC-1", "ENC-2"])} == {winner.isa13}


def test_claims_must_be_admitted_before_they_are_recorded(ledger: Ledger) -> None:
    with pytest.raises(UnknownClaims, match="ENC-9#1"):
        ledger.record_interchange(interchange(ledger, [AdmittedClaim("ENC-9", 1, "1")]))


def test_a_reused_isa13_is_refused(ledger: Ledger) -> None:
    first = ledger.admit_claims([claim("ENC-1")]).admitted
    record = interchange(ledger, first)
    ledger.record_interchange(record)
    second = ledger.admit_claims([claim("ENC-2")]).admitted
    reused = interchange(ledger, second)
    with pytest.raises(LedgerError, match=f"ISA13 {record.isa13:09d}"):
        ledger.record_interchange(
            type(reused)(**{**_fields(reused), "isa13": record.isa13, "file_name": "other.837"})
        )


def _fields(record: object) -> dict[str, object]:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


def test_a_crash_before_upload_confirmation_reuploads_the_same_bytes(ledger: Ledger) -> None:
    admitted = ledger.admit_claims([claim("ENC-1")], now=NOON).admitted
    record = interchange(ledger, admitted)
    interchange_id = ledger.record_interchange(record, now=NOON)

    # run 1 takes it for upload, then crashes before confirming
    [first] = ledger.claim_pending_interchanges("run-1", now=NOON)
    assert (first.content, first.sha256, first.attempts) == (record.content, record.sha256, 1)
    assert ledger.claim_pending_interchanges("run-2", now=NOON + timedelta(minutes=5)) == []
    # the rerun finds nothing new to build, and the same file once the lease ran out
    assert ledger.admit_claims([claim("ENC-1")]).handled == ("ENC-1",)
    [again] = ledger.claim_pending_interchanges("run-2", now=NOON + timedelta(minutes=20))
    assert (again.id, again.content, again.file_name, again.attempts) == (
        interchange_id,
        record.content,
        record.file_name,
        2,
    )
    assert ledger.mark_uploaded(interchange_id, record.file_name, at=NOON) is True
    assert ledger.mark_uploaded(interchange_id, record.file_name, at=NOON) is False
    assert ledger.claim_pending_interchanges("run-3", now=NOON + timedelta(days=1)) == []
    view = ledger.interchange(interchange_id)
    assert (view.state, view.remote_name) == (InterchangeState.UPLOADED, record.file_name)
    assert [e.kind for e in ledger.timeline("ENC-1")] == [EventKind.BUILT, EventKind.SUBMITTED]


def test_a_released_interchange_is_retried_at_once(ledger: Ledger) -> None:
    admitted = ledger.admit_claims([claim("ENC-1")]).admitted
    interchange_id = ledger.record_interchange(interchange(ledger, admitted))
    assert len(ledger.claim_pending_interchanges("run-1")) == 1
    ledger.release_interchange(interchange_id, "run-1")
    assert [p.id for p in ledger.claim_pending_interchanges("run-2")] == [interchange_id]


def _together(count: int, work: object) -> list[object]:
    """Run ``work()`` in ``count`` threads released at the same instant; their results."""
    start = threading.Barrier(count)
    results: list[object] = []

    def run() -> None:
        start.wait()
        try:
            results.append(work())  # type: ignore[operator]
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_runs_at_once_record_each_claim_once(ledger_url: str, round_: int) -> None:
    """Ops clicks Retry while the schedule fires: both admit and build the same batch."""
    Ledger.open(ledger_url).close()
    records = [claim(f"R{round_}-{n:03d}", FILE_A) for n in range(40)]

    def nightly_run() -> object:
        with Ledger.open(ledger_url, migrate=False) as ledger:
            admission = ledger.admit_claims(records)
            if not admission.admitted:
                return "nothing to build"
            try:
                return ledger.record_interchange(interchange(ledger, admission.admitted))
            except ClaimsAlreadyRecorded:
                return "lost the race"

    outcomes = _together(2, nightly_run)
    recorded = [o for o in outcomes if isinstance(o, int)]
    assert len(recorded) == 1, outcomes
    assert all(o in ("nothing to build", "lost the race") for o in outcomes if o not in recorded)
    with Ledger.open(ledger_url, migrate=False) as ledger:
        claims = ledger.find_claims([r.clm01 for r in records], all_generations=True)
        assert len(claims) == len(records)
        assert {(c.generation, c.state) for c in claims} == {(1, ClaimState.BUILT)}
        assert len(ledger.interchange(recorded[0]).claims) == len(records)


def test_two_workers_never_take_the_same_pending_upload(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        for n in range(4):
            admitted = ledger.admit_claims([claim(f"ENC-{n}")]).admitted
            ledger.record_interchange(interchange(ledger, admitted))
    counter = iter(range(2))

    def worker() -> object:
        name = f"worker-{next(counter)}"
        with Ledger.open(ledger_url, migrate=False) as ledger:
            return [p.id for p in ledger.claim_pending_interchanges(name, limit=10)]

    taken = _together(2, worker)
    ids = [i for result in taken for i in result]  # type: ignore[attr-defined]
    assert sorted(ids) == [1, 2, 3, 4]
