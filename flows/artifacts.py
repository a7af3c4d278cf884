"""Prefect artifacts of each run: what ops and billers may see in the UI.

IDs, codes, counts and dollars only: encounter IDs, rule IDs, control numbers, file
names.  Never a name, a birth date, a member ID or an address.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from edi.worklists.summary import WorklistSummary
from flows.ingestion import IngestSummary
from flows.ledger import ClaimException, Ledger
from flows.submission import BuildSummary, UploadSummary

MAX_ROWS = 500


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def submission_result(night: date, summary: BuildSummary, uploaded: UploadSummary) -> dict:
    """The flow's return value: small, JSON-able, no PHI."""
    return {
        "business_date": night.isoformat(),
        "files": summary.files,
        "encounters": summary.encounters,
        "claims": summary.claims,
        "charge": str(summary.charge),
        "exceptions": summary.exceptions,
        "duplicates": summary.duplicates,
        "skipped_already_built": summary.skipped,
        "interchanges": [f"{n:09d}" for n in summary.interchanges],
        "uploaded": uploaded.uploaded,
        "exceptions_by_rule": dict(sorted(summary.rules.items())),
    }


def submission_summary(
    night: date, summary: BuildSummary, uploaded: UploadSummary, ledger: Ledger
) -> None:
    rules = "\n".join(
        f"| `{rule}` | {count} |" for rule, count in Counter(summary.rules).most_common()
    )
    markdown = f"""# Nightly submission for {night}

| | |
|---|---|
| encounter files read | {summary.files} |
| encounters | {summary.encounters} |
| claims built and recorded | {summary.claims} ({_money(summary.charge)}) |
| exceptions (not sent) | {summary.exceptions} |
| of which already submitted earlier | {summary.duplicates} |
| skipped, built by an earlier attempt | {summary.skipped} |
| interchanges (ISA13) | {", ".join(f"{n:09d}" for n in summary.interchanges) or "none"} |
| files uploaded in this run | {", ".join(uploaded.uploaded) or "none"} |
| unsent at the end of the run | {ledger.unsent(night).describe()} |

## Exceptions by rule

| rule | encounters |
|---|---|
{rules or "| none | 0 |"}
"""
    create_markdown_artifact(
        markdown, key="nightly-submission", description=f"Submission summary for {night}"
    )
    rows = exception_rows(ledger.find_exceptions(business_date=night))
    if rows:
        create_table_artifact(
            rows,
            key="nightly-exceptions",
            description=f"Why encounters were not sent for {night}: one row per reason",
        )


def exception_rows(exceptions: Sequence[ClaimException]) -> list[dict[str, str]]:
    """One row per reason an encounter was not sent, each with its own rule, field and
    owner (an exception without reasons is one row under its rule); at most MAX_ROWS."""
    rows = [
        {
            "encounter": e.subject,
            "rule": reason.get("rule_id", e.rule_id),
            "field": reason.get("field", ""),
            "owner": reason.get("owner", ""),
            "file": e.source_file,
        }
        for e in exceptions
        for reason in (e.reasons or [{}])
    ]
    return rows[:MAX_ROWS]


def ingest_result(day: date, summary: IngestSummary) -> dict:
    return {
        "date": day.isoformat(),
        "files": summary.files,
        "repeated": summary.repeated,
        "unreadable": sorted(summary.unreadable),
        "events": summary.events,
        "moved": summary.moved,
        "unknown_claims": summary.unknown_claims,
        "eligibility_answers": summary.eligibility_answers,
    }


def worklist_result(summary: WorklistSummary) -> dict:
    """Open rows and recoverable dollars per queue, and what the refresh changed."""
    queues = {
        row.queue: {
            "open": int(row.open_items),
            "due_soon": int(row.due_soon),
            "recoverable": str(Decimal(int(row.recoverable_cents)).scaleb(-2)),
        }
        for row in summary.by_queue.itertuples()
    }
    return {"worklists": dict(summary.counts), "queues": queues}


def ingest_summary(day: date, summary: IngestSummary) -> None:
    unreadable = "\n".join(f"- `{name}`: {why}" for name, why in summary.unreadable.items())
    markdown = f"""# Responses ingested on {day}

| | |
|---|---|
| files parsed | {len(summary.files)} |
| of which 271 eligibility answers | {summary.eligibility_answers} |
| delivered again (not counted twice) | {len(summary.repeated)} |
| unreadable (left at the clearinghouse) | {len(summary.unreadable)} |
| claim events recorded | {summary.events} |
| claims moved to a new state | {summary.moved} |
| events for claims not in the ledger | {summary.unknown_claims} |

{unreadable}
"""
    create_markdown_artifact(
        markdown, key="ingest-responses", description=f"Responses ingested on {day}"
    )
