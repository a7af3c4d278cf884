"""Eligibility checks in the ledger: the claim held for its 271, the 270 that asked, the answer.

Holding a claim and queuing its inquiry is one transaction keyed like every hold,
``(clm01, source_file)``, and the inquiry row is unique per hold: a rerun of the file finds
both and asks nothing new.  A member already being asked about is not asked twice: the new
row points at the inquiry in flight (``asked_trace``).  A 270 file is recorded with its bytes
in the same transaction that marks its inquiries asked, and only if none was asked by
another run first; a recorded file not confirmed sent is sent again, the same bytes.
Settling an inquiry (answered, expired, fixed) and releasing its hold is one transaction too,
and only an inquiry still waiting can be settled, so an answer read twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.held import HoldRecord, HoldState
from flows.ledger.holds import OPEN_STATES, HoldLedger
from flows.ledger.models import EligibilityFile, EligibilityInquiryRow, HeldClaimRow
from flows.ledger.store import Store, chunks, utcnow


class EligibilityStatus(StrEnum):
    QUEUED = "queued"
    """Held; its 270 not built yet."""
    ASKED = "asked"
    """In a recorded 270 file; waiting for the 271."""
    ANSWERED = "answered"
    """The 271 came; ``answer`` says what it decided (the hold released, or still held)."""
    EXPIRED = "expired"
    """No 271 within the payer's wait: released to go out with a warning."""


WAITING = (EligibilityStatus.QUEUED, EligibilityStatus.ASKED)


@dataclass(frozen=True, slots=True)
class EligibilityAsk:
    """One held claim's inquiry: ``trace`` is its TRN02 and the row's key."""

    trace: str
    member_key: str
    """A digest of payer, member ID, name and birth date: the cache key (no PHI)."""
    service_date: date


@dataclass(frozen=True, slots=True)
class EligibilityView:
    id: int
    trace: str
    asked_trace: str
    held_id: int
    clm01: str
    payer_id: str
    member_key: str
    service_date: date
    business_date: date
    status: EligibilityStatus
    file_id: int | None
    answer: dict[str, Any] | None
    answered_on: date | None
    hold_state: HoldState
    source_file: str
    encounter: dict[str, Any]
    """The held encounter (PHI): what the 270 asks about and the claim a release builds;
    while held after a front-desk correction, the corrected one (see :meth:`ask_again`)."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """What to do with one waiting inquiry: its new status and answer, and the encounter to
    release its hold with (``None`` keeps the claim held for the front desk)."""

    inquiry_id: int
    status: EligibilityStatus
    answer: dict[str, Any] | None
    on: date
    release: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """The front desk corrected a held claim's registration: ask again under ``trace``."""

    inquiry_id: int
    trace: str
    member_key: str
    encounter: dict[str, Any]
    """The encounter with the corrected member ID (PHI)."""
    on: date


@dataclass(frozen=True, slots=True)
class EligibilityFileView:
    id: int
    file_name: str
    payer_id: str
    business_date: date
    inquiry_count: int
    content: bytes
    sent_at: datetime | None


class EligibilityLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: eligibility holds, 270 files and answers."""

    def hold_for_eligibility(
        self,
        holds: Sequence[tuple[HoldRecord, EligibilityAsk]],
        answered: dict[str, tuple[dict[str, Any], date]] | None = None,
        *,
        now: datetime | None = None,
    ) -> tuple[list[str], list[str]]:
        """Hold each claim with its inquiry (see the module docstring); ``answered`` gives
        a member's recent answer by member key, which the new row takes instead of asking.
        Returns the CLM01s held now and those held before (a rerun, or an open hold)."""
        if not holds:
            return [], []
        now = now or utcnow()
        answered = answered or {}
        return self._transact(lambda s: self._hold_all(s, holds, answered, now))

    def _hold_all(
        self,
        session: Session,
        holds: Sequence[tuple[HoldRecord, EligibilityAsk]],
        answered: dict[str, tuple[dict[str, Any], date]],
        now: datetime,
    ) -> tuple[list[str], list[str]]:
        clm01s = sorted({h.clm01 for h, _ in holds})
        existing: dict[str, list[HeldClaimRow]] = {}
        for batch in chunks(clm01s):
            for row in session.scalars(
                select(HeldClaimRow).where(HeldClaimRow.clm01.in_(batch)).with_for_update()
            ):
                existing.setdefault(row.clm01, []).append(row)
        keys = sorted({ask.member_key for _, ask in holds})
        in_flight: dict[str, str] = {}
        for batch in chunks(keys):
            query = select(EligibilityInquiryRow.member_key, EligibilityInquiryRow.asked_trace)
            query = query.where(
                EligibilityInquiryRow.member_key.in_(batch),
                EligibilityInquiryRow.status.in_([str(s) for s in WAITING]),
            )
            in_flight.update(dict(session.execute(query).all()))
        held, before = [], []
        for hold, ask in holds:
            rows = existing.setdefault(hold.clm01, [])
            if any(r.source_file == hold.source_file or r.state in OPEN_STATES for r in rows):
                before.append(hold.clm01)
                continue
            row = HoldLedger._insert_hold(session, hold, now)
            rows.append(row)
            cached = answered.get(ask.member_key)
            status = EligibilityStatus.ANSWERED if cached else EligibilityStatus.QUEUED
            asked = ask.trace if cached else in_flight.setdefault(ask.member_key, ask.trace)
            session.add(
                EligibilityInquiryRow(
                    trace=ask.trace,
                    asked_trace=asked,
                    held_id=row.id,
                    clm01=hold.clm01,
                    payer_id=hold.payer_id,
                    member_key=ask.member_key,
                    service_date=ask.service_date,
                    business_date=hold.business_date,
                    status=status,
                    answer=cached[0] if cached else None,
                    answered_on=cached[1] if cached else None,
                )
            )
            held.append(hold.clm01)
        return held, before

    def ask_again(self, corrections: Sequence[Correction]) -> list[str]:
        """Queue a new inquiry for each claim held for the front desk whose registration was
        corrected; returns the CLM01s queued now.  The row takes the new trace and member
        key and waits anew from ``on``; its hold keeps the encounter as received and carries
        the corrected one (``answered``) until the new 271 decides.  Only a row still
        answered and held is queued again, so an import read twice queues nothing new."""
        queued: list[str] = []
        with self._write() as session:
            for c in corrections:
                row = session.get(EligibilityInquiryRow, c.inquiry_id, with_for_update=True)
                if row is None or row.status != EligibilityStatus.ANSWERED:
                    continue
                hold = session.get(HeldClaimRow, row.held_id, with_for_update=True)
                if hold is None or hold.state != HoldState.HELD:
                    continue
                row.answer = {**(row.answer or {}), "corrected_from": row.trace}
                row.trace = row.asked_trace = c.trace
                row.member_key, row.status = c.member_key, EligibilityStatus.QUEUED
                row.file_id, row.answered_on, row.business_date = None, None, c.on
                hold.answered = c.encounter
                queued.append(row.clm01)
        return queued

    def eligibility_answers_of(self, member_keys: Collection[str]) -> dict[str, EligibilityView]:
        """The latest answered inquiry of each member key (the cache of answers)."""
        found: dict[str, EligibilityView] = {}
        for view in self.eligibility_rows(
            statuses=[EligibilityStatus.ANSWERED], member_keys=member_keys
        ):
            latest = found.get(view.member_key)
            if latest is None or (view.answered_on or date.min) >= (latest.answered_on or date.min):
                found[view.member_key] = view
        return found

    def eligibility_rows(
        self,
        *,
        statuses: Collection[EligibilityStatus] | None = None,
        asked_traces: Collection[str] | None = None,
        member_keys: Collection[str] | None = None,
        traces: Collection[str] | None = None,
        answered_since: date | None = None,
        still_held: bool = False,
    ) -> list[EligibilityView]:
        """Inquiries with their holds, filtered by status, asking trace, member, trace, the
        day they were settled, or holds still held."""
        query = (
            select(EligibilityInquiryRow, HeldClaimRow)
            .join(HeldClaimRow, HeldClaimRow.id == EligibilityInquiryRow.held_id)
            .order_by(EligibilityInquiryRow.id)
        )
        if statuses is not None:
            query = query.where(EligibilityInquiryRow.status.in_([str(s) for s in statuses]))
        if answered_since is not None:
            query = query.where(EligibilityInquiryRow.answered_on >= answered_since)
        if still_held:
            query = query.where(HeldClaimRow.state == HoldState.HELD)
        filters = [(EligibilityInquiryRow.asked_trace, asked_traces),
                   (EligibilityInquiryRow.member_key, member_keys),
                   (EligibilityInquiryRow.trace, traces)]  # fmt: skip
        found: list[EligibilityView] = []
        with self._read() as session:
            narrowed = [(c, sorted(set(v))) for c, v in filters if v is not None]
            if not narrowed:
                return [_view(r, h) for r, h in session.execute(query).all()]
            column, values = narrowed[0]
            for batch in chunks(values):
                part = query.where(column.in_(batch))
                for c, v in narrowed[1:]:
                    part = part.where(c.in_(v))
                found += [_view(r, h) for r, h in session.execute(part).all()]
        return sorted(found, key=lambda v: v.id)

    def built_from_holds(self, clm01s: Collection[str]) -> dict[tuple[str, str], dict]:
        """(CLM01, file) → the encounter a released hold was built from (a 271 may have
        added other coverage, the front desk a member ID): what the COB flow bills next."""
        found: dict[tuple[str, str], dict] = {}
        with self._read() as session:
            for batch in chunks(sorted(set(clm01s))):
                query = select(HeldClaimRow).where(
                    HeldClaimRow.clm01.in_(batch),
                    HeldClaimRow.state == HoldState.SENT,
                    HeldClaimRow.answered.is_not(None),
                )
                found.update({(r.clm01, r.source_file): r.answered for r in session.scalars(query)
                              if r.answered})  # fmt: skip
        return found

    def record_eligibility_file(
        self,
        file_name: str,
        payer_id: str,
        isa13: int,
        content: bytes,
        traces: Sequence[str],
        business_date: date,
        *,
        now: datetime | None = None,
    ) -> int | None:
        """Record one 270 and mark its inquiries asked: the file's ID, to mark it sent by;
        None (nothing recorded) when another run put one of them in a file first."""
        now = now or utcnow()

        def work(session: Session) -> int | None:
            rows = list(
                session.scalars(
                    select(EligibilityInquiryRow)
                    .where(EligibilityInquiryRow.asked_trace.in_(sorted(traces)))
                    .order_by(EligibilityInquiryRow.id)
                    .with_for_update()
                )
            )
            if not rows or any(r.status != EligibilityStatus.QUEUED for r in rows
                               if r.trace == r.asked_trace):  # fmt: skip
                return None
            file = EligibilityFile(
                file_name=file_name,
                payer_id=payer_id,
                business_date=business_date,
                isa13=isa13,
                inquiry_count=len(traces),
                content=content,
                recorded_at=now,
            )
            session.add(file)
            session.flush()
            for r in rows:
                if r.status == EligibilityStatus.QUEUED:
                    r.status, r.file_id = EligibilityStatus.ASKED, file.id
            return file.id

        return self._transact(work)

    def eligibility_files(
        self, business_date: date | None = None, *, unsent: bool = False
    ) -> list[EligibilityFileView]:
        query = select(EligibilityFile).order_by(EligibilityFile.id)
        if business_date is not None:
            query = query.where(EligibilityFile.business_date == business_date)
        if unsent:
            query = query.where(EligibilityFile.sent_at.is_(None))
        with self._read() as session:
            return [
                EligibilityFileView(r.id, r.file_name, r.payer_id, r.business_date,
                                    r.inquiry_count, r.content, r.sent_at)
                for r in session.scalars(query)
            ]  # fmt: skip

    def mark_eligibility_file_sent(self, file_id: int, at: datetime | None = None) -> None:
        with self._write() as session:
            row = session.get(EligibilityFile, file_id)
            if row is not None and row.sent_at is None:
                row.sent_at = at or utcnow()

    def settle_eligibility(
        self, settlements: Sequence[Settlement], *, now: datetime | None = None
    ) -> list[str]:
        """Settle waiting inquiries and release their holds;
        returns the CLM01s settled now.  An inquiry settled before is left as it is."""
        now = now or utcnow()
        settled: list[str] = []
        with self._write() as session:
            for s in settlements:
                row = session.get(EligibilityInquiryRow, s.inquiry_id, with_for_update=True)
                if row is None or row.status not in WAITING:
                    continue
                row.status, row.answered_on = s.status, s.on
                if s.answer is not None:
                    row.answer = s.answer
                if s.release is not None:
                    hold = session.get(HeldClaimRow, row.held_id, with_for_update=True)
                    if hold is not None and hold.state == HoldState.HELD:
                        hold.state, hold.answered, hold.released_at = (
                            HoldState.RELEASED, s.release, now)  # fmt: skip
                settled.append(row.clm01)
        return settled


def _view(r: EligibilityInquiryRow, h: HeldClaimRow) -> EligibilityView:
    return EligibilityView(
        r.id,
        r.trace,
        r.asked_trace,
        r.held_id,
        r.clm01,
        r.payer_id,
        r.member_key,
        r.service_date,
        r.business_date,
        EligibilityStatus(r.status),
        r.file_id,
        r.answer,
        r.answered_on,
        HoldState(h.state),
        h.source_file,
        h.answered if h.state == HoldState.HELD and h.answered else h.encounter,
    )
