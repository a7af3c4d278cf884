"""The pre-bill hold: a held claim is not built, waits in the ledger with its coding
query, is released by the answer into the next night's build, and is never lost or sent
twice (reruns of either night change nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.holds import release_answered
from flows.ledger.held import Answer, HoldState, QueryStatus
from tests.night.conftest import NIGHT, Build, ecg_pair, office_visit


def test_a_held_claim_waits_and_its_answer_releases_it_into_the_next_night(
    build: Build,
) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-1"), office_visit("VISIT-1")])

    first = build.night()

    assert (first.claims, first.held, first.exceptions) == (1, 1, 0)
    assert first.holds == {"SNIP7.NCCI.PTP_NOT_ALLOWED": 1}
    assert set(build.sent()) == {"VISIT-1"}
    [hold] = build.ledger.find_holds()
    assert (hold.clm01, hold.state) == ("ECG-1", HoldState.HELD)
    [query] = build.ledger.find_queries()
    choices = [c["value"] for c in query.payload["choices"]]
    assert choices[-2:] == ["clinically undetermined", "other"] and "remove-line" in choices
    assert query.payload["facts"]["diagnoses"][0]["code"] == "I10"
    assert query.payload["facts"]["diagnoses"][0]["description"]

    build.crash_after("day.jsonl")
    again = build.night()  # the same file read again (Retry) holds nothing twice
    assert (again.claims, again.held) == (0, 0) and again.already_held == 1
    assert len(build.ledger.find_holds()) == 1 and len(build.ledger.find_queries()) == 1

    assert build.released().claims == 0  # unanswered: still held
    build.ledger.record_answers([Answer(query.query_id, "remove-line")])
    assert release_answered(build.ledger).released == ["ECG-1"]
    assert release_answered(build.ledger).released == []

    next_night = build.released(NIGHT + timedelta(days=1))
    assert (next_night.claims, next_night.released) == (1, 1)
    assert build.sent() == {"VISIT-1": ["99213"], "ECG-1": ["93000"]}
    ecg = build.ledger.find_checks(clm01s=["ECG-1"])
    assert [c.disposition for c in ecg] == ["held", "sent"]
    assert "SNIP7.NCCI.PTP_NOT_ALLOWED" not in {w["rule_id"] for w in ecg[1].warnings}
    [hold] = build.ledger.find_holds()
    assert hold.state == HoldState.SENT and hold.encounter["service_lines"][1]["procedure_code"]
    assert hold.encounter != hold.answered  # the input as it was stays beside the answer
    assert build.released(NIGHT + timedelta(days=2)).claims == 0
    assert build.night().claims == 0
    assert set(build.sent()) == {"VISIT-1", "ECG-1"}


def test_clinically_undetermined_releases_the_claim_as_it_was(build: Build) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-2")])
    build.night()
    [query] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(query.query_id, "clinically undetermined")])
    release_answered(build.ledger)

    assert build.released().claims == 1
    assert build.sent() == {"ECG-2": ["93000", "93005"]}


def test_other_keeps_the_claim_held_for_the_coder(build: Build) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-3")])
    build.night()
    [query] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(query.query_id, "other", "see addendum")])

    assert release_answered(build.ledger).released == []
    [query] = build.ledger.find_queries()
    assert query.status == QueryStatus.OTHER and query.answer_note == "see addendum"
    assert build.released().claims == 0


def test_a_claim_held_in_one_file_and_sent_from_another_is_not_sent_twice(
    build: Build,
) -> None:
    build.put("a.jsonl", [ecg_pair("ECG-4")])
    build.night(["a.jsonl"])
    fixed = office_visit("ECG-4")  # the EHR exports a corrected encounter the next day
    build.put("b.jsonl", [fixed])
    assert build.night(["b.jsonl"]).claims == 1
    [query] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(query.query_id, "clinically undetermined")])
    release_answered(build.ledger)

    later = build.released(NIGHT + timedelta(days=1))

    assert (later.claims, later.duplicates) == (0, 1)
    assert build.ledger.find_holds()[0].state == HoldState.DUPLICATE
    assert list(build.sent()) == ["ECG-4"]


def test_warnings_and_releases_are_kept_with_each_claim(build: Build) -> None:
    build.put("day.jsonl", [office_visit("VISIT-2"), ecg_pair("ECG-5")])
    build.night()

    checks = {c.clm01: c for c in build.ledger.find_checks(business_date=NIGHT)}
    assert len(checks) == len(build.ledger.find_checks(business_date=NIGHT))
    assert checks["VISIT-2"].disposition == "sent"
    assert checks["ECG-5"].disposition == "held"
    assert "ccipra-v323r0-f1.txt" in checks["VISIT-2"].releases
    assert "icd10cm_order_2027.txt" in checks["VISIT-2"].releases
    held = {w["rule_id"] for w in checks["ECG-5"].warnings}
    assert "SNIP7.NCCI.PTP_NOT_ALLOWED" in held
    for check in checks.values():
        for warning in check.warnings:
            assert set(warning) <= {"rule_id", "level", "message", "fix", "field"}


def test_a_crash_after_recording_a_released_claim_never_sends_it_twice(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-6")])
    build.night()
    [query] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(query.query_id, "remove-line")])
    release_answered(build.ledger)

    def crash(*_: object) -> None:
        raise RuntimeError("killed after the interchange was recorded")

    with monkeypatch.context() as patch:
        patch.setattr(build.ledger, "close_holds", crash)
        with pytest.raises(RuntimeError):
            build.released(NIGHT + timedelta(days=1))
    assert build.ledger.find_holds()[0].state == HoldState.RELEASED

    retry = build.released(NIGHT + timedelta(days=1))  # Prefect's Retry of that night

    assert (retry.claims, retry.skipped, retry.released) == (0, 1, 1)
    assert build.ledger.find_holds()[0].state == HoldState.SENT
    assert build.sent() == {"ECG-6": ["93000"]}
