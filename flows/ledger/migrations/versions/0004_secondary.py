"""COB: the payer sequence of each claim generation, and the next payer of each claim.

Revision ID: 0004_secondary
Revises: 0003_followup
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_secondary"
down_revision: str | None = "0003_followup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column("payer_sequence", sa.String(1), nullable=False, server_default="P")
        )
        batch.add_column(
            sa.Column("later_payers", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "next_payer_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("payer_sequence", sa.String(1), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("prior_paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("prior_claim_number", sa.String(50), nullable=False),
        sa.Column("frequency_code", sa.String(1), nullable=False),
        sa.Column("encounter", JSON, nullable=True),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("written_key", sa.String(1024), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_next_payer_claims")),
        sa.UniqueConstraint(
            "clm01", "payer_sequence", name=op.f("uq_next_payer_claims_clm01_payer_sequence")
        ),
    )
    op.create_index("ix_next_payer_claims_state", "next_payer_claims", ["state"])


def downgrade() -> None:
    op.drop_index("ix_next_payer_claims_state", table_name="next_payer_claims")
    op.drop_table("next_payer_claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("later_payers")
        batch.drop_column("payer_sequence")
