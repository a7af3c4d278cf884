"""Claim status inquiries: the 276 files sent and the claims each asked about.

Revision ID: 0003_followup
Revises: 0002_scrub_night
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_followup"
down_revision: str | None = "0002_scrub_night"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BYTES = sa.LargeBinary().with_variant(postgresql.BYTEA(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "status_inquiry_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("isa13", sa.BigInteger(), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("content", BYTES, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_inquiry_files")),
        sa.UniqueConstraint("file_name", name=op.f("uq_status_inquiry_files_file_name")),
    )
    op.create_index(
        op.f("ix_status_inquiry_files_business_date"), "status_inquiry_files", ["business_date"]
    )
    op.create_table(
        "status_inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("trace", sa.String(50), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["status_inquiry_files.id"],
            name=op.f("fk_status_inquiries_file_id_status_inquiry_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_inquiries")),
        sa.UniqueConstraint(
            "clm01", "business_date", name=op.f("uq_status_inquiries_clm01_business_date")
        ),
    )


def downgrade() -> None:
    op.drop_table("status_inquiries")
    op.drop_index(op.f("ix_status_inquiry_files_business_date"), "status_inquiry_files")
    op.drop_table("status_inquiry_files")
