"""Encounter data for tests: the contract's example, and a hypothesis strategy of valid ones."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from edi.x12.text import x12_text

EXAMPLE: dict[str, Any] = {
    "encounter_id": "ENC-20261120-0001",
    "place_of_service": "11",
    "billing_provider": {
        "npi": "1234567893",
        "organization_name": "Maple Family Clinic",
        "tax_id": "123456789",
        "taxonomy_code": "207Q00000X",
        "address": {
            "line1": "100 Main St",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701-1234",
        },
    },
    "rendering_provider": {"npi": "1245319599", "last_name": "Rivera", "first_name": "Ana"},
    "payer": {"payer_id": "87726", "name": "Acme Health Plan", "claim_filing_indicator": "CI"},
    "subscriber": {
        "member_id": "W123456789",
        "last_name": "Doe",
        "first_name": "Jane",
        "birth_date": "1980-04-02",
        "sex": "F",
        "address": {
            "line1": "5 Oak Ave",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62704",
        },
    },
    "diagnoses": ["E11.40", "G43.909"],
    "service_lines": [
        {
            "procedure_code": "99213",
            "modifiers": ["25"],
            "charge": "150.00",
            "units": "1",
            "service_date": "2026-11-20",
            "diagnosis_pointers": [1, 2],
        },
        {
            "code_set": "HCPCS",
            "procedure_code": "J1100",
            "charge": "25.00",
            "units": "2",
            "service_date": "2026-11-20",
            "diagnosis_pointers": [1],
        },
    ],
}

VALID_NPIS = ["1234567893", "1245319599", "1679576722", "1003000126", "1992999874"]


def encounter(**changes: Any) -> dict[str, Any]:
    """A deep copy of the contract's example with top-level fields replaced."""
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    return data


def visit(encounter_id: str, day: int = 20) -> dict[str, Any]:
    """The example as another visit, its lines on 2026-11-``day``: the same service under
    two encounter IDs is held as a duplicate (``SNIP7.DUPLICATE.SERVICE``)."""
    data = encounter(encounter_id=encounter_id)
    for line in data["service_lines"]:
        line["service_date"] = f"2026-11-{day:02d}"
    return data


def ndjson(*encounters: dict[str, Any]) -> str:
    return "".join(json.dumps(e) + "\n" for e in encounters)


# -- hypothesis -------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(max_codepoint=0x24F, categories=("L", "N", "P", "S", "Zs")),
    min_size=2,
    max_size=30,
).filter(lambda s: len(x12_text(s)) >= 2)
"""Latin-script text with punctuation and symbols, the separators among them."""
DIAGNOSES = [
    "E11.40",
    "G43.909",
    "R51.9",
    "J06.9",
    "I10",
    "M54.50",
    "Z00.00",
    "S52.501A",
    "E78.5",
    "K21.9",
    "F41.1",
    "N39.0",
]
"""Twelve valid, billable ICD-10-CM codes: a full HI segment."""
ICD = st.sampled_from(DIAGNOSES)
CPT = st.sampled_from(["99213", "99214", "93000", "36415", "J1100", "81002", "G0438", "0001U"])
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


def _address() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "line1": TEXT,
            "city": TEXT.filter(lambda s: len(s.strip()) >= 2),
            "state": st.sampled_from(["IL", "NY", "CA", "TX"]),
            "postal_code": st.sampled_from(["62704", "10001-2345", "900012345"]),
        }
    )


@st.composite
def encounters(draw: st.DrawFn, encounter_id: str | None = None) -> dict[str, Any]:
    """A valid encounter with free text drawn from all of Unicode's letters and symbols."""
    diagnoses = draw(st.lists(ICD, min_size=1, max_size=12))
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))

    def line(_: Any) -> dict[str, Any]:
        pointers = draw(st.lists(st.integers(1, len(diagnoses)), min_size=1, max_size=4))
        return {
            "procedure_code": draw(CPT),
            "modifiers": draw(
                st.lists(st.sampled_from(["25", "59", "RT", "LT", "XS"]), max_size=4)
            ),
            "charge": str(draw(MONEY)),
            "units": str(draw(st.integers(1, 99))),
            "service_date": day.isoformat(),
            "diagnosis_pointers": pointers,
        }

    data = encounter(
        encounter_id=encounter_id or draw(st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True)),
        diagnoses=diagnoses,
        service_lines=[line(i) for i in range(draw(st.integers(1, 6)))],
    )
    data["billing_provider"]["organization_name"] = draw(TEXT)
    data["rendering_provider"] = {
        "npi": draw(st.sampled_from(VALID_NPIS[1:])),
        "last_name": draw(TEXT),
        "first_name": draw(TEXT),
    }
    data["subscriber"].update(last_name=draw(TEXT), first_name=draw(TEXT), address=draw(_address()))
    if draw(st.booleans()):
        data["patient"] = {
            "last_name": draw(TEXT),
            "first_name": draw(TEXT),
            "birth_date": "2015-06-01",
            "sex": draw(st.sampled_from("MFU")),
            "relationship_to_subscriber": "19",
            "address": draw(_address()),
        }
    return data
