"""A batch of encounters that makes the sandbox produce every outcome it knows.

Each group of claims targets one answer of the sandbox's bundled rules
(``mappings/sandbox/payer_rules.yaml`` and the payer profiles): paid with cost sharing,
CO-50, CO-97, CO-16 (two RARCs), CO-29, CO-18, CO-96, front-end rejections A7 and A6, a
dependent patient, two payers and three payees.  Enough claims are paid for the seeded
"sometimes" (reversal and correction, PLB) to happen with the seed the tests use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from edi.claims.build_837p import build_interchanges
from edi.claims.models import Encounter
from edi.x12.control import ControlNumberSource
from mappings.profiles import ClearinghouseProfile, clearinghouse_profile
from tests.factories import EXAMPLE, VALID_NPIS, encounter

SERVICE_DAY = date(2026, 11, 20)
RECEIVED = datetime(2026, 11, 27, 22, 15)
MEDICARE = {"payer_id": "00431", "name": "Medicare Part B", "claim_filing_indicator": "MB"}
MBIS = ["5EG4TE5MK77", "6EG4TE5MK78", "3EG4TE5MK75"]
PAID_MEMBERS = ["W100000000", "W100000001", "W100000002", "W100000003", "W100000004",
                "W100000006"]  # fmt: skip
"""Members the sandbox's roster covers under the tests' seed (7): the batch is about what
happens to covered claims; tests/sandbox/test_sandbox_roster.py is about coverage."""


def _line(code: str, charge: str, day: date = SERVICE_DAY, **extra: Any) -> dict[str, Any]:
    return {"procedure_code": code, "charge": charge, "units": "1",
            "service_date": day.isoformat(), "diagnosis_pointers": [1], **extra}  # fmt: skip


def _claim(claim_id: str, lines: list[dict], npi: int = 0, member: str = "W100000001",
           **changes: Any) -> dict[str, Any]:  # fmt: skip
    data = encounter(**{"diagnoses": ["E11.40"], **changes}, encounter_id=claim_id,
                     service_lines=lines)  # fmt: skip
    data["billing_provider"] = {**EXAMPLE["billing_provider"], "npi": VALID_NPIS[npi],
                                "organization_name": f"Clinic {npi}"}  # fmt: skip
    data["rendering_provider"] = None
    data["subscriber"] = {**data["subscriber"], "member_id": member}
    return data


def outcome_batch() -> list[Encounter]:
    """About fifty claims; see the module docstring for what each group provokes."""
    raw: list[dict[str, Any]] = []
    for i in range(36):  # paid: copay, deductible, coinsurance, CO-45; three payees
        day = SERVICE_DAY - timedelta(days=i // 6)
        member = PAID_MEMBERS[i % 6]
        raw.append(_claim(f"PAID-{i:04d}", [_line("99214", "180.00", day),
                                            _line("20610", "150.00", day),
                                            _line("36415", "12.00", day)],
                          npi=i % 3, member=member))  # fmt: skip
    raw += [
        _claim("DENY-CO50", [_line("99213", "140.00"), _line("82306", "70.00")],
               diagnoses=["Z00.00"]),
        _claim("DENY-CO97", [_line("93000", "45.00"), _line("93005", "25.00")]),
        _claim("DENY-CO16-NDC", [_line("J1100", "25.00")]),
        _claim("DENY-CO16-REF", [_line("97110", "60.00")], npi=1),
        _claim("DENY-CO29", [_line("99213", "140.00", SERVICE_DAY - timedelta(days=200))]),
        _claim("DUP-FIRST", [_line("99212", "90.00")], member="W200000002"),
        _claim("DUP-SECOND", [_line("99212", "90.00")], member="W200000002"),
        _claim("REJECT-A7", [_line("99213", "140.00")], member="X12345"),
        _claim("REJECT-A6", [_line("70553", "900.00")]),
        _claim("AUTH-OK", [_line("70553", "900.00")], prior_authorization="PA778899",
               member="W300000003"),
        _claim("DEPENDENT", [_line("99213", "140.00")], member="W400000004",
               patient={"last_name": "Doe", "first_name": "Sam", "birth_date": "2015-06-01",
                        "sex": "M", "relationship_to_subscriber": "19",
                        "address": EXAMPLE["subscriber"]["address"]}),
        _claim("MCR-PAID", [_line("99214", "180.00"), _line("G0439", "200.00"),
                            _line("36415", "12.00")],
               payer=MEDICARE, member=MBIS[0], diagnoses=["I10"]),
        _claim("MCR-CO50", [_line("82306", "70.00")], payer=MEDICARE, member=MBIS[1],
               diagnoses=["Z13.21"]),
        _claim("MCR-CO96", [_line("99385", "250.00")], payer=MEDICARE, member=MBIS[2], npi=2),
    ]  # fmt: skip
    for i in range(8):  # more Medicare payments, for the seeded reversal and PLB
        day = SERVICE_DAY - timedelta(days=i)
        lines = [_line("99213", "140.00", day), _line("93000", "45.00", day)]
        raw.append(_claim(f"MCR-{i:04d}", lines, payer=MEDICARE, member=MBIS[i % 3],
                          diagnoses=["I10"], npi=i % 2))  # fmt: skip
    return [Encounter.model_validate(data) for data in raw]


def build_files(
    encounters: list[Encounter],
    controls: ControlNumberSource,
    created: datetime = RECEIVED,
    profile: ClearinghouseProfile | None = None,
) -> list[bytes]:
    """The 837P interchanges the project's builder makes of ``encounters``."""
    profile = profile or clearinghouse_profile("sandbox")
    return [i.data for i in build_interchanges(encounters, profile, controls, created)]
