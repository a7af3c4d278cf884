"""The claims context of the worklists: what the ledger knows, plus the encounters' PHI.

The ledger gives IDs, money, dates and envelope numbers for every generation of a claim
(:func:`ledger_context`, through the ledger's API: the tables are its own); the patient's
name and member ID, the DOS, the payer's name and filing indicator and the rendering NPI
are not in it (PHI minimisation), so they come from the encounters
(:func:`encounter_context`) or the 837s the ledger holds, and are joined by CLM01
(:func:`combine`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from edi.claims.models import Encounter
from edi.claims.read_837 import FiledEncounter, read_837
from edi.rules.common import first_service_date
from edi.worklists.inputs import CONTEXT_COLUMNS, context_frame
from flows.ledger import Ledger
from flows.sources import local_files, local_records


def ledger_context(
    ledger: Ledger,
    clm01s: Collection[str] = (),
    isa13s: Collection[str] = (),
    gs06s: Collection[str] = (),
) -> pd.DataFrame:
    """The ledger's facts (IDs, money, dates, envelopes) of the claims still waiting for an
    answer, of ``clm01s``, and of the interchanges and groups a TA1 or 999 answered; see
    :meth:`flows.ledger.Ledger.claim_facts`."""
    return context_frame(ledger.claim_facts(clm01s, isa13s, gs06s))


def ledger_adjudications(ledger: Ledger, since: date) -> pd.DataFrame:
    """Claim payments the ledger recorded since ``since``: clm01, payer_id, remit_date."""
    columns = ["clm01", "payer_id", "remit_date"]
    return pd.DataFrame(ledger.adjudications_since(since), columns=columns)


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
                "dos": first_service_date(enc),
                "payer_id": enc.payer.payer_id,
                "payer_name": enc.payer.name,
                "claim_filing_indicator": enc.payer.claim_filing_indicator,
                "rendering_npi": rendering.npi,
                "type_of_bill": enc.institutional.type_of_bill if enc.institutional else None,
                "billed_cents": int(enc.total_charge * 100),
                "frequency_code": (
                    enc.institutional.bill_frequency if enc.institutional else enc.frequency_code
                ),
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


def interchange_context(ledger: Ledger, clm01s: Collection[str]) -> pd.DataFrame:
    """The billers' columns read back from the 837s the ledger holds for ``clm01s``."""
    return encounter_context(interchange_encounters(ledger, clm01s).values())


def interchange_encounters(ledger: Ledger, clm01s: Collection[str]) -> dict[str, Encounter]:
    """The encounters the 837s in the ledger carried for ``clm01s``, by CLM01.

    The interchange bytes already are the record of what was sent, PHI included, so the
    ledger keeps no second copy of names or member IDs: they are read from there.
    """
    wanted = {c.upper() for c in clm01s}
    found: dict[str, Encounter] = {}
    for content in ledger.interchange_contents(wanted):
        for claim in (c for tx in read_837(content).transactions for c in tx.claims):
            if claim.clm01 in wanted:
                try:
                    found[claim.clm01] = FiledEncounter.model_validate(claim.record)
                except ValidationError:
                    continue
    return found


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
