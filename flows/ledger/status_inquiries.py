"""Claim status inquiries (276) in the ledger: which claims to ask about, once a day.

A claim is asked about when it is still waiting for an 835 (submitted, acknowledged or
accepted), was sent on a business date at least the payer's follow-up days ago, and was
not asked about in the last ``every_days`` days.  Recording a 276 inserts one row per
claim under the unique key (CLM01, business date) in the same transaction as the file's
bytes, so a rerun of the night finds the claims already asked and sends no second 276;
a file recorded but not confirmed sent is sent again, the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from flows.ledger.models import Claim, Interchange, StatusInquiryFile, StatusInquiryRow
from flows.ledger.states import ClaimState
from flows.ledger.store import Store, chunks, utcnow

ASKABLE_STATES = (ClaimState.SUBMITTED, ClaimState.ACKNOWLEDGED, ClaimState.ACCEPTED)


@dataclass(frozen=True)
class InquiryCandidate:
    clm01: str
    payer_id: str
    payer_claim_number: str | None
    sent_on: date


@dataclass(frozen=True)
class InquiryFileView:
    id: int
    file_name: str
    business_date: date
    claim_count: int
    content: bytes
    sent_at: datetime | None


class StatusInquiryLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: 276 files and the claims they asked about."""

    def status_inquiry_candidates(
        self, today: date, follow_up_days: Callable[[str], int], every_days: int = 7
    ) -> list[InquiryCandidate]:
        """Claims past their payer's follow-up days with no 835, not asked about lately."""
        latest = (
            select(Claim.clm01, func.max(Claim.generation).label("generation"))
            .group_by(Claim.clm01)
            .subquery()
        )
        query = (
            select(Claim.clm01, Claim.payer_id, Claim.payer_claim_number, Interchange.business_date)
            .join(
                latest, and_(Claim.clm01 == latest.c.clm01, Claim.generation == latest.c.generation)
            )
            .join(Interchange, Interchange.id == Claim.interchange_id)
            .where(Claim.state.in_([str(s) for s in ASKABLE_STATES]))
            .where(Claim.frequency_code != "8")
        )
        since = today - timedelta(days=max(every_days, 1) - 1)
        with self._read() as session:
            rows = session.execute(query).all()
            asked = _asked_since(session, [r.clm01 for r in rows], since)
        return [
            InquiryCandidate(r.clm01, r.payer_id, r.payer_claim_number, r.business_date)
            for r in rows
            if r.clm01 not in asked and (today - r.business_date).days > follow_up_days(r.payer_id)
        ]

    def record_status_inquiry(
        self,
        file_name: str,
        isa13: int,
        content: bytes,
        traces: dict[str, str],
        business_date: date,
        now: datetime | None = None,
    ) -> int | None:
        """Record one 276 and its claims: the file's ID, to mark it sent by; None (nothing
        recorded) when another run asked about one of them on this business date first."""
        now = now or utcnow()

        def work(session: Session) -> int | None:
            if _asked_since(session, list(traces), business_date):
                return None
            row = StatusInquiryFile(
                file_name=file_name,
                business_date=business_date,
                isa13=isa13,
                claim_count=len(traces),
                content=content,
                recorded_at=now,
            )
            session.add(row)
            session.flush()
            session.add_all(
                StatusInquiryRow(clm01=c, business_date=business_date, trace=t, file_id=row.id)
                for c, t in sorted(traces.items())
            )
            return row.id

        return self._transact(work)

    def unsent_status_inquiries(self, business_date: date) -> list[InquiryFileView]:
        """276 files of ``business_date`` recorded but not confirmed sent."""
        query = select(StatusInquiryFile).where(
            StatusInquiryFile.business_date == business_date, StatusInquiryFile.sent_at.is_(None)
        )
        with self._read() as session:
            return [_view(r) for r in session.scalars(query)]

    def mark_status_inquiry_sent(self, file_id: int, at: datetime | None = None) -> None:
        def work(session: Session) -> None:
            row = session.get(StatusInquiryFile, file_id)
            if row is not None and row.sent_at is None:
                row.sent_at = at or utcnow()

        self._transact(work)

    def status_inquiries_of(self, clm01s: Sequence[str]) -> dict[str, date]:
        """The latest business date each claim was asked about."""
        found: dict[str, date] = {}
        with self._read() as session:
            for chunk in chunks(sorted({c.upper() for c in clm01s})):
                query = (
                    select(StatusInquiryRow.clm01, func.max(StatusInquiryRow.business_date))
                    .where(StatusInquiryRow.clm01.in_(chunk))
                    .group_by(StatusInquiryRow.clm01)
                )
                found.update(dict(session.execute(query).all()))
        return found


def _asked_since(session: Session, clm01s: Sequence[str], since: date) -> set[str]:
    asked: set[str] = set()
    for chunk in chunks(sorted(set(clm01s))):
        query = select(StatusInquiryRow.clm01).where(
            StatusInquiryRow.clm01.in_(chunk), StatusInquiryRow.business_date >= since
        )
        asked.update(session.scalars(query))
    return asked


def _view(row: StatusInquiryFile) -> InquiryFileView:
    return InquiryFileView(
        row.id, row.file_name, row.business_date, row.claim_count, row.content, row.sent_at
    )
