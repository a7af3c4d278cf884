"""Control numbers and interchanges: recorded before upload, uploaded once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from edi.events import ClaimEvent, EventKind
from flows.ledger.billed import record_billed
from flows.ledger.errors import (
    ClaimsAlreadyRecorded,
    LedgerError,
    UnknownClaims,
    UnknownInterchange,
)
from flows.ledger.models import Claim, ControlSequence, Interchange, InterchangeFindingRow
from flows.ledger.records import (
    InterchangeClaim,
    InterchangeRecord,
    InterchangeView,
    PendingInterchange,
)
from flows.ledger.states import PENDING_UPLOAD, ClaimState, InterchangeState, can_move
from flows.ledger.store import Store, utcnow
from flows.ledger.timeline import apply_events_in, lock_claims

if TYPE_CHECKING:
    from edi.x12.pyx12_validator import X12Error

MAX_FINDINGS = 200
"""Findings kept per held interchange: enough to fix a builder bug, bounded for a file
broken on every segment (the run summary still says how many there were)."""


@dataclass(frozen=True, slots=True)
class InterchangeFinding:
    """One reason an interchange was held: a SNIP 1-2 error as its 999/TA1 would name it
    (``level``, ``code``, segment, element, position) and ``label`` in words, never a
    value from the file.  ``level`` ``file`` is the engine unable to read it at all."""

    level: str
    code: str
    label: str
    segment_id: str | None = None
    position: int | None = None
    element: int | None = None
    component: int | None = None

    @classmethod
    def of(cls, error: X12Error) -> InterchangeFinding:
        from edi.validate import error_label

        return cls(
            error.level,
            error.code,
            error_label(error),
            error.segment_id,
            error.position,
            error.element,
            error.component,
        )


class InterchangeLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: control numbers and 837 interchanges."""

    def allocate(self, key: str, count: int = 1) -> range:
        """Reserve ``count`` consecutive control numbers for ``key``; never handed out twice.

        One upsert statement both creates the sequence and moves it, so concurrent callers
        on PostgreSQL queue on the row lock and on SQLite on the write lock.  Numbers of a
        run that crashes before using them are simply skipped (gaps are allowed in X12).
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        statement = (
            self._insert(ControlSequence)
            .values(key=key, last_value=count)
            .on_conflict_do_update(
                index_elements=[ControlSequence.key],
                set_={"last_value": ControlSequence.last_value + count},
            )
            .returning(ControlSequence.last_value)
        )
        with self._write() as session:
            last = session.execute(statement).scalar_one()
        return range(last - count + 1, last + 1)

    def record_interchange(
        self, interchange: InterchangeRecord, *, now: datetime | None = None
    ) -> int:
        """Store a built interchange, bytes and claims, before it is uploaded; its id.

        Every claim must still be ``admitted`` (and in no interchange); if another run got
        some of them first, nothing is stored and :class:`ClaimsAlreadyRecorded` says which.
        """
        if not interchange.claims:
            raise ValueError(f"interchange {interchange.file_name} carries no claims")
        now = now or utcnow()
        wanted = {(c.clm01.upper(), c.generation): c.st02 for c in interchange.claims}

        def work(session: Session) -> int:
            locked = lock_claims(session, {clm01 for clm01, _ in wanted})
            found = {
                (row.clm01, row.generation): row
                for rows in locked.values()
                for row in rows
                if (row.clm01, row.generation) in wanted
            }
            missing = [key for key in wanted if key not in found]
            if missing:
                raise UnknownClaims(missing)
            taken = sorted(
                row.clm01
                for row in found.values()
                if row.state != ClaimState.ADMITTED or row.interchange_id is not None
            )
            if taken:
                raise ClaimsAlreadyRecorded(taken)
            row = Interchange(
                profile=interchange.profile,
                sender=interchange.sender,
                receiver=interchange.receiver,
                isa13=interchange.isa13,
                gs06=interchange.gs06,
                file_name=interchange.file_name,
                sha256=interchange.sha256,
                size=len(interchange.content),
                content=interchange.content,
                claim_count=len(wanted),
                business_date=interchange.business_date,
                state=InterchangeState.RECORDED,
                recorded_at=now,
                attempts=0,
            )
            session.add(row)
            session.flush()
            events = [
                ClaimEvent(clm01, EventKind.BUILT, now, interchange.file_name, generation=gen)
                for clm01, gen in wanted
            ]
            # each claim's interchange and ST02 go in the UPDATE of its ``built`` move
            placed = {
                claim.id: {"interchange_id": row.id, "st02": wanted[key]}
                for key, claim in found.items()
            }
            apply_events_in(session, events, now, locked, also=placed)
            billed = [(c.clm01.upper(), found[(c.clm01.upper(), c.generation)].frequency_code,
                       c.services) for c in interchange.claims]  # fmt: skip
            record_billed(session, billed, interchange.business_date, now)
            return row.id

        try:
            with self._write() as session:
                return work(session)
        except IntegrityError as error:
            raise LedgerError(
                f"interchange ISA13 {interchange.isa13:09d} ({interchange.sender} to "
                f"{interchange.receiver}) or file {interchange.file_name} is already in the "
                "ledger; control numbers must come from Ledger.allocate"
            ) from error

    def claim_pending_interchanges(
        self,
        worker: str,
        *,
        limit: int = 10,
        lease: timedelta = timedelta(minutes=15),
        now: datetime | None = None,
        profile: str | None = None,
    ) -> list[PendingInterchange]:
        """Take interchanges whose upload is not confirmed, for ``worker`` to (re)upload.

        Recorded ones, and ones an earlier attempt started (a crash after the upload and
        before :meth:`mark_uploaded` looks the same), are handed to one worker at a time:
        ``SKIP LOCKED`` on PostgreSQL, the write lock on SQLite, and a lease so another
        worker waits ``lease`` before taking one over.  Upload the stored bytes as they
        are, under the stored file name; ``attempts > 1`` means check the remote first.
        With ``profile``, only that clearinghouse profile's interchanges: one ledger serves
        many clinics, and each run uploads over its own profile's connection.
        """
        now = now or utcnow()
        query = (
            select(Interchange)
            .options(undefer(Interchange.content))
            .where(
                Interchange.state.in_(list(PENDING_UPLOAD)),
                or_(
                    Interchange.claimed_by.is_(None),
                    Interchange.claimed_by == worker,
                    Interchange.claimed_at < now - lease,
                ),
                *([Interchange.profile == profile] if profile is not None else []),
            )
            .order_by(Interchange.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self._write() as session:
            rows = session.scalars(query).all()
            for row in rows:
                row.state = InterchangeState.UPLOADING
                row.claimed_by, row.claimed_at = worker, now
                row.attempts += 1
            return [
                PendingInterchange(
                    id=row.id,
                    profile=row.profile,
                    file_name=row.file_name,
                    isa13=row.isa13,
                    content=row.content,
                    sha256=row.sha256,
                    attempts=row.attempts,
                )
                for row in rows
            ]

    def release_interchange(self, interchange_id: int, worker: str) -> None:
        """Give up ``worker``'s claim on an interchange after a failed upload, so the next
        run retries it at once instead of after the lease."""
        with self._write() as session:
            row = self._interchange_row(session, interchange_id)
            if row.claimed_by == worker:
                row.claimed_by, row.claimed_at = None, None

    def hold_interchange(
        self,
        interchange_id: int,
        worker: str,
        findings: Sequence[InterchangeFinding] = (),
        *,
        now: datetime | None = None,
    ) -> bool:
        """Keep an interchange ``worker`` took from ever being uploaded (its bytes break the
        guide), with the ``findings`` that say why (the first :data:`MAX_FINDINGS`);
        ``False`` when it had already moved on (uploaded or answered)."""
        now = now or utcnow()
        with self._write() as session:
            row = self._interchange_row(session, interchange_id)
            if not can_move(InterchangeState(row.state), InterchangeState.HELD):
                return False
            row.state = InterchangeState.HELD
            row.claimed_by, row.claimed_at = None, None
            session.add_all(
                InterchangeFindingRow(
                    interchange_id=interchange_id,
                    ordinal=n,
                    level=f.level,
                    code=f.code,
                    segment_id=f.segment_id,
                    position=f.position,
                    element=f.element,
                    component=f.component,
                    label=f.label[:300],
                    recorded_at=now,
                )
                for n, f in enumerate(findings[:MAX_FINDINGS], 1)
            )
            return True

    def interchange_findings(self, interchange_id: int) -> tuple[InterchangeFinding, ...]:
        """Why the interchange was held, in the order the engine found it; empty when it
        never was."""
        query = (
            select(InterchangeFindingRow)
            .where(InterchangeFindingRow.interchange_id == interchange_id)
            .order_by(InterchangeFindingRow.ordinal)
        )
        with self._read() as session:
            return tuple(
                InterchangeFinding(
                    r.level, r.code, r.label, r.segment_id, r.position, r.element, r.component
                )
                for r in session.scalars(query)
            )

    def mark_uploaded(
        self, interchange_id: int, remote_name: str, *, at: datetime | None = None
    ) -> bool:
        """Confirm the upload: the interchange is ``uploaded``, its claims ``submitted``.

        ``False`` (and no change) when it was already confirmed, so a rerun may call it again.
        """
        at = at or utcnow()
        with self._write() as session:
            row = self._interchange_row(session, interchange_id)
            if not can_move(InterchangeState(row.state), InterchangeState.UPLOADED):
                return False
            row.state = InterchangeState.UPLOADED
            row.remote_name, row.uploaded_at = remote_name, at
            row.claimed_by, row.claimed_at = None, None
            claims = session.execute(
                select(Claim.clm01, Claim.generation).where(Claim.interchange_id == row.id)
            ).all()
            events = [
                ClaimEvent(clm01, EventKind.SUBMITTED, at, row.file_name, generation=gen)
                for clm01, gen in claims
            ]
            apply_events_in(session, events, at)
            return True

    def mark_answered(
        self, interchange_id: int, state: InterchangeState, *, at: datetime | None = None
    ) -> bool:
        """Record a TA1/999 verdict on the whole interchange (``acknowledged``/``rejected``).

        Claim states move through :meth:`apply_events`; this is the envelope's own state.
        ``False`` when the move would go backward (a late 999 after a TA1 rejection).
        """
        if state not in (InterchangeState.ACKNOWLEDGED, InterchangeState.REJECTED):
            raise ValueError(f"an answer is acknowledged or rejected, not {state}")
        with self._write() as session:
            row = self._interchange_row(session, interchange_id)
            if not can_move(InterchangeState(row.state), state):
                return False
            row.state, row.answered_at = state, at or utcnow()
            return True

    def interchange(self, interchange_id: int) -> InterchangeView:
        with self._read() as session:
            return self._interchange_view(session, self._interchange_row(session, interchange_id))

    def find_interchange(
        self, sender: str, receiver: str, *, isa13: int | None = None, gs06: int | None = None
    ) -> InterchangeView | None:
        """The interchange a TA1 (by ISA13) or a 999 (by GS06) answers, with its claims."""
        if (isa13 is None) == (gs06 is None):
            raise ValueError("give exactly one of isa13 and gs06")
        query = select(Interchange).where(
            Interchange.sender == sender, Interchange.receiver == receiver
        )
        query = query.where(
            Interchange.isa13 == isa13 if isa13 is not None else Interchange.gs06 == gs06
        )
        with self._read() as session:
            row = session.scalars(query.order_by(Interchange.id.desc()).limit(1)).first()
            return None if row is None else self._interchange_view(session, row)

    @staticmethod
    def _interchange_row(session: Session, interchange_id: int) -> Interchange:
        row = session.get(Interchange, interchange_id, with_for_update=True)
        if row is None:
            raise UnknownInterchange(interchange_id)
        return row

    @staticmethod
    def _interchange_view(session: Session, row: Interchange) -> InterchangeView:
        claims = session.execute(
            select(Claim.clm01, Claim.generation, Claim.st02)
            .where(Claim.interchange_id == row.id)
            .order_by(Claim.st02, Claim.clm01)
        ).all()
        return InterchangeView(
            id=row.id,
            profile=row.profile,
            sender=row.sender,
            receiver=row.receiver,
            isa13=row.isa13,
            gs06=row.gs06,
            file_name=row.file_name,
            sha256=row.sha256,
            state=InterchangeState(row.state),
            remote_name=row.remote_name,
            uploaded_at=row.uploaded_at,
            claims=tuple(InterchangeClaim(c, g, s) for c, g, s in claims),
        )
