"""Scrub-night tables: each claim's warnings and reference releases, pre-bill holds, and
the coding queries that release them.

Revision ID: 0002_scrub_night
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_scrub_night"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "claim_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("disposition", sa.String(10), nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        sa.Column("releases", JSON, nullable=False),
        _at("checked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_checks")),
        sa.UniqueConstraint(
            "clm01",
            "source_file",
            "disposition",
            name=op.f("uq_claim_checks_clm01_source_file_disposition"),
        ),
    )
    op.create_index(op.f("ix_claim_checks_business_date"), "claim_checks", ["business_date"])
    op.create_table(
        "held_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("rule_ids", JSON, nullable=False),
        sa.Column("encounter", JSON, nullable=False),
        sa.Column("answered", JSON, nullable=True),
        _at("held_at"),
        _at("released_at", nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_claims")),
        sa.UniqueConstraint("clm01", "source_file", name=op.f("uq_held_claims_clm01_source_file")),
    )
    op.create_index("ix_held_claims_state", "held_claims", ["state"])
    op.create_table(
        "coding_queries",
        sa.Column("query_id", sa.String(200), nullable=False),
        sa.Column("held_id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("rule_id", sa.String(50), nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("answer", sa.String(100), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("asked_on", sa.Date(), nullable=False),
        _at("answered_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["held_id"], ["held_claims.id"], name=op.f("fk_coding_queries_held_id_held_claims")
        ),
        sa.PrimaryKeyConstraint("query_id", name=op.f("pk_coding_queries")),
    )
    op.create_index("ix_coding_queries_status", "coding_queries", ["status"])


def downgrade() -> None:
    op.drop_index("ix_coding_queries_status", table_name="coding_queries")
    op.drop_table("coding_queries")
    op.drop_index("ix_held_claims_state", table_name="held_claims")
    op.drop_table("held_claims")
    op.drop_index(op.f("ix_claim_checks_business_date"), table_name="claim_checks")
    op.drop_table("claim_checks")
