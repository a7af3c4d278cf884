"""The records the worklist core passes between its steps.

An :class:`Observation` is one problem as one response shows it (a denial reason on a line
of one 835 claim, a 277CA rejection, a claim still waiting); an :class:`Item` is the
living row that observations of the same problem feed, day after day, with what the
billers set on it.  Neither holds PHI: patient names and member IDs are joined from the
claims context only when the billers' files are written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Queue = Literal["rejections", "denials", "no_response", "info_requested"]
QUEUES: tuple[Queue, ...] = ("rejections", "denials", "no_response", "info_requested")

STATUSES = ("new", "in_progress", "corrected", "appealed", "resolved", "written_off")
"""Item statuses, as the ledger stores them; the workbook shows them with spaces."""
OPEN_STATUSES = frozenset({"new", "in_progress", "corrected", "appealed"})
CLOSED_STATUSES = frozenset({"resolved", "written_off"})
WORKING_STATUSES = frozenset({"new", "in_progress"})
"""Statuses the pipeline may move on its own (a correction sent): nobody has acted yet."""
REOPENABLE_STATUSES = frozenset({"corrected", "appealed", "resolved"})
"""Statuses that new evidence of the same problem (the payer said it again) reopens."""


def evidence_key(on: date, file: str, seq: int | None = None) -> str:
    """A sortable key of one response: date, file, position (``2026-11-20|a.835|000003``)."""
    return f"{on.isoformat()}|{file}|{'' if seq is None else f'{int(seq):06d}'}"


def evidence_date(key: str) -> date:
    return date.fromisoformat(key.split("|", 1)[0])


@dataclass(frozen=True, slots=True)
class Observation:
    item_id: str
    queue: Queue
    clm01: str
    line_ref: str | None
    category: str
    evidence: str
    """:func:`evidence_key` of the response that showed it."""
    fields: Mapping[str, Any]
    """What the row shows, JSON-safe (dates as ISO text, money as cents), no PHI."""


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One 835 claim payment (CLP, reversals excluded): what it paid and what it denied."""

    clm01: str
    evidence: str
    remit_date: date
    payer_id: str | None
    billed_cents: int
    paid_cents: int
    denied_cents: int
    lines: frozenset[str]
    """Line references present in it."""
    paid_lines: frozenset[str]
    """Line references it paid something on."""
    item_ids: frozenset[str]
    """Denial items it showed."""


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A 277CA acceptance (A1/A2): the claim entered adjudication; proof of timely filing."""

    clm01: str
    evidence: str


@dataclass(slots=True)
class Item:
    """A worklist row as the ledger keeps it (see ``worklist_items``)."""

    item_id: str
    queue: Queue
    clm01: str
    line_ref: str | None
    category: str
    status: str
    owner: str | None
    notes: str | None
    first_seen: datetime
    last_seen: datetime
    times_seen: int
    resolved_at: datetime | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def version(self) -> str:
        """When anyone last changed the item (an import's edit, a status change), as text.

        Exported on every row; an import refuses a row whose version is older (stale file).
        """
        stamps = [str(h.get("at", "")) for h in self.payload.get("history", [])]
        stamps.append(str(self.payload.get("edited_at") or ""))
        times = [datetime.fromisoformat(s) for s in stamps if s]
        return max(times).isoformat() if times else ""

    @property
    def evidence(self) -> str:
        return str(self.payload.get("evidence", ""))
