"""Worklist items, and the facts about claims the worklists need, kept by the ledger.

The ``worklist_items`` table is the ledger's (see :mod:`flows.ledger.models`): a build
reads the items it needs and writes back, in one transaction, the ones it changed.
Columns the table lacks (team, deadlines, evidence, history ...) live in ``payload``.  The
ledger keeps no PHI: payloads never hold patient names or member IDs; biller notes are the
billers' own text.  The claim facts (:meth:`WorklistLedger.claim_facts`) are IDs, money,
dates and envelope numbers only; the PHI columns come from the 837s the ledger holds
(:meth:`WorklistLedger.interchange_contents`), read back by the caller.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from edi.events import EventKind
from edi.worklists.model import OPEN_STATUSES, Item
from flows.ledger.models import Claim, ClaimEventRow, Interchange, WorklistItemRow
from flows.ledger.states import ClaimState
from flows.ledger.store import Store, chunks

ITEMS = WorklistItemRow.__table__
_FIELDS = (
    "item_id",
    "queue",
    "clm01",
    "line_ref",
    "category",
    "status",
    "owner",
    "notes",
    "first_seen",
    "last_seen",
    "times_seen",
    "resolved_at",
    "payload",
)
WAITING_STATES = (ClaimState.SUBMITTED, ClaimState.ACKNOWLEDGED, ClaimState.ACCEPTED)
"""Claim states that still wait for an 835 (no-response candidates): an accepted claim
that is never paid is as lost as one never acknowledged."""
REJECTION_EVENTS = (str(EventKind.ACK_REJECTED), str(EventKind.STATUS_REJECTED))
ANSWER_EVENTS = tuple(
    str(k)
    for k in (
        EventKind.ACK_REJECTED,
        EventKind.STATUS_ACCEPTED,
        EventKind.STATUS_REJECTED,
        EventKind.STATUS_PENDING,
        EventKind.STATUS_ANSWERED,
        EventKind.PAID,
        EventKind.PARTIALLY_PAID,
        EventKind.DENIED,
        EventKind.REVERSED,
        EventKind.VOIDED,
    )
)
ADJUDICATION_EVENTS = (str(EventKind.PAID), str(EventKind.PARTIALLY_PAID), str(EventKind.DENIED))
_EVIDENCE_WORDS = {
    str(EventKind.STATUS_ACCEPTED): "277CA accepted",
    str(EventKind.STATUS_PENDING): "277 pending",
    str(EventKind.STATUS_REJECTED): "277CA rejected",
    str(EventKind.ACK_REJECTED): "999/TA1 rejected",
    str(EventKind.STATUS_ANSWERED): "277 answer to our 276",
}


class WorklistLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: worklist items and the claims' facts."""

    def worklist_items(
        self,
        *,
        item_ids: Collection[str] = (),
        clm01s: Collection[str] = (),
        denials_since: datetime | None = None,
    ) -> dict[str, Item]:
        """Open items, plus any item with one of ``item_ids`` or ``clm01s`` (to recognise
        a repeat of a closed problem), plus denial items last seen since ``denials_since``
        (for the report's trend)."""
        wanted = [ITEMS.c.status.in_(sorted(OPEN_STATUSES))]
        if denials_since is not None:
            wanted.append((ITEMS.c.queue == "denials") & (ITEMS.c.last_seen >= denials_since))
        found: dict[str, Item] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(select(ITEMS).where(or_(*wanted))).mappings():
                found[row["item_id"]] = _item(row)
            for column, values in ((ITEMS.c.item_id, item_ids), (ITEMS.c.clm01, clm01s)):
                for chunk in chunks(sorted(set(values) - set(found))):
                    for row in conn.execute(select(ITEMS).where(column.in_(chunk))).mappings():
                        found[row["item_id"]] = _item(row)
        return found

    def worklist_items_by_id(self, item_ids: Collection[str]) -> dict[str, Item]:
        """Exactly the items with these IDs (those that exist)."""
        found: dict[str, Item] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(item_ids))):
                query = select(ITEMS).where(ITEMS.c.item_id.in_(chunk))
                for row in conn.execute(query).mappings():
                    found[row["item_id"]] = _item(row)
        return found

    def save_worklist_items(self, items: Iterable[Item]) -> int:
        """Insert or update ``items`` by ``item_id`` in one write transaction; the count."""
        rows = [_row(item) for item in items]
        if not rows:
            return 0
        with self._write() as session:
            for chunk in chunks(rows, 500):
                statement = self._insert(ITEMS).values(chunk)
                update = {name: statement.excluded[name] for name in _FIELDS if name != "item_id"}
                session.execute(
                    statement.on_conflict_do_update(index_elements=["item_id"], set_=update)
                )
        return len(rows)

    def claim_facts(
        self,
        clm01s: Collection[str] = (),
        isa13s: Collection[str] = (),
        gs06s: Collection[str] = (),
    ) -> list[dict[str, Any]]:
        """The latest generation of every claim still waiting for an answer, of ``clm01s``,
        and of the interchanges (``isa13s``) and groups (``gs06s``) a TA1 or 999 answered:
        IDs, money, dates and envelope numbers, one row per CLM01.

        ``original_payer_claim_number`` of a frequency-7 generation is the payer claim
        number of the generation before it (same CLM01), which is what its REF*F8 carried.
        """
        query = _latest_generations()
        rows: dict[str, dict[str, Any]] = {}
        with self._read() as session:
            waiting = query.where(Claim.state.in_([str(s) for s in WAITING_STATES]))
            for row in session.execute(waiting):
                rows[row.clm01] = _claim_row(row)
            for chunk in chunks(sorted({c.upper() for c in clm01s} - set(rows))):
                for row in session.execute(query.where(Claim.clm01.in_(chunk))):
                    rows[row.clm01] = _claim_row(row)
            for column, values in ((Interchange.isa13, isa13s), (Interchange.gs06, gs06s)):
                for chunk in chunks(sorted({int(v) for v in values if str(v).isdigit()})):
                    for row in session.execute(query.where(column.in_(chunk))):
                        rows[row.clm01] = _claim_row(row)
            _add_answers(session, rows)
            _add_previous_claim_numbers(session, rows)
        return list(rows.values())

    def adjudications_since(self, since: date) -> list[tuple[str, str, date]]:
        """``(clm01, payer_id, day)`` of each payment or denial recorded since ``since``."""
        start = datetime.combine(since, time.min, tzinfo=UTC)
        query = (
            select(Claim.clm01, Claim.payer_id, ClaimEventRow.at)
            .join(Claim, Claim.id == ClaimEventRow.claim_id)
            .where(ClaimEventRow.kind.in_(ADJUDICATION_EVENTS), ClaimEventRow.at >= start)
        )
        with self._read() as session:
            return [(c, p, _day(at)) for c, p, at in session.execute(query)]

    def ar_facts(self) -> list[dict[str, Any]]:
        """Per CLM01 (latest generation): payer, charge, paid, state, the business date it
        was first sent, when its first 835 came, and whether its first generation was
        rejected (TA1/999/277CA): what days in A/R, aging and first-pass acceptance need."""
        first = (
            select(Claim.clm01, func.min(Interchange.business_date).label("sent_on"))
            .join(Interchange, Interchange.id == Claim.interchange_id)
            .where(Claim.submitted_at.is_not(None))
            .group_by(Claim.clm01)
            .subquery()
        )
        paid = (
            select(Claim.clm01, func.min(ClaimEventRow.at).label("paid_at"))
            .join(Claim, Claim.id == ClaimEventRow.claim_id)
            .where(ClaimEventRow.kind.in_(ADJUDICATION_EVENTS))
            .group_by(Claim.clm01)
            .subquery()
        )
        rejected = (
            select(Claim.clm01)
            .join(ClaimEventRow, ClaimEventRow.claim_id == Claim.id)
            .where(Claim.generation == 1, ClaimEventRow.kind.in_(REJECTION_EVENTS))
            .distinct()
            .subquery()
        )
        latest = _latest_generations().subquery()
        query = (
            select(
                latest.c.clm01,
                latest.c.payer_id,
                latest.c.charge_cents,
                Claim.paid_cents,
                Claim.state,
                first.c.sent_on,
                paid.c.paid_at,
                rejected.c.clm01.is_not(None).label("first_rejected"),
            )
            .join(first, first.c.clm01 == latest.c.clm01)
            .join(Claim, Claim.id == latest.c.id)
            .outerjoin(paid, paid.c.clm01 == latest.c.clm01)
            .outerjoin(rejected, rejected.c.clm01 == latest.c.clm01)
        )
        with self._read() as session:
            return [
                {
                    "clm01": r.clm01,
                    "payer_id": r.payer_id,
                    "charge_cents": r.charge_cents,
                    "paid_cents": r.paid_cents,
                    "state": r.state,
                    "sent_on": r.sent_on,
                    "paid_on": _day(r.paid_at),
                    "first_rejected": bool(r.first_rejected),
                }
                for r in session.execute(query)
            ]

    def interchange_contents(self, clm01s: Collection[str]) -> Iterator[bytes]:
        """The bytes of every 837 the ledger holds that carried one of ``clm01s``."""
        wanted = sorted({c.upper() for c in clm01s})
        with self._read() as session:
            for chunk in chunks(wanted):
                query = (
                    select(Interchange.content)
                    .join(Claim, Claim.interchange_id == Interchange.id)
                    .where(Claim.clm01.in_(chunk))
                    .distinct()
                )
                yield from session.scalars(query)


