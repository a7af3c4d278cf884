"""The night's coding-review worklist and query counts, from the ledger.

Rows are the open queries of held claims (pending, or answered "other" and back with the
coder); the workbook's second sheet lists the night's claims sent with warnings.  Counts
(answered, pending, aged, held, released) go to the run's artifact: IDs and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from edi.worklists.coding_review import is_aged, review_row
from flows.ledger import Ledger
from flows.ledger.held import HoldState, QueryStatus
from flows.outputs.coding_review import review_html, review_workbook
from flows.outputs.storage import S3Outputs, write_local


@dataclass
class ReviewSummary:
    counts: dict[str, int] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    """Query IDs still waiting for an answer."""
    aged: list[str] = field(default_factory=list)
    workbook: str | None = None
    report: str | None = None


def query_counts(ledger: Ledger, today: date, aged_days: int) -> ReviewSummary:
    summary = ReviewSummary()
    queries = ledger.find_queries()
    summary.pending = [q.query_id for q in queries if q.status == QueryStatus.PENDING]
    summary.aged = [
        q.query_id
        for q in queries
        if q.status == QueryStatus.PENDING and is_aged(q.asked_on, today, aged_days)
    ]
    holds = ledger.find_holds()
    summary.counts = {
        "queries answered": sum(q.status == QueryStatus.ANSWERED for q in queries),
        "queries pending": len(summary.pending),
        "queries aged": len(summary.aged),
        "queries answered other (back to the coder)": sum(
            q.status == QueryStatus.OTHER for q in queries
        ),
        "claims held": sum(h.state == HoldState.HELD for h in holds),
        "claims released, waiting for the next night": sum(
            h.state == HoldState.RELEASED for h in holds
        ),
        "claims closed as not billed": sum(h.state == HoldState.NOT_BILLED for h in holds),
    }
    return summary


def write_coding_review(
    ledger: Ledger,
    night: date,
    today: date,
    folder: Path,
    aged_days: int,
    s3: S3Outputs | None = None,
) -> ReviewSummary:
    """Write ``coding-review-DATE.xlsx`` and ``.html`` into ``folder`` (and to S3 beside
    the other worklists, ``worklists/DATE/``, when ``s3`` is given); counts too."""
    summary = query_counts(ledger, today, aged_days)
    payers = {h.id: h.payer_id for h in ledger.find_holds([HoldState.HELD])}
    rows = []
    for hold_id, payer in payers.items():
        for query in ledger.find_queries(hold_id=hold_id):
            rows.append(review_row(query, payer, today, aged_days))
    warnings = [
        {"clm01": c.clm01, **w}
        for c in ledger.find_checks(business_date=night)
        if c.disposition == "sent"
        for w in c.warnings
    ]
    stamp = today.isoformat()
    files = {
        f"coding-review-{stamp}.xlsx": review_workbook(rows, warnings, today),
        f"coding-review-{stamp}.html": review_html(rows, summary.counts, today).encode(),
    }
    written = {name: write_local(folder, name, data) for name, data in files.items()}
    if s3 is not None:
        for name, data in files.items():
            s3.put(name, data)
    summary.workbook, summary.report = written.values()
    return summary
