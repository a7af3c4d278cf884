"""Warnings kept per claim, the pre-bill hold and its coding queries.

A hold's exactly-once key is ``(clm01, source_file)``, the same pair a claim's admission
uses: a rerun of the file that held it finds it held; a released hold is admitted under
its original file, so a rerun of the night that built it finds the claim handled (see
:mod:`flows.ledger.admission`).  Each method is one short transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.held import (
    Answer,
    AnswerOutcome,
    ClaimCheck,
    CodingQuery,
    HeldClaim,
    HoldOutcome,
    HoldRecord,
    HoldState,
    QueryStatus,
)
from flows.ledger.models import ClaimCheckRow, CodingQueryRow, HeldClaimRow
from flows.ledger.store import Store, chunks, insert_new_rows, insert_rows, one_of, utcnow
from flows.ledger.texts import text_digest, text_ids, texts_by_id

OPEN_STATES = (HoldState.HELD, HoldState.RELEASED)


class HoldLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: warnings, holds and queries."""

    # -- warnings and releases per claim ----------------------------------------------

    def record_checks(self, checks: Sequence[ClaimCheck], *, now: datetime | None = None) -> None:
        """Keep each encounter's warnings and releases; a rerun's second copy is ignored.

        The texts are kept once each (:mod:`flows.ledger.texts`), the row lists their IDs.
        """
        if not checks:
            return
        now = now or utcnow()
        # the same warning repeats on most claims of a night: its digest is taken once
        keys: dict[object, Any] = {}
        for c in checks:
            for w in c.warnings:
                keys.setdefault(_key(w), w)
            for r in c.releases:
                keys.setdefault(r, r)
        with self._write() as session:
            digests = {key: text_digest(body) for key, body in keys.items()}
            ids = text_ids(session, keys.values())
            by_key = {key: ids[digest] for key, digest in digests.items()}
            rows = [
                {
                    "clm01": c.clm01,
                    "source_file": c.source_file,
                    "business_date": c.business_date,
                    "disposition": c.disposition,
                    "warnings": [by_key[_key(w)] for w in c.warnings],
                    "releases": [by_key[r] for r in c.releases],
                    "checked_at": now,
                }
                for c in checks
            ]
            unique = ("clm01", "source_file", "disposition")
            insert_new_rows(session, ClaimCheckRow.__table__, rows, unique)

    def find_checks(
        self, *, business_date: date | None = None, clm01s: Collection[str] | None = None
    ) -> list[ClaimCheck]:
        query = select(ClaimCheckRow).order_by(ClaimCheckRow.id)
        if business_date is not None:
            query = query.where(ClaimCheckRow.business_date == business_date)
        if clm01s is not None:
            query = query.where(ClaimCheckRow.clm01.in_(sorted(clm01s)))
        with self._read() as session:
            rows = list(session.scalars(query))
            texts = texts_by_id(session, {i for r in rows for i in (*r.warnings, *r.releases)})
        return [
            ClaimCheck(
                r.clm01,
                r.source_file,
                r.business_date,
                r.disposition,
                [dict(texts[i]) for i in r.warnings],
                [texts[i] for i in r.releases],
            )
            for r in rows
        ]

    # -- holds -------------------------------------------------------------------------

    def hold_claims(
        self, holds: Sequence[HoldRecord], *, now: datetime | None = None
    ) -> HoldOutcome:
        """Hold each encounter once, with its queries (see the module docstring)."""
        if not holds:
            return HoldOutcome()
        now = now or utcnow()
        return self._transact(lambda session: self._hold(session, holds, now))

    def _hold(self, session: Session, holds: Sequence[HoldRecord], now: datetime) -> HoldOutcome:
        existing: dict[str, list[tuple[str, str]]] = {}
        for batch in chunks(sorted({h.clm01 for h in holds})):
            rows = session.execute(
                select(HeldClaimRow.clm01, HeldClaimRow.source_file, HeldClaimRow.state)
                .where(one_of(session, HeldClaimRow.clm01, batch))
                .with_for_update()
            )
            for clm01, source_file, state in rows:
                existing.setdefault(clm01, []).append((source_file, state))
        new: list[HoldRecord] = []
        already, elsewhere = [], []
        for hold in holds:
            rows = existing.setdefault(hold.clm01, [])
            if any(source_file == hold.source_file for source_file, _ in rows):
                already.append(hold.clm01)
            elif any(state in OPEN_STATES for _, state in rows):
                elsewhere.append(hold.clm01)
            else:
                rows.append((hold.source_file, HoldState.HELD))
                new.append(hold)
        _insert_holds(session, new, now)
        return HoldOutcome(tuple(h.clm01 for h in new), tuple(already), tuple(elsewhere))

    @staticmethod
    def _insert_hold(session: Session, hold: HoldRecord, now: datetime) -> HeldClaimRow:
        row = HeldClaimRow(
            clm01=hold.clm01,
            source_file=hold.source_file,
            business_date=hold.business_date,
            payer_id=hold.payer_id,
            state=HoldState.HELD,
            rule_ids=hold.rule_ids,
            encounter=hold.encounter,
            held_at=now,
        )
        session.add(row)
        session.flush()
        for q in hold.queries:
            session.add(_query_row(row.id, q))
        return row

    def find_holds(self, states: Collection[HoldState] | None = None) -> list[HeldClaim]:
        query = select(HeldClaimRow).order_by(HeldClaimRow.id)
        if states is not None:
            query = query.where(HeldClaimRow.state.in_([str(s) for s in states]))
        with self._read() as session:
            return [_held(r) for r in session.scalars(query)]

    def release_hold(
        self, hold_id: int, answered: dict, *, now: datetime | None = None,
        state: HoldState = HoldState.RELEASED,
    ) -> bool:  # fmt: skip
        """Release a held claim with the encounter its answers made (``state``
        ``not billed`` when they left nothing to bill: closed, never built); False if
        not held."""
        now = now or utcnow()
        with self._write() as session:
            row = session.get(HeldClaimRow, hold_id, with_for_update=True)
            if row is None or row.state != HoldState.HELD:
                return False
            row.state, row.answered, row.released_at = state, answered, now
            return True

    def hold_again(self, hold_id: int, queries: Sequence[CodingQuery]) -> bool:
        """A released hold back on the coding review with more ``queries`` (something
        found since its answers, e.g. the same service billed meanwhile); False if it is
        not released.  Its earlier answers stay and apply again at the next release."""
        with self._write() as session:
            row = session.get(HeldClaimRow, hold_id, with_for_update=True)
            if row is None or row.state != HoldState.RELEASED:
                return False
            row.state, row.answered, row.released_at = HoldState.HELD, None, None
            row.rule_ids = sorted({*row.rule_ids, *(q.rule_id for q in queries)})
            for q in queries:
                if session.get(CodingQueryRow, q.query_id) is None:
                    session.add(_query_row(row.id, q))
            return True

    def close_holds(self, outcomes: dict[int, HoldState], night: date) -> None:
        """Released holds the night admitted (``sent``), refused or found duplicated."""
        if not outcomes:
            return
        with self._write() as session:
            for hold_id, state in sorted(outcomes.items()):
                row = session.get(HeldClaimRow, hold_id, with_for_update=True)
                if row is not None and row.state == HoldState.RELEASED:
                    row.state, row.sent_on = state, night

    # -- queries -------------------------------------------------------------------------

    def find_queries(
        self, statuses: Collection[QueryStatus] | None = None, *, hold_id: int | None = None
    ) -> list[CodingQuery]:
        query = select(CodingQueryRow).order_by(CodingQueryRow.clm01, CodingQueryRow.query_id)
        if statuses is not None:
            query = query.where(CodingQueryRow.status.in_([str(s) for s in statuses]))
        if hold_id is not None:
            query = query.where(CodingQueryRow.held_id == hold_id)
        with self._read() as session:
            return [_query(r) for r in session.scalars(query)]

    def record_answers(
        self, answers: Sequence[Answer], *, now: datetime | None = None
    ) -> AnswerOutcome:
        """Take the provider's answers; the same answer again changes nothing, and a
        query whose claim was already released keeps the answer that released it."""
        now = now or utcnow()
        recorded, unchanged, unknown, closed = [], [], [], []
        with self._write() as session:
            for answer in answers:
                row = session.get(CodingQueryRow, answer.query_id, with_for_update=True)
                if row is None:
                    unknown.append(answer.query_id)
                    continue
                if (row.answer, row.answer_note) == (answer.answer, answer.note):
                    unchanged.append(answer.query_id)
                    continue
                hold = session.get(HeldClaimRow, row.held_id)
                if hold is None or hold.state != HoldState.HELD:
                    closed.append(answer.query_id)
                    continue
                row.answer, row.answer_note, row.answered_at = answer.answer, answer.note, now
                other = answer.answer == "other"
                row.status = QueryStatus.OTHER if other else QueryStatus.ANSWERED
                recorded.append(answer.query_id)
        return AnswerOutcome(tuple(recorded), tuple(unchanged), tuple(unknown), tuple(closed))


