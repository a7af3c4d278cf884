"""COB claims (2320/2330/2430): SNIP 4 says what a later payer needs, SNIP 3 that it adds up.

A secondary or tertiary payer pays on what the earlier payers decided; a claim whose
earlier adjudication is missing, or whose amounts do not balance, is denied (CO-16, MA04)
or rejected at the front end.  These rules judge the COB view of
:mod:`edi.claims.cob_loops`, the same for encounters and for claims read from files, so a
claim that cannot balance is an exception and is never sent.  Balancing is the 837P's:

* per line and earlier payer: the line's charge (SV102, the 837I's SV203) = that payer's
  SVD02 paid + its line CAS amounts;
* per earlier payer that reported lines: AMT*D = the sum of its SVD02;
* per earlier payer: CLM02 = AMT*D + its claim-level CAS + its line CAS amounts.

CLM02 = the sum of SV102 is :data:`edi.rules.snip3_balancing.CLAIM_BALANCE`.  The 837I
balances the same way over its revenue lines (``Encounter.claim_lines``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from edi.claims.cob_loops import ZERO, ClaimCob, OtherPayer, cob_of, is_medicare
from edi.rules.common import per_claim, total_charge
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register
_PLACES = {"P": "primary", "S": "secondary", "T": "tertiary"}

PRIOR_MISSING = _R(
    Rule(
        "SNIP4.COB.PRIOR_MISSING",
        4,
        "reject",
        "billing",
        "the claim is billed to the {place} payer, but the {missing} payer's adjudication is "
        "not given; a later payer pays only on what the earlier payers decided (2320/2430)",
        "Bill the primary first (payer = the primary, other_coverage = the later payers) and "
        "the secondary claim follows its 835, or supply the primary's adjudication from its "
        "EOB in prior_adjudications with billed_payer_sequence {sequence}",
        "2320",
        "AMT",
        "AMT02",
        "prior_adjudications",
    )
)
COVERAGE_MISSING = _R(
    Rule(
        "SNIP4.COB.COVERAGE_MISSING",
        4,
        "reject",
        "front_desk",
        "billed_payer_sequence {sequence} bills the {place} payer, but other_coverage lists "
        "{count} payer(s) after the primary",
        "Add the {place} payer's coverage to other_coverage, or correct billed_payer_sequence",
        "2000B",
        "SBR",
        "SBR01",
        "other_coverage",
    )
)
MEDICARE_TYPE = _R(
    Rule(
        "SNIP4.COB.SBR05",
        4,
        "reject",
        "front_desk",
        "Medicare ({payer}) is the {place} payer but the insurance type (SBR05) that says why "
        "Medicare is not primary is missing; Medicare rejects such claims",
        "Fill insurance_type on that coverage (12 working aged, 13 ESRD, 14 no-fault, 15 "
        "workers' compensation, 16 public health, 41 black lung, 42 VA, 43 disability, "
        "47 other liability)",
        "2000B",
        "SBR",
        "SBR05",
    )
)
LINE_UNKNOWN = _R(
    Rule(
        "SNIP4.COB.LINE_UNKNOWN",
        4,
        "reject",
        "billing",
        "the {payer_place} payer's adjudication names line {line}, which is not a line of "
        "this claim",
        "Give each adjudicated line the line_id of its service line, or its position (1-based)",
        "2430",
        "SVD",
        None,
        "prior_adjudications",
    )
)
LINES_INCOMPLETE = _R(
    Rule(
        "SNIP4.COB.LINES_INCOMPLETE",
        4,
        "reject",
        "billing",
        "the {payer_place} payer ({payer}) adjudicated some lines but not line {line}; a payer "
        "that reports lines reports every line",
        "Add that payer's decision on line {line} (paid amount and adjustments) from its "
        "835 or EOB",
        "2430",
        "SVD",
        None,
    )
)
PAYER_MISMATCH = _R(
    Rule(
        "SNIP4.COB.PAYER_ID",
        4,
        "warn",
        "billing",
        "the {payer_place} adjudication is from payer {given} but that coverage's payer is "
        "{payer}; the claim names {payer} in 2330B and SVD01",
        "Check that the adjudication belongs to this coverage",
        "2330B",
        "NM1",
        "NM109",
        "prior_adjudications",
    )
)
LINE_BALANCE = _R(
    Rule(
        "SNIP3.COB.LINE_BALANCE",
        3,
        "reject",
        "billing",
        "line {line} charges {charge} but the {payer_place} payer ({payer}) paid {paid} and "
        "adjusted {adjusted}, which add up to {total}; the next payer denies a line that "
        "does not balance",
        "Copy that payer's paid amount and every CAS adjustment for line {line} from its 835 "
        "or EOB so that paid + adjustments = charge",
        "2430",
        "SVD",
        "SVD02",
    )
)
PAID_LINES = _R(
    Rule(
        "SNIP3.COB.PAID_LINES",
        3,
        "reject",
        "billing",
        "the {payer_place} payer ({payer}) paid {paid} on the claim (AMT*D) but {lines} on "
        "its lines (SVD02)",
        "Make the claim paid amount the sum of that payer's line paid amounts, as its 835 says",
        "2320",
        "AMT",
        "AMT02",
    )
)
CLAIM_BALANCE = _R(
    Rule(
        "SNIP3.COB.CLAIM_BALANCE",
        3,
        "reject",
        "billing",
        "the claim charges {charge} but the {payer_place} payer ({payer}) paid {paid} and "
        "adjusted {adjusted}, which add up to {total}",
        "Copy that payer's claim and line adjustments (CAS) from its 835 or EOB so that "
        "paid + adjustments = the claim total",
        "2320",
        "CAS",
        None,
    )
)


@per_claim
def _cob(enc: Any, ctx: CheckContext) -> ClaimCob | None:
    """The claim's COB view, which both checks below ask for."""
    return cob_of(enc)


