"""The few facts of a claim a clearinghouse and a payer act on, typed for the sandbox.

The sandbox answers like a real front end, so it needs what theirs need: per claim CLM01,
the payer, the member ID, the patient's name (echoed in 277CA/835 as real ones do), the
billing provider, diagnoses, prior authorization, and the service lines.  They are taken
from the project's one 837 reader (:mod:`edi.claims.read_837`), whose records are loose
(a file may hold anything); here missing or unreadable values get the defaults a payer
would assume.  Fields holding PHI are kept out of ``repr`` so no traceback or log can
show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from edi.claims.cob_loops import ZERO, ClaimCob, filed_cob
from edi.claims.read_837 import FileClaim, FiledEncounter
from edi.rules import cob_balancing
from edi.rules.registry import CheckContext


@dataclass(frozen=True, slots=True)
class Line837:
    number: int
    qualifier: str
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    service_date: date
    service_date_end: date | None = None
    line_control: str | None = None
    ndc: str | None = None
    revenue_code: str = ""
    """An 837I line's revenue code (SV201); the 835 echoes it in SVC04 beside a HCPCS."""


@dataclass(frozen=True, slots=True)
class Provider837:
    npi: str
    last_or_org: str = field(repr=False)
    first_name: str = field(default="", repr=False)
    is_person: bool = False
    tax_id: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Claim837:
    clm01: str
    charge: Decimal
    place_of_service: str
    frequency: str
    payer_id: str
    payer_name: str
    responsibility: str
    billing: Provider837
    member_id: str = field(repr=False)
    patient_last: str = field(repr=False)
    patient_first: str = field(repr=False)
    subscriber_last: str = field(repr=False)
    subscriber_first: str = field(repr=False)
    patient_is_subscriber: bool = True
    diagnoses: tuple[str, ...] = ()
    prior_auth: str | None = None
    original_reference: str | None = None
    referring_npi: str | None = None
    lines: tuple[Line837, ...] = ()
    # -- COB (issue 13) --
    other_payers: tuple[tuple[str, str], ...] = ()
    """(SBR01, payer ID) of each 2320 loop."""
    cob_problems: tuple[str, ...] = ()
    """Rule IDs of the COB rules the claim fails (edi.rules.cob_balancing)."""
    remaining: tuple[Decimal, ...] = ()
    """Per line: what the last earlier payer left to the patient (its PR amounts)."""
    institutional: bool = False
    """An 837I claim (its remittance carries MOA or MIA remark codes)."""
    covered_days: int | None = None
    """An inpatient 837I bill: the statement's days (the 835's MIA01)."""

    @property
    def service_date(self) -> date:
        return min(line.service_date for line in self.lines)

    @property
    def service_date_end(self) -> date:
        return max(line.service_date_end or line.service_date for line in self.lines)


def _decimal(value: Any, default: int = 0) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(default)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _line(number: int, line: dict[str, Any]) -> Line837:
    return Line837(
        number=number,
        qualifier="HC",
        procedure=line.get("procedure_code", ""),
        modifiers=tuple(line.get("modifiers", ())),
        charge=_decimal(line.get("charge")),
        units=_decimal(line.get("units"), 1),
        service_date=_date(line.get("service_date")) or date.min,
        service_date_end=_date(line.get("service_date_end")),
        line_control=line.get("line_id"),
        ndc=line.get("ndc"),
    )


def claim_facts(claim: FileClaim) -> Claim837:
    """The sandbox's view of one claim the reader found (an 837I's revenue lines too)."""
    from sandbox.institutional import bill_frequency, covered_days, facility_code, revenue_lines

    record = claim.record
    billing = record.get("billing_provider", {})
    payer = record.get("payer", {})
    subscriber = record.get("subscriber", {})
    patient = record.get("patient")
    named = patient if patient and patient.get("last_name") else subscriber
    return Claim837(
        clm01=claim.clm01,
        charge=_decimal(record.get("stated_total")),
        place_of_service=record.get("place_of_service") or facility_code(record) or "",
        frequency=bill_frequency(record) or record.get("frequency_code") or "1",
        payer_id=payer.get("payer_id", ""),
        payer_name=payer.get("name", ""),
        responsibility=payer.get("responsibility") or "P",
        billing=Provider837(
            npi=billing.get("npi", ""),
            last_or_org=billing.get("organization_name") or billing.get("last_name", ""),
            first_name=billing.get("first_name", ""),
            is_person="organization_name" not in billing,
            tax_id=billing.get("tax_id", ""),
        ),
        member_id=subscriber.get("member_id", ""),
        patient_last=named.get("last_name", ""),
        patient_first=named.get("first_name", ""),
        subscriber_last=subscriber.get("last_name", ""),
        subscriber_first=subscriber.get("first_name", ""),
        patient_is_subscriber=named is subscriber,
        diagnoses=tuple(record.get("diagnoses", ())),
        prior_auth=record.get("prior_authorization"),
        original_reference=record.get("original_payer_claim_number"),
        referring_npi=record.get("referring_provider", {}).get("npi"),
        lines=revenue_lines(record)
        if record.get("claim_type") == "institutional"
        else tuple(_line(n, line) for n, line in enumerate(record.get("service_lines", ()), 1)),
        institutional=record.get("claim_type") == "institutional",
        covered_days=covered_days(record),
        **_cob_facts(record),
    )


# -- COB (issue 13) -----------------------------------------------------------------------

_NO_CONTEXT = CheckContext(today=date(2000, 1, 1))


def _cob_facts(record: dict[str, Any]) -> dict[str, Any]:
    """What a payer paying after another needs: who else pays, whether the loops balance
    (the project's own COB rules), and what the last earlier payer left per line."""
    try:
        enc = FiledEncounter.model_validate(record)
    except ValidationError:
        return {"cob_problems": ("SNIP1.RECORD",)}
    cob = filed_cob(enc)
    if cob is None:
        return {}
    found = [
        *cob_balancing.cob_situational(enc, _NO_CONTEXT),
        *cob_balancing.cob_balancing(enc, _NO_CONTEXT),
    ]
    return {
        "other_payers": tuple((o.responsibility, o.payer.payer_id) for o in cob.others),
        "cob_problems": tuple(f.rule_id for f in found if f.rejects),
        "remaining": _remaining(cob),
    }


def _remaining(cob: ClaimCob) -> tuple[Decimal, ...]:
    out = []
    for items in cob.lines:
        last = items[-1] if items else None
        owed = ZERO
        if last is not None:
            owed = sum((sum(g.amounts, ZERO) for g in last.adjustments if g.group == "PR"), ZERO)
        out.append(owed)
    return tuple(out)
