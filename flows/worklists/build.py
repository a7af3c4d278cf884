"""One worklist build: responses + ledger + context in; items, files and a summary out.

This is the entry point the nightly and ingest flows call (wrap it in a task), and what
``claims worklist build`` runs.  Order of work, each step re-runnable:

1. import edited workbooks waiting in the S3 inbox (billers' status, owner, notes);
2. classify the responses (:mod:`edi.worklists.classify`) against the claims context
   (the ledger's facts joined with the encounters' PHI columns);
3. merge with the items the ledger holds and write back the changed ones (one
   transaction);
4. rank today's open rows and write the workbook, CSV, Parquet and HTML report to
   ``out_dir/DATE/`` and, when ``s3`` is given, to ``worklists/DATE/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from edi.codesets.ncci import PtpEdits
from edi.responses.plb import resolve_links
from edi.responses.posting import posting_rows
from edi.responses.tables import ResponseTables
from edi.worklists.adapt import from_response_tables
from edi.worklists.analytics import analytics
from edi.worklists.classify import Classified, classify
from edi.worklists.cob_views import crossovers_unanswered
from edi.worklists.deadlines import HasTerms, terms_lookup
from edi.worklists.inputs import Responses, context_frame
from edi.worklists.merge import merge
from edi.worklists.model import evidence_date
from edi.worklists.rows import worklist_rows
from edi.worklists.rules import DenialRules
from edi.worklists.settings import WorklistSettings
from edi.worklists.summary import WorklistSummary, denial_stats, summarize
from edi.worklists.texts import CodeTexts
from flows.ledger import Ledger
from flows.outputs.html_report import report_html
from flows.outputs.posting import posting_files
from flows.outputs.storage import S3Outputs, inbox_files, read_inbox_file, write_local
from flows.outputs.tables import csv_bytes, parquet_bytes
from flows.outputs.xlsx import workbook_bytes
from flows.s3 import S3Store
from flows.secondary import worklist_views
from flows.worklists import context as ctx
from flows.worklists.imports import UnreadableWorklist, import_edits
from mappings.denial_rules import denial_rules, worklist_settings
from mappings.profiles import payer_profiles


@dataclass(frozen=True)
class BuildOptions:
    """What a build reads besides its inputs; the bundled files by default."""

    rules: DenialRules | None = None
    settings: WorklistSettings | None = None
    profiles: Mapping[str, HasTerms] | None = None
    texts: CodeTexts | None = None
    worker: str = "worklists"
    """Who takes S3 inbox files (the Prefect flow-run ID in a flow)."""
    ptp: PtpEdits | None = None
    """NCCI PTP edits, when loaded: CO-97/231/236 advice follows the modifier indicator."""


def build_worklists(
    ledger: Ledger,
    responses: ResponseTables | Responses | None,
    context: pd.DataFrame | None,
    today: date,
    out_dir: Path,
    s3: S3Store | None = None,
    *,
    now: datetime | None = None,
    options: BuildOptions = BuildOptions(),
) -> WorklistSummary:
    """Build today's worklists; returns the summary (IDs and codes only) with the outputs.

    ``context`` holds the columns of :data:`edi.worklists.inputs.CONTEXT_COLUMNS` that the
    ledger lacks (patient name, member ID, DOS, payer name, rendering NPI ...), typically
    from :func:`flows.worklists.context.encounter_context`; ``None`` reads them back from
    the 837s in the ledger (:func:`flows.worklists.context.interchange_context`).
    """
    now = now or datetime.now(UTC)
    rules = options.rules or denial_rules()
    settings = options.settings or worklist_settings()
    terms = terms_lookup(
        options.profiles if options.profiles is not None else payer_profiles(), settings.deadlines
    )
    counts: dict[str, int] = {}
    if s3 is not None:
        counts |= _import_inbox(ledger, s3, today, now, options.worker)

    found, texts = _responses(responses)
    found = replace(found, plbs=resolve_links(found.plbs, ledger.claims_by_reference))
    texts = options.texts or texts
    given = context_frame([] if context is None else context.to_dict("records"))
    answered = set(_upper(found.remits["clm01"])) | set(_upper(found.statuses["clm01"]))
    answered |= set(_upper(found.plbs["clm01"])) - {""}
    since = datetime.combine(
        today - timedelta(days=settings.report.trend_days), datetime.min.time(), UTC
    )
    previous = ledger.worklist_items(clm01s=answered | set(given["clm01"]), denials_since=since)
    open_claims = {i.clm01 for i in previous.values() if i.is_open}
    known = ctx.ledger_context(
        ledger,
        clm01s=answered | open_claims | set(given["clm01"]),
        isa13s=set(_text(found.ta1["isa13"])),
        gs06s=set(_text(found.acks["gs06"])),
    )
    if context is None:
        given = ctx.interchange_context(ledger, set(known["clm01"]))
    claims = ctx.combine(known, given)

    asked = frozenset(
        i.clm01 for i in previous.values() if i.queue == "info_requested" and i.is_open
    )
    classified: Classified = classify(
        found, claims, rules, settings, terms, today, texts, ptp=options.ptp, asked=asked
    )
    # COB: the patient's balance after the last payer; claims waiting on a next payer, and
    # the crossovers past their payer's days worked as no-response rows
    after_last, pending = worklist_views(ledger, classified.patient_responsibility, today)
    crossed = crossovers_unanswered(pending, settings)
    classified = replace(classified, observations=classified.observations + tuple(crossed))
    missing = {o.item_id for o in classified.observations} - set(previous)
    previous |= ledger.worklist_items_by_id(missing)
    merged = merge(previous, classified, claims, now)
    ledger.save_worklist_items(merged.items[k] for k in sorted(merged.changed))
    counts |= dict(merged.counts)

    accepted = {}
    for acc in classified.acceptances:
        on = evidence_date(acc.evidence)
        accepted[acc.clm01] = min(on, accepted.get(acc.clm01, on))
    rows = worklist_rows(merged.items.values(), claims, settings, terms, today, accepted)
    summary = summarize(rows, merged.items.values(), today, counts, settings.report.top_rows)
    adjudicated = pd.concat(
        [
            _adjudications(classified),
            ctx.ledger_adjudications(ledger, today - timedelta(days=settings.report.trend_days)),
        ],
        ignore_index=True,
    )
    stats = denial_stats(merged.items.values(), adjudicated, today, settings.report.trend_days)
    pr = _with_patients(after_last, claims)
    extra = analytics(
        pd.DataFrame(ledger.ar_facts()),
        *_remitted(found, classified, claims),
        today,
        settings.report.trend_days,
    )
    tables = {**rows, "secondary_pending": pending}  # CSV and Parquet; not a workbook sheet
    files = _files(tables, pr, summary, report_html(summary, stats, extra), today)
    if isinstance(responses, ResponseTables):  # the posting export of today's remittances
        files |= posting_files(posting_rows(responses, found.plbs))
    outputs = {}
    folder = Path(out_dir) / today.isoformat()
    uploads = S3Outputs(s3, today, now) if s3 is not None else None
    for name, data in files.items():
        outputs[name] = write_local(folder, name, data)
        if uploads is not None:
            outputs[f"s3:{name}"] = uploads.put(name, data)
    return replace(summary, outputs=outputs)


def _remitted(
    found: Responses, classified: Classified, claims: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Today's 835 lines (procedure code) and claims (rendering NPI), each marked denied
    when a denial row shows it: the denominators of the report's denial rates."""
    remits = found.remits[found.remits["adjustment_kind"].astype(str) != "reversal"]
    owner = {(f, int(q)): str(c).upper() for f, q, c in
             zip(remits["file"], remits["seq"], remits["clm01"], strict=True)}  # fmt: skip
    denied_lines, denied_claims = set(), set()
    for obs in classified.observations:
        if obs.queue == "denials" and obs.fields.get("source_kind") == "835":
            denied_claims.add(obs.clm01)
            denied_lines.add((obs.clm01, obs.fields.get("procedure_code")))
    line_rows = [
        {"procedure_code": code, "denied": (owner[(f, int(q))], code) in denied_lines}
        for f, q, code in zip(
            found.lines["file"], found.lines["seq"], found.lines["procedure_code"], strict=True
        )
        if (f, int(q)) in owner
    ]
    npi = dict(zip(claims["clm01"], claims["rendering_npi"], strict=True))
    claim_rows = [
        {"rendering_npi": npi.get(c), "denied": c in denied_claims} for c in set(owner.values())
    ]
    return (
        pd.DataFrame(line_rows, columns=["procedure_code", "denied"]),
        pd.DataFrame(claim_rows, columns=["rendering_npi", "denied"]),
    )


