"""Bill the next payer from today's 835s (COB), exactly once per CLM01 and payer.

The decision is :mod:`edi.claims.cob`'s; this module gives it its inputs and keeps its
result.  For each 835 claim payment it finds the encounter that claim was billed from (the
primary's in its encounter file in S3; a later payer's in the ledger's next-payer row),
decides, and records the decision in the ledger (:mod:`flows.ledger.next_payer`).
At the start of the next night, :func:`write_ready` puts every claim ready for a next
payer into one encounter file under that night's ``encounters/`` prefix, so the night
scrubs, builds and sends it like any encounter, billed to the next payer (SBR01 ``S``/``T``).

Crash-safe in order: a decision is recorded before anything is written, a file is written
under a name derived from its content (a rerun writes the same object), and a claim is
marked written only after its file exists.  Logs carry IDs and counts only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from pydantic import ValidationError

from edi.claims.cob import (
    FORWARDED,
    PROCESSED,
    Action,
    NextPayer,
    Recorded,
    RemitClaim,
    Step,
    crossover_carriers,
    next_step,
    reconcile,
    remit_claims,
)
from edi.claims.models import Encounter
from edi.responses import ResponseTables
from edi.worklists.cob_views import NextPayerFact, after_last_payer, secondary_pending
from edi.x12.reader import iter_segments
from flows.faults import checkpoint
from flows.ledger import Ledger
from flows.ledger.next_payer import BilledGeneration, NextPayerRow, NextPayerWrite
from flows.s3 import Area, S3ObjectExists, S3ObjectMissing, S3Store
from flows.sources import records_from_stream
from mappings.profiles import payer_profiles

log = logging.getLogger(__name__)

STATES = {
    Step.BILL: "ready",
    Step.AWAIT_CROSSOVER: "awaiting_crossover",
    Step.DENIED: "denied",
}
PENDING_STATES = frozenset({"ready", "held", "awaiting_crossover"})
"""Next-payer claims not answered yet: the "secondary pending" view."""
ANSWERED = "answered"
"""A crossover the next payer answered with its own 835."""


@dataclass
class SecondarySummary:
    """What one 835 meant for next payers; counts only."""

    decisions: Counter[str] = field(default_factory=Counter)
    unknown: int = 0
    """Claim payments whose encounter could not be found (not ours, or its file is gone)."""
    written: int = 0


def _flags(payers: Mapping[str, Any], payer_id: str) -> bool:
    """Whether this payer's profile says to bill the next payer after a denial."""
    profile = payers.get(payer_id)
    return bool(getattr(profile, "secondary_after_denial", False))


def on_remittance(
    ledger: Ledger,
    store: S3Store,
    today: date,
    tables: ResponseTables,
    data: bytes,
    name: str,
    payers: Mapping[str, Any] | None = None,
) -> SecondarySummary:
    """Decide the next payer of every claim payment in one parsed 835 file."""
    summary = SecondarySummary()
    if tables.claims.empty:
        return summary
    payers = payer_profiles() if payers is None else payers
    crossovers = crossover_carriers(iter_segments(data, name), name)
    remits = list(remit_claims(tables.claims, tables.lines, tables.adjustments, crossovers))
    clm01s = {r.clm01 for r in remits}
    billed = ledger.billed_generations(clm01s)
    rows = ledger.next_payer_rows({(c, s) for c in clm01s for s in "ST"}, with_encounter=True)
    load = _EncounterLoader(store, billed, rows, ledger.built_from_holds(clm01s))
    writes: list[NextPayerWrite] = []
    for remit in remits:
        generations = billed.get(remit.clm01, [])
        if not _may_have_next(remit.clm01, generations, rows):
            continue  # no later payer: nothing to decide, no encounter file to read
        place = _place(remit, generations)
        enc = load(remit.clm01, place) if place else None
        if enc is None:
            summary.unknown += 1
            continue
        try:
            write = _decide(enc, remit, place, rows, billed, today, _flags(payers, remit.payer_id))
        except ValidationError:  # an 835 amount the encounter model cannot carry
            summary.unknown += 1
            continue
        for item in write:
            writes.append(item)
            rows[(item.clm01, item.payer_sequence)] = _as_row(item)
            summary.decisions[item.state] += 1
    if writes:
        ledger.record_next_payers(writes)
    log.info("next payers from %s: %s, %d unknown", name, dict(summary.decisions), summary.unknown)
    return summary


