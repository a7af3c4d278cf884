"""The claims context of the worklists: what the ledger knows, plus the encounters' PHI.

The ledger gives IDs, money, dates and envelope numbers for every generation of a claim
(:func:`ledger_context`); the patient's name and member ID, the DOS, the payer's name and
filing indicator and the rendering NPI are not in it (PHI minimisation), so they come from
the encounters (:func:`encounter_context`) and are joined by CLM01 (:func:`combine`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Engine, and_, func, select

from edi.claims.models import Encounter
from edi.claims.read_837 import FiledEncounter, file_claims
from edi.worklists.inputs import CONTEXT_COLUMNS, context_frame
from edi.x12.reader import iter_segments
from flows.ledger.models import Claim, ClaimEventRow, Interchange
from flows.ledger.states import ClaimState, EventKind
from flows.ledger.store import chunks
from flows.sources import local_files, local_records

WAITING_STATES = (ClaimState.SUBMITTED, ClaimState.ACKNOWLEDGED)
"""Claim states that still wait for a 277CA or an 835 (no-response candidates)."""
ANSWER_EVENTS = tuple(
    str(k)
    for k in (
        EventKind.ACK_REJECTED,
        EventKind.STATUS_ACCEPTED,
        EventKind.STATUS_REJECTED,
        EventKind.STATUS_PENDING,
        EventKind.PAID,
        EventKind.PARTIALLY_PAID,
        EventKind.DENIED,
        EventKind.REVERSED,
        EventKind.VOIDED,
    )
)
ADJUDICATION_EVENTS = (str(EventKind.PAID), str(EventKind.PARTIALLY_PAID), str(EventKind.DENIED))


def ledger_context(
    engine: Engine,
    clm01s: Collection[str] = (),
    isa13s: Collection[str] = (),
    gs06s: Collection[str] = (),
) -> pd.DataFrame:
    """The latest generation of every claim still waiting for an answer, of ``clm01s``, and
    of the interchanges (``isa13s``) and groups (``gs06s``) a TA1 or 999 answered.

    ``original_payer_claim_number`` of a frequency-7 generation is the payer claim number
    of the generation before it (same CLM01), which is what its REF*F8 carried.
    """
    latest = (
        select(Claim.clm01, func.max(Claim.generation).label("generation"))
        .group_by(Claim.clm01)
        .subquery()
    )
    query = (
        select(
            Claim.id,
            Claim.clm01,
            Claim.generation,
            Claim.payer_id,
            Claim.charge_cents,
            Claim.submitted_at,
            Claim.frequency_code,
            Claim.st02,
            Interchange.isa13,
            Interchange.gs06,
        )
        .join(latest, and_(Claim.clm01 == latest.c.clm01, Claim.generation == latest.c.generation))
        .outerjoin(Interchange, Interchange.id == Claim.interchange_id)
    )
    rows: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        waiting = query.where(Claim.state.in_([str(s) for s in WAITING_STATES]))
        for row in conn.execute(waiting):
            rows[row.clm01] = _claim_row(row)
        for chunk in chunks(sorted({c.upper() for c in clm01s} - set(rows))):
            for row in conn.execute(query.where(Claim.clm01.in_(chunk))):
                rows[row.clm01] = _claim_row(row)
        for column, values in ((Interchange.isa13, isa13s), (Interchange.gs06, gs06s)):
            for chunk in chunks(sorted({int(v) for v in values if str(v).isdigit()})):
                for row in conn.execute(query.where(column.in_(chunk))):
                    rows[row.clm01] = _claim_row(row)
        _add_events(conn, rows)
        _add_previous_claim_numbers(conn, rows)
    return context_frame(rows.values())


def _claim_row(row: Any) -> dict[str, Any]:
    return {
        "clm01": row.clm01,
        "claim_id": row.id,
        "generation": row.generation,
        "payer_id": row.payer_id,
        "billed_cents": row.charge_cents,
        "submitted_on": _day(row.submitted_at),
        "frequency_code": row.frequency_code,
        "isa13": row.isa13,
        "gs06": row.gs06,
        "st02": row.st02,
    }


def _add_events(conn: Any, rows: dict[str, dict[str, Any]]) -> None:
    by_id = {r["claim_id"]: r for r in rows.values()}
    for chunk in chunks(sorted(by_id)):
        query = (
            select(ClaimEventRow.claim_id, ClaimEventRow.kind, func.max(ClaimEventRow.at))
            .where(ClaimEventRow.claim_id.in_(chunk), ClaimEventRow.kind.in_(ANSWER_EVENTS))
            .group_by(ClaimEventRow.claim_id, ClaimEventRow.kind)
        )
        for claim_id, kind, at in conn.execute(query):
            row, on = by_id[claim_id], _day(at)
            row["responded_on"] = max(filter(None, (row.get("responded_on"), on)))
            if kind == EventKind.STATUS_ACCEPTED:
                row["accepted_on"] = on


def _add_previous_claim_numbers(conn: Any, rows: dict[str, dict[str, Any]]) -> None:
    corrected = {r["clm01"]: r for r in rows.values() if r["frequency_code"] == "7"}
    for chunk in chunks(sorted(corrected)):
        query = select(Claim.clm01, Claim.generation, Claim.payer_claim_number).where(
            Claim.clm01.in_(chunk), Claim.payer_claim_number.is_not(None)
        )
        for clm01, generation, number in conn.execute(query.order_by(Claim.generation)):
            if generation < corrected[clm01]["generation"]:
                corrected[clm01]["original_payer_claim_number"] = number


def ledger_adjudications(engine: Engine, since: date) -> pd.DataFrame:
    """Claim payments the ledger recorded since ``since``: clm01, payer_id, remit_date."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    query = (
        select(Claim.clm01, Claim.payer_id, ClaimEventRow.at)
        .join(Claim, Claim.id == ClaimEventRow.claim_id)
        .where(ClaimEventRow.kind.in_(ADJUDICATION_EVENTS), ClaimEventRow.at >= start)
    )
    with engine.connect() as conn:
        found = [
            {"clm01": c, "payer_id": p, "remit_date": _day(at)} for c, p, at in conn.execute(query)
        ]
    return pd.DataFrame(found, columns=["clm01", "payer_id", "remit_date"])


