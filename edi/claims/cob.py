"""The next payer after an 835: bill it, wait for the crossover, or stop — exactly once.

An 835 claim payment (CLP) answers the claim for one payer.  When the encounter names a
later coverage, what happens next depends on what the payer said:

* processed as primary/secondary (CLP02 ``1``/``2``/``3``): the next payer is billed with
  this adjudication as the next ``prior_adjudications`` entry (the 2320/2430 loops);
* forwarded (CLP02 ``19``/``20``/``21``, an ``NM1*TT`` crossover carrier, or the
  coverage's ``crossover: true``): nothing is sent; the claim waits for the next payer's
  own 835;
* denied (CLP02 ``4``, or every line unpaid with only CO adjustments): the next payer is
  not billed unless the payer profile says so; the denial is worked first.

:func:`next_step` is that decision; :func:`reconcile` keeps it to once per CLM01 and payer
sequence, whatever arrives again (the same 835, a reversal and its correction).  Pure: the
flows give it the encounter, the remittance and what the ledger holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import pandas as pd

from edi.claims.models import AdjudicatedLine, Adjudication, Adjustment, Encounter, Payer
from edi.x12.reader import Segment

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_PLACES = "PST"
PROCESSED = {"1": "P", "2": "S", "3": "T"}
"""CLP02: processed as primary, secondary, tertiary."""
FORWARDED = {"19": "P", "20": "S", "21": "T"}
"""CLP02: processed as primary (…) and forwarded to the next payer(s)."""
DENIED = "4"
REVERSAL = "22"


@dataclass(frozen=True, slots=True)
class RemitLine:
    line_ref: str
    line_no: int
    procedure_code: str
    """SVC06-2 (as submitted), else SVC01-2; an 837I line priced by its revenue code has
    that code here, with ``qualifier`` ``NU``."""
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    adjustments: tuple[Adjustment, ...]
    qualifier: str = "HC"
    """SVC06-1, else SVC01-1."""

    @property
    def hcpcs(self) -> str | None:
        """The line's HCPCS/CPT code, ``None`` for a line paid by revenue code (NU)."""
        return None if self.qualifier == "NU" or not self.procedure_code else self.procedure_code


@dataclass(frozen=True, slots=True)
class RemitClaim:
    """One CLP of an 835, as the next-payer decision needs it."""

    clm01: str
    status: str
    payer_id: str
    payer_claim_number: str
    charge: Decimal
    paid: Decimal
    paid_date: date
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[RemitLine, ...] = ()
    crossover_payer: str = ""
    """NM1*TT: the payer this one forwarded the claim to (name or ID)."""
    source: str = ""
    remark_codes: tuple[str, ...] = ()
    """MOA/MIA claim remark codes: an 837I to the next payer passes them on (2320 MOA)."""

    @property
    def reversal(self) -> bool:
        return self.status == REVERSAL

    @property
    def patient_share(self) -> Decimal:
        """What this payer left to the patient (PR adjustments): what a next payer is
        billed for."""
        every = [*self.adjustments, *(a for line in self.lines for a in line.adjustments)]
        return sum((a.amount for a in every if a.group == "PR"), Decimal("0.00"))

    @property
    def denied(self) -> bool:
        """CLP02 4, or nothing paid and every adjustment contractual (CO)."""
        if self.status == DENIED:
            return True
        every = [*self.adjustments, *(a for line in self.lines for a in line.adjustments)]
        unpaid = self.paid == 0 and all(line.paid == 0 for line in self.lines)
        return unpaid and bool(every) and all(a.group == "CO" for a in every)


class Step(Enum):
    BILL = "bill"
    AWAIT_CROSSOVER = "awaiting_crossover"
    DENIED = "denied"
    LAST_PAYER = "last_payer"
    """No later coverage: the patient's balance is what this payer left."""
    IGNORED = "ignored"
    """Not a decision on the claim (a reversal, a predetermination, an unknown status)."""


@dataclass(frozen=True, slots=True)
class NextPayer:
    step: Step
    sequence: str = ""
    """The next payer's place (``S``/``T``)."""
    payer: Payer | None = None
    encounter: Encounter | None = None
    """For :attr:`Step.BILL`: the claim to the next payer."""
    reason: str = ""
    """Plain words for the worklist (IDs and codes only)."""


def adjudicated_place(remit: RemitClaim, enc: Encounter) -> str | None:
    """Which payer (``P``/``S``/``T``) the 835 speaks as: CLP02, else the claim's own."""
    if remit.status in PROCESSED:
        return PROCESSED[remit.status]
    if remit.status in FORWARDED:
        return FORWARDED[remit.status]
    if remit.status == DENIED:
        return enc.billed_payer_sequence
    return None


