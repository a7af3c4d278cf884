"""Prefect artifacts of a worklist build: counts and dollars, and the top rows.

Artifacts are visible to everyone with access to the Prefect UI, so they carry IDs, codes,
categories, payer IDs and money only: the tables of :class:`WorklistSummary` hold nothing
else, and :func:`publish_artifacts` refuses any column outside :data:`ALLOWED_COLUMNS`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from edi.worklists.summary import WorklistSummary

ALLOWED_COLUMNS = frozenset(
    {
        "queue", "open_items", "due_soon", "recoverable_cents", "new", "resolved", "category",
        "items", "payer_id", "rank", "item_id", "clm01", "group", "code", "rarcs", "due_date",
        "days_left", "status",
    }
)  # fmt: skip
"""Columns an artifact may show: none of them can hold a name, a birth date or a member ID."""


def publish_artifacts(summary: WorklistSummary, key_prefix: str = "worklists") -> list[UUID]:
    """Publish the run's counts and top rows; call inside a Prefect flow or task run."""
    day = summary.business_date.isoformat()
    tables = (
        ("by-queue", "Open worklist rows and recoverable dollars by queue", summary.by_queue),
        ("by-category", "Open rows by queue and category", summary.by_category),
        ("by-payer", "Open rows by queue and payer ID", summary.by_payer),
        (
            "top",
            f"Top {len(summary.top)} rows by priority (IDs and codes only)",
            # the report's why/what-to-do texts stay in the files billers open
            summary.top.drop(columns=["why", "action"], errors="ignore"),
        ),
    )
    ids = []
    for name, description, table in tables:
        ids.append(
            create_table_artifact(
                table=_publishable(table),
                key=f"{key_prefix}-{name}",
                description=f"{description}, {day}",
            )
        )
    ids.append(
        create_markdown_artifact(
            markdown=_markdown(summary), key=f"{key_prefix}-summary", description=day
        )
    )
    return ids


def _publishable(table: pd.DataFrame) -> list[dict[str, Any]]:
    extra = set(table.columns) - ALLOWED_COLUMNS
    if extra:
        raise ValueError(f"refusing to publish columns {sorted(extra)} in a Prefect artifact")
    rows = []
    for record in table.to_dict("records"):
        row = {}
        for key, value in record.items():
            if key.endswith("_cents"):
                row[key.removesuffix("_cents")] = _money(value)
            else:
                row[key] = _plain(value)
        rows.append(row)
    return rows


def _markdown(summary: WorklistSummary) -> str:
    lines = [f"# Worklists {summary.business_date.isoformat()}", "",
             "| queue | open rows | due within 7 days | recoverable | new | resolved |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in summary.by_queue.to_dict("records"):
        lines.append(
            f"| {r['queue']} | {r['open_items']} | {r['due_soon']} | "
            f"{_money(r['recoverable_cents'])} | {r['new']} | {r['resolved']} |"
        )
    if summary.counts:
        lines += ["", "Changes this run: " + ", ".join(
            f"{k} {v}" for k, v in sorted(summary.counts.items()))]  # fmt: skip
    return "\n".join(lines) + "\n"


def _money(cents: Any) -> str:
    if cents is None or pd.isna(cents):
        return ""
    return f"${Decimal(int(cents)).scaleb(-2):,.2f}"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
