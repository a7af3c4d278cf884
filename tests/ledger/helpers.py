"""Small builders for ledger tests: records with IDs and money only, as the flows make them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flows.ledger import (
    AdmittedClaim,
    ClaimRecord,
    InterchangeClaim,
    InterchangeRecord,
    Ledger,
)
from flows.ledger.records import FrequencyCode

DAY = date(2026, 11, 27)
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FILE_A = "nightly/encounters/2026-11-27/a.jsonl"
FILE_B = "nightly/encounters/2026-11-28/b.jsonl"


def claim(
    encounter_id: str,
    source_file: str = FILE_A,
    frequency_code: FrequencyCode = "1",
    charge: str = "175.00",
) -> ClaimRecord:
    return ClaimRecord(
        encounter_id=encounter_id,
        payer_id="87726",
        charge=Decimal(charge),
        business_date=DAY,
        source_file=source_file,
        frequency_code=frequency_code,
    )


def interchange(
    ledger: Ledger,
    claims: tuple[AdmittedClaim, ...] | list[AdmittedClaim],
    profile: str = "sandbox",
    business_date: date = DAY,
) -> InterchangeRecord:
    """An interchange for ``claims`` with fresh control numbers from the ledger."""
    isa13 = ledger.allocate(f"ISA:CLINIC:{profile}")[0]
    gs06 = ledger.allocate(f"GS:CLINIC:{profile}")[0]
    return InterchangeRecord(
        profile=profile,
        sender="CLINIC",
        receiver="SANDBOXCH",
        isa13=isa13,
        gs06=gs06,
        file_name=f"{isa13:09d}.837",
        content=f"ISA*00*...*{isa13:09d}~".encode() + b"".join(c.clm01.encode() for c in claims),
        business_date=business_date,
        claims=[InterchangeClaim(c.clm01, c.generation, st02=1) for c in claims],
    )


def submit(ledger: Ledger, records: list[ClaimRecord], at: datetime = NOON) -> int:
    """Admit, record and confirm the upload of ``records``; the interchange id.

    The interchange's business date is the day of ``at`` (the night it was sent).
    """
    admission = ledger.admit_claims(records, now=at)
    record = interchange(ledger, admission.admitted, business_date=at.date())
    interchange_id = ledger.record_interchange(record, now=at)
    ledger.mark_uploaded(interchange_id, f"remote-{interchange_id}", at=at)
    return interchange_id
