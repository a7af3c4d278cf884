"""Why a held interchange was held: its SNIP 1-2 errors, kept with it in the ledger.

Revision ID: 0007_interchange_findings
Revises: 0006_eligibility
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_interchange_findings"
down_revision: str | None = "0006_eligibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interchange_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interchange_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("segment_id", sa.String(3), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("element", sa.Integer(), nullable=True),
        sa.Column("component", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchanges.id"],
            name=op.f("fk_interchange_findings_interchange_id_interchanges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interchange_findings")),
        sa.UniqueConstraint(
            "interchange_id",
            "ordinal",
            name=op.f("uq_interchange_findings_interchange_id_ordinal"),
        ),
    )


def downgrade() -> None:
    op.drop_table("interchange_findings")