def _key(warning: dict[str, Any]) -> tuple:
    """A warning as a dictionary key (its items in their order)."""
    return tuple(warning.items())


def _insert_holds(session: Session, holds: Sequence[HoldRecord], now: datetime) -> None:
    """Insert new holds and their queries as batches (``COPY`` on PostgreSQL): a night
    holds thousands, and one ORM flush per hold (to learn its ID for its queries) cost
    more than every other ledger write of the night (bench/bench_million.py).  The IDs
    are read back in one query by the holds' unique key; a hold another run inserted
    first fails the whole batch on that key, and :meth:`Store._transact` decides again."""
    if not holds:
        return
    insert_rows(
        session,
        HeldClaimRow.__table__,
        [
            {
                "clm01": h.clm01,
                "source_file": h.source_file,
                "business_date": h.business_date,
                "payer_id": h.payer_id,
                "state": str(HoldState.HELD),
                "rule_ids": h.rule_ids,
                "encounter": h.encounter,
                "held_at": now,
            }
            for h in holds
        ],
    )
    ids: dict[tuple[str, str], int] = {}
    for batch in chunks(sorted({h.clm01 for h in holds})):
        rows = session.execute(
            select(HeldClaimRow.clm01, HeldClaimRow.source_file, HeldClaimRow.id).where(
                one_of(session, HeldClaimRow.clm01, batch)
            )
        )
        ids.update(((clm01, source_file), id_) for clm01, source_file, id_ in rows)
    queries = [_query_values(ids[(h.clm01, h.source_file)], q) for h in holds for q in h.queries]
    insert_rows(session, CodingQueryRow.__table__, queries)


def _query_values(held_id: int, q: CodingQuery) -> dict[str, object]:
    return {
        "query_id": q.query_id,
        "held_id": held_id,
        "clm01": q.clm01,
        "rule_id": q.rule_id,
        "field": q.field,
        "status": str(QueryStatus.PENDING),
        "payload": q.payload,
        "asked_on": q.asked_on,
    }


def _query_row(held_id: int, q: CodingQuery) -> CodingQueryRow:
    return CodingQueryRow(**_query_values(held_id, q))


def _held(r: HeldClaimRow) -> HeldClaim:
    return HeldClaim(
        r.id,
        r.clm01,
        r.source_file,
        r.business_date,
        r.payer_id,
        HoldState(r.state),
        list(r.rule_ids),
        r.encounter,
        r.answered,
        r.held_at,
        r.released_at,
        r.sent_on,
    )


def _query(r: CodingQueryRow) -> CodingQuery:
    return CodingQuery(
        r.query_id,
        r.clm01,
        r.rule_id,
        r.field,
        r.payload,
        r.asked_on,
        QueryStatus(r.status),
        r.answer,
        r.answer_note,
        r.answered_at,
    )
