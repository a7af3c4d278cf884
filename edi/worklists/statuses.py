"""Every 277CA (and 277 claim status) signal as worklist observations.

* **Rejections** (A3/A6/A7/A8) at every level the 277CA uses: a claim, one of its lines
  (REF*FJ echoes our line control number: the row names the line), a billing provider
  (2200C: every claim of that provider in the file is marked, because the payer
  adjudicates none of them) and the whole batch (2200B: every claim of the file's batch).
* **Information requested** (R0-R16) and **pended** (P0-P5) statuses: a row in the
  ``info_requested`` queue; a request carries the deadline the payer gives (the status date
  plus the payer's usual window, since the 277 carries no due date).  A pend that only
  answers our own 276 is evidence for the claim's no-response row, not a second row.
* **Acceptances** (A1/A2) and every other status are kept as the claim's *last evidence*,
  which the no-response queue shows for claims accepted and never paid.

Each rejection row carries the entity code (STC01-3) and the plain name of the field it
points at (:mod:`edi.worklists.entities`).  Pure: tables in, records out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from edi.worklists.entities import field_of
from edi.worklists.ids import item_id
from edi.worklists.inputs import ACCEPTED_277CA, REJECTED_277CA
from edi.worklists.model import Acceptance, Observation, evidence_key
from edi.worklists.settings import WorklistSettings
from edi.worklists.texts import CodeTexts

_WORDS = {"A": "accepted", "P": "pending", "F": "finalized", "R": "information requested",
          "E": "error", "D": "not found"}  # fmt: skip


@dataclass
class StatusSignals:
    observations: list[Observation] = field(default_factory=list)
    acceptances: list[Acceptance] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    """CLM01s rejected (at any level) in these statuses."""
    last_evidence: dict[str, tuple[date, str]] = field(default_factory=dict)
    """CLM01 -> (date, words) of its latest non-rejection status."""


def status_signals(
    statuses: pd.DataFrame, settings: WorklistSettings, texts: CodeTexts
) -> StatusSignals:
    """Observations, acceptances and last evidence of every status row (see module doc)."""
    out = StatusSignals()
    rows = statuses.to_dict("records") if len(statuses) else []
    claims_by_provider: dict[tuple[str, str], list[dict]] = defaultdict(list)
    claims_by_batch: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for st in rows:
        if _level(st) == "claim" and _s(st["clm01"]):
            claims_by_provider[(str(st["file"]), _s(st["provider_id"]))].append(st)
            claims_by_batch[(str(st["file"]), _s(st["batch_trace"]))].append(st)
    for st in rows:
        level, category = _level(st), _s(st["category"]).upper()
        if category in REJECTED_277CA and level in ("provider", "receiver"):
            key = (str(st["file"]), _s(st["provider_id" if level == "provider" else "batch_trace"]))
            members = (claims_by_provider if level == "provider" else claims_by_batch)[key]
            for claim in _unique(members):
                out.observations.append(_rejection(st, claim, settings, texts, level))
                out.rejected.add(_clm01(claim))
            continue
        if not _s(st["clm01"]) or level not in ("claim", "line"):
            continue
        clm01 = _clm01(st)
        if category in REJECTED_277CA:
            out.observations.append(_rejection(st, st, settings, texts, level))
            out.rejected.add(clm01)
        elif category[:1] in ("R", "P"):
            out.observations.append(_info_requested(st, settings, texts, level))
        if category in ACCEPTED_277CA and level == "claim":
            out.acceptances.append(Acceptance(clm01, _evidence(st)))
        if category not in REJECTED_277CA and level == "claim":
            _remember(out.last_evidence, clm01, st, texts)
    return out


def _remember(
    found: dict[str, tuple[date, str]], clm01: str, st: dict[str, Any], texts: CodeTexts
) -> None:
    on = _day(st["status_date"])
    category, code = _s(st["category"]).upper(), _s(st["code"])
    kind = _s(st.get("status_kind")) or "277CA"
    words = f"{kind} {category} {_WORDS.get(category[:1], '')} ({code} {texts.claim_status(code)})"
    words = " ".join(words.replace("()", "").split())
    if on is not None and (clm01 not in found or on >= found[clm01][0]):
        found[clm01] = (on, f"{words} on {on.isoformat()}")


def _rejection(
    st: dict[str, Any], claim: dict[str, Any], settings: WorklistSettings, texts: CodeTexts,
    level: str,
) -> Observation:  # fmt: skip
    clm01 = _clm01(claim)
    code, entity, category = _s(st["code"]), _s(st["entity"]), _s(st["category"]).upper()
    rule = settings.rejections.for_status(code)
    line_ref = (_s(st["line_ref"]) or None) if level == "line" else None
    why = rule.why
    if level in ("provider", "receiver"):
        scope = "billing provider" if level == "provider" else "whole batch"
        why = f"{rule.why} (the {scope} was rejected: every claim under it is)"
    fields = _common(st, _s(st.get("status_kind")) or "277CA", level) | {
        "category": rule.category,
        "team": rule.team,
        "why": why,
        "action": rule.action,
        "action_kind": "resubmit",
        "group": category,
        "code": code,
        "code_text": texts.claim_status(code),
        "entity": entity,
        "points_at": field_of(entity),
        "payer_claim_number": _s(claim["payer_claim_number"]),
        "procedure_code": _s(st["procedure_code"]) or None,
    }
    ident = item_id("rejections", clm01, line_ref, "277CA", code, entity, level)
    if level == "claim":  # keep the IDs rows had before line/provider levels were queued
        ident = item_id("rejections", clm01, None, "277CA", code, entity)
    return Observation(ident, "rejections", clm01, line_ref, rule.category, _evidence(st), fields)


def _info_requested(
    st: dict[str, Any], settings: WorklistSettings, texts: CodeTexts, level: str
) -> Observation:
    cfg = settings.info_requested
    clm01 = _clm01(st)
    code, entity, category = _s(st["code"]), _s(st["entity"]), _s(st["category"]).upper()
    pended = category.startswith("P")
    on = _day(st["status_date"])
    line_ref = (_s(st["line_ref"]) or None) if level == "line" else None
    fields = _common(st, _s(st.get("status_kind")) or "277CA", level) | {
        "category": cfg.category,
        "team": cfg.team,
        "why": cfg.pended_why if pended else cfg.why,
        "action": cfg.pended_action if pended else cfg.action,
        "action_kind": "follow_up" if pended else "records",
        "group": category,
        "code": code,
        "code_text": texts.claim_status(code),
        "entity": entity,
        "points_at": field_of(entity),
        "payer_claim_number": _s(st["payer_claim_number"]),
        # the payer's window applies to what it asked for; a pend has nothing to send
        "respond_by": (on + timedelta(days=cfg.response_days)).isoformat()
        if on and not pended
        else None,
    }
    ident = item_id("info_requested", clm01, line_ref, category, code, entity)
    return Observation(
        ident, "info_requested", clm01, line_ref, cfg.category, _evidence(st), fields
    )


def _common(st: dict[str, Any], kind: str, level: str) -> dict[str, Any]:
    on = _day(st["status_date"])
    return {
        "level": level,
        "source_kind": kind,
        "source_file": str(st["file"]),
        "source_ref": _s(st["batch_trace"]),
        "source_date": on.isoformat() if on else "",
        "evidence": _evidence(st),
    }


def _evidence(st: dict[str, Any]) -> str:
    return evidence_key(_day(st["status_date"]) or date.min, str(st["file"]))


def _unique(claims: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for claim in claims:
        seen.setdefault(_clm01(claim), claim)
    return list(seen.values())


def _level(st: dict[str, Any]) -> str:
    return _s(st.get("level")) or "claim"


def _clm01(st: dict[str, Any]) -> str:
    return _s(st["clm01"]).upper()


def _s(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _day(value: Any) -> date | None:
    if _s(value) == "":
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])
