"""Yesterday's items + today's observations = today's items.

What stays: an item keeps its ID, status, owner and notes whatever happens; a repeat of
the same problem only adds evidence (``payload.seen_in``, ``times_seen``) and refreshes
what the row shows.  What the pipeline changes on its own, each change logged in
``payload.history``:

* **reopen**: the payer shows the problem again in a response newer than everything seen
  so far (e.g. an appeal upheld, a corrected claim denied the same way): a ``corrected``,
  ``appealed`` or ``resolved`` item goes back to ``new``.  A written-off item stays closed.
* **corrected**: a denial whose payer claim number a frequency-7 claim names in REF*F8,
  submitted on or after the denial; a rejection whose claim went out again after it.  Only
  items nobody has moved past ``in_progress`` change.
* **resolved**: a denial by a later 835 for the claim that no longer shows it (paid, or
  superseded by another reason which is then its own row); a denial whose corrected claim
  was accepted (277CA A1/A2 or an 835) after the correction went out; a rejection by a later
  acceptance or 835; a no-response item when the claim has been answered.

"Later" compares evidence keys (date, file, position), so responses read out of order
never reopen or close an item wrongly.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from edi.worklists.classify import Classified
from edi.worklists.model import (
    CLOSED_STATUSES,
    REOPENABLE_STATUSES,
    WORKING_STATUSES,
    Item,
    Observation,
    evidence_date,
    evidence_key,
)

HISTORY_LIMIT = 50
SEEN_LIMIT = 50


@dataclass(frozen=True)
class Merged:
    items: dict[str, Item]
    """Every item, open or closed, after the merge."""
    changed: frozenset[str]
    """IDs of items to write back (new or different from before)."""
    counts: Mapping[str, int]
    """new, seen_again, reopened, corrected, resolved."""


def merge(
    previous: Mapping[str, Item],
    classified: Classified,
    context: pd.DataFrame,
    now: datetime,
) -> Merged:
    """Apply today's observations and outcomes to the previous items (see module doc)."""
    items = {k: copy.deepcopy(v) for k, v in previous.items()}
    counts: Counter[str] = Counter()
    observed: set[str] = set()
    for obs in sorted(classified.observations, key=lambda o: (o.evidence, o.item_id)):
        observed.add(obs.item_id)
        _observe(items, obs, now, counts)

    acceptances = _acceptances(classified, context)
    adjudications = defaultdict(list)
    for adj in classified.adjudications:
        adjudications[adj.clm01].append(adj)
    context_rows = {str(r["clm01"]).upper(): r for r in _records(context)}
    corrections = _corrections(context)

    for item in items.values():
        if item.status in CLOSED_STATUSES:
            continue
        if item.queue == "denials" and item.payload.get("source_kind") == "PLB":
            continue  # money taken back: a person decides when it is settled
        if item.queue == "denials":
            _denial_outcome(item, adjudications, corrections, acceptances, now, counts)
        elif item.queue == "rejections":
            _rejection_outcome(item, adjudications, acceptances, context_rows, now, counts)
        elif item.queue == "info_requested":
            if any(a.evidence > item.evidence for a in adjudications.get(item.clm01, ())):
                _set_status(item, "resolved", now, "system: the payer adjudicated it", counts)
                item.payload["resolution"] = "adjudicated"
        elif item.item_id not in observed:
            row = context_rows.get(item.clm01)
            if row is not None or item.clm01 in classified.answered:
                _set_status(item, "resolved", now, "system: the claim has been answered", counts)
                item.payload["resolution"] = "answered"

    changed = frozenset(k for k, v in items.items() if previous.get(k) != v)
    return Merged(items=items, changed=changed, counts=dict(counts))


def _observe(items: dict[str, Item], obs: Observation, now: datetime, counts: Counter) -> None:
    item = items.get(obs.item_id)
    if item is None:
        items[obs.item_id] = Item(
            item_id=obs.item_id,
            queue=obs.queue,
            clm01=obs.clm01,
            line_ref=obs.line_ref,
            category=obs.category,
            status="new",
            owner=None,
            notes=None,
            first_seen=now,
            last_seen=now,
            times_seen=1,
            resolved_at=None,
            payload={**obs.fields, "evidence": obs.evidence, "seen_in": [obs.evidence]},
        )
        counts["new"] += 1
        return
    payload = item.payload
    seen = list(payload.get("seen_in", []))
    latest = max(item.evidence, str(payload.get("closed_by", "")))
    fresh = obs.evidence not in seen
    if fresh:
        seen = [*seen, obs.evidence][-SEEN_LIMIT:]
        item.times_seen += 1
        counts["seen_again"] += 1
        if obs.evidence > latest and item.status in REOPENABLE_STATUSES:
            _set_status(item, "new", now, "system: the payer showed the problem again", counts)
            payload.pop("resolution", None)
            payload.pop("closed_by", None)
            payload["reopened"] = int(payload.get("reopened", 0)) + 1
            counts["reopened"] += 1
    if obs.evidence >= item.evidence:
        keep = {k: payload[k] for k in _KEEP if k in payload}
        item.payload = {**obs.fields, **keep, "evidence": obs.evidence}
        item.category = obs.category
    item.payload["seen_in"] = seen
    item.last_seen = now


