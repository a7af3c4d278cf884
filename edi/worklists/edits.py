"""Billers' edits (status, owner, notes) read back from a workbook, checked and applied.

The workbook is the billers' interface: they change Status, Owner and Notes and hand the
file back.  A file can be old, so an edit that would reopen an item the pipeline closed
after the file was made (a later 835 paid it) is refused with a message instead of being
applied; everything else the biller wrote wins, and each status change is logged in the
item's ``payload.history``.  Messages name item IDs only, never cell contents.

A file also cannot undo newer edits: each exported row carries the item's version (when
it last changed: an import's edit or a status change).  When the item changed since (another
biller's import, or the pipeline moving its status), a row of the file that differs from the
item is reported as stale and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from edi.worklists.model import CLOSED_STATUSES, STATUSES, Item

HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Edit:
    item_id: str
    status: str | None
    owner: str | None
    notes: str | None
    where: str
    """``sheet!row`` or ``file:line``, for messages."""
    version: str | None = None
    """The item's version when the file was exported (``Row version``); None: unknown."""


@dataclass(frozen=True)
class EditPlan:
    changed: tuple[Item, ...]
    unchanged: int
    problems: tuple[str, ...] = field(default_factory=tuple)


def parse_status(label: object) -> str | None:
    """``'In progress'`` -> ``'in_progress'``; ``None`` if it is not a status."""
    if label is None:
        return None
    text = str(label).strip().lower().replace("-", " ").replace("_", " ")
    value = "_".join(text.split())
    return value if value in STATUSES else None


def plan_edits(
    edits: Iterable[Edit],
    current: Mapping[str, Item],
    now: datetime,
    source: str,
    made_on: date | None = None,
) -> EditPlan:
    """The items that change, how many rows changed nothing, and what was refused.

    ``made_on`` is the business date the workbook was generated for, when known.
    """
    changed: dict[str, Item] = {}
    unchanged = 0
    problems: list[str] = []
    for edit in edits:
        item = changed.get(edit.item_id) or current.get(edit.item_id)
        if item is None:
            problems.append(f"{edit.where}: no worklist item {edit.item_id}")
            continue
        status = item.status
        if edit.status is not None:
            parsed = parse_status(edit.status)
            if parsed is None:
                problems.append(
                    f"{edit.where}: item {edit.item_id} has an unknown status; use one of "
                    + ", ".join(s.replace("_", " ") for s in STATUSES)
                )
                continue
            status = parsed
        stale = (
            made_on is not None
            and item.status in CLOSED_STATUSES
            and status not in CLOSED_STATUSES
            and item.resolved_at is not None
            and item.resolved_at.date() > made_on
        )
        if stale:
            problems.append(
                f"{edit.where}: item {edit.item_id} was closed ({item.status}) after this "
                "workbook was made; status left unchanged (use today's workbook to reopen it)"
            )
            status = item.status
        owner, notes = _blank(edit.owner), _blank(edit.notes)
        if (status, owner, notes) == (item.status, item.owner, item.notes):
            unchanged += 1
            continue
        if edit.version is not None and edit.version.strip() != item.version:
            problems.append(
                f"{edit.where}: item {edit.item_id} changed ({item.version}) after this file "
                "was exported; edit skipped so it does not undo the newer change (make it in "
                "a fresh workbook)"
            )
            continue
        updated = replace(item, payload=dict(item.payload))
        updated.payload["edited_at"] = now.isoformat()
        if status != item.status:
            history = list(updated.payload.get("history", []))
            history.append(
                {"at": now.isoformat(), "from": item.status, "to": status, "by": f"import {source}"}
            )
            updated.payload["history"] = history[-HISTORY_LIMIT:]
            updated.status = status
            closed = status in CLOSED_STATUSES
            updated.resolved_at = (item.resolved_at or now) if closed else None
            if not closed:
                updated.payload.pop("resolution", None)
                updated.payload.pop("closed_by", None)
        updated.owner, updated.notes = owner, notes
        changed[edit.item_id] = updated
    return EditPlan(tuple(changed.values()), unchanged, tuple(problems))


def _blank(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