def _filed(enc: Any) -> bool:
    return "other_payers" in enc.__dict__


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


@check
def cob_situational(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The claim says who pays in which order and has what a later payer needs."""
    filed = _filed(enc)
    if not filed:
        yield from _encounter_order(enc)
    cob = _cob(enc, ctx)
    if cob is None:
        return
    if filed:
        yield from _filed_order(cob)
    if enc.claim_type != "institutional":  # the 837I has no SBR05 (value codes 12-16 say it)
        yield from _medicare_type(cob)
    yield from _lines_known(enc, cob, filed)


def _encounter_order(enc: Any) -> Iterator[Finding]:
    sequence = enc.billed_payer_sequence
    if sequence == "P":
        if enc.payer.responsibility != "P":  # encounter v1: "S"/"T" with no adjudication
            responsibility = enc.payer.responsibility
            yield fire(PRIOR_MISSING, field="payer.responsibility", place=_PLACES[responsibility],
                       missing="primary", sequence=responsibility)  # fmt: skip
        return
    place = "PST".index(sequence)
    if len(enc.other_coverage) < place:
        yield fire(COVERAGE_MISSING, sequence=sequence, place=_PLACES[sequence],
                   count=len(enc.other_coverage))  # fmt: skip
    if len(enc.prior_adjudications) < place:
        missing = _PLACES["PST"[len(enc.prior_adjudications)]]
        yield fire(PRIOR_MISSING, place=_PLACES[sequence], missing=missing, sequence=sequence)
    payers = [enc.payer, *(coverage.payer for coverage in enc.other_coverage)]
    adjudications = enc.prior_adjudications[:place]
    for index, (adjudication, payer) in enumerate(zip(adjudications, payers, strict=False)):
        if adjudication.payer_id != payer.payer_id:
            yield fire(PAYER_MISMATCH, field=f"prior_adjudications[{index}].payer_id",
                       payer_place=_PLACES["PST"[index]], given=adjudication.payer_id,
                       payer=payer.payer_id)  # fmt: skip


def _filed_order(cob: ClaimCob) -> Iterator[Finding]:
    """A file's SBR01 S/T needs the earlier payers' 2320 loops with their AMT*D."""
    if cob.sequence not in ("S", "T"):
        return
    earlier = "PST"[: "PST".index(cob.sequence)]
    done = {o.responsibility for o in cob.others if o.adjudicated}
    for place in earlier:
        if place not in done:
            yield fire(PRIOR_MISSING, field="other_payers", place=_PLACES[cob.sequence],
                       missing=_PLACES[place], sequence=cob.sequence)  # fmt: skip
            return


def _medicare_type(cob: ClaimCob) -> Iterator[Finding]:
    if cob.sequence != "P" and is_medicare(cob.billed) and not cob.insurance_type:
        yield fire(MEDICARE_TYPE, field="other_coverage", payer=cob.billed.payer_id,
                   place=_PLACES.get(cob.sequence, cob.sequence))  # fmt: skip
    for index, other in enumerate(cob.others):
        if other.responsibility != "P" and is_medicare(other.payer) and not other.insurance_type:
            yield fire(MEDICARE_TYPE, field=f"other_payers[{index}].insurance_type",
                       location=("2320", "SBR", "SBR05"), payer=other.payer.payer_id,
                       place=_PLACES.get(other.responsibility, other.responsibility))  # fmt: skip


def _lines_known(enc: Any, cob: ClaimCob, filed: bool) -> Iterator[Finding]:
    for index, line_ref in cob.unmatched:
        yield fire(LINE_UNKNOWN, field=f"prior_adjudications[{index}].lines",
                   payer_place=_PLACES["PST"[index]], line=line_ref)  # fmt: skip
    if not any(cob.lines):  # no line has a 2430: no payer reported some lines but not all
        return
    reporters = [{item.payer_id for item in items} for items in cob.lines]
    for other in cob.others:
        reported = [other.payer.payer_id in payer_ids for payer_ids in reporters]
        if any(reported) and not all(reported):
            line = reported.index(False) + 1
            yield fire(LINES_INCOMPLETE, field=f"{enc.lines_field}[{line - 1}]",
                       payer_place=_PLACES.get(other.responsibility, other.responsibility),
                       payer=other.payer.payer_id, line=line)  # fmt: skip


@check
def cob_balancing(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Every earlier payer's adjudication adds up, per line and for the claim."""
    cob = _cob(enc, ctx)
    if cob is None:
        return
    for other in cob.others:
        if other.adjudicated:
            yield from _payer_balances(enc, ctx, cob, other)


def _payer_balances(
    enc: Any, ctx: CheckContext, cob: ClaimCob, other: OtherPayer
) -> Iterator[Finding]:
    payer_id = other.payer.payer_id
    place = _PLACES.get(other.responsibility, other.responsibility)
    line_paid = line_adjusted = ZERO
    any_line = False
    for index, (line, items) in enumerate(zip(enc.claim_lines, cob.lines, strict=False)):
        for item in items:
            if item.payer_id != payer_id:
                continue
            any_line = True
            adjusted = sum((g.total for g in item.adjustments), ZERO)
            line_paid += item.paid_amount
            line_adjusted += adjusted
            if item.paid_amount + adjusted != line.charge:
                yield fire(LINE_BALANCE, field=f"{enc.lines_field}[{index}]", line=index + 1,
                           charge=_money(line.charge), payer_place=place, payer=payer_id,
                           paid=_money(item.paid_amount), adjusted=_money(adjusted),
                           total=_money(item.paid_amount + adjusted))  # fmt: skip
    paid = other.paid_amount or ZERO
    if any_line and line_paid != paid:
        yield fire(PAID_LINES, field="other_payers", payer_place=place, payer=payer_id,
                   paid=_money(paid), lines=_money(line_paid))  # fmt: skip
    claim_adjusted = sum((g.total for g in other.adjustments), ZERO) + line_adjusted
    charge = total_charge(enc, ctx)
    if paid + claim_adjusted != charge:
        yield fire(CLAIM_BALANCE, field="other_payers", charge=_money(charge), payer_place=place,
                   payer=payer_id, paid=_money(paid), adjusted=_money(claim_adjusted),
                   total=_money(paid + claim_adjusted))  # fmt: skip
