"""Specificity queries only where the claim shows more: measured on the sample encounters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edi.claims.intake import Accepted, admit
from edi.claims.records import Record
from flows.sources import records_from_stream
from tests.factories import encounter

SAMPLES = Path(__file__).parents[2] / "samples" / "encounters"
SPECIFICITY = {"SNIP5.ICD10.UNSPECIFIED", "SNIP5.ICD10.SYMPTOM_PRINCIPAL"}


def _sample_records() -> list[Record]:
    records: list[Record] = []
    for path in sorted(SAMPLES.iterdir()):
        with path.open("rb") as stream:
            records.extend(records_from_stream(stream, path.name))
    return records


def _test_encounters() -> list[Record]:
    """The tests' own sample encounters: the contract example (E11.40, G43.909) and a
    visit for headache (R51.9) with nothing more established."""
    headache = encounter(encounter_id="ENC-HEADACHE", diagnoses=["R51.9"])
    return [Record("t:1", encounter()), Record("t:2", headache)]


def test_fewer_than_one_query_in_ten_claims(context: Any) -> None:
    outcomes = list(admit(_sample_records() + _test_encounters(), context))
    claims = {o.encounter.encounter_id for o in outcomes if isinstance(o, Accepted)}
    claims |= {o.key for o in outcomes if not isinstance(o, Accepted)}
    assert len(claims) == len(outcomes) >= 50
    findings = [f for o in outcomes for f in o.findings]
    queries = [f for f in findings if f.rule_id in SPECIFICITY]  # one coding query each
    assert len(queries) * 10 < len(claims)
    asked = {q.encounter_id for q in queries}
    assert "ENC-20261120-0001" not in asked  # E11.40 and G43.909 are specific enough
    assert [q.encounter_id for q in queries].count("ENC-HEADACHE") == 1


def _codes(context: Any, diagnoses: list[str], **line: Any) -> list[Any]:
    data = encounter(diagnoses=diagnoses)
    data["service_lines"][0] |= line
    (outcome,) = admit([Record("s:1", data)], context)
    return [f for f in outcome.findings if f.rule_id in SPECIFICITY]


@pytest.mark.parametrize(
    ("diagnoses", "line", "first_suggested"),
    [
        (
            ["M25.569"],
            {"procedure_code": "20610", "modifiers": ["RT"]},
            "Pain in right knee (M25.561)",
        ),
        (["M17.9"], {"procedure_code": "20610", "modifiers": ["LT"]}, "(M17.12)"),
        (["E11.9"], {"procedure_code": "95910", "modifiers": []}, "(E11.42)"),
        (["E11.9"], {"procedure_code": "92250", "modifiers": []}, "(E11.319)"),
    ],
)
def test_evidence_on_the_claim_asks_with_the_closest_codes(
    context: Any, diagnoses: list[str], line: dict[str, Any], first_suggested: str
) -> None:
    (finding,) = _codes(context, diagnoses, **line)
    assert finding.rule_id == "SNIP5.ICD10.UNSPECIFIED"
    first = finding.message.split("closest codes: ")[1].split("; ")[0]
    assert first.endswith(first_suggested)
    assert "E11.00" not in finding.message


@pytest.mark.parametrize(
    "diagnoses", [["E11.9"], ["E11.40"], ["G43.909"], ["J06.9"], ["I10", "R00.2"]]
)
def test_no_evidence_no_query(context: Any, diagnoses: list[str]) -> None:
    assert _codes(context, diagnoses, procedure_code="99213", modifiers=[]) == []


def test_symptom_as_first_diagnosis_is_asked(context: Any) -> None:
    (finding,) = _codes(context, ["R51.9", "I10"], procedure_code="99213", modifiers=[])
    assert finding.rule_id == "SNIP5.ICD10.SYMPTOM_PRINCIPAL"
    assert finding.message.startswith("the first diagnosis, Headache, unspecified (R51.9)")


def test_a_header_is_answered_with_codes_under_it(context: Any) -> None:
    data = encounter(diagnoses=["E11.4", "G43.909"])
    (outcome,) = admit([Record("s:1", data)], context)
    (finding,) = [f for f in outcome.findings if f.rule_id == "SNIP5.ICD10.NOT_BILLABLE"]
    suggested = finding.fix.split("e.g. ")[1].split(", ")
    assert suggested and all(code.startswith("E11.4") for code in suggested)


def test_questions_offer_the_finding_s_choices(context: Any) -> None:
    from datetime import date

    from edi.claims.models import Encounter
    from edi.rules.specificity import questions

    data = encounter(diagnoses=["M25.569"])
    data["service_lines"][0] |= {"procedure_code": "20610", "modifiers": ["RT"]}
    enc = Encounter.model_validate(data)
    release, _ = context.code_sets.icd.release_for(date(2026, 11, 20))
    (question,) = questions(enc, release)
    assert (question.pointer, question.line, question.what) == (1, 1, "the right side")
    assert question.choices[0].code == "M25561"


@pytest.mark.parametrize(
    ("modifiers", "asked"), [(["25"], False), (["25", "RT"], True), (["59", "LT"], True)]
)
def test_only_a_side_modifier_asks(context: Any, modifiers: list[str], asked: bool) -> None:
    found = _codes(context, ["M25.569"], procedure_code="20610", modifiers=modifiers)
    assert bool(found) is asked