def _latest_generations() -> Any:
    latest = (
        select(Claim.clm01, func.max(Claim.generation).label("generation"))
        .group_by(Claim.clm01)
        .subquery()
    )
    return (
        select(
            Claim.id,
            Claim.clm01,
            Claim.generation,
            Claim.payer_id,
            Claim.charge_cents,
            Claim.submitted_at,
            Interchange.business_date,
            Claim.frequency_code,
            Claim.st02,
            Interchange.isa13,
            Interchange.gs06,
        )
        .join(latest, and_(Claim.clm01 == latest.c.clm01, Claim.generation == latest.c.generation))
        .outerjoin(Interchange, Interchange.id == Claim.interchange_id)
    )


def _claim_row(row: Any) -> dict[str, Any]:
    return {
        "clm01": row.clm01,
        "claim_id": row.id,
        "generation": row.generation,
        "payer_id": row.payer_id,
        "billed_cents": row.charge_cents,
        # the night's business date, not the wall clock: a same-day demo counts like production
        "submitted_on": row.business_date if row.submitted_at is not None else None,
        "frequency_code": row.frequency_code,
        "isa13": row.isa13,
        "gs06": row.gs06,
        "st02": row.st02,
    }


def _add_answers(session: Session, rows: dict[str, dict[str, Any]]) -> None:
    by_id = {r["claim_id"]: r for r in rows.values()}
    for chunk in chunks(sorted(by_id)):
        query = (
            select(ClaimEventRow.claim_id, ClaimEventRow.kind, func.max(ClaimEventRow.at))
            .where(ClaimEventRow.claim_id.in_(chunk), ClaimEventRow.kind.in_(ANSWER_EVENTS))
            .group_by(ClaimEventRow.claim_id, ClaimEventRow.kind)
        )
        for claim_id, kind, at in session.execute(query):
            row, on = by_id[claim_id], _day(at)
            row["responded_on"] = max(filter(None, (row.get("responded_on"), on)))
            if kind == EventKind.STATUS_ACCEPTED:
                row["accepted_on"] = on
            if kind in ADJUDICATION_EVENTS or kind in (EventKind.REVERSED, EventKind.VOIDED):
                row["adjudicated_on"] = max(filter(None, (row.get("adjudicated_on"), on)))
            if kind in REJECTION_EVENTS:
                row["rejected_on"] = max(filter(None, (row.get("rejected_on"), on)))
            if kind not in ADJUDICATION_EVENTS and on >= (row.get("_last_on") or on):
                row["_last_on"] = on
                row["last_evidence"] = f"{_EVIDENCE_WORDS.get(kind, kind)} {on.isoformat()}"
    for row in rows.values():
        row.pop("_last_on", None)


