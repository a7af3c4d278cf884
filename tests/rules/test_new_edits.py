"""Each payer edit added for issue 14: one encounter that trips it, one that does not.

Cases start from the contract's example (a 46-year-old woman, E11.40 and G43.909,
99213-25 and J1100 on 2026-11-20), apply one mutation and go through
:func:`edi.claims.intake.admit` as ``claims build`` does, with the small CMS files of
:mod:`tests.rules.cms_files` loaded (NCCI PTP among them).  Batch rules (duplicates) put
an earlier encounter before the one judged.
"""

from __future__ import annotations

from typing import Any

import pytest

from edi.claims.intake import admit
from edi.claims.records import Record
from edi.rules.duplicates import duplicate_services, service_keys
from edi.rules.registry import RULES
from tests.factories import encounter
from tests.rules.test_encounter_corpus import (
    DEPENDENT,
    MEDICARE,
    Mutation,
    both,
    findings_for,
    line,
    lines,
    put,
)

KNEE = put("diagnoses", ["M17.11"])
INFANT = put("patient", DEPENDENT | {"birth_date": "2026-09-01"})
MALE = put("subscriber.sex", "M")
CLIA = put("billing_provider.clia_number", "14D0123456")
UNKNOWN_PAYER = put("payer", {"payer_id": "99999", "name": "Unknown Plan"})


def same(data: dict[str, Any]) -> None:
    """No change: the example as it is."""


