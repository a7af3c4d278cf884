"""The response side of the pipeline: fetch, archive, parse, and move claims along.

Order matters for proof and for safety: the raw bytes are archived to S3 (immutable;
they prove timely filing) before anything else, the file is noted in the ledger by its
SHA-256 (the same bytes delivered twice are parsed once), its events are applied
(idempotent per claim, kind, source and reference), and only then is the file marked
done at the clearinghouse.  A crash anywhere repeats harmless work.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pandas as pd

from edi.responses import ResponseTables, parse_any
from edi.x12.reader import X12ParseError
from flows.clearinghouse.base import Clearinghouse, IncompleteResponse
from flows.ledger import ClaimEvent, EventKind, InterchangeState, InterchangeView, Ledger
from flows.ledger.records import ResponseKind
from flows.s3 import Area, S3Store
from mappings.profiles import ClearinghouseProfile

log = logging.getLogger(__name__)

Lookup = Callable[..., InterchangeView | None]


@dataclass
class IngestSummary:
    files: list[str] = field(default_factory=list)
    """Response files parsed in this run."""
    repeated: list[str] = field(default_factory=list)
    """Files whose exact bytes were parsed before (delivered again)."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """File name → positioned parse error; left at the clearinghouse for ops."""
    events: int = 0
    moved: int = 0
    unknown_claims: int = 0
    tables: list[ResponseTables] = field(default_factory=list, repr=False)


def ingest(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    store: S3Store,
    profile: ClearinghouseProfile,
    today: date,
) -> IngestSummary:
    summary = IngestSummary()
    for name in clearinghouse.list_responses():
        try:
            data = clearinghouse.fetch(name)
        except IncompleteResponse as error:
            summary.unreadable[name] = str(error)
            log.error("%s", error)
            continue
        digest = hashlib.sha256(data).hexdigest()
        # Archived first, readable or not: the raw bytes are the proof of timely filing.
        archived = store.put(
            store.key(Area.INBOUND, today, name), data, content_type="application/edi-x12"
        )
        try:
            tables = parse_any(data, name)
        except X12ParseError as error:
            summary.unreadable[name] = str(error)
            log.error("response file %s is not readable X12: %s", name, error)
            continue
        if ledger.record_response_file(name, digest, response_kind(tables), archived.key):
            lookup = _lookup(ledger, profile)
            events = list(events_from_tables(tables, lookup))
            outcome = ledger.apply_events(events)
            for interchange_id, state in interchange_verdicts(tables, lookup):
                ledger.mark_answered(interchange_id, state)
            ledger.mark_response_parsed(digest)
            summary.files.append(name)
            summary.tables.append(tables)
            summary.events += outcome.recorded
            summary.moved += outcome.moved
            summary.unknown_claims += len(outcome.unknown)
        else:
            summary.repeated.append(name)
        clearinghouse.mark_done(name)
    return summary


def response_kind(tables: ResponseTables) -> ResponseKind:
    if not tables.payments.empty or not tables.claims.empty:
        return ResponseKind.REMITTANCE_835
    if not tables.claim_status.empty:
        return ResponseKind.STATUS_277CA
    if not tables.acks.empty and (tables.acks["kind"] == "999").any():
        return ResponseKind.ACK_999
    return ResponseKind.TA1


def _lookup(ledger: Ledger, profile: ClearinghouseProfile) -> Lookup:
    cache: dict[tuple, InterchangeView | None] = {}

    def find(**key: int) -> InterchangeView | None:
        marker = tuple(sorted(key.items()))
        if marker not in cache:
            cache[marker] = ledger.find_interchange(profile.sender.id, profile.receiver.id, **key)
        return cache[marker]

    return find


def _at(day: object) -> datetime:
    if isinstance(day, date) and not pd.isna(day):
        return datetime.combine(day, time(), tzinfo=UTC)
    return datetime.now(UTC)


def _text(value: object) -> str:
    """A table cell as text; missing values (``pd.NA``) are empty."""
    return value if isinstance(value, str) else ""


def _cents(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _number(text: object) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() else None


def _claims_of(view: InterchangeView | None, st02: int | None = None) -> list:
    if view is None:
        return []
    return [c for c in view.claims if st02 is None or c.st02 == st02]


def events_from_tables(tables: ResponseTables, lookup: Lookup) -> Iterator[ClaimEvent]:
    """Claim events of one parsed response file; IDs and codes only in ``details``."""
    yield from _ack_events(tables, lookup)
    yield from _status_events(tables.claim_status)
    yield from _remit_events(tables.claims, tables.lines, tables.adjustments)


def _ack_events(tables: ResponseTables, lookup: Lookup) -> Iterator[ClaimEvent]:
    errors_by_claim = {}
    if not tables.ack_errors.empty:
        for row in tables.ack_errors.dropna(subset=["clm01"]).itertuples():
            errors_by_claim.setdefault(row.clm01, []).append(row.error_code)
    for row in tables.acks.itertuples():
        at, source = _at(row.ack_date), row.source
        if row.kind == "TA1":
            view = lookup(isa13=_number(row.acked_isa13))
            if row.accepted is False:
                for c in _claims_of(view):
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
        view = lookup(gs06=_number(row.acked_gs06))
        kind = EventKind.ACK_ACCEPTED if row.accepted is not False else EventKind.ACK_REJECTED
        if pd.isna(row.accepted):
            kind = EventKind.ACK_ACCEPTED
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


def interchange_verdicts(
    tables: ResponseTables, lookup: Lookup
) -> Iterator[tuple[int, InterchangeState]]:
    """TA1 and 999 group verdicts on our interchanges (the envelope's own state)."""
    for row in tables.acks.itertuples():
        if row.kind == "TA1":
            view = lookup(isa13=_number(row.acked_isa13))
            state = InterchangeState.REJECTED if row.accepted is False else None
        elif row.level == "group":
            view = lookup(gs06=_number(row.acked_gs06))
            accepted = row.status in ("A", "E", "P")
            state = InterchangeState.ACKNOWLEDGED if accepted else InterchangeState.REJECTED
        else:
            continue
        if view is not None and state is not None:
            yield view.id, state


_STATUS_KIND = {
    "accepted": EventKind.STATUS_ACCEPTED,
    "rejected": EventKind.STATUS_REJECTED,
    "error": EventKind.STATUS_REJECTED,
}


def _status_events(status: pd.DataFrame) -> Iterator[ClaimEvent]:
    if status.empty:
        return
    claims = status[(status["level"] == "claim") & (status["status_seq"] == 1)]
    for row in claims.dropna(subset=["clm01"]).itertuples():
        kind = _STATUS_KIND.get(row.outcome, EventKind.STATUS_PENDING)
        at = _at(row.status_date if not pd.isna(row.status_date) else row.process_date)
        payer_claim = _text(row.payer_claim_number) or None
        yield ClaimEvent(
            row.clm01,
            kind,
            at,
            row.source,
            ref=f"277:{row.responder}:{row.status_category}:{row.status_code}",
            payer_claim_number=payer_claim,
            details={
                "category": row.status_category,
                "code": _text(row.status_code),
                "responder": row.responder,
                "entity": _text(row.entity_code),
            },
        )


def _remit_events(
    claims: pd.DataFrame, lines: pd.DataFrame, adjustments: pd.DataFrame
) -> Iterator[ClaimEvent]:
    if claims.empty:
        return
    live = claims[~claims["duplicate"].fillna(False)] if "duplicate" in claims else claims
    denied = _line_denials(lines, adjustments)
    for row in live.itertuples():
        paid = Decimal(_cents(row.paid_cents)).scaleb(-2)
        kind = _remit_kind(row, denied.get((row.source, row.claim_seq)))
        # The payment's identity, not the file name: the same 835 re-sent under another
        # name must not count the money twice.
        source = f"835:{_text(row.payer_id)}:{row.remit_trace}"
        yield ClaimEvent(
            row.clm01,
            kind,
            _at(row.payment_date),
            source,
            ref=f"{row.claim_seq}:{row.claim_status}:{_text(row.payer_claim_number)}",
            amount=paid,
            payer_claim_number=_text(row.payer_claim_number) or None,
            details={"clp02": row.claim_status, "file": row.source},
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


def _remit_kind(row: object, line_denials: tuple[int, int] | None) -> EventKind:
    """The claim's adjudication: all lines denied, some, or none (paid, even at zero)."""
    status = row.claim_status  # type: ignore[attr-defined]
    if status == "22":
        return EventKind.REVERSED
    if status == "4":
        return EventKind.DENIED
    if line_denials is not None:
        denied, total = line_denials
        if denied == total:
            return EventKind.DENIED
        return EventKind.PARTIALLY_PAID if denied else EventKind.PAID
    paid = _cents(row.paid_cents)  # type: ignore[attr-defined]
    owes = _cents(row.patient_responsibility_cents)  # type: ignore[attr-defined]
    return EventKind.PAID if paid or owes else EventKind.DENIED
