"""A payer taking money back (an 835 PLB recoupment naming a claim) is work for a biller.

The claim was usually closed: paid, posted, nothing to do.  A recoupment (``WO``, ``72``,
``FB``... with a positive amount) creates a row in the denials queue for that claim, or
reopens it when an earlier recoupment of the same claim and reason was settled: the item
ID is the claim + ``PLB`` + the reason, so the same problem keeps its row and notes.
A recoupment whose reference matches no claim is still listed, under the reference, so
the money is never silently lost.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from edi.responses.plb import RECOUPMENT_REASONS, reference_key
from edi.worklists.ids import item_id
from edi.worklists.model import Observation, evidence_key
from edi.worklists.settings import WorklistSettings


def recoupments(plbs: pd.DataFrame, settings: WorklistSettings) -> list[Observation]:
    """One denials-queue observation per recoupment PLB (see the module docstring)."""
    cfg = settings.recoupment
    found = []
    for row in plbs.to_dict("records") if len(plbs) else []:
        cents = row["amount_cents"]
        if row["reason_code"] not in RECOUPMENT_REASONS or pd.isna(cents) or int(cents) <= 0:
            continue
        reference = reference_key(row["reference"])
        clm01 = str(row["clm01"] or "").upper() or reference
        on = _day(row["payment_date"])
        evidence = evidence_key(on, str(row["source"]))
        why = cfg.why if row["clm01"] else f"{cfg.why}; no claim of ours has this reference"
        fields = {
            "level": "claim",
            "source_kind": "PLB",
            "source_file": str(row["source"]),
            "source_ref": str(row["remit_trace"] or ""),
            "source_date": on.isoformat(),
            "remit_date": on.isoformat(),
            "payer_id": str(row["payer_id"] or ""),
            "payer_claim_number": row["payer_claim_number"] or reference,
            "group": "PLB",
            "code": row["reason_code"],
            "code_text": f"provider adjustment {row['reason_code']}, reference {reference}",
            "denied_cents": int(cents),
            "category": cfg.category,
            "team": cfg.team,
            "why": why,
            "action": cfg.action,
            "action_kind": "follow_up",
            "evidence": evidence,
        }
        ident = item_id("denials", clm01, None, "PLB", row["reason_code"])
        found.append(Observation(ident, "denials", clm01, None, cfg.category, evidence, fields))
    return found


def _day(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