# rule, an encounter that trips it, one that does not, [an encounter billed before it]
CASES: list[tuple[str, Mutation, Mutation, dict[str, Any] | None]] = [
    # -- specificity (SNIP 5) ---------------------------------------------------------------
    ("SNIP5.ICD10.SYMPTOM_PRINCIPAL", put("diagnoses", ["R51.9"]), put("diagnoses", ["G43.909"]),
     None),
    ("SNIP5.ICD10.UNSPECIFIED",
     both(put("diagnoses", ["M25.569"]), lines(line(procedure_code="20610", modifiers=["RT"]))),
     both(put("diagnoses", ["M25.561"]), lines(line(procedure_code="20610", modifiers=["RT"]))),
     None),
    # -- clinical edits (SNIP 5) ------------------------------------------------------------
    ("SNIP5.ICD10.SEX_CONFLICT", both(MALE, put("diagnoses", ["O26.891"])),
     put("diagnoses", ["O26.891"]), None),
    ("SNIP5.ICD10.AGE_CONFLICT", put("diagnoses", ["P59.9"]),
     both(INFANT, put("diagnoses", ["P59.9"])), None),
    ("SNIP5.ICD10.AGE_CONFLICT", put("diagnoses", ["Z38.00"]),
     both(INFANT, put("diagnoses", ["Z38.00"])), None),
    ("SNIP5.CPT.AGE_CONFLICT", lines(line(procedure_code="99391")),
     lines(line(procedure_code="99396")), None),
    ("SNIP5.ICD10.EXCLUDES1", put("diagnoses", ["E11.9", "E10.9"]),
     put("diagnoses", ["E11.9", "I10"]), None),
    ("SNIP5.ICD10.MANIFESTATION_PRINCIPAL", put("diagnoses", ["G63", "E11.42"]),
     put("diagnoses", ["E11.42", "G63"]), None),
    # -- modifiers and NCCI ------------------------------------------------------------------
    ("SNIP7.NCCI.PTP_MODIFIER",  # 99213 without 25 + 20610-RT
     both(KNEE, lines(line(), line(procedure_code="20610", modifiers=["RT"]))),
     both(KNEE, lines(line(modifiers=["25"]), line(procedure_code="20610", modifiers=["RT"]))),
     None),
    ("SNIP7.NCCI.BYPASS_INVALID",  # 59 on the E/M
     both(KNEE, lines(line(modifiers=["59"]), line(procedure_code="20610"))),
     both(KNEE, lines(line(modifiers=["25"]), line(procedure_code="20610"))), None),
    ("SNIP7.NCCI.BYPASS_INVALID",  # RT on both lines
     lines(line(procedure_code="20610", modifiers=["RT"]),
           line(procedure_code="20605", modifiers=["RT"])),
     lines(line(procedure_code="20610", modifiers=["RT"]),
           line(procedure_code="20605", modifiers=["LT"])), None),
    ("SNIP7.NCCI.BYPASS_INVALID",  # the bypass modifier on the column-1 code
     lines(line(procedure_code="20610", modifiers=["59"]), line(procedure_code="20605")),
     lines(line(procedure_code="20610"), line(procedure_code="20605", modifiers=["XS"])), None),
    ("SNIP6.MODIFIER.59_ON_EM", lines(line(modifiers=["59"])), lines(line(modifiers=["25"])),
     None),
    ("SNIP6.MODIFIER.25_MISSING",  # no PTP edit for 99214 + 11102 in the test file
     lines(line(procedure_code="99214"), line(procedure_code="11102")),
     lines(line(procedure_code="99214", modifiers=["25"]), line(procedure_code="11102")), None),
    # -- payer edits (SNIP 7) ----------------------------------------------------------------
    ("SNIP7.TELEHEALTH.MODIFIER_95", put("place_of_service", "10"),
     both(put("place_of_service", "10"), put("service_lines[0].modifiers", ["25", "95"])),
     None),
    ("SNIP7.TELEHEALTH.GT_PROFESSIONAL",
     both(put("place_of_service", "02"), put("service_lines[0].modifiers", ["GT"])),
     both(put("place_of_service", "02"), put("service_lines[0].modifiers", ["95"])), None),
    ("SNIP7.LAB.CLIA_MISSING", lines(line(), line(procedure_code="85018", modifiers=["QW"])),
     both(CLIA, lines(line(), line(procedure_code="85018", modifiers=["QW"]))), None),
    ("SNIP7.LAB.QW_MISSING", both(CLIA, lines(line(procedure_code="87880"))),
     both(CLIA, lines(line(procedure_code="87880", modifiers=["QW"]))), None),
    ("SNIP7.PROCEDURE.DESCRIPTION_MISSING",
     lines(line(code_set="HCPCS", procedure_code="J3490")),
     lines(line(code_set="HCPCS", procedure_code="J3490", description="Ketorolac 15 mg")),
     None),
    ("SNIP7.MEDICARE.PATIENT_LOOP", both(MEDICARE, put("patient", DEPENDENT)), MEDICARE, None),
    ("SNIP7.MEDICARE.FREQUENCY",
     both(MEDICARE, put("frequency_code", "7"), put("original_payer_claim_number", "PCN1")),
     both(put("frequency_code", "7"), put("original_payer_claim_number", "PCN1")), None),
    ("SNIP7.MEDICARE.VACCINE_ADMIN",
     both(MEDICARE, lines(line(procedure_code="90686"), line(procedure_code="90471"))),
     both(MEDICARE, lines(line(procedure_code="90686"),
                          line(code_set="HCPCS", procedure_code="G0008"))), None),
    ("SNIP7.TIMELY_FILING.EXPIRED",  # no profile: the 90-day commercial default
     both(UNKNOWN_PAYER, put("service_lines", [line(service_date="2026-07-01")])),
     both(UNKNOWN_PAYER, put("service_lines", [line(service_date="2026-11-01")])), None),
    ("SNIP2.MONEY.POSITIVE",  # $0.00 only on CPT Category II lines
     lines(line(), line(procedure_code="99213", charge="0.00")),
     lines(line(), line(procedure_code="3074F", charge="0.00")), None),
    ("SNIP4.ADMISSION_DATE.MISSING", put("place_of_service", "21"),
     both(put("place_of_service", "21"), put("admission_date", "2026-11-18")), None),
    ("SNIP2.PROVIDER.PERSON",
     put("supervising_provider", {"npi": "1679576722", "organization_name": "Maple Group"}),
     put("supervising_provider", {"npi": "1679576722", "last_name": "Stone",
                                  "first_name": "Kim"}), None),
    ("SNIP4.ATTACHMENT.CONTROL_NUMBER",
     put("attachment", {"report_type": "OZ", "transmission": "FX"}),
     put("attachment", {"report_type": "OZ", "transmission": "AA"}), None),
    ("SNIP7.DUPLICATE.SERVICE", same, lines(line(service_date="2026-11-19")),
     encounter(encounter_id="ENC-EARLIER")),
]  # fmt: skip


