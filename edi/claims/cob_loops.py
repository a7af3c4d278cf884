"""A claim to a later payer as the 837P carries it: the loops 2320/2330A/2330B/2430.

The encounter (v1.1) says who insures the patient in order (``payer``, then
``other_coverage``) and what the earlier payers decided (``prior_adjudications``).  The
837P says it the other way round: 2000B/2010BB name the payer this claim is *billed to*,
and each other payer is a 2320 loop (its subscriber in 2330A, itself in 2330B) with, when
it has adjudicated, its claim-level CAS, AMT*D and its 2430 lines.  :func:`claim_cob` turns
the first into the second, once, for the builder and the rules; :func:`filed_cob` takes the
same view from a claim read back from a file, so one set of balancing rules judges both.

The 837I (005010X223A2) carries the same loops under its revenue lines, so one view serves
both forms: the lines are the claim's own (``Encounter.claim_lines``), and each guide
description binds what its form writes (``edi/guides/x222a1.yaml`` and ``x223a2.yaml``,
subjects ``other_payers[]`` and ``service_lines[].adjudications[]`` or
``revenue_lines[].adjudications[]``; the 837I adds SVD04, the line's revenue code, and
2320 MOA, the earlier payer's remark codes).  Built from an
encounter they are constructed without validation (their values come from validated
models: the builder's hot path); read from a file they are validated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from edi.claims.models import (
    MEDICARE_FILING,
    Address,
    AdjudicatedLine,
    Adjudication,
    Adjustment,
    Coverage,
    Encounter,
    Patient,
    Payer,
    RevenueLine,
    ServiceLine,
    Subscriber,
    empty_list,
)
from edi.codesets.institutional_lists import INPATIENT_BILLS

ZERO = Decimal("0.00")
TRIPLETS_PER_CAS = 6
"""A CAS segment holds up to six reason/amount/quantity triplets of one group."""


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CasGroup(_Wire):
    """One CAS segment: a group code and its triplets, as parallel lists."""

    group: str
    reasons: list[str] = empty_list()
    amounts: list[Decimal] = empty_list()
    quantities: list[Decimal] = empty_list()

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


class OtherSubscriber(_Wire):
    """2330A: the insured of the other payer's coverage."""

    last_name: str
    first_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    member_id: str
    address: Address | None = None


class OtherPayer(_Wire):
    """One 2320 loop with its 2330A and 2330B."""

    responsibility: str
    """SBR01: ``P``, ``S`` or ``T``: this other payer's place in the order."""
    relationship: str = "18"
    """SBR02: the patient's relationship to this payer's subscriber."""
    group_number: str | None = None
    insurance_type: str | None = None
    payer: Payer
    subscriber: OtherSubscriber
    adjustments: list[CasGroup] = empty_list()
    paid_amount: Decimal | None = None
    """AMT*D; ``None`` when this payer has not adjudicated (a later payer)."""
    patient_amount: Decimal | None = None
    """AMT*EAF at claim level: only when this payer reported no lines."""
    assignment_of_benefits: bool = True
    release_of_information: str = "Y"
    paid_date: date | None = None
    payer_claim_number: str | None = None
    remark_codes: list[str] = empty_list()
    """MOA03-07 (837I only, outpatient bills): the earlier payer's claim remark codes."""
    covered_days: int | None = None
    """MIA01 (837I inpatient bills, adjudicated payers): the stay's days, statement from
    to through (the encounter carries no payer-reported count)."""
    inpatient_remark_codes: list[str] = empty_list()
    """MIA05, MIA20-23 (837I inpatient bills): the earlier payer's claim remark codes."""
    non_covered_amount: Decimal | None = None
    """AMT*A8 (837I): the revenue lines' non-covered charges, on an adjudicated payer."""

    @property
    def adjudicated(self) -> bool:
        return self.paid_amount is not None


class LineAdjudication(_Wire):
    """One 2430 loop: an earlier payer's decision on one service line."""

    payer_id: str
    paid_amount: Decimal
    procedure_code: str | None = None
    """SVD03-2; an 837I line without HCPCS (SV202) has none."""
    modifiers: list[str] = empty_list()
    revenue_code: str | None = None
    """SVD04 (837I): the revenue code of the line paid."""
    paid_units: Decimal
    adjustments: list[CasGroup] = empty_list()
    paid_date: date | None = None
    patient_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ClaimCob:
    """The COB part of one claim as sent: the billed payer's place, and the others."""

    sequence: str
    """SBR01 of 2000B: the billed payer's place (``P``, ``S``, ``T``)."""
    insurance_type: str | None
    """SBR05 of 2000B."""
    billed: Payer
    others: tuple[OtherPayer, ...]
    lines: tuple[tuple[LineAdjudication, ...], ...]
    """Per service line, in order: the 2430 loops under it."""
    unmatched: tuple[tuple[int, str], ...] = ()
    """(adjudication index, line reference) of adjudicated lines naming no service line."""


# -- from an encounter (v1.1) ------------------------------------------------------------

_ORDER = ("P", "S", "T")


