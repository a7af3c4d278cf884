"""Worklist items in the ledger, with SQLAlchemy Core on the ledger's engine.

The table is the ledger's (``worklist_items``, see :mod:`flows.ledger.models`); this module
reads the items a build needs and writes back, in one transaction, the ones it changed.
The ledger's own ``upsert_worklist_items`` bumps ``times_seen`` on every call and cannot
update status and payload together, which the merge (:mod:`edi.worklists.merge`) needs.
Columns the table lacks (team, deadlines, evidence, history ...) live in ``payload``.  The
ledger keeps no PHI: payloads never hold patient names or member IDs; biller notes are
the billers' own text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from edi.worklists.model import OPEN_STATUSES, Item
from flows.ledger.engine import WRITE
from flows.ledger.models import WorklistItemRow
from flows.ledger.store import chunks

ITEMS = WorklistItemRow.__table__
_FIELDS = (
    "item_id",
    "queue",
    "clm01",
    "line_ref",
    "category",
    "status",
    "owner",
    "notes",
    "first_seen",
    "last_seen",
    "times_seen",
    "resolved_at",
    "payload",
)


def load_items(
    engine: Engine,
    *,
    item_ids: Collection[str] = (),
    clm01s: Collection[str] = (),
    denials_since: datetime | None = None,
) -> dict[str, Item]:
    """Open items, plus any item with one of ``item_ids`` or ``clm01s`` (to recognise a
    repeat of a closed problem), plus denial items last seen since ``denials_since`` (for
    the report's trend)."""
    wanted = [ITEMS.c.status.in_(sorted(OPEN_STATUSES))]
    if denials_since is not None:
        wanted.append((ITEMS.c.queue == "denials") & (ITEMS.c.last_seen >= denials_since))
    found: dict[str, Item] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(ITEMS).where(or_(*wanted))).mappings():
            found[row["item_id"]] = _item(row)
        for column, values in ((ITEMS.c.item_id, item_ids), (ITEMS.c.clm01, clm01s)):
            for chunk in chunks(sorted(set(values) - set(found))):
                for row in conn.execute(select(ITEMS).where(column.in_(chunk))).mappings():
                    found[row["item_id"]] = _item(row)
    return found


def load_item_ids(engine: Engine, item_ids: Collection[str]) -> dict[str, Item]:
    """Exactly the items with these IDs (those that exist)."""
    found: dict[str, Item] = {}
    with engine.connect() as conn:
        for chunk in chunks(sorted(set(item_ids))):
            for row in conn.execute(select(ITEMS).where(ITEMS.c.item_id.in_(chunk))).mappings():
                found[row["item_id"]] = _item(row)
    return found


def save_items(engine: Engine, items: Iterable[Item]) -> int:
    """Insert or update ``items`` by ``item_id`` in one write transaction; returns the count."""
    rows = [_row(item) for item in items]
    if not rows:
        return 0
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    writer = engine.execution_options(**{WRITE: True})
    with writer.begin() as conn:
        for chunk in chunks(rows, 500):
            statement = insert(ITEMS).values(chunk)
            update = {name: statement.excluded[name] for name in _FIELDS if name != "item_id"}
            conn.execute(statement.on_conflict_do_update(index_elements=["item_id"], set_=update))
    return len(rows)


def _item(row: Any) -> Item:
    return Item(
        item_id=row["item_id"],
        queue=row["queue"],
        clm01=row["clm01"],
        line_ref=row["line_ref"],
        category=row["category"],
        status=row["status"],
        owner=row["owner"],
        notes=row["notes"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        times_seen=row["times_seen"],
        resolved_at=row["resolved_at"],
        payload=dict(row["payload"] or {}),
    )


def _row(item: Item) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "queue": item.queue,
        "clm01": item.clm01,
        "line_ref": item.line_ref,
        "category": item.category[:50],
        "status": item.status,
        "owner": item.owner,
        "notes": item.notes,
        "first_seen": item.first_seen,
        "last_seen": item.last_seen,
        "times_seen": item.times_seen,
        "resolved_at": item.resolved_at,
        "payload": item.payload,
    }
