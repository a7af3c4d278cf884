"""Institutional (837I) encounters for tests: an FQHC visit, an inpatient stay, and a
hypothesis strategy over the institutional blocks."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tests.factories import DIAGNOSES, EXAMPLE, TEXT, VALID_NPIS

ATTENDING = {"npi": "1245319599", "last_name": "Rivera", "first_name": "Ana"}

FQHC_VISIT: dict[str, Any] = {
    **{k: v for k, v in EXAMPLE.items() if k not in ("service_lines", "place_of_service")},
    "encounter_id": "FQ-20261120-0001",
    "claim_type": "institutional",
    "diagnoses": ["E11.40", "I10"],
    "institutional": {
        "type_of_bill": "0771",
        "statement_from": "2026-11-20",
        "statement_through": "2026-11-20",
        "patient_status": "01",
        "attending_provider": ATTENDING,
    },
    "revenue_lines": [
        {"revenue_code": "0521", "procedure_code": "G0466", "charge": "180.00", "units": "1",
         "service_date": "2026-11-20"},
        {"revenue_code": "0521", "procedure_code": "99213", "charge": "150.00", "units": "1",
         "service_date": "2026-11-20"},
    ],
}  # fmt: skip
"""A Medicare FQHC visit (type of bill 0771): the G-code with revenue code 0521, and the
qualifying visit it stands for."""

INPATIENT_STAY: dict[str, Any] = {
    **copy.deepcopy(FQHC_VISIT),
    "encounter_id": "IP-20261101-0001",
    "diagnoses": ["N39.0", "E11.40", "I10"],
    "institutional": {
        "type_of_bill": "0111",
        "statement_from": "2026-11-01",
        "statement_through": "2026-11-04",
        "admission_date": "2026-11-01",
        "admission_hour": "0815",
        "discharge_hour": "1130",
        "admission_type": "1",
        "admission_source": "7",
        "patient_status": "01",
        "present_on_admission": ["Y", "N", "Y"],
        "admitting_diagnosis": "R50.9",
        "principal_procedure": {"code": "0T9B70Z", "date": "2026-11-02"},
        "occurrence_spans": [{"code": "74", "start": "2026-10-20", "end": "2026-10-22"}],
        "occurrences": [{"code": "11", "date": "2026-10-30"}],
        "value_codes": [{"code": "80", "amount": "3"}],
        "condition_codes": ["09"],
        "attending_provider": ATTENDING,
        "operating_provider": {"npi": "1679576722", "last_name": "Okafor", "first_name": "Ben"},
    },
    "revenue_lines": [
        {"revenue_code": "0120", "charge": "3600.00", "units": "3", "unit_type": "DA"},
        {"revenue_code": "0250", "charge": "412.50", "units": "14"},
        {"revenue_code": "0300", "charge": "220.00", "units": "4", "non_covered_charge": "20.00"},
    ],
}
"""A three-day acute inpatient stay (type of bill 0111) with every institutional block."""


def institutional(base: dict[str, Any] = FQHC_VISIT, **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with top-level fields replaced."""
    data = copy.deepcopy(base)
    data.update(copy.deepcopy(changes))
    return data


# -- hypothesis -------------------------------------------------------------------------