def next_step(enc: Encounter, remit: RemitClaim, *, bill_after_denial: bool = False) -> NextPayer:
    """What the 835 ``remit`` means for the payer after the one it answered for ``enc``."""
    place = adjudicated_place(remit, enc)
    if place is None:
        return NextPayer(Step.IGNORED, reason=f"CLP02 {remit.status} is not an adjudication")
    following = _PLACES.index(place) + 1
    if following > len(enc.other_coverage):
        return NextPayer(Step.LAST_PAYER, reason="no later coverage")
    sequence = _PLACES[following]
    coverage = enc.other_coverage[following - 1]
    claim = _next_claim(enc, remit, place, sequence)
    if remit.status in FORWARDED or remit.crossover_payer or coverage.crossover:
        # Not sent: kept so that the tertiary, after the crossover's own 835, has it.
        return NextPayer(
            Step.AWAIT_CROSSOVER,
            sequence,
            coverage.payer,
            claim,
            reason=f"crossed over to {coverage.payer.payer_id}, awaiting its 835",
        )
    if remit.denied and not bill_after_denial:
        return NextPayer(
            Step.DENIED,
            sequence,
            coverage.payer,
            reason=f"denied by {remit.payer_id}; not billed to {coverage.payer.payer_id}",
        )
    if not remit.denied and remit.patient_share == 0:  # paid in full: nothing to pass on
        return NextPayer(
            Step.LAST_PAYER,
            reason=f"{remit.payer_id} left no patient balance; {coverage.payer.payer_id} "
            "has nothing to pay",
        )
    return NextPayer(Step.BILL, sequence, coverage.payer, claim, f"bill {coverage.payer.payer_id}")


def _next_claim(enc: Encounter, remit: RemitClaim, place: str, sequence: str) -> Encounter:
    """``enc`` billed to the payer at ``sequence``, with ``remit`` as the latest
    adjudication after the earlier ones it already carried."""
    index = _PLACES.index(place)
    earlier = list(enc.prior_adjudications[:index])
    payer = enc.payer if index == 0 else enc.other_coverage[index - 1].payer
    return enc.model_copy(
        update={
            "billed_payer_sequence": sequence,
            "prior_adjudications": [*earlier, adjudication_from(remit, enc, payer.payer_id)],
            "frequency_code": "1",
            "original_payer_claim_number": None,
        }
    )


def adjudication_from(remit: RemitClaim, enc: Encounter, payer_id: str) -> Adjudication:
    """The 835's decision as an encounter's ``prior_adjudications`` entry."""
    lines = [
        AdjudicatedLine(
            line_id=None,
            position=_position(enc, line),
            procedure_code=line.hcpcs,
            modifiers=list(line.modifiers),
            paid_amount=line.paid,
            paid_units=line.units,
            adjustments=list(line.adjustments),
        )
        for line in remit.lines
    ]
    return Adjudication(
        payer_id=payer_id,
        paid_date=remit.paid_date,
        paid_amount=remit.paid,
        claim_adjustments=list(remit.adjustments),
        lines=lines,
        payer_claim_number=remit.payer_claim_number or None,
        remark_codes=list(remit.remark_codes[:5]),
    )


def _position(enc: Encounter, line: RemitLine) -> int:
    """The service line an 835 line answers: REF*6R is ``line_id`` or ``CLM01-n``, else
    the lines are in the order sent."""
    clm01 = enc.claim_id
    for index, service in enumerate(enc.claim_lines, 1):
        if (service.line_id or f"{clm01}-{index}").upper() == line.line_ref.upper():
            return index
    return line.line_no


# -- exactly once per CLM01 and payer sequence ------------------------------------------


class Action(Enum):
    RECORD = "record"
    """A first decision for this payer: keep it (and bill, when it is a claim)."""
    NOTHING = "nothing"
    """The same decision again (a rerun, the same 835 delivered twice)."""
    UPDATE = "update"
    """Not sent yet and the earlier payer's decision changed: bill the new amounts."""
    HOLD = "hold"
    """A reversal before the claim went out: keep it back until the correction comes."""
    REPLACE = "replace"
    """Already sent and the earlier payer's payment changed: a replacement (frequency 7)."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the ledger holds for one CLM01 and next-payer sequence."""

    state: str
    """``ready``, ``sent``, ``held``, ``awaiting_crossover``, ``denied``."""
    prior_paid: Decimal
    prior_claim_number: str = ""


SENT = "sent"


def reconcile(current: Recorded | None, step: NextPayer, remit: RemitClaim) -> Action:
    """What to do with a new decision ``step`` given what is recorded (``current``)."""
    if remit.reversal:
        if current is None or current.state in (SENT, "held"):
            return Action.NOTHING  # after sending, only a correction's amount matters
        return Action.HOLD
    if step.step in (Step.IGNORED, Step.LAST_PAYER):
        return Action.NOTHING
    if current is None:
        return Action.RECORD
    same = current.prior_paid == remit.paid and (
        current.prior_claim_number in ("", remit.payer_claim_number)
    )
    if current.state == SENT:
        return Action.NOTHING if same or step.step is not Step.BILL else Action.REPLACE
    if current.state == "held" or not same:
        return Action.UPDATE
    return Action.NOTHING


