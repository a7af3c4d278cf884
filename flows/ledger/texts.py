"""Texts kept once: each distinct warning and release name of the night's checks.

A claim's check row lists the IDs of its warnings and releases (:class:`~flows.ledger.
models.CheckText`); writing looks the texts up (adding the new ones) in the writer's
transaction, reading puts them back in place.  The key is the SHA-256 of the text's
canonical JSON, so the same warning from any run, worker or night is one row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.models import CheckText
from flows.ledger.store import chunks, insert_new_rows, one_of


def text_digest(body: Any) -> str:
    """The key of a text: the SHA-256 of its JSON with sorted keys and no spaces."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def text_ids(session: Session, bodies: Iterable[Any]) -> dict[str, int]:
    """The ID of each body by its digest, new ones added (``ON CONFLICT DO NOTHING``: a
    concurrent writer's copy of the same text is the same row, seen once it commits)."""
    new = {text_digest(body): body for body in bodies}
    if not new:
        return {}
    # in digest order, so two writers adding the same new texts wait in the same order
    rows = [{"digest": digest, "body": new[digest]} for digest in sorted(new)]
    insert_new_rows(session, CheckText.__table__, rows, ("digest",))
    ids: dict[str, int] = {}
    for batch in chunks(sorted(new)):
        query = select(CheckText.digest, CheckText.id).where(
            one_of(session, CheckText.digest, batch)
        )
        ids.update(session.execute(query).all())
    return ids


def texts_by_id(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """The bodies of ``ids``."""
    found: dict[int, Any] = {}
    for batch in chunks(sorted(set(ids))):
        query = select(CheckText.id, CheckText.body).where(one_of(session, CheckText.id, batch))
        found.update(session.execute(query).all())
    return found
