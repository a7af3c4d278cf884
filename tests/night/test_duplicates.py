"""The same service billed on an earlier night under another encounter ID is held for
the coder, naming the claim that billed it; the same night run again holds nothing; a
repeat said with 76/77/91 goes out; a released hold is asked again about a service billed
since it was held, unless its coder sent it as documented.  On SQLite and PostgreSQL (the
``build`` fixture)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from edi.claims.models import Encounter
from edi.codesets import bundled_code_sets
from edi.findings import Finding
from edi.worklists.coding_review import (
    UNDETERMINED,
    apply_answers,
    bills_nothing,
    field_before_answers,
    query_payload,
)
from flows.cli import main
from flows.holds import release_answered
from flows.ledger.held import Answer, CodingQuery, HoldState, QueryStatus
from flows.worklists.coding_review import write_coding_review
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


AT = "service_lines[0].procedure_code"


def _duplicate_query(build: Build, first: dict, again: dict) -> CodingQuery:
    """``again`` held as a duplicate of ``first``, billed the night before."""
    build.put("day.jsonl", [first])
    assert build.night().claims == 1
    build.put("day.jsonl", [again], NEXT)
    assert build.night(day=NEXT).held == 1
    [query] = build.ledger.find_queries()
    return query


def test_the_duplicate_query_offers_the_repeat_modifiers_and_not_billing_the_line(
    build: Build, tmp_path: Path, ledger_url: str, capsys: pytest.CaptureFixture
) -> None:
    query = _duplicate_query(build, office_visit("ENC-A"), office_visit("ENC-B"))
    values = [c["value"] for c in query.payload["choices"]]
    assert values == ["modifier:76", "modifier:77", "remove-line", UNDETERMINED, "other"]
    assert "modifier:91" not in values  # 99213 is no laboratory test
    labels = [c["label"] for c in query.payload["choices"]]
    assert labels[0] == "Repeat procedure by the same provider on the same day (76)"
    assert labels[2] == "Not a separate service: do not bill line 1"
    review = write_coding_review(build.ledger, NEXT, NEXT, tmp_path, 7)
    assert "modifier:77  (Repeat procedure by another provider (77))" in (
        Path(review.report).read_text()
    )

    (tmp_path / "a.csv").write_text(f"Query ID,Answer\n{query.query_id},76\n")
    assert main(["queries", "import", str(tmp_path / "a.csv"), "--ledger", ledger_url]) == 0
    assert "1 claim(s) released" in capsys.readouterr().out

    later = build.released(NEXT + timedelta(days=1))  # 76 said: no duplicate any more
    assert (later.claims, later.held) == (1, 0)
    [hold] = build.ledger.find_holds()
    assert hold.state == HoldState.SENT and hold.answered["service_lines"][0]["modifiers"] == ["76"]
    assert build.sent() == {"ENC-A": ["99213"], "ENC-B": ["99213"]}


def test_a_duplicate_whose_only_line_is_not_billed_is_closed_as_not_billed(
    build: Build, tmp_path: Path
) -> None:
    query = _duplicate_query(build, office_visit("ENC-A"), office_visit("ENC-B"))
    build.ledger.record_answers([Answer(query.query_id, "remove-line")])

    summary = release_answered(build.ledger)

    assert (summary.released, summary.not_billed) == ([], ["ENC-B"])
    [hold] = build.ledger.find_holds()
    assert (hold.state, hold.answered["service_lines"]) == (HoldState.NOT_BILLED, [])
    assert release_answered(build.ledger).not_billed == []  # closed once
    assert build.released(NEXT + timedelta(days=1)).claims == 0
    assert build.sent() == {"ENC-A": ["99213"]}
    counts = write_coding_review(build.ledger, NEXT, NEXT, tmp_path, 7).counts
    assert counts["claims closed as not billed"] == 1 and counts["claims held"] == 0


def _lab_visit(encounter_id: str) -> dict:
    data = office_visit(encounter_id)
    data["service_lines"][0]["procedure_code"] = "85025"
    return data


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("modifier:76", ["76"]), ("modifier:77", ["77"]), ("modifier:91", ["91"])],
)
def test_each_repeat_choice_puts_its_modifier_on_the_line(answer: str, expected: list) -> None:
    assert (
        apply_answers(_lab_visit("ENC-L"), [(AT, answer)])["service_lines"][0]["modifiers"]
        == expected
    )


def test_a_lab_test_billed_again_is_offered_91_and_not_billing_keeps_the_other_lines() -> None:
    lab = Encounter.model_validate(_lab_visit("ENC-L"))
    said = "line 1: 85025 on 2026-11-26 is already billed on claim ENC-K"
    finding = Finding(DUPLICATE, 7, "warn", "coder", said, "", AT)
    release, _ = bundled_code_sets().icd.release_for(NIGHT)
    payload = query_payload(finding, lab, release)
    values = [c["value"] for c in payload["choices"]]
    assert values[:4] == ["modifier:76", "modifier:77", "modifier:91", "remove-line"]
    assert payload["question"].index("85025") < payload["question"].index("Please choose")

    two = ecg_pair("ECG-2")
    answered = apply_answers(two, [(AT, "remove-line")])
    assert [s["procedure_code"] for s in answered["service_lines"]] == ["93005"]
    assert not bills_nothing(answered)
    assert bills_nothing(apply_answers(_lab_visit("ENC-L"), [(AT, "remove-line")]))