# -- 835 tables → RemitClaim ------------------------------------------------------------


def _text(value: Any) -> str:
    """A table's text cell; missing (``None``, ``pd.NA``) is empty."""
    return "" if value is None or pd.isna(value) else str(value)


def _day(value: Any) -> date:
    """A table's date cell (a pandas Timestamp) as a date; an 835 without BPR16 has none,
    and the earliest plausible day makes the claim's DTP*573 visibly wrong, not missing."""
    if value is None or pd.isna(value):
        return date(1900, 1, 1)
    return pd.Timestamp(value).date()


def _money(cents: Any) -> Decimal:
    if cents is None or pd.isna(cents):
        return ZERO
    return (Decimal(int(cents)) / 100).quantize(CENT)


def remit_claims(
    claims: pd.DataFrame,
    lines: pd.DataFrame,
    adjustments: pd.DataFrame,
    crossovers: Mapping[tuple[str, str], str] | None = None,
) -> Iterator[RemitClaim]:
    """The CLPs of parsed 835 tables (:data:`edi.responses.tables.CLAIMS` and its lines and
    adjustments), in file order; ``crossovers`` from :func:`crossover_carriers`.

    One pass over each table (grouped in plain dicts): a per-claim DataFrame filter would
    cost more than the whole parse."""
    crossovers = crossovers or {}
    cas: dict[tuple, list[Adjustment]] = {}
    for row in adjustments.itertuples(index=False):
        adjustment = _adjustment(row)
        if adjustment is not None:
            line = None if row.level == "claim" else int(row.line_no)
            cas.setdefault((row.source, row.claim_seq, line), []).append(adjustment)
    by_claim: dict[tuple, list[RemitLine]] = {}
    for row in lines.itertuples(index=False):
        key = (row.source, row.claim_seq)
        by_claim.setdefault(key, []).append(_line(row, cas.get((*key, int(row.line_no)), [])))
    for row in claims.itertuples(index=False):
        if not isinstance(row.clm01, str) or not row.clm01:
            continue
        key = (row.source, row.claim_seq)
        yield RemitClaim(
            clm01=row.clm01.upper(),
            status=_text(row.claim_status),
            payer_id=_text(row.payer_id),
            payer_claim_number=_text(row.payer_claim_number),
            charge=_money(row.charge_cents),
            paid=_money(row.paid_cents),
            paid_date=_day(row.payment_date),
            adjustments=tuple(cas.get((*key, None), ())),
            lines=tuple(by_claim.get(key, ())),
            crossover_payer=crossovers.get((row.source, row.clm01.upper()), ""),
            source=str(row.source),
            remark_codes=tuple(c for c in _text(row.remark_codes).split(",") if c),
        )


def _adjustment(row: Any) -> Adjustment | None:
    if row.group_code not in ("CO", "CR", "OA", "PI", "PR"):
        return None
    quantity = row.quantity
    quantity = None if quantity is None or pd.isna(quantity) or not quantity else quantity
    return Adjustment(
        group=row.group_code,
        reason=_text(row.carc),
        amount=_money(row.amount_cents),
        quantity=None if quantity is None else Decimal(str(quantity)),
    )


def _line(row: Any, adjustments: list[Adjustment]) -> RemitLine:
    units = row.units_paid
    return RemitLine(
        line_ref=_text(row.line_ref),
        line_no=int(row.line_no),
        procedure_code=_text(row.submitted_code) or _text(row.procedure_code),
        qualifier=_text(row.submitted_qualifier) or _text(row.procedure_qualifier),
        modifiers=tuple(m for m in _text(row.submitted_modifiers).split(",") if m),
        charge=_money(row.charge_cents),
        paid=_money(row.paid_cents),
        units=None if units is None or pd.isna(units) else Decimal(str(units)),
        adjustments=tuple(adjustments),
    )


def crossover_carriers(segments: Iterable[Segment], source: str) -> dict[tuple[str, str], str]:
    """(source, CLM01) → the crossover carrier an 835 names (NM1*TT NM109, else NM103).

    The columnar 835 reader keeps no NM1*TT; this one pass over the segments does."""
    out: dict[tuple[str, str], str] = {}
    clm01 = ""
    for seg in segments:
        if seg.id == "CLP":
            clm01 = seg.get(1).upper()
        elif seg.id == "NM1" and seg.get(1) == "TT" and clm01:
            out[(source, clm01)] = seg.get(9) or seg.get(3) or "crossover carrier"
        elif seg.id in ("LX", "SE", "PLB"):
            clm01 = ""
    return out
