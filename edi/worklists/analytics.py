"""What managers look at beside the worklists: A/R, aging, first-pass acceptance, and
denial rates by procedure code and by rendering provider.

* **First-pass acceptance**: claims whose first generation was not rejected (TA1, 999 or
  277CA) / claims submitted, over the claims first sent in the window.
* **Days in A/R by payer**: the average days from the business date a claim was first
  sent to the date of its first 835, over claims paid or denied in the window.
* **Aging**: claims sent and not yet adjudicated (no 835), by days since sent on
  ``today``: 0-30, 31-60, 61-90, 90+, with their charges.
* **Denial rate by procedure code / rendering provider**: over the 835 lines (claims) read
  in this build: lines (claims) with a denial row / lines (claims) adjudicated.

Pure: facts in (rows from the ledger and today's tables), small tables out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

AGING_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
WAITING = frozenset({"submitted", "acknowledged", "accepted"})


@dataclass(frozen=True)
class Analytics:
    first_pass_submitted: int
    first_pass_accepted: int
    days_in_ar: pd.DataFrame
    """payer_id, claims, average_days."""
    aging: pd.DataFrame
    """bucket, claims, charge_cents (one row per bucket, in order)."""
    by_procedure: pd.DataFrame
    """procedure_code, lines, denied, denial_rate."""
    by_rendering: pd.DataFrame
    """rendering_npi, claims, denied, denial_rate."""

    @property
    def first_pass_rate(self) -> float | None:
        if not self.first_pass_submitted:
            return None
        return self.first_pass_accepted / self.first_pass_submitted


def analytics(
    ar: pd.DataFrame,
    lines: pd.DataFrame,
    claims: pd.DataFrame,
    today: date,
    days: int = 30,
) -> Analytics:
    """``ar``: :meth:`flows.ledger.Ledger.ar_facts` rows; ``lines``: procedure_code and
    denied (bool) per 835 line read; ``claims``: rendering_npi and denied per 835 claim."""
    start = today - timedelta(days=days - 1)
    ar = ar if len(ar) else pd.DataFrame(columns=_AR_COLUMNS)
    sent = ar[[start <= d <= today for d in ar["sent_on"]]] if len(ar) else ar
    accepted = int((~sent["first_rejected"].astype(bool)).sum()) if len(sent) else 0
    return Analytics(
        first_pass_submitted=len(sent),
        first_pass_accepted=accepted,
        days_in_ar=_days_in_ar(ar, start, today),
        aging=_aging(ar, today),
        by_procedure=_rates(lines, "procedure_code", "lines"),
        by_rendering=_rates(claims, "rendering_npi", "claims"),
    )


_AR_COLUMNS = ["clm01", "payer_id", "charge_cents", "paid_cents", "state", "sent_on",
               "paid_on", "first_rejected"]  # fmt: skip


def _days_in_ar(ar: pd.DataFrame, start: date, today: date) -> pd.DataFrame:
    rows = [
        (r["payer_id"], (r["paid_on"] - r["sent_on"]).days)
        for r in ar.to_dict("records")
        if r["paid_on"] is not None and not pd.isna(r["paid_on"]) and start <= r["paid_on"] <= today
    ]
    df = pd.DataFrame(rows, columns=["payer_id", "days"])
    if df.empty:
        return pd.DataFrame(columns=["payer_id", "claims", "average_days"])
    out = df.groupby("payer_id")["days"].agg(claims="count", average_days="mean").reset_index()
    out["average_days"] = out["average_days"].round(1)
    return out.sort_values("payer_id").reset_index(drop=True)


def _aging(ar: pd.DataFrame, today: date) -> pd.DataFrame:
    waiting = [r for r in ar.to_dict("records") if r["state"] in WAITING]
    rows = []
    for name, low, high in AGING_BUCKETS:
        inside = [r for r in waiting if _within((today - r["sent_on"]).days, low, high)]
        rows.append({"bucket": name, "claims": len(inside),
                     "charge_cents": sum(int(r["charge_cents"]) for r in inside)})  # fmt: skip
    return pd.DataFrame(rows, columns=["bucket", "claims", "charge_cents"])


def _within(age: int, low: int, high: int | None) -> bool:
    return low <= age and (high is None or age <= high)


def _rates(df: pd.DataFrame, key: str, unit: str) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=[key, unit, "denied", "denial_rate"])
    frame = df.assign(**{key: df[key].fillna("?").astype(str)})
    out = frame.groupby(key)["denied"].agg(**{unit: "count", "denied": "sum"}).reset_index()
    out["denied"] = out["denied"].astype("int64")
    out["denial_rate"] = (out["denied"] / out[unit]).round(4)
    return out.sort_values(["denial_rate", key], ascending=[False, True]).reset_index(drop=True)
