"""The scrubber's corpus over encounters: each broken encounter names its rule.

Every case starts from the contract's example (``tests.factories.EXAMPLE``), applies one
mutation, goes through :func:`edi.claims.intake.admit` exactly as ``claims build`` does,
and must produce the named rule.  Clean variants must produce no ``reject``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from edi.claims.intake import Accepted, admit
from edi.claims.records import Record, ndjson_records
from edi.rules.registry import RULES, Finding
from tests.factories import encounter

Mutation = Callable[[dict[str, Any]], None]


def at(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container and key of ``path`` (``service_lines[1].charge``) inside ``data``."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node: Any = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def put(path: str, value: Any) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        node, key = at(data, path)
        node[key] = copy.deepcopy(value)

    return apply


def drop(path: str) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        node, key = at(data, path)
        del node[key]

    return apply


def both(*mutations: Mutation) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        for m in mutations:
            m(data)

    return apply


def line(**fields: Any) -> dict[str, Any]:
    base = {
        "procedure_code": "99213",
        "charge": "100.00",
        "units": "1",
        "service_date": "2026-11-20",
        "diagnosis_pointers": [1],
    }
    return base | fields


def lines(*items: dict[str, Any]) -> Mutation:
    return put("service_lines", list(items))


DEPENDENT = {
    "last_name": "Doe",
    "first_name": "Sam",
    "birth_date": "2015-06-01",
    "sex": "M",
    "relationship_to_subscriber": "19",
    "address": {"line1": "5 Oak Ave", "city": "Springfield", "state": "IL", "postal_code": "62704"},
}
MEDICARE = both(
    put("payer", {"payer_id": "00431", "name": "Medicare Part B", "claim_filing_indicator": "MB"}),
    put("subscriber.member_id", "1EG4TE5MK73"),
)
FACILITY = {
    "name": "Maple Surgery Center",
    "address": {"line1": "9 Elm St", "city": "Springfield", "state": "IL", "postal_code": "62702"},
}
NDC = {"ndc": "00409-4888-02", "ndc_quantity": "1", "ndc_unit": "ML"}

CASES: list[tuple[str, Mutation, str]] = [
    # -- level 1: syntax of values ---------------------------------------------------------
    ("charge as float", put("service_lines[0].charge", 150.0), "SNIP1.MONEY.FLOAT"),
    ("charge 3 decimals", put("service_lines[0].charge", "150.005"), "SNIP1.MONEY.SCALE"),
    ("impossible date", put("service_lines[0].service_date", "2026-02-30"), "SNIP1.FIELD.DATE"),
    ("units not a number", put("service_lines[0].units", "two"), "SNIP1.FIELD.NUMBER"),
    (
        "phone with dashes",
        put("billing_provider.contact_phone", "217-555-0100"),
        "SNIP1.FIELD.FORMAT",
    ),
    ("birth date not a date", put("subscriber.birth_date", "04/02/1980"), "SNIP1.FIELD.DATE"),
    ("modifier of 3 chars", put("service_lines[0].modifiers", ["255"]), "SNIP1.FIELD.FORMAT"),
    ("tax id short", put("billing_provider.tax_id", "12345"), "SNIP1.FIELD.FORMAT"),
    # Decimal() takes these, the contract (a plain decimal string) does not.
    ("money with exponent", put("service_lines[0].charge", "1e5"), "SNIP1.MONEY.FORMAT"),
    ("money with E+", put("service_lines[0].charge", "1E+2"), "SNIP1.MONEY.FORMAT"),
    (
        "Arabic-Indic money",
        put("service_lines[0].charge", "\u0661\u0660\u0660.00"),
        "SNIP1.MONEY.FORMAT",
    ),
    ("money with underscore", put("service_lines[0].charge", "1_000.00"), "SNIP1.MONEY.FORMAT"),
    ("money NaN", put("service_lines[0].charge", "NaN"), "SNIP1.MONEY.FORMAT"),
    ("money Infinity", put("service_lines[0].charge", "Infinity"), "SNIP1.MONEY.FORMAT"),
    ("units with exponent", put("service_lines[0].units", "1e2"), "SNIP1.FIELD.NUMBER"),
    ("date as a number", put("service_lines[0].service_date", 1_728_000_000), "SNIP1.FIELD.DATE"),
    ("date with a time", put("subscriber.birth_date", "1980-04-02T00:00:00"), "SNIP1.FIELD.DATE"),
    # -- level 2: implementation guide ------------------------------------------------------
    ("20-digit charge", put("service_lines[0].charge", "1" * 20), "SNIP2.MONEY.SIZE"),
    (
        "claim total over CLM02's 18 digits",
        lines(line(charge="9999999999999999.99"), line(charge="9999999999999999.99")),
        "SNIP2.CLM02.SIZE",
    ),
    (
        "NDC quantity over 15 digits",
        put(
            "service_lines[1]",
            line(code_set="HCPCS", procedure_code="J1100", **NDC) | {"ndc_quantity": "1" * 16},
        ),
        "SNIP1.FIELD.NUMBER",
    ),
    ("CLM01 over 20", put("encounter_id", "ENC-20261120-0001-XYZ"), "SNIP2.CLM01.FORMAT"),
    ("CLM01 underscore", put("encounter_id", "ENC_1"), "SNIP2.CLM01.FORMAT"),
    ("CLM01 missing", drop("encounter_id"), "SNIP2.CLM01.FORMAT"),
    ("REF*6R over 30", put("service_lines[0].line_id", "L" * 31), "SNIP2.REF6R.LENGTH"),
    ("13 diagnoses", put("diagnoses", ["I10"] * 13), "SNIP2.HI.COUNT"),
    (
        "5 pointers",
        put("service_lines[0].diagnosis_pointers", [1, 2, 1, 2, 1]),
        "SNIP2.SV1.POINTER_COUNT",
    ),
    ("billing ZIP 5", put("billing_provider.address.postal_code", "62701"), "SNIP2.BILLING.ZIP4"),
    ("billing PO box", put("billing_provider.address.line1", "PO Box 12"), "SNIP2.BILLING.PO_BOX"),
    (
        "billing P.O. Box",
        put("billing_provider.address.line1", "P.O. Box 9"),
        "SNIP2.BILLING.PO_BOX",
    ),
    ("no payer", drop("payer"), "SNIP2.FIELD.REQUIRED"),
    ("no diagnoses key", drop("diagnoses"), "SNIP2.FIELD.REQUIRED"),
    ("no diagnoses", put("diagnoses", []), "SNIP2.FIELD.REPEAT"),
    ("frequency 5", put("frequency_code", "5"), "SNIP2.FIELD.CODE"),
    ("51 lines", put("service_lines", [line()] * 51), "SNIP2.FIELD.REPEAT"),
    ("charge zero", put("service_lines[0].charge", "0.00"), "SNIP2.MONEY.POSITIVE"),
    (
        "provider without name",
        put("rendering_provider", {"npi": "1245319599"}),
        "SNIP2.PROVIDER.NAME",
    ),
    (
        "referring organization",
        put("referring_provider", {"npi": "1679576722", "organization_name": "Referral Group"}),
        "SNIP2.REFERRING.PERSON",
    ),
    (
        "organization name 61",
        put("billing_provider.organization_name", "M" * 61),
        "SNIP2.FIELD.LENGTH",
    ),
    ("sex code", put("subscriber.sex", "X"), "SNIP2.FIELD.CODE"),
    ("filing indicator code", put("payer.claim_filing_indicator", "XX"), "SNIP2.FIELD.CODE"),
    # -- level 3: balancing ---------------------------------------------------------------
    (
        "pointer past diagnoses",
        put("service_lines[0].diagnosis_pointers", [3]),
        "SNIP3.DX_POINTER.RANGE",
    ),
    (
        "pointer repeated",
        put("service_lines[0].diagnosis_pointers", [1, 1]),
        "SNIP3.DX_POINTER.REPEATED",
    ),
    ("diagnosis repeated", put("diagnoses", ["E11.40", "E1140"]), "SNIP3.DX.REPEATED"),
    # -- level 4: situational -------------------------------------------------------------
    ("birth date 0001-01-01", put("subscriber.birth_date", "0001-01-01"), "SNIP4.DATE.IMPLAUSIBLE"),
    (
        "birth date before 1900",
        put("patient", DEPENDENT | {"birth_date": "1899-12-31"}),
        "SNIP4.DATE.IMPLAUSIBLE",
    ),
    (
        "service date 0001-01-01",
        put("service_lines[0].service_date", "0001-01-01"),
        "SNIP4.DATE.IMPLAUSIBLE",
    ),
    ("service date 9999-12-31", lines(line(service_date="9999-12-31")), "SNIP4.DATE.FUTURE"),
    (
        "birth after the service",
        put("subscriber.birth_date", "2026-11-21"),
        "SNIP4.DATE.BEFORE_BIRTH",
    ),
    (
        "auto accident no state",
        put("accident", {"type": "AA", "date": "2026-11-18"}),
        "SNIP4.ACCIDENT.STATE",
    ),
    ("accident no date", put("accident", {"type": "EM"}), "SNIP4.ACCIDENT.DATE"),
    (
        "accident after visit",
        put("accident", {"type": "OA", "date": "2026-11-21"}),
        "SNIP4.ACCIDENT.AFTER_SERVICE",
    ),
    ("replacement no F8", put("frequency_code", "7"), "SNIP4.FREQUENCY.ORIGINAL_MISSING"),
    ("void no F8", put("frequency_code", "8"), "SNIP4.FREQUENCY.ORIGINAL_MISSING"),
    (
        "original with F8",
        put("original_payer_claim_number", "ICN123"),
        "SNIP4.FREQUENCY.ORIGINAL_UNEXPECTED",
    ),
    (
        "patient is subscriber",
        put("patient", DEPENDENT | {"first_name": "Jane", "birth_date": "1980-04-02"}),
        "SNIP4.PATIENT.SAME_AS_SUBSCRIBER",
    ),
    (
        "patient no address",
        put("patient", {k: v for k, v in DEPENDENT.items() if k != "address"}),
        "SNIP4.PATIENT.ADDRESS",
    ),
    ("subscriber no address", drop("subscriber.address"), "SNIP4.SUBSCRIBER.ADDRESS"),
    (
        "rendering is billing",
        put("rendering_provider.npi", "1234567893"),
        "SNIP4.RENDERING.SAME_AS_BILLING",
    ),
    ("organization renders", drop("rendering_provider"), "SNIP4.RENDERING.MISSING"),
    ("future service", put("service_lines[0].service_date", "2026-12-01"), "SNIP4.DATE.FUTURE"),
    (
        "future end date",
        put("service_lines[0].service_date_end", "2026-11-30"),
        "SNIP4.DATE.FUTURE",
    ),
    (
        "end before start",
        put("service_lines[0].service_date_end", "2026-11-19"),
        "SNIP4.DATE.RANGE",
    ),
    ("onset after visit", put("onset_date", "2026-11-22"), "SNIP4.DATE.ONSET_AFTER_SERVICE"),
    ("served before birth", put("subscriber.birth_date", "2026-11-21"), "SNIP4.DATE.BEFORE_BIRTH"),
    (
        "line spans 40 days",
        both(
            put("service_lines[0].service_date", "2026-10-01"),
            put("service_lines[0].service_date_end", "2026-11-09"),
        ),
        "SNIP4.DATE.SPAN",
    ),
    ("NDC without quantity", put("service_lines[1].ndc", "00409488802"), "SNIP4.NDC.INCOMPLETE"),
    # -- level 5: code sets ---------------------------------------------------------------
    ("ICD does not exist", put("diagnoses", ["E11.98", "G43.909"]), "SNIP5.ICD10.INVALID"),
    ("ICD category", put("diagnoses", ["E11", "G43.909"]), "SNIP5.ICD10.NOT_BILLABLE"),
    ("ICD subcategory", put("diagnoses", ["E11.4", "G43.909"]), "SNIP5.ICD10.NOT_BILLABLE"),
    ("ICD shape", put("diagnoses", ["123"]), "SNIP5.ICD10.FORMAT"),
    ("headache as first diagnosis", put("diagnoses", ["R51.9"]), "SNIP5.ICD10.SYMPTOM_PRINCIPAL"),
    (
        "diabetes without complications, nerve conduction study",
        both(put("diagnoses", ["E11.9"]), put("service_lines[1].procedure_code", "95910")),
        "SNIP5.ICD10.UNSPECIFIED",
    ),
    (
        "external cause first",
        put("diagnoses", ["V43.52XA", "S82.001A"]),
        "SNIP5.ICD10.EXTERNAL_CAUSE_PRINCIPAL",
    ),
    (
        "DOS after the release",
        put("service_lines[0].service_date", "2026-11-20"),
        "SNIP5.ICD10.RELEASE_WINDOW",
    ),
    ("CPT shape", put("service_lines[0].procedure_code", "9921A"), "SNIP5.CPT.FORMAT"),
    ("CPT below anesthesia", put("service_lines[0].procedure_code", "00050"), "SNIP5.CPT.RANGE"),
    ("CPT past E/M", put("service_lines[0].procedure_code", "99999"), "SNIP5.CPT.RANGE"),
    ("CPT not licensed", put("service_lines[0].procedure_code", "99215"), "SNIP5.CPT.UNKNOWN"),
    ("HCPCS shape", put("service_lines[1].procedure_code", "W1234"), "SNIP5.HCPCS.FORMAT"),
    ("HCPCS not in file", put("service_lines[1].procedure_code", "J9999"), "SNIP5.HCPCS.UNKNOWN"),
    ("J code sent as CPT", put("service_lines[1].code_set", "CPT"), "SNIP5.PROCEDURE.CODE_SET"),
    ("modifier not in file", put("service_lines[1].modifiers", ["ZZ"]), "SNIP5.MODIFIER.UNKNOWN"),
    ("modifier twice", put("service_lines[1].modifiers", ["RT", "RT"]), "SNIP5.MODIFIER.REPEATED"),
    ("POS not on list", put("place_of_service", "00"), "SNIP5.POS.INVALID"),
    ("line POS not on list", put("service_lines[0].place_of_service", "98"), "SNIP5.POS.INVALID"),
    ("POS one digit", put("place_of_service", "1"), "SNIP1.FIELD.FORMAT"),
    ("state unknown", put("subscriber.address.state", "ZZ"), "SNIP5.STATE.INVALID"),
    ("state shape", put("billing_provider.address.state", "I1"), "SNIP5.STATE.INVALID"),
    (
        "accident state unknown",
        put("accident", {"type": "AA", "state": "QQ", "date": "2026-11-18"}),
        "SNIP5.STATE.INVALID",
    ),
    ("taxonomy shape", put("billing_provider.taxonomy_code", "207Q00000"), "SNIP5.TAXONOMY.FORMAT"),
    ("NPI check digit", put("billing_provider.npi", "1234567890"), "SNIP5.NPI.LUHN"),
    ("rendering NPI digit", put("rendering_provider.npi", "1245319598"), "SNIP5.NPI.LUHN"),
    ("NPI 9 digits", put("billing_provider.npi", "123456789"), "SNIP5.NPI.FORMAT"),
    ("ZIP 4 digits", put("subscriber.address.postal_code", "6270"), "SNIP5.ZIP.FORMAT"),
    # -- level 6: line of service ---------------------------------------------------------
    (
        "anesthesia in units",
        lines(line(procedure_code="00400", units="45")),
        "SNIP6.ANESTHESIA.MINUTES",
    ),
    (
        "minutes on office visit",
        put("service_lines[0].unit_type", "MJ"),
        "SNIP6.UNITS.MINUTES_NOT_ANESTHESIA",
    ),
    ("half a unit", put("service_lines[0].units", "1.5"), "SNIP6.UNITS.FRACTIONAL"),
    ("J code no NDC", put("service_lines[1].procedure_code", "J3301"), "SNIP6.NDC.MISSING"),
    (
        "Medicaid J code no NDC",
        put("payer.claim_filing_indicator", "MC"),
        "SNIP6.NDC.MISSING_MEDICAID",
    ),
    ("NDC on office visit", put("service_lines[0]", line(**NDC)), "SNIP6.NDC.NOT_DRUG"),
    (
        "ambulance",
        lines(line(code_set="HCPCS", procedure_code="A0428")),
        "SNIP6.SERVICE.NOT_SUPPORTED",
    ),
    ("DME", lines(line(code_set="HCPCS", procedure_code="E0110")), "SNIP6.SERVICE.NOT_SUPPORTED"),
    ("chiropractic", lines(line(procedure_code="98941")), "SNIP6.SERVICE.NOT_SUPPORTED"),
    ("25 without procedure", lines(line(modifiers=["25"])), "SNIP6.MODIFIER.25_WITHOUT_PROCEDURE"),
    ("59 with XS", put("service_lines[1].modifiers", ["59", "XS"]), "SNIP6.MODIFIER.59_WITH_X"),
    (
        "RT on left knee",
        both(put("diagnoses", ["M17.12"]), lines(line(procedure_code="20610", modifiers=["RT"]))),
        "SNIP6.MODIFIER.SIDE_CONFLICT",
    ),
    (
        "LT on right knee",
        both(put("diagnoses", ["M17.11"]), lines(line(procedure_code="20610", modifiers=["LT"]))),
        "SNIP6.MODIFIER.SIDE_CONFLICT",
    ),
    (
        "RT and LT",
        lines(line(procedure_code="20610", modifiers=["RT", "LT"])),
        "SNIP6.MODIFIER.RT_AND_LT",
    ),
    # -- level 7: trading partner ---------------------------------------------------------
    ("payer without profile", put("payer.payer_id", "99999"), "SNIP7.PAYER.UNKNOWN"),
    (
        "Medicare filed as commercial",
        both(MEDICARE, put("payer.claim_filing_indicator", "CI")),
        "SNIP7.PAYER.FILING_INDICATOR",
    ),
    ("member ID shape", put("subscriber.member_id", "123456789"), "SNIP7.MEMBER_ID.PATTERN"),
    (
        "Medicare member ID shape",
        both(MEDICARE, put("subscriber.member_id", "W123456789")),
        "SNIP7.MEMBER_ID.PATTERN",
    ),
    ("MRI without auth", lines(line(procedure_code="70553")), "SNIP7.PRIOR_AUTH.MISSING"),
    (
        "past timely filing",
        put("service_lines", [line(service_date="2025-03-02")]),
        "SNIP7.TIMELY_FILING.EXPIRED",
    ),
    (
        "near timely filing",
        put("service_lines", [line(service_date="2026-06-10")]),
        "SNIP7.TIMELY_FILING.NEAR",
    ),
    (
        "Medicare facility ZIP 5",
        both(MEDICARE, put("service_facility", FACILITY)),
        "SNIP7.ZIP4.REQUIRED",
    ),
    (
        "NCCI indicator 0",
        lines(line(procedure_code="27447"), line(procedure_code="20610")),
        "SNIP7.NCCI.PTP_NOT_ALLOWED",
    ),
    (
        "NCCI indicator 0 reversed",
        lines(line(procedure_code="20610"), line(procedure_code="27447", modifiers=["59"])),
        "SNIP7.NCCI.PTP_NOT_ALLOWED",
    ),
    (
        "NCCI indicator 1",
        lines(line(procedure_code="11042"), line(procedure_code="97597")),
        "SNIP7.NCCI.PTP_MODIFIER",
    ),
    (
        "MUE per day",
        lines(
            line(procedure_code="20610", units="2"),
            line(procedure_code="20610", units="1", modifiers=["LT"]),
        ),
        "SNIP7.MUE.EXCEEDED",
    ),
    ("MUE per line", lines(line(procedure_code="11042", units="2")), "SNIP7.MUE.EXCEEDED"),
    ("MUE office visit", put("service_lines[0].units", "2"), "SNIP7.MUE.EXCEEDED"),
]

CLEAN: list[tuple[str, Mutation]] = [
    ("the contract example", lambda d: None),
    ("dependent patient", put("patient", DEPENDENT)),
    (
        "person bills alone",
        both(
            drop("rendering_provider"),
            put(
                "billing_provider",
                {
                    "npi": "1245319599",
                    "last_name": "Rivera",
                    "first_name": "Ana",
                    "tax_id": "123456789",
                    "tax_id_type": "SSN",
                    "address": {
                        "line1": "100 Main St",
                        "city": "Springfield",
                        "state": "IL",
                        "postal_code": "627011234",
                    },
                },
            ),
        ),
    ),
    ("anesthesia in minutes", lines(line(procedure_code="00400", units="45", unit_type="MJ"))),
    (
        "drug with NDC",
        put("service_lines[1]", line(code_set="HCPCS", procedure_code="J1100", **NDC)),
    ),
    (
        "Medicaid drug with NDC",
        both(
            put("payer.claim_filing_indicator", "MC"),
            put("payer.payer_id", "77001"),
            put("subscriber.member_id", "123456789"),
            put("service_lines[1]", line(code_set="HCPCS", procedure_code="J1100", **NDC)),
        ),
    ),
    (
        "Medicare claim",
        both(
            MEDICARE,
            put(
                "service_facility",
                FACILITY | {"address": FACILITY["address"] | {"postal_code": "62702-0001"}},
            ),
        ),
    ),
    (
        "NCCI bypassed with XS",
        lines(line(procedure_code="11042"), line(procedure_code="97597", modifiers=["XS"])),
    ),
    ("deleted NCCI edit", lines(line(procedure_code="93000"), line(procedure_code="93005"))),
    ("MUE at the limit", lines(line(procedure_code="20610", units="2", modifiers=["RT"]))),
    (
        "RT on right knee",
        both(put("diagnoses", ["M17.11"]), lines(line(procedure_code="20610", modifiers=["RT"]))),
    ),
    (
        "MRI with auth",
        both(put("prior_authorization", "AUTH1"), lines(line(procedure_code="70553"))),
    ),
    (
        "replacement with F8",
        both(put("frequency_code", "7"), put("original_payer_claim_number", "ICN123")),
    ),
    (
        "auto accident complete",
        put("accident", {"type": "AA", "state": "IL", "date": "2026-11-18"}),
    ),
    (
        "line dates within release",
        put("service_lines", [line(service_date="2026-09-15", diagnosis_pointers=[1, 2])]),
    ),
]


def findings_for(data: dict[str, Any], context: Any) -> list[Finding]:
    """Admit one record as a reader would hand it over (a float stays a float, as from CSV)."""
    (outcome,) = admit([Record("corpus.jsonl:1", data)], context)
    return outcome.findings


@pytest.mark.parametrize(("mutation", "rule_id"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_encounter_names_its_rule(mutation: Mutation, rule_id: str, context: Any) -> None:
    data = encounter()
    mutation(data)
    found = findings_for(data, context)
    assert rule_id in {f.rule_id for f in found}, [f.rule_id for f in found]


@pytest.mark.parametrize("mutation", [c[1] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_clean_encounter_has_no_reject(mutation: Mutation, context: Any) -> None:
    data = encounter()
    mutation(data)
    found = findings_for(data, context)
    assert not [f.rule_id for f in found if f.rejects]


def test_corpus_covers_every_level_and_is_large() -> None:
    levels = {RULES[rule_id].level for _, _, rule_id in CASES}
    assert levels == {1, 2, 3, 4, 5, 6, 7}
    assert len(CASES) >= 80


def test_findings_carry_no_phi(context: Any) -> None:
    """Names, birth dates, member IDs and street addresses never reach a finding."""
    data = encounter(patient=DEPENDENT | {"address": None}, frequency_code="7")
    data["subscriber"]["member_id"] = "Q99887766"
    data["billing_provider"]["address"]["postal_code"] = "62701"
    text = json.dumps([f.as_dict() for f in findings_for(data, context)])
    for secret in ("Doe", "Jane", "Sam", "1980-04-02", "2015-06-01", "Q99887766", "Oak", "Main"):
        assert secret not in text


def test_duplicate_encounter_in_batch(context: Any) -> None:
    one = json.dumps(encounter())
    second = list(admit(ndjson_records([one, one.replace("-0001", "-0001")], "b.jsonl"), context))[
        1
    ]
    assert "SNIP2.ENCOUNTER.DUPLICATE" in {f.rule_id for f in second.findings}


def test_unreadable_line(context: Any) -> None:
    (outcome,) = admit(ndjson_records(["{not json"], "b.jsonl"), context)
    assert [f.rule_id for f in outcome.findings] == ["SNIP1.RECORD.JSON"]


def test_release_used_is_named(context: Any) -> None:
    data = encounter(diagnoses=["E11"])
    (finding,) = [f for f in findings_for(data, context) if f.rule_id.endswith("NOT_BILLABLE")]
    assert "ICD-10-CM FY2026" in finding.message
    assert "E11.0" in finding.fix


def test_no_release_warning_inside_the_window(context: Any) -> None:
    data = encounter(service_lines=[line(service_date="2026-09-15")])
    rule_ids = {f.rule_id for f in findings_for(data, context)}
    assert "SNIP5.ICD10.RELEASE_WINDOW" not in rule_ids


def test_example_is_accepted_with_warnings(context: Any) -> None:
    (outcome,) = admit(ndjson_records([json.dumps(encounter())], "x.jsonl"), context)
    assert isinstance(outcome, Accepted)
    assert {f.severity for f in outcome.findings} == {"warn"}


def test_a_record_that_crashed_a_rule_leaves_the_records_beside_it(context: Any) -> None:
    """A service date of 9999-12-31 overflowed the timely-filing rule and took the whole
    batch down; now it is one refused record between two accepted ones."""
    far = encounter(encounter_id="FAR")
    for item in far["service_lines"]:
        item["service_date"] = "9999-12-31"
    records = [
        Record(f"night.jsonl:{n}", data)
        for n, data in enumerate([encounter(encounter_id="G1"), far, encounter(encounter_id="G2")])
    ]
    outcomes = list(admit(records, context))
    assert [isinstance(o, Accepted) for o in outcomes] == [True, False, True]
    assert "SNIP4.DATE.FUTURE" in {f.rule_id for f in outcomes[1].findings}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("prior_authorization", "PAX~Y*Z"),
        ("original_payer_claim_number", "ICN:12^3"),
        ("subscriber.group_number", "GRP~12"),
        ("subscriber.address.line1", "5 Oak~Ave"),
        ("payer.name", "Acme*Health"),
        ("service_lines[0].line_id", "L1~NM1*IL"),
        ("subscriber.last_name", "Doe\u0432"),
    ],
)
def test_free_text_changed_for_x12_is_a_warning_naming_the_field(
    path: str, value: str, context: Any
) -> None:
    data = encounter(frequency_code="7", original_payer_claim_number="ICN1")
    put(path, value)(data)
    (outcome,) = admit([Record("corpus.jsonl:1", data)], context)
    changed = [f for f in outcome.findings if f.rule_id == "SNIP1.TEXT.CHANGED"]
    assert isinstance(outcome, Accepted), [f.rule_id for f in outcome.findings if f.rejects]
    assert [(f.field, f.severity) for f in changed] == [(path, "warn")]
    assert value not in json.dumps(changed[0].as_dict())


@pytest.mark.parametrize("name", ["Peña", "o'brien", "  Doe   Smith ", "Łukasz"])
def test_case_accents_and_spacing_are_not_a_change(name: str, context: Any) -> None:
    data = encounter()
    data["subscriber"]["last_name"] = name
    found = findings_for(data, context)
    assert "SNIP1.TEXT.CHANGED" not in {f.rule_id for f in found}


@pytest.mark.parametrize(
    ("path", "value", "most"),
    [
        ("subscriber.address.city", "Springfield ½½½½½½½½½½½½½½½½½", 30),
        ("subscriber.last_name", "Ĳ" * 35, 60),
    ],
)
def test_text_that_outgrows_its_element_once_written_is_refused(
    path: str, value: str, most: int, context: Any
) -> None:
    """Hypothesis found a 30-character city that becomes 31 once ``½`` is written ``12``:
    the built N401 broke the guide's size and pyx12 rejected the whole transaction set."""
    data = encounter()
    put(path, value)(data)
    (outcome,) = admit([Record("corpus.jsonl:1", data)], context)
    too_long = [f for f in outcome.findings if f.rule_id == "SNIP2.TEXT.TOO_LONG"]
    assert not isinstance(outcome, Accepted)
    assert [(f.field, f.severity) for f in too_long] == [(path, "reject")]
    assert f"the {most} the 837P allows" in too_long[0].message
    assert value not in json.dumps(too_long[0].as_dict())
