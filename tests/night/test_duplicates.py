"""The same service billed on an earlier night under another encounter ID is held for
the coder, naming the claim that billed it; the same night run again holds nothing; a
repeat said with 76/77/91 goes out.  On SQLite and PostgreSQL (the ``build`` fixture)."""

from __future__ import annotations

from datetime import timedelta

from flows.ledger.held import HoldState
from tests.night.conftest import NIGHT, Build, office_visit

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