def _may_have_next(
    clm01: str,
    generations: list[BilledGeneration],
    rows: Mapping[tuple[str, str], NextPayerRow],
) -> bool:
    """Whether a claim payment can concern a next payer: the encounter listed one, or a
    decision for it is already held (a claim not from this ledger is counted unknown)."""
    if not generations:
        return True
    return any(g.later_payers for g in generations) or any((clm01, s) in rows for s in "ST")


def _place(remit: RemitClaim, generations: list[BilledGeneration]) -> str:
    """Which payer the 835 answers as: CLP02, else the payer last billed."""
    if remit.status in PROCESSED:
        return PROCESSED[remit.status]
    if remit.status in FORWARDED:
        return FORWARDED[remit.status]
    return generations[-1].payer_sequence if generations else ""


def _decide(
    enc: Encounter,
    remit: RemitClaim,
    place: str,
    rows: Mapping[tuple[str, str], NextPayerRow],
    billed: Mapping[str, list[BilledGeneration]],
    today: date,
    after_denial: bool,
) -> list[NextPayerWrite]:
    writes = []
    own = rows.get((remit.clm01, place))
    if own is not None and own.state == "awaiting_crossover" and not remit.reversal:
        writes.append(_answered(own, remit, today))
    step = next_step(enc, remit, bill_after_denial=after_denial)
    following = "PST".index(place) + 1
    sequence = step.sequence or ("PST"[following] if remit.reversal and following < 3 else "")
    if not sequence:
        return writes
    generations = {g.payer_sequence: g for g in billed.get(remit.clm01, [])}
    row = rows.get((remit.clm01, sequence))
    current = None
    if row is not None:
        state = "sent" if sequence in generations else row.state
        current = Recorded(state, row.prior_paid, row.prior_claim_number)
    action = reconcile(current, step, remit)
    write = _write(action, step, remit, sequence, row, generations.get(sequence), today)
    return writes + ([write] if write else [])


def _write(
    action: Action,
    step: NextPayer,
    remit: RemitClaim,
    sequence: str,
    row: NextPayerRow | None,
    sent: BilledGeneration | None,
    today: date,
) -> NextPayerWrite | None:
    if action is Action.NOTHING:
        return None
    base = {
        "clm01": remit.clm01,
        "payer_sequence": sequence,
        "source_file": remit.source,
        "decided_on": today,
    }
    if action is Action.HOLD:
        assert row is not None  # HOLD only follows a recorded decision
        return NextPayerWrite(**base, payer_id=row.payer_id, state="held",
                              reason="the earlier payer reversed its payment; waiting for its "
                              "correction", prior_paid=row.prior_paid,
                              prior_claim_number=row.prior_claim_number, rewrite=False)  # fmt: skip
    enc = step.encounter
    frequency = "1"
    if action is Action.REPLACE and enc is not None:
        frequency = "7"
        number = sent.payer_claim_number if sent else None
        enc = enc.model_copy(update={"frequency_code": "7", "original_payer_claim_number": number})
    assert step.payer is not None  # every recorded step names the next payer
    return NextPayerWrite(
        **base,
        payer_id=step.payer.payer_id,
        state=STATES[step.step],
        reason=step.reason,
        prior_paid=remit.paid,
        prior_claim_number=remit.payer_claim_number,
        encounter=None if enc is None else enc.model_dump(mode="json", exclude_none=True),
        frequency_code=frequency,
    )


def _answered(row: NextPayerRow, remit: RemitClaim, today: date) -> NextPayerWrite:
    return NextPayerWrite(
        clm01=row.clm01,
        payer_sequence=row.payer_sequence,
        payer_id=row.payer_id,
        state=ANSWERED,
        reason=f"{row.payer_id} answered the crossover (CLP02 {remit.status})",
        prior_paid=row.prior_paid,
        prior_claim_number=row.prior_claim_number,
        source_file=remit.source,
        decided_on=today,
        rewrite=False,
    )


def _as_row(write: NextPayerWrite) -> NextPayerRow:
    """A write as the row it becomes, so later claim payments of the same file (a reversal
    then its correction) are decided against it."""
    return NextPayerRow(
        write.clm01, write.payer_sequence, write.payer_id, write.state, write.reason,
        write.prior_paid, write.prior_claim_number, write.frequency_code, write.source_file,
        write.decided_on, None, None, write.encounter,  # type: ignore[arg-type]
    )  # fmt: skip


