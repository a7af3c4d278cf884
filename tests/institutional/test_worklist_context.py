"""Worklists show an 837I claim's type of bill, its first date and its total."""

from __future__ import annotations

from datetime import date

from edi.claims.models import Encounter
from flows.worklists.context import encounter_context
from tests.institutional.factories import INPATIENT_STAY, institutional


def test_institutional_claims_in_the_billers_context() -> None:
    void = institutional(
        INPATIENT_STAY,
        original_payer_claim_number="2633100000002",
        institutional={**INPATIENT_STAY["institutional"], "type_of_bill": "0118"},
    )
    (row,) = encounter_context([Encounter.model_validate(void)]).to_dict("records")
    assert row["type_of_bill"] == "0118"
    assert row["frequency_code"] == "8"  # the bill's frequency: a void, as the classifier asks
    assert row["dos"] == date(2026, 11, 1)  # no dated lines: the statement's start
    assert row["billed_cents"] == 423250
