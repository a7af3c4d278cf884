"""Numbers about the worklists: for Prefect artifacts, the workbook's summary and the report.

Nothing here carries PHI: the tables hold queues, categories, payer IDs, item IDs, CLM01s,
codes, dates and cents only, so they can be published where billers' files cannot go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from edi.worklists import priority
from edi.worklists.model import QUEUES, Item, evidence_date

TOP_COLUMNS = (
    "rank",
    "item_id",
    "queue",
    "clm01",
    "payer_id",
    "category",
    "group",
    "code",
    "rarcs",
    "recoverable_cents",
    "due_date",
    "days_left",
    "status",
    "why",
    "action",
)
"""Columns of :attr:`WorklistSummary.top`: IDs, codes and the project's own words only."""


@dataclass(frozen=True)
class WorklistSummary:
    business_date: date
    by_queue: pd.DataFrame
    """queue, open_items, due_soon, recoverable_cents, new, resolved."""
    by_category: pd.DataFrame
    """queue, category, items, recoverable_cents."""
    by_payer: pd.DataFrame
    """queue, payer_id, items, recoverable_cents."""
    top: pd.DataFrame
    """The highest-priority open rows of all queues (:data:`TOP_COLUMNS`)."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """What the run changed: new, seen_again, reopened, corrected, resolved, imported..."""
    outputs: Mapping[str, str] = field(default_factory=dict)
    """What was written: name -> local path or ``s3://`` URL."""


def summarize(
    rows: Mapping[str, pd.DataFrame],
    items: Iterable[Item],
    business_date: date,
    counts: Mapping[str, int] | None = None,
    top_n: int = 20,
) -> WorklistSummary:
    """Counts and dollars by queue, category and payer, and the top rows by priority."""
    items = list(items)
    today_new = {q: 0 for q in QUEUES}
    today_resolved = {q: 0 for q in QUEUES}
    for item in items:
        if item.first_seen.date() == business_date:
            today_new[item.queue] += 1
        if item.resolved_at is not None and item.resolved_at.date() == business_date:
            today_resolved[item.queue] += 1
    by_queue = pd.DataFrame(
        [
            {
                "queue": q,
                "open_items": len(rows[q]),
                "due_soon": int(rows[q]["due_soon"].sum()) if len(rows[q]) else 0,
                "recoverable_cents": _sum(rows[q]["recoverable_cents"]),
                "new": today_new[q],
                "resolved": today_resolved[q],
            }
            for q in QUEUES
        ]
    )
    both = pd.concat([rows[q] for q in QUEUES if len(rows[q])] or [rows[QUEUES[0]]])
    by_category = _grouped(both, "category")
    by_payer = _grouped(both.assign(payer_id=both["payer_id"].fillna("?")), "payer_id")
    return WorklistSummary(
        business_date=business_date,
        by_queue=by_queue,
        by_category=by_category,
        by_payer=by_payer,
        top=_top(both, top_n),
        counts=dict(counts or {}),
    )