def _add_previous_claim_numbers(session: Session, rows: dict[str, dict[str, Any]]) -> None:
    corrected = {r["clm01"]: r for r in rows.values() if r["frequency_code"] == "7"}
    for chunk in chunks(sorted(corrected)):
        query = select(Claim.clm01, Claim.generation, Claim.payer_claim_number).where(
            Claim.clm01.in_(chunk), Claim.payer_claim_number.is_not(None)
        )
        for clm01, generation, number in session.execute(query.order_by(Claim.generation)):
            if generation < corrected[clm01]["generation"]:
                corrected[clm01]["original_payer_claim_number"] = number


def _item(row: Any) -> Item:
    return Item(
        item_id=row["item_id"],
        queue=row["queue"],
        clm01=row["clm01"],
        line_ref=row["line_ref"],
        category=row["category"],
        status=row["status"],
        owner=row["owner"],
        notes=row["notes"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        times_seen=row["times_seen"],
        resolved_at=row["resolved_at"],
        payload=dict(row["payload"] or {}),
    )


def _row(item: Item) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "queue": item.queue,
        "clm01": item.clm01,
        "line_ref": item.line_ref,
        "category": item.category[:50],
        "status": item.status,
        "owner": item.owner,
        "notes": item.notes,
        "first_seen": item.first_seen,
        "last_seen": item.last_seen,
        "times_seen": item.times_seen,
        "resolved_at": item.resolved_at,
        "payload": item.payload,
    }


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value
