"""Duplicates across nights: the service digests of every built claim.

Revision ID: 0005_billed_services
Revises: 0004_secondary
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_billed_services"
down_revision: str | None = "0004_secondary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billed_services",
        sa.Column("service_key", sa.String(32), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_key", "clm01", name=op.f("pk_billed_services")),
    )
    op.create_index("ix_billed_services_clm01", "billed_services", ["clm01"])


def downgrade() -> None:
    op.drop_index("ix_billed_services_clm01", table_name="billed_services")
    op.drop_table("billed_services")
