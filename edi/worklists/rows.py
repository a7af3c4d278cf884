"""Open items + claims context = the rows billers work, deadlines and priority included.

Deadlines and priority are computed here, every day, from the item and today's date, so a
row carried over from last week shows today's days left.  The patient name and member ID
are joined from the context at this point only (items never hold them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from edi.worklists import priority
from edi.worklists.deadlines import TermsLookup, deadlines
from edi.worklists.ids import payer_sequence
from edi.worklists.model import QUEUES, Item, Queue
from edi.worklists.settings import WorklistSettings

ROW_COLUMNS = (
    "priority",
    "item_id",
    "queue",
    "status",
    "owner",
    "notes",
    "team",
    "category",
    "clm01",
    "payer_claim_number",
    "patient_name",
    "member_id",
    "dos",
    "payer_id",
    "payer_name",
    "payer_sequence",  # COB: P, S or T (the 835's CLP02)
    "rendering_npi",
    "type_of_bill",
    "line_ref",
    "procedure_code",
    "revenue_code",  # an 837I line's revenue code (UB-04 FL 42)
    "modifiers",
    "units",
    "billed_cents",
    "allowed_cents",
    "paid_cents",
    "patient_resp_cents",
    "denied_cents",
    "recoverable_cents",
    "group",
    "code",
    "code_text",
    "rarcs",
    "rarc_texts",
    "why",
    "action",
    "action_kind",
    "appeal_deadline",
    "filing_deadline",
    "due_date",
    "days_left",
    "due_soon",
    "source_kind",
    "source_file",
    "source_ref",
    "source_date",
    "accepted_277ca_on",
    "submitted_on",
    "times_seen",
    "prior_denials",
    "first_seen",
    "last_seen",
    "score",
    "version",
    "entity",
    "points_at",
    "respond_by",
    "last_evidence",
    "days_waiting",
)
MONEY_COLUMNS = tuple(c for c in ROW_COLUMNS if c.endswith("_cents"))


def worklist_rows(
    items: Iterable[Item],
    context: pd.DataFrame,
    settings: WorklistSettings,
    terms: TermsLookup,
    today: date,
    accepted: Mapping[str, date] | None = None,
) -> dict[Queue, pd.DataFrame]:
    """The open items of each queue as rows sorted by priority (rank 1 first).

    ``accepted`` gives, per CLM01, the 277CA acceptance date known from today's responses;
    the context's ``accepted_on`` fills the rest (the proof of timely filing).
    """
    items = list(items)
    ctx = {str(r["clm01"]).upper(): r for r in (context.to_dict("records") if len(context) else [])}
    denial_dates = _denial_evidence(items)
    rows: dict[Queue, list[dict[str, Any]]] = {q: [] for q in QUEUES}
    for item in items:
        if not item.is_open:
            continue
        rows[item.queue].append(
            _row(item, ctx.get(item.clm01, {}), settings, terms, today, accepted or {},
                 denial_dates)
        )  # fmt: skip
    return {q: _ranked(rows[q]) for q in QUEUES}


def _row(
    item: Item,
    ctx: Mapping[str, Any],
    settings: WorklistSettings,
    terms: TermsLookup,
    today: date,
    accepted: Mapping[str, date],
    denial_dates: Mapping[str, list[str]],
) -> dict[str, Any]:
    p = item.payload
    dos = _date(ctx.get("dos")) or _date(p.get("service_date"))
    payer = {"payer_id": _v(ctx.get("payer_id")) or p.get("payer_id"),
             "claim_filing_indicator": _v(ctx.get("claim_filing_indicator"))}  # fmt: skip
    action_kind = str(p.get("action_kind", ""))
    dl = deadlines(item.queue, terms(payer), dos, _date(p.get("remit_date")), action_kind)
    respond_by = _date(p.get("respond_by"))
    if respond_by is not None:  # the payer's window for the information it asked for
        dl = replace(dl, due=min(d for d in (dl.due, respond_by) if d is not None))
    days_left = dl.days_left(today)
    billed = p.get("billed_cents")
    if billed is None:
        billed = _v(ctx.get("billed_cents"))
    if item.queue == "denials":
        recoverable = int(p.get("denied_cents") or 0)
    else:
        recoverable = int(_v(ctx.get("billed_cents")) or billed or 0)
    proof = accepted.get(item.clm01) or _date(ctx.get("accepted_on"))
    score = priority.score(days_left, recoverable, settings.priority)
    prior = [e for e in denial_dates.get(item.clm01, []) if e < item.evidence]
    return {
        "item_id": item.item_id,
        "queue": item.queue,
        "status": item.status,
        "owner": item.owner,
        "notes": item.notes,
        "team": p.get("team"),
        "category": item.category,
        "clm01": item.clm01,
        "payer_claim_number": p.get("payer_claim_number") or None,
        "patient_name": _v(ctx.get("patient_name")),
        "member_id": _v(ctx.get("member_id")),
        "dos": dos,
        "payer_id": payer["payer_id"],
        "payer_name": _v(ctx.get("payer_name")) or p.get("payer_name") or None,
        "payer_sequence": payer_sequence(str(p["claim_status"])) if p.get("claim_status") else None,
        "rendering_npi": _v(ctx.get("rendering_npi")),
        "type_of_bill": _v(ctx.get("type_of_bill")),
        "line_ref": item.line_ref,
        "procedure_code": p.get("procedure_code"),
        "revenue_code": p.get("revenue_code"),
        "modifiers": p.get("modifiers"),
        "units": p.get("units"),
        "billed_cents": _int(billed),
        "allowed_cents": _int(p.get("allowed_cents")),
        "paid_cents": _int(p.get("paid_cents")),
        "patient_resp_cents": _int(p.get("patient_resp_cents")),
        "denied_cents": _int(p.get("denied_cents")),
        "recoverable_cents": recoverable,
        "group": p.get("group"),
        "code": p.get("code"),
        "code_text": p.get("code_text"),
        "rarcs": p.get("rarcs"),
        "rarc_texts": p.get("rarc_texts"),
        "why": p.get("why"),
        "action": p.get("action"),
        "action_kind": action_kind,
        "appeal_deadline": dl.appeal,
        "filing_deadline": dl.filing,
        "due_date": dl.due,
        "days_left": days_left,
        "due_soon": days_left is not None and days_left <= settings.due_soon_days,
        "source_kind": p.get("source_kind"),
        "source_file": p.get("source_file"),
        "source_ref": p.get("source_ref") or None,
        "source_date": _date(p.get("source_date")),
        "accepted_277ca_on": proof,
        "submitted_on": _date(ctx.get("submitted_on")) or _date(p.get("submitted_on")),
        "times_seen": item.times_seen,
        "prior_denials": len(set(prior)),
        "first_seen": item.first_seen.date(),
        "last_seen": item.last_seen.date(),
        "score": score,
        "version": item.version,
        "entity": p.get("entity") or None,
        "points_at": p.get("points_at") or None,
        "respond_by": respond_by,
        "last_evidence": p.get("last_evidence") or None,
        "days_waiting": p.get("days_waiting"),
    }


def _ranked(rows: list[dict[str, Any]]) -> pd.DataFrame:
    rows.sort(
        key=lambda r: priority.sort_key(
            r["score"], r["recoverable_cents"], r["days_left"], r["item_id"]
        )
    )
    for rank, row in enumerate(rows, start=1):
        row["priority"] = rank
    df = pd.DataFrame(rows, columns=list(ROW_COLUMNS))
    for column in (*MONEY_COLUMNS, "days_left", "times_seen", "prior_denials", "score"):
        df[column] = df[column].astype("Int64")
    df["priority"] = df["priority"].astype("int64")
    df["due_soon"] = df["due_soon"].astype(bool)
    return df


def _denial_evidence(items: list[Item]) -> dict[str, list[str]]:
    """Per CLM01, the responses (835 claim payments) that denied it, across its items."""
    found: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.queue == "denials":
            for key in item.payload.get("seen_in", [item.evidence]):
                found[item.clm01].append(key)
    return found


def _v(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _int(value: Any) -> int | None:
    value = _v(value)
    return None if value is None else int(value)


def _date(value: Any) -> date | None:
    value = _v(value)
    if value is None or value == "":
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])
