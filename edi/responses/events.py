"""What a response file means for each claim: claim events, computed from parsed tables.

The readers turn a file into tables (:mod:`edi.responses.parse`); this module says what
those rows mean: a 999 accepted or rejected a transaction set, a 277CA put a claim into
adjudication, an 835 paid, denied or reversed it.  The flows only apply the events to the
ledger.  Acknowledgments name envelopes, not claims, so the claims an envelope carried
come from a lookup the caller injects (the ledger's interchanges); the rest is pure.

An event's identity is ``(clm01, generation, kind, source_file, ref)``: applying the same
events twice adds nothing.  For a remittance the identity is the payment's (payer + TRN)
and the claim's own (CLM01, CLP02, payer claim number, adjustment kind, amount), never its
position in the file, so an 835 delivered again with its claims in another order, or
under another name, counts its money once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd

from edi.events import ClaimEvent, EventKind, ResponseKind
from edi.responses.tables import ResponseTables


class SentClaim(Protocol):
    """A claim as an interchange carried it (the ledger's ``InterchangeClaim`` is one)."""

    @property
    def clm01(self) -> str: ...
    @property
    def generation(self) -> int: ...
    @property
    def st02(self) -> int: ...


class SentInterchange(Protocol):
    """One of our interchanges, as a TA1 or 999 names it (``InterchangeView`` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def claims(self) -> Sequence[SentClaim]: ...


Lookup = Callable[..., SentInterchange | None]
"""``lookup(isa13=n)`` or ``lookup(gs06=n)``: the interchange we sent under that number."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A TA1's or a 999 group's answer on one of our interchanges (the envelope itself)."""

    interchange_id: int
    accepted: bool


DENIED_CLAIM = "4"
"""CLP02 4: the payer denied the whole claim."""
_ACCEPTED_GROUP = frozenset({"A", "E", "P"})
"""AK901 values under which a functional group's transaction sets were accepted."""
_STATUS_KIND = {
    "accepted": EventKind.STATUS_ACCEPTED,
    "rejected": EventKind.STATUS_REJECTED,
    "error": EventKind.STATUS_REJECTED,
}


def response_kind(tables: ResponseTables) -> ResponseKind:
    """The kind a parsed file is recorded under: its most advanced answer."""
    if not tables.payments.empty or not tables.claims.empty:
        return ResponseKind.REMITTANCE_835
    if not tables.claim_status.empty:
        if (tables.claim_status["status_kind"] == "277").all():
            return ResponseKind.STATUS_277
        return ResponseKind.STATUS_277CA
    if not tables.acks.empty and (tables.acks["kind"] == "999").any():
        return ResponseKind.ACK_999
    return ResponseKind.TA1


def claim_events(tables: ResponseTables, lookup: Lookup) -> Iterator[ClaimEvent]:
    """Claim events of one parsed response file; IDs and codes only in ``details``."""
    yield from _ack_events(tables, lookup)
    yield from _status_events(tables.claim_status)
    yield from _remit_events(tables.claims, tables.lines, tables.adjustments)


def verdicts(tables: ResponseTables, lookup: Lookup) -> Iterator[Verdict]:
    """TA1 and 999 group verdicts on our interchanges (the envelope's own state).

    A TA1 that accepts says nothing an upload did not already prove, so only its
    rejections are verdicts.
    """
    for row in tables.acks.itertuples():
        if row.kind == "TA1":
            if not _refused(row.accepted):
                continue
            view, accepted = lookup(isa13=_number(row.acked_isa13)), False
        elif row.level == "group":
            view = lookup(gs06=_number(row.acked_gs06))
            accepted = row.status in _ACCEPTED_GROUP
        else:
            continue
        if view is not None:
            yield Verdict(view.id, accepted)


def _at(day: object) -> datetime:
    if isinstance(day, date) and not pd.isna(day):
        return datetime.combine(day, time(), tzinfo=UTC)
    return datetime.now(UTC)


def _refused(accepted: object) -> bool:
    """Whether an ``accepted`` cell says no: ``False`` (a NumPy bool in the table), not
    unknown (``pd.NA`` counts as accepted: nothing said the envelope was refused)."""
    return not pd.isna(accepted) and not bool(accepted)


def _text(value: object) -> str:
    """A table cell as text; missing values (``pd.NA``) are empty."""
    return value if isinstance(value, str) else ""


def _cents(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _number(text: object) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() else None


def _claims_of(view: SentInterchange | None, st02: int | None = None) -> list[SentClaim]:
    if view is None:
        return []
    return [c for c in view.claims if st02 is None or c.st02 == st02]


def _ack_events(tables: ResponseTables, lookup: Lookup) -> Iterator[ClaimEvent]:
    errors_by_claim: dict[str, list[str]] = {}
    if not tables.ack_errors.empty:
        for row in tables.ack_errors.dropna(subset=["clm01"]).itertuples():
            errors_by_claim.setdefault(row.clm01, []).append(row.error_code)
    for row in tables.acks.itertuples():
        at, source = _at(row.ack_date), row.source
        if row.kind == "TA1":
            if _refused(row.accepted):
                for c in _claims_of(lookup(isa13=_number(row.acked_isa13))):
                    yield ClaimEvent(
                        c.clm01,
                        EventKind.ACK_REJECTED,
                        at,
                        source,
                        c.generation,
                        ref=f"TA1:{row.acked_isa13}",
                        details={"ta1": _text(row.error_codes)},
                    )
            continue
        if row.level != "transaction":
            continue
        kind = EventKind.ACK_REJECTED if _refused(row.accepted) else EventKind.ACK_ACCEPTED
        view = lookup(gs06=_number(row.acked_gs06))
        for c in _claims_of(view, _number(row.acked_st02)):
            details = {"status": row.status, "codes": _text(row.error_codes)}
            if c.clm01 in errors_by_claim:
                details["claim_errors"] = ",".join(errors_by_claim[c.clm01])
            yield ClaimEvent(
                c.clm01,
                kind,
                at,
                source,
                c.generation,
                ref=f"999:{row.acked_gs06}:{row.acked_st02}",
                details=details,
            )


def _status_events(status: pd.DataFrame) -> Iterator[ClaimEvent]:
    if status.empty:
        return
    claims = status[(status["level"] == "claim") & (status["status_seq"] == 1)]
    for row in claims.dropna(subset=["clm01"]).itertuples():
        answer = row.status_kind == "277"  # to our 276: the payer's word, no state move
        kind = _STATUS_KIND.get(row.outcome, EventKind.STATUS_PENDING)
        at = _at(row.status_date if not pd.isna(row.status_date) else row.process_date)
        details = {
            "category": row.status_category,
            "code": _text(row.status_code),
            "responder": row.responder,
            "entity": _text(row.entity_code),
        }
        if answer and not pd.isna(row.paid_cents):
            details["paid_cents"] = int(row.paid_cents)
        yield ClaimEvent(
            row.clm01,
            EventKind.STATUS_ANSWERED if answer else kind,
            at,
            row.source,
            ref=f"{row.status_kind}:{row.responder}:{row.status_category}:{row.status_code}"
            if answer
            else f"277:{row.responder}:{row.status_category}:{row.status_code}",
            payer_claim_number=_text(row.payer_claim_number) or None,
            details=details,
        )


def _remit_events(
    claims: pd.DataFrame, lines: pd.DataFrame, adjustments: pd.DataFrame
) -> Iterator[ClaimEvent]:
    if claims.empty:
        return
    live = claims[~claims["duplicate"].fillna(False)] if "duplicate" in claims else claims
    denied = _line_denials(lines, adjustments)
    for row in live.itertuples():
        paid_cents = _cents(row.paid_cents)
        payer_claim = _text(row.payer_claim_number)
        yield ClaimEvent(
            row.clm01,
            _remit_kind(row, denied.get((row.source, row.claim_seq))),
            _at(row.payment_date),
            # The payment's identity, not the file name: the same 835 re-sent under
            # another name must not count the money twice.
            f"835:{_text(row.payer_id)}:{row.remit_trace}",
            # The claim's identity in the payment, not its position in the file.
            ref=f"{row.claim_status}:{payer_claim}:{row.adjustment_kind}:{paid_cents}",
            amount=Decimal(paid_cents).scaleb(-2),
            payer_claim_number=payer_claim or None,
            details={
                "clp02": row.claim_status,
                "adjustment": _text(row.adjustment_kind),
                "file": row.source,
            },
        )


def _line_denials(lines: pd.DataFrame, adjustments: pd.DataFrame) -> dict[tuple, tuple[int, int]]:
    """(denied lines, lines) per claim, keyed by (file, claim_seq).

    A line is denied when the payer allows nothing and the patient owes nothing: no
    payment, no allowed amount (AMT*B6) and no PR adjustment.  A line that went to the
    deductible is adjudicated and paid at zero, not denied.
    """
    if lines.empty:
        return {}
    patient_owes: set[tuple] = set()
    if not adjustments.empty:
        pr = adjustments[(adjustments["level"] == "line") & (adjustments["group_code"] == "PR")]
        patient_owes = set(zip(pr["source"], pr["claim_seq"], pr["line_no"], strict=True))
    counts: dict[tuple, tuple[int, int]] = {}
    for row in lines.itertuples():
        key = (row.source, row.claim_seq)
        is_denied = (
            _cents(row.paid_cents) == 0
            and _cents(row.allowed_cents) == 0
            and (row.source, row.claim_seq, row.line_no) not in patient_owes
        )
        done, total = counts.get(key, (0, 0))
        counts[key] = (done + is_denied, total + 1)
    return counts


def _remit_kind(row: Any, line_denials: tuple[int, int] | None) -> EventKind:
    """The claim's adjudication: reversed, all lines denied, some, or none (paid, even at
    zero)."""
    if row.adjustment_kind == "reversal":
        return EventKind.REVERSED
    if row.claim_status == DENIED_CLAIM:
        return EventKind.DENIED
    if line_denials is not None:
        denied, total = line_denials
        if denied == total:
            return EventKind.DENIED
        return EventKind.PARTIALLY_PAID if denied else EventKind.PAID
    paid = _cents(row.paid_cents)
    owes = _cents(row.patient_responsibility_cents)
    return EventKind.PAID if paid or owes else EventKind.DENIED
