"""Each distinct warning and release name of the checks kept once (``check_texts``); a
claim's check row lists their IDs instead of its warnings' sentences in full.

The rows already there are rewritten in place, 5,000 at a time: every warning and release
name goes into ``check_texts`` once, and the row takes their IDs in the same order, so
the ledger gives back exactly what it gave before.

Revision ID: 0008_check_texts
Revises: 0007_interchange_findings
Create Date: 2026-12-06
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from flows.ledger.texts import text_digest

revision: str = "0008_check_texts"
down_revision: str | None = "0007_interchange_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BATCH = 5000

checks = sa.table(
    "claim_checks",
    sa.column("id", sa.Integer()),
    sa.column("warnings", JSON),
    sa.column("releases", JSON),
)
texts = sa.table(
    "check_texts",
    sa.column("id", sa.Integer()),
    sa.column("digest", sa.String()),
    sa.column("body", JSON),
)


def upgrade() -> None:
    op.create_table(
        "check_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_texts")),
        sa.UniqueConstraint("digest", name=op.f("uq_check_texts_digest")),
    )
    connection = op.get_bind()
    ids: dict[str, int] = {}

    def id_of(body: Any) -> int:
        digest = text_digest(body)
        if digest not in ids:
            inserted = connection.execute(
                texts.insert().values(digest=digest, body=body).returning(texts.c.id)
            )
            ids[digest] = inserted.scalar_one()
        return ids[digest]

    _rewrite(connection, id_of)


def downgrade() -> None:
    connection = op.get_bind()
    bodies = dict(connection.execute(sa.select(texts.c.id, texts.c.body)).all())
    _rewrite(connection, bodies.__getitem__)
    op.drop_table("check_texts")


def _rewrite(connection: sa.Connection, convert: Callable[[Any], Any]) -> None:
    """Every check row's warnings and releases through ``convert``, one batch at a time."""
    last = 0
    while rows := connection.execute(
        sa.select(checks.c.id, checks.c.warnings, checks.c.releases)
        .where(checks.c.id > last)
        .order_by(checks.c.id)
        .limit(BATCH)
    ).all():
        connection.execute(
            checks.update()
            .where(checks.c.id == sa.bindparam("row_id"))
            .values(warnings=sa.bindparam("new_warnings"), releases=sa.bindparam("new_releases")),
            [
                {
                    "row_id": row_id,
                    "new_warnings": [convert(w) for w in warnings],
                    "new_releases": [convert(r) for r in releases],
                }
                for row_id, warnings, releases in rows
            ],
        )
        last = rows[-1].id
