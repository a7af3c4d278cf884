"""Adjudicate an accepted claim line by line under the sandbox payer rules.

The rules live in ``mappings/sandbox/payer_rules.yaml`` (order of the checks documented
there).  What a payer remembers between claims (services already paid, deductible met
this year) is passed in as a :class:`History`, so the same claims in the same order with
the same seed always get the same answers.  "Sometimes" (a later reversal and correction)
is decided by :func:`chance`, a hash of the seed and the claim, never by a global RNG.
Whether the patient is covered at all is the sandbox's :class:`~sandbox.roster.Roster`
(the one its 271s answer from), checked before any other rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from mappings.sandbox import PayerRules, SandboxRules
from sandbox.claim_facts import Claim837, Line837
from sandbox.remittance import (
    ZERO,
    Adjustment,
    Payment,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
)
from sandbox.roster import Roster, Standing, Status
from sandbox.seeded import chance

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class History(Protocol):
    """What the payer remembers across claims (kept by the sandbox's state)."""

    def already_paid(self, key: str) -> bool: ...

    def remember_paid(self, key: str) -> None: ...

    def deductible_used(self, key: str) -> Decimal: ...

    def use_deductible(self, key: str, amount: Decimal) -> None: ...


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def service_key(claim: Claim837, line: Line837) -> str:
    """What makes two services the same service (CO-18): member, date, code, provider."""
    return "|".join(
        (
            claim.payer_id,
            claim.member_id,
            line.service_date.isoformat(),
            line.procedure,
            ":".join(line.modifiers),
            claim.billing.npi,
        )
    )


@dataclass(frozen=True, slots=True)
class _Denial:
    outcome: str
    group: str
    reason: str
    remark: str | None = None


_NOT_COVERED = {Status.UNKNOWN: "31", Status.TERMINATED: "27", Status.OTHER_PRIMARY: "22"}
"""The CARC of a line the roster says the payer does not cover: the patient is not its
member (31), the coverage ended before the date of service (27), another plan pays first
(22)."""


def _coverage(claim: Claim837, line: Line837, roster: Roster) -> Standing:
    """The patient's standing on the line's date of service, under the member ID the payer
    files them (a dependent it knows as a subscriber of their own: their own ID)."""
    dependent = None if claim.patient_is_subscriber else (claim.patient_last, claim.patient_first)
    member_id, _ = roster.known_as(claim.payer_id, claim.member_id, dependent)
    return roster.standing(claim.payer_id, member_id, line.service_date)


def _not_covered(claim: Claim837, standing: Standing) -> _Denial | None:
    """The denial of a line whose patient the payer does not cover on its date; a claim
    billed after another payer (2000B SBR01 not P) has been coordinated, so another plan
    paying first is no reason to deny it."""
    if standing.status is Status.OTHER_PRIMARY and claim.responsibility != "P":
        return None
    reason = _NOT_COVERED.get(standing.status)
    return _Denial(f"CO-{reason}", "CO", reason) if reason else None


def _denial(
    claim: Claim837,
    line: Line837,
    rules: PayerRules,
    timely_days: int,
    received: date,
    history: History,
) -> _Denial | None:
    """The first denial rule ``line`` hits, in the documented order, or None."""
    if claim.frequency not in ("7", "8") and history.already_paid(service_key(claim, line)):
        return _Denial("CO-18", "CO", "18")
    if (received - line.service_date).days > timely_days:
        return _Denial("CO-29", "CO", "29")
    for required in rules.required_data:
        if not line.procedure.startswith(required.procedure_prefixes):
            continue
        present = {
            "ndc": bool(line.ndc),
            "referring_provider": bool(claim.referring_npi),
            "line_control_number": bool(line.line_control),
        }[required.requires]
        if not present:
            return _Denial("CO-16", "CO", "16", required.rarc)
    for pair in rules.medical_necessity:
        prefixes = tuple(p.replace(".", "").upper() for p in pair.diagnosis_prefixes)
        if line.procedure == pair.procedure and any(
            dx.replace(".", "").upper().startswith(prefixes) for dx in claim.diagnoses
        ):
            return _Denial("CO-50", "CO", "50")
    for bundle in rules.bundled:
        if line.procedure == bundle.procedure and any(
            other.procedure == bundle.with_procedure and other.service_date == line.service_date
            for other in claim.lines
            if other is not line
        ):
            return _Denial("CO-97", "CO", "97", "M15")
    return None


def _paid_line(
    claim: Claim837,
    line: Line837,
    rules: PayerRules,
    fees: SandboxRules,
    history: History,
    copay_left: Decimal,
) -> tuple[RemitLine, Decimal]:
    """Price a covered line; returns it and the copay still to collect on this claim."""
    fee = fees.fee(rules.fee_schedule, line.procedure)
    if fee == 0:
        return _denied_line(line, _Denial("CO-96", "CO", "96", "N130")), copay_left
    listed = fee * line.units if fee is not None else None
    unlisted = line.charge * rules.unlisted_percent / HUNDRED
    allowed = _cents(min(unlisted if listed is None else listed, line.charge))
    adjustments: list[Adjustment] = []
    if line.charge > allowed:
        adjustments.append(Adjustment("CO", "45", line.charge - allowed))
    copay = ZERO
    if line.procedure in rules.copay_codes and copay_left > 0:
        copay = min(copay_left, allowed)
        copay_left -= copay
    member_year = f"{claim.payer_id}|{claim.member_id}|{line.service_date.year}"
    left = rules.deductible - history.deductible_used(member_year)
    if chance(0, "deductible-met", member_year) < rules.deductible_met_percent:
        left = ZERO  # met at other providers earlier in the year
    deductible = min(left, allowed - copay)
    deductible = max(deductible, ZERO)
    history.use_deductible(member_year, deductible)
    coinsurance = _cents((allowed - copay - deductible) * rules.coinsurance_percent / HUNDRED)
    for reason, amount in (("1", deductible), ("2", coinsurance), ("3", copay)):
        if amount > 0:
            adjustments.append(Adjustment("PR", reason, amount))
    paid = allowed - copay - deductible - coinsurance
    history.remember_paid(service_key(claim, line))
    remit = RemitLine(
        qualifier=line.qualifier,
        procedure=line.procedure,
        modifiers=line.modifiers,
        charge=line.charge,
        paid=paid,
        allowed=allowed,
        units=line.units,
        service_date=line.service_date,
        outcome="paid",
        adjustments=tuple(adjustments),
        line_control=line.line_control,
        service_date_end=line.service_date_end,
        revenue_code=line.revenue_code,
    )
    return remit, copay_left


def _denied_line(line: Line837, denial: _Denial) -> RemitLine:
    return RemitLine(
        qualifier=line.qualifier,
        procedure=line.procedure,
        modifiers=line.modifiers,
        charge=line.charge,
        paid=ZERO,
        allowed=ZERO,
        units=line.units,
        service_date=line.service_date,
        outcome=denial.outcome,
        adjustments=(Adjustment(denial.group, denial.reason, line.charge),),
        remarks=(denial.remark,) if denial.remark else (),
        line_control=line.line_control,
        service_date_end=line.service_date_end,
        revenue_code=line.revenue_code,
    )


def adjudicate(
    claim: Claim837,
    payer_claim_number: str,
    rules: PayerRules,
    fees: SandboxRules,
    timely_days: int,
    received: date,
    history: History,
    roster: Roster,
) -> RemitClaim:
    """Decide every line of ``claim`` (received on ``received``) and total the claim; the
    patient's coverage on each line's date (``roster``) first, then the documented rules."""
    lines: list[RemitLine] = []
    copay_left = rules.copay
    pays_first: tuple[str, str] | None = None
    for line in claim.lines:
        standing = _coverage(claim, line, roster)
        denial = _not_covered(claim, standing)
        if denial is not None and denial.reason == "22":
            pays_first = standing.other_payer
        denial = denial or _denial(claim, line, rules, timely_days, received, history)
        if denial is not None:
            lines.append(_denied_line(line, denial))
        else:
            remit, copay_left = _paid_line(claim, line, rules, fees, history, copay_left)
            lines.append(remit)
    paid_or_owed = any(line.paid or line.patient_responsibility for line in lines)
    remit = _remit(claim, payer_claim_number, rules, received, tuple(lines), not paid_or_owed)
    return replace(remit, priority_payer=pays_first)


# -- COB (issue 13) -----------------------------------------------------------------------


def adjudicate_after(
    claim: Claim837, payer_claim_number: str, rules: PayerRules, received: date, roster: Roster
) -> RemitClaim:
    """A payer paying after another (Medigap, Medicaid): each line is paid what the last
    earlier payer left to the patient (its PR amounts, from the claim's 2430 loops); the
    rest of the charge is OA-23, "the impact of prior payer(s) adjudication".  A patient
    the payer does not cover on the line's date (``roster``) is denied first."""
    lines = []
    for index, line in enumerate(claim.lines):
        denial = _not_covered(claim, _coverage(claim, line, roster))
        if denial is not None:
            lines.append(_denied_line(line, denial))
            continue
        owed = claim.remaining[index] if index < len(claim.remaining) else ZERO
        paid = min(max(owed, ZERO), line.charge)
        rest = line.charge - paid
        lines.append(
            RemitLine(
                qualifier=line.qualifier,
                procedure=line.procedure,
                modifiers=line.modifiers,
                charge=line.charge,
                paid=paid,
                allowed=paid,
                units=line.units,
                service_date=line.service_date,
                outcome="paid",
                adjustments=(Adjustment("OA", "23", rest),) if rest else (),
                line_control=line.line_control,
                service_date_end=line.service_date_end,
                revenue_code=line.revenue_code,
            )
        )
    denied = all(line.outcome != "paid" for line in lines)
    return _remit(claim, payer_claim_number, rules, received, tuple(lines), denied)


def crossed_over(remit: RemitClaim, to: PayerRules, payer_claim_number: str) -> RemitClaim:
    """The crossover payer's own answer to a claim the primary forwarded: it pays what the
    primary left to the patient, as secondary (CLP02 2)."""
    lines = []
    for line in remit.lines:
        owed = line.patient_responsibility
        rest = line.charge - owed
        lines.append(
            replace(
                line,
                paid=owed,
                allowed=owed,
                outcome="paid",
                adjustments=(Adjustment("OA", "23", rest),) if rest else (),
                remarks=(),
            )
        )
    return replace(
        remit,
        status="2",
        filing_code=to.claim_filing_code,
        payer_claim_number=payer_claim_number,
        payer_id=to.payer_id,
        lines=tuple(lines),
        crossover=None,
    )


def _remit(
    claim: Claim837,
    payer_claim_number: str,
    rules: PayerRules,
    received: date,
    lines: tuple[RemitLine, ...],
    denied: bool = False,
) -> RemitClaim:
    """The CLP of ``claim``: CLP02 4 when ``denied``, else processed as the payer it was
    billed to (1, 2 or 3)."""
    billing = claim.billing
    return RemitClaim(
        clm01=claim.clm01,
        status="4" if denied else {"S": "2", "T": "3"}.get(claim.responsibility, "1"),
        filing_code=rules.claim_filing_code,
        payer_claim_number=payer_claim_number,
        payer_id=claim.payer_id,
        place_of_service=claim.place_of_service,
        frequency=claim.frequency,
        received=received,
        billing_npi=billing.npi,
        lines=lines,
        member_id=claim.member_id,
        patient_last=claim.patient_last,
        patient_first=claim.patient_first,
        subscriber_last=claim.subscriber_last,
        subscriber_first=claim.subscriber_first,
        patient_is_subscriber=claim.patient_is_subscriber,
        billing_name=billing.last_or_org,
        billing_first=billing.first_name,
        billing_is_person=billing.is_person,
        billing_tax_id=billing.tax_id,
    )


def corrected(claim: RemitClaim, rules: PayerRules, payer_claim_number: str) -> RemitClaim:
    """The payer's own correction of a paid claim: fees raised by reprocess_fee_percent.

    Deductible and copay stay as first applied; coinsurance follows the new allowed
    amount.  REF*F8 points back to the claim number being replaced.
    """
    factor = 1 + rules.reprocess_fee_percent / HUNDRED
    lines = []
    for line in claim.lines:
        if line.outcome != "paid":
            lines.append(line)
            continue
        allowed = _cents(min(line.allowed * factor, line.charge))
        kept = {(a.group, a.reason): a.amount for a in line.adjustments if a.reason in ("1", "3")}
        deductible = min(kept.get(("PR", "1"), ZERO), allowed)
        copay = min(kept.get(("PR", "3"), ZERO), allowed - deductible)
        coinsurance = _cents((allowed - copay - deductible) * rules.coinsurance_percent / HUNDRED)
        adjustments = []
        if line.charge > allowed:
            adjustments.append(Adjustment("CO", "45", line.charge - allowed))
        for reason, amount in (("1", deductible), ("2", coinsurance), ("3", copay)):
            if amount > 0:
                adjustments.append(Adjustment("PR", reason, amount))
        paid = allowed - deductible - copay - coinsurance
        lines.append(replace(line, allowed=allowed, paid=paid, adjustments=tuple(adjustments)))
    return replace(
        claim,
        lines=tuple(lines),
        payer_claim_number=payer_claim_number,
        original_claim_number=claim.payer_claim_number,
        kind="correction",
    )


def payment(
    payee_npi: str,
    claims: tuple[RemitClaim, ...],
    rules: PayerRules,
    seed: int,
    trace: str,
) -> Payment:
    """Assemble one payee's 835 payment, with a provider-level adjustment "sometimes".

    With ``plb_percent`` chance (seeded by the claims in it) the payer adds interest (L6,
    1% of the payment, paid to the provider) or recovers an overpayment (WO, 10% up to
    25.00).  A payment that would be negative (reversals exceeding new payments) carries
    the balance forward (FB) instead, as payers do, so BPR02 is never below zero.
    """
    adjustments: list[ProviderAdjustment] = []
    paid = max(sum((c.paid for c in claims), ZERO), ZERO)
    ids = ",".join(sorted(f"{c.clm01}/{c.kind}" for c in claims))
    reference = next((c.payer_claim_number for c in claims if c.paid > 0), None)
    if reference and chance(seed, "plb", rules.payer_id, payee_npi, ids) < rules.plb_percent:
        if chance(seed, "plb-kind", rules.payer_id, payee_npi, ids) < 50:
            amount = -max(CENT, _cents(paid / HUNDRED))
            adjustments.append(ProviderAdjustment("L6", reference, amount))
        else:
            amount = min(Decimal("25.00"), _cents(paid / 10))
            if amount > 0:
                adjustments.append(ProviderAdjustment("WO", reference, amount))
    result = Payment(payee_npi, claims, tuple(adjustments), trace)
    if result.total < 0:
        forward = ProviderAdjustment("FB", claims[0].payer_claim_number, result.total)
        result = Payment(payee_npi, claims, (*adjustments, forward), trace)
    return result
