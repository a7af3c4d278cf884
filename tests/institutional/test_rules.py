"""Institutional rules: each fires on the encounter that breaks it, and not on the
examples that keep it."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

import edi.rules  # noqa: F401  (registers every rule)
from edi.claims.models import Encounter
from edi.rules.record import findings_from_error
from edi.rules.registry import CheckContext, run_checks
from tests.factories import EXAMPLE, encounter
from tests.institutional.factories import FQHC_VISIT, INPATIENT_STAY, institutional

CTX = CheckContext(date(2026, 11, 27))
MEDICARE = {**FQHC_VISIT["payer"], "claim_filing_indicator": "MA"}


def rule_ids(data: dict) -> set[str]:
    return {f.rule_id for f in run_checks(Encounter.model_validate(data), CTX) if f.rejects}


def block(base: dict = FQHC_VISIT, **changes) -> dict:
    return {**base["institutional"], **changes}


def line(**changes) -> dict:
    return {**FQHC_VISIT["revenue_lines"][0], **changes}


@pytest.mark.parametrize("data", [FQHC_VISIT, INPATIENT_STAY, EXAMPLE], ids=str)
def test_examples_pass(data: dict) -> None:
    assert rule_ids(institutional(data, payer=MEDICARE)) == set()


CASES = {
    "institutional with SV1 lines": (
        institutional(service_lines=EXAMPLE["service_lines"]), "SNIP4.CLAIM_TYPE.LINES"),
    "billing provider a person": (
        institutional(billing_provider={**FQHC_VISIT["billing_provider"],
                      "organization_name": None, "last_name": "Li", "first_name": "Wu"}),
        "SNIP4.INSTITUTIONAL.BILLING_PROVIDER"),
    "type of bill 0791": (
        institutional(institutional=block(type_of_bill="0751")), "SNIP5.TYPE_OF_BILL.INVALID"),
    "replacement without original": (
        institutional(institutional=block(type_of_bill="0777")),
        "SNIP4.INSTITUTIONAL.ORIGINAL_CLAIM"),
    "inpatient without admission": (
        institutional(INPATIENT_STAY, institutional=block(INPATIENT_STAY, admission_date=None)),
        "SNIP4.INSTITUTIONAL.INPATIENT"),
    "no attending": (
        institutional(institutional=block(attending_provider=None)),
        "SNIP4.INSTITUTIONAL.ATTENDING"),
    "procedure without surgeon": (
        institutional(INPATIENT_STAY,
                      institutional=block(INPATIENT_STAY, operating_provider=None)),
        "SNIP4.INSTITUTIONAL.OPERATING"),
    "POA count": (
        institutional(INPATIENT_STAY,
                      institutional=block(INPATIENT_STAY, present_on_admission=["Y"])),
        "SNIP4.POA.COUNT"),
    "POA missing on 011x": (
        institutional(INPATIENT_STAY,
                      institutional=block(INPATIENT_STAY, present_on_admission=[])),
        "SNIP4.POA.MISSING"),
    "revenue code 0050": (
        institutional(revenue_lines=[line(revenue_code="0050"),
                                     FQHC_VISIT["revenue_lines"][1]]),
        "SNIP5.REVENUE_CODE.INVALID"),
    "outpatient lab without HCPCS": (
        institutional(institutional=block(type_of_bill="0131"),
                      revenue_lines=[line(revenue_code="0300", procedure_code=None)]),
        "SNIP7.REVENUE_CODE.HCPCS"),
    "outpatient line without date": (
        institutional(revenue_lines=[line(service_date=None),
                                     FQHC_VISIT["revenue_lines"][1]]),
        "SNIP4.REVENUE_LINE.DATE"),
    "G-code on 0510": (
        institutional(revenue_lines=[line(revenue_code="0510"),
                                     FQHC_VISIT["revenue_lines"][1]]),
        "SNIP7.FQHC.G_CODE_REVENUE"),
    "G-code without qualifying visit": (
        institutional(revenue_lines=[line()]), "SNIP7.FQHC.QUALIFYING_VISIT"),
    "Medicare FQHC without G-code": (
        institutional(payer=MEDICARE, revenue_lines=[FQHC_VISIT["revenue_lines"][1]]),
        "SNIP7.FQHC.G_CODE_MISSING"),
    "G-code on an RHC bill": (
        institutional(institutional=block(type_of_bill="0711")),
        "SNIP7.FQHC.G_CODE_TYPE_OF_BILL"),
    "RHC clinic line without HCPCS": (
        institutional(institutional=block(type_of_bill="0711"),
                      revenue_lines=[line(procedure_code=None)]),
        "SNIP7.RHC.HCPCS"),
    "final inpatient bill without discharge hour": (
        institutional(INPATIENT_STAY,
                      institutional=block(INPATIENT_STAY, discharge_hour=None)),
        "SNIP4.INSTITUTIONAL.DISCHARGE_HOUR"),
    "referring provider an organisation": (
        institutional(referring_provider={"npi": "1003000126", "organization_name": "Lab"}),
        "SNIP4.INSTITUTIONAL.PERSON_ONLY"),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_rule_fires(name: str) -> None:
    data, rule_id = CASES[name]
    assert rule_id in rule_ids(data)


def test_days_only_on_accommodation_codes_warns() -> None:
    data = institutional(revenue_lines=[line(unit_type="DA"), FQHC_VISIT["revenue_lines"][1]])
    found = run_checks(Encounter.model_validate(data), CTX)
    (days,) = [f for f in found if f.rule_id == "SNIP5.REVENUE_LINE.DAYS"]
    assert days.severity == "warn" and days.field == "revenue_lines[0].unit_type"


@pytest.mark.parametrize(
    ("data", "field", "kind"),
    [
        (institutional(institutional=None), "institutional", "missing"),
        (institutional(revenue_lines=[]), "revenue_lines", "too_short"),
        (encounter(place_of_service=None), "place_of_service", "missing"),
        (encounter(service_lines=[]), "service_lines", "too_short"),
    ],
    ids=["no block", "no revenue lines", "no place of service", "no service lines"],
)
def test_each_form_requires_its_own_fields(data: dict, field: str, kind: str) -> None:
    """Refused as any missing required field is, so the finding is the one users know."""
    with pytest.raises(ValidationError) as caught:
        Encounter.model_validate(data)
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [((field,), kind)]


def test_an_ambulance_bill_needs_no_attending() -> None:
    data = institutional(
        institutional=block(attending_provider=None, type_of_bill="0131"),
        revenue_lines=[line(revenue_code="0540", procedure_code="A0428")],
    )
    assert "SNIP4.INSTITUTIONAL.ATTENDING" not in rule_ids(data)


def test_only_the_837i_has_room_for_more_than_12_diagnoses() -> None:
    """Two HI*ABF hold 24 other diagnoses on the 837I; the 837P's one HI holds 12 codes."""
    codes = ["E11.40", "I10", "J06.9", "M54.50"] * 4
    assert len(Encounter.model_validate(institutional(diagnoses=codes)).diagnoses) == 16
    with pytest.raises(ValidationError) as caught:
        Encounter.model_validate(encounter(diagnoses=codes))
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("diagnoses",), "too_long")]
    still = block(INPATIENT_STAY, discharge_hour=None, patient_status="30")
    assert "SNIP4.INSTITUTIONAL.DISCHARGE_HOUR" not in rule_ids(
        institutional(INPATIENT_STAY, institutional=still)
    )


@pytest.mark.parametrize(
    ("data", "form", "most"),
    [(institutional, "837I", "25"), (encounter, "837P", "12")],
    ids=["837I", "837P"],
)
def test_the_diagnosis_count_finding_names_the_form_and_its_limit(data, form, most) -> None:
    codes = ["E11.40", "I10", "J06.9", "M54.50", "R50.9"] * 6  # 30: past both limits
    with pytest.raises(ValidationError) as caught:
        Encounter.model_validate(data(diagnoses=codes))
    (finding,) = findings_from_error(caught.value, "E-1", "night.csv")
    assert finding.rule_id == "SNIP2.HI.COUNT"
    assert f"more than {most} diagnoses; the {form} carries at most {most}" in finding.message
    assert f"Keep the {most} diagnoses" in finding.fix