def _grouped(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    if not len(rows):
        return pd.DataFrame(columns=["queue", key, "items", "recoverable_cents"])
    grouped = (
        rows.groupby(["queue", key], dropna=False)
        .agg(items=("item_id", "count"), recoverable_cents=("recoverable_cents", "sum"))
        .reset_index()
        .sort_values(["queue", "recoverable_cents"], ascending=[True, False])
    )
    grouped["recoverable_cents"] = grouped["recoverable_cents"].astype("int64")
    return grouped.reset_index(drop=True)


def _top(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    records = rows.to_dict("records") if len(rows) else []
    records.sort(
        key=lambda r: priority.sort_key(
            int(r["score"]),
            int(r["recoverable_cents"]),
            None if pd.isna(r["days_left"]) else int(r["days_left"]),
            r["item_id"],
        )
    )
    top = pd.DataFrame(records[:n], columns=[c for c in TOP_COLUMNS if c != "rank"])
    top.insert(0, "rank", range(1, len(top) + 1))
    return top


def _sum(series: pd.Series) -> int:
    return int(series.fillna(0).sum()) if len(series) else 0


# -- the report's denial statistics -------------------------------------------------------


@dataclass(frozen=True)
class DenialStats:
    start: date
    end: date
    by_payer: pd.DataFrame
    """payer_id, adjudicated, denied, denial_rate (0..1), denied_cents."""
    by_category: pd.DataFrame
    """category, denials, denied_cents."""
    by_carc: pd.DataFrame
    """code (group-CARC), text, denials, denied_cents."""
    trend: pd.DataFrame
    """date, adjudicated, denied, denied_cents: one row per day of the window."""


def denial_stats(
    items: Iterable[Item], adjudicated: pd.DataFrame, today: date, days: int = 30
) -> DenialStats:
    """Denial rate and dollars over the last ``days`` days.

    ``adjudicated`` lists claim payments (``clm01``, ``payer_id``, ``remit_date``) from today's
    835s and the ledger's history; every denial item counts once, with its latest denied
    amount, on the remittance date that first showed it in the window (so a denial repeated
    by a later 835 is not counted twice).  A claim counts as denied on a day when any of its
    denial items was first shown that day.
    """
    start = today - timedelta(days=days - 1)
    facts = []
    for item in items:
        if item.queue != "denials":
            continue
        p = item.payload
        seen = sorted(evidence_date(k) for k in set(p.get("seen_in", [item.evidence])))
        in_window = [d for d in seen if start <= d <= today]
        if not in_window:
            continue
        facts.append(  # once per item, on the remittance date it first showed in the window
            {
                "clm01": item.clm01,
                "date": in_window[0],
                "payer_id": p.get("payer_id") or "?",
                "category": item.category,
                "code": f"{p.get('group', '')}-{p.get('code', '')}".strip("-"),
                "text": p.get("code_text") or "",
                "denied_cents": int(p.get("denied_cents") or 0),
            }
        )
    denials = pd.DataFrame(
        facts,
        columns=["clm01", "date", "payer_id", "category", "code", "text", "denied_cents"],
    )
    adjudicated = adjudicated.dropna(subset=["remit_date"])
    adj = pd.DataFrame(
        {
            "clm01": adjudicated["clm01"].astype(str).str.upper(),
            "payer_id": adjudicated["payer_id"].fillna("?").astype(str),
            "date": [pd.Timestamp(d).date() for d in adjudicated["remit_date"]],
        }
    )
    adj = adj[(adj["date"] >= start) & (adj["date"] <= today)]
    claims = pd.concat(
        [adj[["clm01", "payer_id", "date"]], denials[["clm01", "payer_id", "date"]]]
    ).drop_duplicates(["clm01", "date"])
    denied_claims = denials.drop_duplicates(["clm01", "date"])

    by_payer = claims.groupby("payer_id").size().rename("adjudicated").to_frame()
    by_payer["denied"] = denied_claims.groupby("payer_id").size()
    by_payer["denied_cents"] = denials.groupby("payer_id")["denied_cents"].sum()
    by_payer = by_payer.fillna(0).astype("int64").reset_index()
    by_payer["denial_rate"] = (by_payer["denied"] / by_payer["adjudicated"]).round(4)
    by_payer = by_payer.sort_values("denied_cents", ascending=False).reset_index(drop=True)

    by_category = (
        denials.groupby("category")
        .agg(denials=("clm01", "count"), denied_cents=("denied_cents", "sum"))
        .reset_index()
        .sort_values("denied_cents", ascending=False)
        .reset_index(drop=True)
    )
    by_carc = (
        denials.groupby("code")
        .agg(
            text=("text", "first"),
            denials=("clm01", "count"),
            denied_cents=("denied_cents", "sum"),
        )
        .reset_index()
        .sort_values(["denied_cents", "code"], ascending=[False, True])
        .reset_index(drop=True)
    )
    window = [start + timedelta(days=i) for i in range(days)]
    per_day_claims = claims.groupby("date").size()
    per_day_denied = denied_claims.groupby("date").size()
    per_day_cents = denials.groupby("date")["denied_cents"].sum()
    trend = pd.DataFrame(
        {
            "date": window,
            "adjudicated": [int(per_day_claims.get(d, 0)) for d in window],
            "denied": [int(per_day_denied.get(d, 0)) for d in window],
            "denied_cents": [int(per_day_cents.get(d, 0)) for d in window],
        }
    )
    return DenialStats(start, today, by_payer, by_category, by_carc, trend)