def encounter_context(encounters: Iterable[Encounter]) -> pd.DataFrame:
    """The billers' columns of each encounter (PHI included), one row per CLM01."""
    rows = []
    for enc in encounters:
        patient = enc.patient or enc.subscriber
        rendering = enc.rendering_provider or enc.billing_provider
        rows.append(
            {
                "clm01": enc.encounter_id.upper(),
                "patient_name": f"{patient.last_name}, {patient.first_name}",
                "member_id": enc.subscriber.member_id,
                "dos": min(line.service_date for line in enc.service_lines),
                "payer_id": enc.payer.payer_id,
                "payer_name": enc.payer.name,
                "claim_filing_indicator": enc.payer.claim_filing_indicator,
                "rendering_npi": rendering.npi,
                "billed_cents": int(sum(line.charge for line in enc.service_lines) * 100),
                "frequency_code": enc.frequency_code,
                "original_payer_claim_number": enc.original_payer_claim_number,
            }
        )
    return context_frame(rows)


def encounters_from_files(paths: Iterable[str | Path]) -> list[Encounter]:
    """Encounters of local files; records that are not valid encounters are skipped."""
    found = []
    for path in local_files(paths):
        for raw in local_records(path):
            record = raw.decoded()
            if record.data is None:
                continue
            try:
                found.append(Encounter.model_validate(record.data))
            except ValidationError:
                continue
    return found


def interchange_context(engine: Engine, clm01s: Collection[str]) -> pd.DataFrame:
    """The billers' columns read back from the 837s the ledger holds for ``clm01s``.

    The interchange bytes already are the record of what was sent, PHI included, so the
    ledger keeps no second copy of names or member IDs: they are read from there.
    """
    wanted = {c.upper() for c in clm01s}
    found: dict[str, Encounter] = {}
    with engine.connect() as connection:
        for chunk in chunks(sorted(wanted)):
            query = (
                select(Interchange.content)
                .join(Claim, Claim.interchange_id == Interchange.id)
                .where(Claim.clm01.in_(chunk))
                .distinct()
            )
            for (content,) in connection.execute(query):
                for claim in file_claims(iter_segments(content)):
                    if claim.clm01 in wanted:
                        try:
                            found[claim.clm01] = FiledEncounter.model_validate(claim.record)
                        except ValidationError:
                            continue
    return encounter_context(found.values())


def combine(ledger: pd.DataFrame, encounters: pd.DataFrame) -> pd.DataFrame:
    """One context: the ledger's facts, each gap filled from the encounters (and back)."""
    if not len(encounters):
        return context_frame(ledger.to_dict("records"))
    if not len(ledger):
        return context_frame(encounters.to_dict("records"))
    left = ledger.set_index("clm01")
    right = encounters.set_index("clm01")
    merged = left.combine_first(right)
    for column in ("frequency_code", "original_payer_claim_number"):
        # The encounter says what the clinic sent; the ledger only infers it.
        told = right[column].reindex(merged.index).astype(object)
        merged[column] = told.where(told.notna(), merged[column].astype(object))
    return context_frame(merged.reset_index()[list(CONTEXT_COLUMNS)].to_dict("records"))


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value