def has_cob(enc: Encounter) -> bool:
    """Whether the claim carries other-payer loops (the fast test for the common claim)."""
    return bool(enc.other_coverage) or enc.billed_payer_sequence != "P"


def billed_coverage(enc: Encounter) -> Coverage | None:
    """The coverage this encounter is billed to, ``None`` for the primary (``payer``)."""
    place = _ORDER.index(enc.billed_payer_sequence)
    if place == 0:
        return None
    return enc.other_coverage[place - 1] if len(enc.other_coverage) >= place else None


def billed_payer(enc: Encounter) -> Payer:
    """The payer the claim goes to (2010BB, the ledger's payer)."""
    coverage = billed_coverage(enc)
    return enc.payer if coverage is None else coverage.payer


def cas_groups(adjustments: Iterable[Adjustment]) -> list[CasGroup]:
    """CAS segments: one per group in order of first appearance, six triplets each."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    out = []
    for group, items in by_group.items():
        for start in range(0, len(items), TRIPLETS_PER_CAS):
            chunk = items[start : start + TRIPLETS_PER_CAS]
            quantities = [a.quantity for a in chunk]
            out.append(
                CasGroup.model_construct(
                    group=group,
                    reasons=[a.reason for a in chunk],
                    amounts=[a.amount for a in chunk],
                    quantities=quantities if all(q is not None for q in quantities) else [],
                )
            )
    return out


def _patient_amount(adjustments: Iterable[Adjustment]) -> Decimal:
    return sum((a.amount for a in adjustments if a.group == "PR"), ZERO)


def _other_subscriber(person: Subscriber) -> OtherSubscriber:
    return OtherSubscriber.model_construct(
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        suffix=person.suffix,
        member_id=person.member_id,
        address=person.address,
    )


def _other(
    enc: Encounter,
    place: int,
    coverage: Coverage | None,
    adjudication: Adjudication | None,
) -> OtherPayer:
    """The 2320 loop of the payer at ``place`` (0 primary): ``coverage`` ``None`` for it."""
    if coverage is None:
        payer, subscriber = enc.payer, enc.subscriber
        relationship = enc.patient.relationship_to_subscriber if enc.patient else "18"
        insurance_type = None
    else:
        payer, subscriber = coverage.payer, coverage.subscriber
        relationship, insurance_type = coverage.patient_relationship, coverage.insurance_type
    facts: dict[str, Any] = {}
    if adjudication is not None:
        lines_reported = bool(adjudication.lines)
        facts = {
            "adjustments": cas_groups(adjudication.claim_adjustments),
            "paid_amount": adjudication.paid_amount,
            "patient_amount": None
            if lines_reported
            else _patient_amount(adjudication.claim_adjustments),
            "paid_date": adjudication.paid_date,
            "payer_claim_number": adjudication.payer_claim_number,
            "remark_codes": adjudication.remark_codes,
            **_institutional_facts(enc, adjudication),
        }
    return OtherPayer.model_construct(
        responsibility=_ORDER[place],
        relationship=relationship,
        group_number=subscriber.group_number,
        insurance_type=insurance_type,
        payer=payer,
        subscriber=_other_subscriber(subscriber),
        assignment_of_benefits=enc.assignment_of_benefits,
        release_of_information=enc.release_of_information,
        **facts,
    )


def _institutional_facts(enc: Encounter, adjudication: Adjudication) -> dict[str, Any]:
    """The 837I's part of an adjudicated 2320: AMT*A8, and MIA instead of MOA on an
    inpatient bill (the 835 reports inpatient remark codes in MIA, outpatient in MOA)."""
    inst = enc.institutional
    if inst is None:
        return {}
    facts: dict[str, Any] = {}
    non_covered = sum((line.non_covered_charge or ZERO for line in enc.revenue_lines), ZERO)
    if non_covered:
        facts["non_covered_amount"] = non_covered
    if inst.facility_code in INPATIENT_BILLS:
        through = inst.statement_through or inst.statement_from
        facts.update(
            covered_days=(through - inst.statement_from).days,
            inpatient_remark_codes=adjudication.remark_codes,
            remark_codes=[],
        )
    return facts


def _line_index(
    lines: Sequence[ServiceLine | RevenueLine], adjudicated: AdjudicatedLine
) -> int | None:
    """Which service line (0-based) an adjudicated line is about: by ``line_id``, else by
    ``position``."""
    if adjudicated.line_id is not None:
        for index, line in enumerate(lines):
            if line.line_id is not None and line.line_id.upper() == adjudicated.line_id.upper():
                return index
        return None
    if adjudicated.position is not None and adjudicated.position <= len(lines):
        return adjudicated.position - 1
    return None


def _line_adjudications(
    enc: Encounter, payers: Sequence[Payer], adjudications: Sequence[Adjudication]
) -> tuple[tuple[tuple[LineAdjudication, ...], ...], tuple[tuple[int, str], ...]]:
    lines = enc.claim_lines
    per_line: list[list[LineAdjudication]] = [[] for _ in lines]
    unmatched: list[tuple[int, str]] = []
    for number, (payer, adjudication) in enumerate(zip(payers, adjudications, strict=False)):
        for adjudicated in adjudication.lines:
            index = _line_index(lines, adjudicated)
            if index is None:
                unmatched.append((number, adjudicated.line_id or str(adjudicated.position)))
                continue
            line = lines[index]
            per_line[index].append(
                LineAdjudication.model_construct(
                    payer_id=payer.payer_id,
                    paid_amount=adjudicated.paid_amount,
                    procedure_code=adjudicated.procedure_code or line.procedure_code,
                    modifiers=adjudicated.modifiers or line.modifiers,
                    revenue_code=getattr(line, "revenue_code", None),
                    paid_units=adjudicated.paid_units or line.units,
                    adjustments=cas_groups(adjudicated.adjustments),
                    paid_date=adjudication.paid_date,
                    patient_amount=_patient_amount(adjudicated.adjustments),
                )
            )
    return tuple(tuple(items) for items in per_line), tuple(unmatched)


def claim_cob(enc: Encounter) -> ClaimCob | None:
    """The COB loops of ``enc`` as sent, ``None`` when it has none.

    Billed to the primary: 2320 lists the later payers (no adjudication yet).  Billed to
    the secondary: the primary with its adjudication, then the tertiary if any.  Billed to
    the tertiary: the primary and the secondary, both adjudicated.  Missing coverages or
    adjudications leave their loops out; the rules (``SNIP4.COB.*``) refuse such claims."""
    if not has_cob(enc):
        return None
    place = _ORDER.index(enc.billed_payer_sequence)
    if place > len(enc.other_coverage):  # no coverage to bill: SNIP4.COB.COVERAGE_MISSING
        return None
    coverages: list[Coverage | None] = [None, *enc.other_coverage]
    others, adjudicated_payers = [], []
    for other_place, coverage in enumerate(coverages):
        if other_place == place:
            continue
        adjudication = None
        if other_place < place and other_place < len(enc.prior_adjudications):
            adjudication = enc.prior_adjudications[other_place]
            adjudicated_payers.append(enc.payer if coverage is None else coverage.payer)
        others.append(_other(enc, other_place, coverage, adjudication))
    lines, unmatched = _line_adjudications(
        enc, adjudicated_payers, enc.prior_adjudications[: len(adjudicated_payers)]
    )
    billed = billed_coverage(enc)
    return ClaimCob(
        sequence=enc.billed_payer_sequence,
        insurance_type=billed.insurance_type if billed else None,
        billed=billed_payer(enc),
        others=tuple(others),
        lines=lines,
        unmatched=unmatched,
    )


def wire_encounter(enc: Encounter) -> Encounter:
    """``enc`` with 2000B/2010BA/2010BB/2000C as sent to the billed payer: its payer
    (SBR01 its place), its subscriber, and the patient when not that subscriber."""
    coverage = billed_coverage(enc)
    if coverage is None:
        return enc
    payer = coverage.payer.model_copy(update={"responsibility": enc.billed_payer_sequence})
    patient = None
    if coverage.patient_relationship != "18":
        person = enc.patient or enc.subscriber
        fields = {name: getattr(person, name) for name in _PERSON_FIELDS}
        patient = Patient.model_construct(
            **fields, relationship_to_subscriber=coverage.patient_relationship
        )
    return enc.model_copy(
        update={"payer": payer, "subscriber": coverage.subscriber, "patient": patient}
    )


_PERSON_FIELDS = (
    "last_name", "first_name", "middle_name", "suffix", "birth_date", "sex", "address",
)  # fmt: skip


def is_medicare(payer: Payer) -> bool:
    return payer.claim_filing_indicator in MEDICARE_FILING


# -- from a claim read back from a file ------------------------------------------------


def filed_cob(enc: Any) -> ClaimCob | None:
    """The same view of a claim read from an 837 (``read_837.FiledEncounter``), whose
    2000B already names the billed payer and whose 2320/2430 were read as they stand.

    Its lines are ``FiledServiceLine``/``FiledRevenueLine``, so each has ``adjudications``;
    the usual claim (no 2320, billed to the primary, no 2430) costs a few attribute reads."""
    others = enc.other_payers
    sequence = enc.payer.responsibility
    claim_lines = enc.claim_lines
    if not others and sequence == "P":  # the usual claim: no COB, unless a line has 2430
        for line in claim_lines:
            if line.adjudications:
                break
        else:
            return None
    return ClaimCob(
        sequence=sequence,
        insurance_type=enc.insurance_type,
        billed=enc.payer,
        others=tuple(others),
        lines=tuple(tuple(line.adjudications) for line in claim_lines),
    )


def cob_of(enc: Any) -> ClaimCob | None:
    """The COB view of an encounter or of a claim read from a file (a field only the
    latter has tells them apart: ``read_837`` imports this module, not the reverse)."""
    if "other_payers" in enc.__dict__:
        return filed_cob(enc)
    return claim_cob(enc)