def _judged(mutation: Mutation, before: dict[str, Any] | None, context: Any) -> set[str]:
    data = encounter()
    mutation(data)
    if before is None:
        return {f.rule_id for f in findings_for(data, context)}
    records = [Record("b.jsonl:1", before), Record("b.jsonl:2", data)]
    *_, outcome = admit(records, context)
    return {f.rule_id for f in outcome.findings}


@pytest.mark.parametrize(
    ("rule_id", "trips", "clean", "before"),
    CASES,
    ids=[f"{n}-{case[0]}" for n, case in enumerate(CASES)],
)
def test_new_edit_trips_and_passes(
    rule_id: str, trips: Mutation, clean: Mutation, before: dict[str, Any] | None, context: Any
) -> None:
    assert rule_id in RULES
    assert rule_id in _judged(trips, before, context)
    assert rule_id not in _judged(clean, before, context)


def test_every_new_rule_is_in_the_table() -> None:
    new = {
        rule_id
        for rule_id in RULES
        if rule_id.startswith(("SNIP5.ICD10.", "SNIP5.CPT.AGE", "SNIP7.TELEHEALTH.",
                               "SNIP7.LAB.", "SNIP7.MEDICARE.", "SNIP7.NCCI.BYPASS",
                               "SNIP7.DUPLICATE.", "SNIP7.PROCEDURE.", "SNIP6.MODIFIER.25_M",
                               "SNIP6.MODIFIER.59_ON"))
    }  # fmt: skip
    old = {"SNIP5.ICD10.INVALID", "SNIP5.ICD10.NOT_BILLABLE", "SNIP5.ICD10.RELEASE_WINDOW",
           "SNIP5.ICD10.EXTERNAL_CAUSE_PRINCIPAL", "SNIP5.ICD10.BEFORE_ICD10",
           "SNIP5.ICD10.FORMAT"}  # fmt: skip
    assert new - old <= {case[0] for case in CASES}


def test_clinical_edits_hold_by_default() -> None:
    for rule_id in ("SNIP5.ICD10.EXCLUDES1", "SNIP7.NCCI.PTP_MODIFIER", "SNIP7.NCCI.BYPASS_INVALID",
                    "SNIP6.MODIFIER.25_MISSING", "SNIP7.MEDICARE.VACCINE_ADMIN"):  # fmt: skip
        assert RULES[rule_id].default_disposition == "hold"
        assert RULES[rule_id].severity == "warn"  # a hold is not refused at intake


def test_unmodified_em_is_told_to_add_25(context: Any) -> None:
    data = encounter(diagnoses=["M17.11"])
    lines(line(), line(procedure_code="20610", modifiers=["RT"]))(data)
    (finding,) = [f for f in findings_for(data, context) if f.rule_id.startswith("SNIP7.NCCI")]
    assert "Add modifier 25 to the E/M 99213" in finding.fix
    assert "59" not in finding.fix and "XE" not in finding.fix
    assert finding.field == "service_lines[0].modifiers"


def test_medicare_frequency_fix_says_reopening(context: Any) -> None:
    data = encounter(frequency_code="8", original_payer_claim_number="PCN1")
    MEDICARE(data)
    (finding,) = [f for f in findings_for(data, context) if f.rule_id == "SNIP7.MEDICARE.FREQUENCY"]
    assert "reopening" in finding.fix


def test_duplicates_are_a_pure_function_of_the_batch_and_known_keys(context: Any) -> None:
    from edi.claims.models import Encounter

    first = Encounter.model_validate(encounter())
    again = Encounter.model_validate(encounter(encounter_id="ENC-AGAIN"))
    within = list(duplicate_services([first, again]))
    assert [(f.encounter_id, f.field) for f in within] == [
        ("ENC-AGAIN", "service_lines[0].procedure_code"),
        ("ENC-AGAIN", "service_lines[1].procedure_code"),
    ]
    assert "ENC-20261120-0001" in within[0].message
    known = {key: {first.claim_id} for key in service_keys(first)}
    billed = list(duplicate_services([again], known))
    assert [f.encounter_id for f in billed] == ["ENC-AGAIN"] * 2
    assert "on claim ENC-20261120-0001" in billed[0].message
    assert all("W123456789" not in key for key in known)  # digests, not member IDs
    assert list(duplicate_services([first])) == []
    assert list(duplicate_services([first], known)) == []  # itself again: a rerun
