"""The same service billed on an earlier night under another encounter ID is held for
the coder, naming the claim that billed it; the same night run again holds nothing; a
repeat said with 76/77/91 goes out; a released hold is asked again about a service billed
since it was held, unless its coder sent it as documented.  On SQLite and PostgreSQL (the
``build`` fixture)."""

from __future__ import annotations

from datetime import timedelta

from edi.worklists.coding_review import field_before_answers
from flows.holds import release_answered
from flows.ledger.held import Answer, HoldState, QueryStatus
from tests.night.conftest import NIGHT, Build, ecg_pair, office_visit

NEXT = NIGHT + timedelta(days=1)
DUPLICATE = "SNIP7.DUPLICATE.SERVICE"


def repeated(encounter_id: str, modifier: str) -> dict:
    data = office_visit(encounter_id)
    data["service_lines"][0]["modifiers"] = [modifier]
    return data


def test_a_service_billed_last_night_under_another_id_is_held_naming_that_claim(
    build: Build,
) -> None:
    build.put("day.jsonl", [office_visit("ENC-A")])
    assert build.night().claims == 1

    repeats = [repeated(f"ENC-{m}", m) for m in ("76", "77", "91")]
    build.put("day.jsonl", [office_visit("ENC-B"), *repeats], NEXT)
    second = build.night(day=NEXT)

    assert (second.held, second.holds.get(DUPLICATE)) == (1, 1)
    [hold] = build.ledger.find_holds()
    assert (hold.clm01, hold.state, hold.rule_ids) == ("ENC-B", HoldState.HELD, [DUPLICATE])
    [query] = build.ledger.find_queries()
    assert "already billed on claim ENC-A" in query.payload["reason"]
    assert "W123456789" not in query.payload["reason"]  # IDs of claims, never of members
    checks = {c.clm01: c for c in build.ledger.find_checks(business_date=NEXT)}
    for repeat in ("ENC-76", "ENC-77", "ENC-91"):
        assert DUPLICATE not in {w["rule_id"] for w in checks[repeat].warnings}
    assert set(build.sent()) == {"ENC-A", "ENC-76", "ENC-77", "ENC-91"}


def test_the_same_night_run_again_is_not_its_own_duplicate(build: Build) -> None:
    earlier = office_visit("VISIT-2")
    earlier["service_lines"][0]["service_date"] = (NIGHT - timedelta(days=1)).isoformat()
    build.put("day.jsonl", [office_visit("ENC-A"), earlier])
    assert build.night().claims == 2
    build.crash_after("day.jsonl")

    again = build.night()  # read again: its claims are in the ledger as billed

    assert (again.held, again.already_held, again.claims, again.skipped) == (0, 0, 0, 2)
    assert again.holds == {} and again.exceptions == 0
    assert build.ledger.find_holds() == []


def test_a_released_claim_billed_meanwhile_under_another_id_is_asked_again(
    build: Build,
) -> None:
    build.put("a.jsonl", [ecg_pair("ECG-1")])  # held: the NCCI pair
    assert build.night().held == 1
    meanwhile = ecg_pair("ECG-1B")  # the EHR sends the ECG again, without the tracing
    meanwhile["service_lines"] = meanwhile["service_lines"][:1]
    build.put("b.jsonl", [meanwhile], NEXT)
    assert build.night(day=NEXT).claims == 1
    [pair] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(pair.query_id, "remove-line")])
    assert release_answered(build.ledger).released == ["ECG-1"]

    later = build.released(NEXT + timedelta(days=1))  # 93000 again: billed by ECG-1B

    assert (later.claims, later.held, later.holds) == (0, 1, {DUPLICATE: 1})
    [hold] = build.ledger.find_holds([HoldState.HELD])
    assert hold.clm01 == "ECG-1" and DUPLICATE in hold.rule_ids
    [asked] = build.ledger.find_queries([QueryStatus.PENDING])
    assert "already billed on claim ECG-1B" in asked.payload["reason"]
    assert asked.field == "service_lines[0].procedure_code"

    # the coder confirms a second ECG that day: sent as documented, not asked a third time
    build.ledger.record_answers([Answer(asked.query_id, "clinically undetermined")])
    assert release_answered(build.ledger).released == ["ECG-1"]
    assert build.released(NEXT + timedelta(days=2)).claims == 1
    assert build.sent() == {"ECG-1B": ["93000"], "ECG-1": ["93000"]}


def test_a_line_field_of_the_answered_encounter_is_found_on_the_held_one() -> None:
    removed = [("service_lines[0].procedure_code", "remove-line"), (None, "code:I10")]
    assert field_before_answers("service_lines[1].units", removed) == "service_lines[2].units"
    assert field_before_answers("service_lines[0].units", []) == "service_lines[0].units"
    assert field_before_answers("diagnoses[0]", removed) == "diagnoses[0]"