class _EncounterLoader:
    """The encounter a claim was billed from: a next-payer row's, else the one in the
    encounter file its generation came from (each file read once)."""

    def __init__(
        self,
        store: S3Store,
        billed: Mapping[str, list[BilledGeneration]],
        rows: Mapping[tuple[str, str], NextPayerRow],
        released: Mapping[tuple[str, str], dict] | None = None,
    ) -> None:
        self.store, self.billed, self.rows = store, billed, rows
        self.files: dict[str, dict[str, bytes | str]] = {}
        self.released = released or {}
        """Issue 16: encounters released holds were built from, which differ from the file."""

    def __call__(self, clm01: str, place: str) -> Encounter | None:
        row = self.rows.get((clm01, place))
        if row is not None and row.encounter is not None:
            return _valid(row.encounter, Encounter.model_validate)
        source = next((g.source_file for g in self.billed.get(clm01, [])
                       if g.payer_sequence == place), None)  # fmt: skip
        if source and (clm01, source) in self.released:  # built from a released hold
            return _valid(self.released[(clm01, source)], Encounter.model_validate)
        raw = self._file(source).get(clm01) if source else None
        if raw is not None:
            return _valid(raw, Encounter.model_validate_json)
        return self._from_later(clm01, place)

    def _from_later(self, clm01: str, place: str) -> Encounter | None:
        """The encounter billed at ``place``, rebuilt from a later payer's claim (which
        is it plus the earlier adjudications) when its own file is gone from S3."""
        for sequence in "ST"["PST".index(place) :]:
            row = self.rows.get((clm01, sequence))
            later = (
                _valid(row.encounter, Encounter.model_validate) if row and row.encounter else None
            )
            if later is not None:
                earlier = later.prior_adjudications[: "PST".index(place)]
                return later.model_copy(
                    update={"billed_payer_sequence": place, "prior_adjudications": earlier}
                )
        return None

    def _file(self, key: str) -> dict[str, bytes | str]:
        if key not in self.files:
            found: dict[str, bytes | str] = {}
            try:
                body = self.store.open(key)
            except S3ObjectMissing:
                log.warning("encounter file %s is gone from S3; its claims' next payers are "
                            "decided from the ledger where it can", key)  # fmt: skip
                self.files[key] = found
                return found
            with body:
                for record in records_from_stream(body, key):
                    raw = (
                        record.raw
                        if record.raw is not None
                        else json.dumps(record.data, default=str)
                    )
                    ident = _encounter_id(raw)
                    if ident:
                        found[ident.upper()] = raw
            self.files[key] = found
        return self.files[key]


def _encounter_id(raw: bytes | str | None) -> str:
    try:
        value = json.loads(raw or "null")
    except ValueError:
        return ""
    ident = value.get("encounter_id") if isinstance(value, dict) else None
    return ident if isinstance(ident, str) else ""


def _valid(value: Any, parse: Callable[[Any], Encounter]) -> Encounter | None:
    try:
        return parse(value)
    except ValidationError:
        return None  # the rules refused it when it came in; it was never billed


def write_ready(ledger: Ledger, store: S3Store, today: date) -> int:
    """Put every next-payer claim ready and not yet written into one encounter file under
    the ``encounters/`` prefix of the night ``today`` (the night being submitted), where
    the night takes it like the clinic's own files; returns how many."""
    ready = ledger.next_payer_rows(states={"ready"}, with_encounter=True)
    todo = {key: row for key, row in ready.items() if row.written_key is None and row.encounter}
    if not todo:
        return 0
    body = "".join(json.dumps(row.encounter, sort_keys=True) + "\n" for row in todo.values())
    data = body.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:16]
    key = store.key(Area.ENCOUNTERS, today, f"next-payer-{digest}.jsonl")
    with contextlib.suppress(S3ObjectExists):  # a rerun: the same claims, already written
        store.put(key, data, content_type="application/x-ndjson")
    checkpoint("after_next_payer_file")
    ledger.mark_next_payer_written(todo.keys(), key)
    log.info("%d next-payer claim(s) written to %s for the next night", len(todo), key)
    return len(todo)


# -- the worklists' COB views ------------------------------------------------------------


def worklist_views(
    ledger: Ledger, pr: pd.DataFrame, today: date, payers: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The patient-responsibility rows after the last payer, and the "secondary pending"
    table (see :mod:`edi.worklists.cob_views`)."""
    payers = payer_profiles() if payers is None else payers
    facts = [
        NextPayerFact(r.clm01, r.payer_sequence, r.payer_id, r.state, r.reason,
                      r.prior_claim_number, r.decided_on, r.written_key is not None)
        for r in ledger.next_payer_rows().values()
    ]  # fmt: skip
    qmb = {payer_id for payer_id, p in payers.items() if getattr(p, "qmb", False)}
    days = {payer_id: int(getattr(p, "no_response_days", 30)) for payer_id, p in payers.items()}
    return after_last_payer(pr, facts, qmb), secondary_pending(facts, today, days)