def _responses(responses: ResponseTables | Responses | None) -> tuple[Responses, CodeTexts | None]:
    if responses is None:
        return Responses(), None
    if isinstance(responses, Responses):
        return responses, None
    return from_response_tables(responses)


def _import_inbox(
    ledger: Ledger, s3: S3Store, today: date, now: datetime, worker: str
) -> dict[str, int]:
    counts = {"imported_files": 0, "imported_rows": 0, "import_problems": 0}
    bucket = s3.config.bucket
    for file in inbox_files(s3):
        if not ledger.take_file(bucket, file.key, file.etag, today, worker):
            continue
        try:
            result = import_edits(ledger, file.name, read_inbox_file(s3, file), now)
        except UnreadableWorklist:
            ledger.finish_file(bucket, file.key, file.etag, encounters=0, exceptions=1)
            counts["import_problems"] += 1
            continue
        ledger.finish_file(
            bucket, file.key, file.etag, encounters=result.updated, exceptions=len(result.problems)
        )
        counts["imported_files"] += 1
        counts["imported_rows"] += result.updated
        counts["import_problems"] += len(result.problems)
    return counts


def _files(
    rows: Mapping[str, pd.DataFrame],
    pr: pd.DataFrame,
    summary: WorklistSummary,
    html: str,
    today: date,
) -> dict[str, bytes]:
    day = today.isoformat()
    files = {f"worklists-{day}.xlsx": workbook_bytes(rows, pr, summary)}
    for name, table in (*rows.items(), ("patient_responsibility", pr)):
        stem = name.replace("_", "-")
        files[f"{stem}-{day}.csv"] = csv_bytes(table)
        files[f"{stem}-{day}.parquet"] = parquet_bytes(table)
    files[f"report-{day}.html"] = html.encode("utf-8")
    return files


def _adjudications(classified: Classified) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"clm01": a.clm01, "payer_id": a.payer_id, "remit_date": a.remit_date}
            for a in classified.adjudications
        ],
        columns=["clm01", "payer_id", "remit_date"],
    )


def _with_patients(pr: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The patient-responsibility rows with the patient's name, member ID, DOS and payer."""
    extra = claims[["clm01", "patient_name", "member_id", "dos", "payer_name"]]
    joined = pr.merge(extra, on="clm01", how="left", suffixes=("", "_ctx"))
    joined["payer_name"] = joined["payer_name"].replace("", None).fillna(joined["payer_name_ctx"])
    return joined.drop(columns=["payer_name_ctx"])


def _upper(series: pd.Series) -> list[str]:
    return [str(v).strip().upper() for v in series.dropna()]


def _text(series: pd.Series) -> list[str]:
    return [str(v).strip() for v in series.dropna()]