CODE2 = st.from_regex(r"[0-9A-Z]{2}", fullmatch=True)
PCS = st.sampled_from(["0T9B70Z", "0DTJ4ZZ", "5A1955Z", "B2111ZZ", "0SRC0J9"])
REVENUE = st.sampled_from(["0120", "0250", "0300", "0450", "0510", "0521", "0636", "0730"])
HCPCS = st.sampled_from(["G0466", "G0467", "99213", "36415", "J1100", "80053"])
EXTERNAL_CAUSES = ("W19.XXXA", "V43.52XA", "X58.XXXA")
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@st.composite
def institutional_encounters(draw: st.DrawFn) -> dict[str, Any]:
    """A valid institutional encounter with every optional block drawn or left out."""
    many = draw(st.booleans())  # a second HI of each kind (codes 13-24)
    diagnoses = draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=25 if many else 12))
    up_to = 24 if many else 12
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    end = start + timedelta(days=draw(st.integers(0, 9)))
    day = st.integers(0, 30).map(lambda n: (start - timedelta(days=n)).isoformat())

    def revenue_line(_: Any) -> dict[str, Any]:
        line: dict[str, Any] = {
            "revenue_code": draw(REVENUE),
            "charge": str(draw(MONEY)),
            "units": str(draw(st.integers(1, 99))),
        }
        if draw(st.booleans()):
            line["procedure_code"] = draw(HCPCS)
            line["modifiers"] = draw(st.lists(st.sampled_from(["25", "59", "RT"]), max_size=4))
        if draw(st.booleans()):
            line["service_date"] = start.isoformat()
        return line

    inst: dict[str, Any] = {
        "type_of_bill": draw(st.sampled_from(["0111", "0131", "0711", "0771", "0851"])),
        "statement_from": start.isoformat(),
        "statement_through": end.isoformat(),
        "patient_status": draw(st.sampled_from(["01", "02", "20", "30"])),
        "admission_type": draw(st.none() | st.sampled_from("1239")),
        "admission_source": draw(st.none() | st.sampled_from("1247")),
        "attending_provider": {
            "npi": draw(st.sampled_from(VALID_NPIS)),
            "last_name": draw(TEXT),
            "first_name": draw(TEXT),
        },
        "condition_codes": draw(st.lists(CODE2, max_size=up_to)),
        "occurrences": [
            {"code": draw(CODE2), "date": draw(day)} for _ in range(draw(st.integers(0, up_to)))
        ],
        "occurrence_spans": [
            {"code": draw(CODE2), "start": draw(day), "end": start.isoformat()}
            for _ in range(draw(st.integers(0, 14 if many else 3)))
        ],
        "value_codes": [
            {"code": draw(CODE2), "amount": str(draw(MONEY))}
            for _ in range(draw(st.integers(0, 14 if many else 4)))
        ],
        "other_procedures": [
            {"code": draw(PCS), "date": draw(day)}
            for _ in range(draw(st.integers(0, 14 if many else 3)))
        ],
        "visit_reasons": draw(st.lists(st.sampled_from(DIAGNOSES), max_size=3)),
        "external_causes": draw(st.lists(st.sampled_from(EXTERNAL_CAUSES), max_size=3)),
        "drg_code": draw(st.none() | st.sampled_from(["470", "871", "292"])),
        "discharge_hour": draw(st.none() | st.sampled_from(["0000", "1130", "2359"])),
    }
    if draw(st.booleans()):
        inst["present_on_admission"] = [draw(st.sampled_from("YNUW")) for _ in diagnoses]
    if draw(st.booleans()):
        inst["admission_date"] = start.isoformat()
        inst["admission_hour"] = draw(st.none() | st.sampled_from(["0000", "0815", "2359"]))
        inst["admitting_diagnosis"] = draw(st.sampled_from(DIAGNOSES))
        inst["principal_procedure"] = {"code": draw(PCS), "date": start.isoformat()}
    data = institutional(
        encounter_id=draw(st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True)),
        diagnoses=diagnoses,
        institutional=inst,
        revenue_lines=[revenue_line(i) for i in range(draw(st.integers(1, 8)))],
    )
    person = {"npi": draw(st.sampled_from(VALID_NPIS)), "last_name": draw(TEXT),
              "first_name": draw(TEXT)}  # fmt: skip
    extra = {
        "rendering_provider": person,
        "referring_provider": person,
        "service_facility": {"name": draw(TEXT), "npi": VALID_NPIS[0],
                             "address": EXAMPLE["billing_provider"]["address"]},
        "referral_number": draw(st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)),
    }  # fmt: skip
    data.update({k: v for k, v in extra.items() if draw(st.booleans())})
    data["billing_provider"]["organization_name"] = draw(TEXT)
    data["subscriber"].update(last_name=draw(TEXT), first_name=draw(TEXT))
    return data


# -- other coverage: an FQHC visit billed to the Medigap plan after Medicare -------------

MEDICARE_A = {"payer_id": "MCRA1", "name": "Medicare Part A", "claim_filing_indicator": "MA"}
MEDIGAP = {"payer_id": "SBXGAP", "name": "Sandbox Medigap Plan", "claim_filing_indicator": "CI"}
MEDICARE_PAID: dict[str, Any] = {
    "payer_id": "MCRA1",
    "paid_date": "2026-11-27",
    "paid_amount": "144.00",
    "payer_claim_number": "ICN-FQ-1",
    "remark_codes": ["N130"],
    "lines": [
        {"position": 1, "paid_amount": "144.00",
         "adjustments": [{"group": "PR", "reason": "2", "amount": "36.00"}]},
        {"position": 2, "paid_amount": "0.00",
         "adjustments": [{"group": "CO", "reason": "97", "amount": "150.00"}]},
    ],
}  # fmt: skip
"""Medicare's answer to :data:`FQHC_VISIT`: the G-code paid per visit less 20 %
coinsurance, the qualifying visit bundled into it (CO-97)."""


def fqhc_secondary(**changes: Any) -> dict[str, Any]:
    """:data:`FQHC_VISIT` billed to the Medigap plan with Medicare's adjudication."""
    medigap = {"payer": MEDIGAP, "subscriber": {**FQHC_VISIT["subscriber"], "member_id": "GAP1"}}
    cob = {"payer": MEDICARE_A, "other_coverage": [medigap], "billed_payer_sequence": "S",
           "prior_adjudications": [MEDICARE_PAID]}  # fmt: skip
    return institutional(**{**cob, **changes})