_KEEP = ("history", "reopened", "resolution", "closed_by", "corrected_by", "corrected_on")


def _denial_outcome(
    item: Item,
    adjudications: Mapping[str, list],
    corrections: Mapping[str, tuple[str, date]],
    acceptances: Mapping[str, list[str]],
    now: datetime,
    counts: Counter,
) -> None:
    after = max(item.evidence, str(item.payload.get("closed_by", "")))
    for adj in sorted(adjudications.get(item.clm01, ()), key=lambda a: a.evidence):
        if adj.evidence <= after or item.item_id in adj.item_ids:
            continue
        if item.line_ref is None:
            paid = adj.paid_cents > 0
        elif item.line_ref in adj.lines:
            paid = item.line_ref in adj.paid_lines
        else:
            continue
        reason = "paid by a later 835" if paid else "a later 835 no longer shows this reason"
        _close(item, "paid" if paid else "superseded", adj.evidence, reason, now, counts)
        return

    pcn = str(item.payload.get("payer_claim_number") or "")
    correction = corrections.get(pcn) if pcn else None
    if correction is None:
        return
    clm01, submitted = correction
    if submitted < evidence_date(item.evidence):
        return
    if "corrected_by" not in item.payload:
        item.payload |= {"corrected_by": clm01, "corrected_on": submitted.isoformat()}
        if item.status in WORKING_STATUSES:
            _set_status(item, "corrected", now, f"system: corrected claim {clm01} sent", counts)
            counts["corrected"] += 1
    since = evidence_key(submitted, "")
    accepted = [e for e in acceptances.get(clm01, ()) if e >= since and e > item.evidence]
    accepted += [
        a.evidence
        for a in adjudications.get(clm01, ())
        if a.evidence >= since and a.evidence > item.evidence and item.item_id not in a.item_ids
    ]
    if accepted:
        reason = f"system: corrected claim {clm01} accepted"
        _close(item, "corrected claim accepted", min(accepted), reason, now, counts)


def _rejection_outcome(
    item: Item,
    adjudications: Mapping[str, list],
    acceptances: Mapping[str, list[str]],
    context_rows: Mapping[str, Mapping[str, Any]],
    now: datetime,
    counts: Counter,
) -> None:
    later = [e for e in acceptances.get(item.clm01, ()) if e > item.evidence]
    later += [a.evidence for a in adjudications.get(item.clm01, ()) if a.evidence > item.evidence]
    if later:
        reason = "system: the claim was accepted after the rejection"
        _close(item, "accepted", min(later), reason, now, counts)
        return
    row = context_rows.get(item.clm01)
    submitted = _date(row.get("submitted_on")) if row is not None else None
    resubmitted = submitted and submitted > evidence_date(item.evidence)
    if resubmitted and "corrected_on" not in item.payload:
        item.payload |= {"corrected_by": item.clm01, "corrected_on": submitted.isoformat()}
        if item.status in WORKING_STATUSES:
            _set_status(item, "corrected", now, "system: the claim was resubmitted", counts)
            counts["corrected"] += 1


def _close(
    item: Item, resolution: str, by: str, reason: str, now: datetime, counts: Counter
) -> None:
    _set_status(item, "resolved", now, reason, counts)
    item.payload |= {"resolution": resolution, "closed_by": by}


def _set_status(item: Item, status: str, now: datetime, by: str, counts: Counter) -> None:
    if item.status == status:
        return
    history = list(item.payload.get("history", []))
    history.append({"at": now.isoformat(), "from": item.status, "to": status, "by": by})
    item.payload["history"] = history[-HISTORY_LIMIT:]
    item.status = status
    if status in CLOSED_STATUSES:
        item.resolved_at = item.resolved_at or now
        counts[status] += 1
    else:
        item.resolved_at = None


def _acceptances(classified: Classified, context: pd.DataFrame) -> dict[str, list[str]]:
    """Acceptance evidence per CLM01: today's 277CAs plus what the ledger already knew."""
    found: dict[str, list[str]] = defaultdict(list)
    for acc in classified.acceptances:
        found[acc.clm01].append(acc.evidence)
    for row in _records(context):
        accepted = _date(row.get("accepted_on"))
        if accepted:
            found[str(row["clm01"]).upper()].append(evidence_key(accepted, "ledger"))
    return found


def _corrections(context: pd.DataFrame) -> dict[str, tuple[str, date]]:
    """Payer claim number -> (CLM01, submitted on) of the frequency-7 claim replacing it."""
    found: dict[str, tuple[str, date]] = {}
    for row in _records(context):
        pcn, submitted = row.get("original_payer_claim_number"), _date(row.get("submitted_on"))
        if str(row.get("frequency_code") or "") == "7" and _present(pcn) and submitted:
            found[str(pcn).strip()] = (str(row["clm01"]).upper(), submitted)
    return found


def _records(df: pd.DataFrame) -> Iterable[dict[str, Any]]:
    return df.to_dict("records") if len(df) else []


def _present(value: Any) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and value != ""


def _date(value: Any) -> date | None:
    if not _present(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
