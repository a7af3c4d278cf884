"""COB encounters for tests: a primary that paid part, and the claims to later payers."""

from __future__ import annotations

from typing import Any

from tests.factories import encounter

MEDIGAP = {"payer_id": "SBXGAP", "name": "Sandbox Medigap Plan", "claim_filing_indicator": "CI"}
MEDICAID = {"payer_id": "SBXMCD", "name": "Sandbox Medicaid", "claim_filing_indicator": "MC"}
MEDICARE = {"payer_id": "SBXMCR", "name": "Sandbox Medicare", "claim_filing_indicator": "MB"}
SPOUSE = {
    "member_id": "SP998877",
    "group_number": "GRP55",
    "last_name": "Doe",
    "first_name": "John",
    "birth_date": "1978-01-09",
    "sex": "M",
}


def coverage(payer: dict, subscriber: dict | None = None, **changes: Any) -> dict[str, Any]:
    """A later coverage; the patient is its subscriber unless ``subscriber`` is given."""
    base = encounter()["subscriber"]
    data = {
        "payer": payer,
        "subscriber": subscriber or {**base, "member_id": "M" + payer["payer_id"]},
        "patient_relationship": "01" if subscriber else "18",
    }
    return {**data, **changes}


def primary_paid(payer_id: str = "87726", **changes: Any) -> dict[str, Any]:
    """The example's two lines (150.00 + 25.00) adjudicated: 100 + 20 paid, the rest
    contractual (CO-45) and patient responsibility (PR-1, PR-2)."""
    data = {
        "payer_id": payer_id,
        "paid_date": "2026-11-27",
        "paid_amount": "120.00",
        "payer_claim_number": "ICN0001",
        "lines": [
            {
                "position": 1,
                "paid_amount": "100.00",
                "adjustments": [
                    {"group": "CO", "reason": "45", "amount": "30.00"},
                    {"group": "PR", "reason": "2", "amount": "20.00"},
                ],
            },
            {
                "position": 2,
                "paid_amount": "20.00",
                "adjustments": [{"group": "PR", "reason": "1", "amount": "5.00"}],
            },
        ],
    }
    return {**data, **changes}


def secondary(**changes: Any) -> dict[str, Any]:
    """Billed to the Medigap plan after the primary (Medicare) paid part."""
    data = encounter(
        encounter_id="ENC-COB-S1",
        payer=MEDICARE,
        other_coverage=[coverage(MEDIGAP)],
        billed_payer_sequence="S",
        prior_adjudications=[primary_paid(MEDICARE["payer_id"])],
    )
    return {**data, **changes}


def tertiary(**changes: Any) -> dict[str, Any]:
    """Billed to Medicaid after Medicare and the spouse's plan."""
    second = primary_paid(
        "SBXGAP",
        paid_amount="20.00",
        payer_claim_number="GAP77",
        lines=[
            {"position": 1, "paid_amount": "15.00",
             "adjustments": [{"group": "PR", "reason": "3", "amount": "5.00"}]},
            {"position": 2, "paid_amount": "5.00", "adjustments": []},
        ],
    )  # fmt: skip
    second["lines"][0]["adjustments"].insert(0, {"group": "CO", "reason": "45", "amount": "130.00"})
    second["lines"][1]["adjustments"] = [{"group": "CO", "reason": "45", "amount": "20.00"}]
    data = encounter(
        encounter_id="ENC-COB-T1",
        payer=MEDICARE,
        other_coverage=[coverage(MEDIGAP, SPOUSE), coverage(MEDICAID)],
        billed_payer_sequence="T",
        prior_adjudications=[primary_paid(MEDICARE["payer_id"]), second],
    )
    return {**data, **changes}
