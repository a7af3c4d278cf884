"""What a payer decided about one claim, in the shape an 835 reports it.

A :class:`RemitClaim` is what adjudication produces and what the 835 writer consumes; the
sandbox also keeps some of them between payment cycles (a claim to reverse and pay again
later), so they convert to and from JSON-safe dicts.  Amounts are ``Decimal``; PHI fields
stay out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group (CO, PR, OA, PI), CARC and amount."""

    group: str
    reason: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RemitLine:
    qualifier: str
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    allowed: Decimal
    units: Decimal
    service_date: date
    outcome: str
    """``paid`` or the denial as ``GROUP-CARC`` (``CO-50``): what tests and reports compare."""
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    line_control: str | None = None
    service_date_end: date | None = None
    revenue_code: str = ""
    """SVC04: the 837I line's revenue code when it was priced by its HCPCS (SVC01 HC)."""

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "PR"), ZERO)


@dataclass(frozen=True, slots=True)
class RemitClaim:
    clm01: str
    status: str
    """CLP02: 1/2/3 processed as primary/secondary/tertiary, 4 denied, 22 reversal."""
    filing_code: str
    payer_claim_number: str
    payer_id: str
    place_of_service: str
    frequency: str
    received: date
    billing_npi: str
    lines: tuple[RemitLine, ...]
    member_id: str = field(repr=False)
    patient_last: str = field(repr=False)
    patient_first: str = field(repr=False)
    subscriber_last: str = field(repr=False)
    subscriber_first: str = field(repr=False)
    patient_is_subscriber: bool = True
    billing_name: str = field(default="", repr=False)
    billing_first: str = field(default="", repr=False)
    billing_is_person: bool = False
    billing_tax_id: str = field(default="", repr=False)
    original_claim_number: str | None = None
    """REF*F8 on a correction: the payer claim number of the claim it replaces."""
    kind: str = "original"
    """``original``, ``reversal`` or ``correction``."""
    crossover: tuple[str, str] | None = None
    """COB: NM1*TT, the payer (name, ID) this one forwarded the claim to (CLP02 19)."""
    priority_payer: tuple[str, str] | None = None
    """NM1*PR (2100 "Corrected Priority Payer"): the payer (name, ID) this one says pays
    first, on a claim it denied CO-22 without forwarding it."""
    remarks: tuple[str, ...] = ()
    """Claim-level remark codes (837I claims): MIA05/MIA20-23 or MOA03-07."""
    covered_days: int | None = None
    """MIA01 of an inpatient 837I claim: its remarks go in MIA, not MOA."""

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((line.patient_responsibility for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB adjustment: reason (L6 interest, WO recovery, FB forward balance), the
    reference it concerns (a payer claim number) and the amount; positive amounts reduce
    the payment, negative ones add to it."""

    reason: str
    reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    """One 835 transaction set: one payee's claims, provider adjustments and the trace."""

    payee_npi: str
    claims: tuple[RemitClaim, ...]
    adjustments: tuple[ProviderAdjustment, ...]
    trace: str
    """TRN02: the check or EFT trace number that ties the 835 to the money."""

    @property
    def total(self) -> Decimal:
        """BPR02: claim payments less provider adjustments."""
        return sum((c.paid for c in self.claims), ZERO) - sum(
            (a.amount for a in self.adjustments), ZERO
        )


def reversal_of(claim: RemitClaim) -> RemitClaim:
    """The CLP02 = 22 claim that takes ``claim`` back: every amount negated, same ICN."""
    lines = tuple(
        replace(
            line,
            charge=-line.charge,
            paid=-line.paid,
            allowed=-line.allowed,
            adjustments=tuple(replace(a, amount=-a.amount) for a in line.adjustments),
        )
        for line in claim.lines
    )
    return replace(claim, status="22", lines=lines, kind="reversal")


# -- JSON -------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def to_json(claim: RemitClaim) -> dict[str, Any]:
    return _plain(claim)


def _line(data: dict[str, Any]) -> RemitLine:
    return RemitLine(
        qualifier=data["qualifier"],
        procedure=data["procedure"],
        modifiers=tuple(data["modifiers"]),
        charge=Decimal(data["charge"]),
        paid=Decimal(data["paid"]),
        allowed=Decimal(data["allowed"]),
        units=Decimal(data["units"]),
        service_date=date.fromisoformat(data["service_date"]),
        outcome=data["outcome"],
        adjustments=tuple(
            Adjustment(a["group"], a["reason"], Decimal(a["amount"])) for a in data["adjustments"]
        ),
        remarks=tuple(data["remarks"]),
        line_control=data["line_control"],
        service_date_end=(
            date.fromisoformat(data["service_date_end"]) if data["service_date_end"] else None
        ),
        revenue_code=data.get("revenue_code", ""),  # kept before 837I lines had one
    )


def from_json(data: dict[str, Any]) -> RemitClaim:
    values = dict(data)
    values["received"] = date.fromisoformat(values["received"])
    values["lines"] = tuple(_line(line) for line in values["lines"])
    for pair in ("crossover", "priority_payer"):
        if values.get(pair):
            values[pair] = tuple(values[pair])
    values["remarks"] = tuple(values.get("remarks", ()))  # kept before claims had them
    return RemitClaim(**values)
