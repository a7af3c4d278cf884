"""The patient's balance after the last payer, and the claims waiting on a next payer."""

from __future__ import annotations

from datetime import date

import pandas as pd

from edi.worklists.classify import PR_COLUMNS
from edi.worklists.cob_views import NextPayerFact, after_last_payer, secondary_pending

TODAY = date(2026, 12, 6)


def _pr(*rows: tuple[str, str, int]) -> pd.DataFrame:
    base = dict.fromkeys(PR_COLUMNS)
    return pd.DataFrame(
        [{**base, "clm01": c, "payer_claim_number": n, "patient_resp_cents": cents}
         for c, n, cents in rows],
        columns=list(PR_COLUMNS),
    )  # fmt: skip


def fact(clm01: str, sequence: str, state: str, prior: str, payer: str = "SBXGAP") -> NextPayerFact:
    return NextPayerFact(clm01, sequence, payer, state, "why", prior, date(2026, 11, 27))


def test_primary_balance_passed_to_the_secondary_leaves_the_patient_sheet() -> None:
    pr = _pr(("A", "MCR1", 2500), ("A", "GAP1", 500), ("B", "MCR2", 1000))
    kept = after_last_payer(pr, [fact("A", "S", "sent", "MCR1")])
    assert list(zip(kept["clm01"], kept["patient_resp_cents"], strict=True)) == [
        ("A", 500),  # what the secondary left
        ("B", 1000),  # no later payer
    ]


def test_a_denied_primary_keeps_its_balance_and_qmb_claims_owe_none() -> None:
    pr = _pr(("A", "MCR1", 2500), ("C", "MCR3", 700))
    facts = [fact("A", "S", "denied", "MCR1"), fact("C", "S", "sent", "MCR3", payer="SBXMCD")]
    assert list(after_last_payer(pr, facts)["clm01"]) == ["A"]
    pr = _pr(("C", "MCR3", 700), ("C", "MCD3", 700))
    assert after_last_payer(pr, facts, qmb_payers={"SBXMCD"}).empty


def test_secondary_pending_view_flags_a_crossover_waiting_too_long() -> None:
    facts = [
        fact("A", "S", "awaiting_crossover", "MCR1"),
        fact("B", "S", "ready", "MCR2"),
        fact("C", "S", "sent", "MCR3"),
        NextPayerFact("D", "S", "SBXGAP", "ready", "why", "MCR4", date(2026, 11, 27), True),
    ]
    view = secondary_pending(facts, TODAY, {"SBXGAP": 5})
    assert list(view["clm01"]) == ["A", "B"]
    assert list(view["no_response"]) == [True, False]
    assert list(view["days_waiting"]) == [9, 9]
