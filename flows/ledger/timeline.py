"""The timeline core: events land once each, and move claims only forward.

Shared by the interchange side (``built``, ``submitted``) and the response side (999,
277CA, 835 events) so both follow the same state table, :mod:`flows.ledger.states`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from edi.events import ClaimEvent, EventKind
from flows.ledger.models import Claim, ClaimEventRow
from flows.ledger.records import EventOutcome, to_cents
from flows.ledger.states import ClaimState, next_state
from flows.ledger.store import chunks, insert_rows, one_of


def apply_events_in(
    session: Session,
    events: Sequence[ClaimEvent],
    now: datetime,
    locked: dict[str, list[Claim]] | None = None,
    also: Mapping[int, Mapping[str, Any]] | None = None,
) -> EventOutcome:
    """Add new events to the timeline, in ``at`` order, moving claims forward only.

    The claims are locked first, so the check for events already present and the state
    moves cannot interleave with another run applying the same file.  A caller that has
    just locked them in this transaction passes ``locked`` (every generation of each
    event's claim, from :func:`lock_claims`), saving a second pass over the same rows.
    ``also`` gives more columns to set on claims by ID, in the same UPDATE as their moves
    (recording an interchange sets each claim's interchange and ST02 with its ``built``
    move: on PostgreSQL every UPDATE of a claim leaves a dead copy of its row and a new
    entry in each of its indexes, ledger space until a vacuum).
    """
    if locked is None:
        locked = lock_claims(session, {e.clm01.upper() for e in events})
    targets: list[tuple[ClaimEvent, Claim]] = []
    unknown: list[str] = []
    for event in events:
        row = _pick_generation(locked.get(event.clm01.upper(), []), event)
        if row is None:
            unknown.append(event.clm01)
        else:
            targets.append((event, row))
    seen = _event_keys(session, targets)
    rows: list[dict[str, Any]] = []
    moves = _Moves(also)
    repeated = 0
    for event, claim in sorted(targets, key=lambda target: target[0].at):
        key = (claim.id, str(event.kind), event.source_file, event.ref)
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        before, after, amount = moves.apply(claim, event, now)
        rows.append(
            {
                "claim_id": claim.id,
                "kind": event.kind,
                "at": event.at,
                "source_file": event.source_file,
                "ref": event.ref,
                "amount_cents": amount,
                "from_state": before,
                "to_state": after,
                "details": dict(event.details),
                "recorded_at": now,
            }
        )
    session.flush()
    moves.write(session)
    insert_rows(session, ClaimEventRow.__table__, rows)
    moved = moves.moved
    return EventOutcome(recorded=len(rows), moved=moved, repeated=repeated, unknown=tuple(unknown))


class _Moves:
    """What the events do to each claim, written as one UPDATE per distinct set of new
    values (a night's ``built`` or ``submitted`` events: one statement for thousands of
    claims, where the ORM would send one UPDATE per claim)."""

    def __init__(self, also: Mapping[int, Mapping[str, Any]] | None = None) -> None:
        self.values: dict[int, dict[str, Any]] = {i: dict(v) for i, v in (also or {}).items()}
        self.claims: dict[int, Claim] = {}
        self.moved = 0

    def _current(self, claim: Claim, name: str) -> Any:
        return self.values.get(claim.id, {}).get(name, getattr(claim, name))

    def apply(
        self, claim: Claim, event: ClaimEvent, now: datetime
    ) -> tuple[ClaimState, ClaimState | None, int | None]:
        """Move ``claim`` by ``event`` (in memory); its state before, after, and the amount."""
        self.claims[claim.id] = claim
        values = self.values.setdefault(claim.id, {})
        before = ClaimState(self._current(claim, "state"))
        after = next_state(before, event.kind)
        if after is not None:
            values["state"] = after
            self.moved += 1
        if event.kind is EventKind.SUBMITTED and self._current(claim, "submitted_at") is None:
            values["submitted_at"] = event.at
        if event.payer_claim_number:
            values["payer_claim_number"] = event.payer_claim_number
        amount = None if event.amount is None else to_cents(event.amount)
        if amount:
            values["paid_cents"] = self._current(claim, "paid_cents") + amount
        values["updated_at"] = now
        return before, after, amount

    def write(self, session: Session) -> None:
        groups: dict[tuple, list[int]] = {}
        for claim_id, values in self.values.items():
            groups.setdefault(tuple(sorted(values.items())), []).append(claim_id)
        for values, ids in groups.items():
            for chunk in chunks(sorted(ids)):
                session.execute(
                    update(Claim)
                    .where(one_of(session, Claim.id, chunk))
                    .values(dict(values))
                    .execution_options(synchronize_session=False)
                )
        # The objects in the session take the new values as already written.
        for claim_id, values in self.values.items():
            if (claim := self.claims.get(claim_id)) is not None:
                for name, value in values.items():
                    set_committed_value(claim, name, value)


def lock_claims(session: Session, clm01s: Collection[str]) -> dict[str, list[Claim]]:
    """All generations of ``clm01s``, row-locked on PostgreSQL in one global order."""
    claims: dict[str, list[Claim]] = {}
    for chunk in chunks(sorted(clm01s)):
        query = (
            select(Claim)
            .where(one_of(session, Claim.clm01, chunk))
            .order_by(Claim.clm01, Claim.generation)
            .with_for_update()
        )
        for row in session.scalars(query):
            claims.setdefault(row.clm01, []).append(row)
    return claims


def _event_keys(
    session: Session, targets: Sequence[tuple[ClaimEvent, Claim]]
) -> set[tuple[int, str, str, str]]:
    claim_ids = sorted({claim.id for _, claim in targets})
    sources = {event.source_file for event, _ in targets}
    keys: set[tuple[int, str, str, str]] = set()
    for chunk in chunks(claim_ids):
        query = select(
            ClaimEventRow.claim_id,
            ClaimEventRow.kind,
            ClaimEventRow.source_file,
            ClaimEventRow.ref,
        ).where(
            one_of(session, ClaimEventRow.claim_id, chunk),
            ClaimEventRow.source_file.in_(sources),
        )
        keys.update((i, k, s, r) for i, k, s, r in session.execute(query))
    return keys


def _pick_generation(rows: list[Claim], event: ClaimEvent) -> Claim | None:
    """The generation an event is about: the one named, else the one with the payer claim
    number the event quotes, else the latest one that was sent."""
    if not rows:
        return None
    if event.generation is not None:
        return next((r for r in rows if r.generation == event.generation), None)
    if event.payer_claim_number:
        quoted = [r for r in rows if r.payer_claim_number == event.payer_claim_number]
        if quoted:
            return quoted[-1]
    sent = [r for r in rows if r.state != ClaimState.ADMITTED]
    return (sent or rows)[-1]
