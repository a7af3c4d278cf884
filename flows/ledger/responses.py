"""Response files and claim timelines: what the clearinghouse and payers said."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edi.events import ClaimEvent, ResponseKind
from flows.ledger.errors import LedgerError
from flows.ledger.models import Claim, ClaimEventRow, ResponseFile
from flows.ledger.records import EventOutcome, ResponseFileView, TimelineEntry, from_cents
from flows.ledger.states import ClaimState, EventKind
from flows.ledger.store import Store, chunks, utcnow
from flows.ledger.timeline import apply_events_in


class ResponseLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: response files and the events they carry."""

    def record_response_file(
        self,
        name: str,
        sha256: str,
        kind: ResponseKind,
        s3_key: str,
        *,
        received_at: datetime | None = None,
    ) -> bool:
        """Note a fetched response file; ``True`` while it still needs parsing.

        ``False`` for a file whose content (by SHA-256) was already parsed: the clearinghouse
        delivered it again.  A file recorded by a run that crashed before parsing it comes
        back ``True``; parse it and call :meth:`mark_response_parsed`.
        """
        received_at = received_at or utcnow()

        def work(session: Session) -> bool:
            inserted = session.execute(
                self._insert(ResponseFile)
                .values(
                    name=name,
                    sha256=sha256,
                    kind=ResponseKind(kind),
                    s3_key=s3_key,
                    received_at=received_at,
                )
                .on_conflict_do_nothing(index_elements=["sha256"])
                .returning(ResponseFile.id)
            ).first()
            if inserted is not None:
                return True
            parsed = session.scalar(
                select(ResponseFile.parsed_at).where(ResponseFile.sha256 == sha256)
            )
            return parsed is None

        return self._transact(work)

    def mark_response_parsed(self, sha256: str, *, at: datetime | None = None) -> None:
        with self._write() as session:
            row = session.scalars(
                select(ResponseFile).where(ResponseFile.sha256 == sha256)
            ).one_or_none()
            if row is None:
                raise LedgerError(f"no response file with sha256 {sha256}; record it first")
            row.parsed_at = at or utcnow()

    def parsed_responses(self, key_prefix: str) -> list[ResponseFileView]:
        """The response files parsed whose archive key starts with ``key_prefix`` (one
        day's ``inbound/DATE/``), in the order they were recorded.

        What was read, by any run: the worklists are rebuilt from these, so a run that
        crashed after reading a file and a rerun that finds it already parsed agree.
        """
        query = (
            select(ResponseFile)
            .where(
                ResponseFile.s3_key.startswith(key_prefix, autoescape=True),
                ResponseFile.parsed_at.is_not(None),
            )
            .order_by(ResponseFile.id)
        )
        with self._read() as session:
            return [
                ResponseFileView(r.name, r.sha256, r.kind, r.s3_key, r.parsed_at)
                for r in session.scalars(query)
            ]

    def apply_events(
        self, events: Sequence[ClaimEvent], *, now: datetime | None = None
    ) -> EventOutcome:
        """Add events to the claims' timelines and move states forward, in ``at`` order.

        An event already in the timeline is skipped (the same file applied twice), and an
        event that would move a claim backward (a late 999 after an 835) is kept in the
        timeline without moving it.  Amounts add to the claim's paid total once each.
        """
        now = now or utcnow()
        return self._transact(lambda session: apply_events_in(session, events, now))

    def claims_by_reference(self, references: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """``reference -> (CLM01, payer claim number)`` for references that are a payer claim
        number the ledger holds, else a CLM01 (an 835 PLB naming a claim of an earlier 835)."""
        wanted = sorted({r.strip().upper() for r in references if r and r.strip()})
        found: dict[str, tuple[str, str | None]] = {}
        with self._read() as session:
            for chunk in chunks(wanted):
                by_icn = select(Claim.clm01, Claim.payer_claim_number).where(
                    func.upper(Claim.payer_claim_number).in_(chunk)
                )
                for clm01, icn in session.execute(by_icn):
                    found[icn.upper()] = (clm01, icn)
                rest = [r for r in chunk if r not in found]
                if rest:
                    by_clm01 = select(Claim.clm01).where(Claim.clm01.in_(rest)).distinct()
                    for clm01 in session.scalars(by_clm01):
                        found.setdefault(clm01.upper(), (clm01, None))
        return found

    def timeline(self, clm01: str) -> list[TimelineEntry]:
        """Every event of every generation of a claim, oldest first."""
        query = (
            select(Claim.clm01, Claim.generation, ClaimEventRow)
            .join(ClaimEventRow, ClaimEventRow.claim_id == Claim.id)
            .where(Claim.clm01 == clm01.upper())
            .order_by(ClaimEventRow.at, ClaimEventRow.id)
        )
        with self._read() as session:
            return [
                TimelineEntry(
                    clm01=c,
                    generation=g,
                    kind=EventKind(e.kind),
                    at=e.at,
                    source_file=e.source_file,
                    ref=e.ref,
                    amount=None if e.amount_cents is None else from_cents(e.amount_cents),
                    from_state=ClaimState(e.from_state),
                    to_state=None if e.to_state is None else ClaimState(e.to_state),
                    details=e.details,
                )
                for c, g, e in session.execute(query)
            ]
