"""COB in the worklists: the patient's balance after the last payer, and what waits on one.

A primary's patient-responsibility amounts (deductible, coinsurance) are what the *next*
payer is billed for; putting them on the patient sheet would bill the patient for what a
Medigap or Medicaid plan pays.  So a patient-responsibility row stays only when no later
payer took the claim on: the 835 that fed a next-payer claim (its CLP07 is that claim's
``prior_claim_number``) leaves the sheet, and the later payer's own 835 says what remains.
A claim whose later payer is a QMB plan (Medicaid paying Medicare's cost sharing for dual
eligibles) never shows a balance for that cost sharing: the patient owes none of it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from edi.worklists.ids import item_id
from edi.worklists.model import Observation, evidence_key
from edi.worklists.settings import WorklistSettings

NOT_FED = frozenset({"denied"})
"""Next-payer states in which the later payer does not take the balance on."""
PENDING = frozenset({"ready", "held", "awaiting_crossover"})

PENDING_COLUMNS = (
    "clm01",
    "payer_sequence",
    "payer_id",
    "state",
    "reason",
    "decided_on",
    "days_waiting",
    "no_response",
)


@dataclass(frozen=True, slots=True)
class NextPayerFact:
    """What the worklists need of one next-payer decision (IDs, codes, dates)."""

    clm01: str
    payer_sequence: str
    payer_id: str
    state: str
    reason: str
    prior_claim_number: str
    decided_on: date
    written: bool = False
    """Handed to a night's submission (its claim is sent, or an exception of that night)."""


def after_last_payer(
    pr: pd.DataFrame, next_payers: Iterable[NextPayerFact], qmb_payers: Collection[str] = ()
) -> pd.DataFrame:
    """The patient-responsibility rows (:data:`edi.worklists.classify.PR_COLUMNS`) that are
    the patient's to pay: those of the last payer of each claim, none for QMB claims."""
    facts = list(next_payers)
    fed = {(f.clm01, f.prior_claim_number) for f in facts if f.state not in NOT_FED}
    qmb = {f.clm01 for f in facts if f.payer_id in qmb_payers and f.state not in NOT_FED}
    if not len(pr) or not (fed or qmb):
        return pr
    clm01 = pr["clm01"].astype(str).str.upper()
    number = pr["payer_claim_number"].fillna("").astype(str)
    passed_on = [(c, n) in fed for c, n in zip(clm01, number, strict=True)]
    keep = ~pd.Series(passed_on, index=pr.index) & ~clm01.isin(qmb)
    return pr[keep].reset_index(drop=True)


def secondary_pending(
    next_payers: Iterable[NextPayerFact], today: date, no_response_days: dict[str, int]
) -> pd.DataFrame:
    """Claims waiting on a next payer: to be sent, held after a reversal, or crossed over
    and awaiting the next payer's own 835 (``no_response`` once past the payer profile's
    days, default 30)."""
    rows = []
    for fact in next_payers:
        if fact.state not in PENDING or (fact.state == "ready" and fact.written):
            continue
        waiting = (today - fact.decided_on).days
        limit = no_response_days.get(fact.payer_id, 30)
        rows.append(
            {
                "clm01": fact.clm01,
                "payer_sequence": fact.payer_sequence,
                "payer_id": fact.payer_id,
                "state": fact.state,
                "reason": fact.reason,
                "decided_on": fact.decided_on,
                "days_waiting": waiting,
                "no_response": fact.state == "awaiting_crossover" and waiting >= limit,
            }
        )
    return pd.DataFrame(rows, columns=list(PENDING_COLUMNS))


def crossovers_unanswered(pending: pd.DataFrame, settings: WorklistSettings) -> list[Observation]:
    """No-response rows for the crossovers past their payer's days: the primary paid and
    forwarded the claim, so only the next payer's silence is left to work."""
    cfg = settings.crossover
    rows = []
    for row in pending[pending["no_response"].astype(bool)].to_dict("records"):
        decided = row["decided_on"]
        words = {"payer_id": row["payer_id"], "decided_on": decided.isoformat()}
        evidence = evidence_key(decided, "ledger")
        fields = {
            "level": "claim",
            "source_kind": "ledger",
            "source_file": "",
            "source_ref": "",
            "source_date": decided.isoformat(),
            "submitted_on": decided.isoformat(),
            "days_waiting": int(row["days_waiting"]),
            "last_evidence": f"crossed over to {row['payer_id']}",
            "payer_sequence": row["payer_sequence"],
            "category": cfg.category,
            "team": settings.no_response.team,
            "why": f"{cfg.why.format(**words)} after {int(row['days_waiting'])} days",
            "action": cfg.action.format(**words),
            "action_kind": "follow_up",
            "evidence": evidence,
        }
        ident = item_id("no_response", row["clm01"], None, "crossover", row["payer_sequence"])
        rows.append(
            Observation(ident, "no_response", row["clm01"], None, cfg.category, evidence, fields)
        )
    return rows
